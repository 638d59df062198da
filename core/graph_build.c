#include "graph_build.h"
#include "bytes.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct build_node {
	uint32_t key;       /* strings offset */
	uint32_t key_len;   /* keys may hold any byte, NUL included */
	cs_dig digest;
	uint8_t flags;
};

struct build_link {
	struct cs_link link;  /* parent/child are builder node indexes */
	uint32_t seq;         /* when the child met this parent during the load */
};

struct build_result {
	uint32_t node;
	struct cs_result result;
};

struct key_slot {
	uint32_t node; /* node index + 1, 0 = empty */
	uint32_t hash; /* upper bits of the key's hash, compared before the key */
};

struct cs_builder {
	struct cs_graph *g;
	enum cs_link_order order;

	struct build_node *nodes;
	uint32_t node_count, node_cap;
	struct build_link *links;
	uint32_t link_count, link_cap;
	struct build_result *results;
	uint32_t result_count, result_cap;

	/* store ID -> node: open addressing, each slot tagged with its key's hash */
	struct key_slot *slots;
	uint32_t slot_mask;
};

/*
 * Store IDs are random strings (base-36 IDs, hex digests), so a few of
 * their bytes hash as well as all of them: the first and last eight, the
 * length, and every byte of short keys. Any key still hashes; only its
 * spread would suffer, never correctness.
 */
uint64_t builder_key_hash(const char *key, size_t len)
{
	uint64_t head = 0, tail = 0;

	if (len < 16) {
		uint64_t h = 0xcbf29ce484222325ULL;
		for (size_t i = 0; i < len; i++)
			h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
		return hash_mix64(h ^ len);
	}
	memcpy(&head, key, 8);
	memcpy(&tail, key + len - 8, 8);
	return hash_mix64(head ^ hash_mix64(tail ^ len));
}

static const char *node_key(const struct cs_builder *b, uint32_t n)
{
	return b->g->strings.data + b->nodes[n].key;
}

static int key_cmp(const struct cs_builder *b, uint32_t x, uint32_t y)
{
	return cs_bytes_cmp(cs_bytes_of(node_key(b, x), b->nodes[x].key_len),
			    cs_bytes_of(node_key(b, y), b->nodes[y].key_len));
}

struct cs_builder *builder_new(struct cs_graph *g, enum cs_link_order order)
{
	struct cs_builder *b = xcalloc(1, sizeof(*b));

	b->g = g;
	b->order = order;
	b->slot_mask = 1023;
	b->slots = xcalloc(b->slot_mask + 1, sizeof(*b->slots));
	return b;
}

void builder_free(struct cs_builder *b)
{
	if (!b)
		return;
	free(b->nodes);
	free(b->links);
	free(b->results);
	free(b->slots);
	free(b);
}

uint32_t builder_node_count(const struct cs_builder *b)
{
	return b->node_count;
}

static void grow_slots(struct cs_builder *b)
{
	uint32_t nslots = (b->slot_mask + 1) * 2;

	free(b->slots);
	b->slots = xcalloc(nslots, sizeof(*b->slots));
	b->slot_mask = nslots - 1;
	for (uint32_t n = 0; n < b->node_count; n++) {
		uint64_t h = builder_key_hash(node_key(b, n), b->nodes[n].key_len);
		uint32_t s = (uint32_t)h & b->slot_mask;
		while (b->slots[s].node)
			s = (s + 1) & b->slot_mask;
		b->slots[s] = (struct key_slot){ n + 1, (uint32_t)(h >> 32) };
	}
}

static struct key_slot *find_slot(const struct cs_builder *b, const char *key, size_t len,
				  uint64_t h)
{
	uint32_t s = (uint32_t)h & b->slot_mask, tag = (uint32_t)(h >> 32);

	for (;; s = (s + 1) & b->slot_mask) {
		struct key_slot *slot = &b->slots[s];
		if (!slot->node)
			return slot;
		if (slot->hash != tag)
			continue;
		const struct build_node *n = &b->nodes[slot->node - 1];
		if (n->key_len == len && memcmp(b->g->strings.data + n->key, key, len) == 0)
			return slot;
	}
}

uint32_t builder_find_hashed(const struct cs_builder *b, const char *key, size_t key_len,
			     uint64_t hash)
{
	const struct key_slot *slot = find_slot(b, key, key_len, hash);

	return slot->node ? slot->node - 1 : CS_NONE;
}

uint32_t builder_find(const struct cs_builder *b, const char *key, size_t key_len)
{
	return builder_find_hashed(b, key, key_len, builder_key_hash(key, key_len));
}

uint32_t builder_node_hashed(struct cs_builder *b, const char *key, size_t key_len, uint64_t hash)
{
	struct key_slot *slot = find_slot(b, key, key_len, hash);

	if (slot->node)
		return slot->node - 1;
	XGROW(b->nodes, b->node_cap, b->node_count + 1);
	struct build_node *n = &b->nodes[b->node_count];
	n->key = strings_add(&b->g->strings, key, key_len);
	n->key_len = (uint32_t)key_len;
	n->digest = CS_DIG_NONE;
	n->flags = 0;
	*slot = (struct key_slot){ ++b->node_count, (uint32_t)(hash >> 32) };
	if ((size_t)b->node_count * 2 > (size_t)b->slot_mask + 1)
		grow_slots(b);
	return b->node_count - 1;
}

uint32_t builder_node(struct cs_builder *b, const char *key, size_t key_len)
{
	return builder_node_hashed(b, key, key_len, builder_key_hash(key, key_len));
}

void builder_root(struct cs_builder *b, uint32_t node, cs_dig digest, bool random)
{
	b->nodes[node].digest = digest;
	b->nodes[node].flags |= CS_NODE_ROOT | (random ? CS_NODE_RANDOM : 0);
}

void builder_link(struct cs_builder *b, uint32_t parent, uint32_t child,
		  uint32_t input, int32_t output, cs_dig digest, cs_dig selector)
{
	XGROW(b->links, b->link_cap, b->link_count + 1);
	struct build_link *l = &b->links[b->link_count];
	l->link.parent = parent;
	l->link.child = child;
	l->link.input = input;
	l->link.output = output;
	l->link.digest = digest;
	l->link.selector = selector;
	l->seq = b->link_count++;
}

void builder_result(struct cs_builder *b, uint32_t node, uint32_t id,
		    uint32_t created_at, uint32_t layer)
{
	XGROW(b->results, b->result_cap, b->result_count + 1);
	struct build_result *r = &b->results[b->result_count++];
	r->node = node;
	r->result.id = id;
	r->result.created_at = created_at;
	r->result.layer = layer;
}

/* ---- ordering ---- */

/* Groups item indexes by owner with a counting sort, keeping their order. */
static void group_by(uint32_t groups, uint32_t count, const uint32_t *owner,
		     uint32_t **start_out, uint32_t **items_out)
{
	uint32_t *start = xcalloc((size_t)groups + 1, sizeof(*start));
	uint32_t *items = xmalloc((size_t)(count ? count : 1) * sizeof(*items));

	for (uint32_t i = 0; i < count; i++)
		start[owner[i] + 1]++;
	for (uint32_t g = 0; g < groups; g++)
		start[g + 1] += start[g];
	uint32_t *fill = xmalloc(((size_t)groups + 1) * sizeof(*fill));
	memcpy(fill, start, ((size_t)groups + 1) * sizeof(*fill));
	for (uint32_t i = 0; i < count; i++)
		items[fill[owner[i]]++] = i;
	free(fill);
	*start_out = start;
	*items_out = items;
}

int graph_digest_order(const struct cs_graph *g, cs_dig x, cs_dig y)
{
	if (x == y)
		return 0;
	/* no digest sorts first, as "" does before any digest string */
	if (x == CS_DIG_NONE)
		return -1;
	if (y == CS_DIG_NONE)
		return 1;
	return digest_cmp(digests_at(&g->digests, x), digests_at(&g->digests, y));
}

static int root_cmp(const void *pa, const void *pb, void *ctx)
{
	return key_cmp(ctx, *(const uint32_t *)pa, *(const uint32_t *)pb);
}

/*
 * A parent's outgoing links in the order its children are numbered: by
 * output, then the child's digest, the link (digest, selector) and the
 * child's store ID. A child's first link in this order is its smallest,
 * so first occurrences give util/cachestore's child order.
 */
static int child_link_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct cs_builder *b = ctx;
	const struct build_link *x = &b->links[*(const uint32_t *)pa];
	const struct build_link *y = &b->links[*(const uint32_t *)pb];
	int c;

	if (x->link.output != y->link.output)
		return x->link.output < y->link.output ? -1 : 1;
	if ((c = graph_digest_order(b->g, b->nodes[x->link.child].digest, b->nodes[y->link.child].digest)))
		return c;
	if ((c = graph_digest_order(b->g, x->link.digest, y->link.digest)))
		return c;
	if ((c = graph_digest_order(b->g, x->link.selector, y->link.selector)))
		return c;
	return key_cmp(b, x->link.child, y->link.child);
}

/*
 * Links by parent, in the order added (group_by's counting sort), with
 * each one's child beside it in OUT_CHILD: the walk reads those in order,
 * a node's together, instead of a 40-byte link apiece anywhere in
 * b->links (at a million keys, a cache miss a link). One pass over the
 * links, in order, fills both.
 */
static void group_out_links(const struct cs_builder *b, uint32_t **start_out, uint32_t **items_out,
			    uint32_t *out_child)
{
	uint32_t groups = b->node_count, count = b->link_count;
	uint32_t *start = xcalloc((size_t)groups + 1, sizeof(*start));
	uint32_t *items = xmalloc((size_t)(count ? count : 1) * sizeof(*items));

	for (uint32_t i = 0; i < count; i++)
		start[b->links[i].link.parent + 1]++;
	for (uint32_t g = 0; g < groups; g++)
		start[g + 1] += start[g];
	uint32_t *fill = xmalloc(((size_t)groups + 1) * sizeof(*fill));
	memcpy(fill, start, ((size_t)groups + 1) * sizeof(*fill));
	for (uint32_t i = 0; i < count; i++) {
		uint32_t at = fill[b->links[i].link.parent]++;
		items[at] = i;
		out_child[at] = b->links[i].link.child;
	}
	free(fill);
	*start_out = start;
	*items_out = items;
}

enum load_state { UNSEEN, LOADING, LOADED };

struct load_frame {
	uint32_t node;
	uint32_t next; /* next outgoing link to follow */
};

/*
 * Replays util/cachestore's depth-first load from the sorted roots: it
 * tells which records exist (those a root reaches), refuses cycles as the
 * daemon does, and, in store-walk order, numbers each link by the moment
 * its child met this parent — the tie-break of the daemon's stable sort of
 * a record's parents.
 */
static int load_walk(struct cs_builder *b, const uint32_t *roots, uint32_t root_count,
		     const uint32_t *out_start, const uint32_t *out_items, const uint32_t *out_child,
		     uint8_t *state, struct cs_error *err)
{
	struct load_frame *stack = NULL;
	size_t depth = 0, cap = 0;
	uint32_t seq = 0;
	bool replay_order = b->order == CS_ORDER_STORE_WALK;

	for (uint32_t r = 0; r < root_count; r++) {
		if (state[roots[r]] != UNSEEN)
			continue;
		XGROW(stack, cap, depth + 1);
		stack[depth++] = (struct load_frame){ roots[r], 0 };
		state[roots[r]] = LOADING;
		while (depth) {
			struct load_frame *top = &stack[depth - 1];
			uint32_t begin = out_start[top->node], end = out_start[top->node + 1];
			if (begin + top->next < end) {
				uint32_t li = out_items[begin + top->next];
				uint32_t child = out_child[begin + top->next++];
				if (state[child] == LOADING) {
					free(stack);
					return cs_fail(err, "circular dependency detected for %.80s",
						       node_key(b, child));
				}
				if (state[child] == LOADED) {
					if (replay_order)
						b->links[li].seq = seq++;
					continue;
				}
				state[child] = LOADING;
				XGROW(stack, cap, depth + 1);
				stack[depth++] = (struct load_frame){ child, 0 };
				continue;
			}
			state[top->node] = LOADED;
			depth--;
			if (depth && replay_order) {
				struct load_frame *parent = &stack[depth - 1];
				uint32_t li = out_items[out_start[parent->node] + parent->next - 1];
				b->links[li].seq = seq++;
			}
		}
	}
	free(stack);
	return 0;
}

/* Pre-order numbering, iterative so a chain of a million keys cannot overflow the stack. */
static uint32_t number_nodes(const struct cs_builder *b, const uint32_t *roots, uint32_t root_count,
			     const uint32_t *out_start, const uint32_t *out_items,
			     uint32_t *number, uint32_t *order)
{
	uint32_t *stack = NULL;
	size_t depth = 0, cap = 0;
	uint32_t count = 0;

	for (uint32_t r = 0; r < root_count; r++) {
		XGROW(stack, cap, depth + 1);
		stack[depth++] = roots[r];
		while (depth) {
			uint32_t x = stack[--depth];
			if (number[x] != CS_NONE)
				continue;
			number[x] = count;
			order[count++] = x;
			/* reversed, so the first child is popped first; repeats are skipped when popped */
			uint32_t begin = out_start[x], end = out_start[x + 1];
			XGROW(stack, cap, depth + (end - begin));
			for (uint32_t i = end; i > begin; i--) {
				uint32_t child = b->links[out_items[i - 1]].link.child;
				if (number[child] == CS_NONE)
					stack[depth++] = child;
			}
		}
	}
	free(stack);
	return count;
}

static int parent_link_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct cs_builder *b = ctx;
	const struct build_link *x = &b->links[*(const uint32_t *)pa];
	const struct build_link *y = &b->links[*(const uint32_t *)pb];
	int c;

	if (x->link.input != y->link.input)
		return x->link.input < y->link.input ? -1 : 1;
	if ((c = graph_digest_order(b->g, x->link.digest, y->link.digest)))
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Children listed by output, then ID; both already renumbered in link.child. */
static int child_list_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct cs_builder *b = ctx;
	const struct build_link *x = &b->links[*(const uint32_t *)pa];
	const struct build_link *y = &b->links[*(const uint32_t *)pb];
	int c;

	if (x->link.output != y->link.output)
		return x->link.output < y->link.output ? -1 : 1;
	if (x->link.child != y->link.child)
		return x->link.child < y->link.child ? -1 : 1;
	if (x->link.input != y->link.input)
		return x->link.input < y->link.input ? -1 : 1;
	if ((c = graph_digest_order(b->g, x->link.digest, y->link.digest)))
		return c;
	if ((c = graph_digest_order(b->g, x->link.selector, y->link.selector)))
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Fills START (count + 1 entries) and ITEMS with link indexes grouped by OWNER, each group sorted (CMP not NULL). */
static void index_links(struct cs_builder *b, uint32_t groups, const uint32_t *owner,
			int (*cmp)(const void *, const void *, void *),
			uint32_t **start, uint32_t **items)
{
	group_by(groups, b->link_count, owner, start, items);
	for (uint32_t g = 0; cmp && g < groups; g++) {
		uint32_t n = (*start)[g + 1] - (*start)[g];
		if (n > 1)
			qsort_r(*items + (*start)[g], n, sizeof(uint32_t), cmp, b);
	}
}

static void emit_graph(struct cs_builder *b, const uint32_t *order, const uint32_t *number,
		       uint32_t count, bool sorted)
{
	struct cs_graph *g = b->g;
	/* unordered with every key reached (the usual store): the numbers are the builder's own */
	bool same_numbers = !sorted && count == b->node_count;
	uint32_t kept = same_numbers ? b->link_count : 0;

	/* keep the links a numbered parent has, renumbered; drop the rest */
	for (uint32_t i = 0; !same_numbers && i < b->link_count; i++) {
		struct build_link l = b->links[i];
		if (number[l.link.parent] == CS_NONE)
			continue;
		l.link.parent = number[l.link.parent];
		l.link.child = number[l.link.child];
		b->links[kept++] = l;
	}
	b->link_count = kept;

	uint32_t *owner = xmalloc((size_t)(kept ? kept : 1) * sizeof(*owner));
	uint32_t *parent_start, *child_start;
	for (uint32_t i = 0; i < kept; i++)
		owner[i] = b->links[i].link.child;
	index_links(b, count, owner, sorted ? parent_link_cmp : NULL, &parent_start, &g->parent_links);
	for (uint32_t i = 0; i < kept; i++)
		owner[i] = b->links[i].link.parent;
	index_links(b, count, owner, sorted ? child_list_cmp : NULL, &child_start, &g->child_links);

	g->links = xmalloc((size_t)(kept ? kept : 1) * sizeof(*g->links));
	for (uint32_t i = 0; i < kept; i++)
		g->links[i] = b->links[i].link;
	g->link_count = kept;

	/* results grouped by node, each node's in the order the reader gave them */
	uint32_t *kept_results = xmalloc((size_t)(b->result_count ? b->result_count : 1) * sizeof(uint32_t));
	uint32_t nresults = 0;
	for (uint32_t i = 0; i < b->result_count; i++)
		if (same_numbers || number[b->results[i].node] != CS_NONE)
			kept_results[nresults++] = i;
	owner = xreallocarray(owner, nresults ? nresults : 1, sizeof(*owner));
	for (uint32_t k = 0; k < nresults; k++)
		owner[k] = same_numbers ? b->results[kept_results[k]].node : number[b->results[kept_results[k]].node];
	uint32_t *result_start, *result_items;
	group_by(count, nresults, owner, &result_start, &result_items);
	g->results = xmalloc((size_t)(nresults ? nresults : 1) * sizeof(*g->results));
	for (uint32_t i = 0; i < nresults; i++)
		g->results[i] = b->results[kept_results[result_items[i]]].result;
	g->result_count = nresults;
	free(kept_results);

	free(g->nodes);
	g->nodes = xcalloc((size_t)count + 1, sizeof(*g->nodes));
	g->root_count = 0;
	for (uint32_t k = 0; k < count; k++) {
		const struct build_node *bn = &b->nodes[order[k]];
		struct cs_node *n = &g->nodes[k];
		n->digest = bn->digest;
		n->key = bn->key;
		n->flags = bn->flags;
		n->parents = parent_start[k];
		n->children = child_start[k];
		n->results = result_start[k];
		if (n->flags & CS_NODE_ROOT)
			g->root_count++;
	}
	g->nodes[count].digest = CS_DIG_NONE;
	g->nodes[count].key = CS_STR_NONE;
	g->nodes[count].parents = parent_start[count];
	g->nodes[count].children = child_start[count];
	g->nodes[count].results = result_start[count];
	g->node_count = count;

	free(owner);
	free(parent_start);
	free(child_start);
	free(result_start);
	free(result_items);
}

static int finish(struct cs_builder *b, bool ordered, struct cs_error *err)
{
	uint32_t n = b->node_count, e = b->link_count;
	uint32_t *out_child = xmalloc((size_t)(e ? e : 1) * sizeof(*out_child));
	uint32_t *out_start, *out_items, *roots, root_count = 0;
	uint8_t *state = xcalloc(n ? n : 1, 1);
	int rc = -1;

	group_out_links(b, &out_start, &out_items, out_child);

	roots = xmalloc((size_t)(n ? n : 1) * sizeof(*roots));
	for (uint32_t i = 0; i < n; i++)
		if (b->nodes[i].flags & CS_NODE_ROOT)
			roots[root_count++] = i;
	/*
	 * Unordered, no parent list is sorted (the order of meeting breaks no
	 * tie) and the roots need no order, unless there is a cycle: the
	 * daemon's walk from the sorted roots names the key where it meets it.
	 */
	if (!ordered) {
		b->order = CS_ORDER_AS_ADDED;
		if (load_walk(b, roots, root_count, out_start, out_items, out_child, state, err) == 0)
			goto walked;
		memset(state, 0, n);
	}
	qsort_r(roots, root_count, sizeof(*roots), root_cmp, b);
	if (load_walk(b, roots, root_count, out_start, out_items, out_child, state, err) < 0)
		goto out;
walked:;

	uint32_t *number = xmalloc((size_t)(n ? n : 1) * sizeof(*number));
	uint32_t *order = xmalloc((size_t)(n ? n : 1) * sizeof(*order));
	uint32_t count = 0;
	memset(number, 0xff, (size_t)n * sizeof(*number));
	if (ordered) {
		for (uint32_t p = 0; p < n; p++) {
			uint32_t k = out_start[p + 1] - out_start[p];
			if (k > 1 && state[p] == LOADED)
				qsort_r(out_items + out_start[p], k, sizeof(uint32_t), child_link_cmp, b);
		}
		count = number_nodes(b, roots, root_count, out_start, out_items, number, order);
	} else {
		/* the records a root reaches, in the order the store gave them */
		for (uint32_t i = 0; i < n; i++)
			if (state[i] == LOADED) {
				number[i] = count;
				order[count++] = i;
			}
	}
	emit_graph(b, order, number, count, ordered);
	free(number);
	free(order);
	rc = 0;
out:
	free(out_child);
	free(state);
	free(roots);
	free(out_start);
	free(out_items);
	return rc;
}

int builder_finish(struct cs_builder *b, struct cs_error *err)
{
	return finish(b, true, err);
}

int builder_finish_unordered(struct cs_builder *b, struct cs_error *err)
{
	return finish(b, false, err);
}
