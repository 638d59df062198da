#include "term.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * curses keeps the terminal's state itself, so restoring needs no state of
 * ours: endwin() is safe to call when curses is not (or no longer) active.
 */
void term_stop(void)
{
	if (!isendwin())
		endwin();
}

static void restore_and_die(int sig)
{
	/* not async-signal-safe in theory; leaving the terminal raw is worse in practice */
	term_stop();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(void)
{
	static const int fatal[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_die;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

static void setup_colors(struct term *t)
{
	const char *no_color = getenv("NO_COLOR");

	t->colors = has_colors() && !(no_color && *no_color);
	if (!t->colors)
		return;
	start_color();
	use_default_colors();
	init_pair(COLOR_PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(COLOR_PAIR_SELECTED, COLOR_BLACK, COLOR_YELLOW);
	init_pair(COLOR_PAIR_LINK, COLOR_CYAN, -1);
	init_pair(COLOR_PAIR_DIM, COLOR_BLUE, -1);
	init_pair(COLOR_PAIR_ERROR, COLOR_RED, -1);
	init_pair(COLOR_PAIR_MATCH, COLOR_MAGENTA, -1);
	init_pair(COLOR_PAIR_KIND, COLOR_GREEN, -1);
}

int term_start(struct term *t)
{
	const char *codeset;

	memset(t, 0, sizeof(t[0]));
	setlocale(LC_ALL, "");
	codeset = nl_langinfo(CODESET);
	t->utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -1;
	atexit(term_stop);
	catch_signals();
	if (!initscr())
		return -1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* Esc must answer at once, not after curses' one-second wait for a sequence */
	set_escdelay(25);
	setup_colors(t);
	t->mouse = mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL) != 0;
	mouseinterval(0);
	getmaxyx(stdscr, t->rows, t->cols);
	return 0;
}

int term_attr(const struct term *t, enum term_color role)
{
	switch (role) {
	case COLOR_PAIR_TITLE:
		return t->colors ? COLOR_PAIR(role) | A_BOLD : A_REVERSE | A_BOLD;
	case COLOR_PAIR_SELECTED:
		return t->colors ? COLOR_PAIR(role) : A_REVERSE;
	case COLOR_PAIR_LINK:
		return t->colors ? COLOR_PAIR(role) : A_UNDERLINE;
	case COLOR_PAIR_ERROR:
		return t->colors ? COLOR_PAIR(role) | A_BOLD : A_BOLD;
	case COLOR_PAIR_MATCH:
		return t->colors ? COLOR_PAIR(role) | A_BOLD : A_BOLD;
	case COLOR_PAIR_DIM:
	case COLOR_PAIR_KIND:
		return t->colors ? COLOR_PAIR(role) : A_NORMAL;
	}
	return A_NORMAL;
}
