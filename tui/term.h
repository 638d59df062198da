#ifndef CS_TUI_TERM_H
#define CS_TUI_TERM_H

#include <stdbool.h>

/*
 * The terminal: curses set up for the locale we are in, colours only when
 * the terminal has them and NO_COLOR is unset, and restored on every way
 * out — return, exit() (OOM exits too), Ctrl-C and the other signals that
 * ask a program to stop, and crashes.
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
/* Gives the terminal back; safe to call again, and from exit hooks. */
void term_stop(void);
/* Attributes for a role, colour or not (reverse, bold, underline stand in). */
int term_attr(const struct term *t, enum term_color role);

/*
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT only set a flag (the key being read
 * returns); the browser checks it, winds down like a quit, gives the
 * terminal back, then dies of the same signal, so the shell sees it.
 */
bool term_interrupted(void);
/*
 * How long a read of a key waits before it returns ERR: a signal that
 * lands between the check of the flag and the read must not wait for the
 * next key to be noticed.
 */
#define TERM_KEY_WAIT_MS 200
void term_die_if_interrupted(void);

#endif
