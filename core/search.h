#ifndef CS_SEARCH_H
#define CS_SEARCH_H

#include "error.h"
#include "graph.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Finding nodes. `:` goes to a printed ID or a digest prefix; `/` finds
 * nodes whose digests or plaintexts contain some text. A text search reads
 * every plaintext once (a build farm's store has hundreds of thousands),
 * marks the ones that contain the text and, through the digests each
 * mentions, the records that contain those; then any node whose own,
 * link or selector digest is marked matches. The pass polls a callback so
 * a person can cancel it. Once it is done, only one byte per node is kept.
 */

/*
 * ID ("42", "#42") or digest prefix ("sha256:ab12", "ab12", "random:ab12"):
 * a node whose own digest starts so, else the child of a link whose digest
 * does; CS_NONE if nothing matches.
 */
cs_node_id search_goto(const struct cs_graph *g, const char *text);

struct cs_search;

/* A query without capitals ignores case (smart case, as in vi and less). */
struct cs_search *search_new(const struct cs_graph *g, const char *query);
void search_free(struct cs_search *s);

/*
 * Reads every plaintext. POLL (may be NULL) is called every few thousand
 * entries and returns true to cancel; then this returns 1. 0 done, -1 on a
 * store error.
 */
int search_run(struct cs_search *s, bool (*poll)(void *ctx), void *ctx, struct cs_error *err);

/* How far a running search is: entries read, and of how many (0: unknown). */
void search_progress(const struct cs_search *s, uint64_t *done, uint64_t *total);

/* The next match after FROM going forward (or before it going back), wrapping; CS_NONE if none. */
cs_node_id search_next(const struct cs_search *s, cs_node_id from, bool forward);
uint32_t search_match_count(const struct cs_search *s);
bool search_matches(const struct cs_search *s, cs_node_id n);
const char *search_query(const struct cs_search *s);
const struct cs_graph *search_graph(const struct cs_search *s);

#endif
