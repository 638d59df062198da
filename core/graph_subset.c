/*
 * Part of a graph as a graph of its own: `why` splits one store into the
 * builds before the latest and the latest, and compares them with diff's
 * engine as if they were two caches. The part shares its whole's
 * plaintext stores and results (it borrows them: the whole must outlive
 * it), keeps its digests' and strings' indexes (both are copied as they
 * are), and prints its nodes with the IDs they have in the whole.
 */
#include "graph_build.h"
#include "graph_subset.h"
#include "strindex.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The same digests at the same indexes: interning them in order gives each its old index. */
static void copy_digests(struct cs_graph *s, const struct cs_graph *g)
{
	for (uint32_t d = 0; d < g->digests.count; d++)
		digests_intern(&s->digests, digests_at(&g->digests, d));
}

/* The same strings at the same offsets: the arena in one piece (its NULs included). */
static void copy_strings(struct cs_graph *s, const struct cs_graph *g)
{
	if (g->strings.len)
		strings_add(&s->strings, g->strings.data, g->strings.len - 1);
}

static void borrow(struct cs_graph *s, const struct cs_graph *g)
{
	s->borrowed = true;
	for (int i = 0; i < g->plain_count; i++)
		s->plain[i] = g->plain[i];
	s->plain_count = g->plain_count;
	s->local_results = g->local_results;
	s->results_skipped = g->results_skipped;
	if (g->layer_count) {
		s->layers = xmalloc(g->layer_count * sizeof(*s->layers));
		memcpy(s->layers, g->layers, g->layer_count * sizeof(*s->layers));
		s->layer_count = g->layer_count;
	}
}

/* Each node of S, by the ID its key has in G. */
static void name_nodes(struct cs_graph *s, const struct cs_graph *g, const uint8_t *keep)
{
	struct str_index by_key;

	str_index_init(&by_key, g->node_count);
	for (cs_node_id n = 0; n < g->node_count; n++)
		if (keep[n])
			str_index_add(&by_key, graph_key(g, n), strlen(graph_key(g, n)), n);
	s->ids = xmalloc((s->node_count ? s->node_count : 1) * sizeof(*s->ids));
	for (cs_node_id m = 0; m < s->node_count; m++)
		s->ids[m] = graph_id(g, str_index_get(&by_key, graph_key(s, m), strlen(graph_key(s, m))));
	str_index_free(&by_key);
}

int graph_subset(const struct cs_graph *g, const uint8_t *keep, const char *origin, struct cs_graph **out,
		 struct cs_error *err)
{
	struct cs_graph *s = graph_new(origin, g->kind);
	struct cs_builder *b;
	uint32_t *node = xmalloc((g->node_count ? g->node_count : 1) * sizeof(*node));
	int rc;

	copy_digests(s, g);
	copy_strings(s, g);
	borrow(s, g);
	b = builder_new(s, CS_ORDER_AS_ADDED);
	for (cs_node_id n = 0; n < g->node_count; n++) {
		const struct cs_node *x = graph_node(g, n);
		node[n] = CS_NONE;
		if (!keep[n])
			continue;
		node[n] = builder_node(b, graph_key(g, n), strlen(graph_key(g, n)));
		if (x->flags & CS_NODE_ROOT)
			builder_root(b, node[n], x->digest, x->flags & CS_NODE_RANDOM);
		for (uint32_t i = 0; i < graph_result_count(g, n); i++) {
			const struct cs_result *r = graph_result(g, n, i);
			builder_result(b, node[n], r->id, r->created_at, r->layer);
		}
	}
	/* parents in the order the whole lists them, which is the order the builder keeps */
	for (cs_node_id n = 0; n < g->node_count; n++)
		for (uint32_t i = 0; keep[n] && i < graph_parent_count(g, n); i++) {
			const struct cs_link *l = graph_parent(g, n, i);
			if (keep[l->parent])
				builder_link(b, node[l->parent], node[n], l->input, l->output, l->digest, l->selector);
		}
	rc = builder_finish(b, err);
	builder_free(b);
	free(node);
	if (rc < 0) {
		graph_free(s);
		return -1;
	}
	name_nodes(s, g, keep);
	*out = s;
	return 0;
}
