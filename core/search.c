/*
 * Search: `:` by ID or digest prefix, `/` through every plaintext.
 *
 * A text search cannot resolve each node's plaintexts (a store of 100 000
 * keys has a quarter of a million records, most reached from several
 * nodes). It reads each store entry once instead, in the store's order,
 * and keeps only what the match needs: which entries contain the text,
 * and which entry mentions which. Marks then spread up the mentions
 * ("sha256:<op>@0" mentions the op's JSON, which holds the command), and
 * the marked entries that are digests of the graph mark its nodes.
 */
#include "search.h"
#include "buf.h"
#include "plainstore.h"
#include "plaintext.h"
#include "results.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Entries read between two polls: a few milliseconds of work. */
#define POLL_EVERY 2048

struct mention {
	uint32_t mentioned, by;
};

struct cs_search {
	const struct cs_graph *g;
	char *query;
	size_t query_len;
	bool ignore_case;
	unsigned char fold[256];   /* byte -> byte compared (lowercased when ignoring case) */
	bool digest_like;          /* the query could be part of a digest's text */

	/* while running; freed once the nodes are marked */
	struct cs_digests entries; /* every plaintext seen or mentioned, by digest */
	uint8_t *marked;           /* per entry: contains the text, itself or through a mention */
	size_t marked_cap;
	struct mention *edges;
	size_t edge_count, edge_cap;
	struct cs_buf data;        /* one entry's data frames, joined */
	struct cs_digest *mentions; /* the digests it mentions (a directory's file list: thousands) */
	size_t mention_cap;
	uint64_t visited, total;

	uint8_t *node_match;       /* per node, kept */
	uint32_t match_count;
};

/* ---- `:` ---- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct hex_prefix {
	uint8_t bytes[32];
	size_t whole;      /* bytes to compare */
	int half;          /* the high nibble of the next byte, or -1 */
};

static bool parse_prefix(const char *text, struct hex_prefix *out)
{
	size_t n = strlen(text);

	if (n == 0 || n > 64)
		return false;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		int v = hex_value(text[i]);
		if (v < 0)
			return false;
		out->bytes[i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
	}
	out->whole = n / 2;
	out->half = n % 2 ? out->bytes[n / 2] >> 4 : -1;
	return true;
}

static bool has_prefix(const struct cs_graph *g, cs_dig d, const struct hex_prefix *p)
{
	if (d == CS_DIG_NONE)
		return false;
	const uint8_t *sum = graph_digest(g, d)->sum;
	return memcmp(sum, p->bytes, p->whole) == 0 && (p->half < 0 || sum[p->whole] >> 4 == p->half);
}

cs_node_id search_goto(const struct cs_graph *g, const char *text)
{
	struct hex_prefix prefix;
	char *end;

	while (*text == ' ')
		text++;
	if (*text == '#')
		text++;
	if (*text >= '0' && *text <= '9') {
		unsigned long long id = strtoull(text, &end, 10);
		if (*end == '\0')
			return graph_find_id(g, id);
	}
	if (strncmp(text, "sha256:", 7) == 0)
		text += 7;
	else if (strncmp(text, "random:", 7) == 0)
		text += 7;
	if (!parse_prefix(text, &prefix))
		return CS_NONE;
	/* a node's own digest first, then the link digests that lead to it */
	for (cs_node_id i = 0; i < g->node_count; i++)
		if (has_prefix(g, g->nodes[i].digest, &prefix))
			return i;
	for (uint32_t k = 0; k < g->link_count; k++)
		if (has_prefix(g, g->links[k].digest, &prefix))
			return g->links[k].child;
	return CS_NONE;
}

/* ---- `/` ---- */

struct cs_search *search_new(const struct cs_graph *g, const char *query)
{
	struct cs_search *s = xcalloc(1, sizeof(*s));

	s->g = g;
	s->query = xstrdup(query);
	s->query_len = strlen(query);
	s->ignore_case = true;
	for (const char *p = query; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			s->ignore_case = false;
	/* a table, not tolower(): the locale must not change what bytes match */
	for (int c = 0; c < 256; c++)
		s->fold[c] = (unsigned char)(s->ignore_case && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	for (size_t i = 0; i < s->query_len; i++)
		s->query[i] = (char)s->fold[(unsigned char)s->query[i]];
	s->digest_like = s->query_len > 0 && strspn(s->query, "0123456789abcdefsh:") == s->query_len;
	digests_init(&s->entries);
	s->node_match = xcalloc(g->node_count ? g->node_count : 1, 1);
	return s;
}

static void release_scan(struct cs_search *s)
{
	digests_free(&s->entries);
	digests_init(&s->entries);
	free(s->marked);
	s->marked = NULL;
	s->marked_cap = 0;
	free(s->edges);
	s->edges = NULL;
	s->edge_count = s->edge_cap = 0;
	buf_free(&s->data);
	free(s->mentions);
	s->mentions = NULL;
	s->mention_cap = 0;
}

void search_free(struct cs_search *s)
{
	if (!s)
		return;
	release_scan(s);
	free(s->query);
	free(s->node_match);
	free(s);
}

const char *search_query(const struct cs_search *s)
{
	return s->query;
}

const struct cs_graph *search_graph(const struct cs_search *s)
{
	return s->g;
}

void search_progress(const struct cs_search *s, uint64_t *done, uint64_t *total)
{
	*done = s->visited;
	*total = s->total;
}

static bool contains(const struct cs_search *s, const unsigned char *data, size_t len)
{
	size_t n = s->query_len;
	const unsigned char *q = (const unsigned char *)s->query;

	if (n == 0 || n > len)
		return false;
	if (!s->ignore_case)
		return memmem(data, len, q, n) != NULL;
	/*
	 * Candidates are the first byte in either case, each found by memchr
	 * and kept until passed, so a text full of one case costs no rescans.
	 */
	unsigned char lower = q[0], upper = lower >= 'a' && lower <= 'z' ? (unsigned char)(lower - 32) : lower;
	const unsigned char *end = data + len - n + 1;
	const unsigned char *next_lower = memchr(data, lower, (size_t)(end - data));
	const unsigned char *next_upper = upper != lower ? memchr(data, upper, (size_t)(end - data)) : NULL;
	while (next_lower || next_upper) {
		bool take_lower = next_lower && (!next_upper || next_lower < next_upper);
		const unsigned char *at = take_lower ? next_lower : next_upper;
		size_t k = 1;
		while (k < n && s->fold[at[k]] == q[k])
			k++;
		if (k == n)
			return true;
		if (take_lower)
			next_lower = memchr(at + 1, lower, (size_t)(end - at - 1));
		else
			next_upper = memchr(at + 1, upper, (size_t)(end - at - 1));
	}
	return false;
}

static uint32_t entry_of(struct cs_search *s, const struct cs_digest *d)
{
	cs_dig i = digests_intern(&s->entries, d);

	if ((size_t)i >= s->marked_cap) {
		size_t old = s->marked_cap;
		XGROW(s->marked, s->marked_cap, (size_t)i + 1);
		memset(s->marked + old, 0, s->marked_cap - old);
	}
	return i;
}

struct visit_ctx {
	struct cs_search *s;
	bool (*poll)(void *);
	void *poll_ctx;
	bool cancelled;
};

static int visit_entry(void *ctx, const struct cs_digest *d, struct cs_bytes frames, struct cs_error *err)
{
	struct visit_ctx *v = ctx;
	struct cs_search *s = v->s;
	struct cs_bytes type;
	struct cs_frame *list;
	size_t count;

	(void)err;
	if (++s->visited % POLL_EVERY == 0 && v->poll && v->poll(v->poll_ctx)) {
		v->cancelled = true;
		return 1;
	}
	/* a corrupt entry is not this search's business: the viewer reports it */
	if (frames_decode(frames, &type, &list, &count, NULL) < 0)
		return 0;
	uint32_t self = entry_of(s, d);
	buf_reset(&s->data);
	for (size_t i = 0; i < count; i++)
		if (list[i].id == CS_FRAME_DATA)
			buf_add(&s->data, list[i].data, list[i].len);
	free(list);
	if (contains(s, (const unsigned char *)s->data.data, s->data.len))
		s->marked[self] = 1;
	const unsigned char *data = (const unsigned char *)s->data.data;
	size_t n = plain_mentions(type, data, s->data.len, s->mentions, s->mention_cap);
	if (n > s->mention_cap) {
		XGROW(s->mentions, s->mention_cap, n);
		n = plain_mentions(type, data, s->data.len, s->mentions, s->mention_cap);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t sub = entry_of(s, &s->mentions[i]);
		XGROW(s->edges, s->edge_cap, s->edge_count + 1);
		s->edges[s->edge_count++] = (struct mention){ sub, self };
	}
	return 0;
}

/* Marks every entry that mentions a marked one, transitively (breadth first over reversed mentions). */
static void spread_marks(struct cs_search *s)
{
	uint32_t n = s->entries.count;
	uint32_t *start = xcalloc((size_t)n + 2, sizeof(*start));
	uint32_t *up = xmalloc((s->edge_count ? s->edge_count : 1) * sizeof(*up));
	uint32_t *queue = xmalloc(((size_t)n ? n : 1) * sizeof(*queue));
	size_t head = 0, tail = 0;

	for (size_t e = 0; e < s->edge_count; e++)
		start[s->edges[e].mentioned + 2]++;
	for (uint32_t i = 0; i < n; i++)
		start[i + 2] += start[i + 1];
	/* start[m + 1] is now where m's list begins; filling it leaves start[m] there */
	for (size_t e = 0; e < s->edge_count; e++)
		up[start[s->edges[e].mentioned + 1]++] = s->edges[e].by;
	for (uint32_t i = 0; i < n; i++)
		if (s->marked[i])
			queue[tail++] = i;
	while (head < tail) {
		uint32_t x = queue[head++];
		for (uint32_t k = start[x]; k < start[x + 1]; k++)
			if (!s->marked[up[k]]) {
				s->marked[up[k]] = 1;
				queue[tail++] = up[k];
			}
	}
	free(start);
	free(up);
	free(queue);
}

/*
 * Which of the graph's digests match: the few marked entries looked up in
 * the graph (not every graph digest looked up among the entries), "/"
 * whose text is never stored, and the digests' own text when the query
 * could be part of it. One byte per graph digest, for the time it takes.
 */
static uint8_t *graph_digest_hits(const struct cs_search *s)
{
	const struct cs_graph *g = s->g;
	uint8_t *hit = xcalloc(g->digests.count ? g->digests.count : 1, 1);
	char text[CS_DIGEST_STRLEN + 1];

	for (uint32_t e = 0; e < s->entries.count; e++) {
		if (!s->marked[e])
			continue;
		cs_dig d = digests_find(&g->digests, digests_at(&s->entries, e));
		if (d != CS_DIG_NONE)
			hit[d] = 1;
	}
	cs_dig root = digests_find(&g->digests, &digest_of_root_path);
	if (root != CS_DIG_NONE && contains(s, (const unsigned char *)"/", 1))
		hit[root] = 1;
	if (s->digest_like) {
		for (uint32_t d = 0; d < g->digests.count; d++) {
			if (hit[d])
				continue;
			digest_format(digests_at(&g->digests, d), text);
			hit[d] = contains(s, (const unsigned char *)text, CS_DIGEST_STRLEN);
		}
	}
	return hit;
}

static bool is_hit(const uint8_t *hit, cs_dig d)
{
	return d != CS_DIG_NONE && hit[d];
}

static void match_nodes(struct cs_search *s, const uint8_t *hit)
{
	const struct cs_graph *g = s->g;

	s->match_count = 0;
	for (cs_node_id n = 0; n < g->node_count; n++) {
		bool match = is_hit(hit, g->nodes[n].digest);
		for (uint32_t k = 0; !match && k < graph_parent_count(g, n); k++) {
			const struct cs_link *l = graph_parent(g, n, k);
			match = is_hit(hit, l->digest) || is_hit(hit, l->selector);
		}
		s->node_match[n] = match;
		s->match_count += match;
	}
}

/* A node whose result says it was made by something with the text in it matches too. */
static void match_description(void *ctx, cs_node_id n, const char *text)
{
	struct cs_search *s = ctx;

	if (!s->node_match[n] && contains(s, (const unsigned char *)text, strlen(text))) {
		s->node_match[n] = 1;
		s->match_count++;
	}
}

static uint64_t count_entries(const struct cs_graph *g)
{
	uint64_t total = 0;
	struct cs_error ignored;

	for (int i = 0; i < g->plain_count; i++) {
		struct cs_plainstore *store = g->plain[i];
		int64_t n = store->ops->count ? store->ops->count(store, &ignored) : -1;
		if (n < 0)
			return 0;
		total += (uint64_t)n;
	}
	return total;
}

/* One pass over every store: 0, 1 cancelled, -1 error, or CS_PLAIN_CHANGED (2: start again). */
static int scan_stores(struct cs_search *s, struct visit_ctx *v, struct cs_error *err)
{
	s->visited = 0;
	s->total = count_entries(s->g);
	for (int i = 0; i < s->g->plain_count; i++) {
		struct cs_plainstore *store = s->g->plain[i];
		if (!store->ops->each)
			continue;
		int rc = store->ops->each(store, visit_entry, v, err);
		if (rc < 0)
			return -1;
		if (v->cancelled)
			return 1;
		if (rc == CS_PLAIN_CHANGED)
			return CS_PLAIN_CHANGED;
	}
	return 0;
}

/* A live daemon's cache-debug.db may change under a search this many times before it gives up. */
#define SCAN_ATTEMPTS 5

int search_run(struct cs_search *s, bool (*poll)(void *ctx), void *ctx, struct cs_error *err)
{
	struct visit_ctx v = { s, poll, ctx, false };
	int rc = CS_PLAIN_CHANGED;

	for (int attempt = 0; attempt < SCAN_ATTEMPTS && rc == CS_PLAIN_CHANGED; attempt++) {
		/* what a torn pass found is forgotten, not merged */
		release_scan(s);
		rc = scan_stores(s, &v, err);
	}
	if (rc == CS_PLAIN_CHANGED)
		rc = cs_fail(err, "the plaintexts kept changing while being searched (%d attempts)", SCAN_ATTEMPTS);
	if (rc == 0) {
		spread_marks(s);
		uint8_t *hit = graph_digest_hits(s);
		match_nodes(s, hit);
		free(hit);
		rc = graph_each_description(s->g, match_description, s, err);
	}
	release_scan(s);
	return rc;
}

cs_node_id search_next(const struct cs_search *s, cs_node_id from, bool forward)
{
	uint32_t n = s->g->node_count;

	if (!n || !s->match_count)
		return CS_NONE;
	if (from >= n)
		from = forward ? n - 1 : 0;
	for (uint32_t step = 1; step <= n; step++) {
		cs_node_id at = forward ? (from + step) % n : (from + n - step) % n;
		if (s->node_match[at])
			return at;
	}
	return CS_NONE;
}

uint32_t search_match_count(const struct cs_search *s)
{
	return s->match_count;
}

bool search_matches(const struct cs_search *s, cs_node_id n)
{
	return n < s->g->node_count && s->node_match[n];
}
