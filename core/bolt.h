#ifndef CS_BOLT_H
#define CS_BOLT_H

#include "bytes.h"
#include "error.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * A read-only reader of bbolt files (go.etcd.io/bbolt), the format of the
 * daemon's cache.db and cache-debug.db. No C library reads it, so this one
 * is ours. It is built for a file that a live daemon keeps writing:
 *
 *  - it maps the file read-only (MAP_SHARED, PROT_READ) and never takes the
 *    flock bbolt writers hold, so the daemon is never blocked;
 *  - every number read from the file is bounded (by the page, the file and
 *    the meta's high-water mark) before it is used, a page is checked to
 *    carry its own id and the flags the walk expects, and a page reached
 *    twice in one walk is reported as a cycle;
 *  - the meta is chosen as bbolt does (the valid one with the higher txid,
 *    else the other), and bolt_snapshot_intact() tells whether a writer has
 *    since committed far enough to have reused our snapshot's pages, so the
 *    caller can retry from the metas.
 */

struct bolt_file {
	char *name;              /* for messages */
	int fd;                  /* -1 when reading memory */
	const unsigned char *map;
	size_t size;             /* bytes mapped */
	bool owns_map;           /* munmap on close */
	uint32_t page_size;
	uint64_t root_page;      /* the root bucket's root page */
	uint64_t high_water;     /* meta pgid: pages at or above it are not in use */
	uint64_t txid;
	int meta_used;           /* 0 or 1 */
	/* walk bookkeeping: a page stamped with the current walk is a cycle */
	uint32_t *page_stamp;
	uint64_t page_stamp_count;
	uint32_t walk;
};

/* A bucket: a root page id, or (root 0) an inline page inside a value. */
struct bolt_bucket {
	uint64_t root;
	struct cs_bytes inline_page;
};

struct bolt_item {
	struct cs_bytes key;
	struct cs_bytes value;   /* for a bucket: its 16-byte header (+ inline page) */
	bool is_bucket;
	struct bolt_bucket bucket; /* valid when is_bucket */
};

/*
 * Opens PATH read-only and chooses a meta. Fails with a one-line reason
 * ("PATH: not a bbolt file", "PATH: both meta pages are invalid", ...),
 * leaving F closed: calling bolt_close on it then is harmless.
 */
int bolt_open(struct bolt_file *f, const char *path, struct cs_error *err);
/* The same over bytes in memory (standard input, fuzzing); DATA must outlive F. */
int bolt_open_memory(struct bolt_file *f, const void *data, size_t len,
		     const char *name, struct cs_error *err);
void bolt_close(struct bolt_file *f);

/*
 * After reading: 1 if no writer can have overwritten the pages of the
 * snapshot we read, 0 if the caller should reopen and read again. Only a
 * snapshot that is still the newest is safe: the pages of snapshot S are
 * freed by transaction S+1 and handed out again by S+2 (bbolt holds freed
 * pages back only for read transactions of its own process; ours is not
 * one), which writes them before its meta. So once S+1 has committed, S+2
 * may already be overwriting our pages while the metas still say S+1.
 */
int bolt_snapshot_intact(const struct bolt_file *f);

void bolt_root(const struct bolt_file *f, struct bolt_bucket *out);

/*
 * Opens the newest snapshot of PATH into F (closing what F held) and finds
 * its top-level bucket NAME: 1 found (*OUT set), 0 absent, -1 error. The
 * answer counts only from a snapshot still intact when read: a live
 * daemon's file is read again, up to a bound, while a writer reuses the
 * pages under us. For the stores read on demand (cache-debug.db,
 * metadata_v2.db, a cache.db's _result).
 */
int bolt_attach(struct bolt_file *f, const char *path, const char *name, struct bolt_bucket *out,
		struct cs_error *err);

/*
 * Starts a walk: from here until the next bolt_walk_begin, every page that
 * bolt_foreach or bolt_count visits is stamped, and a page met twice is a
 * cycle. Each bucket is meant to be iterated once per walk (bbolt pages
 * belong to one bucket only). Opening starts the first walk.
 */
void bolt_walk_begin(struct bolt_file *f);

/* FN returns 0 to go on, 1 to stop early (not an error), -1 to fail. */
typedef int (*bolt_visit_fn)(void *ctx, const struct bolt_item *item,
			     struct cs_error *err);

/* Calls FN for every key of B in key order, as bbolt's ForEach does. */
int bolt_foreach(struct bolt_file *f, const struct bolt_bucket *b,
		 bolt_visit_fn fn, void *ctx, struct cs_error *err);

/* Looks KEY up in B: 1 found (ITEM filled), 0 absent, -1 corrupt. */
int bolt_get(const struct bolt_file *f, const struct bolt_bucket *b,
	     const void *key, size_t key_len, struct bolt_item *item,
	     struct cs_error *err);

/*
 * The first key of B at or after KEY (bbolt's Cursor.Seek): 1 (ITEM
 * filled), 0 when every key is smaller, -1 corrupt. With KEY followed by
 * a zero byte it gives the key after KEY: a walk in key order by lookups,
 * which reads only the pages on the way, not the bucket.
 */
int bolt_seek(const struct bolt_file *f, const struct bolt_bucket *b,
	      const void *key, size_t key_len, struct bolt_item *item,
	      struct cs_error *err);

/* Counts the keys of B (nested buckets count as keys) without reading values. */
int bolt_count(struct bolt_file *f, const struct bolt_bucket *b,
	       uint64_t *count, struct cs_error *err);

#endif
