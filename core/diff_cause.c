/*
 * Why B misses. Walking B parents first, a node only in B is a root cause
 * when it differs in itself, and follows from upstream otherwise:
 *
 *   a root            its content or source changed (it has a counterpart)
 *                     or it is new; but a content checksum of files a new
 *                     step made (COPY --from=that-step) changed because
 *                     the step did, so it follows from that step;
 *   a step            its op changed (its counterpart runs another op),
 *                     whatever its inputs did; else, when an input is not
 *                     met (no parent on it has a twin), it follows from
 *                     upstream; else a selector or an input changed, or it
 *                     is new where all its inputs are met.
 *
 * Roots that feed exactly the same places are keys of one source (an
 * image is keyed by manifest and by config): they make one cause. Below a
 * cause, whatever is not the same on both sides is its consequence, each
 * node claimed once, by the first cause in B's order that reaches it.
 */
#include "describe.h"
#include "diff_private.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SIBLINGS 4096 /* parents of a step looked through for a content root's sibling */

static int cause_cmp(const void *x, const void *y);

struct cause_finder {
	struct diff_work *w;
	struct cs_diff *d;
	uint8_t *is_cause;  /* per B node */
	uint8_t *derived;   /* per B node: a content root that follows from a new step */
	struct cs_error *err;
	size_t *capacity;   /* per cause: room in its consequences */
};

static void add_cause(struct cause_finder *f, enum diff_cause_kind kind, cs_node_id bn)
{
	struct cs_diff *d = f->d;

	d->causes = xreallocarray(d->causes, d->cause_count + 1, sizeof(*d->causes));
	struct diff_cause *c = &d->causes[d->cause_count++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->b_node = bn;
	c->a_node = d->b_counterpart[bn];
	f->is_cause[bn] = 1;
}

/*
 * Every input of BN is met: on each, a fixed parent has a twin, or only
 * random roots feed it. Parents run by input: one walk.
 */
static bool inputs_met(const struct cs_diff *d, cs_node_id bn)
{
	const struct cs_graph *b = d->b;
	uint32_t count = graph_parent_count(b, bn);

	for (uint32_t k = 0; k < count;) {
		uint32_t input = graph_parent(b, bn, k)->input;
		bool fixed = false, met = false;
		for (; k < count && graph_parent(b, bn, k)->input == input; k++) {
			cs_node_id p = graph_parent(b, bn, k)->parent;
			if (node_is_random(b, p))
				continue;
			fixed = true;
			met = met || d->b_to_a[p] != CS_NONE;
		}
		if (fixed && !met)
			return false;
	}
	return true;
}

/* Some parent of BN stands in A as a parent of its counterpart AN on the same input, but no link selects as BN's does. */
static bool selector_differs(const struct cs_diff *d, cs_node_id bn, cs_node_id an)
{
	const struct cs_graph *a = d->a, *b = d->b;
	struct parent_index index;
	bool differs = false;

	parent_index_build(a, an, &index);
	for (uint32_t k = 0; k < graph_parent_count(b, bn) && !differs; k++) {
		const struct cs_link *bl = graph_parent(b, bn, k);
		cs_node_id pa = diff_other(d, true, bl->parent);
		uint32_t lo, hi;
		if (pa == CS_NONE)
			continue;
		parent_index_find(&index, pa, bl->input, &lo, &hi);
		bool same = false;
		for (uint32_t q = lo; q < hi && !same; q++) {
			const struct cs_digest *as = graph_digest(a, index.items[q].link->selector);
			const struct cs_digest *bs = graph_digest(b, bl->selector);
			same = !as == !bs && (!as || digest_eq(as, bs));
		}
		differs = lo < hi && !same;
	}
	parent_index_free(&index);
	return differs;
}

/*
 * A content checksum beside a step only in B on the same input (COPY
 * --from=that-step) sums files that step made: it changed because the
 * step did. Beside only roots (a build context, an image) it is a cause.
 */
static bool derived_content(const struct cs_diff *d, cs_node_id root)
{
	const struct cs_graph *b = d->b;

	/* a COPY's content feeds a step or two; past the bound it is taken as a cause (listed, not lost) */
	if (graph_child_count(b, root) > MAX_SIBLINGS)
		return false;
	for (uint32_t k = 0; k < graph_child_count(b, root); k++) {
		const struct cs_link *l = graph_child(b, root, k);
		bool beside_new_step = false;
		for (uint32_t q = 0; q < graph_parent_count(b, l->child) && q < MAX_SIBLINGS && !beside_new_step; q++) {
			const struct cs_link *sib = graph_parent(b, l->child, q);
			beside_new_step = sib->input == l->input && !node_is_root(b, sib->parent) &&
					  d->b_status[sib->parent] == DIFF_ONLY;
		}
		if (!beside_new_step)
			return false;
	}
	return graph_child_count(b, root) > 0;
}

static int root_cause(struct cause_finder *f, cs_node_id root)
{
	int sort = diff_root_sort(f->w, true, root, f->err);

	if (sort < 0)
		return -1;
	if (sort == ROOT_CONTENT && derived_content(f->d, root)) {
		f->derived[root] = 1;
		return 0;
	}
	enum diff_cause_kind kind = sort == ROOT_CONTENT ? CAUSE_CONTENT_CHANGED
				  : sort == ROOT_IMAGE	 ? CAUSE_IMAGE_CHANGED
							 : CAUSE_SOURCE_CHANGED;
	add_cause(f, f->d->b_counterpart[root] == CS_NONE ? CAUSE_NEW : kind, root);
	return 0;
}

static void step_cause(struct cause_finder *f, cs_node_id bn)
{
	const struct cs_diff *d = f->d;
	cs_node_id an = d->b_counterpart[bn];

	if (an != CS_NONE && !digest_eq(node_op(d->a, an), node_op(d->b, bn)))
		add_cause(f, CAUSE_OP_CHANGED, bn);
	else if (!inputs_met(d, bn))
		return; /* it follows from a difference upstream */
	else if (an == CS_NONE)
		add_cause(f, CAUSE_NEW, bn);
	else if (selector_differs(d, bn, an))
		add_cause(f, CAUSE_SELECTOR_CHANGED, bn);
	else
		add_cause(f, CAUSE_INPUT_CHANGED, bn);
}

/* ---- keys of one source: roots of one kind feeding exactly the same places ---- */

struct place {
	cs_node_id child;
	uint32_t input;
};

static int place_cmp(const void *pa, const void *pb)
{
	const struct place *x = pa, *y = pb;

	if (x->child != y->child)
		return x->child < y->child ? -1 : 1;
	return x->input < y->input ? -1 : x->input > y->input;
}

/* ROOT's places, sorted (caller frees); *COUNT how many. */
static struct place *places_of(const struct cs_graph *g, cs_node_id root, uint32_t *count)
{
	*count = graph_child_count(g, root);
	struct place *p = xmalloc((*count ? *count : 1) * sizeof(*p));

	for (uint32_t k = 0; k < *count; k++)
		p[k] = (struct place){ graph_child(g, root, k)->child, graph_child(g, root, k)->input };
	qsort(p, *count, sizeof(*p), place_cmp);
	return p;
}

static bool same_places(const struct cs_graph *g, cs_node_id x, cs_node_id y)
{
	uint32_t nx, ny;
	struct place *px = places_of(g, x, &nx), *py = places_of(g, y, &ny);
	bool same = nx == ny && nx > 0 && memcmp(px, py, nx * sizeof(*px)) == 0;

	free(px);
	free(py);
	return same;
}

struct root_group {
	uint64_t signature; /* of the places: equal places, equal signatures */
	uint32_t kind;
	size_t cause;
};

static int group_cmp(const void *pa, const void *pb)
{
	const struct root_group *x = pa, *y = pb;

	if (x->signature != y->signature)
		return x->signature < y->signature ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->cause < y->cause ? -1 : x->cause > y->cause;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	return x ^ (x >> 33);
}

static uint64_t places_signature(const struct cs_graph *g, cs_node_id root)
{
	uint64_t sig = graph_child_count(g, root);

	/* a sum: the order of the links does not matter */
	for (uint32_t k = 0; k < graph_child_count(g, root); k++)
		sig += mix64((uint64_t)graph_child(g, root, k)->child << 32 | graph_child(g, root, k)->input);
	return sig;
}

static void absorb(struct diff_cause *into, struct diff_cause *from)
{
	into->also_b = xreallocarray(into->also_b, into->also_count + 1, sizeof(*into->also_b));
	into->also_a = xreallocarray(into->also_a, into->also_count + 1, sizeof(*into->also_a));
	into->also_b[into->also_count] = from->b_node;
	into->also_a[into->also_count] = from->a_node;
	into->also_count++;
	from->b_node = CS_NONE;
}

/* An image root named by reference, not only by digest ("image sha256:..."). */
static int has_reference(const struct cs_graph *g, cs_node_id n, struct cs_error *err)
{
	struct cs_description desc;

	if (describe_node(g, n, &desc, err) < 0)
		return -1;
	int named = desc.kind == KIND_IMAGE && desc.summary && strncmp(desc.summary, "image ", 6) != 0;
	description_free(&desc);
	return named;
}

/* An image cause is headed by the key that names the image, for the reader. */
static int head_by_reference(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	int named = c->kind == CAUSE_IMAGE_CHANGED && c->also_count ? has_reference(d->b, c->b_node, err) : 1;

	for (size_t k = 0; named == 0 && k < c->also_count; k++) {
		if ((named = has_reference(d->b, c->also_b[k], err)) <= 0)
			continue;
		cs_node_id b = c->b_node, a = c->a_node;
		c->b_node = c->also_b[k];
		c->a_node = c->also_a[k];
		c->also_b[k] = b;
		c->also_a[k] = a;
	}
	return named < 0 ? -1 : 0;
}

/* Folds the causes at other keys of one source into the first; causes stay in B's order. */
static void merge_source_keys(const struct diff_work *w)
{
	struct cs_diff *d = w->d;
	struct root_group *groups = xmalloc((d->cause_count ? d->cause_count : 1) * sizeof(*groups));
	size_t count = 0, kept = 0;

	for (size_t i = 0; i < d->cause_count; i++) {
		cs_node_id bn = d->causes[i].b_node;
		if (node_is_root(d->b, bn))
			/* kind and sort: two new roots are one source only if of one sort */
			groups[count++] = (struct root_group){ places_signature(d->b, bn),
							       d->causes[i].kind * 8u + w->b_sort[bn], i };
	}
	if (count > 1)
		qsort(groups, count, sizeof(*groups), group_cmp);
	for (size_t i = 0; i < count;) {
		size_t end = i + 1;
		while (end < count && groups[end].signature == groups[i].signature && groups[end].kind == groups[i].kind)
			end++;
		/* the first of a run is the lowest B node: it stays, the rest of the same places join it */
		for (size_t k = i + 1; k < end; k++) {
			struct diff_cause *first = &d->causes[groups[i].cause], *other = &d->causes[groups[k].cause];
			if (same_places(d->b, first->b_node, other->b_node))
				absorb(first, other);
		}
		i = end;
	}
	for (size_t i = 0; i < d->cause_count; i++)
		if (d->causes[i].b_node != CS_NONE)
			d->causes[kept++] = d->causes[i];
	d->cause_count = kept;
	free(groups);
}

static int head_causes(struct cs_diff *d, struct cs_error *err)
{
	for (size_t i = 0; i < d->cause_count; i++)
		if (head_by_reference(d, &d->causes[i], err) < 0)
			return -1;
	/* a new head may have moved a cause in B's order */
	if (d->cause_count > 1)
		qsort(d->causes, d->cause_count, sizeof(*d->causes), cause_cmp);
	return 0;
}

/* ---- consequences ---- */

struct queue {
	cs_node_id *items;
	size_t head, tail, cap;
};

static void push(struct queue *q, cs_node_id n)
{
	XGROW(q->items, q->cap, q->tail + 1);
	q->items[q->tail++] = n;
}

static void add_consequence(struct cause_finder *f, uint32_t index, cs_node_id n)
{
	struct diff_cause *c = &f->d->causes[index];

	XGROW(c->consequences, f->capacity[index], c->consequence_count + 1);
	c->consequences[c->consequence_count++] = n;
	f->d->b_cause[n] = index;
}

/* Below cause INDEX, what is not the same on both sides and not yet claimed follows from it. */
static void collect_consequences(struct cause_finder *f, uint32_t index, struct queue *q)
{
	struct cs_diff *d = f->d;
	const struct cs_graph *b = d->b;
	const struct diff_cause *c = &d->causes[index];

	q->head = q->tail = 0;
	push(q, c->b_node);
	for (size_t i = 0; i < c->also_count; i++)
		push(q, c->also_b[i]);
	while (q->head < q->tail) {
		cs_node_id x = q->items[q->head++];
		for (uint32_t k = 0; k < graph_child_count(b, x); k++) {
			cs_node_id child = graph_child(b, x, k)->child;
			if (d->b_cause[child] != DIFF_NO_CAUSE || f->is_cause[child] || d->b_status[child] == DIFF_SAME)
				continue;
			add_consequence(f, index, child);
			push(q, child);
		}
	}
}

/* A derived content root follows from the cause its new sibling step follows from. */
static void claim_derived(struct cause_finder *f, cs_node_id root)
{
	struct cs_diff *d = f->d;
	const struct cs_graph *b = d->b;

	for (uint32_t k = 0; k < graph_child_count(b, root); k++) {
		const struct cs_link *l = graph_child(b, root, k);
		for (uint32_t q = 0; q < graph_parent_count(b, l->child) && q < MAX_SIBLINGS; q++) {
			const struct cs_link *sib = graph_parent(b, l->child, q);
			if (sib->input == l->input && !node_is_root(b, sib->parent) &&
			    d->b_cause[sib->parent] != DIFF_NO_CAUSE) {
				add_consequence(f, d->b_cause[sib->parent], root);
				return;
			}
		}
	}
}

static int node_cmp(const void *x, const void *y)
{
	cs_node_id a = *(const cs_node_id *)x, b = *(const cs_node_id *)y;

	return a < b ? -1 : a > b;
}

static int cause_cmp(const void *x, const void *y)
{
	const struct diff_cause *a = x, *b = y;

	return node_cmp(&a->b_node, &b->b_node);
}

static int find(struct cause_finder *f)
{
	const struct cs_diff *d = f->d;
	const cs_node_id *order = f->w->b_order;
	int rc = 0;

	for (uint32_t i = 0; i < d->b->node_count && rc == 0; i++) {
		cs_node_id bn = order[i];
		if (d->b_status[bn] != DIFF_ONLY || node_is_random(d->b, bn))
			continue;
		if (node_is_root(d->b, bn))
			rc = root_cause(f, bn);
		else
			step_cause(f, bn);
	}
	return rc;
}

int diff_find_causes(struct diff_work *w, struct cs_error *err)
{
	struct cs_diff *d = w->d;
	uint32_t n = d->b->node_count ? d->b->node_count : 1;
	struct cause_finder f = { w, d, xcalloc(n, 1), xcalloc(n, 1), err, NULL };
	struct queue q = { 0 };
	int rc = find(&f);

	/* found parents first; listed in B's order, which a reader follows */
	if (rc == 0 && d->cause_count > 1)
		qsort(d->causes, d->cause_count, sizeof(*d->causes), cause_cmp);
	if (rc == 0) {
		merge_source_keys(w);
		rc = head_causes(d, err);
	}
	for (uint32_t i = 0; rc == 0 && i < d->cause_count; i++) {
		d->b_cause[d->causes[i].b_node] = i;
		for (size_t k = 0; k < d->causes[i].also_count; k++) {
			d->b_cause[d->causes[i].also_b[k]] = i;
			f.is_cause[d->causes[i].also_b[k]] = 1;
		}
	}
	f.capacity = xcalloc(d->cause_count ? d->cause_count : 1, sizeof(*f.capacity));
	for (uint32_t i = 0; rc == 0 && i < d->cause_count; i++)
		collect_consequences(&f, i, &q);
	for (cs_node_id bn = 0; rc == 0 && bn < d->b->node_count; bn++)
		if (f.derived[bn])
			claim_derived(&f, bn);
	for (size_t i = 0; rc == 0 && i < d->cause_count; i++) {
		struct diff_cause *c = &d->causes[i];
		if (c->consequence_count > 1)
			qsort(c->consequences, c->consequence_count, sizeof(*c->consequences), node_cmp);
		rc = diff_explain(d, c, err);
	}
	free(q.items);
	free(f.capacity);
	free(f.is_cause);
	free(f.derived);
	return rc;
}
