/*
 * Why B misses: walking B parents first, each node only in B either has
 * every input met (its own op or selector differs, or it is new: a root
 * cause) or lacks one (it follows from something upstream). A root only in
 * B is a cause when something downstream lacks it. Everything below a cause
 * that is not the same on both sides is listed as its consequence.
 */
#include "diff_private.h"
#include "plaintext.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct cause_finder {
	struct cs_diff *d;
	const cs_dig *map;
	uint8_t *is_cause;   /* per B node */
};

static struct diff_cause *add_cause(struct cause_finder *f, enum diff_cause_kind kind, cs_node_id bn,
				    cs_node_id an)
{
	struct cs_diff *d = f->d;

	d->causes = xreallocarray(d->causes, d->cause_count + 1, sizeof(*d->causes));
	struct diff_cause *c = &d->causes[d->cause_count++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->b_node = bn;
	c->a_node = an;
	f->is_cause[bn] = 1;
	return c;
}

/* An input of BN is met when a fixed parent on it is matched, or only random roots feed it. */
static bool input_fed(const struct cs_diff *d, cs_node_id bn, uint32_t input)
{
	const struct cs_graph *b = d->b;
	bool fixed = false;

	for (uint32_t k = 0; k < graph_parent_count(b, bn); k++) {
		const struct cs_link *l = graph_parent(b, bn, k);
		if (l->input != input || node_is_random(b, l->parent))
			continue;
		fixed = true;
		if (d->b_to_a[l->parent] != CS_NONE)
			return true;
	}
	return !fixed;
}

static bool inputs_fed(const struct cs_diff *d, cs_node_id bn)
{
	for (uint32_t k = 0; k < graph_parent_count(d->b, bn); k++)
		if (!input_fed(d, bn, graph_parent(d->b, bn, k)->input))
			return false;
	return true;
}

/*
 * BN's counterpart in A at the same place: an A node only in A that has,
 * on every input BN's matched fixed parents reach, one of their twins as a
 * parent. The op (link digest) and selector may differ: that is the point.
 */
static cs_node_id same_place(const struct cause_finder *f, cs_node_id bn)
{
	const struct cs_diff *d = f->d;
	const struct cs_graph *a = d->a, *b = d->b;

	for (uint32_t k = 0; k < graph_parent_count(b, bn); k++) {
		const struct cs_link *l = graph_parent(b, bn, k);
		cs_node_id pa = d->b_to_a[l->parent];
		if (pa == CS_NONE || node_is_random(b, l->parent))
			continue;
		for (uint32_t c = 0; c < graph_child_count(a, pa); c++) {
			const struct cs_link *al = graph_child(a, pa, c);
			cs_node_id an = al->child;
			if (al->input != l->input || d->a_status[an] != DIFF_ONLY)
				continue;
			/* every other fed input of BN must reach AN too */
			bool fits = true;
			for (uint32_t j = 0; j < graph_parent_count(b, bn) && fits; j++) {
				const struct cs_link *lj = graph_parent(b, bn, j);
				cs_node_id pj = d->b_to_a[lj->parent];
				if (pj == CS_NONE || node_is_random(b, lj->parent))
					continue;
				bool reaches = false;
				for (uint32_t q = 0; q < graph_parent_count(a, an) && !reaches; q++)
					reaches = graph_parent(a, an, q)->parent == pj &&
						  graph_parent(a, an, q)->input == lj->input;
				fits = reaches;
			}
			if (fits)
				return an;
		}
	}
	return CS_NONE;
}

/* B's CHILD's counterpart in A: its twin, or the node at its place. */
static cs_node_id counterpart(const struct cause_finder *f, cs_node_id child)
{
	cs_node_id an = f->d->b_to_a[child];

	return an != CS_NONE ? an : same_place(f, child);
}

static bool is_content_root(const struct cs_graph *g, cs_node_id n)
{
	struct cs_plain *p;
	struct cs_error err;
	bool content = false;

	/* a content checksum is a rootKey of output -1: "sha256:<digest-list>@-1" */
	if (plain_resolve(g, graph_digest(g, g->nodes[n].digest), &p, &err) > 0) {
		size_t len;
		unsigned char *data = plain_data(p, &len);
		content = len > 3 && memcmp(data + len - 3, "@-1", 3) == 0;
		free(data);
		plain_free(p);
	}
	return content;
}

/*
 * A root only in B: its counterpart is a root only in A that feeds the
 * same input of the same place downstream, and is of the same sort.
 */
static cs_node_id root_counterpart(const struct cause_finder *f, cs_node_id root, bool content)
{
	const struct cs_diff *d = f->d;
	const struct cs_graph *a = d->a, *b = d->b;

	for (uint32_t k = 0; k < graph_child_count(b, root); k++) {
		const struct cs_link *l = graph_child(b, root, k);
		cs_node_id ac = counterpart(f, l->child);
		if (ac == CS_NONE)
			continue;
		for (uint32_t q = 0; q < graph_parent_count(a, ac); q++) {
			const struct cs_link *al = graph_parent(a, ac, q);
			cs_node_id ap = al->parent;
			if (al->input == l->input && a->nodes[ap].digest != CS_DIG_NONE && !node_is_random(a, ap) &&
			    d->a_status[ap] == DIFF_ONLY && is_content_root(a, ap) == content)
				return ap;
		}
	}
	return CS_NONE;
}

/*
 * A content checksum beside a step only in B (COPY --from=that-step) sums
 * files that step made: it changed because the step did, so it is no cause
 * of its own. Beside only a random root (a build context) it is one.
 */
static bool derived_content(const struct cause_finder *f, cs_node_id root)
{
	const struct cs_graph *b = f->d->b;

	for (uint32_t k = 0; k < graph_child_count(b, root); k++) {
		const struct cs_link *l = graph_child(b, root, k);
		bool beside_new_step = false;
		for (uint32_t q = 0; q < graph_parent_count(b, l->child); q++) {
			const struct cs_link *sib = graph_parent(b, l->child, q);
			if (sib->input == l->input && b->nodes[sib->parent].digest == CS_DIG_NONE &&
			    f->d->b_status[sib->parent] == DIFF_ONLY)
				beside_new_step = true;
		}
		if (!beside_new_step)
			return false;
	}
	return graph_child_count(b, root) > 0;
}

static void root_cause(struct cause_finder *f, cs_node_id root)
{
	bool content = is_content_root(f->d->b, root);

	if (content && derived_content(f, root))
		return;
	cs_node_id an = root_counterpart(f, root, content);
	enum diff_cause_kind kind = content ? CAUSE_CONTENT_CHANGED : CAUSE_SOURCE_CHANGED;

	if (an == CS_NONE)
		kind = CAUSE_NEW;
	add_cause(f, kind, root, an);
}

/* A node whose own key differs: its op, its selector, or nothing at its place. */
static void step_cause(struct cause_finder *f, cs_node_id bn)
{
	const struct cs_graph *a = f->d->a, *b = f->d->b;
	cs_node_id an = same_place(f, bn);
	enum diff_cause_kind kind = CAUSE_NEW;

	if (an != CS_NONE) {
		const struct cs_digest *bd = graph_digest(b, graph_parent(b, bn, 0)->digest);
		const struct cs_digest *ad = graph_digest(a, graph_parent(a, an, 0)->digest);
		kind = digest_eq(ad, bd) ? CAUSE_SELECTOR_CHANGED : CAUSE_OP_CHANGED;
	}
	add_cause(f, kind, bn, an);
}

/* Below a cause, what is not the same on both sides follows from it. */
static void collect_consequences(struct cause_finder *f, struct diff_cause *c, uint8_t *claimed)
{
	const struct cs_graph *b = f->d->b;
	cs_node_id *queue = NULL;
	size_t head = 0, tail = 0, cap = 0;

	XGROW(queue, cap, 1);
	queue[tail++] = c->b_node;
	while (head < tail) {
		cs_node_id x = queue[head++];
		for (uint32_t k = 0; k < graph_child_count(b, x); k++) {
			cs_node_id child = graph_child(b, x, k)->child;
			if (claimed[child] || f->is_cause[child] || f->d->b_status[child] == DIFF_SAME)
				continue;
			claimed[child] = 1;
			XGROW(queue, cap, tail + 1);
			queue[tail++] = child;
			c->consequences = xreallocarray(c->consequences, c->consequence_count + 1,
							sizeof(*c->consequences));
			c->consequences[c->consequence_count++] = child;
		}
	}
	free(queue);
}

static int cons_cmp(const void *x, const void *y)
{
	cs_node_id a = *(const cs_node_id *)x, b = *(const cs_node_id *)y;

	return a < b ? -1 : a > b;
}

static int cause_cmp(const void *x, const void *y)
{
	const struct diff_cause *a = x, *b = y;

	return a->b_node < b->b_node ? -1 : a->b_node > b->b_node;
}

int diff_find_causes(struct cs_diff *d, const cs_dig *map, struct cs_error *err)
{
	struct cause_finder f = { d, map, xcalloc(d->b->node_count ? d->b->node_count : 1, 1) };
	uint8_t *claimed = xcalloc(d->b->node_count ? d->b->node_count : 1, 1);
	cs_node_id *order = diff_topological(d->b);
	const struct cs_graph *b = d->b;
	int rc = 0;

	for (uint32_t i = 0; i < b->node_count; i++) {
		cs_node_id bn = order[i];
		if (d->b_status[bn] != DIFF_ONLY || node_is_random(b, bn))
			continue;
		if (b->nodes[bn].digest != CS_DIG_NONE)
			root_cause(&f, bn);
		else if (inputs_fed(d, bn))
			step_cause(&f, bn);
	}
	if (d->cause_count > 1)
		qsort(d->causes, d->cause_count, sizeof(*d->causes), cause_cmp);
	for (size_t i = 0; i < d->cause_count; i++)
		collect_consequences(&f, &d->causes[i], claimed);
	for (size_t i = 0; i < d->cause_count && rc == 0; i++) {
		if (d->causes[i].consequence_count > 1)
			qsort(d->causes[i].consequences, d->causes[i].consequence_count, sizeof(cs_node_id), cons_cmp);
		rc = diff_explain(d, &d->causes[i], err);
	}
	free(order);
	free(claimed);
	free(f.is_cause);
	return rc;
}
