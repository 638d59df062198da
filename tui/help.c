/*
 * The key table, over the screen until a key other than one that scrolls
 * it. It fits 80x24; a smaller screen scrolls it with j, k and the pages.
 */
#include "browser.h"
#include "draw.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* The title, a blank line, then keymap.c's help lines. */
#define HELP_COUNT (int)(help_line_count + 2)
#define KEYS_WIDTH 22

/* Line I of the help screen into BUF. */
static const char *help_line(int i, char *buf, size_t size)
{
	const struct help_line *l;

	if (i == 0)
		return "cachescope keys";
	if (i == 1)
		return "";
	l = &help_lines[i - 2];
	snprintf(buf, size, "%-*s%s", KEYS_WIDTH, l->keys ? l->keys : "", l->what);
	return buf;
}

/* Rows of the table the screen shows at once. */
static int help_rows(void)
{
	int rows = getmaxy(stdscr) - 2;

	return rows < 1 ? 1 : rows;
}

bool help_key(struct browser *b, int key)
{
	int page = help_rows(), last = HELP_COUNT - page;

	switch (key) {
	case 'j': case KEY_DOWN: b->help_top++; break;
	case 'k': case KEY_UP: b->help_top--; break;
	case KEY_NPAGE: case ' ': b->help_top += page; break;
	case KEY_PPAGE: b->help_top -= page; break;
	case KEY_RESIZE: break;
	default:
		b->show_help = false;
		b->help_top = 0;
		return true;
	}
	if (b->help_top > last)
		b->help_top = last;
	if (b->help_top < 0)
		b->help_top = 0;
	return true;
}

void help_draw(struct browser *b)
{
	int width = 0, rows, cols, shown = help_rows();

	getmaxyx(stdscr, rows, cols);
	char buf[160];

	for (int i = 0; i < HELP_COUNT; i++) {
		const char *line = help_line(i, buf, sizeof(buf));
		int w = text_width(line, strlen(line));
		if (w > width)
			width = w;
	}
	width += 4;
	if (width > cols)
		width = cols;
	/* the table's cells around a box read as part of it: clear them, keep the status line */
	for (int y = 0; y < rows - 1; y++)
		draw_blank(y, 0, cols, A_NORMAL);
	int height = HELP_COUNT + 2 > rows ? rows : HELP_COUNT + 2;
	int top = (rows - height) / 2, left = (cols - width) / 2;
	for (int y = 0; y < height; y++)
		draw_blank(top + y, left, width, A_REVERSE);
	for (int i = 0; i < shown && b->help_top + i < HELP_COUNT && i + 1 < height; i++) {
		int line = b->help_top + i;
		draw_text(&b->term, top + 1 + i, left + 2, width - 4, help_line(line, buf, sizeof(buf)),
			  A_REVERSE | (line == 0 ? A_BOLD : 0));
	}
	/* more below: say how to get there, on the bottom border */
	if (b->help_top + shown < HELP_COUNT && height > 1)
		draw_text(&b->term, top + height - 1, left + 2, width - 4, "j: more", A_REVERSE | A_BOLD);
}
