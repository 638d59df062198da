/*
 * Plaintexts from a daemon's cache-debug.db: bucket "byhash", key the digest
 * string, value the frame run. The daemon keeps writing this file while we
 * read it, so every answer is copied out and then checked against the
 * metas; a snapshot a writer may have overwritten is read again.
 */
#include "bolt.h"
#include "page_warm.h"
#include "plainstore.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATTEMPTS 50

struct bolt_plainstore {
	struct cs_plainstore base;
	struct bolt_file file;
	struct bolt_bucket byhash;
	bool has_bucket;
	/* count_ahead's thread, and its answer until count takes it */
	pthread_t counter;
	bool counting, counted;
	int64_t count;
	struct cs_error count_err;
	struct page_warmer *warmer; /* warm_up's, stopped before the map goes */
};

static int64_t count_entries(struct bolt_plainstore *s, struct cs_error *err);

/* The counting thread owns the file while it runs: every other call waits. */
static void settle(struct bolt_plainstore *s)
{
	if (!s->counting)
		return;
	pthread_join(s->counter, NULL);
	s->counting = false;
	s->counted = true;
}

/*
 * Opens the newest snapshot and finds its bucket. Finding it reads pages a
 * writer may be overwriting as we read (what looks like corruption then
 * is a torn read): an answer counts only from a snapshot still intact.
 */
static int attach(struct bolt_plainstore *s, struct cs_error *err)
{
	int found;

	page_warmer_stop(s->warmer);
	s->warmer = NULL;
	found = bolt_attach(&s->file, s->base.name, "byhash", &s->byhash, err);
	if (found < 0)
		return -1;
	s->has_bucket = found;
	return 0;
}

static int bolt_lookup(struct cs_plainstore *base, const struct cs_digest *d,
		       struct cs_buf *out, struct cs_error *err)
{
	struct bolt_plainstore *s = (struct bolt_plainstore *)base;
	char key[CS_DIGEST_STRLEN + 1];

	settle(s);
	digest_format(d, key);
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		struct bolt_item item;
		int found = 0;

		if (s->has_bucket)
			found = bolt_get(&s->file, &s->byhash, key, CS_DIGEST_STRLEN, &item, err);
		if (found > 0 && !item.is_bucket) {
			buf_reset(out);
			buf_add(out, item.value.ptr, item.value.len);
		}
		if (bolt_snapshot_intact(&s->file)) {
			if (found < 0)
				return -1;
			return found > 0 && !item.is_bucket;
		}
		if (attach(s, err) < 0)
			return -1;
	}
	return cs_fail(err, "%s: kept changing while being read", base->name);
}

static int64_t count_entries(struct bolt_plainstore *s, struct cs_error *err)
{
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		uint64_t count = 0;
		int rc = 0;
		if (s->has_bucket) {
			bolt_walk_begin(&s->file);
			rc = bolt_count(&s->file, &s->byhash, &count, err);
		}
		if (bolt_snapshot_intact(&s->file))
			return rc < 0 ? -1 : (int64_t)count;
		if (attach(s, err) < 0)
			return -1;
	}
	return cs_fail(err, "%s: kept changing while being read", s->base.name);
}

static int64_t bolt_entries(struct cs_plainstore *base, struct cs_error *err)
{
	struct bolt_plainstore *s = (struct bolt_plainstore *)base;

	settle(s);
	if (!s->counted)
		return count_entries(s, err);
	/* the count taken ahead answers once; a later count looks again */
	s->counted = false;
	if (s->count < 0 && err)
		*err = s->count_err;
	return s->count;
}

static void *count_run(void *arg)
{
	struct bolt_plainstore *s = arg;

	s->count = count_entries(s, &s->count_err);
	return NULL;
}

static void bolt_count_ahead(struct cs_plainstore *base)
{
	struct bolt_plainstore *s = (struct bolt_plainstore *)base;

	settle(s);
	s->counted = false;
	s->counting = pthread_create(&s->counter, NULL, count_run, s) == 0;
}

static void bolt_warm_up(struct cs_plainstore *base)
{
	struct bolt_plainstore *s = (struct bolt_plainstore *)base;

	settle(s);
	if (!s->warmer && s->file.owns_map)
		s->warmer = page_warmer_start(s->file.map, s->file.size);
}

/*
 * Measured on a 150 MB cache-debug.db: mapping costs about 0.3 us a page
 * of the file (10 ms), and saves a lookup about 1.5 us of faulting (4.3
 * against 2-3 us): worth it from one lookup for every five pages.
 */
#define PAGES_PER_LOOKUP_WORTH_MAPPING 5

static void bolt_map_resident(struct cs_plainstore *base, uint64_t lookups)
{
	struct bolt_plainstore *s = (struct bolt_plainstore *)base;

	settle(s);
	if (s->file.owns_map && lookups * PAGES_PER_LOOKUP_WORTH_MAPPING >= s->file.size / s->file.page_size)
		page_map_resident(s->file.map, s->file.size);
}

struct each_ctx {
	cs_plain_visit_fn fn;
	void *ctx;
};

static int visit_entry(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct each_ctx *each = ctx;
	struct cs_digest d;

	if (item->is_bucket || digest_parse((const char *)item->key.ptr, item->key.len, &d) < 0)
		return 0;
	return each->fn(each->ctx, &d, item->value, err);
}

static int bolt_each(struct cs_plainstore *base, cs_plain_visit_fn fn, void *ctx,
		     struct cs_error *err)
{
	struct bolt_plainstore *s = (struct bolt_plainstore *)base;
	struct each_ctx each = { fn, ctx };

	settle(s);
	if (!s->has_bucket)
		return 0;
	bolt_walk_begin(&s->file);
	int rc = bolt_foreach(&s->file, &s->byhash, visit_entry, &each, err);
	if (bolt_snapshot_intact(&s->file))
		return rc;
	/* a torn walk, whether it ended in an error or not: the next one starts on the new snapshot */
	return attach(s, err) < 0 ? -1 : CS_PLAIN_CHANGED;
}

static void bolt_store_close(struct cs_plainstore *base)
{
	struct bolt_plainstore *s = (struct bolt_plainstore *)base;

	settle(s);
	page_warmer_stop(s->warmer);
	bolt_close(&s->file);
	free(s->base.name);
	free(s);
}

static const struct cs_plainstore_ops bolt_plainstore_ops = {
	.lookup = bolt_lookup,
	.count = bolt_entries,
	.count_ahead = bolt_count_ahead,
	.warm_up = bolt_warm_up,
	.map_resident = bolt_map_resident,
	.each = bolt_each,
	.close = bolt_store_close,
	.apart = true,
};

int plainstore_open_bolt(const char *path, struct cs_plainstore **out,
			 struct cs_error *err)
{
	struct bolt_plainstore *s = xcalloc(1, sizeof(*s));

	s->base.ops = &bolt_plainstore_ops;
	s->base.name = xstrdup(path);
	s->file.fd = -1;
	if (attach(s, err) < 0) {
		bolt_store_close(&s->base);
		return -1;
	}
	*out = &s->base;
	return 0;
}
