#ifndef CS_DIFF_PRIVATE_H
#define CS_DIFF_PRIVATE_H

#include "diff.h"

#include <jansson.h>

/* Shared by the diff's files: matching, causes, explanations. */

/* A's index of every B digest, CS_DIG_NONE where A has no such digest. */
cs_dig *diff_map_digests(const struct cs_graph *a, const struct cs_graph *b);

/* A B digest in A's numbering; one A lacks becomes a value no A digest has. */
static inline cs_dig diff_in_a(const cs_dig *map, cs_dig b_digest)
{
	if (b_digest == CS_DIG_NONE)
		return CS_DIG_NONE;
	return map[b_digest] == CS_DIG_NONE ? CS_DIG_NONE - 1 : map[b_digest];
}

/* Fills a_to_b, b_to_a and both status arrays; B_ORDER is diff_topological(B). */
int diff_match(struct cs_diff *d, const cs_dig *b_to_a_digest, const cs_node_id *b_order);

/* B's nodes, parents before children. */
cs_node_id *diff_topological(const struct cs_graph *g);

/* What sort of root a node is, from its plaintexts. */
enum root_sort {
	ROOT_UNKNOWN, /* no plaintext kept */
	ROOT_CONTENT, /* a content checksum (output -1) */
	ROOT_IMAGE,
	ROOT_SOURCE,  /* git, http, another source */
};

/* The state counterparts and causes share while a diff is being made. */
struct diff_work {
	struct cs_diff *d;
	const cs_dig *map;      /* B digest -> A digest (diff_map_digests) */
	const cs_node_id *b_order; /* B's nodes, parents first (diff_topological), made once */
	uint8_t *a_sort, *b_sort; /* per root: enum root_sort + 1, 0 while not looked up */
};

/* The sort of root N on one side, looked up once; -1 on a plaintext store error. */
int diff_root_sort(struct diff_work *w, bool on_b, cs_node_id n, struct cs_error *err);

/* Pairs the nodes without a twin with their counterparts (diff_counterpart.c). */
int diff_find_counterparts(struct diff_work *w, struct cs_error *err);

/* Finds the root causes and their consequences (diff_cause.c). */
int diff_find_causes(struct diff_work *w, struct cs_error *err);

/* The op JSON behind a non-root's link digest: 1 with *OUT, 0 when no plaintext says, -1 on error. */
int diff_op_json(const struct cs_graph *g, cs_node_id n, json_t **out, struct cs_error *err);

/* The JSON a source root's identifier hashes (an image's config or manifest): like diff_op_json. */
int diff_source_json(const struct cs_graph *g, cs_node_id root, json_t **out, struct cs_error *err);

/* How many leaf fields differ between two JSON values (bounded: a similarity measure). */
size_t diff_json_distance(json_t *old_v, json_t *new_v);

/*
 * A node's parent links sorted by parent, then input: finding the links
 * from one parent is a search, not a walk (a node can have thousands).
 */
struct parent_index {
	struct parent_ref {
		cs_node_id parent;
		uint32_t input;
		const struct cs_link *link;
	} *items;
	uint32_t count;
};

void parent_index_build(const struct cs_graph *g, cs_node_id n, struct parent_index *out);
/* The links from PARENT on INPUT: items [*LO, *HI). */
void parent_index_find(const struct parent_index *x, cs_node_id parent, uint32_t input, uint32_t *lo, uint32_t *hi);
void parent_index_free(struct parent_index *x);

static inline bool node_is_random(const struct cs_graph *g, cs_node_id n)
{
	return (g->nodes[n].flags & CS_NODE_RANDOM) != 0;
}

static inline bool node_is_root(const struct cs_graph *g, cs_node_id n)
{
	return g->nodes[n].digest != CS_DIG_NONE;
}

/* The link digest a non-root's parents share (outputKey of its op and output). */
static inline const struct cs_digest *node_op(const struct cs_graph *g, cs_node_id n)
{
	return graph_parent_count(g, n) ? graph_digest(g, graph_parent(g, n, 0)->digest) : NULL;
}

#endif
