#ifndef CS_CACHECONFIG_H
#define CS_CACHECONFIG_H

#include "error.h"
#include "graph.h"

#include <jansson.h>

/*
 * The parts of a remote cache config (cache/remotecache/v1/spec.go) that
 * both its readers share: the config itself, and the inline cache an image
 * config carries, whose records index the image's own layers.
 */

/* Fills g->layers from a config's "layers" array; checks parents and their chains. */
int cacheconfig_read_layers(struct cs_graph *g, const char *name, json_t *layers,
			    struct cs_error *err);

/*
 * Builds the graph from a "records" array, as the daemon's remote key
 * storage shows it: roots (no inputs) named by digest, the rest by index;
 * links in record order. A link out of range, a loop, an empty input, a
 * record without a digest, or a result beyond g->layers is an error.
 */
int cacheconfig_read_records(struct cs_graph *g, const char *name, json_t *records,
			     struct cs_error *err);

/*
 * A parsed cache config: what read_cacheconfig does once the JSON is
 * parsed (an object with "layers" and "records"; an OCI index or manifest,
 * or an object with neither, is refused). Sets g->kind when unset.
 */
int cacheconfig_read_object(struct cs_graph *g, const char *name, json_t *root,
			    struct cs_error *err);

/* Parses JSON with jansson's limits, naming the position on failure. */
json_t *cacheconfig_parse_json(const char *name, const void *data, size_t len,
			       struct cs_error *err);

#endif
