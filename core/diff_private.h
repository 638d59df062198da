#ifndef CS_DIFF_PRIVATE_H
#define CS_DIFF_PRIVATE_H

#include "diff.h"

/* Shared by the diff's files: matching (diff_match.c) and causes (diff_cause.c). */

/* A's index of every B digest, CS_DIG_NONE where A has no such digest. */
cs_dig *diff_map_digests(const struct cs_graph *a, const struct cs_graph *b);

/* Fills a_to_b, b_to_a and both status arrays. */
int diff_match(struct cs_diff *d, const cs_dig *b_to_a_digest);

/* B's nodes, parents before children. */
cs_node_id *diff_topological(const struct cs_graph *g);

/* Finds the root causes and their consequences. */
int diff_find_causes(struct cs_diff *d, const cs_dig *b_to_a_digest, struct cs_error *err);

static inline bool node_is_random(const struct cs_graph *g, cs_node_id n)
{
	return (g->nodes[n].flags & CS_NODE_RANDOM) != 0;
}

#endif
