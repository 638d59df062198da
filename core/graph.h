#ifndef CS_GRAPH_H
#define CS_GRAPH_H

#include "digest.h"
#include "strpool.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * The cache graph: BuildKit's util/cachestore view of any cache, the one
 * model every reader fills and every view reads.
 *
 * A node is a cache key. Roots (no inputs) carry a digest; every other key
 * is reached through links from its parents. Nodes are numbered as the
 * daemon's debug endpoints number records, with the orderings FORMATS.md
 * fixes: roots sorted by store ID, each followed depth-first by its
 * children. A node's printed ID is its index + 1.
 *
 * Storage is compact on purpose (a build farm's store has hundreds of
 * thousands of keys): digests are interned indexes, strings are offsets in
 * one arena, and the edges of node i are the ranges
 *   parent_links[nodes[i].parents .. nodes[i + 1].parents)
 *   child_links[nodes[i].children .. nodes[i + 1].children)
 *   results[nodes[i].results .. nodes[i + 1].results)
 * (nodes[] has a sentinel entry at node_count).
 */

typedef uint32_t cs_node_id; /* index in graph->nodes */
#define CS_NONE UINT32_MAX

enum {
	CS_NODE_ROOT = 1 << 0,   /* listed as a root by the store */
	CS_NODE_RANDOM = 1 << 1, /* session-bound root ("random:<hex>") */
};

struct cs_node {
	cs_dig digest;      /* roots only; CS_DIG_NONE for the rest */
	uint32_t key;       /* the store's own ID of this key (strings offset) */
	uint32_t parents;   /* start in parent_links */
	uint32_t children;  /* start in child_links */
	uint32_t results;   /* start in results */
	uint8_t flags;
};

struct cs_link {
	cs_node_id parent;
	cs_node_id child;
	uint32_t input;
	int32_t output;     /* the child op's output index */
	cs_dig digest;      /* link digest: outputKey(op digest, output) */
	cs_dig selector;    /* CS_DIG_NONE when the whole input is used */
};

/* One cached result of a key. */
struct cs_result {
	uint32_t id;          /* local store: the result (snapshot) ID; else CS_STR_NONE */
	uint32_t created_at;  /* RFC 3339 text, or CS_STR_NONE */
	uint32_t layer;       /* remote: top layer of the result's chain; else CS_NONE */
};

/* A layer blob of a remote cache (cacheconfig "layers"). */
struct cs_layer {
	cs_dig blob;
	cs_dig diff_id;       /* CS_DIG_NONE when not given */
	uint32_t media_type;  /* strings offset or CS_STR_NONE */
	uint32_t created_at;  /* strings offset or CS_STR_NONE */
	/*
	 * What made it, strings offset or CS_STR_NONE: the record description
	 * BuildKit exports as the descriptor's buildkit/description ("mount /
	 * from exec /bin/sh -c ..."), or an inline image's history created_by.
	 */
	uint32_t description;
	int64_t size;         /* -1 when not given */
	uint32_t parent;      /* index of the layer below, CS_NONE for a base */
};

/* Wall-clock time of each load phase, for `cachescope stats`. */
#define CS_MAX_PHASES 12
struct cs_phase {
	const char *name;
	double seconds;
};

struct cs_plainstore;
struct cs_discovery;
struct cs_local_results;

#define CS_MAX_PLAINSTORES 4

struct cs_graph {
	char *origin;          /* the SOURCE as the user wrote it */
	struct cs_discovery *found; /* no SOURCE named: every daemon root found (origin is the newest) */
	const char *kind;      /* "local store", "cache config", "debug export (JSON)", ... */

	struct cs_digests digests;
	struct cs_strings strings;

	struct cs_node *nodes; /* node_count + 1 entries */
	uint32_t node_count;
	uint32_t root_count;

	struct cs_link *links;
	uint32_t link_count;
	uint32_t *parent_links; /* link indexes: by child, then input, link digest, load order */
	uint32_t *child_links;  /* link indexes: by parent, then output, child */

	struct cs_result *results;
	uint32_t result_count;
	bool results_skipped;  /* a local store's _result was not read (local_results reads it when asked) */
	/* a local store's results, joined to its workers' metadata_v2.db when asked; NULL for other sources */
	struct cs_local_results *local_results;
	struct cs_layer *layers;
	uint32_t layer_count;

	/* where plaintexts come from, asked in order; the graph owns them */
	struct cs_plainstore *plain[CS_MAX_PLAINSTORES];
	int plain_count;

	/* a sidecar found beside the source that could not be used (results.h: graph_warning) */
	char *warning;

	/*
	 * The first rows of a local store, drawn before the rest is loaded
	 * (store_prefix.h): node_count rows with their final IDs, then
	 * stub_count keys they link to whose IDs are not known yet (graph_id 0).
	 */
	bool partial;
	uint32_t stub_count;

	/* a part of another graph (graph_subset.h): its stores are that graph's, its IDs too */
	bool borrowed;
	uint32_t *ids;          /* per node, the ID it prints as; NULL: its index + 1 */

	struct cs_phase phases[CS_MAX_PHASES];
	int phase_count;

	/* resources a reader keeps alive for the graph's lifetime (mappings) */
	void (*release)(void *ctx);
	void *release_ctx;
};

struct cs_graph *graph_new(const char *origin, const char *kind);
void graph_free(struct cs_graph *g);

/* Records how long a load phase took (seconds since START, a cs_now()). */
void graph_phase(struct cs_graph *g, const char *name, double start);
double cs_now(void);

/*
 * Gives back what loading no longer needs: the slack of arrays that grew
 * by doubling. A graph lives as long as the browser; its memory should be
 * the nodes', nothing more (the browser returns the heap the builder
 * freed to the system, once loading is over).
 */
void graph_compact(struct cs_graph *g);
/* Gets the plaintext stores ready for lookups anywhere (plainstore_warm_up), for browsing. */
void graph_warm_up(struct cs_graph *g);

/* Adds a plaintext store (the graph takes ownership). */
void graph_add_plainstore(struct cs_graph *g, struct cs_plainstore *store);

static inline const struct cs_node *graph_node(const struct cs_graph *g, cs_node_id n)
{
	return &g->nodes[n];
}

static inline uint32_t graph_parent_count(const struct cs_graph *g, cs_node_id n)
{
	return g->nodes[n + 1].parents - g->nodes[n].parents;
}

static inline const struct cs_link *graph_parent(const struct cs_graph *g, cs_node_id n, uint32_t i)
{
	return &g->links[g->parent_links[g->nodes[n].parents + i]];
}

static inline uint32_t graph_child_count(const struct cs_graph *g, cs_node_id n)
{
	return g->nodes[n + 1].children - g->nodes[n].children;
}

static inline const struct cs_link *graph_child(const struct cs_graph *g, cs_node_id n, uint32_t i)
{
	return &g->links[g->child_links[g->nodes[n].children + i]];
}

static inline uint32_t graph_result_count(const struct cs_graph *g, cs_node_id n)
{
	return g->nodes[n + 1].results - g->nodes[n].results;
}

static inline const struct cs_result *graph_result(const struct cs_graph *g, cs_node_id n, uint32_t i)
{
	return &g->results[g->nodes[n].results + i];
}

static inline const char *graph_key(const struct cs_graph *g, cs_node_id n)
{
	return strings_at(&g->strings, g->nodes[n].key);
}

static inline const struct cs_digest *graph_digest(const struct cs_graph *g, cs_dig d)
{
	return d == CS_DIG_NONE ? NULL : digests_at(&g->digests, d);
}

/* Distinct children of N on one output, by ID: fills OUT, returns how many. */
uint32_t graph_children_on_output(const struct cs_graph *g, cs_node_id n,
				  int32_t output, cs_node_id *out, uint32_t cap);

/*
 * The digests whose plaintexts a node shows, in the daemon's order: its own
 * digest, then for each parent (sorted by input, then link digest) the link
 * digest and the selector, each once. Returns how many (at most CAP).
 */
uint32_t graph_plaintext_digests(const struct cs_graph *g, cs_node_id n,
				 cs_dig *out, uint32_t cap);

/*
 * The ID node N prints as: its index + 1, or its ID in the graph it is a
 * part of; 0 for a key a partial graph only links to (not numbered yet).
 */
static inline uint32_t graph_id(const struct cs_graph *g, cs_node_id n)
{
	if (n >= g->node_count)
		return 0;
	return g->ids ? g->ids[n] : n + 1;
}

/* The node printed as ID (1-based), or CS_NONE. */
cs_node_id graph_find_id(const struct cs_graph *g, uint64_t id);

#endif
