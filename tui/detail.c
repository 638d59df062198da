/*
 * The detail panes of the selected node: Parents (per input), Children
 * (per output) and, in plaintext_pane.c, Plaintexts. Lists are built when
 * the selection changes; the text of a line is made when the line is
 * drawn, so a root with ten thousand children costs what the screen
 * shows.
 */
#include "browser.h"
#include "core/escape.h"
#include "core/plaintext.h"
#include "core/xalloc.h"
#include "diff_view.h"
#include "draw.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

static void add_link_line(struct link_line **lines, size_t *count, size_t *cap, struct link_line l)
{
	XGROW(*lines, *cap, *count + 1);
	(*lines)[(*count)++] = l;
}

static void build_parents(struct browser *b, cs_node_id n)
{
	const struct cs_graph *g = b->g;

	for (uint32_t i = 0; i < graph_parent_count(g, n); i++) {
		const struct cs_link *l = graph_parent(g, n, i);
		if (i == 0 || graph_parent(g, n, i - 1)->input != l->input)
			add_link_line(&b->parents, &b->parent_count, &b->parent_cap,
				      (struct link_line){ 0, CS_NONE, true, (int32_t)l->input });
		add_link_line(&b->parents, &b->parent_count, &b->parent_cap,
			      (struct link_line){ g->parent_links[g->nodes[n].parents + i], l->parent, false,
						  (int32_t)l->input });
	}
}

static void build_children(struct browser *b, cs_node_id n)
{
	const struct cs_graph *g = b->g;
	cs_node_id last = CS_NONE;

	for (uint32_t i = 0; i < graph_child_count(g, n); i++) {
		const struct cs_link *l = graph_child(g, n, i);
		bool new_output = i == 0 || graph_child(g, n, i - 1)->output != l->output;
		if (new_output) {
			add_link_line(&b->children, &b->child_count, &b->child_cap,
				      (struct link_line){ 0, CS_NONE, true, l->output });
			last = CS_NONE;
		}
		if (l->child == last)
			continue;
		last = l->child;
		add_link_line(&b->children, &b->child_count, &b->child_cap,
			      (struct link_line){ g->child_links[g->nodes[n].children + i], l->child, false, l->output });
	}
}

void detail_free(struct browser *b)
{
	b->parent_count = b->child_count = 0;
	plaintext_free(&b->plain);
}

void detail_build(struct browser *b)
{
	detail_free(b);
	b->detail_node = b->selected;
	b->detail_graph = b->g;
	for (int p = PANE_PARENTS; p < PANE_COUNT; p++)
		b->panes[p] = (struct pane_view){ 0, 0 };
	if (b->selected == CS_NONE)
		return;
	build_parents(b, b->selected);
	build_children(b, b->selected);
	plaintext_build(b);
	/* start on a line that leads somewhere */
	if (b->parent_count > 1)
		b->panes[PANE_PARENTS].selected = 1;
	if (b->child_count > 1)
		b->panes[PANE_CHILDREN].selected = 1;
}

size_t detail_line_count(const struct browser *b, enum pane p)
{
	switch (p) {
	case PANE_PARENTS: return b->parent_count;
	case PANE_CHILDREN: return b->child_count;
	case PANE_PLAINTEXTS: return b->plain.visible_count;
	default: return 0;
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

bool detail_follow(struct browser *b)
{
	size_t sel = b->panes[b->focus].selected;
	const struct link_line *l = NULL;

	if (b->focus == PANE_PLAINTEXTS) {
		plaintext_follow(b);
		return true;
	}
	if (b->focus == PANE_PARENTS && sel < b->parent_count)
		l = &b->parents[sel];
	else if (b->focus == PANE_CHILDREN && sel < b->child_count)
		l = &b->children[sel];
	if (!l || l->target == CS_NONE)
		return false;
	browser_select(b, l->target, true);
	return true;
}

bool detail_digest(struct browser *b, enum pane p, struct cs_digest *out)
{
	size_t sel = b->panes[p].selected;
	const struct link_line *l = NULL;

	if (p == PANE_PARENTS && sel < b->parent_count)
		l = &b->parents[sel];
	else if (p == PANE_CHILDREN && sel < b->child_count)
		l = &b->children[sel];
	if (l && !l->heading) {
		*out = *graph_digest(b->g, b->g->links[l->link].digest);
		return true;
	}
	if (p == PANE_PLAINTEXTS)
		return plaintext_digest(b, out);
	return false;
}

/* The decoded selector, in a few words: "/hello", "/go.mod,/go.sum". */
static void selector_text(struct browser *b, cs_dig selector, struct cs_buf *out)
{
	struct cs_plain *p;
	struct cs_error err;
	char hex[65];

	digest_hex(graph_digest(b->g, selector), hex);
	if (plain_resolve(b->g, graph_digest(b->g, selector), &p, &err) > 0) {
		char *summary = render_selector_summary(p);
		buf_adds(out, "  selects ");
		escape_append(out, summary, strlen(summary), b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
		free(summary);
		plain_free(p);
	} else {
		buf_printf(out, "  selector %.12s", hex);
	}
}

static void link_line_text(struct browser *b, enum pane p, const struct link_line *l, struct cs_buf *out)
{
	const struct cs_link *link = &b->g->links[l->link];
	char hex[65];

	if (l->heading) {
		buf_printf(out, p == PANE_PARENTS ? "Input %d" : "Output %d", l->group);
		return;
	}
	const struct described *d = describe_cached(b, l->target);
	digest_hex(graph_digest(b->g, link->digest), hex);
	buf_printf(out, "  #%u %-7s link %.12s", l->target + 1, kind_name(d->kind), hex);
	if (p == PANE_CHILDREN)
		buf_printf(out, " as input %u", link->input);
	if (link->selector != CS_DIG_NONE)
		selector_text(b, link->selector, out);
	buf_adds(out, "  ");
	buf_adds(out, d->summary);
}

static void draw_tabs(struct browser *b)
{
	static const char *const names[] = { "", "Parents", "Children", "Plaintexts" };
	int x = b->detail_x, y = b->detail_y;
	char label[64];

	draw_blank(y, x, b->detail_w, A_BOLD);
	for (enum pane p = PANE_PARENTS; p < PANE_COUNT; p++) {
		bool current = p == b->detail_tab;
		int attr = current ? term_attr(&b->term, COLOR_PAIR_TITLE) : (int)A_BOLD;
		/* what the tab counts: links, or records of plaintext */
		size_t count = 0;
		if (p == PANE_PLAINTEXTS)
			count = (size_t)b->plain.lines.records;
		else if (b->selected != CS_NONE)
			count = p == PANE_PARENTS ? graph_parent_count(b->g, b->selected)
						  : graph_child_count(b->g, b->selected);
		const char *name = p == PANE_PLAINTEXTS && b->plain.is_diff ? "Plaintext diff" : names[p];
		snprintf(label, sizeof(label), "%s%s (%zu)%s", current && b->focus == p ? "[" : " ", name, count,
			 current && b->focus == p ? "]" : " ");
		x += draw_text(&b->term, y, x, b->detail_x + b->detail_w - x, label, attr);
		x += draw_text(&b->term, y, x, b->detail_x + b->detail_w - x, " ", A_NORMAL);
	}
}

void detail_draw(struct browser *b)
{
	enum pane p = b->detail_tab;
	struct pane_view *v = &b->panes[p];
	size_t count = detail_line_count(b, p);
	int rows = b->detail_h - 1;

	draw_tabs(b);
	if (rows <= 0)
		return;
	if (p == PANE_PLAINTEXTS && count) {
		plaintext_draw(b, b->detail_y + 1, rows);
		return;
	}
	if (v->selected < v->top)
		v->top = v->selected;
	if (v->selected >= v->top + (size_t)rows)
		v->top = v->selected - (size_t)rows + 1;
	if (count == 0) {
		const char *empty = p == PANE_PARENTS ? "(a root: no parents)" :
				    p == PANE_CHILDREN ? "(no children)" : "(no plaintexts)";
		draw_text(&b->term, b->detail_y + 1, b->detail_x + 2, b->detail_w - 2, empty, A_NORMAL);
		return;
	}
	for (int i = 0; i < rows && v->top + (size_t)i < count; i++) {
		size_t line = v->top + (size_t)i;
		int y = b->detail_y + 1 + i;
		bool selected = line == v->selected && b->focus == p;
		const struct link_line *l = p == PANE_PARENTS ? &b->parents[line] : &b->children[line];
		struct cs_buf text = CS_BUF_INIT;
		link_line_text(b, p, l, &text);
		int attr = selected ? term_attr(&b->term, COLOR_PAIR_SELECTED) : l->heading ? (int)A_BOLD : (int)A_NORMAL;
		draw_blank(y, b->detail_x, b->detail_w, selected ? attr : (int)A_NORMAL);
		draw_text(&b->term, y, b->detail_x, b->detail_w, text.data, attr);
		buf_free(&text);
	}
}
