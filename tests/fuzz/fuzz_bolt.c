/*
 * libFuzzer target: the bbolt reader (core/bolt.c) alone, over any bytes.
 * Opens the input from memory, walks every bucket in one walk (nested
 * ones down to 16 levels), looks up keys it saw, counts, and walks again
 * stopping early; then does it all again with both metas' checksums made
 * right. The counts are taken again through a file (a memfd), where
 * bolt_count reads every page header in one pass instead of the pages:
 * the same counts and the same errors, or it traps. Seeded with small
 * bolt files: fixtures, one bbolt wrote with 256-byte pages, one
 * tests/bolt/corrupt.py built.
 *
 * fuzz-options: -max_len=70000
 *
 * Beyond what the sanitizers catch, it traps when the reader breaks its
 * word: every key, value and inline page must lie inside the input; a
 * failure must say why in one line naming the file; a key found by lookup
 * must be the key asked for; a walk must not take time out of proportion
 * to the input (the libFuzzer timeout catches that). The input is copied
 * to an exact-size heap block, so that any read past it is an ASan report.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include "core/bolt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_NESTING 16
#define MAX_LOOKUPS 64
#define NAME "fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct lookup {
	struct bolt_bucket bucket;
	struct cs_bytes key;
};

struct walker {
	struct bolt_file *file;
	const unsigned char *input;
	size_t input_len;
	int depth;
	struct lookup lookups[MAX_LOOKUPS];
	int n_lookups;
	struct bolt_bucket buckets[MAX_LOOKUPS];  /* some nested buckets, to count */
	int n_buckets;
};

static void check_inside(const struct walker *w, struct cs_bytes b)
{
	if (b.len == 0)
		return;
	if (b.ptr < w->input || b.len > w->input_len ||
	    (size_t)(b.ptr - w->input) > w->input_len - b.len)
		__builtin_trap();
}

static void check_item(const struct walker *w, const struct bolt_item *item)
{
	check_inside(w, item->key);
	check_inside(w, item->value);
	if (!item->is_bucket)
		return;
	if (item->value.len < 16)
		__builtin_trap();
	if (item->bucket.root == 0)
		check_inside(w, item->bucket.inline_page);
}

/* A failure leaves one line that starts with the file's name. */
static void check_error(const struct cs_error *err)
{
	if (strncmp(err->msg, NAME ": ", strlen(NAME ": ")) != 0 ||
	    err->msg[strlen(NAME ": ")] == '\0' || strchr(err->msg, '\n'))
		__builtin_trap();
}

static int visit(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct walker *w = ctx;
	int rc;

	check_item(w, item);
	if (!item->is_bucket)
		return 0;
	if (w->n_buckets < MAX_LOOKUPS)
		w->buckets[w->n_buckets++] = item->bucket;
	if (w->depth + 1 >= MAX_NESTING)
		return 0;
	w->depth++;
	rc = bolt_foreach(w->file, &item->bucket, visit, w, err);
	w->depth--;
	return rc;
}

/* Notes the keys of a bucket to look up later, and stops after a few. */
static int note_keys(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct walker *w = ctx;
	const struct bolt_bucket *b = &w->lookups[w->n_lookups].bucket;

	(void)err;
	check_item(w, item);
	w->lookups[w->n_lookups].key = item->key;
	w->n_lookups++;
	if (w->n_lookups == MAX_LOOKUPS)
		return 1;
	w->lookups[w->n_lookups].bucket = *b;
	return item->key.len % 8 == 7; /* sometimes stop early */
}

static void look_up_all(struct walker *w)
{
	struct cs_error err = { "" };

	for (int i = 0; i < w->n_lookups; i++) {
		const struct lookup *l = &w->lookups[i];
		struct bolt_item item;
		int found = bolt_get(w->file, &l->bucket, l->key.ptr, l->key.len, &item, &err);
		if (found < 0) {
			check_error(&err);
			continue;
		}
		if (found && (item.key.len != l->key.len ||
			      (item.key.len && memcmp(item.key.ptr, l->key.ptr, item.key.len))))
			__builtin_trap();
		if (found)
			check_item(w, &item);
	}
	/* a key no bbolt file holds under these buckets */
	if (w->n_lookups) {
		struct bolt_item item;
		if (bolt_get(w->file, &w->lookups[0].bucket, "\xff\xff\xff\xff\xff\xff", 6, &item,
			     &err) < 0)
			check_error(&err);
	}
}

/* What counting the root and the buckets a walk saw gave, in order: the tally a file must match. */
struct counts {
	int n;
	int rc[MAX_LOOKUPS + 1];
	uint64_t count[MAX_LOOKUPS + 1];
	char msg[MAX_LOOKUPS + 1][64]; /* the message after "NAME: " */
};

static void take_count(struct counts *c, int rc, uint64_t count, const struct cs_error *err, const char *name)
{
	size_t skip = strlen(name) + 2;

	c->rc[c->n] = rc;
	c->count[c->n] = rc < 0 ? 0 : count;
	snprintf(c->msg[c->n], sizeof(c->msg[0]), "%s", rc < 0 && strlen(err->msg) >= skip ? err->msg + skip : "");
	c->n++;
}

/* Counts the root and the buckets a walk of FILE sees, in one new walk. */
static void count_all(struct bolt_file *file, const unsigned char *bytes, size_t size, const char *name,
		      struct counts *out)
{
	struct walker w;
	struct bolt_bucket root;
	struct cs_error err = { "" };
	uint64_t count = 0;
	int rc;

	memset(&w, 0, sizeof(w));
	w.file = file;
	w.input = bytes;
	w.input_len = size;
	bolt_root(file, &root);
	bolt_walk_begin(file);
	(void)bolt_foreach(file, &root, visit, &w, &err);
	bolt_walk_begin(file);
	rc = bolt_count(file, &root, &count, &err);
	take_count(out, rc, count, &err, name);
	for (int i = 0; i < w.n_buckets; i++) {
		rc = bolt_count(file, &w.buckets[i], &count, &err);
		take_count(out, rc, count, &err, name);
	}
}

/* The same counts through a file, where bolt_count reads page headers apart from the pages. */
static void count_through_file(const unsigned char *input, size_t size, const struct counts *want)
{
	struct bolt_file file;
	struct cs_error err = { "" };
	struct counts got = { 0 };
	char path[64];
	int fd = memfd_create("fuzz-bolt", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, input, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (bolt_open(&file, path, &err) == 0) {
		count_all(&file, file.map, file.size, path, &got);
		bolt_close(&file);
		if (got.n != want->n)
			__builtin_trap();
		for (int i = 0; i < got.n; i++)
			if (got.rc[i] != want->rc[i] || got.count[i] != want->count[i] ||
			    strcmp(got.msg[i], want->msg[i]) != 0)
				__builtin_trap();
	}
	close(fd);
}

/* Everything the reader offers, over the SIZE bytes at INPUT. */
static void exercise(const unsigned char *input, size_t size)
{
	struct walker w;
	struct bolt_file file;
	struct bolt_bucket root;
	struct cs_error err = { "" };
	uint64_t count;

	memset(&w, 0, sizeof(w));
	w.file = &file;
	w.input = input;
	w.input_len = size;
	if (bolt_open_memory(&file, input, size, NAME, &err) < 0) {
		check_error(&err);
		bolt_close(&file); /* harmless after a failed open */
		return;
	}
	bolt_root(&file, &root);

	/* everything, once */
	bolt_walk_begin(&file);
	if (bolt_foreach(&file, &root, visit, &w, &err) < 0)
		check_error(&err);

	/* the keys of the root and of the first nested buckets, looked up */
	bolt_walk_begin(&file);
	w.lookups[0].bucket = root;
	if (bolt_foreach(&file, &root, note_keys, &w, &err) < 0)
		check_error(&err);
	for (int i = 0; i < w.n_buckets && i < 4 && w.n_lookups < MAX_LOOKUPS; i++) {
		w.lookups[w.n_lookups].bucket = w.buckets[i];
		if (bolt_foreach(&file, &w.buckets[i], note_keys, &w, &err) < 0)
			check_error(&err);
	}
	look_up_all(&w);

	/* counts: the root and the buckets seen, each once in a new walk */
	bolt_walk_begin(&file);
	if (bolt_count(&file, &root, &count, &err) < 0)
		check_error(&err);
	for (int i = 0; i < w.n_buckets; i++)
		if (bolt_count(&file, &w.buckets[i], &count, &err) < 0)
			check_error(&err);

	if (bolt_snapshot_intact(&file) != 1)
		__builtin_trap(); /* memory does not change under us */

	struct counts from_memory = { 0 };
	count_all(&file, input, size, NAME, &from_memory);
	bolt_close(&file);
	count_through_file(input, size, &from_memory);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Gives the meta at OFFSET a right checksum; true when that changed it. */
static bool seal_meta(unsigned char *buf, size_t size, size_t offset)
{
	unsigned char *m = buf + offset + 16;
	uint64_t h = 0xcbf29ce484222325ULL;

	if (offset > size || size - offset < 16 + 64)
		return false;
	for (int i = 0; i < 56; i++) {
		h ^= m[i];
		h *= 0x100000001b3ULL;
	}
	bool changed = false;
	for (int i = 0; i < 8; i++, h >>= 8) {
		changed |= m[56 + i] != (unsigned char)h;
		m[56 + i] = (unsigned char)h;
	}
	return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size ? size : 1);
	bool resealed;

	memcpy(copy, data, size);
	exercise(copy, size);
	/*
	 * A mutated meta fails its checksum, and the fuzzer cannot forge
	 * one: a second pass with both metas sealed again lets it reach
	 * every number a meta holds (root, high water, page size, txid).
	 */
	resealed = seal_meta(copy, size, 0);
	if (size >= 16 + 12)
		resealed |= seal_meta(copy, size, get32(copy + 16 + 8));
	if (resealed)
		exercise(copy, size);
	free(copy);
	return 0;
}
