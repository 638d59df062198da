/*
 * Taking the terminal and giving it back.
 *
 * Exit hooks and signal handlers take no arguments, so what they need to
 * give the terminal back has to be reachable without one: curses keeps
 * the terminal's modes itself, and this file keeps the little more (the
 * signal that asked us to stop, where standard error really goes) in one
 * file-scope struct. Nothing else of the browser is global.
 *
 * Standard error is kept in a temporary file while the screen is ours:
 * a message written then (the allocator's "out of memory" on its way to
 * exit(2)) would land on the alternate screen and vanish with it. It is
 * written out where it belongs once the terminal is back.
 */
#include "term.h"

#include <curses.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static struct {
	volatile sig_atomic_t signal; /* a signal that asked us to stop, 0 when none */
	int stderr_fd;                /* the real standard error while it is captured, else -1 */
	int captured_fd;              /* where it goes meanwhile */
} term_exit = { 0, -1, -1 };

/* Writes what was captured to the real standard error; only async-signal-safe calls. */
static void release_stderr(void)
{
	char chunk[4096];
	ssize_t n;

	if (term_exit.stderr_fd < 0)
		return;
	dup2(term_exit.stderr_fd, STDERR_FILENO);
	close(term_exit.stderr_fd);
	term_exit.stderr_fd = -1;
	if (lseek(term_exit.captured_fd, 0, SEEK_SET) == 0) {
		while ((n = read(term_exit.captured_fd, chunk, sizeof(chunk))) > 0) {
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(STDERR_FILENO, chunk + off, (size_t)(n - off));
				if (w <= 0)
					break;
				off += w;
			}
		}
	}
	close(term_exit.captured_fd);
	term_exit.captured_fd = -1;
}

static void capture_stderr(void)
{
	char path[] = "/tmp/cachescope-stderr.XXXXXX";
	int fd = -1;

	/* memory, not a file: the browser promises to write nothing anywhere */
	fd = memfd_create("cachescope-stderr", MFD_CLOEXEC);
#ifdef O_TMPFILE
	if (fd < 0)
		fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd < 0) {
		fd = mkstemp(path);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0)
		return; /* the screen may get a stray line; nothing worse */
	term_exit.stderr_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (term_exit.stderr_fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
		if (term_exit.stderr_fd >= 0)
			close(term_exit.stderr_fd);
		term_exit.stderr_fd = -1;
		close(fd);
		return;
	}
	term_exit.captured_fd = fd;
}

/*
 * curses keeps the terminal's state itself, so restoring needs none of
 * ours: endwin() is safe to call when curses is not (or no longer) active.
 */
void term_stop(void)
{
	if (!isendwin())
		endwin();
	release_stderr();
}

static void on_stop_request(int sig)
{
	term_exit.signal = sig;
}

static void on_crash(int sig)
{
	/* curses is not async-signal-safe; a terminal left raw is worse than the risk */
	term_stop();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(void)
{
	static const int stop_requests[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static const int crashes[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGSYS, SIGXCPU, SIGXFSZ };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the read of the next key must return, so the loop sees the flag */
	sa.sa_handler = on_stop_request;
	for (size_t i = 0; i < sizeof(stop_requests) / sizeof(stop_requests[0]); i++)
		sigaction(stop_requests[i], &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
		sigaction(crashes[i], &sa, NULL);
}

bool term_interrupted(void)
{
	return term_exit.signal != 0;
}

void term_die_if_interrupted(void)
{
	int sig = term_exit.signal;

	if (!sig)
		return;
	term_stop();
	signal(sig, SIG_DFL);
	raise(sig);
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
	capture_stderr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	timeout(TERM_KEY_WAIT_MS);
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
