/*
 * boltlist [-count] FILE: lists a bbolt file through core/bolt.c in exactly
 * the JSON-lines form of shared/tools/boltcheck (the real bbolt library),
 * so a test can compare the two byte for byte. With -count it walks and
 * counts as `boltcheck -count` does, a speed yardstick.
 */
#include "core/bolt.h"
#include "core/buf.h"
#include "core/json_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 64

struct lister {
	struct bolt_file *file;
	const struct cs_bytes *path;
	int depth;
	bool count_only;
	uint64_t buckets, keys, bytes;
	struct cs_buf line;
};

static void add_hex(struct cs_buf *out, struct cs_bytes b)
{
	static const char hex[] = "0123456789abcdef";

	buf_reserve(out, b.len * 2);
	for (size_t i = 0; i < b.len; i++) {
		out->data[out->len++] = hex[b.ptr[i] >> 4];
		out->data[out->len++] = hex[b.ptr[i] & 15];
	}
	out->data[out->len] = '\0';
}

static void add_path(struct lister *l)
{
	buf_adds(&l->line, "{\"path\":[");
	for (int i = 0; i < l->depth; i++) {
		if (i)
			buf_addc(&l->line, ',');
		json_write_string(&l->line, l->path[i].ptr, l->path[i].len);
	}
	buf_adds(&l->line, "],\"key\":\"");
}

static int visit(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct lister *l = ctx;

	if (!item->is_bucket) {
		l->keys++;
		l->bytes += item->key.len + item->value.len;
		if (l->count_only)
			return 0;
		add_path(l);
		add_hex(&l->line, item->key);
		buf_adds(&l->line, "\",\"value\":\"");
		add_hex(&l->line, item->value);
		buf_adds(&l->line, "\"}\n");
		return buf_flush(&l->line, stdout);
	}
	l->buckets++;
	if (!l->count_only) {
		add_path(l);
		add_hex(&l->line, item->key);
		buf_adds(&l->line, "\",\"bucket\":true}\n");
		buf_flush(&l->line, stdout);
	}
	if (l->depth + 1 >= MAX_NESTING)
		return cs_fail(err, "%s: buckets nested deeper than %d", l->file->name, MAX_NESTING);
	struct cs_bytes path[MAX_NESTING];
	if (l->depth)
		memcpy(path, l->path, (size_t)l->depth * sizeof(*path));
	path[l->depth] = item->key;
	struct lister inner = *l;
	inner.path = path;
	inner.depth = l->depth + 1;
	int rc = bolt_foreach(l->file, &item->bucket, visit, &inner, err);
	l->buckets = inner.buckets;
	l->keys = inner.keys;
	l->bytes = inner.bytes;
	l->line = inner.line;
	return rc;
}

int main(int argc, char **argv)
{
	struct bolt_file file;
	struct bolt_bucket root;
	struct cs_error err = { "" };
	struct lister l = { 0 };
	bool count_only = argc == 3 && strcmp(argv[1], "-count") == 0;

	if (argc != 2 && !count_only) {
		fprintf(stderr, "usage: boltlist [-count] FILE\n");
		return 2;
	}
	if (bolt_open(&file, argv[argc - 1], &err) < 0) {
		fprintf(stderr, "boltlist: %s\n", err.msg);
		bolt_close(&file);
		return 1;
	}
	bolt_root(&file, &root);
	bolt_walk_begin(&file);
	l.file = &file;
	l.count_only = count_only;
	int rc = bolt_foreach(&file, &root, visit, &l, &err);
	buf_free(&l.line);
	bolt_close(&file);
	if (rc < 0) {
		fprintf(stderr, "boltlist: %s\n", err.msg);
		return 1;
	}
	if (count_only)
		printf("%llu buckets, %llu keys, %llu bytes of keys and values\n",
		       (unsigned long long)l.buckets, (unsigned long long)l.keys,
		       (unsigned long long)l.bytes);
	return 0;
}
