/*
 * Plaintexts held in memory: the records a debug export carries. Entries
 * are kept in one arena and found by digest through an open-addressing
 * table; the first entry for a digest wins, as every later one is the same
 * record printed again.
 */
#include "plainstore.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct memory_entry {
	struct cs_digest digest;
	size_t offset;
	size_t len;
};

struct memory_plainstore {
	struct cs_plainstore base;
	struct cs_digests index;       /* digest -> entry number */
	struct memory_entry *entries;
	size_t entry_cap;
	struct cs_buf arena;
};

static int memory_lookup(struct cs_plainstore *base, const struct cs_digest *d,
			 struct cs_buf *out, struct cs_error *err)
{
	struct memory_plainstore *s = (struct memory_plainstore *)base;
	cs_dig i = digests_find(&s->index, d);

	(void)err;
	if (i == CS_DIG_NONE)
		return 0;
	buf_reset(out);
	buf_add(out, s->arena.data + s->entries[i].offset, s->entries[i].len);
	return 1;
}

static int64_t memory_count(struct cs_plainstore *base, struct cs_error *err)
{
	(void)err;
	return ((struct memory_plainstore *)base)->index.count;
}

static int memory_each(struct cs_plainstore *base, cs_plain_visit_fn fn, void *ctx,
		       struct cs_error *err)
{
	struct memory_plainstore *s = (struct memory_plainstore *)base;

	for (uint32_t i = 0; i < s->index.count; i++) {
		const struct memory_entry *e = &s->entries[i];
		int rc = fn(ctx, &e->digest, cs_bytes_of(s->arena.data + e->offset, e->len), err);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	return 0;
}

static void memory_close(struct cs_plainstore *base)
{
	struct memory_plainstore *s = (struct memory_plainstore *)base;

	digests_free(&s->index);
	free(s->entries);
	buf_free(&s->arena);
	free(s->base.name);
	free(s);
}

static const struct cs_plainstore_ops memory_plainstore_ops = {
	.lookup = memory_lookup,
	.count = memory_count,
	.each = memory_each,
	.close = memory_close,
	.apart = true,
};

struct cs_plainstore *plainstore_memory_new(const char *name)
{
	struct memory_plainstore *s = xcalloc(1, sizeof(*s));

	s->base.ops = &memory_plainstore_ops;
	s->base.name = xstrdup(name);
	digests_init(&s->index);
	return &s->base;
}

void plainstore_memory_add(struct cs_plainstore *base, const struct cs_digest *d,
			   const void *frames, size_t len)
{
	struct memory_plainstore *s = (struct memory_plainstore *)base;

	if (digests_find(&s->index, d) != CS_DIG_NONE)
		return;
	cs_dig i = digests_intern(&s->index, d);
	XGROW(s->entries, s->entry_cap, (size_t)i + 1);
	s->entries[i].digest = *d;
	s->entries[i].offset = s->arena.len;
	s->entries[i].len = len;
	buf_add(&s->arena, frames, len);
}
