#include "graph.h"
#include "discover.h"
#include "local_results.h"
#include "plainstore.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cs_graph *graph_new(const char *origin, const char *kind)
{
	struct cs_graph *g = xcalloc(1, sizeof(*g));

	g->origin = xstrdup(origin ? origin : "");
	g->kind = kind;
	digests_init(&g->digests);
	strings_init(&g->strings);
	/* an empty graph is still well-formed: one sentinel node */
	g->nodes = xcalloc(1, sizeof(*g->nodes));
	return g;
}

void graph_free(struct cs_graph *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->plain_count && !g->borrowed; i++)
		plainstore_close(g->plain[i]);
	if (g->release)
		g->release(g->release_ctx);
	if (!g->borrowed)
		local_results_free(g->local_results);
	free(g->ids);
	free(g->warning);
	free(g->origin);
	if (g->found)
		discovery_free(g->found);
	free(g->found);
	digests_free(&g->digests);
	strings_free(&g->strings);
	free(g->nodes);
	free(g->links);
	free(g->parent_links);
	free(g->child_links);
	free(g->results);
	free(g->layers);
	free(g);
}

double cs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void graph_phase(struct cs_graph *g, const char *name, double start)
{
	if (g->phase_count == CS_MAX_PHASES)
		return;
	g->phases[g->phase_count].name = name;
	g->phases[g->phase_count].seconds = cs_now() - start;
	g->phase_count++;
}

void graph_add_plainstore(struct cs_graph *g, struct cs_plainstore *store)
{
	if (g->plain_count == CS_MAX_PLAINSTORES) {
		plainstore_close(store);
		return;
	}
	g->plain[g->plain_count++] = store;
}

uint32_t graph_children_on_output(const struct cs_graph *g, cs_node_id n,
				  int32_t output, cs_node_id *out, uint32_t cap)
{
	uint32_t count = 0;
	cs_node_id last = CS_NONE;

	/* child_links are sorted by output then child, so repeats are adjacent */
	for (uint32_t i = 0; i < graph_child_count(g, n); i++) {
		const struct cs_link *l = graph_child(g, n, i);
		if (l->output != output || l->child == last)
			continue;
		last = l->child;
		if (count < cap)
			out[count] = l->child;
		count++;
	}
	return count;
}

static bool seen_digest(const cs_dig *list, uint32_t count, cs_dig d)
{
	for (uint32_t i = 0; i < count; i++)
		if (list[i] == d)
			return true;
	return false;
}

static void add_unique(cs_dig *out, uint32_t *count, uint32_t cap, cs_dig d)
{
	if (d == CS_DIG_NONE || *count >= cap || seen_digest(out, *count, d))
		return;
	out[(*count)++] = d;
}

uint32_t graph_plaintext_digests(const struct cs_graph *g, cs_node_id n,
				 cs_dig *out, uint32_t cap)
{
	uint32_t count = 0;

	add_unique(out, &count, cap, g->nodes[n].digest);
	for (uint32_t i = 0; i < graph_parent_count(g, n); i++) {
		const struct cs_link *l = graph_parent(g, n, i);
		add_unique(out, &count, cap, l->digest);
		add_unique(out, &count, cap, l->selector);
	}
	return count;
}

cs_node_id graph_find_id(const struct cs_graph *g, uint64_t id)
{
	if (g->ids) {
		for (cs_node_id n = 0; n < g->node_count; n++)
			if (g->ids[n] == id)
				return n;
		return CS_NONE;
	}
	if (id == 0 || id > g->node_count)
		return CS_NONE;
	return (cs_node_id)(id - 1);
}

void graph_warm_up(struct cs_graph *g)
{
	for (int i = 0; i < g->plain_count; i++)
		plainstore_warm_up(g->plain[i]);
}

void graph_compact(struct cs_graph *g)
{
	if (g->strings.len && g->strings.cap > g->strings.len) {
		g->strings.data = xrealloc(g->strings.data, g->strings.len);
		g->strings.cap = g->strings.len;
	}
	if (g->digests.count && g->digests.cap > g->digests.count) {
		g->digests.items = xreallocarray(g->digests.items, g->digests.count, sizeof(*g->digests.items));
		g->digests.cap = g->digests.count;
	}
}
