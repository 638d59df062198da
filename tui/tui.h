#ifndef CS_TUI_H
#define CS_TUI_H

#include "core/error.h"
#include "core/graph.h"

/*
 * The full-screen browser. Takes over the terminal until the user quits
 * and always gives it back (normal exit, signals, fatal errors). Returns 0,
 * or -1 with ERR set when the terminal cannot be used.
 */
int browser_run(struct cs_graph *g, struct cs_error *err);

#endif
