/*
 * The node table: one row per record, columns fitted to the width. Only
 * visible rows are drawn, and each row's description comes from a small
 * cache, so moving through a million keys costs the same as through ten.
 */
#include "browser.h"
#include "core/escape.h"
#include "core/results.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "diff_view.h"
#include "draw.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

/* The own size of a node's first result (local: snapshot.size; remote: its layer's), or -1. */
static int64_t first_result_size(const struct cs_graph *g, cs_node_id n)
{
	struct cs_result_list results;
	struct cs_error err;
	int64_t size = -1;

	result_list_init(&results);
	/* the table shows sizes only: the records below need not be read */
	results.skip_totals = true;
	if (graph_node_results(g, n, &results, &err) == 0 && results.count)
		size = results.items[0].size;
	result_list_free(&results);
	return size;
}

const struct described *describe_cached(struct browser *b, cs_node_id n)
{
	return describe_in(b, b->g, n);
}

const struct described *describe_in(struct browser *b, const struct cs_graph *g, cs_node_id n)
{
	/* two graphs side by side take the two halves of the slots */
	size_t half = b->diff ? DESCRIBE_CACHE_SIZE / 2 : DESCRIBE_CACHE_SIZE;
	size_t base = b->diff && g != b->diff_b ? half : 0;
	struct described *slot = &b->cache[base + n % half];
	struct cs_description d;
	struct cs_error err;
	struct cs_buf text = CS_BUF_INIT;

	if (slot->node == n && slot->graph == g)
		return slot;
	free(slot->summary);
	slot->node = n;
	slot->graph = g;
	if (describe_node(g, n, &d, &err) < 0) {
		/* a store that fails is worth saying, once, where the user looks */
		browser_message(b, true, "%s", err.msg);
		d.kind = KIND_UNKNOWN;
		d.summary = NULL;
	}
	slot->kind = d.kind;
	slot->size = first_result_size(g, n);
	if (d.summary)
		escape_append(&text, d.summary, d.summary_len, b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
	else
		buf_adds(&text, "");
	slot->summary = buf_detach(&text, NULL);
	description_free(&d);
	return slot;
}

void describe_cache_clear(struct browser *b)
{
	for (size_t i = 0; i < DESCRIBE_CACHE_SIZE; i++) {
		free(b->cache[i].summary);
		b->cache[i].summary = NULL;
		b->cache[i].node = CS_NONE;
	}
}

/* The digest a row shows: a root's own, else the link digest it is reached by. */
static const struct cs_digest *row_digest(const struct cs_graph *g, cs_node_id n)
{
	if (g->nodes[n].digest != CS_DIG_NONE)
		return graph_digest(g, g->nodes[n].digest);
	if (graph_parent_count(g, n))
		return graph_digest(g, graph_parent(g, n, 0)->digest);
	return NULL;
}

static uint32_t input_count(const struct cs_graph *g, cs_node_id n)
{
	uint32_t inputs = 0;

	for (uint32_t i = 0; i < graph_parent_count(g, n); i++)
		if (i == 0 || graph_parent(g, n, i)->input != graph_parent(g, n, i - 1)->input)
			inputs++;
	return inputs;
}

struct columns {
	int id, kind, digest, in, out, random, size;
	bool build;   /* the L column: what the latest build made (+) or used (=) */
};

static struct columns fit_columns(const struct browser *b)
{
	struct columns c = { 0, 7, 12, 2, 3, 1, 7, why_mark(b, 0) != '\0' };
	char digits[16];

	c.id = snprintf(digits, sizeof(digits), "%u", b->g->node_count);
	if (c.id < 2)
		c.id = 2;
	/* give up the least useful columns first on narrow screens */
	if (b->table_w < 70)
		c.size = 0;
	if (b->table_w < 58)
		c.digest = 0;
	return c;
}

static void draw_header(struct browser *b, const struct columns *c)
{
	int attr = A_BOLD | A_UNDERLINE, n;
	char line[256];

	n = snprintf(line, sizeof(line), "%*s %-*s ", c->id, "ID", c->kind, "KIND");
	if (c->digest)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%-*s ", c->digest, "DIGEST");
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%*s %*s R %s", c->in, "IN", c->out, "OUT", c->build ? "L " : "");
	if (c->size)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%*s ", c->size, "SIZE");
	snprintf(line + n, sizeof(line) - (size_t)n, "SUMMARY");
	draw_blank(b->table_y, b->table_x, b->table_w, attr);
	draw_text(&b->term, b->table_y, b->table_x, b->table_w, line, attr);
}

static void draw_row(struct browser *b, const struct columns *c, int y, cs_node_id n)
{
	const struct cs_graph *g = b->g;
	const struct described *d = describe_cached(b, n);
	const struct cs_digest *digest = row_digest(g, n);
	bool selected = n == b->selected;
	int base = selected ? term_attr(&b->term, COLOR_PAIR_SELECTED) | (b->focus == FOCUS_TABLE ? A_BOLD : 0)
			    : A_NORMAL;
	char cell[128], hex[65] = "";
	int x = b->table_x;

	draw_blank(y, x, b->table_w, base);
	if (digest) {
		digest_hex(digest, hex);
		hex[c->digest > 0 ? c->digest : 0] = '\0';
	}
	snprintf(cell, sizeof(cell), "%*u ", c->id, graph_id(g, n));
	x += draw_text(&b->term, y, x, b->table_w, cell,
		       base | (b->search && search_matches(b->search, n) ? term_attr(&b->term, COLOR_PAIR_MATCH) : 0));
	snprintf(cell, sizeof(cell), "%-*s ", c->kind, kind_name(d->kind));
	x += draw_text(&b->term, y, x, b->table_x + b->table_w - x, cell,
		       base | (selected ? 0 : term_attr(&b->term, COLOR_PAIR_KIND)));
	if (c->digest) {
		snprintf(cell, sizeof(cell), "%-*s ", c->digest, hex);
		x += draw_text(&b->term, y, x, b->table_x + b->table_w - x, cell,
			       base | (selected ? 0 : term_attr(&b->term, COLOR_PAIR_DIM)));
	}
	char size[16] = "";
	if (c->size)
		format_size(d->size, size, sizeof(size));
	char build[3] = "";
	if (c->build)
		snprintf(build, sizeof(build), "%c ", why_mark(b, n));
	snprintf(cell, sizeof(cell), "%*u %*u %s %s%*s%s", c->in, input_count(g, n), c->out, graph_child_count(g, n),
		 (g->nodes[n].flags & CS_NODE_RANDOM) ? "*" : " ", build, c->size, size, c->size ? " " : "");
	x += draw_text(&b->term, y, x, b->table_x + b->table_w - x, cell, base);
	draw_text(&b->term, y, x, b->table_x + b->table_w - x, d->summary, base);
}

void node_table_draw(struct browser *b)
{
	struct columns c = fit_columns(b);
	int rows = b->table_h - 1;

	if (b->diff) {
		diff_view_draw(b);
		return;
	}
	draw_header(b, &c);
	for (int i = 0; i < rows; i++) {
		uint32_t position = b->table_top + (uint32_t)i;
		if (position >= b->g->node_count)
			break;
		draw_row(b, &c, b->table_y + 1 + i, table_row_at(b, position));
	}
	if (b->g->node_count == 0)
		draw_text(&b->term, b->table_y + 1, b->table_x, b->table_w, "(no records)", A_BOLD);
}

/* Keeps the selection on screen, moving the view as little as possible. */
void node_table_scroll_to(struct browser *b)
{
	uint32_t rows = b->table_h > 1 ? (uint32_t)(b->table_h - 1) : 1;
	uint32_t at;

	if (b->selected == CS_NONE)
		return;
	at = table_position_of(b, b->row);
	if (at < b->table_top)
		b->table_top = at;
	else if (at >= b->table_top + rows)
		b->table_top = at - rows + 1;
}

/* ---- the table's order ---- */

const char *table_order_name(enum table_order order)
{
	switch (order) {
	case ORDER_SIZE: return "size";
	case ORDER_LAST_USED: return "last use";
	case ORDER_STORE: case ORDER_COUNT: break;
	}
	return "store order";
}

void table_sort_free(struct table_sort *s)
{
	free(s->row_at);
	free(s->position_of);
	free(s->size);
	free(s->last_used);
	memset(s, 0, sizeof(*s));
}

/* Biggest (or most recently used) first, unknown last, then store order: the same every time. */
static int by_key_descending(const void *pa, const void *pb, void *ctx)
{
	const int64_t *sort_key = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (sort_key[a] != sort_key[b])
		return sort_key[a] > sort_key[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Reads every node's first result once (a pass over the store), on the first sort. */
static bool read_figures(struct browser *b)
{
	struct table_sort *s = &b->sort;
	struct cs_error err;
	size_t n = b->g->node_count ? b->g->node_count : 1;

	if (s->size && s->graph == b->g)
		return true;
	free(s->size);
	free(s->last_used);
	s->size = xmalloc(n * sizeof(*s->size));
	s->last_used = xmalloc(n * sizeof(*s->last_used));
	s->graph = b->g;
	browser_status_now(b, "reading every result's size and last use...");
	struct cs_node_usage usage = { .size = s->size, .last_used = s->last_used };
	if (graph_result_usage(b->g, &usage, &err) < 0) {
		browser_message(b, true, "%s", err.msg);
		free(s->size);
		free(s->last_used);
		s->size = s->last_used = NULL;
		return false;
	}
	return true;
}

void table_sort_next(struct browser *b)
{
	struct table_sort *s = &b->sort;
	uint32_t n = b->g->node_count;

	if (b->diff) {
		browser_message(b, false, "side by side, rows follow B's order (s sorts one cache)");
		return;
	}
	s->order = (enum table_order)((s->order + 1) % ORDER_COUNT);
	free(s->row_at);
	free(s->position_of);
	s->row_at = s->position_of = NULL;
	if (s->order != ORDER_STORE && !read_figures(b)) {
		s->order = ORDER_STORE;
	} else if (s->order != ORDER_STORE) {
		s->row_at = xmalloc((n ? n : 1) * sizeof(*s->row_at));
		s->position_of = xmalloc((n ? n : 1) * sizeof(*s->position_of));
		for (uint32_t i = 0; i < n; i++)
			s->row_at[i] = i;
		qsort_r(s->row_at, n, sizeof(*s->row_at), by_key_descending,
			s->order == ORDER_SIZE ? s->size : s->last_used);
		for (uint32_t i = 0; i < n; i++)
			s->position_of[s->row_at[i]] = i;
	}
	browser_message(b, false, "sorted by %s (s: %s)", table_order_name(s->order),
			s->order == ORDER_STORE ? "by size" : s->order == ORDER_SIZE ? "by last use" : "store order");
	/* the same node stays selected, wherever it now is */
	node_table_scroll_to(b);
}
