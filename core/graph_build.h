#ifndef CS_GRAPH_BUILD_H
#define CS_GRAPH_BUILD_H

#include "error.h"
#include "graph.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * How readers fill a graph: they name nodes by the store's own IDs, add
 * links in the order the store walks them, and finish; the builder then
 * does what util/cachestore does with any store — drop what no root
 * reaches, refuse cycles, number the records and sort every list — so each
 * reader only has to speak its format.
 */

struct cs_builder;

enum cs_link_order {
	/*
	 * Links were added in the store's walk order (per parent: bolt key
	 * order, or cache config record order). The builder replays the
	 * daemon's depth-first load to learn the order in which each child
	 * met its parents, which breaks ties among equal parents.
	 */
	CS_ORDER_STORE_WALK,
	/* Links were added in the order parents are already listed (exports). */
	CS_ORDER_AS_ADDED,
};

/*
 * The order every list of the load is sorted by, and the prefix reader
 * (store_prefix.c) with it, so that the IDs it gives are the load's: no
 * digest first (as "" sorts before any digest string), then by digest.
 */
int graph_digest_order(const struct cs_graph *g, cs_dig x, cs_dig y);

struct cs_builder *builder_new(struct cs_graph *g, enum cs_link_order order);
/* Frees the builder (after builder_finish, or to abandon a load). */
void builder_free(struct cs_builder *b);

/* The node with store ID KEY, created on first mention. */
uint32_t builder_node(struct cs_builder *b, const char *key, size_t key_len);
/* Like builder_node but never creates: CS_NONE when KEY is unknown. */
uint32_t builder_find(const struct cs_builder *b, const char *key, size_t key_len);
/*
 * The same with KEY's hash given, so a reader can hash IDs on another
 * thread; HASH must be builder_key_hash(KEY).
 */
uint64_t builder_key_hash(const char *key, size_t key_len);
uint32_t builder_node_hashed(struct cs_builder *b, const char *key, size_t key_len, uint64_t hash);
uint32_t builder_find_hashed(const struct cs_builder *b, const char *key, size_t key_len,
			     uint64_t hash);
/* Marks a node as a root with its digest (random: session-bound). */
void builder_root(struct cs_builder *b, uint32_t node, cs_dig digest, bool random);
void builder_link(struct cs_builder *b, uint32_t parent, uint32_t child,
		  uint32_t input, int32_t output, cs_dig digest, cs_dig selector);
void builder_result(struct cs_builder *b, uint32_t node, uint32_t id,
		    uint32_t created_at, uint32_t layer);

uint32_t builder_node_count(const struct cs_builder *b);

/*
 * Orders and numbers everything into the graph. Fails on a cycle
 * ("circular dependency at ...", as the daemon does).
 */
int builder_finish(struct cs_builder *b, struct cs_error *err);
/*
 * The same records, links and results, and the same refusals, but in the
 * order the reader gave them, with no list sorted: for what only counts
 * (stats), which needs no IDs. A fifth of a load at 100k keys.
 */
int builder_finish_unordered(struct cs_builder *b, struct cs_error *err);

#endif
