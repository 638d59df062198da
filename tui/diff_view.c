#include "diff_view.h"
#include "core/escape.h"
#include "core/plaintext.h"
#include "core/xalloc.h"
#include "draw.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

struct diff_row {
	cs_node_id a, b;
	char mark;
	const struct diff_cause *cause; /* when the row is a root cause and its counterpart */
};

struct diff_view {
	const struct cs_graph *a, *b;
	struct cs_diff *diff;
	struct diff_row *rows;
	uint32_t count;
	uint32_t *row_of_a, *row_of_b;
	uint32_t *shown;  /* row ids, ascending */
	uint32_t shown_count;
	bool filtered;
	bool owns_diff;   /* false: why's, which outlives the view */
};

static void add_row(struct diff_view *v, cs_node_id a, cs_node_id b, char mark, const struct diff_cause *cause)
{
	struct diff_row *r = &v->rows[v->count];

	r->a = a;
	r->b = b;
	r->mark = mark;
	r->cause = cause;
	if (a != CS_NONE)
		v->row_of_a[a] = v->count;
	if (b != CS_NONE)
		v->row_of_b[b] = v->count;
	v->count++;
}

static void show_rows(struct diff_view *v)
{
	v->shown_count = 0;
	for (uint32_t r = 0; r < v->count; r++)
		if (!v->filtered || v->rows[r].mark != '=')
			v->shown[v->shown_count++] = r;
}

struct diff_view *diff_view_new(const struct cs_graph *a, const struct cs_graph *b, struct cs_diff *diff,
				bool owns_diff)
{
	struct diff_view *v = xcalloc(1, sizeof(*v));
	size_t most = (size_t)a->node_count + b->node_count;
	const struct diff_cause **cause_of_b = xcalloc(b->node_count ? b->node_count : 1, sizeof(*cause_of_b));

	v->a = a;
	v->b = b;
	v->diff = diff;
	v->owns_diff = owns_diff;
	v->rows = xmalloc((most ? most : 1) * sizeof(*v->rows));
	v->shown = xmalloc((most ? most : 1) * sizeof(*v->shown));
	v->row_of_a = xmalloc((a->node_count ? a->node_count : 1) * sizeof(uint32_t));
	v->row_of_b = xmalloc((b->node_count ? b->node_count : 1) * sizeof(uint32_t));
	memset(v->row_of_a, 0xff, a->node_count * sizeof(uint32_t));
	for (size_t i = 0; i < diff->cause_count; i++)
		if (diff->causes[i].a_node != CS_NONE)
			cause_of_b[diff->causes[i].b_node] = &diff->causes[i];
	for (cs_node_id n = 0; n < b->node_count; n++) {
		cs_node_id twin = diff->b_to_a[n];
		const struct diff_cause *cause = cause_of_b[n];
		if (cause)
			add_row(v, cause->a_node, n, '~', cause);
		else if (twin != CS_NONE)
			add_row(v, twin, n, diff->b_status[n] == DIFF_SAME ? '=' : '~', NULL);
		else
			add_row(v, CS_NONE, n, '+', NULL);
	}
	for (cs_node_id n = 0; n < a->node_count; n++)
		if (v->row_of_a[n] == CS_NONE)
			add_row(v, n, CS_NONE, '-', NULL);
	free(cause_of_b);
	show_rows(v);
	return v;
}

void diff_view_free(struct diff_view *v)
{
	if (!v)
		return;
	if (v->owns_diff)
		diff_free(v->diff);
	free(v->rows);
	free(v->shown);
	free(v->row_of_a);
	free(v->row_of_b);
	free(v);
}

uint32_t diff_view_length(const struct diff_view *v)
{
	return v->shown_count;
}

uint32_t diff_view_row_at(const struct diff_view *v, uint32_t position)
{
	if (!v->shown_count)
		return CS_NONE;
	return v->shown[position < v->shown_count ? position : v->shown_count - 1];
}

uint32_t diff_view_position_of(const struct diff_view *v, uint32_t row)
{
	uint32_t lo = 0, hi = v->shown_count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v->shown[mid] < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->shown_count ? lo : (v->shown_count ? v->shown_count - 1 : 0);
}

uint32_t diff_view_row_of(const struct diff_view *v, const struct cs_graph *g, cs_node_id n)
{
	if (g == v->b)
		return n < v->b->node_count ? v->row_of_b[n] : CS_NONE;
	return n < v->a->node_count ? v->row_of_a[n] : CS_NONE;
}

void diff_view_side(const struct diff_view *v, uint32_t row, struct cs_graph **g, cs_node_id *n)
{
	const struct diff_row *r = &v->rows[row];

	/* the browser shows either graph; it never writes to them */
	*g = (struct cs_graph *)(r->b != CS_NONE ? v->b : v->a);
	*n = r->b != CS_NONE ? r->b : r->a;
}

void diff_view_toggle_filter(struct diff_view *v)
{
	v->filtered = !v->filtered;
	show_rows(v);
}

bool diff_view_filtered(const struct diff_view *v)
{
	return v->filtered;
}

void diff_view_title(struct browser *b, struct cs_buf *out)
{
	const struct cs_diff *d = b->diff->diff;
	int flags = b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY;

	buf_printf(out, " cachescope diff  %zu root cause%s  =%u ~%u -%u +%u  A: ", d->cause_count,
		   d->cause_count == 1 ? "" : "s", d->matched - d->changed, d->changed, d->only_a, d->only_b);
	escape_append(out, d->a->origin, strlen(d->a->origin), flags);
	buf_adds(out, "  B: ");
	escape_append(out, d->b->origin, strlen(d->b->origin), flags);
}

static int mark_attr(const struct browser *b, char mark)
{
	if (!b->term.colors)
		return mark == '=' ? (int)A_NORMAL : (int)A_BOLD;
	switch (mark) {
	case '+': return COLOR_PAIR(COLOR_PAIR_KIND) | A_BOLD;
	case '-': return COLOR_PAIR(COLOR_PAIR_ERROR) | A_BOLD;
	case '~': return COLOR_PAIR(COLOR_PAIR_MATCH) | A_BOLD;
	}
	return A_NORMAL;
}

static void draw_half(struct browser *b, const struct cs_graph *g, cs_node_id n, int y, int x, int width,
		      int attr)
{
	char cell[48];

	if (n == CS_NONE || width <= 0)
		return;
	const struct described *d = describe_in(b, g, n);
	snprintf(cell, sizeof(cell), "%u %-7s ", graph_id(g, n), kind_name(d->kind));
	int used = draw_text(&b->term, y, x, width, cell, attr);
	draw_text(&b->term, y, x + used, width - used, d->summary, attr);
}

void diff_view_draw(struct browser *b)
{
	struct diff_view *v = b->diff;
	int rows = b->table_h - 1, half = (b->table_w - 2) / 2;
	int header = A_BOLD | A_UNDERLINE;

	draw_blank(b->table_y, b->table_x, b->table_w, header);
	draw_text(&b->term, b->table_y, b->table_x, b->table_w, "  A", header);
	draw_text(&b->term, b->table_y, b->table_x + 2 + half, half, "B", header);
	for (int i = 0; i < rows; i++) {
		uint32_t position = b->table_top + (uint32_t)i;
		if (position >= v->shown_count)
			break;
		const struct diff_row *r = &v->rows[v->shown[position]];
		bool selected = v->shown[position] == b->row;
		int y = b->table_y + 1 + i;
		int base = selected ? term_attr(&b->term, COLOR_PAIR_SELECTED) | (b->focus == FOCUS_TABLE ? A_BOLD : 0)
				    : A_NORMAL;
		char mark[2] = { r->mark, '\0' };
		draw_blank(y, b->table_x, b->table_w, base);
		draw_text(&b->term, y, b->table_x, 1, mark, selected ? base : mark_attr(b, r->mark));
		draw_half(b, v->a, r->a, y, b->table_x + 2, half - 1, base);
		draw_text(&b->term, y, b->table_x + 1 + half, 1, b->term.utf8 ? "\xe2\x94\x82" : "|", base);
		draw_half(b, v->b, r->b, y, b->table_x + 2 + half, b->table_w - half - 2, base);
	}
	if (!v->shown_count)
		draw_text(&b->term, b->table_y + 1, b->table_x, b->table_w,
			  v->filtered ? "(no differences)" : "(no records)", A_BOLD);
}

/* ---- the plaintext diff of one row ---- */

static void render_node(struct browser *b, const struct cs_graph *g, cs_node_id n, struct render_lines *out)
{
	struct cs_plain **list;
	uint32_t count;
	struct cs_error err;

	if (plain_resolve_node(g, n, &list, &count, &err) < 0) {
		browser_message(b, true, "%s", err.msg);
		return;
	}
	for (uint32_t i = 0; i < count; i++)
		render_plain(out, list[i], !b->term.utf8);
	plain_free_list(list, count);
}

static void add_marked(struct render_lines *out, char mark, const struct render_line *l)
{
	struct cs_buf text = CS_BUF_INIT;

	buf_printf(&text, "%c %*s", mark, l->depth * 2, "");
	buf_adds(&text, l->text);
	/* already escaped: added as is */
	XGROW(out->lines, out->cap, out->count + 1);
	struct render_line *copy = &out->lines[out->count++];
	*copy = *l;
	copy->text = buf_detach(&text, NULL);
	copy->depth = 0;
	copy->header = copy->foldable = copy->closer = false;
	copy->close = '\0';
	copy->record = -1;
}

/* A line diff by longest common subsequence, bounded: past the bound, both sides in full. */
#define MAX_DIFF_LINES 3000

static void line_diff(const struct render_lines *old_l, const struct render_lines *new_l, struct render_lines *out)
{
	size_t n = old_l->count, m = new_l->count;

	if (n > MAX_DIFF_LINES || m > MAX_DIFF_LINES) {
		for (size_t i = 0; i < n; i++)
			add_marked(out, '-', &old_l->lines[i]);
		for (size_t j = 0; j < m; j++)
			add_marked(out, '+', &new_l->lines[j]);
		return;
	}
	uint16_t *len = xcalloc((n + 1) * (m + 1), sizeof(*len));
#define LCS(i, j) len[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			LCS(i, j) = strcmp(old_l->lines[i].text, new_l->lines[j].text) == 0
					    ? (uint16_t)(LCS(i + 1, j + 1) + 1)
					    : (LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1));
	size_t i = 0, j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && strcmp(old_l->lines[i].text, new_l->lines[j].text) == 0) {
			add_marked(out, ' ', &new_l->lines[j]);
			i++, j++;
		} else if (j < m && (i == n || LCS(i, j + 1) >= LCS(i + 1, j))) {
			add_marked(out, '+', &new_l->lines[j++]);
		} else {
			add_marked(out, '-', &old_l->lines[i++]);
		}
	}
#undef LCS
	free(len);
}

bool diff_view_plaintexts(struct browser *b, struct render_lines *out)
{
	struct diff_view *v = b->diff;
	const struct diff_row *r;
	struct render_lines old_l = { 0 }, new_l = { 0 };

	if (!v || b->row == CS_NONE)
		return false;
	r = &v->rows[b->row];
	if (r->a == CS_NONE || r->b == CS_NONE || r->mark == '=')
		return false;
	out->records = 1;
	if (r->cause) {
		for (size_t i = 0; i < r->cause->change_count; i++) {
			const struct diff_change *ch = &r->cause->changes[i];
			struct cs_buf line = CS_BUF_INIT;
			buf_adds(&line, ch->path);
			buf_adds(&line, ": ");
			buf_adds(&line, ch->old_value ? ch->old_value : "(none)");
			buf_adds(&line, b->term.utf8 ? " \xe2\x86\x92 " : " -> ");
			buf_adds(&line, ch->new_value ? ch->new_value : "(none)");
			render_add(out, 0, line.data, line.len, !b->term.utf8, NULL);
			buf_free(&line);
		}
		render_add(out, 0, "", 0, true, NULL);
	}
	render_node(b, v->a, r->a, &old_l);
	render_node(b, v->b, r->b, &new_l);
	line_diff(&old_l, &new_l, out);
	render_lines_free(&old_l);
	render_lines_free(&new_l);
	return true;
}
