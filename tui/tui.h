#ifndef CS_TUI_H
#define CS_TUI_H

#include "core/error.h"
#include "core/graph.h"

struct cs_load_options;
struct cs_pending;

/*
 * The full-screen browser. Takes over the terminal until the user quits
 * and always gives it back (normal exit, signals, fatal errors). Returns 0,
 * or -1 with ERR set when the terminal cannot be used. LOAD (or NULL) is
 * how the command line loads sources: a second one added with d loads the
 * same way, and slow fetches report on the status line. STARTED (cs_now()
 * when the program started) lets the frame trace tell the time to the
 * first screen.
 *
 * *G may be the first rows of a store (a partial graph) whose whole load
 * is PENDING (core/source.h: source_load_early): the browser shows them at
 * once and takes the whole graph when it is there. On return *G is the
 * graph the browser ended with (the caller frees it); -1 with ERR also
 * when the whole load failed.
 */
int browser_run(struct cs_graph **g, struct cs_pending *pending, const struct cs_load_options *load,
		double started, struct cs_error *err);
/* How many first rows are worth drawing before the rest: a few screens of this terminal. */
uint32_t browser_prefix_rows(void);

struct cs_diff;
/* Two caches side by side: A, B and the diff between them (which the browser frees). */
int browser_run_diff(struct cs_graph *a, struct cs_graph *b, struct cs_diff *diff,
		     const struct cs_load_options *load, double started, struct cs_error *err);

#endif
