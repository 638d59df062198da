/*
 * The detail panes beside or below the table: their tabs, and the frame
 * every pane draws in. What a pane shows is its own file's business
 * (link_pane.c, plaintext_pane.c, results_pane.c), reached through its
 * pane_ops; this file also keeps the index that turns a followed digest
 * into a node.
 */
#include "browser.h"
#include "core/xalloc.h"
#include "draw.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

const struct pane_ops *const detail_panes[DETAIL_PANES] = {
	&parents_pane, &children_pane, &plaintexts_pane, &results_pane,
};

static int pane_index(const struct pane_ops *ops)
{
	for (int i = 0; i < DETAIL_PANES; i++)
		if (detail_panes[i] == ops)
			return i;
	return 0;
}

const struct pane_ops *focused_pane(const struct browser *b)
{
	return b->focus == FOCUS_TABLE ? NULL : detail_panes[b->focus];
}

struct pane_view *pane_view_of(struct browser *b, const struct pane_ops *ops)
{
	return &b->views[pane_index(ops)];
}

const struct pane_view *pane_view_seen(const struct browser *b, const struct pane_ops *ops)
{
	return &b->views[pane_index(ops)];
}

void focus_pane(struct browser *b, int i)
{
	b->focus = i;
	if (i != FOCUS_TABLE)
		b->tab = i;
	/* the Results pane, opened without its totals while another tab showed, is shown now */
	if (i != FOCUS_TABLE && detail_panes[i] == &results_pane && b->selected != CS_NONE &&
	    b->detail_node == b->selected && b->detail_graph == b->g && !b->results.totals) {
		struct pane_view keep = *pane_view_of(b, &results_pane);
		results_pane.close(b);
		results_pane.open(b);
		*pane_view_of(b, &results_pane) = keep;
	}
}

void detail_free(struct browser *b)
{
	for (int i = 0; i < DETAIL_PANES; i++)
		detail_panes[i]->close(b);
}

void detail_build(struct browser *b)
{
	detail_free(b);
	b->detail_node = b->selected;
	b->detail_graph = b->g;
	for (int i = 0; i < DETAIL_PANES; i++)
		b->views[i] = (struct pane_view){ 0, 0 };
	if (b->selected == CS_NONE)
		return;
	for (int i = 0; i < DETAIL_PANES; i++)
		detail_panes[i]->open(b);
}

/* ---- digests to nodes ---- */

void detail_digest_index_clear(struct browser *b)
{
	for (size_t i = 0; i < sizeof(b->digest_index) / sizeof(b->digest_index[0]); i++) {
		free(b->digest_index[i].node);
		b->digest_index[i].node = NULL;
		b->digest_index[i].graph = NULL;
	}
}

static struct digest_index *index_for(struct browser *b, const struct cs_graph *g)
{
	size_t slots = sizeof(b->digest_index) / sizeof(b->digest_index[0]);

	for (size_t i = 0; i < slots; i++)
		if (b->digest_index[i].graph == g)
			return &b->digest_index[i];
	for (size_t i = 0; i < slots; i++)
		if (!b->digest_index[i].graph)
			return &b->digest_index[i];
	/* more graphs than slots cannot happen (two side by side at most); be safe anyway */
	struct digest_index *x = &b->digest_index[slots - 1];
	free(x->node);
	x->graph = NULL;
	x->node = NULL;
	return x;
}

/*
 * Four bytes per digest of the graph, built the first time a digest is
 * followed: scanning every node and link on each Enter would cost a
 * frame's budget at a million keys.
 */
static void build_index(struct digest_index *x, const struct cs_graph *g)
{
	x->graph = g;
	x->node = xmalloc((g->digests.count ? g->digests.count : 1) * sizeof(*x->node));
	for (uint32_t d = 0; d < g->digests.count; d++)
		x->node[d] = CS_NONE;
	/* a node's own digest wins over a link digest that leads to another */
	for (uint32_t k = g->link_count; k-- > 0;)
		x->node[g->links[k].digest] = g->links[k].child;
	for (cs_node_id n = 0; n < g->node_count; n++)
		if (g->nodes[n].digest != CS_DIG_NONE)
			x->node[g->nodes[n].digest] = n;
}

void detail_prepare(struct browser *b)
{
	struct digest_index *x = index_for(b, b->g);

	if (!x->node)
		build_index(x, b->g);
}

cs_node_id detail_node_of_digest(struct browser *b, const struct cs_graph *g, const struct cs_digest *d)
{
	cs_dig i = digests_find(&g->digests, d);
	struct digest_index *x;

	if (i == CS_DIG_NONE)
		return CS_NONE;
	x = index_for(b, g);
	if (!x->node)
		build_index(x, g);
	return x->node[i];
}

/* ---- drawing ---- */

static void draw_tabs(struct browser *b)
{
	int x = b->detail_x, y = b->detail_y;
	char label[64];

	draw_blank(y, x, b->detail_w, A_BOLD);
	for (int i = 0; i < DETAIL_PANES; i++) {
		const struct pane_ops *ops = detail_panes[i];
		bool current = i == b->tab, focused = current && b->focus == i;
		int attr = current ? term_attr(&b->term, COLOR_PAIR_TITLE) : (int)A_BOLD;
		const char *name = ops->label ? ops->label(b) : ops->name;
		size_t count = b->selected == CS_NONE ? 0 : ops->count(b);
		snprintf(label, sizeof(label), "%s%s (%zu)%s", focused ? "[" : " ", name, count, focused ? "]" : " ");
		x += draw_text(&b->term, y, x, b->detail_x + b->detail_w - x, label, attr);
		x += draw_text(&b->term, y, x, b->detail_x + b->detail_w - x, " ", A_NORMAL);
	}
}

/* A pane drawn line by line: each line's text from the pane, the view scrolled to the cursor. */
static void draw_lines(struct browser *b, const struct pane_ops *ops, int rows)
{
	struct pane_view *v = pane_view_of(b, ops);
	size_t count = ops->lines(b);
	bool focused = focused_pane(b) == ops;

	if (v->selected < v->top)
		v->top = v->selected;
	if (v->selected >= v->top + (size_t)rows)
		v->top = v->selected - (size_t)rows + 1;
	for (int i = 0; i < rows && v->top + (size_t)i < count; i++) {
		size_t line = v->top + (size_t)i;
		int y = b->detail_y + 1 + i;
		bool selected = line == v->selected && focused, heading = false;
		struct cs_buf text = CS_BUF_INIT;
		ops->line_text(b, line, &text, &heading);
		int attr = selected ? term_attr(&b->term, COLOR_PAIR_SELECTED) : heading ? (int)A_BOLD : (int)A_NORMAL;
		draw_blank(y, b->detail_x, b->detail_w, selected ? attr : (int)A_NORMAL);
		draw_text(&b->term, y, b->detail_x, b->detail_w, text.data ? text.data : "", attr);
		buf_free(&text);
	}
}

void detail_draw(struct browser *b)
{
	const struct pane_ops *ops = detail_panes[b->tab];
	int rows = b->detail_h - 1;

	draw_tabs(b);
	if (rows <= 0)
		return;
	if (b->selected == CS_NONE || ops->lines(b) == 0) {
		draw_text(&b->term, b->detail_y + 1, b->detail_x + 2, b->detail_w - 2, ops->empty, A_NORMAL);
		return;
	}
	if (ops->draw)
		ops->draw(b, b->detail_y + 1, rows);
	else
		draw_lines(b, ops, rows);
}
