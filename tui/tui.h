#ifndef CS_TUI_H
#define CS_TUI_H

#include "core/error.h"
#include "core/graph.h"

/*
 * The full-screen browser. Takes over the terminal until the user quits
 * and always gives it back (normal exit, signals, fatal errors). Returns 0,
 * or -1 with ERR set when the terminal cannot be used. STARTED (cs_now()
 * when the program started) lets the frame trace tell the time to the
 * first screen.
 */
int browser_run(struct cs_graph *g, double started, struct cs_error *err);

struct cs_diff;
/* Two caches side by side: A, B and the diff between them (which the browser frees). */
int browser_run_diff(struct cs_graph *a, struct cs_graph *b, struct cs_diff *diff, double started,
		     struct cs_error *err);

#endif
