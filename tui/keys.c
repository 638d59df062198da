/*
 * What each request does. A key becomes a request (keymap.c); the focused
 * pane may answer it itself (pane_ops.request), else the browser does,
 * here. `?` lists them all.
 */
#include "browser.h"

#include "diff_view.h"

#include <curses.h>

static size_t focus_length(const struct browser *b)
{
	const struct pane_ops *ops = focused_pane(b);

	return ops ? ops->lines(b) : table_length(b);
}

static int focus_page(const struct browser *b)
{
	int h = focused_pane(b) ? b->detail_h - 1 : b->table_h - 1;
	return h > 1 ? h - 1 : 1;
}

/* Moves the focused pane's cursor by DELTA lines (clamped). */
static void move_cursor(struct browser *b, long delta)
{
	const struct pane_ops *ops = focused_pane(b);
	size_t len = focus_length(b);
	long at, last = (long)len - 1;

	if (len == 0)
		return;
	at = (long)(ops ? pane_view_of(b, ops)->selected : table_position_of(b, b->row)) + delta;
	if (at < 0)
		at = 0;
	if (at > last)
		at = last;
	if (ops)
		pane_view_of(b, ops)->selected = (size_t)at;
	else
		browser_goto_row(b, table_row_at(b, (uint32_t)at), false);
}

/* Tab order: the table, then each pane. */
static void cycle_focus(struct browser *b, int step)
{
	int places = DETAIL_PANES + 1, at = b->focus + 1;

	focus_pane(b, (at + step + places) % places - 1);
}

static void go_along(struct browser *b, bool parent)
{
	const struct cs_graph *g = b->g;
	cs_node_id n = b->selected;

	if (n == CS_NONE)
		return;
	if (parent ? !graph_parent_count(g, n) : !graph_child_count(g, n)) {
		browser_message(b, false, parent ? "a root has no parents" : "no children");
		return;
	}
	browser_select(b, parent ? graph_parent(g, n, 0)->parent : graph_child(g, n, 0)->child, true);
}

static void follow(struct browser *b)
{
	const struct pane_ops *ops = focused_pane(b);

	if (!ops) {
		focus_pane(b, b->tab);
		return;
	}
	if (b->selected == CS_NONE || !ops->follow(b))
		browser_message(b, false, "nothing to go to on this line");
}

static void travel(struct browser *b, bool back)
{
	uint32_t to;
	bool moved = back ? history_back(&b->history, b->row, &to) : history_forward(&b->history, b->row, &to);

	if (!moved) {
		browser_message(b, false, back ? "nothing to go back to" : "nothing to go forward to");
		return;
	}
	browser_goto_row(b, to, false);
}

static void copy_digest(struct browser *b)
{
	const struct pane_ops *ops = focused_pane(b);
	struct cs_digest d;
	char text[CS_DIGEST_STRLEN + 1];
	bool have = false;

	if (b->selected == CS_NONE) {
		have = false;
	} else if (!ops) {
		const struct cs_graph *g = b->g;
		if (g->nodes[b->selected].digest != CS_DIG_NONE) {
			d = *graph_digest(g, g->nodes[b->selected].digest);
			have = true;
		} else if (graph_parent_count(g, b->selected)) {
			d = *graph_digest(g, graph_parent(g, b->selected, 0)->digest);
			have = true;
		}
	} else {
		have = ops->digest(b, &d);
	}
	if (!have) {
		browser_message(b, false, "no digest here to copy");
		return;
	}
	digest_format(&d, text);
	if (clipboard_copy(text) < 0)
		browser_message(b, true, "could not write to the terminal");
	else
		browser_message(b, false, "copied %s to the clipboard (OSC 52)", text);
}

static bool in_detail(const struct browser *b, int y, int x)
{
	return y >= b->detail_y && y < b->detail_y + b->detail_h && x >= b->detail_x && x < b->detail_x + b->detail_w;
}

static void click(struct browser *b)
{
	const struct pane_ops *tab = detail_panes[b->tab];
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		focus_pane(b, in_detail(b, ev.y, ev.x) ? b->tab : FOCUS_TABLE);
		move_cursor(b, ev.bstate & BUTTON4_PRESSED ? -3 : 3);
		return;
	}
	if (ev.y > b->table_y && ev.y < b->table_y + b->table_h && ev.x >= b->table_x &&
	    ev.x < b->table_x + b->table_w) {
		uint32_t at = b->table_top + (uint32_t)(ev.y - b->table_y - 1);
		focus_pane(b, FOCUS_TABLE);
		if (at < table_length(b))
			browser_goto_row(b, table_row_at(b, at), false);
	} else if (ev.y > b->detail_y && in_detail(b, ev.y, ev.x)) {
		int row = ev.y - b->detail_y - 1;
		/* a pane whose lines wrap says which line is at that row */
		size_t line = tab->line_at_row ? tab->line_at_row(b, row) : pane_view_of(b, tab)->top + (size_t)row;
		focus_pane(b, b->tab);
		if (line < tab->lines(b))
			pane_view_of(b, tab)->selected = line;
	}
}

static void toggle_filter(struct browser *b)
{
	if (!b->diff) {
		browser_message(b, false, "f filters a diff: open two sources, or d to add one");
		return;
	}
	diff_view_toggle_filter(b->diff);
	browser_message(b, false, diff_view_filtered(b->diff) ? "differences only (f: all rows)"
							  : "all rows (f: differences only)");
	/* stay on the row, or the nearest one shown */
	browser_goto_row(b, table_row_at(b, table_position_of(b, b->row)), false);
}

/*
 * While only the first rows are there (b->pending), does REQUEST need the
 * whole store? The end, a search, an ID, a sort, a second source and the
 * latest build do; so does a move of the table past the last row there.
 */
static bool needs_whole(const struct browser *b, enum request request)
{
	const struct pane_ops *ops = focused_pane(b);

	switch (request) {
	case REQ_LAST: case REQ_GOTO: case REQ_SEARCH: case REQ_NEXT_MATCH: case REQ_PREV_MATCH:
	case REQ_ADD_SOURCE: case REQ_SORT: case REQ_WHY:
		return !ops || request != REQ_LAST;
	case REQ_DOWN: case REQ_PAGE_DOWN: case REQ_TOGGLE:
		return !ops && b->row + (uint32_t)(request == REQ_DOWN ? 1 : focus_page(b)) >= b->g->node_count;
	default:
		return false;
	}
}

void keys_handle(struct browser *b, int key)
{
	const struct pane_ops *ops = focused_pane(b);
	enum request request;

	if (b->show_help && help_key(b, key))
		return;
	request = keymap_request(key);
	if (b->pending && needs_whole(b, request) && !browser_wait_whole(b))
		return;
	ops = focused_pane(b);
	if (ops && ops->request && b->selected != CS_NONE && ops->request(b, request))
		return;
	switch (request) {
	case REQ_QUIT: b->quit = true; break;
	case REQ_DOWN: move_cursor(b, 1); break;
	case REQ_UP: move_cursor(b, -1); break;
	case REQ_PAGE_DOWN: case REQ_TOGGLE: move_cursor(b, focus_page(b)); break;
	case REQ_PAGE_UP: move_cursor(b, -focus_page(b)); break;
	case REQ_FIRST: move_cursor(b, -(long)focus_length(b)); break;
	case REQ_LAST: move_cursor(b, (long)focus_length(b)); break;
	case REQ_NEXT_PANE: cycle_focus(b, 1); break;
	case REQ_PREV_PANE: cycle_focus(b, -1); break;
	case REQ_RIGHT:
		if (ops)
			cycle_focus(b, 1);
		else
			focus_pane(b, b->tab);
		break;
	case REQ_LEFT: cycle_focus(b, -1); break;
	case REQ_ENTER: follow(b); break;
	case REQ_BACK: travel(b, true); break;
	case REQ_FORWARD: travel(b, false); break;
	case REQ_PARENT: go_along(b, true); break;
	case REQ_CHILD: go_along(b, false); break;
	case REQ_GOTO: prompt_goto(b); break;
	case REQ_SEARCH: prompt_search(b); break;
	case REQ_NEXT_MATCH: search_repeat(b, true); break;
	case REQ_PREV_MATCH: search_repeat(b, false); break;
	case REQ_COPY: copy_digest(b); break;
	case REQ_HELP: b->show_help = true; break;
	case REQ_FILTER: toggle_filter(b); break;
	case REQ_ADD_SOURCE: prompt_add_source(b); break;
	case REQ_SORT: table_sort_next(b); break;
	case REQ_WHY: why_explain(b); break;
	case REQ_MOUSE: click(b); break;
	case REQ_REDRAW: clearok(stdscr, TRUE); break;
	case REQ_NONE: break;
	}
}
