#ifndef CS_SOURCE_H
#define CS_SOURCE_H

#include "error.h"
#include "graph.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * A SOURCE as the user names it, turned into a graph. What a source is
 * comes from its content, never its file name:
 *
 *   DIR with cache.db          a daemon root (cache-debug.db beside it adds plaintexts)
 *   DIR with index.json        an OCI image layout (--cache-to type=local)
 *   type=local,src=DIR,...     the same, in --cache-from syntax
 *   a bbolt file               a cache.db
 *   a file starting [ or ID:   a /debug/cache/store or /debug/cache/load answer
 *   a file starting {          a remote cache config, or an image config with
 *                              an inline cache (read_json_object decides)
 *   a tar archive              `docker save` output (manifest.json, or an OCI layout)
 *   -                          any of the file forms, from standard input
 *   type=registry,ref=REF      a cache in a registry (core/registry.h)
 *   http://, tcp://, unix://   a live daemon's --debugaddr (/debug/cache/store)
 *   (nothing)                  this host's newest daemon root (discover.h)
 */

struct cs_progress;

struct cs_load_options {
	const char *debug_db; /* --debug-db FILE: plaintexts for any source */
	const char *metadata; /* --metadata FILE: a worker's metadata_v2.db for a local store */
	/* network sources (core/remote.h) */
	const char *cacert;   /* --cacert FILE: the CAs to trust instead of the system's */
	bool plain_http;      /* --plain-http: allow http:// to hosts other than this one */
	int64_t max_size;     /* --max-size BYTES: largest manifest or config; 0 = default */
	double timeout;       /* --timeout SECONDS: per request, retries included; 0 = default */
	const char *addr;     /* --addr URL: a daemon that resolves plaintexts for any source */
	struct cs_progress *progress; /* where slow fetches report, or NULL */
	bool count_plaintexts; /* stats: count plaintext stores while the graph loads */
	/*
	 * A local store's results carry no layers: only stats shows them (a
	 * count). Reading them walks _result, a fifth of the load at 100k
	 * keys, so the browser and diff skip it. Other sources' results hold
	 * their layers and are always read.
	 */
	bool skip_local_results;
	/* stats: a local store's records are counted, not numbered nor sorted (cs_store_read) */
	bool counts_only;
	/* another thread's view of a local store's load (load_watch.h), or NULL */
	struct cs_load_watch *watch;
};

int source_load(const char *source, const struct cs_load_options *opt,
		struct cs_graph **out, struct cs_error *err);

/*
 * Loads two sources at once, each on its own thread (diff reads two big
 * stores; with two cores that costs one load, not two). On failure both
 * are freed and ERR names the one that failed.
 */
int source_load_pair(const char *a, const char *b, const struct cs_load_options *opt,
		     struct cs_graph **out_a, struct cs_graph **out_b, struct cs_error *err);

/*
 * For the browser: a big local store (a cache.db of 4 MiB or more) opens
 * with its first ROWS rows in *OUT, a partial graph (store_prefix.h),
 * and the whole store is to load on a thread of its own, *PENDING, from
 * pending_start on (the browser starts it once the first screen is drawn:
 * on two cores its two threads would only slow that screen). Any other
 * source, or a store no prefix can be drawn from, loads whole as
 * source_load does, and *PENDING is NULL. No SOURCE is this host's newest
 * daemon root, as for source_load (*OUT keeps what discovery found).
 */
struct cs_pending;
int source_load_early(const char *source, const struct cs_load_options *opt, uint32_t rows,
		      struct cs_graph **out, struct cs_pending **pending, struct cs_error *err);
/* The prefix alone, whatever the store's size: 1 with *OUT, 0 when none can be drawn (tests). */
int source_load_prefix(const char *source, const struct cs_load_options *opt, uint32_t rows,
		       struct cs_graph **out, struct cs_error *err);
/* Starts the whole load (once; without a thread, it runs now). */
void pending_start(struct cs_pending *p);
/* Keys of cache.db read so far by the whole load. */
uint64_t pending_keys_read(const struct cs_pending *p);
/* Has the whole load ended (loaded or failed)? Does not wait. */
bool pending_done(const struct cs_pending *p);
/* Waits for the whole load (started if it was not) and frees P: 0 with *OUT, or -1 with ERR. */
int pending_finish(struct cs_pending *p, struct cs_graph **out, struct cs_error *err);
/* Stops the whole load, waits for its thread and frees P. */
void pending_cancel(struct cs_pending *p);

#endif
