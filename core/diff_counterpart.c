/*
 * Counterparts: for a node without a twin, the node at its place on the
 * other side, so that a changed step is shown (and explained) beside what
 * it replaced. Found in passes, surest first, each pairing one to one:
 *
 *   1. image roots by reference ("alpine:3.22" then and now);
 *   2. steps by their op (the same command on a changed input), preferring
 *      the candidate whose parents correspond to theirs;
 *   3. steps by place: a node without a twin below a parent's twin or
 *      counterpart on the same input (another command at the same place);
 *      several such candidates are told apart by how close their ops are,
 *      and a place that stays ambiguous pairs nothing;
 *   4. roots by the place they feed, of the same sort (content for
 *      content, image for image);
 *   5. steps by place again, below the roots pass 4 paired.
 *
 * Every index is sorted once; every candidate list is bounded, so a hub
 * (a base image under ten thousand steps) costs a constant per node.
 */
#include "describe.h"
#include "diff_private.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_OP_CANDIDATES 1024   /* nodes with one op looked at per step */
#define MAX_PLACE_CANDIDATES 32  /* nodes at one place looked at per step */
#define MAX_SIMILAR 8            /* candidates whose ops are compared */
#define MAX_ROOT_CHILDREN 64     /* children of a root tried for its place */
#define MAX_LINKS_SCORED 256     /* parents of a node compared per candidate */

struct entry {
	uint64_t key;
	cs_node_id node;
};

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *x = pa, *y = pb;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* The first of COUNT sorted entries whose key is not below KEY. */
static size_t entry_find(const struct entry *e, size_t count, uint64_t key)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct pairer {
	struct diff_work *w;
	struct cs_diff *d;
	struct entry *ops;    /* A's steps without a twin, by link digest */
	size_t op_count;
	struct entry *places; /* A's links into steps without a twin, by parent and input */
	size_t place_count;
	uint32_t *place_first; /* per A node + 1: where its places start (no search per lookup) */
	uint8_t *by_place;    /* per B node: its counterpart was found by place alone */
	struct cs_error *err;
};

static uint64_t place_key(cs_node_id parent, uint32_t input)
{
	return (uint64_t)parent << 32 | input;
}

static bool a_free(const struct cs_diff *d, cs_node_id an)
{
	return d->a_to_b[an] == CS_NONE && d->a_counterpart[an] == CS_NONE;
}

static bool b_free(const struct cs_diff *d, cs_node_id bn)
{
	return d->b_to_a[bn] == CS_NONE && d->b_counterpart[bn] == CS_NONE;
}

static void pair(struct cs_diff *d, cs_node_id an, cs_node_id bn)
{
	d->a_counterpart[an] = bn;
	d->b_counterpart[bn] = an;
}

/* A's steps without a twin by link digest: a counting sort, digests being small indexes. */
static void index_ops(struct pairer *p)
{
	const struct cs_graph *a = p->d->a;
	uint32_t *first = xcalloc((size_t)a->digests.count + 1, sizeof(*first));

	for (cs_node_id n = 0; n < a->node_count; n++)
		if (!node_is_root(a, n) && p->d->a_to_b[n] == CS_NONE && graph_parent_count(a, n))
			first[graph_parent(a, n, 0)->digest + 1]++, p->op_count++;
	for (uint32_t dg = 0; dg < a->digests.count; dg++)
		first[dg + 1] += first[dg];
	p->ops = xmalloc((p->op_count ? p->op_count : 1) * sizeof(*p->ops));
	/* nodes in ascending order: each digest's run comes out sorted by node */
	for (cs_node_id n = 0; n < a->node_count; n++)
		if (!node_is_root(a, n) && p->d->a_to_b[n] == CS_NONE && graph_parent_count(a, n)) {
			cs_dig dg = graph_parent(a, n, 0)->digest;
			p->ops[first[dg]++] = (struct entry){ dg, n };
		}
	free(first);
}

/*
 * A's links into nodes without a twin, by parent, input and child. The
 * graph keeps each parent's child links together already; only a parent
 * whose children come on several inputs needs its few entries sorted.
 */
static void index_places(struct pairer *p)
{
	const struct cs_graph *a = p->d->a;

	p->places = xmalloc((a->link_count ? a->link_count : 1) * sizeof(*p->places));
	p->place_first = xmalloc(((size_t)a->node_count + 1) * sizeof(*p->place_first));
	for (cs_node_id n = 0; n < a->node_count; n++) {
		size_t start = p->place_count;
		bool sorted = true;
		p->place_first[n] = (uint32_t)start;
		for (uint32_t k = 0; k < graph_child_count(a, n); k++) {
			const struct cs_link *l = graph_child(a, n, k);
			if (p->d->a_to_b[l->child] != CS_NONE)
				continue;
			struct entry e = { place_key(n, l->input), l->child };
			sorted = sorted && (p->place_count == start || entry_cmp(&p->places[p->place_count - 1], &e) <= 0);
			p->places[p->place_count++] = e;
		}
		if (!sorted)
			qsort(p->places + start, p->place_count - start, sizeof(*p->places), entry_cmp);
	}
	p->place_first[a->node_count] = (uint32_t)p->place_count;
}

static void build_indexes(struct pairer *p)
{
	index_ops(p);
	index_places(p);
}

/* Where B's parent P stands in A: its twin, or its counterpart (a random root has only its twin). */
static cs_node_id in_a_place(const struct cs_diff *d, cs_node_id p)
{
	if (d->b_to_a[p] != CS_NONE || node_is_random(d->b, p))
		return d->b_to_a[p];
	return d->b_counterpart[p];
}

/*
 * The same, for finding a place: a counterpart found by place alone does
 * not lead to more, or two unrelated chains of steps would pair link by
 * link, each pair "an op that changed".
 */
static cs_node_id place_below(const struct pairer *p, cs_node_id parent)
{
	if (p->d->b_to_a[parent] == CS_NONE && p->by_place[parent])
		return CS_NONE;
	return in_a_place(p->d, parent);
}

static uint32_t distinct_inputs(const struct cs_graph *g, cs_node_id n)
{
	uint32_t count = 0;

	for (uint32_t k = 0; k < graph_parent_count(g, n); k++)
		count += k == 0 || graph_parent(g, n, k)->input != graph_parent(g, n, k - 1)->input;
	return count;
}

/* Does A's AN have PARENT on INPUT? */
static bool a_has_parent(const struct cs_graph *a, cs_node_id an, cs_node_id parent, uint32_t input)
{
	uint32_t count = graph_parent_count(a, an);

	for (uint32_t k = 0; k < count && k < MAX_LINKS_SCORED; k++) {
		const struct cs_link *l = graph_parent(a, an, k);
		if (l->parent == parent && l->input == input)
			return true;
	}
	return false;
}

/*
 * How well A's AN stands where B's BN does: two for each input of BN on
 * which a parent's place in A is a parent of AN, one more when both have
 * as many inputs.
 */
static int fit_score(const struct cs_diff *d, cs_node_id bn, uint32_t b_inputs, cs_node_id an)
{
	const struct cs_graph *b = d->b;
	uint32_t count = graph_parent_count(b, bn);
	int score = b_inputs == distinct_inputs(d->a, an);
	uint32_t met_input = UINT32_MAX;

	for (uint32_t k = 0; k < count && k < MAX_LINKS_SCORED; k++) {
		const struct cs_link *l = graph_parent(b, bn, k);
		if (l->input == met_input)
			continue;
		cs_node_id pa = in_a_place(d, l->parent);
		if (pa != CS_NONE && a_has_parent(d->a, an, pa, l->input)) {
			score += 2;
			met_input = l->input;
		}
	}
	return score;
}

/* ---- 1. image roots by reference ---- */

static uint64_t text_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* An image root's reference ("docker.io/library/alpine:3.22"), or NULL (caller frees). */
static int image_reference(struct pairer *p, bool on_b, cs_node_id n, char **out)
{
	const struct cs_graph *g = on_b ? p->d->b : p->d->a;
	struct cs_description desc;

	*out = NULL;
	int sort = node_is_random(g, n) ? ROOT_UNKNOWN : diff_root_sort(p->w, on_b, n, p->err);
	if (sort != ROOT_IMAGE)
		return sort < 0 ? -1 : 0;
	if (describe_node(g, n, &desc, p->err) < 0)
		return -1;
	/* without a reference the summary is a short digest: nothing to pair by */
	if (desc.summary && strlen(desc.summary) == desc.summary_len && strncmp(desc.summary, "image ", 6) != 0)
		*out = desc.summary;
	else
		description_free(&desc);
	return 0;
}

/* A's image roots without a twin, by reference: sorted (hash, index) and the index's node and name. */
struct references {
	struct entry *by_hash;
	cs_node_id *nodes;
	char **names;
	size_t count, cap;
};

static void references_free(struct references *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->names[i]);
	free(r->names);
	free(r->nodes);
	free(r->by_hash);
}

static int collect_references(struct pairer *p, struct references *r)
{
	const struct cs_graph *a = p->d->a;

	for (cs_node_id n = 0; n < a->node_count; n++) {
		char *ref;
		if (!node_is_root(a, n) || p->d->a_to_b[n] != CS_NONE)
			continue;
		if (image_reference(p, false, n, &ref) < 0)
			return -1;
		if (!ref)
			continue;
		if (r->count == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->by_hash = xreallocarray(r->by_hash, r->cap, sizeof(*r->by_hash));
			r->nodes = xreallocarray(r->nodes, r->cap, sizeof(*r->nodes));
			r->names = xreallocarray(r->names, r->cap, sizeof(*r->names));
		}
		r->by_hash[r->count] = (struct entry){ text_hash(ref), (cs_node_id)r->count };
		r->nodes[r->count] = n;
		r->names[r->count] = ref;
		r->count++;
	}
	if (r->count > 1)
		qsort(r->by_hash, r->count, sizeof(*r->by_hash), entry_cmp);
	return 0;
}

/* A free A image root with reference REF, or CS_NONE. */
static cs_node_id find_reference(const struct pairer *p, const struct references *r, const char *ref)
{
	uint64_t h = text_hash(ref);

	for (size_t i = entry_find(r->by_hash, r->count, h); i < r->count && r->by_hash[i].key == h; i++) {
		size_t at = r->by_hash[i].node;
		if (strcmp(r->names[at], ref) == 0 && a_free(p->d, r->nodes[at]))
			return r->nodes[at];
	}
	return CS_NONE;
}

static int pair_images(struct pairer *p)
{
	const struct cs_graph *b = p->d->b;
	struct references r = { 0 };
	bool collected = false;
	int rc = 0;

	for (cs_node_id n = 0; n < b->node_count && rc == 0; n++) {
		char *ref;
		if (!node_is_root(b, n) || p->d->b_to_a[n] != CS_NONE)
			continue;
		if ((rc = image_reference(p, true, n, &ref)) < 0 || !ref)
			continue;
		/* A's side only once B has an image to pair: a root costs a lookup or two */
		if (!collected && (rc = collect_references(p, &r)) == 0)
			collected = true;
		cs_node_id an = rc == 0 ? find_reference(p, &r, ref) : CS_NONE;
		if (an != CS_NONE)
			pair(p->d, an, n);
		free(ref);
	}
	references_free(&r);
	return rc;
}

/* ---- 2. steps by their op ---- */

static void pair_by_op(struct pairer *p, cs_node_id bn)
{
	struct cs_diff *d = p->d;
	cs_dig op = diff_in_a(p->w->map, graph_parent(d->b, bn, 0)->digest);
	cs_node_id best = CS_NONE;
	int best_score = -1;
	size_t seen = 0;
	uint32_t b_inputs = distinct_inputs(d->b, bn);

	if (op >= CS_DIG_NONE - 1)
		return; /* an op A never ran */
	for (size_t i = entry_find(p->ops, p->op_count, op);
	     i < p->op_count && p->ops[i].key == op && seen < MAX_OP_CANDIDATES; i++, seen++) {
		cs_node_id an = p->ops[i].node;
		if (!a_free(d, an))
			continue;
		int score = fit_score(d, bn, b_inputs, an);
		if (score > best_score) {
			best = an;
			best_score = score;
		}
	}
	if (best != CS_NONE)
		pair(d, best, bn);
}

/* ---- 3. steps by place ---- */

struct candidates {
	cs_node_id node[MAX_PLACE_CANDIDATES];
	size_t count;
};

/* The entries of A's places under PA on INPUT: [*LO, *HI). */
static void place_range(const struct pairer *p, cs_node_id pa, uint32_t input, size_t *lo, size_t *hi)
{
	/* searched, not scanned: a base image's entries run to thousands */
	const struct entry *from = p->places + p->place_first[pa];
	size_t count = p->place_first[pa + 1] - p->place_first[pa];
	uint64_t key = place_key(pa, input);

	*lo = p->place_first[pa] + entry_find(from, count, key);
	*hi = key == UINT64_MAX ? p->place_first[pa + 1] : p->place_first[pa] + entry_find(from, count, key + 1);
}

/*
 * The free A nodes at BN's place, taken below the parent (its twin or
 * counterpart in A) with the fewest children on that input: a node that
 * fits every input is below each, and a base image has thousands. False
 * when even there more are free than can be told apart.
 */
static bool gather_place(struct pairer *p, cs_node_id bn, struct candidates *c)
{
	const struct cs_diff *d = p->d;
	uint32_t count = graph_parent_count(d->b, bn);
	size_t lo = 0, hi = 0, best = SIZE_MAX;

	for (uint32_t k = 0; k < count && k < MAX_LINKS_SCORED; k++) {
		const struct cs_link *l = graph_parent(d->b, bn, k);
		cs_node_id pa = place_below(p, l->parent);
		size_t from, to;
		if (pa == CS_NONE)
			continue;
		place_range(p, pa, l->input, &from, &to);
		if (to > from && to - from < best) {
			best = to - from;
			lo = from;
			hi = to;
		}
	}
	for (size_t i = lo; i < hi; i++) {
		cs_node_id an = p->places[i].node;
		if (node_is_root(d->a, an) || !a_free(d, an) || (c->count && c->node[c->count - 1] == an))
			continue; /* a node twice below one parent is one candidate: entries sort by node */
		if (c->count == MAX_PLACE_CANDIDATES)
			return false;
		c->node[c->count++] = an;
	}
	return true;
}

/*
 * Of several candidates that fit equally, the one whose op is closest to
 * BN's, when exactly one is closest; else CS_NONE (nothing to tell them
 * apart by, and a wrong pairing would explain the wrong change).
 */
static int closest_op(const struct pairer *p, cs_node_id bn, const cs_node_id *an, size_t count, cs_node_id *out)
{
	json_t *mine, *theirs;
	size_t best = SIZE_MAX;
	bool tie = false;
	int rc;

	*out = CS_NONE;
	if ((rc = diff_op_json(p->d->b, bn, &mine, p->err)) <= 0)
		return rc;
	for (size_t i = 0; i < count; i++) {
		if ((rc = diff_op_json(p->d->a, an[i], &theirs, p->err)) <= 0) {
			tie = true; /* an op we cannot read could be the closest */
			break;
		}
		size_t distance = diff_json_distance(theirs, mine);
		json_decref(theirs);
		if (distance < best) {
			best = distance;
			*out = an[i];
			tie = false;
		} else if (distance == best) {
			tie = true;
		}
	}
	json_decref(mine);
	if (tie)
		*out = CS_NONE;
	return rc < 0 ? -1 : 0;
}

static int pair_by_place(struct pairer *p, cs_node_id bn)
{
	struct candidates c = { .count = 0 };
	cs_node_id best[MAX_SIMILAR], chosen = CS_NONE;
	size_t best_count = 0;
	int best_score = 1; /* at least one input must correspond */

	if (!gather_place(p, bn, &c))
		return 0; /* too many at its place to tell which */
	uint32_t b_inputs = c.count ? distinct_inputs(p->d->b, bn) : 0;
	for (size_t i = 0; i < c.count; i++) {
		int score = fit_score(p->d, bn, b_inputs, c.node[i]);
		if (score < best_score)
			continue;
		if (score > best_score)
			best_count = 0;
		best_score = score;
		if (best_count < MAX_SIMILAR)
			best[best_count] = c.node[i];
		best_count++;
	}
	if (best_count == 1)
		chosen = best[0];
	else if (best_count > 1 && best_count <= MAX_SIMILAR && closest_op(p, bn, best, best_count, &chosen) < 0)
		return -1;
	if (chosen != CS_NONE) {
		pair(p->d, chosen, bn);
		p->by_place[bn] = 1;
	}
	return 0;
}

/* Passes 2 and 3 over B's steps without a twin or counterpart, parents first. */
static int pair_steps(struct pairer *p, const cs_node_id *order)
{
	const struct cs_graph *b = p->d->b;

	for (uint32_t i = 0; i < b->node_count; i++)
		if (!node_is_root(b, order[i]) && b_free(p->d, order[i]))
			pair_by_op(p, order[i]);
	for (uint32_t i = 0; i < b->node_count; i++)
		if (!node_is_root(b, order[i]) && b_free(p->d, order[i]) && pair_by_place(p, order[i]) < 0)
			return -1;
	return 0;
}

static bool below_fresh(const struct cs_graph *b, cs_node_id n, const uint8_t *fresh)
{
	for (uint32_t k = 0; k < graph_parent_count(b, n); k++)
		if (fresh[graph_parent(b, n, k)->parent])
			return true;
	return false;
}

/*
 * Pass 5: places below the roots pass 4 paired (FRESH), and below what
 * that pairs in turn. By op nothing new can pair: candidates only went.
 */
static int pair_below_roots(struct pairer *p, const cs_node_id *order, uint8_t *fresh)
{
	const struct cs_graph *b = p->d->b;

	for (uint32_t i = 0; i < b->node_count; i++) {
		cs_node_id n = order[i];
		if (node_is_root(b, n) || !b_free(p->d, n) || !below_fresh(b, n, fresh))
			continue;
		if (pair_by_place(p, n) < 0)
			return -1;
		fresh[n] = !b_free(p->d, n);
	}
	return 0;
}

/* ---- 4. roots by the place they feed ---- */

/* How far apart two roots' source JSONs are; SIZE_MAX when either has none. */
static int root_distance(struct pairer *p, cs_node_id an, cs_node_id bn, size_t *out)
{
	json_t *theirs, *mine = NULL;
	int rc = diff_source_json(p->d->a, an, &theirs, p->err);

	if (rc > 0)
		rc = diff_source_json(p->d->b, bn, &mine, p->err);
	*out = rc > 0 ? diff_json_distance(theirs, mine) : SIZE_MAX;
	json_decref(theirs);
	json_decref(mine);
	return rc < 0 ? -1 : 0;
}

/*
 * The free, fixed A root of BN's sort feeding A's AC on INPUT; of several
 * (an image's manifest and config keys), the one whose source JSON is
 * closest to BN's, the first on a tie.
 */
static int root_at(struct pairer *p, cs_node_id bn, int sort, cs_node_id ac, uint32_t input, cs_node_id *out)
{
	const struct cs_graph *a = p->d->a;
	uint32_t count = graph_parent_count(a, ac);
	cs_node_id found[MAX_SIMILAR];
	size_t found_count = 0, best = SIZE_MAX;

	*out = CS_NONE;
	for (uint32_t k = 0; k < count && k < MAX_LINKS_SCORED && found_count < MAX_SIMILAR; k++) {
		const struct cs_link *l = graph_parent(a, ac, k);
		if (l->input != input || !node_is_root(a, l->parent) || node_is_random(a, l->parent) ||
		    !a_free(p->d, l->parent))
			continue;
		int other = diff_root_sort(p->w, false, l->parent, p->err);
		if (other < 0)
			return -1;
		if (other == sort)
			found[found_count++] = l->parent;
	}
	if (found_count)
		*out = found[0];
	for (size_t i = 0; found_count > 1 && i < found_count; i++) {
		size_t distance;
		if (root_distance(p, found[i], bn, &distance) < 0)
			return -1;
		if (distance < best) {
			best = distance;
			*out = found[i];
		}
	}
	return 0;
}

static int pair_roots(struct pairer *p, uint8_t *fresh)
{
	const struct cs_graph *b = p->d->b;

	for (cs_node_id n = 0; n < b->node_count; n++) {
		if (!node_is_root(b, n) || node_is_random(b, n) || !b_free(p->d, n))
			continue;
		int sort = diff_root_sort(p->w, true, n, p->err);
		if (sort < 0)
			return -1;
		cs_node_id an = CS_NONE;
		for (uint32_t k = 0; k < graph_child_count(b, n) && k < MAX_ROOT_CHILDREN && an == CS_NONE; k++) {
			const struct cs_link *l = graph_child(b, n, k);
			cs_node_id ac = p->d->b_to_a[l->child] != CS_NONE ? p->d->b_to_a[l->child]
									 : p->d->b_counterpart[l->child];
			if (ac != CS_NONE && root_at(p, n, sort, ac, l->input, &an) < 0)
				return -1;
		}
		if (an != CS_NONE) {
			pair(p->d, an, n);
			fresh[n] = 1;
		}
	}
	return 0;
}

int diff_find_counterparts(struct diff_work *w, struct cs_error *err)
{
	struct pairer p = { .w = w, .d = w->d, .err = err };
	const cs_node_id *order = w->b_order;
	uint8_t *fresh = xcalloc(w->d->b->node_count ? w->d->b->node_count : 1, 1);
	int rc;

	p.by_place = xcalloc(w->d->b->node_count ? w->d->b->node_count : 1, 1);
	build_indexes(&p);
	rc = pair_images(&p);
	if (rc == 0)
		rc = pair_steps(&p, order);
	if (rc == 0)
		rc = pair_roots(&p, fresh);
	if (rc == 0)
		rc = pair_below_roots(&p, order, fresh);
	free(fresh);
	free(p.ops);
	free(p.places);
	free(p.place_first);
	free(p.by_place);
	return rc;
}
