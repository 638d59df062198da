#ifndef CS_SEARCH_H
#define CS_SEARCH_H

#include "error.h"
#include "graph.h"

#include <stdbool.h>

/*
 * Finding nodes. `:` goes to a printed ID or a digest prefix; `/` finds
 * nodes whose digests or plaintexts contain some text. A text search reads
 * every plaintext once (a build farm's store has hundreds of thousands),
 * marks the ones that contain the text and, through the digests each
 * mentions, the records that contain those; then any node whose own,
 * link or selector digest is marked matches. The pass polls a callback so
 * a person can cancel it.
 */

/* ID ("42", "#42") or digest prefix ("sha256:ab12", "ab12"); CS_NONE if nothing matches. */
cs_node_id search_goto(const struct cs_graph *g, const char *text);

struct cs_search;

struct cs_search *search_new(const struct cs_graph *g, const char *query);
void search_free(struct cs_search *s);

/* POLL returns true to cancel; then this returns 1. 0 done, -1 store error. */
int search_run(struct cs_search *s, bool (*poll)(void *ctx), void *ctx, struct cs_error *err);

/* The next match after FROM going forward (or before it going back), wrapping; CS_NONE if none. */
cs_node_id search_next(const struct cs_search *s, cs_node_id from, bool forward);
uint32_t search_match_count(const struct cs_search *s);
bool search_matches(const struct cs_search *s, cs_node_id n);
const char *search_query(const struct cs_search *s);
const struct cs_graph *search_graph(const struct cs_search *s);

#endif
