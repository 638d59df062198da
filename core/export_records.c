#include "export_records.h"
#include "graph_build.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct export_record *export_records_begin(struct export_records *e, int64_t id)
{
	XGROW(e->records, e->record_cap, e->record_count + 1);
	struct export_record *r = &e->records[e->record_count++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->digest = CS_DIG_NONE;
	r->first_link = (uint32_t)e->link_count;
	return r;
}

void export_records_link(struct export_records *e, const struct export_link *l)
{
	XGROW(e->links, e->link_cap, e->link_count + 1);
	e->links[e->link_count++] = *l;
	e->records[e->record_count - 1].link_count++;
}

void export_records_drop_links(struct export_records *e)
{
	struct export_record *r = &e->records[e->record_count - 1];

	e->link_count = r->first_link;
	r->link_count = 0;
}

void export_records_free(struct export_records *e)
{
	free(e->records);
	free(e->links);
	memset(e, 0, sizeof(*e));
}

struct id_index {
	int64_t id;
	uint32_t record;
};

static int id_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct id_index *)a)->id, y = ((const struct id_index *)b)->id;

	return x < y ? -1 : x > y;
}

static uint32_t record_of(const struct id_index *ids, size_t count, int64_t id)
{
	struct id_index want = { id, 0 };
	const struct id_index *hit = bsearch(&want, ids, count, sizeof(*ids), id_cmp);

	return hit ? hit->record : CS_NONE;
}

static void name_records(struct export_records *e, struct cs_graph *g, struct cs_builder *b)
{
	char key[CS_DIGEST_STRLEN + 1];

	for (size_t i = 0; i < e->record_count; i++) {
		struct export_record *rec = &e->records[i];
		if (rec->digest != CS_DIG_NONE) {
			digest_format(digests_at(&g->digests, rec->digest), key);
			if (rec->random)
				memcpy(key, "random:", 7);
		} else {
			/* zero-padded, so store IDs sort as the numbers do */
			snprintf(key, sizeof(key), "x%020lld", (long long)rec->id);
		}
		rec->node = builder_node(b, key, strlen(key));
		if (rec->digest != CS_DIG_NONE)
			builder_root(b, rec->node, rec->digest, rec->random);
	}
}

static int link_records(struct export_records *e, struct cs_builder *b, const struct id_index *ids,
			const char *name, struct cs_error *err)
{
	for (size_t i = 0; i < e->record_count; i++) {
		const struct export_record *rec = &e->records[i];
		for (uint32_t k = 0; k < rec->link_count; k++) {
			const struct export_link *l = &e->links[rec->first_link + k];
			uint32_t parent = record_of(ids, e->record_count, l->target);
			if (parent == CS_NONE)
				return cs_fail(err, "%s: record %lld names parent %lld, which is not in the export",
					       name, (long long)rec->id, (long long)l->target);
			builder_link(b, e->records[parent].node, rec->node, l->input, l->output,
				     l->digest, l->selector);
		}
	}
	return 0;
}

int export_records_build(struct export_records *e, struct cs_graph *g, const char *name,
			 struct cs_error *err)
{
	struct id_index *ids = xmalloc((e->record_count ? e->record_count : 1) * sizeof(*ids));
	struct cs_builder *b = builder_new(g, CS_ORDER_AS_ADDED);
	int rc = 0;

	for (size_t i = 0; i < e->record_count; i++)
		ids[i] = (struct id_index){ e->records[i].id, (uint32_t)i };
	qsort(ids, e->record_count, sizeof(*ids), id_cmp);
	for (size_t i = 1; i < e->record_count && rc == 0; i++)
		if (ids[i].id == ids[i - 1].id)
			rc = cs_fail(err, "%s: record ID %lld appears twice", name, (long long)ids[i].id);
	if (rc == 0) {
		name_records(e, g, b);
		rc = link_records(e, b, ids, name, err);
	}
	if (rc == 0 && builder_finish(b, err) < 0)
		rc = cs_fail_context(err, "%s", name);
	builder_free(b);
	free(ids);
	return rc;
}

/* How far behind the furthest lookup pages stay mapped in. */
#define LOOKUP_WINDOW ((size_t)16 << 20)

/*
 * Drops the pages of [FROM, TO) of a mapped input. input_consumed only goes
 * forward from where the scan got to, and the lookups come after the scan,
 * so they hand back the pages they brought in themselves.
 */
static void release_range(const struct cs_input *in, size_t from, size_t to)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!in->mapped || page <= 0)
		return;
	/* the mapping starts on a page: round FROM up and TO down to pages */
	from = (from + (size_t)page - 1) / (size_t)page * (size_t)page;
	to = to / (size_t)page * (size_t)page;
	if (to > from)
		madvise((void *)(in->data.ptr + from), to - from, MADV_DONTNEED);
}

void export_lookup_at(struct export_lookups *l, const struct cs_input *in, size_t at)
{
	if (at > l->furthest)
		l->furthest = at;
	if (l->furthest >= l->released + 2 * LOOKUP_WINDOW) {
		release_range(in, l->released, l->furthest - LOOKUP_WINDOW);
		l->released = l->furthest - LOOKUP_WINDOW;
	}
}
