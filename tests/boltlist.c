/*
 * boltlist [-count] FILE: lists a bbolt file through core/bolt.c in exactly
 * the JSON-lines form of shared/tools/boltcheck (the real bbolt library),
 * so a test can compare the two byte for byte. With -count it walks and
 * counts as `boltcheck -count` does, a speed yardstick.
 *
 * boltlist -keys [-memory] FILE: each top-level bucket's name (JSON) and
 * key count, by bolt_count. On a file that reads every page header in one
 * pass; with -memory the file is read into memory first and the count
 * reads the pages themselves. The two must agree, errors included.
 *
 * boltlist -get FILE BUCKET KEY: looks KEY up in the top-level BUCKET by
 * bolt_get (the lookups' way down, not a walk): its value in hex, or
 * "absent".
 *
 * Exit status: 0 listed, 1 the file is not a readable bbolt file (one line
 * on stderr), 2 usage or output error.
 */
#include "core/bolt.h"
#include "core/buf.h"
#include "core/json_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* boltcheck has no limit; ours only has to exceed any real file's nesting */
#define MAX_NESTING 256
#define FLUSH_AT (64 * 1024)

struct lister {
	struct bolt_file *file;
	struct cs_bytes path[MAX_NESTING]; /* the bucket names down to here */
	int depth;
	bool count_only;
	bool write_failed;
	uint64_t buckets, keys, bytes;
	struct cs_buf out;
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

/* Starts a line: {"path":[...],"key":"<hex>" */
static void add_path_and_key(struct lister *l, struct cs_bytes key)
{
	buf_adds(&l->out, "{\"path\":[");
	for (int i = 0; i < l->depth; i++) {
		if (i)
			buf_addc(&l->out, ',');
		json_write_string(&l->out, l->path[i].ptr, l->path[i].len);
	}
	buf_adds(&l->out, "],\"key\":\"");
	add_hex(&l->out, key);
	buf_addc(&l->out, '"');
}

static int flush(struct lister *l, size_t at_least, struct cs_error *err)
{
	if (l->out.len < at_least)
		return 0;
	if (buf_flush(&l->out, stdout) < 0) {
		l->write_failed = true;
		return cs_fail(err, "standard output: write error");
	}
	return 0;
}

static int visit(void *ctx, const struct bolt_item *item, struct cs_error *err);

/* Lists bucket ITEM's contents under its name, as boltcheck recurses. */
static int list_bucket(struct lister *l, const struct bolt_item *item, struct cs_error *err)
{
	int rc;

	if (l->depth == MAX_NESTING)
		return cs_fail(err, "%s: buckets nested deeper than %d", l->file->name,
			       MAX_NESTING);
	l->path[l->depth++] = item->key;
	rc = bolt_foreach(l->file, &item->bucket, visit, l, err);
	l->depth--;
	return rc;
}

static int visit(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct lister *l = ctx;

	if (item->is_bucket) {
		l->buckets++;
		if (!l->count_only) {
			add_path_and_key(l, item->key);
			buf_adds(&l->out, ",\"bucket\":true}\n");
		}
		return list_bucket(l, item, err);
	}
	l->keys++;
	l->bytes += item->key.len + item->value.len;
	if (l->count_only)
		return 0;
	add_path_and_key(l, item->key);
	buf_adds(&l->out, ",\"value\":\"");
	add_hex(&l->out, item->value);
	buf_adds(&l->out, "\"}\n");
	return flush(l, FLUSH_AT, err);
}

struct top_buckets {
	struct bolt_item items[64];
	int count;
};

static int collect(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct top_buckets *t = ctx;

	if (item->is_bucket && t->count < 64)
		t->items[t->count++] = *item;
	(void)err;
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	struct cs_buf b = CS_BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	data = b.data ? b.data : calloc(1, 1);
	return data;
}

static int count_keys(const char *path, bool memory)
{
	struct bolt_file file;
	struct bolt_bucket root;
	struct top_buckets top = { .count = 0 };
	struct cs_error err = { "" };
	struct cs_buf out = CS_BUF_INIT;
	size_t len = 0;
	char *data = memory ? read_all(path, &len) : NULL;
	int rc;

	if (memory && !data) {
		fprintf(stderr, "boltlist: %s: cannot read\n", path);
		return 1;
	}
	rc = memory ? bolt_open_memory(&file, data, len, path, &err) : bolt_open(&file, path, &err);
	if (rc == 0) {
		bolt_root(&file, &root);
		rc = bolt_foreach(&file, &root, collect, &top, &err);
	}
	for (int i = 0; rc == 0 && i < top.count; i++) {
		uint64_t keys;
		rc = bolt_count(&file, &top.items[i].bucket, &keys, &err);
		if (rc == 0) {
			json_write_string(&out, top.items[i].key.ptr, top.items[i].key.len);
			buf_printf(&out, " %llu\n", (unsigned long long)keys);
		}
	}
	bolt_close(&file);
	free(data);
	if (rc < 0) {
		buf_free(&out);
		fprintf(stderr, "boltlist: %s\n", err.msg);
		return 1;
	}
	fputs(out.data ? out.data : "", stdout);
	buf_free(&out);
	return fflush(stdout) == 0 ? 0 : 2;
}

static int get_key(const char *path, const char *bucket, const char *key)
{
	struct bolt_file file;
	struct bolt_bucket root;
	struct bolt_item item;
	struct cs_error err = { "" };
	struct cs_buf out = CS_BUF_INIT;
	int rc = bolt_open(&file, path, &err);

	if (rc == 0) {
		bolt_root(&file, &root);
		rc = bolt_get(&file, &root, bucket, strlen(bucket), &item, &err);
	}
	if (rc == 1 && item.is_bucket)
		rc = bolt_get(&file, &item.bucket, key, strlen(key), &item, &err);
	else if (rc == 1)
		rc = 0; /* a key, not a bucket: nothing to look in */
	if (rc == 1)
		add_hex(&out, item.value);
	bolt_close(&file);
	if (rc < 0) {
		buf_free(&out);
		fprintf(stderr, "boltlist: %s\n", err.msg);
		return 1;
	}
	printf("%s\n", rc == 1 ? out.data : "absent");
	buf_free(&out);
	return fflush(stdout) == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
	static struct lister l; /* the path stack is big for a stack frame */
	struct bolt_file file;
	struct bolt_bucket root;
	struct cs_error err = { "" };
	bool count_only = argc == 3 && strcmp(argv[1], "-count") == 0;
	int rc;

	if (argc == 5 && strcmp(argv[1], "-get") == 0)
		return get_key(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "-keys") == 0)
		return count_keys(argv[2], false);
	if (argc == 4 && strcmp(argv[1], "-keys") == 0 && strcmp(argv[2], "-memory") == 0)
		return count_keys(argv[3], true);

	if (argc != 2 && !count_only) {
		fprintf(stderr, "usage: boltlist [-count] FILE | boltlist -keys [-memory] FILE | "
				"boltlist -get FILE BUCKET KEY\n");
		return 2;
	}
	if (bolt_open(&file, argv[argc - 1], &err) < 0) {
		fprintf(stderr, "boltlist: %s\n", err.msg);
		return 1;
	}
	bolt_root(&file, &root);
	bolt_walk_begin(&file);
	l.file = &file;
	l.count_only = count_only;
	rc = bolt_foreach(&file, &root, visit, &l, &err);
	if (rc == 0)
		rc = flush(&l, 1, &err);
	buf_free(&l.out);
	bolt_close(&file);
	if (rc == 0 && count_only)
		printf("%llu buckets, %llu keys, %llu bytes of keys and values\n",
		       (unsigned long long)l.buckets, (unsigned long long)l.keys,
		       (unsigned long long)l.bytes);
	if (rc == 0 && fflush(stdout) != 0) {
		l.write_failed = true;
		cs_fail(&err, "standard output: write error");
		rc = -1;
	}
	if (rc < 0) {
		fprintf(stderr, "boltlist: %s\n", err.msg);
		return l.write_failed ? 2 : 1;
	}
	return 0;
}
