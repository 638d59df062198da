#ifndef CS_REMOTE_H
#define CS_REMOTE_H

#include "bytes.h"
#include "error.h"
#include "graph.h"
#include "http.h"
#include "source.h"

#include <stdbool.h>

/*
 * Sources fetched over the network: registries (registry.c) and live
 * daemons' debug endpoints (read_daemon.c), as source.c dispatches them.
 */

/* The HTTP settings the user gave: --cacert, --plain-http, --timeout, --max-size, progress. */
void remote_http_config(const struct cs_load_options *opt, struct cs_http_config *out);

/* type=registry,ref=REF: the cache in a registry. */
int read_registry(struct cs_graph *g, const char *ref, const struct cs_load_options *opt,
		  struct cs_error *err);

/* Is SOURCE a daemon's debug address: http://, https://, tcp:// or unix:// ? */
bool daemon_is_address(const char *source);

/*
 * A live daemon (`buildkitd --debugaddr`): its /debug/cache/store, JSON,
 * plaintexts included when it saves them.
 */
int read_daemon(struct cs_graph *g, const char *addr, const struct cs_load_options *opt,
		struct cs_error *err);

/*
 * --addr ADDR with any other source: plaintexts from that daemon. With
 * CACHECONFIG (a cache config's bytes) they come in one POST to
 * /debug/cache/load; any digest still unknown, or every digest of a
 * source without a config (a local store without cache-debug.db, an
 * inline cache), is asked of /debug/cache/lookup when needed.
 */
int daemon_add_plaintexts(struct cs_graph *g, const char *addr, const struct cs_load_options *opt,
			  struct cs_bytes cacheconfig, struct cs_error *err);

#endif
