#include "results.h"
#include "local_results.h"
#include "units.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void result_list_init(struct cs_result_list *l)
{
	memset(l, 0, sizeof(*l));
	strings_init(&l->strings);
}

void result_list_free(struct cs_result_list *l)
{
	free(l->items);
	strings_free(&l->strings);
	memset(l, 0, sizeof(*l));
}

struct cs_result_info *result_list_add(struct cs_result_list *l)
{
	XGROW(l->items, l->cap, l->count + 1);
	struct cs_result_info *r = &l->items[l->count++];
	r->id = r->description = r->record_type = r->parent = CS_STR_NONE;
	r->size = r->total_size = r->usage_count = -1;
	r->created = r->last_used = 0;
	return r;
}

static uint32_t copy_graph_text(struct cs_result_list *out, const struct cs_graph *g, uint32_t off)
{
	const char *text = strings_at(&g->strings, off);

	return text ? strings_add(&out->strings, text, strlen(text)) : CS_STR_NONE;
}

static int64_t parse_time(const struct cs_graph *g, uint32_t off)
{
	const char *text = strings_at(&g->strings, off);
	int64_t ns;

	return text && parse_rfc3339(text, strlen(text), &ns) == 0 ? ns : 0;
}

/* A layer's bytes and those of every layer below it, or -1 when one is unknown. */
static int64_t layer_chain_size(const struct cs_graph *g, uint32_t layer)
{
	int64_t total = 0;

	/* parent chains were checked for loops when the layers were read */
	for (uint32_t at = layer; at != CS_NONE; at = g->layers[at].parent) {
		if (g->layers[at].size < 0)
			return -1;
		total += g->layers[at].size;
	}
	return total;
}

/* A remote result is its top layer: what made it, how big, when. */
static void remote_result(const struct cs_graph *g, const struct cs_result *r, struct cs_result_list *out)
{
	struct cs_result_info *info = result_list_add(out);
	char text[CS_DIGEST_STRLEN + 1];

	info->created = parse_time(g, r->created_at);
	if (r->layer >= g->layer_count)
		return;
	const struct cs_layer *l = &g->layers[r->layer];
	digest_format(graph_digest(g, l->blob), text);
	info->id = strings_add(&out->strings, text, strlen(text));
	info->description = copy_graph_text(out, g, l->description);
	info->size = l->size;
	info->total_size = layer_chain_size(g, r->layer);
	if (!info->created)
		info->created = parse_time(g, l->created_at);
	if (l->parent != CS_NONE) {
		digest_format(graph_digest(g, g->layers[l->parent].blob), text);
		info->parent = strings_add(&out->strings, text, strlen(text));
	}
}

int graph_node_results(const struct cs_graph *g, cs_node_id n, struct cs_result_list *out,
		       struct cs_error *err)
{
	if (g->local_results)
		return local_results_of(g->local_results, g, n, out, err);
	for (uint32_t i = 0; i < graph_result_count(g, n); i++)
		remote_result(g, graph_result(g, n, i), out);
	return 0;
}

int graph_result_usage(const struct cs_graph *g, const struct cs_node_usage *out, struct cs_error *err)
{
	if (g->local_results)
		return local_results_usage(g->local_results, g, out, err);
	for (cs_node_id n = 0; n < g->node_count; n++) {
		int64_t size = -1, created = 0;
		if (graph_result_count(g, n)) {
			const struct cs_result *r = graph_result(g, n, 0);
			created = parse_time(g, r->created_at);
			if (r->layer < g->layer_count) {
				size = g->layers[r->layer].size;
				if (!created)
					created = parse_time(g, g->layers[r->layer].created_at);
			}
		}
		if (out->size)
			out->size[n] = size;
		if (out->created)
			out->created[n] = created;
		/* a remote cache knows when a result was made, not when it was last used: that is its last use */
		if (out->last_used)
			out->last_used[n] = created;
	}
	return 0;
}

int graph_each_description(const struct cs_graph *g, cs_description_fn fn, void *ctx, struct cs_error *err)
{
	if (g->local_results)
		return local_results_each_description(g->local_results, g, fn, ctx, err);
	for (cs_node_id n = 0; n < g->node_count; n++)
		for (uint32_t i = 0; i < graph_result_count(g, n); i++) {
			uint32_t l = graph_result(g, n, i)->layer;
			const char *text = l < g->layer_count ? strings_at(&g->strings, g->layers[l].description) : NULL;
			if (text)
				fn(ctx, n, text);
		}
	return 0;
}

const char *graph_warning(const struct cs_graph *g)
{
	return g->warning ? g->warning : local_results_warning(g->local_results);
}
