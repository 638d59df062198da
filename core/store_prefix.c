/*
 * The first rows of a cache.db by lookups (store_prefix.h). The whole load
 * (core/graph_build.c, number_nodes) numbers records depth-first from the
 * roots sorted by ID, each record's children in the order child_link_cmp
 * gives; this file replays exactly that walk, but stops after ROWS records
 * and reads only the buckets of the records it numbers:
 *
 *   roots in ID order      seeks in _links to "random:" and "sha256:"
 *   a record's children    its bucket _links/<id>, sorted as the load sorts
 *   a record's parents     _backlinks/<id> names them; each one's bucket
 *                          gives the links to it; a parent counts only if a
 *                          root reaches it (the load drops the others), which
 *                          a walk up _backlinks tells
 *
 * What the whole load would refuse (a malformed entry, a cycle) is its to
 * say: here any trouble means "no prefix", never an error.
 */
#include "store_prefix.h"
#include "bolt.h"
#include "graph_build.h"
#include "store_scan.h"
#include "strindex.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Work allowed before giving up: bucket entries read and lookups made. */
#define PREFIX_MAX_ENTRIES (1u << 21)
#define PREFIX_MAX_LOOKUPS (1u << 16)
/* Keys visited walking up from one parent to learn whether a root reaches it. */
#define PREFIX_MAX_CLIMB 4096

enum { UNKNOWN = -1, NO = 0, YES = 1 };

struct key_info {
	struct cs_bytes key;   /* a slice of the mapped file */
	uint32_t row;          /* its number, or CS_NONE */
	int8_t root;           /* UNKNOWN until looked up */
	int8_t reach;          /* does a root reach it: UNKNOWN, NO, YES */
	bool random;
	bool links_read;       /* its links to rows are in p->links (a row's: all of them) */
	cs_dig digest;         /* a root's */
	uint32_t climb;        /* the climb that last visited it */
	uint32_t index;        /* in the graph being made */
};

struct plink {
	uint32_t parent, child; /* key_info indexes */
	uint32_t input;
	int32_t output;
	cs_dig digest, selector;
};

struct prefix {
	struct cs_graph *g;
	struct bolt_file file;
	struct bolt_bucket links, backlinks;
	struct key_info *keys;
	uint32_t key_count, key_cap;
	struct str_index by_key;
	struct plink *plinks;
	uint32_t plink_count, plink_cap;
	uint32_t *rows;         /* key indexes in row order */
	uint32_t *row_parents;  /* per row, the distinct rows that link to it */
	uint32_t row_count;
	uint32_t entries, lookups;
	uint32_t climbs;
	/* where the walk over the roots is: which ID prefix, and the last root's ID */
	int root_prefix;
	unsigned char *after;
	size_t after_len, after_cap;
};

static const char *const root_prefixes[] = { "random:", "sha256:" };

static bool spend_lookup(struct prefix *p)
{
	return ++p->lookups <= PREFIX_MAX_LOOKUPS;
}

static uint32_t key_of(struct prefix *p, struct cs_bytes key)
{
	uint32_t k = str_index_get(&p->by_key, (const char *)key.ptr, key.len);

	if (k != UINT32_MAX)
		return k;
	XGROW(p->keys, p->key_cap, p->key_count + 1);
	k = p->key_count++;
	p->keys[k] = (struct key_info){ .key = key, .row = CS_NONE, .root = UNKNOWN, .reach = UNKNOWN,
					.digest = CS_DIG_NONE, .index = CS_NONE };
	str_index_add(&p->by_key, (const char *)key.ptr, key.len, k);
	return k;
}

/* Is key K a root (a _links bucket named by a digest)? -1 when it would fail the load. */
static int is_root(struct prefix *p, uint32_t k)
{
	struct key_info *ki = &p->keys[k];
	struct bolt_item item;
	struct cs_digest d;
	bool random;

	if (ki->root != UNKNOWN)
		return ki->root;
	int named = scan_root_id(ki->key, &random, &d);
	if (named == 0) {
		ki->root = NO;
		return NO;
	}
	if (!spend_lookup(p))
		return -1;
	int found = bolt_get(&p->file, &p->links, ki->key.ptr, ki->key.len, &item, NULL);
	if (found < 0 || (found && item.is_bucket && named < 0))
		return -1;
	ki = &p->keys[k];
	ki->root = found && item.is_bucket ? YES : NO;
	if (ki->root == YES) {
		ki->random = random;
		ki->digest = digests_intern(&p->g->digests, &d);
	}
	return ki->root;
}

/* The next root in ID order (1, its key index in *OUT), 0 after the last, -1 on trouble. */
static int next_root(struct prefix *p, uint32_t *out)
{
	while (p->root_prefix < 2) {
		const char *name = root_prefixes[p->root_prefix];
		struct bolt_item item;
		int found;
		if (!spend_lookup(p))
			return -1;
		if (p->after_len)
			found = bolt_seek(&p->file, &p->links, p->after, p->after_len, &item, NULL);
		else
			found = bolt_seek(&p->file, &p->links, name, strlen(name), &item, NULL);
		if (found < 0)
			return -1;
		if (!found || !cs_bytes_has_prefix(item.key, name)) {
			p->root_prefix++;
			p->after_len = 0;
			continue;
		}
		/* the next seek starts just after this key */
		XGROW(p->after, p->after_cap, item.key.len + 1);
		memcpy(p->after, item.key.ptr, item.key.len);
		p->after[item.key.len] = '\0';
		p->after_len = item.key.len + 1;
		/* the daemon's walk takes buckets only */
		if (!item.is_bucket)
			continue;
		uint32_t k = key_of(p, item.key);
		if (is_root(p, k) != YES)
			return -1;
		*out = k;
		return 1;
	}
	return 0;
}

static struct plink *add_plink(struct prefix *p)
{
	XGROW(p->plinks, p->plink_cap, p->plink_count + 1);
	return &p->plinks[p->plink_count++];
}

static void link_from_record(struct prefix *p, struct plink *l, uint32_t parent, uint32_t child,
			     const struct scan_record *rec)
{
	l->parent = parent;
	l->child = child;
	l->input = rec->input;
	l->output = rec->output;
	l->digest = digests_intern(&p->g->digests, &rec->digest);
	l->selector = rec->has_selector ? digests_intern(&p->g->digests, &rec->selector) : CS_DIG_NONE;
}

struct bucket_read {
	struct prefix *p;
	uint32_t parent;
	bool every;   /* every link (a row's), or only those to rows */
};

static int read_entry(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct bucket_read *r = ctx;
	struct prefix *p = r->p;
	struct scan_record rec;

	if (item->is_bucket)
		return 0;
	if (++p->entries > PREFIX_MAX_ENTRIES)
		return cs_fail(err, "too many entries");
	if (!r->every) {
		/* only links to rows: the target is after the one '@' */
		const unsigned char *at = memchr(item->key.ptr, '@', item->key.len);
		if (!at)
			return cs_fail(err, "invalid link");
		struct cs_bytes target = cs_bytes_of(at + 1, item->key.len - (size_t)(at + 1 - item->key.ptr));
		uint32_t k = str_index_get(&p->by_key, (const char *)target.ptr, target.len);
		if (k == UINT32_MAX || p->keys[k].row == CS_NONE)
			return 0;
	}
	if (scan_link(item, &rec, true, err) < 0)
		return -1;
	uint32_t child = key_of(p, rec.id);
	link_from_record(p, add_plink(p), r->parent, child, &rec);
	return 0;
}

/* Adds key K's links (all of them, or only those to rows): 0, or -1 on trouble. */
static int read_links(struct prefix *p, uint32_t k, bool every)
{
	struct bucket_read r = { p, k, every };
	struct bolt_item item;
	struct cs_error err;

	if (p->keys[k].links_read)
		return 0;
	p->keys[k].links_read = true;
	if (!spend_lookup(p))
		return -1;
	int found = bolt_get(&p->file, &p->links, p->keys[k].key.ptr, p->keys[k].key.len, &item, NULL);
	if (found < 0)
		return -1;
	if (!found || !item.is_bucket)
		return 0;
	bolt_walk_begin(&p->file);
	return bolt_foreach(&p->file, &item.bucket, read_entry, &r, &err) < 0 ? -1 : 0;
}

/* ---- the walk the whole load numbers by ---- */

/* graph_build.c's child_link_cmp: output, the child's digest, the link's digest and selector, the child's ID. */
static int child_walk_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct prefix *p = ctx;
	const struct plink *x = &p->plinks[*(const uint32_t *)pa], *y = &p->plinks[*(const uint32_t *)pb];
	int c;

	if (x->output != y->output)
		return x->output < y->output ? -1 : 1;
	if ((c = graph_digest_order(p->g, p->keys[x->child].digest, p->keys[y->child].digest)))
		return c;
	if ((c = graph_digest_order(p->g, x->digest, y->digest)))
		return c;
	if ((c = graph_digest_order(p->g, x->selector, y->selector)))
		return c;
	return cs_bytes_cmp(p->keys[x->child].key, p->keys[y->child].key);
}

/* Numbers key K as the next row and pushes its children, first child on top. */
static int number(struct prefix *p, uint32_t k, uint32_t **stack, size_t *depth, size_t *cap)
{
	uint32_t first = p->plink_count;

	if (read_links(p, k, true) < 0)
		return -1;
	uint32_t n = p->plink_count - first;
	uint32_t *order = xmalloc((n ? n : 1) * sizeof(*order));
	for (uint32_t i = 0; i < n; i++) {
		order[i] = first + i;
		/* a child's digest orders it only when it is a root */
		if (is_root(p, p->plinks[first + i].child) < 0) {
			free(order);
			return -1;
		}
	}
	qsort_r(order, n, sizeof(*order), child_walk_cmp, p);
	p->keys[k].row = p->row_count;
	p->keys[k].reach = YES;
	p->rows[p->row_count++] = k;
	XGROW(*stack, *cap, *depth + n);
	for (uint32_t i = n; i > 0; i--) {
		uint32_t child = p->plinks[order[i - 1]].child;
		if (p->keys[child].row == CS_NONE)
			(*stack)[(*depth)++] = child;
	}
	free(order);
	return 0;
}

static int walk_rows(struct prefix *p, uint32_t want)
{
	uint32_t *stack = NULL;
	size_t depth = 0, cap = 0;
	int rc = 0;

	while (p->row_count < want) {
		if (!depth) {
			uint32_t root;
			rc = next_root(p, &root);
			if (rc <= 0)
				break;
			XGROW(stack, cap, depth + 1);
			stack[depth++] = root;
		}
		uint32_t k = stack[--depth];
		if (p->keys[k].row != CS_NONE)
			continue;
		if ((rc = number(p, k, &stack, &depth, &cap)) < 0)
			break;
	}
	free(stack);
	return rc < 0 ? -1 : 0;
}

/* ---- parents ---- */

struct name_list {
	struct prefix *p;
	uint32_t *keys;
	uint32_t count, cap;
};

static int collect_name(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct name_list *l = ctx;

	if (item->is_bucket)
		return 0;
	if (++l->p->entries > PREFIX_MAX_ENTRIES)
		return cs_fail(err, "too many entries");
	XGROW(l->keys, l->cap, l->count + 1);
	l->keys[l->count++] = key_of(l->p, item->key);
	return 0;
}

/* The keys _backlinks/<K> names (K's parents, as the daemon recorded them) into L. */
static int backlinks_of(struct prefix *p, uint32_t k, struct name_list *l)
{
	struct bolt_item item;
	struct cs_error err;

	l->count = 0;
	if (!spend_lookup(p))
		return -1;
	int found = bolt_get(&p->file, &p->backlinks, p->keys[k].key.ptr, p->keys[k].key.len, &item, NULL);
	if (found < 0)
		return -1;
	if (!found || !item.is_bucket)
		return 0;
	bolt_walk_begin(&p->file);
	return bolt_foreach(&p->file, &item.bucket, collect_name, l, &err) < 0 ? -1 : 0;
}

/*
 * Does a root reach key K? A row or a root: yes. Otherwise climb
 * _backlinks until one is found (yes) or every ancestor is seen (no, and
 * no for each of them). -1: undecided within the budget.
 */
static int reached(struct prefix *p, uint32_t k)
{
	struct name_list up = { p, NULL, 0, 0 };
	uint32_t *queue = NULL, head = 0, tail = 0, cap = 0;
	int answer = NO;

	if (p->keys[k].reach != UNKNOWN)
		return p->keys[k].reach;
	uint32_t climb = ++p->climbs;
	XGROW(queue, cap, 1);
	queue[tail++] = k;
	p->keys[k].climb = climb;
	while (head < tail && answer == NO) {
		uint32_t q = queue[head++];
		int root = is_root(p, q);
		if (root < 0) {
			answer = -1;
			break;
		}
		if (root == YES || p->keys[q].reach == YES) {
			answer = YES;
			break;
		}
		if (p->keys[q].reach == NO)
			continue;
		if (tail > PREFIX_MAX_CLIMB || backlinks_of(p, q, &up) < 0) {
			answer = -1;
			break;
		}
		for (uint32_t i = 0; i < up.count; i++) {
			uint32_t r = up.keys[i];
			if (p->keys[r].climb == climb)
				continue;
			p->keys[r].climb = climb;
			XGROW(queue, cap, tail + 1);
			queue[tail++] = r;
		}
	}
	/* nothing above reaches a root: none of them is reached either */
	if (answer == NO)
		for (uint32_t i = 0; i < tail; i++)
			p->keys[queue[i]].reach = NO;
	if (answer == YES)
		p->keys[k].reach = YES;
	free(queue);
	free(up.keys);
	return answer;
}

/*
 * Row R's parents that are not rows, with their links to rows. The links
 * from rows are known already: each must be one _backlinks names, or
 * _backlinks is not to be trusted for the rest. -1: no prefix from row R on.
 */
static int find_parents(struct prefix *p, uint32_t r, struct name_list *names)
{
	uint32_t k = p->rows[r], named_rows = 0;

	if (backlinks_of(p, k, names) < 0)
		return -1;
	for (uint32_t i = 0; i < names->count; i++) {
		uint32_t parent = names->keys[i];
		if (p->keys[parent].row != CS_NONE) {
			named_rows++;
			continue;
		}
		int reach = reached(p, parent);
		if (reach < 0)
			return -1;
		if (reach == YES && read_links(p, parent, false) < 0)
			return -1;
	}
	return named_rows == p->row_parents[r] ? 0 : -1;
}

static int pair_cmp(const void *pa, const void *pb)
{
	const uint64_t *a = pa, *b = pb;

	return *a < *b ? -1 : *a > *b;
}

/* Per row, how many distinct rows link to it (their buckets are read: every link of theirs is known). */
static void count_row_parents(struct prefix *p)
{
	uint64_t *pairs = xmalloc((p->plink_count ? p->plink_count : 1) * sizeof(*pairs));
	uint32_t n = 0;

	p->row_parents = xcalloc(p->row_count ? p->row_count : 1, sizeof(*p->row_parents));
	for (uint32_t i = 0; i < p->plink_count; i++) {
		const struct plink *l = &p->plinks[i];
		uint32_t child = p->keys[l->child].row, parent = p->keys[l->parent].row;
		if (child != CS_NONE && parent != CS_NONE)
			pairs[n++] = (uint64_t)child << 32 | parent;
	}
	qsort(pairs, n, sizeof(*pairs), pair_cmp);
	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || pairs[i] != pairs[i - 1])
			p->row_parents[pairs[i] >> 32]++;
	free(pairs);
}

/* ---- the graph ---- */

static int parent_list_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct cs_graph *g = ctx;
	const struct cs_link *x = &g->links[*(const uint32_t *)pa], *y = &g->links[*(const uint32_t *)pb];
	int c;

	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	if ((c = graph_digest_order(g, x->digest, y->digest)))
		return c;
	return x->parent < y->parent ? -1 : x->parent > y->parent;
}

/* graph_build.c's child_list_cmp, without the load's order of meeting, which no tie here needs */
static int child_list_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct cs_graph *g = ctx;
	const struct cs_link *x = &g->links[*(const uint32_t *)pa], *y = &g->links[*(const uint32_t *)pb];
	int c;

	if (x->output != y->output)
		return x->output < y->output ? -1 : 1;
	if (x->child != y->child)
		return x->child < y->child ? -1 : 1;
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	if ((c = graph_digest_order(g, x->digest, y->digest)))
		return c;
	return graph_digest_order(g, x->selector, y->selector);
}

static uint32_t graph_index(struct prefix *p, uint32_t k, uint32_t rows, uint32_t *stubs)
{
	struct key_info *ki = &p->keys[k];

	if (ki->row != CS_NONE && ki->row < rows)
		return ki->row;
	if (ki->index == CS_NONE)
		ki->index = rows + (*stubs)++;
	return ki->index;
}

/* Per row, the link indexes whose OWNER (child or parent) it is, sorted by CMP. */
static void group_links(struct cs_graph *g, uint32_t rows, bool by_child,
			int (*cmp)(const void *, const void *, void *), uint32_t **start_out, uint32_t **items_out)
{
	uint32_t *start = xcalloc((size_t)rows + 1, sizeof(*start));
	uint32_t *items = xmalloc((g->link_count ? g->link_count : 1) * sizeof(*items));
	uint32_t *fill = xmalloc(((size_t)rows + 1) * sizeof(*fill));

	for (uint32_t i = 0; i < g->link_count; i++) {
		uint32_t owner = by_child ? g->links[i].child : g->links[i].parent;
		if (owner < rows)
			start[owner + 1]++;
	}
	for (uint32_t r = 0; r < rows; r++)
		start[r + 1] += start[r];
	memcpy(fill, start, ((size_t)rows + 1) * sizeof(*fill));
	for (uint32_t i = 0; i < g->link_count; i++) {
		uint32_t owner = by_child ? g->links[i].child : g->links[i].parent;
		if (owner < rows)
			items[fill[owner]++] = i;
	}
	for (uint32_t r = 0; r < rows; r++)
		if (start[r + 1] - start[r] > 1)
			qsort_r(items + start[r], start[r + 1] - start[r], sizeof(*items), cmp, g);
	free(fill);
	*start_out = start;
	*items_out = items;
}

static void make_graph(struct prefix *p, uint32_t rows)
{
	struct cs_graph *g = p->g;
	uint32_t stubs = 0, kept = 0;

	g->links = xmalloc((p->plink_count ? p->plink_count : 1) * sizeof(*g->links));
	for (uint32_t i = 0; i < p->plink_count; i++) {
		const struct plink *l = &p->plinks[i];
		const struct key_info *parent = &p->keys[l->parent], *child = &p->keys[l->child];
		bool from_row = parent->row != CS_NONE && parent->row < rows;
		bool to_row = child->row != CS_NONE && child->row < rows;
		/* a row's links, and the links to a row from the parents a root reaches */
		if (!from_row && !(to_row && parent->reach == YES))
			continue;
		g->links[kept++] = (struct cs_link){
			.parent = graph_index(p, l->parent, rows, &stubs),
			.child = graph_index(p, l->child, rows, &stubs),
			.input = l->input, .output = l->output, .digest = l->digest, .selector = l->selector,
		};
	}
	g->link_count = kept;

	uint32_t *parent_start, *child_start;
	group_links(g, rows, true, parent_list_cmp, &parent_start, &g->parent_links);
	group_links(g, rows, false, child_list_cmp, &child_start, &g->child_links);

	free(g->nodes);
	g->nodes = xcalloc((size_t)rows + stubs + 1, sizeof(*g->nodes));
	g->root_count = 0;
	for (uint32_t k = 0; k < p->key_count; k++) {
		const struct key_info *ki = &p->keys[k];
		uint32_t at = ki->row != CS_NONE && ki->row < rows ? ki->row : ki->index;
		if (at == CS_NONE)
			continue;
		struct cs_node *n = &g->nodes[at];
		n->key = strings_add(&g->strings, (const char *)ki->key.ptr, ki->key.len);
		n->digest = ki->root == YES ? ki->digest : CS_DIG_NONE;
		n->flags = ki->root == YES ? CS_NODE_ROOT | (ki->random ? CS_NODE_RANDOM : 0) : 0;
		if (at < rows && ki->root == YES)
			g->root_count++;
	}
	for (uint32_t i = 0; i <= rows + stubs; i++) {
		g->nodes[i].parents = parent_start[i < rows ? i : rows];
		g->nodes[i].children = child_start[i < rows ? i : rows];
		g->nodes[i].results = 0;
	}
	g->nodes[rows + stubs].digest = CS_DIG_NONE;
	g->nodes[rows + stubs].key = CS_STR_NONE;
	g->node_count = rows;
	g->stub_count = stubs;
	g->partial = true;
	g->results_skipped = true;
	free(parent_start);
	free(child_start);
}

static int find_bucket(struct prefix *p, const char *name, struct bolt_bucket *out)
{
	struct bolt_bucket root;
	struct bolt_item item;

	bolt_root(&p->file, &root);
	if (bolt_get(&p->file, &root, name, strlen(name), &item, NULL) <= 0 || !item.is_bucket)
		return -1;
	*out = item.bucket;
	return 0;
}

/* Up to WANT rows into P->g: how many (0: none to show). */
static uint32_t read_prefix(struct prefix *p, uint32_t want)
{
	struct name_list names = { p, NULL, 0, 0 };
	uint32_t rows;

	if (find_bucket(p, "_links", &p->links) < 0 || find_bucket(p, "_backlinks", &p->backlinks) < 0)
		return 0;
	p->rows = xmalloc((want ? want : 1) * sizeof(*p->rows));
	if (walk_rows(p, want) < 0)
		return 0;
	count_row_parents(p);
	for (rows = 0; rows < p->row_count; rows++)
		if (find_parents(p, rows, &names) < 0)
			break;
	free(names.keys);
	if (rows)
		make_graph(p, rows);
	return rows;
}

int store_prefix_read(struct cs_graph *g, const char *path, uint32_t want)
{
	struct prefix p = { .g = g, .file = { .fd = -1 } };
	struct cs_error err;
	uint32_t rows = 0;
	double start = cs_now();

	str_index_init(&p.by_key, 1024);
	if (bolt_open(&p.file, path, &err) == 0) {
		rows = read_prefix(&p, want);
		/* pages a writer reused under us read as anything: the whole load will retry */
		if (rows && !bolt_snapshot_intact(&p.file))
			rows = 0;
	}
	bolt_close(&p.file);
	str_index_free(&p.by_key);
	free(p.keys);
	free(p.plinks);
	free(p.rows);
	free(p.row_parents);
	free(p.after);
	if (rows)
		graph_phase(g, "read the first rows", start);
	return rows > 0;
}
