#include "buf.h"
#include "describe.h"
#include "diff_private.h"
#include "plainstore.h"
#include "plaintext.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *diff_cause_name(enum diff_cause_kind kind)
{
	switch (kind) {
	case CAUSE_OP_CHANGED: return "op-changed";
	case CAUSE_SELECTOR_CHANGED: return "selector-changed";
	case CAUSE_INPUT_CHANGED: return "input-changed";
	case CAUSE_CONTENT_CHANGED: return "content-changed";
	case CAUSE_IMAGE_CHANGED: return "image-changed";
	case CAUSE_SOURCE_CHANGED: return "source-changed";
	case CAUSE_NEW: return "only-in-b";
	}
	return "?";
}

/*
 * The data of one plaintext record, not its sub-records: 1 with OUT set,
 * 0 when no store has it, -1 on error. Sorting a root needs a record or
 * two, not the whole tree (a content checksum's tree is every file).
 */
static int record_data(const struct cs_graph *g, const struct cs_digest *d, struct cs_buf *run, struct cs_buf *out,
		       struct cs_error *err)
{
	for (int i = 0; i < g->plain_count; i++) {
		struct cs_plainstore *store = g->plain[i];
		int found = store->ops->lookup(store, d, run, err);
		if (found < 0)
			return -1;
		if (!found)
			continue;
		struct cs_bytes type;
		struct cs_frame *frames;
		size_t count;
		if (frames_decode(cs_bytes_of(run->data, run->len), &type, &frames, &count, err) < 0)
			return cs_fail_context(err, "%s", store->name);
		buf_reset(out);
		for (size_t k = 0; k < count; k++)
			if (frames[k].id == CS_FRAME_DATA)
				buf_add(out, frames[k].data, frames[k].len);
		free(frames);
		return 1;
	}
	return 0;
}

#define SOURCE_PREFIX "buildkit.source.v0:"

/*
 * Without plaintexts, what the root's result says it is (a daemon
 * without --save-cache-debug): "pulled from alpine", "local source for
 * context", or a content checksum by its shape (describe_record.c).
 */
static int sort_by_result(const struct cs_graph *g, cs_node_id n, struct cs_error *err)
{
	struct cs_description d = { KIND_UNKNOWN, NULL, 0 };
	int sort = ROOT_UNKNOWN;

	if (describe_from_results(g, n, &d, err) < 0)
		return -1;
	if (d.kind == KIND_CONTENT)
		sort = ROOT_CONTENT;
	else if (d.kind == KIND_IMAGE)
		sort = ROOT_IMAGE;
	else if (d.kind != KIND_UNKNOWN)
		sort = ROOT_SOURCE;
	description_free(&d);
	return sort;
}

/*
 * A root's digest is a rootKey, "sha256:<x>@<output>": output -1 is a
 * content checksum; otherwise <x> is a source, "buildkit.source.v0:" and
 * an identifier, which for an image is the digest of its JSON.
 */
static int sort_root(const struct cs_graph *g, cs_node_id n, struct cs_error *err)
{
	struct cs_buf run = CS_BUF_INIT, data = CS_BUF_INIT;
	struct cs_digest source;
	int sort = ROOT_UNKNOWN;
	int rc = record_data(g, graph_digest(g, g->nodes[n].digest), &run, &data, err);

	if (rc > 0 && data.len >= 3 && memcmp(data.data + data.len - 3, "@-1", 3) == 0) {
		sort = ROOT_CONTENT;
	} else if (rc > 0) {
		sort = ROOT_SOURCE;
		if (data.len > CS_DIGEST_STRLEN && data.data[CS_DIGEST_STRLEN] == '@' &&
		    digest_parse(data.data, CS_DIGEST_STRLEN, &source) == 0 &&
		    (rc = record_data(g, &source, &run, &data, err)) > 0 && data.len >= strlen(SOURCE_PREFIX "sha256:") &&
		    memcmp(data.data, SOURCE_PREFIX "sha256:", strlen(SOURCE_PREFIX "sha256:")) == 0)
			sort = ROOT_IMAGE;
	}
	buf_free(&run);
	buf_free(&data);
	if (rc == 0)
		return sort_by_result(g, n, err);
	return rc < 0 ? -1 : sort;
}

int diff_root_sort(struct diff_work *w, bool on_b, cs_node_id n, struct cs_error *err)
{
	uint8_t *sorts = on_b ? w->b_sort : w->a_sort;

	if (!sorts[n]) {
		int sort = sort_root(on_b ? w->d->b : w->d->a, n, err);
		if (sort < 0)
			return -1;
		sorts[n] = (uint8_t)(sort + 1);
	}
	return sorts[n] - 1;
}

/*
 * Pairing asks the sort of nearly every root without a twin, one or two
 * plaintext lookups each, tens of thousands between two big stores. When
 * the two sides' stores share nothing, A's roots are sorted on a second
 * thread while this one sorts B's; pairing then finds every answer ready.
 */
struct presort {
	struct diff_work *w;
	bool on_b;
	int rc;
	struct cs_error err;
};

static bool needs_sort(const struct cs_graph *g, const cs_node_id *twin, cs_node_id n)
{
	return node_is_root(g, n) && !node_is_random(g, n) && twin[n] == CS_NONE;
}

static void *presort_side(void *arg)
{
	struct presort *p = arg;
	const struct cs_graph *g = p->on_b ? p->w->d->b : p->w->d->a;
	const cs_node_id *twin = p->on_b ? p->w->d->b_to_a : p->w->d->a_to_b;
	uint64_t count = 0;

	p->rc = 0;
	for (cs_node_id n = 0; n < g->node_count; n++)
		count += needs_sort(g, twin, n);
	for (int i = 0; i < g->plain_count && count; i++)
		plainstore_map_resident(g->plain[i], count);
	for (cs_node_id n = 0; n < g->node_count && p->rc == 0; n++)
		if (needs_sort(g, twin, n) && diff_root_sort(p->w, p->on_b, n, &p->err) < 0)
			p->rc = -1;
	return NULL;
}

static bool stores_apart(const struct cs_graph *g)
{
	for (int i = 0; i < g->plain_count; i++)
		if (!g->plain[i]->ops->apart)
			return false;
	return true;
}

static int presort_roots(struct diff_work *w, struct cs_error *err)
{
	struct presort side[2] = { { .w = w, .on_b = false }, { .w = w, .on_b = true } };
	pthread_t thread;

	/* otherwise pairing sorts each root when it gets to it */
	if (!stores_apart(w->d->a) || !stores_apart(w->d->b) ||
	    pthread_create(&thread, NULL, presort_side, &side[0]) != 0)
		return 0;
	presort_side(&side[1]);
	pthread_join(thread, NULL);
	for (int i = 0; i < 2; i++)
		if (side[i].rc < 0) {
			*err = side[i].err;
			return -1;
		}
	return 0;
}

static cs_node_id *node_array(uint32_t count)
{
	cs_node_id *array = xmalloc((count ? count : 1) * sizeof(*array));

	memset(array, 0xff, count * sizeof(*array));
	return array;
}

int diff_graphs(const struct cs_graph *a, const struct cs_graph *b, struct cs_diff **out,
		struct cs_error *err)
{
	struct cs_diff *d = xcalloc(1, sizeof(*d));
	double start = cs_now();
	cs_dig *map;

	d->a = a;
	d->b = b;
	d->a_to_b = node_array(a->node_count);
	d->b_to_a = node_array(b->node_count);
	d->a_counterpart = node_array(a->node_count);
	d->b_counterpart = node_array(b->node_count);
	d->b_cause = node_array(b->node_count);
	d->a_status = xcalloc(a->node_count ? a->node_count : 1, 1);
	d->b_status = xcalloc(b->node_count ? b->node_count : 1, 1);
	map = diff_map_digests(a, b);
	cs_node_id *b_order = diff_topological(b);
	struct diff_work w = { d, map, b_order, xcalloc(a->node_count ? a->node_count : 1, 1),
			       xcalloc(b->node_count ? b->node_count : 1, 1) };
	int rc = diff_match(d, map, b_order);
	if (rc == 0)
		rc = presort_roots(&w, err);
	if (rc == 0)
		rc = diff_find_counterparts(&w, err);
	if (rc == 0)
		rc = diff_find_causes(&w, err);
	free(w.a_sort);
	free(w.b_sort);
	free(b_order);
	free(map);
	d->seconds = cs_now() - start;
	if (rc < 0) {
		diff_free(d);
		return -1;
	}
	*out = d;
	return 0;
}

void diff_free(struct cs_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->cause_count; i++) {
		diff_changes_free(&d->causes[i]);
		free(d->causes[i].consequences);
		free(d->causes[i].also_b);
		free(d->causes[i].also_a);
	}
	free(d->causes);
	free(d->a_to_b);
	free(d->b_to_a);
	free(d->a_counterpart);
	free(d->b_counterpart);
	free(d->b_cause);
	free(d->a_status);
	free(d->b_status);
	free(d);
}

bool diff_same(const struct cs_diff *d)
{
	return d->only_a == 0 && d->only_b == 0 && d->changed == 0 && d->cause_count == 0;
}

enum diff_node_state diff_node_state(const struct cs_diff *d, bool on_b, cs_node_id n)
{
	uint8_t status = on_b ? d->b_status[n] : d->a_status[n];
	const cs_node_id *counterpart = on_b ? d->b_counterpart : d->a_counterpart;

	if (status == DIFF_SAME)
		return NODE_SAME;
	if (status == DIFF_CHANGED)
		return NODE_CHANGED;
	if (counterpart[n] != CS_NONE)
		return NODE_COUNTERPART;
	return on_b ? NODE_ONLY_B : NODE_ONLY_A;
}

cs_node_id diff_other(const struct cs_diff *d, bool on_b, cs_node_id n)
{
	cs_node_id twin = on_b ? d->b_to_a[n] : d->a_to_b[n];

	if (twin != CS_NONE)
		return twin;
	return on_b ? d->b_counterpart[n] : d->a_counterpart[n];
}

const struct diff_cause *diff_cause_of(const struct cs_diff *d, cs_node_id b_node)
{
	uint32_t i = d->b_cause[b_node];

	return i == DIFF_NO_CAUSE ? NULL : &d->causes[i];
}

static int parent_ref_cmp(const void *pa, const void *pb)
{
	const struct parent_ref *x = pa, *y = pb;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return x->input < y->input ? -1 : x->input > y->input;
}

void parent_index_build(const struct cs_graph *g, cs_node_id n, struct parent_index *out)
{
	out->count = graph_parent_count(g, n);
	out->items = xmalloc((out->count ? out->count : 1) * sizeof(*out->items));
	for (uint32_t k = 0; k < out->count; k++) {
		const struct cs_link *l = graph_parent(g, n, k);
		out->items[k] = (struct parent_ref){ l->parent, l->input, l };
	}
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(*out->items), parent_ref_cmp);
}

/* The first item not below (PARENT, INPUT), or above it with UPPER. */
static uint32_t parent_search(const struct parent_index *x, cs_node_id parent, uint32_t input, bool upper)
{
	struct parent_ref key = { parent, input, NULL };
	uint32_t lo = 0, hi = x->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = parent_ref_cmp(&x->items[mid], &key);
		if (c < 0 || (upper && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void parent_index_find(const struct parent_index *x, cs_node_id parent, uint32_t input, uint32_t *lo, uint32_t *hi)
{
	*lo = parent_search(x, parent, input, false);
	*hi = parent_search(x, parent, input, true);
}

void parent_index_free(struct parent_index *x)
{
	free(x->items);
	x->items = NULL;
	x->count = 0;
}
