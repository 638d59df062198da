/* Which key asks for what, and the help that says so. vi keys and arrows both work. */
#include "keymap.h"

#include <curses.h>

#define CTRL(c) ((c) & 0x1f)

static const struct {
	int key;
	enum request request;
} keymap[] = {
	{ 'q', REQ_QUIT },
	{ 'j', REQ_DOWN }, { KEY_DOWN, REQ_DOWN }, { CTRL('n'), REQ_DOWN },
	{ 'k', REQ_UP }, { KEY_UP, REQ_UP }, { CTRL('p'), REQ_UP },
	{ KEY_NPAGE, REQ_PAGE_DOWN }, { CTRL('f'), REQ_PAGE_DOWN }, { CTRL('d'), REQ_PAGE_DOWN },
	{ KEY_PPAGE, REQ_PAGE_UP }, { CTRL('b'), REQ_PAGE_UP }, { CTRL('u'), REQ_PAGE_UP },
	{ 'g', REQ_FIRST }, { KEY_HOME, REQ_FIRST },
	{ 'G', REQ_LAST }, { KEY_END, REQ_LAST },
	{ '\t', REQ_NEXT_PANE }, { KEY_BTAB, REQ_PREV_PANE },
	{ 'l', REQ_RIGHT }, { KEY_RIGHT, REQ_RIGHT },
	{ 'h', REQ_LEFT }, { KEY_LEFT, REQ_LEFT },
	{ '\n', REQ_ENTER }, { '\r', REQ_ENTER }, { KEY_ENTER, REQ_ENTER },
	{ ' ', REQ_TOGGLE },
	{ '[', REQ_BACK }, { KEY_BACKSPACE, REQ_BACK }, { 127, REQ_BACK }, { 8, REQ_BACK },
	{ ']', REQ_FORWARD },
	{ 'p', REQ_PARENT }, { 'c', REQ_CHILD },
	{ ':', REQ_GOTO }, { '/', REQ_SEARCH }, { 'n', REQ_NEXT_MATCH }, { 'N', REQ_PREV_MATCH },
	{ 'y', REQ_COPY },
	{ 'd', REQ_ADD_SOURCE }, { 'f', REQ_FILTER },
	{ 's', REQ_SORT },
	{ 'w', REQ_WHY },
	{ '?', REQ_HELP },
	{ CTRL('l'), REQ_REDRAW }, { KEY_RESIZE, REQ_REDRAW },
	{ KEY_MOUSE, REQ_MOUSE },
};

enum request keymap_request(int key)
{
	for (size_t i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++)
		if (keymap[i].key == key)
			return keymap[i].request;
	return REQ_NONE;
}

const struct help_line help_lines[] = {
	{ "j k  Down Up", "move in the focused pane" },
	{ "h l  Left Right", "previous / next pane" },
	{ "PgDn PgUp ^F ^B ^D ^U", "page down / up" },
	{ "g G  Home End", "first / last" },
	{ "Tab  Shift-Tab", "next / previous pane" },
	{ "Enter", "follow the parent, child or digest under the cursor" },
	{ "[  ]  Backspace", "back / forward / back through the nodes visited" },
	{ "p  c", "go to the first parent / the first child" },
	{ ":", "go to an ID or a digest prefix" },
	{ "/", "search digests, plaintexts and descriptions (Esc cancels)" },
	{ "n  N", "next / previous match" },
	{ "Space", "fold or unfold a record or a JSON value" },
	{ "y", "copy the selected digest to the clipboard (OSC 52)" },
	{ "s", "sort the table: by size, by last use, store order" },
	{ "w", "why did this key miss: beside its earlier self (w: back)" },
	{ NULL, "(+ made by the latest build  = used by it)" },
	{ "d", "add a second source: compare the two side by side" },
	{ "f", "side by side: only the rows that differ" },
	{ NULL, "(= same  ~ changed  - only in A  + only in B)" },
	{ "^L", "redraw the screen" },
	{ "?  q", "this help / quit" },
	{ "Mouse", "a click selects, the wheel scrolls" },
};

const size_t help_line_count = sizeof(help_lines) / sizeof(help_lines[0]);
