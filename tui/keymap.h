#ifndef CS_TUI_KEYMAP_H
#define CS_TUI_KEYMAP_H

#include <stddef.h>

/*
 * What a key asks for, as data: keys map to requests (keymap.c), the
 * focused pane may handle a request itself, and the browser handles the
 * rest (keys.c). The help screen is drawn from the same table, so a key
 * and its help never disagree.
 */
enum request {
	REQ_NONE,
	REQ_QUIT,
	REQ_DOWN, REQ_UP, REQ_PAGE_DOWN, REQ_PAGE_UP, REQ_FIRST, REQ_LAST,
	REQ_NEXT_PANE, REQ_PREV_PANE, REQ_RIGHT, REQ_LEFT,
	REQ_ENTER,
	REQ_TOGGLE,     /* Space: a pane folds; elsewhere it pages */
	REQ_BACK, REQ_FORWARD,
	REQ_PARENT, REQ_CHILD,
	REQ_GOTO, REQ_SEARCH, REQ_NEXT_MATCH, REQ_PREV_MATCH,
	REQ_COPY,
	REQ_ADD_SOURCE, REQ_FILTER,
	REQ_SORT,
	REQ_WHY,
	REQ_HELP,
	REQ_REDRAW,
	REQ_MOUSE,
};

/* The request KEY makes, or REQ_NONE. */
enum request keymap_request(int key);

/* The help screen's lines: one per request (its keys, what it does), and notes. */
struct help_line {
	const char *keys;   /* NULL: a note that continues the line above */
	const char *what;
};
extern const struct help_line help_lines[];
extern const size_t help_line_count;

#endif
