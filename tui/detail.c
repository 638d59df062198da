/*
 * The detail panes of the selected node: Parents (per input), Children
 * (per output) and Plaintexts (decoded for people, foldable). Lists are
 * built when the selection changes; the text of a line is made when the
 * line is drawn, so a root with ten thousand children costs what the
 * screen shows.
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

/* Each digest the node shows, decoded; a digest no store has is named as missing. */
static void build_plaintexts(struct browser *b, cs_node_id n)
{
	uint32_t cap = 1 + 2 * graph_parent_count(b->g, n);
	cs_dig *digests = xmalloc((size_t)cap * sizeof(*digests));
	uint32_t count = graph_plaintext_digests(b->g, n, digests, cap);
	struct cs_error err;

	for (uint32_t i = 0; i < count; i++) {
		const struct cs_digest *d = graph_digest(b->g, digests[i]);
		struct cs_plain *p;
		int found = plain_resolve(b->g, d, &p, &err);
		if (found < 0) {
			browser_message(b, true, "%s", err.msg);
			break;
		}
		if (found) {
			render_plain(&b->plaintexts, p, !b->term.utf8);
			plain_free(p);
			continue;
		}
		char text[CS_DIGEST_STRLEN + 100];
		digest_format(d, text);
		strcat(text, b->g->plain_count ? " (no plaintext kept for it)"
					       : " (no plaintext store: give one with --debug-db)");
		render_add(&b->plaintexts, 0, text, strlen(text), true, d);
	}
	free(digests);
}

/*
 * Plaintext lines left after folding: a folded record shows its header,
 * and everything deeper until the next line at its depth or above (its
 * body and sub-records) is hidden. One pass.
 */
static void recount_visible(struct browser *b)
{
	int hide_deeper_than = -1;

	b->visible_count = 0;
	for (size_t i = 0; i < b->plaintexts.count; i++) {
		const struct render_line *l = &b->plaintexts.lines[i];
		if (hide_deeper_than >= 0 && l->depth > hide_deeper_than)
			continue;
		hide_deeper_than = -1;
		XGROW(b->visible, b->visible_cap, b->visible_count + 1);
		b->visible[b->visible_count++] = i;
		if (l->header && b->folded[l->record])
			hide_deeper_than = l->depth;
	}
}

void detail_free(struct browser *b)
{
	b->parent_count = b->child_count = 0;
	render_lines_free(&b->plaintexts);
	b->visible_count = 0;
}

void detail_build(struct browser *b)
{
	detail_free(b);
	b->detail_node = b->selected;
	for (int p = PANE_PARENTS; p < PANE_COUNT; p++)
		b->panes[p] = (struct pane_view){ 0, 0 };
	if (b->selected == CS_NONE)
		return;
	build_parents(b, b->selected);
	build_children(b, b->selected);
	/* side by side, a row whose two nodes differ shows how their plaintexts do */
	b->plaintext_diff = diff_view_plaintexts(b, &b->plaintexts);
	if (!b->plaintext_diff)
		build_plaintexts(b, b->selected);
	XGROW(b->folded, b->folded_cap, (size_t)b->plaintexts.records + 1);
	memset(b->folded, 0, ((size_t)b->plaintexts.records + 1) * sizeof(*b->folded));
	recount_visible(b);
	/* start on a line that leads somewhere */
	if (b->parent_count > 1)
		b->panes[PANE_PARENTS].selected = 1;
	if (b->child_count > 1)
		b->panes[PANE_CHILDREN].selected = 1;
}

void detail_toggle_fold(struct browser *b)
{
	size_t sel = b->panes[PANE_PLAINTEXTS].selected;

	if (sel >= b->visible_count)
		return;
	int record = b->plaintexts.lines[b->visible[sel]].record;
	if (record < 0)
		return;
	b->folded[record] = !b->folded[record];
	/* stay on the record's header */
	size_t header = b->visible[sel];
	while (header > 0 && !b->plaintexts.lines[header].header)
		header--;
	recount_visible(b);
	for (size_t i = 0; i < b->visible_count; i++)
		if (b->visible[i] == header)
			b->panes[PANE_PLAINTEXTS].selected = i;
}

size_t detail_line_count(const struct browser *b, enum pane p)
{
	switch (p) {
	case PANE_PARENTS: return b->parent_count;
	case PANE_CHILDREN: return b->child_count;
	case PANE_PLAINTEXTS: return b->visible_count;
	default: return 0;
	}
}

/* A digest that names a node: a root's own, or the link digest of the node's parents. */
static cs_node_id node_of_digest(const struct cs_graph *g, const struct cs_digest *d)
{
	cs_dig i = digests_find(&g->digests, d);

	if (i == CS_DIG_NONE)
		return CS_NONE;
	for (cs_node_id n = 0; n < g->node_count; n++)
		if (g->nodes[n].digest == i)
			return n;
	for (uint32_t k = 0; k < g->link_count; k++)
		if (g->links[k].digest == i)
			return g->links[k].child;
	return CS_NONE;
}

cs_node_id detail_target(struct browser *b, enum pane p)
{
	size_t sel = b->panes[p].selected;

	if (p == PANE_PARENTS && sel < b->parent_count)
		return b->parents[sel].target;
	if (p == PANE_CHILDREN && sel < b->child_count)
		return b->children[sel].target;
	if (p == PANE_PLAINTEXTS && sel < b->visible_count) {
		const struct render_line *l = &b->plaintexts.lines[b->visible[sel]];
		return l->has_link ? node_of_digest(b->g, &l->link) : CS_NONE;
	}
	return CS_NONE;
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
	if (p == PANE_PLAINTEXTS && sel < b->visible_count && b->plaintexts.lines[b->visible[sel]].has_link) {
		*out = b->plaintexts.lines[b->visible[sel]].link;
		return true;
	}
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
			count = (size_t)b->plaintexts.records;
		else if (b->selected != CS_NONE)
			count = p == PANE_PARENTS ? graph_parent_count(b->g, b->selected)
						  : graph_child_count(b->g, b->selected);
		const char *name = p == PANE_PLAINTEXTS && b->plaintext_diff ? "Plaintext diff" : names[p];
		snprintf(label, sizeof(label), "%s%s (%zu)%s", current && b->focus == p ? "[" : " ", name, count,
			 current && b->focus == p ? "]" : " ");
		x += draw_text(&b->term, y, x, b->detail_x + b->detail_w - x, label, attr);
		x += draw_text(&b->term, y, x, b->detail_x + b->detail_w - x, " ", A_NORMAL);
	}
}

/* A long plaintext line folds onto this many screen rows at most, then is cut. */
#define MAX_WRAPPED_ROWS 24

static void plaintext_text(const struct browser *b, const struct render_line *l, struct cs_buf *text)
{
	if (l->header) {
		bool folded = b->folded[l->record];
		buf_adds(text, folded ? (b->term.utf8 ? "\xe2\x96\xb8 " : "+ ") : (b->term.utf8 ? "\xe2\x96\xbe " : "- "));
	} else {
		buf_adds(text, "  ");
	}
	buf_adds(text, l->text);
}

static int plaintext_indent(const struct browser *b, const struct render_line *l)
{
	int indent = l->depth * 2;

	return indent > b->detail_w / 2 ? b->detail_w / 2 : indent;
}

/* Screen rows line INDEX takes, folded to the pane's width. */
static int plaintext_rows(const struct browser *b, size_t index)
{
	const struct render_line *l = &b->plaintexts.lines[index];
	int width = b->detail_w - plaintext_indent(b, l) - 4, rows = 1, used;
	struct cs_buf text = CS_BUF_INIT;

	plaintext_text(b, l, &text);
	if (width < 8)
		width = 8;
	for (const char *p = text.data + text_fit(text.data, width + 4, &used); *p && rows < MAX_WRAPPED_ROWS;
	     p += text_fit(p, width, &used))
		rows++;
	buf_free(&text);
	return rows;
}

/* Draws line INDEX folded over at most MAX_ROWS rows from Y; returns the rows used. */
static int draw_plaintext_line(struct browser *b, int y, int max_rows, size_t index, bool selected)
{
	const struct render_line *l = &b->plaintexts.lines[index];
	int indent = plaintext_indent(b, l), attr = A_NORMAL, rows = 0, used;
	struct cs_buf text = CS_BUF_INIT;

	plaintext_text(b, l, &text);
	if (l->header)
		attr = A_BOLD;
	else if (l->has_link)
		attr = term_attr(&b->term, COLOR_PAIR_LINK);
	if (selected)
		attr = term_attr(&b->term, COLOR_PAIR_SELECTED);
	const char *p = text.data;
	int width = b->detail_w - indent;
	while (rows < max_rows && rows < MAX_WRAPPED_ROWS) {
		size_t fit = text_fit(p, width, &used);
		bool last = !p[fit] || rows + 1 == max_rows || rows + 1 == MAX_WRAPPED_ROWS;
		draw_blank(y + rows, b->detail_x, b->detail_w, selected ? attr : (int)A_NORMAL);
		if (last) {
			draw_text(&b->term, y + rows, b->detail_x + indent, width, p, attr);
			rows++;
			break;
		}
		char *chunk = strndup(p, fit);
		draw_text(&b->term, y + rows, b->detail_x + indent, width, chunk ? chunk : "", attr);
		free(chunk);
		p += fit;
		rows++;
		/* continuation rows sit four columns in */
		if (rows == 1) {
			indent += 4;
			width -= 4;
			if (width < 8)
				width = 8;
		}
	}
	buf_free(&text);
	return rows;
}

/*
 * Moves the plaintext view as little as possible so the selected line,
 * folded, is on screen: the lowest top is found walking up from the
 * selection, never scanning the whole record.
 */
static void plaintext_scroll(struct browser *b, int rows)
{
	struct pane_view *v = &b->panes[PANE_PLAINTEXTS];
	size_t lowest = v->selected;
	int used = plaintext_rows(b, b->visible[lowest]);

	if (v->selected < v->top) {
		v->top = v->selected;
		return;
	}
	while (lowest > 0) {
		int above = plaintext_rows(b, b->visible[lowest - 1]);
		if (used + above > rows)
			break;
		used += above;
		lowest--;
	}
	if (v->top < lowest)
		v->top = lowest;
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
		plaintext_scroll(b, rows);
	} else {
		if (v->selected < v->top)
			v->top = v->selected;
		if (v->selected >= v->top + (size_t)rows)
			v->top = v->selected - (size_t)rows + 1;
	}
	if (count == 0) {
		const char *empty = p == PANE_PARENTS ? "(a root: no parents)" :
				    p == PANE_CHILDREN ? "(no children)" : "(no plaintexts)";
		draw_text(&b->term, b->detail_y + 1, b->detail_x + 2, b->detail_w - 2, empty, A_NORMAL);
		return;
	}
	if (p == PANE_PLAINTEXTS) {
		int y = b->detail_y + 1, end = b->detail_y + 1 + rows;
		for (size_t line = v->top; line < count && y < end; line++)
			y += draw_plaintext_line(b, y, end - y, b->visible[line], line == v->selected && b->focus == p);
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
