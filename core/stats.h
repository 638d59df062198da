#ifndef CS_STATS_H
#define CS_STATS_H

#include "error.h"
#include "graph.h"

#include <stdio.h>

/* `cachescope stats`: what a graph holds and how long each load phase took. */
int stats_print(struct cs_graph *g, FILE *out, struct cs_error *err);

#endif
