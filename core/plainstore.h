#ifndef CS_PLAINSTORE_H
#define CS_PLAINSTORE_H

#include "buf.h"
#include "bytes.h"
#include "digest.h"
#include "error.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * A place plaintexts come from: a cache-debug.db, the records embedded in a
 * debug export, or a live daemon's /debug/cache/lookup. Each answers with
 * the frame run the daemon stores ([id u32 BE][len u32 BE][data]...),
 * which plaintext.h decodes.
 */

struct cs_plainstore;

typedef int (*cs_plain_visit_fn)(void *ctx, const struct cs_digest *digest,
				 struct cs_bytes frames, struct cs_error *err);

#define CS_PLAIN_CHANGED 2

struct cs_plainstore_ops {
	/*
	 * 1 found (the frame run copied into OUT, replacing what was there),
	 * 0 absent, -1 error. A copy, because a live daemon may reuse the
	 * pages of a store we map as soon as we have read them.
	 */
	int (*lookup)(struct cs_plainstore *s, const struct cs_digest *d,
		      struct cs_buf *out, struct cs_error *err);
	/*
	 * How many entries, or -1 on error (ERR says why). A store that is
	 * fetched lazily counts what it holds so far.
	 */
	int64_t (*count)(struct cs_plainstore *s, struct cs_error *err);
	/*
	 * Starts counting on a thread of the store's own, so that count
	 * answers at once later; any other call waits for that thread. NULL
	 * when counting is cheap enough to do when asked.
	 */
	void (*count_ahead)(struct cs_plainstore *s);
	/*
	 * Starts mapping the store's pages ahead of lookups, on a thread of
	 * the store's own that lookups never wait for. NULL when a lookup
	 * costs nothing to warm.
	 */
	void (*warm_up)(struct cs_plainstore *s);
	/*
	 * Before a burst of about LOOKUPS lookups: maps the pages the page
	 * cache holds of the store, at once and on the caller's thread
	 * (page_map_resident), when that costs less than the lookups' page
	 * faults would. NULL when the store has no pages of its own.
	 */
	void (*map_resident)(struct cs_plainstore *s, uint64_t lookups);
	/*
	 * Visits every entry (for search); FRAMES is valid only during the
	 * call. 0 done, -1 error (or FN's -1), or CS_PLAIN_CHANGED: a writer
	 * changed the store while it was walked, so what was visited may be
	 * torn; the store is ready to be walked again from the start. NULL
	 * when the store cannot list.
	 */
	int (*each)(struct cs_plainstore *s, cs_plain_visit_fn fn, void *ctx,
		    struct cs_error *err);
	void (*close)(struct cs_plainstore *s);
	/*
	 * True when the store shares nothing with other stores (no
	 * connection, no progress reports): while one thread uses it, other
	 * threads may use other stores. Diff sorts A's roots beside B's.
	 */
	bool apart;
};

struct cs_plainstore {
	const struct cs_plainstore_ops *ops;
	char *name; /* for messages: a path or URL */
};

/* A cache-debug.db (bbolt, bucket "byhash"), mapped read-only. */
int plainstore_open_bolt(const char *path, struct cs_plainstore **out,
			 struct cs_error *err);

/*
 * Plaintexts carried in memory (a debug export's "debug" records). Add
 * takes the frame run by copy; the first entry for a digest wins.
 */
struct cs_plainstore *plainstore_memory_new(const char *name);
void plainstore_memory_add(struct cs_plainstore *s, const struct cs_digest *d,
			   const void *frames, size_t len);

void plainstore_close(struct cs_plainstore *s);

/*
 * Asks S to count its entries while the caller does something else (stats
 * counts cache-debug.db while cache.db loads); a no-op for stores whose
 * count is cheap.
 */
void plainstore_count_ahead(struct cs_plainstore *s);

/*
 * Asks S to get its pages ready for lookups anywhere (the browser, once
 * its first screen is up); a no-op for stores without pages of their own.
 */
void plainstore_warm_up(struct cs_plainstore *s);

/* Readies S for a burst of LOOKUPS lookups on this thread, now, if worth it; a no-op for stores without pages. */
void plainstore_map_resident(struct cs_plainstore *s, uint64_t lookups);

/*
 * An `each` for stores that index their digests and decode an entry only
 * when asked: visits every digest of INDEX with what S's lookup gives.
 */
struct cs_digests;
int plainstore_each_indexed(struct cs_plainstore *s, const struct cs_digests *index,
			    cs_plain_visit_fn fn, void *ctx, struct cs_error *err);

#endif
