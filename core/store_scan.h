#ifndef CS_STORE_SCAN_H
#define CS_STORE_SCAN_H

#include "bolt.h"
#include "bytes.h"
#include "digest.h"
#include "error.h"
#include "load_watch.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * The reading half of loading a cache.db (core/read_bolt_store.c is the
 * building half): walks one snapshot's _links and _result buckets and
 * turns every entry into a record — IDs as slices of the mapped file,
 * already hashed, digests decoded, JSON parsed and checked. It runs on a
 * thread of its own and hands records over in blocks, so the bbolt walk
 * and the parsing overlap with building the graph from the block before.
 */

enum scan_kind {
	SCAN_KEY,        /* _links/<id>: the links that follow are ID's */
	SCAN_LINK,       /* _links/<id>/<json>@<target>: ID is the target's */
	SCAN_RESULTS_OF, /* _result/<id>: the results that follow are ID's */
	SCAN_RESULT,     /* _result/<id>/<result>: ID is the result's */
};

struct scan_record {
	uint8_t kind;            /* enum scan_kind */
	bool root, random;       /* KEY: a sha256: or random: root */
	bool has_selector;       /* LINK */
	bool has_created;        /* RESULT */
	uint32_t input;          /* LINK */
	int32_t output;          /* LINK */
	uint64_t id_hash;        /* KEY, LINK, RESULTS_OF: builder_key_hash(id) */
	struct cs_bytes id;
	struct cs_bytes created; /* RESULT: CreatedAt */
	/* KEY: the root's digest; LINK: the link's, outputKey(op digest, output) */
	struct cs_digest digest;
	struct cs_digest selector;
};

#define SCAN_BLOCK_RECORDS 512

struct scan_block {
	uint32_t count;
	struct scan_record records[SCAN_BLOCK_RECORDS];
};

/* Called on the caller's thread with each block, in walk order. */
typedef void (*scan_take_fn)(void *ctx, const struct scan_block *block);

/*
 * Walks LINKS (and RESULTS, when not NULL) of FILE, giving TAKE every
 * record in the order the daemon's own walk meets them. The caller's
 * thread only takes blocks; FILE belongs to the walking thread until
 * this returns. WATCH (or NULL) counts the keys read, and its cancel
 * stops the walk with an error. Without LINK_DIGESTS, links are checked
 * but their digest (an outputKey, a SHA-256 each) is not computed. 0, or -1 with ERR saying which entry is wrong: some
 * records before it may have been taken, and the load is to be thrown
 * away.
 */
int store_scan(struct bolt_file *file, const struct bolt_bucket *links,
	       const struct bolt_bucket *results, bool link_digests, scan_take_fn take, void *ctx,
	       struct cs_load_watch *watch, struct cs_error *err);

/*
 * Whether the bucket _links/ID is a root: 1 (its DIGEST filled; RANDOM for
 * a session-bound one), 0 not, -1 named as a root but not a sha256 digest
 * (the load fails on it).
 */
int scan_root_id(struct cs_bytes id, bool *random, struct cs_digest *digest);

/*
 * A link, the key ITEM of _links/<id> (not a bucket), into REC (its
 * digest only with DIGEST): 0, or -1 with ERR saying what is wrong with it.
 */
int scan_link(const struct bolt_item *item, struct scan_record *rec, bool digest, struct cs_error *err);

/*
 * A _result entry (ITEM, in _result/<key>): the result's ID (the entry's
 * key when the value names none) and CreatedAt. 1 with a time, 0 without,
 * -1 when the value is not the JSON object the daemon writes.
 */
int scan_result_value(const struct bolt_item *item, struct cs_bytes *id, struct cs_bytes *created,
		      struct cs_error *err);

#endif
