#ifndef CS_STORE_PREFIX_H
#define CS_STORE_PREFIX_H

#include "graph.h"

#include <stdint.h>

/*
 * The first rows of a daemon's cache.db without loading it: the records
 * the whole load would number first, numbered the same, read by lookups.
 * cache.db's keys are sorted, so the lowest root is a seek away, a key's
 * links are its own bucket (_links/<id>) and its parents are named by
 * _backlinks/<id>: a screenful costs a few hundred lookups, whatever the
 * store's size.
 *
 * The prefix is a graph whose node_count rows are final: the same IDs,
 * keys, digests, links, inputs and children counts as the whole load's
 * first rows. Past them (indexes node_count .. node_count + stub_count)
 * are the keys those rows link to that come later: their IDs are not
 * known (graph_id gives 0) and they have no links of their own. The
 * Parents of a row that tie (same input and link digest) may be listed in
 * another order than the whole load's, which breaks such ties by the
 * order the daemon met them.
 */

/*
 * Reads up to ROWS rows of the cache.db at PATH into G (fresh, from
 * graph_new). 1 when G holds at least one row; 0 when no prefix can be
 * drawn (no _backlinks, a store that changes under us, anything the whole
 * load would refuse, a row whose parents would take too long to find):
 * then the caller loads the whole store, which says what is wrong.
 */
int store_prefix_read(struct cs_graph *g, const char *path, uint32_t rows);

#endif
