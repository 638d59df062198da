/*
 * The Plaintexts pane: the records behind the selected node's digests,
 * decoded for people by core/plain_render.c, folded by record and by JSON
 * value, with digests to follow. The lines are made when the node is
 * selected (a handful of records); folding only recounts which are shown.
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

/* A JSON value with more items than this starts folded: a page of one array hides the rest. */
#define FOLD_ITEMS_OVER 50
/* A long line wraps onto this many screen rows at most, then is cut. */
#define MAX_WRAPPED_ROWS 24

void plaintext_free(struct plaintext_pane *p)
{
	render_lines_free(&p->lines);
	free(p->folded);
	free(p->visible);
	memset(p, 0, sizeof(*p));
}

static const struct render_line *line_at(const struct browser *b, size_t visible)
{
	return &b->plain.lines.lines[b->plain.visible[visible]];
}

/* Each digest the node shows, decoded; a digest no store has is named as missing. */
static void render_node(struct browser *b, cs_node_id n)
{
	uint32_t cap = 1 + 2 * graph_parent_count(b->g, n);
	cs_dig *digests = xmalloc((size_t)cap * sizeof(*digests));
	uint32_t count = graph_plaintext_digests(b->g, n, digests, cap);
	struct render_lines *out = &b->plain.lines;
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
			render_plain(out, p, !b->term.utf8);
			plain_free(p);
			continue;
		}
		char text[CS_DIGEST_STRLEN + 100];
		digest_format(d, text);
		strcat(text, b->g->plain_count ? " (no plaintext kept for it)"
					       : " (no plaintext store: give one with --debug-db)");
		render_add(out, 0, text, strlen(text), true, d);
	}
	render_note_dropped(out);
	free(digests);
}

/* Items of the JSON value a foldable line opens: its lines one level deeper. */
static size_t items_below(const struct render_lines *l, size_t opener)
{
	size_t items = 0;
	int depth = l->lines[opener].depth;

	for (size_t i = opener + 1; i < l->count && l->lines[i].depth > depth; i++)
		items += l->lines[i].depth == depth + 1 && !l->lines[i].closer;
	return items;
}

/*
 * Folds the JSON values with many items, counted in one pass: a line's
 * container is the last line seen one level up.
 */
static void fold_big_values(struct plaintext_pane *p)
{
	size_t depths = 1, *last_at, *items = xcalloc(p->lines.count + 1, sizeof(*items));

	for (size_t i = 0; i < p->lines.count; i++)
		if ((size_t)p->lines.lines[i].depth + 1 > depths)
			depths = (size_t)p->lines.lines[i].depth + 1;
	last_at = xmalloc(depths * sizeof(*last_at));
	for (size_t d = 0; d < depths; d++)
		last_at[d] = SIZE_MAX;
	for (size_t i = 0; i < p->lines.count; i++) {
		const struct render_line *l = &p->lines.lines[i];
		size_t d = (size_t)l->depth;
		if (d > 0 && !l->closer && last_at[d - 1] != SIZE_MAX)
			items[last_at[d - 1]]++;
		last_at[d] = i;
	}
	for (size_t i = 0; i < p->lines.count; i++)
		if (p->lines.lines[i].foldable && !p->lines.lines[i].header && items[i] > FOLD_ITEMS_OVER)
			p->folded[i] = true;
	free(last_at);
	free(items);
}

/*
 * Lines left after folding: a folded line shows, everything deeper that
 * follows it does not, nor the "}" or "]" that closes it. One pass.
 */
static void recount_visible(struct plaintext_pane *p)
{
	int hiding_below = -1;

	p->visible_count = 0;
	for (size_t i = 0; i < p->lines.count; i++) {
		const struct render_line *l = &p->lines.lines[i];
		if (hiding_below >= 0) {
			if (l->depth > hiding_below)
				continue;
			bool own_closer = l->closer && l->depth == hiding_below;
			hiding_below = -1;
			if (own_closer)
				continue;
		}
		XGROW(p->visible, p->visible_cap, p->visible_count + 1);
		p->visible[p->visible_count++] = i;
		if (l->foldable && p->folded[i])
			hiding_below = l->depth;
	}
}

static void plaintext_open(struct browser *b)
{
	struct plaintext_pane *p = &b->plain;

	plaintext_free(p);
	/* side by side, a row whose two nodes differ shows how their plaintexts do */
	p->is_diff = diff_view_plaintexts(b, &p->lines);
	if (!p->is_diff)
		render_node(b, b->selected);
	XGROW(p->folded, p->folded_cap, p->lines.count + 1);
	memset(p->folded, 0, (p->lines.count + 1) * sizeof(*p->folded));
	fold_big_values(p);
	recount_visible(p);
}

/* The foldable line the visible line AT belongs to: itself, or the nearest one it is inside. */
static size_t fold_owner(const struct browser *b, size_t at)
{
	const struct render_lines *l = &b->plain.lines;
	size_t i = b->plain.visible[at];
	int depth = l->lines[i].depth;

	if (l->lines[i].foldable)
		return i;
	/* a closer belongs to the opener at its own depth; any other line to one above it */
	if (!l->lines[i].closer)
		depth--;
	while (i-- > 0) {
		if (l->lines[i].depth < depth)
			depth = l->lines[i].depth;
		if (l->lines[i].foldable && l->lines[i].depth <= depth)
			return i;
	}
	return SIZE_MAX;
}

static void select_line(struct browser *b, size_t line)
{
	for (size_t i = 0; i < b->plain.visible_count; i++) {
		if (b->plain.visible[i] == line) {
			pane_view_of(b, &plaintexts_pane)->selected = i;
			return;
		}
	}
}

static void plaintext_toggle_fold(struct browser *b)
{
	size_t sel = pane_view_seen(b, &plaintexts_pane)->selected;

	if (sel >= b->plain.visible_count)
		return;
	size_t owner = fold_owner(b, sel);
	if (owner == SIZE_MAX)
		return;
	b->plain.folded[owner] = !b->plain.folded[owner];
	recount_visible(&b->plain);
	/* stay on the line that folded */
	select_line(b, owner);
}

/* Unfolds whatever hides LINE, so it can be shown. */
static void reveal(struct browser *b, size_t line)
{
	const struct render_lines *l = &b->plain.lines;
	int depth = l->lines[line].depth;

	for (size_t i = line; i-- > 0 && depth > 0;) {
		if (l->lines[i].depth < depth) {
			depth = l->lines[i].depth;
			b->plain.folded[i] = false;
		}
	}
	recount_visible(&b->plain);
}

static bool plaintext_follow(struct browser *b)
{
	size_t sel = pane_view_seen(b, &plaintexts_pane)->selected;
	char text[CS_DIGEST_STRLEN + 1];

	if (sel >= b->plain.visible_count)
		return true;
	const struct render_line *l = line_at(b, sel);
	if (!l->has_link || l->header) {
		plaintext_toggle_fold(b);
		return true;
	}
	cs_node_id n = detail_node_of_digest(b, b->g, &l->link);
	if (n != CS_NONE) {
		browser_select(b, n, true);
		return true;
	}
	/* not a key of this cache, but perhaps a record shown here: an op's JSON, a file's checksum */
	for (size_t i = 0; i < b->plain.lines.count; i++) {
		const struct render_line *h = &b->plain.lines.lines[i];
		if (h->header && h->has_link && digest_eq(&h->link, &l->link)) {
			reveal(b, i);
			select_line(b, i);
			return true;
		}
	}
	digest_format(&l->link, text);
	browser_message(b, false, "%.19s... is no key of this cache and has no plaintext here", text);
	return true;
}

static bool plaintext_digest(const struct browser *b, struct cs_digest *out)
{
	size_t sel = pane_view_seen(b, &plaintexts_pane)->selected;

	if (sel >= b->plain.visible_count || !line_at(b, sel)->has_link)
		return false;
	*out = line_at(b, sel)->link;
	return true;
}

/* ---- drawing ---- */

static void line_text(const struct browser *b, size_t index, struct cs_buf *text)
{
	const struct render_line *l = &b->plain.lines.lines[index];
	bool folded = l->foldable && b->plain.folded[index];

	if (l->foldable)
		buf_adds(text, folded ? (b->term.utf8 ? "\xe2\x96\xb8 " : "+ ") : (b->term.utf8 ? "\xe2\x96\xbe " : "- "));
	else
		buf_adds(text, "  ");
	buf_adds(text, l->text);
	if (folded && l->close) {
		size_t items = items_below(&b->plain.lines, index);
		buf_printf(text, "%s%c  (%zu item%s)", b->term.utf8 ? "\xe2\x80\xa6" : "...", l->close, items,
			   items == 1 ? "" : "s");
	}
}

static int line_indent(const struct browser *b, const struct render_line *l)
{
	int indent = l->depth * 2;

	return indent > b->detail_w / 2 ? b->detail_w / 2 : indent;
}

/* Screen rows line INDEX takes, wrapped to the pane's width (as draw_line wraps it). */
static int line_rows(const struct browser *b, size_t index)
{
	const struct render_line *l = &b->plain.lines.lines[index];
	int width = b->detail_w - line_indent(b, l), rows = 1, used;
	struct cs_buf text = CS_BUF_INIT;

	line_text(b, index, &text);
	const char *p = text.data + text_fit(text.data, width, &used);
	width -= 4;
	if (width < 8)
		width = 8;
	for (; *p && rows < MAX_WRAPPED_ROWS; p += text_fit(p, width, &used))
		rows++;
	buf_free(&text);
	return rows;
}

/* Draws line INDEX wrapped over at most MAX_ROWS rows from Y; returns the rows used. */
static int draw_line(struct browser *b, int y, int max_rows, size_t index, bool selected)
{
	const struct render_line *l = &b->plain.lines.lines[index];
	int indent = line_indent(b, l), attr = A_NORMAL, rows = 0, used;
	struct cs_buf text = CS_BUF_INIT;

	line_text(b, index, &text);
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
		char *chunk = xstrndup(p, fit);
		draw_text(&b->term, y + rows, b->detail_x + indent, width, chunk, attr);
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
 * Moves the view as little as possible so the selected line, wrapped, is
 * on screen: the lowest top is found walking up from the selection, never
 * measuring the whole record.
 */
static void scroll_to_selection(struct browser *b, int rows)
{
	struct pane_view *v = pane_view_of(b, &plaintexts_pane);
	size_t lowest = v->selected;
	int used = line_rows(b, b->plain.visible[lowest]);

	if (v->selected < v->top) {
		v->top = v->selected;
		return;
	}
	while (lowest > v->top) {
		int above = line_rows(b, b->plain.visible[lowest - 1]);
		if (used + above > rows)
			break;
		used += above;
		lowest--;
	}
	if (v->top < lowest)
		v->top = lowest;
}

static size_t plaintext_line_at_row(const struct browser *b, int row)
{
	size_t line = pane_view_seen(b, &plaintexts_pane)->top;

	while (line < b->plain.visible_count) {
		row -= line_rows(b, b->plain.visible[line]);
		if (row < 0)
			return line;
		line++;
	}
	return SIZE_MAX;
}

static void plaintext_draw(struct browser *b, int y, int rows)
{
	struct pane_view *v = pane_view_of(b, &plaintexts_pane);
	size_t count = b->plain.visible_count;
	int end = y + rows;

	if (v->selected >= count)
		v->selected = count ? count - 1 : 0;
	scroll_to_selection(b, rows);
	for (size_t line = v->top; line < count && y < end; line++)
		y += draw_line(b, y, end - y, b->plain.visible[line], line == v->selected && focused_pane(b) == &plaintexts_pane);
}

static void plaintext_close(struct browser *b)
{
	plaintext_free(&b->plain);
}

static size_t plaintext_lines(const struct browser *b)
{
	return b->plain.visible_count;
}

static size_t plaintext_records(const struct browser *b)
{
	return (size_t)b->plain.lines.records;
}

static const char *plaintext_label(const struct browser *b)
{
	return b->plain.is_diff ? "Plaintext diff" : "Plaintexts";
}

static bool plaintext_request(struct browser *b, enum request request)
{
	if (request != REQ_TOGGLE)
		return false;
	plaintext_toggle_fold(b);
	return true;
}

const struct pane_ops plaintexts_pane = {
	.name = "Plaintexts",
	.empty = "(no plaintexts)",
	.label = plaintext_label,
	.count = plaintext_records,
	.open = plaintext_open,
	.close = plaintext_close,
	.lines = plaintext_lines,
	.draw = plaintext_draw,
	.follow = plaintext_follow,
	.digest = plaintext_digest,
	.line_at_row = plaintext_line_at_row,
	.request = plaintext_request,
};
