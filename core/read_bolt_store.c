/*
 * Loading a daemon's cache.db: core/store_scan.c walks and parses the file
 * on one thread, this file builds the graph from its records on another.
 * We read straight from the file, without the daemon and without its lock;
 * if a writer commits far enough to reuse the pages we read, we read again.
 */
#include "bolt.h"
#include "graph_build.h"
#include "readers.h"
#include "store_scan.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ATTEMPTS 50

struct store_builder {
	struct cs_graph *g;
	struct cs_builder *b;
	bool counts_only;       /* results are counted, their IDs and times not kept */
	uint32_t node;          /* the key whose links or results come next */
};

static void take_record(struct store_builder *r, const struct scan_record *rec)
{
	const char *id = (const char *)rec->id.ptr;

	switch (rec->kind) {
	case SCAN_KEY:
		r->node = builder_node_hashed(r->b, id, rec->id.len, rec->id_hash);
		if (rec->root)
			builder_root(r->b, r->node, digests_intern(&r->g->digests, &rec->digest),
				     rec->random);
		break;
	case SCAN_LINK: {
		uint32_t child = builder_node_hashed(r->b, id, rec->id.len, rec->id_hash);
		/* counted, links need no digests (the walk left them out) */
		if (r->counts_only) {
			builder_link(r->b, r->node, child, rec->input, rec->output, CS_DIG_NONE, CS_DIG_NONE);
			break;
		}
		cs_dig selector = rec->has_selector ? digests_intern(&r->g->digests, &rec->selector)
						    : CS_DIG_NONE;
		builder_link(r->b, r->node, child, rec->input, rec->output,
			     digests_intern(&r->g->digests, &rec->digest), selector);
		break;
	}
	case SCAN_RESULTS_OF:
		/* results of a key no link mentions belong to no record */
		r->node = builder_find_hashed(r->b, id, rec->id.len, rec->id_hash);
		break;
	case SCAN_RESULT:
		if (r->node == CS_NONE)
			break;
		if (r->counts_only) {
			builder_result(r->b, r->node, CS_STR_NONE, CS_STR_NONE, CS_NONE);
			break;
		}
		builder_result(r->b, r->node, strings_add(&r->g->strings, id, rec->id.len),
			       rec->has_created ? strings_add(&r->g->strings,
							      (const char *)rec->created.ptr,
							      rec->created.len)
					        : CS_STR_NONE,
			       CS_NONE);
		break;
	}
}

static void take_block(void *ctx, const struct scan_block *block)
{
	for (uint32_t i = 0; i < block->count; i++)
		take_record(ctx, &block->records[i]);
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
static int read_snapshot(struct cs_graph *g, struct bolt_file *file, const struct cs_store_read *how,
			 struct cs_builder **built, struct cs_error *err)
{
	struct store_builder r = { .g = g, .node = CS_NONE, .counts_only = how->counts_only };
	struct bolt_bucket links, results;
	int found, has_results = 0, rc = -1;

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
	if (how->with_results)
		has_results = find_bucket(file, "_result", &results, err);
	if (has_results < 0)
		goto out;
	rc = store_scan(file, &links, has_results ? &results : NULL, !how->counts_only, take_block, &r,
			how->watch, err);
out:
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
		      struct cs_bytes memory, const struct cs_store_read *how, struct cs_error *err)
{
	struct cs_load_watch *watch = how->watch;
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
		if (watch)
			atomic_store(&watch->keys, 0);
		rc = read_snapshot(g, file, how, &b, err);
		if (!bolt_snapshot_intact(file)) {
			builder_free(b);
			continue;
		}
		if (rc < 0)
			return -1;
		if (watch && atomic_load(&watch->cancel)) {
			builder_free(b);
			return cs_fail(err, "%s: not read (stopped)", file->name);
		}
		graph_phase(g, "read cache.db", start);
		start = cs_now();
		rc = how->counts_only ? builder_finish_unordered(b, err) : builder_finish(b, err);
		builder_free(b);
		if (rc < 0)
			return cs_fail_context(err, "%s", file->name);
		graph_phase(g, "order records", start);
		return 0;
	}
	return cs_fail(err, "%s: kept changing while being read (%d attempts)", file->name, MAX_ATTEMPTS);
}

int read_bolt_store(struct cs_graph *g, const char *path, const struct cs_store_read *how,
		    struct cs_error *err)
{
	struct bolt_file file = { .fd = -1 };
	int rc = read_store(g, &file, path, cs_bytes_of(NULL, 0), how, err);

	g->results_skipped = !how->with_results;
	bolt_close(&file);
	return rc;
}

int read_bolt_store_memory(struct cs_graph *g, struct cs_bytes data, struct cs_error *err)
{
	struct bolt_file file = { .fd = -1 };
	struct cs_store_read how = { .with_results = true };
	int rc = read_store(g, &file, NULL, data, &how, err);

	bolt_close(&file);
	return rc;
}
