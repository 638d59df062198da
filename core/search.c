#include "search.h"
#include "plainstore.h"
#include "plaintext.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct cs_search {
	const struct cs_graph *g;
	char *query;
	bool ignore_case;          /* smart case: a query without capitals */
	struct cs_digests entries; /* every plaintext seen, by digest */
	uint8_t *marked;           /* per entry: contains the text, itself or through a mention */
	size_t marked_cap;
	/* mention edges: from a mentioned entry up to the entry that mentions it */
	struct mention { uint32_t mentioned, by; } *edges;
	size_t edge_count, edge_cap;
	uint8_t *node_match;
	uint32_t match_count;
	size_t visited;
};

static bool hex_prefix(const struct cs_digest *d, const char *hex, size_t n)
{
	char text[64];

	digest_hex(d, text);
	return n <= 64 && memcmp(text, hex, n) == 0;
}

cs_node_id search_goto(const struct cs_graph *g, const char *text)
{
	char *end;

	if (*text == '#')
		text++;
	if (*text >= '0' && *text <= '9') {
		unsigned long long id = strtoull(text, &end, 10);
		if (*end == '\0')
			return graph_find_id(g, id);
	}
	if (strncmp(text, "sha256:", 7) == 0)
		text += 7;
	size_t n = strlen(text);
	if (n == 0 || n > 64 || strspn(text, "0123456789abcdef") != n)
		return CS_NONE;
	/* a node's own digest first, then the link digests that name it */
	for (cs_node_id i = 0; i < g->node_count; i++)
		if (g->nodes[i].digest != CS_DIG_NONE && hex_prefix(graph_digest(g, g->nodes[i].digest), text, n))
			return i;
	for (cs_node_id i = 0; i < g->node_count; i++)
		for (uint32_t k = 0; k < graph_parent_count(g, i); k++)
			if (hex_prefix(graph_digest(g, graph_parent(g, i, k)->digest), text, n))
				return i;
	return CS_NONE;
}

struct cs_search *search_new(const struct cs_graph *g, const char *query)
{
	struct cs_search *s = xcalloc(1, sizeof(*s));

	s->g = g;
	s->query = xstrdup(query);
	s->ignore_case = true;
	for (const char *p = query; *p; p++)
		if (isupper((unsigned char)*p))
			s->ignore_case = false;
	digests_init(&s->entries);
	s->node_match = xcalloc(g->node_count ? g->node_count : 1, 1);
	return s;
}

void search_free(struct cs_search *s)
{
	if (!s)
		return;
	free(s->query);
	digests_free(&s->entries);
	free(s->marked);
	free(s->edges);
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

static bool contains(const struct cs_search *s, const unsigned char *data, size_t len)
{
	size_t n = strlen(s->query);

	if (n == 0 || n > len)
		return false;
	if (!s->ignore_case)
		return memmem(data, len, s->query, n) != NULL;
	for (size_t i = 0; i + n <= len; i++) {
		if (tolower(data[i]) != (unsigned char)s->query[0])
			continue;
		size_t k = 1;
		while (k < n && tolower(data[i + k]) == (unsigned char)s->query[k])
			k++;
		if (k == n)
			return true;
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
	uint32_t self = entry_of(s, d);

	(void)err;
	if (++s->visited % 4096 == 0 && v->poll && v->poll(v->poll_ctx)) {
		v->cancelled = true;
		return 1;
	}
	/* a corrupt entry is not this search's business: the viewer reports it */
	if (frames_decode(frames, &type, &list, &count, NULL) < 0)
		return 0;
	struct cs_buf data = CS_BUF_INIT;
	for (size_t i = 0; i < count; i++) {
		if (list[i].id != CS_FRAME_DATA)
			continue;
		buf_add(&data, list[i].data, list[i].len);
		if (contains(s, list[i].data, list[i].len))
			s->marked[self] = 1;
	}
	if (!s->marked[self] && contains(s, (const unsigned char *)data.data, data.len))
		s->marked[self] = 1;
	struct cs_digest mentions[64];
	size_t n = plain_mentions(type, (const unsigned char *)data.data, data.len, mentions, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		uint32_t sub = entry_of(s, &mentions[i]);
		XGROW(s->edges, s->edge_cap, s->edge_count + 1);
		s->edges[s->edge_count++] = (struct mention){ sub, self };
	}
	buf_free(&data);
	free(list);
	return 0;
}

/* Marks every entry that mentions a marked one, transitively. */
static void spread_marks(struct cs_search *s)
{
	uint32_t n = s->entries.count;
	uint32_t *start = xcalloc((size_t)n + 1, sizeof(*start));
	uint32_t *up = xmalloc((s->edge_count ? s->edge_count : 1) * sizeof(*up));
	uint32_t *queue = xmalloc(((size_t)n ? n : 1) * sizeof(*queue));
	size_t head = 0, tail = 0;

	for (size_t e = 0; e < s->edge_count; e++)
		start[s->edges[e].mentioned + 1]++;
	for (uint32_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	uint32_t *fill = xmalloc(((size_t)n + 1) * sizeof(*fill));
	memcpy(fill, start, ((size_t)n + 1) * sizeof(*fill));
	for (size_t e = 0; e < s->edge_count; e++)
		up[fill[s->edges[e].mentioned]++] = s->edges[e].by;
	free(fill);
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

static bool digest_hit(const struct cs_search *s, cs_dig d)
{
	char text[CS_DIGEST_STRLEN + 1];
	const struct cs_digest *digest;

	if (d == CS_DIG_NONE)
		return false;
	digest = graph_digest(s->g, d);
	cs_dig e = digests_find(&s->entries, digest);
	if (e != CS_DIG_NONE && s->marked[e])
		return true;
	/* "/" is never stored; its text is "/" */
	if (digest_eq(digest, &digest_of_root_path) && contains(s, (const unsigned char *)"/", 1))
		return true;
	digest_format(digest, text);
	return contains(s, (const unsigned char *)text, CS_DIGEST_STRLEN);
}

static void match_nodes(struct cs_search *s)
{
	const struct cs_graph *g = s->g;

	for (cs_node_id n = 0; n < g->node_count; n++) {
		bool hit = digest_hit(s, g->nodes[n].digest);
		for (uint32_t k = 0; !hit && k < graph_parent_count(g, n); k++) {
			const struct cs_link *l = graph_parent(g, n, k);
			hit = digest_hit(s, l->digest) || digest_hit(s, l->selector);
		}
		s->node_match[n] = hit;
		s->match_count += hit;
	}
}

int search_run(struct cs_search *s, bool (*poll)(void *ctx), void *ctx, struct cs_error *err)
{
	struct visit_ctx v = { s, poll, ctx, false };

	for (int i = 0; i < s->g->plain_count; i++) {
		struct cs_plainstore *store = s->g->plain[i];
		if (!store->ops->each)
			continue;
		if (store->ops->each(store, visit_entry, &v, err) < 0)
			return -1;
		if (v.cancelled)
			return 1;
	}
	spread_marks(s);
	match_nodes(s);
	return 0;
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
