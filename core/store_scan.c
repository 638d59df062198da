/*
 * The daemon's local cache key store, cache.db (solver/bboltcachestorage):
 *
 *   _links/<id>/<json>@<target id>   a link from key <id> to key <target>
 *   _result/<id>/<result id>         {"CreatedAt": ..., "ID": ...}
 *
 * Records start from the _links buckets named "sha256:..." or "random:...".
 * This file reads and checks entries; what they mean to the graph is
 * core/read_bolt_store.c's business.
 */
#include "store_scan.h"
#include "graph_build.h"
#include "json_flat.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Blocks in flight between the two threads: enough that neither waits on
 * the other's hiccups, few enough to stay in cache (about 64 KB each).
 */
#define SCAN_DEPTH 4

/*
 * Below this a second thread costs more than it saves, and a short read
 * matters more: each attempt at a live store must finish before the
 * daemon commits twice, or it starts over.
 */
#define SCAN_THREAD_MIN_BYTES ((size_t)4 << 20)

struct scan_queue {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct scan_block *blocks;  /* SCAN_DEPTH of them */
	uint64_t filled, taken;     /* blocks handed over and blocks taken, ever */
	bool done;
};

struct scan {
	struct bolt_file *file;
	const struct bolt_bucket *links, *results;
	struct scan_block *block;   /* being filled */
	struct cs_bytes id;         /* the key whose bucket is being read, for messages */
	/* where full blocks go: straight to TAKE, or through the queue */
	scan_take_fn take;
	void *take_ctx;
	struct scan_queue *queue;
	struct cs_load_watch *watch;
	bool link_digests;          /* each link's outputKey (a SHA-256): not when only counts are wanted */
	uint32_t keys;              /* keys declared since the watch was last told */
	int rc;
	struct cs_error err;
};

/* ---- handing blocks over ---- */

/* Gives away the full (or last) block and returns an empty one to fill. */
static struct scan_block *hand_over(struct scan *s)
{
	struct scan_queue *q = s->queue;

	if (s->watch) {
		atomic_fetch_add_explicit(&s->watch->keys, s->keys, memory_order_relaxed);
		s->keys = 0;
	}

	if (!q) {
		s->take(s->take_ctx, s->block);
		s->block->count = 0;
		return s->block;
	}
	pthread_mutex_lock(&q->lock);
	q->filled++;
	pthread_cond_broadcast(&q->changed);
	while (q->filled - q->taken >= SCAN_DEPTH)
		pthread_cond_wait(&q->changed, &q->lock);
	struct scan_block *next = &q->blocks[q->filled % SCAN_DEPTH];
	pthread_mutex_unlock(&q->lock);
	next->count = 0;
	return next;
}

static struct scan_record *new_record(struct scan *s, enum scan_kind kind)
{
	if (s->block->count == SCAN_BLOCK_RECORDS)
		s->block = hand_over(s);
	struct scan_record *rec = &s->block->records[s->block->count++];
	rec->kind = (uint8_t)kind;
	return rec;
}

/* ---- reading entries ---- */

static int fail_at(struct scan *s, struct cs_error *err, const char *bucket)
{
	return cs_fail_context(err, "%s: %s/%.*s", s->file->name, bucket,
			       (int)(s->id.len > 80 ? 80 : s->id.len), (const char *)s->id.ptr);
}

int scan_link(const struct bolt_item *item, struct scan_record *rec, bool digest, struct cs_error *err)
{
	const unsigned char *at = memchr(item->key.ptr, '@', item->key.len);
	struct json_flat_field f[] = {
		{ .name = "Input", .kind = JSON_FLAT_INT },
		{ .name = "Output", .kind = JSON_FLAT_INT },
		{ .name = "Digest", .kind = JSON_FLAT_STRING },
		{ .name = "Selector", .kind = JSON_FLAT_STRING },
	};
	struct cs_digest op;

	if (!at || memchr(at + 1, '@', item->key.len - (size_t)(at - item->key.ptr) - 1))
		return cs_fail(err, "invalid link key (want one '@')");
	struct cs_bytes json = cs_bytes_of(item->key.ptr, (size_t)(at - item->key.ptr));
	struct cs_bytes target = cs_bytes_of(at + 1, item->key.len - json.len - 1);
	if (json_flat_parse(json, f, 4, err) < 0)
		return cs_fail_context(err, "invalid link");
	if (f[0].number < 0 || f[0].number > INT32_MAX || f[1].number < INT32_MIN || f[1].number > INT32_MAX)
		return cs_fail(err, "invalid link (input %lld, output %lld)",
			       (long long)f[0].number, (long long)f[1].number);
	if (digest_parse((const char *)f[2].string.ptr, f[2].string.len, &op) < 0)
		return cs_fail(err, "invalid link (digest is not sha256:<hex>)");
	rec->has_selector = f[3].string.len != 0;
	if (rec->has_selector &&
	    digest_parse((const char *)f[3].string.ptr, f[3].string.len, &rec->selector) < 0)
		return cs_fail(err, "invalid link (selector is not sha256:<hex>)");
	if (target.len == 0)
		return cs_fail(err, "invalid link (no target ID)");
	rec->kind = SCAN_LINK;
	rec->input = (uint32_t)f[0].number;
	rec->output = (int32_t)f[1].number;
	rec->id = target;
	rec->id_hash = builder_key_hash((const char *)target.ptr, target.len);
	/*
	 * Hashed for every link, on the walking thread: at 100k keys 132k
	 * hashes for 80k distinct link digests, a few ms more than a cache
	 * per op would cost, without a table this thread would have to keep.
	 */
	if (digest)
		digest_output_key(&op, rec->output, &rec->digest);
	return 0;
}

/* One key of _links/<id>: "<CacheInfoLink JSON>@<target id>". */
static int read_link(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct scan *s = ctx;

	if (item->is_bucket)
		return 0;
	/* parsed in place: a link that fails ends the load, and what the block holds with it */
	return scan_link(item, new_record(s, SCAN_LINK), s->link_digests, err);
}

int scan_root_id(struct cs_bytes id, bool *random, struct cs_digest *digest)
{
	char text[CS_DIGEST_STRLEN];

	*random = cs_bytes_has_prefix(id, "random:");
	if (!*random && !cs_bytes_has_prefix(id, "sha256:"))
		return 0;
	/* a random root's digest is its hex under sha256:, as util/cachestore shows it */
	if (id.len != sizeof(text))
		return -1;
	memcpy(text, "sha256:", 7);
	memcpy(text + 7, id.ptr + 7, 64);
	return digest_parse(text, sizeof(text), digest) == 0 ? 1 : -1;
}

static int declare_key(struct scan *s, struct cs_bytes id, struct cs_error *err)
{
	struct cs_digest d;
	bool random;
	int root = scan_root_id(id, &random, &d);

	s->id = id;
	if (root < 0)
		return cs_fail(err, "%s: root ID %.*s is not a sha256 digest", s->file->name,
			       (int)(id.len > 80 ? 80 : id.len), (const char *)id.ptr);
	if (s->watch && atomic_load_explicit(&s->watch->cancel, memory_order_relaxed))
		return cs_fail(err, "%s: not read (stopped)", s->file->name);
	s->keys++;
	struct scan_record *rec = new_record(s, SCAN_KEY);
	rec->id = id;
	rec->id_hash = builder_key_hash((const char *)id.ptr, id.len);
	rec->root = root;
	rec->random = random;
	if (root)
		rec->digest = d;
	return 0;
}

static int read_key_links(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct scan *s = ctx;

	/* the daemon's Walk takes buckets only */
	if (!item->is_bucket)
		return 0;
	if (declare_key(s, item->key, err) < 0)
		return -1;
	if (bolt_foreach(s->file, &item->bucket, read_link, s, err) < 0)
		return fail_at(s, err, "_links");
	return 0;
}

int scan_result_value(const struct bolt_item *item, struct cs_bytes *id, struct cs_bytes *created,
		      struct cs_error *err)
{
	struct json_flat_field f[] = {
		{ .name = "CreatedAt", .kind = JSON_FLAT_STRING },
		{ .name = "ID", .kind = JSON_FLAT_STRING },
	};

	if (json_flat_parse(item->value, f, 2, err) < 0)
		return cs_fail_context(err, "invalid result");
	*id = f[1].present ? f[1].string : item->key;
	*created = f[0].present ? f[0].string : cs_bytes_of(NULL, 0);
	return f[0].present;
}

/* One key of _result/<id>: result ID -> {"CreatedAt":"...","ID":"..."}. */
static int read_result(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct scan *s = ctx;
	struct cs_bytes id, created;
	int has_created;

	if (item->is_bucket)
		return 0;
	if ((has_created = scan_result_value(item, &id, &created, err)) < 0)
		return -1;
	struct scan_record *rec = new_record(s, SCAN_RESULT);
	rec->id = id;
	rec->has_created = has_created;
	rec->created = created;
	return 0;
}

static int read_key_results(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct scan *s = ctx;

	if (!item->is_bucket)
		return 0;
	s->id = item->key;
	struct scan_record *rec = new_record(s, SCAN_RESULTS_OF);
	rec->id = item->key;
	rec->id_hash = builder_key_hash((const char *)item->key.ptr, item->key.len);
	if (bolt_foreach(s->file, &item->bucket, read_result, s, err) < 0)
		return fail_at(s, err, "_result");
	return 0;
}

static int walk(struct scan *s, struct cs_error *err)
{
	bolt_walk_begin(s->file);
	if (bolt_foreach(s->file, s->links, read_key_links, s, err) < 0)
		return -1;
	if (s->results && bolt_foreach(s->file, s->results, read_key_results, s, err) < 0)
		return -1;
	return 0;
}

/* ---- the walking thread ---- */

static void *walk_thread(void *arg)
{
	struct scan *s = arg;
	struct scan_queue *q = s->queue;

	s->rc = walk(s, &s->err);
	pthread_mutex_lock(&q->lock);
	/* a walk that failed hands over nothing more: the load is abandoned */
	if (s->rc == 0 && s->block->count)
		q->filled++;
	q->done = true;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* The caller's side: takes blocks until the walking thread is done. */
static void take_all(struct scan *s)
{
	struct scan_queue *q = s->queue;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->taken == q->filled && !q->done)
			pthread_cond_wait(&q->changed, &q->lock);
		if (q->taken == q->filled)
			break;
		const struct scan_block *block = &q->blocks[q->taken % SCAN_DEPTH];
		pthread_mutex_unlock(&q->lock);
		s->take(s->take_ctx, block);
		pthread_mutex_lock(&q->lock);
		q->taken++;
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
}

static int scan_here(struct scan *s, struct cs_error *err)
{
	struct scan_block *block = xmalloc(sizeof(*block));

	block->count = 0;
	s->block = block;
	int rc = walk(s, err);
	if (rc == 0 && block->count)
		s->take(s->take_ctx, block);
	free(block);
	return rc;
}

int store_scan(struct bolt_file *file, const struct bolt_bucket *links,
	       const struct bolt_bucket *results, bool link_digests, scan_take_fn take, void *ctx,
	       struct cs_load_watch *watch, struct cs_error *err)
{
	struct scan s = { .file = file, .links = links, .results = results, .link_digests = link_digests,
			  .take = take, .take_ctx = ctx, .watch = watch };
	struct scan_queue q = { 0 };
	pthread_t thread;

	if (file->size < SCAN_THREAD_MIN_BYTES)
		return scan_here(&s, err);
	q.blocks = xcalloc(SCAN_DEPTH, sizeof(struct scan_block));
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.changed, NULL);
	s.queue = &q;
	s.block = &q.blocks[0];
	int started = pthread_create(&thread, NULL, walk_thread, &s) == 0;
	if (started) {
		take_all(&s);
		pthread_join(thread, NULL);
	}
	pthread_cond_destroy(&q.changed);
	pthread_mutex_destroy(&q.lock);
	free(q.blocks);
	if (!started) {
		s.queue = NULL;
		return scan_here(&s, err);
	}
	if (s.rc < 0)
		*err = s.err;
	return s.rc;
}
