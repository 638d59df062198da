/* The key table, over the screen until any key. */
#include "browser.h"
#include "draw.h"

#include <curses.h>
#include <string.h>

static const char *const help_lines[] = {
	"cachescope keys",
	"",
	"j k  Down Up      move in the focused pane",
	"PgDn PgUp  ^F ^B  page down / up",
	"g G  Home End     first / last",
	"Tab  Shift-Tab    next / previous pane (table, parents, children, plaintexts)",
	"Enter             go to the parent, child or digest under the cursor",
	"                  (on the table: look at its parents)",
	"[  ]  Backspace   back / forward / back along the nodes visited",
	"p  c              go to the first parent / child",
	":                 go to an ID or a digest prefix",
	"/                 search digests and plaintext text (Esc cancels)",
	"n  N              next / previous match",
	"Space             fold or unfold a plaintext record",
	"y                 copy the selected digest (OSC 52 clipboard)",
	"d                 add a second source: compare the two side by side",
	"f                 side by side: show only the rows that differ",
	"                  (= same  ~ changed  - only in A  + only in B)",
	"?                 this help",
	"q                 quit",
	"",
	"Mouse: click selects, the wheel scrolls.",
	"",
	"Press any key.",
};

void help_draw(struct browser *b)
{
	int n = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	int width = 0, rows, cols;

	getmaxyx(stdscr, rows, cols);
	for (int i = 0; i < n; i++) {
		int w = text_width(help_lines[i], strlen(help_lines[i]));
		if (w > width)
			width = w;
	}
	width += 4;
	if (width > cols)
		width = cols;
	int height = n + 2 > rows ? rows : n + 2;
	int top = (rows - height) / 2, left = (cols - width) / 2;
	for (int y = 0; y < height; y++)
		draw_blank(top + y, left, width, A_REVERSE);
	for (int i = 0; i < n && i + 1 < height; i++)
		draw_text(&b->term, top + 1 + i, left + 2, width - 4, help_lines[i], A_REVERSE | (i == 0 ? A_BOLD : 0));
}
