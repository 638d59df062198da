#ifndef CS_GRAPH_SUBSET_H
#define CS_GRAPH_SUBSET_H

#include "error.h"
#include "graph.h"

#include <stdint.h>

/*
 * The nodes of G that KEEP marks (one byte per node), with the links
 * between them, as a graph of their own named ORIGIN: what no kept root
 * reaches is dropped, as any load drops it. It borrows G's plaintext
 * stores and results (G must outlive it) and prints each node with its ID
 * in G (graph_id).
 */
int graph_subset(const struct cs_graph *g, const uint8_t *keep, const char *origin, struct cs_graph **out,
		 struct cs_error *err);

#endif
