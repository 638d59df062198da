#ifndef CS_TUI_TERM_H
#define CS_TUI_TERM_H

#include <stdbool.h>

/*
 * The terminal: curses set up for the locale we are in, colours only when
 * the terminal has them and NO_COLOR is unset, and restored on every way
 * out — return, exit() (OOM exits too), and fatal or terminating signals.
 */

enum term_color {
	COLOR_PAIR_TITLE = 1,
	COLOR_PAIR_SELECTED,
	COLOR_PAIR_LINK,
	COLOR_PAIR_DIM,
	COLOR_PAIR_ERROR,
	COLOR_PAIR_MATCH,
	COLOR_PAIR_KIND,
};

struct term {
	bool utf8;       /* the locale is UTF-8: Unicode text and line drawing */
	bool colors;
	bool mouse;
	int rows, cols;
};

int term_start(struct term *t);
void term_stop(void);
/* Attributes for a role, colour or not (reverse, bold, underline stand in). */
int term_attr(const struct term *t, enum term_color role);

#endif
