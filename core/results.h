#ifndef CS_RESULTS_H
#define CS_RESULTS_H

#include "error.h"
#include "graph.h"
#include "strpool.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * What a key's cached results are, whatever the source keeps: a local
 * store's _result joined to its worker's metadata_v2.db
 * (local_results.h), or a remote cache's layers, described by the
 * buildkit/description annotation BuildKit exports or by an inline
 * image's history. This is what a cache says about itself when no
 * cache-debug.db kept the plaintexts: most daemons run without one.
 */

struct cs_result_info {
	/* offsets in the list's strings, CS_STR_NONE when unknown */
	uint32_t id;            /* "moby::<record>" (local), or the layer's blob digest */
	uint32_t description;   /* "mount / from exec /bin/sh -c ...", "RUN ... # buildkit" */
	uint32_t record_type;   /* local: "regular", "source.local", ...; remote: none */
	uint32_t parent;        /* the record or layer below it */
	int64_t size;           /* its own bytes (snapshot.size, layer size); -1 unknown */
	int64_t total_size;     /* with every record or layer below it; -1 unknown */
	int64_t created;        /* Unix ns; 0 unknown */
	int64_t last_used;      /* Unix ns; 0 unknown */
	int64_t usage_count;    /* -1 unknown */
};

struct cs_result_list {
	struct cs_result_info *items;
	size_t count, cap;
	struct cs_strings strings;
	/* set by the caller: leave total_size unknown (the records below are not read) */
	bool skip_totals;
};

void result_list_init(struct cs_result_list *l);
void result_list_free(struct cs_result_list *l);
/* Appends an entry with everything unknown; returns it. */
struct cs_result_info *result_list_add(struct cs_result_list *l);

static inline const char *result_text(const struct cs_result_list *l, uint32_t off)
{
	return strings_at(&l->strings, off);
}

/*
 * Node N's results, appended to OUT. 0 (none is fine), or -1 when the
 * store the graph was loaded from cannot be read any more; a damaged
 * sidecar (metadata_v2.db) is not an error: the results come without
 * what it would have said, and graph_warning says why.
 */
int graph_node_results(const struct cs_graph *g, cs_node_id n, struct cs_result_list *out,
		       struct cs_error *err);

/*
 * Per node, its first result's figures, each an array of node_count (or
 * NULL when not wanted): its own size (-1 unknown), when it was made and
 * when last used (Unix ns, 0 unknown). One pass over the store: what
 * sorting the table and finding the latest build need.
 */
struct cs_node_usage {
	int64_t *size;
	int64_t *created;
	int64_t *last_used;
};
int graph_result_usage(const struct cs_graph *g, const struct cs_node_usage *out, struct cs_error *err);

/*
 * Calls FN with the description of every result of every node (search: `/`
 * finds what a step was made by, even without plaintexts), in one pass
 * over the store.
 */
typedef void (*cs_description_fn)(void *ctx, cs_node_id n, const char *text);
int graph_each_description(const struct cs_graph *g, cs_description_fn fn, void *ctx, struct cs_error *err);

/* A sidecar found beside the source that could not be used, in one line; NULL when all is well. */
const char *graph_warning(const struct cs_graph *g);

#endif
