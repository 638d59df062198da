#ifndef CS_TUI_H
#define CS_TUI_H

#include "core/error.h"
#include "core/graph.h"

struct cs_load_options;

/*
 * The full-screen browser. Takes over the terminal until the user quits
 * and always gives it back (normal exit, signals, fatal errors). Returns 0,
 * or -1 with ERR set when the terminal cannot be used. LOAD (or NULL) is
 * how the command line loads sources: a second one added with d loads the
 * same way, and slow fetches report on the status line. STARTED (cs_now()
 * when the program started) lets the frame trace tell the time to the
 * first screen.
 */
int browser_run(struct cs_graph *g, const struct cs_load_options *load, double started,
		struct cs_error *err);

struct cs_diff;
/* Two caches side by side: A, B and the diff between them (which the browser frees). */
int browser_run_diff(struct cs_graph *a, struct cs_graph *b, struct cs_diff *diff,
		     const struct cs_load_options *load, double started, struct cs_error *err);

#endif
