/*
 * Matching the nodes of two graphs by their cache keys. Roots match by
 * digest; random roots by the links they feed; every other node, visited
 * parents first, by a candidate found through one matched parent (an index
 * of A's links by parent, input, link digest and selector), confirmed on
 * every input. Hash and sort only: no pair of graphs costs more than a
 * linear pass and a sort.
 */
#include "diff_private.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

cs_dig *diff_map_digests(const struct cs_graph *a, const struct cs_graph *b)
{
	cs_dig *map = xmalloc((b->digests.count ? b->digests.count : 1) * sizeof(*map));

	for (uint32_t i = 0; i < b->digests.count; i++)
		map[i] = digests_find(&a->digests, digests_at(&b->digests, i));
	return map;
}

cs_node_id *diff_topological(const struct cs_graph *g)
{
	uint32_t n = g->node_count;
	uint32_t *pending = xcalloc(n ? n : 1, sizeof(*pending));
	cs_node_id *order = xmalloc((n ? n : 1) * sizeof(*order));
	size_t head = 0, tail = 0;

	for (cs_node_id i = 0; i < n; i++)
		pending[i] = graph_parent_count(g, i);
	for (cs_node_id i = 0; i < n; i++)
		if (!pending[i])
			order[tail++] = i;
	while (head < tail) {
		cs_node_id x = order[head++];
		for (uint32_t k = 0; k < graph_child_count(g, x); k++)
			if (--pending[graph_child(g, x, k)->child] == 0)
				order[tail++] = graph_child(g, x, k)->child;
	}
	free(pending);
	return order;
}

/* ---- A's links, indexed by where they come from ---- */

struct link_key {
	cs_node_id parent;
	uint32_t input;
	cs_dig digest;
	cs_dig selector;
	cs_node_id child;
};

static int link_key_cmp(const void *pa, const void *pb)
{
	const struct link_key *x = pa, *y = pb;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	if (x->digest != y->digest)
		return x->digest < y->digest ? -1 : 1;
	if (x->selector != y->selector)
		return x->selector < y->selector ? -1 : 1;
	return x->child < y->child ? -1 : x->child > y->child;
}

struct matcher {
	struct cs_diff *d;
	const cs_dig *map;
	struct link_key *index;
	size_t index_count;
	uint32_t *parent_start;     /* parent P's entries: index[parent_start[P] .. parent_start[P + 1]) */
	/* the same links, by digest only (parent field unused); built when first needed (random roots) */
	struct link_key *by_digest;
	uint32_t *digest_start;     /* likewise by_digest's entries of each digest */
};

/*
 * The index by parent: the graph keeps each parent's child links together,
 * so only each parent's own few entries need sorting (a sort of all links
 * cost more than the matching).
 */
static void index_by_parent(struct matcher *m)
{
	const struct cs_graph *a = m->d->a;

	m->index = xmalloc((a->link_count ? a->link_count : 1) * sizeof(*m->index));
	m->parent_start = xmalloc(((size_t)a->node_count + 1) * sizeof(*m->parent_start));
	for (cs_node_id n = 0; n < a->node_count; n++) {
		size_t start = m->index_count;
		m->parent_start[n] = (uint32_t)start;
		bool sorted = true;
		for (uint32_t k = 0; k < graph_child_count(a, n); k++) {
			const struct cs_link *l = graph_child(a, n, k);
			struct link_key key = { n, l->input, l->digest, l->selector, l->child };
			sorted = sorted && (m->index_count == start || link_key_cmp(&m->index[m->index_count - 1], &key) <= 0);
			m->index[m->index_count++] = key;
		}
		if (!sorted)
			qsort(m->index + start, m->index_count - start, sizeof(*m->index), link_key_cmp);
	}
	m->parent_start[a->node_count] = (uint32_t)m->index_count;
}

/* The index by link digest: a counting sort, digests being small indexes; children ascend within one. */
static void index_by_digest(struct matcher *m)
{
	const struct cs_graph *a = m->d->a;
	uint32_t *fill = xcalloc((size_t)a->digests.count + 1, sizeof(*fill));

	m->by_digest = xmalloc((a->link_count ? a->link_count : 1) * sizeof(*m->by_digest));
	m->digest_start = xcalloc((size_t)a->digests.count + 1, sizeof(*m->digest_start));
	for (uint32_t i = 0; i < a->link_count; i++)
		m->digest_start[a->links[i].digest + 1]++;
	for (uint32_t dg = 0; dg < a->digests.count; dg++)
		m->digest_start[dg + 1] += m->digest_start[dg];
	memcpy(fill, m->digest_start, ((size_t)a->digests.count + 1) * sizeof(*fill));
	for (cs_node_id n = 0; n < a->node_count; n++)
		for (uint32_t k = 0; k < graph_parent_count(a, n); k++) {
			cs_dig dg = graph_parent(a, n, k)->digest;
			m->by_digest[fill[dg]++] = (struct link_key){ 0, 0, dg, 0, n };
		}
	free(fill);
}

/*
 * The first of the entries of KEY's parent above KEY (UPPER) or not below
 * it: a search among one parent's few links, not all of A's.
 */
static size_t search(const struct matcher *m, const struct link_key *key, bool upper)
{
	if (key->parent >= m->d->a->node_count)
		return 0;
	size_t lo = m->parent_start[key->parent], hi = m->parent_start[key->parent + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = link_key_cmp(&m->index[mid], key);
		if (c < 0 || (upper && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Does A's AN have a parent link from PA on INPUT with DIGEST and SELECTOR
 * (A's numbering)? A search of the index, not a walk of AN's parents: a
 * node can have thousands.
 */
static bool a_has_link(const struct matcher *m, cs_node_id an, cs_node_id pa, uint32_t input, cs_dig digest,
		       cs_dig selector)
{
	struct link_key key = { pa, input, digest, selector, an };
	size_t at = search(m, &key, false);

	return at < m->index_count && link_key_cmp(&m->index[at], &key) == 0;
}

/* B's link L arrives at A's AN from the twin of its parent, with the same digest and selector. */
static bool link_met(const struct matcher *m, cs_node_id an, const struct cs_link *l)
{
	cs_node_id pa = m->d->b_to_a[l->parent];

	return pa != CS_NONE &&
	       a_has_link(m, an, pa, l->input, diff_in_a(m->map, l->digest), diff_in_a(m->map, l->selector));
}

/* The end of the run of N's parents on the input of parent K (parents run by input). */
static uint32_t input_end(const struct cs_graph *g, cs_node_id n, uint32_t k)
{
	uint32_t count = graph_parent_count(g, n), input = graph_parent(g, n, k)->input;

	while (k < count && graph_parent(g, n, k)->input == input)
		k++;
	return k;
}

static bool any_fixed(const struct cs_graph *g, cs_node_id n, uint32_t from, uint32_t to)
{
	for (uint32_t k = from; k < to; k++)
		if (!node_is_random(g, graph_parent(g, n, k)->parent))
			return true;
	return false;
}

/*
 * A's AN is B's BN: the same inputs, and on each one both are fed through
 * random roots only, or some fixed parent of BN, matched, arrives at AN
 * with the same link digest and selector. Both parent lists run by input,
 * so they are walked together, once.
 */
static bool all_inputs_met(const struct matcher *m, cs_node_id an, cs_node_id bn)
{
	const struct cs_graph *a = m->d->a, *b = m->d->b;
	uint32_t ai = 0, bi = 0, ac = graph_parent_count(a, an), bc = graph_parent_count(b, bn);

	while (ai < ac || bi < bc) {
		if (ai == ac || bi == bc || graph_parent(a, an, ai)->input != graph_parent(b, bn, bi)->input)
			return false;
		uint32_t a_end = input_end(a, an, ai), b_end = input_end(b, bn, bi);
		bool met = !any_fixed(a, an, ai, a_end) && !any_fixed(b, bn, bi, b_end);
		for (uint32_t k = bi; k < b_end && !met; k++)
			met = !node_is_random(b, graph_parent(b, bn, k)->parent) && link_met(m, an, graph_parent(b, bn, k));
		if (!met)
			return false;
		ai = a_end;
		bi = b_end;
	}
	return true;
}

static void pair(struct cs_diff *d, cs_node_id an, cs_node_id bn)
{
	d->a_to_b[an] = bn;
	d->b_to_a[bn] = an;
}

/* The index entries of A's links that B's link L would be: from its parent's twin, same input, digest, selector. */
static void link_range(const struct matcher *m, const struct cs_link *l, size_t *lo, size_t *hi)
{
	struct link_key key = { m->d->b_to_a[l->parent], l->input, diff_in_a(m->map, l->digest),
				diff_in_a(m->map, l->selector), 0 };

	*lo = search(m, &key, false);
	key.child = CS_NONE;
	*hi = search(m, &key, true);
}

/*
 * The input of BN whose matched parents lead to the fewest A nodes: its
 * twin, if any, is among them. A base image leads to thousands, the
 * content a COPY sums to one. Parents [*FROM, *TO); false when some input
 * has fixed parents and none matched (BN cannot match) or none has any.
 */
static bool narrowest_input(const struct matcher *m, cs_node_id bn, uint32_t *from, uint32_t *to)
{
	const struct cs_graph *b = m->d->b;
	size_t best = SIZE_MAX;

	for (uint32_t k = 0; k < graph_parent_count(b, bn);) {
		uint32_t end = input_end(b, bn, k);
		size_t total = 0;
		bool fixed = false;
		for (uint32_t q = k; q < end; q++) {
			const struct cs_link *l = graph_parent(b, bn, q);
			size_t lo, hi;
			if (node_is_random(b, l->parent))
				continue;
			fixed = true;
			if (m->d->b_to_a[l->parent] == CS_NONE)
				continue;
			link_range(m, l, &lo, &hi);
			total += hi - lo;
		}
		if (fixed && total == 0)
			return false;
		if (fixed && total < best) {
			best = total;
			*from = k;
			*to = end;
		}
		k = end;
	}
	return best != SIZE_MAX;
}

/* Tries the A nodes that BN's matched fixed parents on its narrowest input lead to. */
static bool match_through_parents(struct matcher *m, cs_node_id bn)
{
	const struct cs_graph *b = m->d->b;
	uint32_t from, to;

	if (!narrowest_input(m, bn, &from, &to))
		return false;
	for (uint32_t k = from; k < to; k++) {
		const struct cs_link *l = graph_parent(b, bn, k);
		size_t lo, hi;
		if (node_is_random(b, l->parent) || m->d->b_to_a[l->parent] == CS_NONE)
			continue;
		link_range(m, l, &lo, &hi);
		for (size_t i = lo; i < hi; i++) {
			cs_node_id an = m->index[i].child;
			if (m->d->a_to_b[an] == CS_NONE && all_inputs_met(m, an, bn)) {
				pair(m->d, an, bn);
				return true;
			}
		}
	}
	return false;
}

/*
 * A node fed by random roots only: any A node at the same link digest fed
 * the same way. (With a fixed parent on some input, its twin is below that
 * parent's twin: match_through_parents looked.)
 */
static bool match_by_digest(struct matcher *m, cs_node_id bn)
{
	const struct cs_graph *b = m->d->b;
	uint32_t count = graph_parent_count(b, bn);

	if (!count || any_fixed(b, bn, 0, count))
		return false;
	cs_dig dg = diff_in_a(m->map, graph_parent(b, bn, 0)->digest);
	if (dg >= m->d->a->digests.count)
		return false;
	/* only nodes fed by random roots alone come here: most diffs never do */
	if (!m->by_digest)
		index_by_digest(m);
	for (size_t i = m->digest_start[dg]; i < m->digest_start[dg + 1]; i++) {
		cs_node_id an = m->by_digest[i].child;
		if (m->d->a_to_b[an] == CS_NONE && all_inputs_met(m, an, bn)) {
			pair(m->d, an, bn);
			return true;
		}
	}
	return false;
}

/* ---- roots ---- */

/* Where a random root sits: the links it feeds, as raw digests (the same in any graph). */
static uint64_t random_signature(const struct cs_graph *g, cs_node_id n)
{
	uint64_t sig = 0;

	for (uint32_t k = 0; k < graph_child_count(g, n); k++) {
		const struct cs_link *l = graph_child(g, n, k);
		uint64_t h, s = 0;
		memcpy(&h, graph_digest(g, l->digest)->sum, sizeof(h));
		if (l->selector != CS_DIG_NONE)
			memcpy(&s, graph_digest(g, l->selector)->sum, sizeof(s));
		/* a sum: the order of the links does not matter */
		sig += hash_mix64(h ^ hash_mix64(s ^ l->input));
	}
	return sig;
}

struct signed_root {
	uint64_t sig;
	cs_node_id node;
};

static int signed_cmp(const void *pa, const void *pb)
{
	const struct signed_root *x = pa, *y = pb;

	if (x->sig != y->sig)
		return x->sig < y->sig ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

static void match_roots(struct cs_diff *d, const cs_dig *map)
{
	const struct cs_graph *a = d->a, *b = d->b;
	cs_node_id *root_of = xmalloc((a->digests.count ? a->digests.count : 1) * sizeof(*root_of));
	struct signed_root *randoms = xmalloc((a->node_count ? a->node_count : 1) * sizeof(*randoms));
	size_t random_count = 0;

	memset(root_of, 0xff, a->digests.count * sizeof(*root_of));
	for (cs_node_id n = 0; n < a->node_count; n++) {
		if (a->nodes[n].digest == CS_DIG_NONE)
			continue;
		if (node_is_random(a, n))
			randoms[random_count++] = (struct signed_root){ random_signature(a, n), n };
		else if (root_of[a->nodes[n].digest] == CS_NONE)
			root_of[a->nodes[n].digest] = n;
	}
	qsort(randoms, random_count, sizeof(*randoms), signed_cmp);
	for (cs_node_id n = 0; n < b->node_count; n++) {
		cs_dig dg = b->nodes[n].digest;
		if (dg == CS_DIG_NONE)
			continue;
		if (!node_is_random(b, n)) {
			cs_dig ad = map[dg];
			if (ad != CS_DIG_NONE && root_of[ad] != CS_NONE && d->a_to_b[root_of[ad]] == CS_NONE)
				pair(d, root_of[ad], n);
			continue;
		}
		struct signed_root want = { random_signature(b, n), 0 };
		size_t lo = 0, hi = random_count;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (signed_cmp(&randoms[mid], &want) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < random_count && randoms[lo].sig == want.sig; lo++)
			if (d->a_to_b[randoms[lo].node] == CS_NONE) {
				pair(d, randoms[lo].node, n);
				break;
			}
	}
	free(root_of);
	free(randoms);
}

/* ---- statuses ---- */

/*
 * B's node X and its twin have the same fixed parent links: each of X's
 * has its twin in A, and A's twin node has no more of them. (Matching is
 * one to one and digests map one to one, so distinct links of X land on
 * distinct links in A: equal counts make equal sets.)
 */
static bool same_links(const struct matcher *m, cs_node_id x)
{
	const struct cs_diff *d = m->d;
	const struct cs_graph *a = d->a, *b = d->b;
	cs_node_id twin = d->b_to_a[x];
	uint32_t fixed_b = 0, fixed_a = 0;

	for (uint32_t k = 0; k < graph_parent_count(b, x); k++) {
		const struct cs_link *l = graph_parent(b, x, k);
		if (node_is_random(b, l->parent))
			continue;
		if (!link_met(m, twin, l))
			return false;
		fixed_b++;
	}
	for (uint32_t k = 0; k < graph_parent_count(a, twin); k++)
		fixed_a += !node_is_random(a, graph_parent(a, twin, k)->parent);
	return fixed_a == fixed_b;
}

static void set_statuses(const struct matcher *m)
{
	struct cs_diff *d = m->d;

	for (cs_node_id n = 0; n < d->b->node_count; n++) {
		if (d->b_to_a[n] == CS_NONE) {
			d->b_status[n] = DIFF_ONLY;
			if (node_is_random(d->b, n))
				d->random_only++;
			else
				d->only_b++;
			continue;
		}
		bool same = same_links(m, n);
		d->b_status[n] = d->a_status[d->b_to_a[n]] = same ? DIFF_SAME : DIFF_CHANGED;
		d->matched++;
		d->changed += !same;
	}
	for (cs_node_id n = 0; n < d->a->node_count; n++) {
		if (d->a_to_b[n] != CS_NONE)
			continue;
		d->a_status[n] = DIFF_ONLY;
		if (node_is_random(d->a, n))
			d->random_only++;
		else
			d->only_a++;
	}
}

int diff_match(struct cs_diff *d, const cs_dig *map, const cs_node_id *order)
{
	struct matcher m = { .d = d, .map = map };

	index_by_parent(&m);
	match_roots(d, map);
	for (uint32_t i = 0; i < d->b->node_count; i++) {
		cs_node_id bn = order[i];
		if (d->b->nodes[bn].digest != CS_DIG_NONE || d->b_to_a[bn] != CS_NONE)
			continue;
		if (!match_through_parents(&m, bn))
			match_by_digest(&m, bn);
	}
	set_statuses(&m);
	free(m.index);
	free(m.parent_start);
	free(m.by_digest);
	free(m.digest_start);
	return 0;
}
