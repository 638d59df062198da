/*
 * The daemon's local cache key store, cache.db (solver/bboltcachestorage):
 *
 *   _links/<id>/<json>@<target id>   a link from key <id> to key <target>
 *   _result/<id>/<result id>         {"CreatedAt": ..., "ID": ...}
 *
 * Records start from the _links buckets named "sha256:..." or "random:...".
 * We read straight from the file, without the daemon and without its lock;
 * if a writer commits far enough to reuse the pages we read, we read again.
 */
#include "bolt.h"
#include "graph_build.h"
#include "json_flat.h"
#include "readers.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ATTEMPTS 50

struct store_reader {
	struct cs_graph *g;
	struct cs_builder *b;
	struct bolt_file *file;
	uint32_t node;          /* the key whose bucket is being read */
	struct cs_bytes id;     /* its store ID, for messages */
	/*
	 * Op digests seen, each with its outputKey(op, 0): alternatives share
	 * an op, so each is hashed once. Kept apart from the graph's digests,
	 * which the graph keeps: the graph needs only the folded digests.
	 */
	struct cs_digests ops;
	cs_dig *output0_key;
	size_t output0_cap;
};

static int fail_at(struct store_reader *r, struct cs_error *err, const char *bucket)
{
	return cs_fail_context(err, "%s: %s/%.*s", r->file->name, bucket,
			       (int)(r->id.len > 80 ? 80 : r->id.len), (const char *)r->id.ptr);
}

static cs_dig link_digest(struct store_reader *r, cs_dig op, int32_t output)
{
	struct cs_digest key;

	if (output == 0) {
		if (op >= r->output0_cap) {
			size_t old = r->output0_cap;
			XGROW(r->output0_key, r->output0_cap, (size_t)op + 1);
			memset(r->output0_key + old, 0xff, (r->output0_cap - old) * sizeof(cs_dig));
		}
		if (r->output0_key[op] != CS_DIG_NONE)
			return r->output0_key[op];
	}
	digest_output_key(digests_at(&r->ops, op), output, &key);
	cs_dig d = digests_intern(&r->g->digests, &key);
	if (output == 0)
		r->output0_key[op] = d;
	return d;
}

/* One key of _links/<id>: "<CacheInfoLink JSON>@<target id>". */
static int read_link(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct store_reader *r = ctx;
	const unsigned char *at = memchr(item->key.ptr, '@', item->key.len);
	struct json_flat_field f[] = {
		{ .name = "Input", .kind = JSON_FLAT_INT },
		{ .name = "Output", .kind = JSON_FLAT_INT },
		{ .name = "Digest", .kind = JSON_FLAT_STRING },
		{ .name = "Selector", .kind = JSON_FLAT_STRING },
	};

	if (item->is_bucket)
		return 0;
	if (!at || memchr(at + 1, '@', item->key.len - (size_t)(at - item->key.ptr) - 1))
		return cs_fail(err, "invalid link key (want one '@')");
	struct cs_bytes json = cs_bytes_of(item->key.ptr, (size_t)(at - item->key.ptr));
	struct cs_bytes target = cs_bytes_of(at + 1, item->key.len - json.len - 1);
	if (json_flat_parse(json, f, 4, err) < 0)
		return cs_fail_context(err, "invalid link");
	if (f[0].number < 0 || f[0].number > INT32_MAX || f[1].number < INT32_MIN || f[1].number > INT32_MAX)
		return cs_fail(err, "invalid link (input %lld, output %lld)",
			       (long long)f[0].number, (long long)f[1].number);
	cs_dig op = digests_intern_str(&r->ops, (const char *)f[2].string.ptr, f[2].string.len);
	if (op == CS_DIG_NONE)
		return cs_fail(err, "invalid link (digest is not sha256:<hex>)");
	cs_dig selector = CS_DIG_NONE;
	if (f[3].string.len) {
		selector = digests_intern_str(&r->g->digests, (const char *)f[3].string.ptr, f[3].string.len);
		if (selector == CS_DIG_NONE)
			return cs_fail(err, "invalid link (selector is not sha256:<hex>)");
	}
	if (target.len == 0)
		return cs_fail(err, "invalid link (no target ID)");
	uint32_t child = builder_node(r->b, (const char *)target.ptr, target.len);
	builder_link(r->b, r->node, child, (uint32_t)f[0].number, (int32_t)f[1].number,
		     link_digest(r, op, (int32_t)f[1].number), selector);
	return 0;
}

static int declare_key(struct store_reader *r, struct cs_bytes id, struct cs_error *err)
{
	bool random = cs_bytes_has_prefix(id, "random:");
	char text[CS_DIGEST_STRLEN];
	struct cs_digest d;

	r->node = builder_node(r->b, (const char *)id.ptr, id.len);
	r->id = id;
	if (!random && !cs_bytes_has_prefix(id, "sha256:"))
		return 0;
	/* a random root's digest is its hex under sha256:, as util/cachestore shows it */
	bool well_formed = id.len == sizeof(text);
	if (well_formed) {
		memcpy(text, "sha256:", 7);
		memcpy(text + 7, id.ptr + 7, 64);
		well_formed = digest_parse(text, sizeof(text), &d) == 0;
	}
	if (!well_formed)
		return cs_fail(err, "%s: root ID %.*s is not a sha256 digest", r->file->name,
			       (int)(id.len > 80 ? 80 : id.len), (const char *)id.ptr);
	builder_root(r->b, r->node, digests_intern(&r->g->digests, &d), random);
	return 0;
}

static int read_key_links(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct store_reader *r = ctx;

	/* the daemon's Walk takes buckets only */
	if (!item->is_bucket)
		return 0;
	if (declare_key(r, item->key, err) < 0)
		return -1;
	if (bolt_foreach(r->file, &item->bucket, read_link, r, err) < 0)
		return fail_at(r, err, "_links");
	return 0;
}

/* One key of _result/<id>: result ID -> {"CreatedAt":"...","ID":"..."}. */
static int read_result(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct store_reader *r = ctx;
	struct json_flat_field f[] = {
		{ .name = "CreatedAt", .kind = JSON_FLAT_STRING },
		{ .name = "ID", .kind = JSON_FLAT_STRING },
	};

	if (item->is_bucket)
		return 0;
	if (json_flat_parse(item->value, f, 2, err) < 0)
		return cs_fail_context(err, "invalid result");
	struct cs_bytes id = f[1].present ? f[1].string : item->key;
	uint32_t created = f[0].present ? strings_add(&r->g->strings, (const char *)f[0].string.ptr, f[0].string.len)
					: CS_STR_NONE;
	builder_result(r->b, r->node, strings_add(&r->g->strings, (const char *)id.ptr, id.len), created, CS_NONE);
	return 0;
}

static int read_key_results(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct store_reader *r = ctx;

	if (!item->is_bucket)
		return 0;
	r->id = item->key;
	r->node = builder_find(r->b, (const char *)item->key.ptr, item->key.len);
	/* results of a key no link mentions belong to no record */
	if (r->node == CS_NONE)
		return 0;
	if (bolt_foreach(r->file, &item->bucket, read_result, r, err) < 0)
		return fail_at(r, err, "_result");
	return 0;
}

static int find_bucket(struct bolt_file *file, const char *name, struct bolt_bucket *out,
		       struct cs_error *err)
{
	struct bolt_bucket root;
	struct bolt_item item;

	bolt_root(file, &root);
	int found = bolt_get(file, &root, name, strlen(name), &item, err);
	if (found <= 0 || !item.is_bucket)
		return found < 0 ? -1 : 0;
	*out = item.bucket;
	return 1;
}

/* One attempt at reading the whole store from the snapshot FILE shows. */
static int read_snapshot(struct cs_graph *g, struct bolt_file *file, struct cs_builder **built,
			 struct cs_error *err)
{
	struct store_reader r = { .g = g, .file = file };
	struct bolt_bucket links, results;
	int found, rc = -1;

	r.b = builder_new(g, CS_ORDER_STORE_WALK);
	found = find_bucket(file, "_links", &links, err);
	if (found < 0)
		goto out;
	if (!found) {
		struct bolt_bucket byhash;
		if (find_bucket(file, "byhash", &byhash, NULL) > 0)
			cs_fail(err, "%s: a plaintext store (cache-debug.db), not a cache store: give it with --debug-db",
				file->name);
		else
			cs_fail(err, "%s: not a BuildKit cache store (no _links bucket)", file->name);
		goto out;
	}
	bolt_walk_begin(file);
	if (bolt_foreach(file, &links, read_key_links, &r, err) < 0)
		goto out;
	found = find_bucket(file, "_result", &results, err);
	if (found < 0)
		goto out;
	if (found && bolt_foreach(file, &results, read_key_results, &r, err) < 0)
		goto out;
	rc = 0;
out:
	free(r.output0_key);
	digests_free(&r.ops);
	if (rc < 0) {
		builder_free(r.b);
		r.b = NULL;
	}
	*built = r.b;
	return rc;
}

/* Forgets what a failed attempt added, so the next starts clean. */
static void reset_graph(struct cs_graph *g)
{
	digests_free(&g->digests);
	strings_free(&g->strings);
	digests_init(&g->digests);
	strings_init(&g->strings);
}

static int read_store(struct cs_graph *g, struct bolt_file *file, const char *path,
		      struct cs_bytes memory, struct cs_error *err)
{
	double start = cs_now();

	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		struct cs_builder *b = NULL;
		int rc;

		if (attempt > 0) {
			bolt_close(file);
			reset_graph(g);
		}
		rc = path ? bolt_open(file, path, err)
			  : bolt_open_memory(file, memory.ptr, memory.len, g->origin, err);
		if (rc < 0)
			return -1;
		rc = read_snapshot(g, file, &b, err);
		if (!bolt_snapshot_intact(file)) {
			builder_free(b);
			continue;
		}
		if (rc < 0)
			return -1;
		graph_phase(g, "read cache.db", start);
		start = cs_now();
		rc = builder_finish(b, err);
		builder_free(b);
		if (rc < 0)
			return cs_fail_context(err, "%s", file->name);
		graph_phase(g, "order records", start);
		return 0;
	}
	return cs_fail(err, "%s: kept changing while being read (%d attempts)", file->name, MAX_ATTEMPTS);
}

int read_bolt_store(struct cs_graph *g, const char *path, struct cs_error *err)
{
	struct bolt_file file = { .fd = -1 };
	int rc = read_store(g, &file, path, cs_bytes_of(NULL, 0), err);

	bolt_close(&file);
	return rc;
}

int read_bolt_store_memory(struct cs_graph *g, struct cs_bytes data, struct cs_error *err)
{
	struct bolt_file file = { .fd = -1 };
	int rc = read_store(g, &file, NULL, data, err);

	bolt_close(&file);
	return rc;
}
