/* What each key does. vi keys and arrows both work; `?` lists them all. */
#include "browser.h"

#include "diff_view.h"

#include <curses.h>

#define CTRL(c) ((c) & 0x1f)

static size_t pane_length(const struct browser *b, enum pane p)
{
	return p == PANE_TABLE ? table_length(b) : detail_line_count(b, p);
}

static int pane_page(const struct browser *b, enum pane p)
{
	int h = p == PANE_TABLE ? b->table_h - 1 : b->detail_h - 1;
	return h > 1 ? h - 1 : 1;
}

/* Moves the focused pane's cursor by DELTA lines (clamped). */
static void move_cursor(struct browser *b, long delta)
{
	enum pane p = b->focus;
	size_t len = pane_length(b, p);
	long at, last = (long)len - 1;

	if (len == 0)
		return;
	at = (long)(p == PANE_TABLE ? table_position_of(b, b->row) : b->panes[p].selected) + delta;
	if (at < 0)
		at = 0;
	if (at > last)
		at = last;
	if (p == PANE_TABLE)
		browser_goto_row(b, table_row_at(b, (uint32_t)at), false);
	else
		b->panes[p].selected = (size_t)at;
}

static void focus_pane(struct browser *b, enum pane p)
{
	b->focus = p;
	if (p != PANE_TABLE)
		b->detail_tab = p;
}

static void cycle_focus(struct browser *b, int step)
{
	focus_pane(b, (enum pane)(((int)b->focus + step + PANE_COUNT) % PANE_COUNT));
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
	if (b->focus == PANE_TABLE) {
		focus_pane(b, b->detail_tab);
		return;
	}
	if (!detail_follow(b))
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
	struct cs_digest d;
	char text[CS_DIGEST_STRLEN + 1];
	bool have = false;

	if (b->focus == PANE_TABLE && b->selected != CS_NONE) {
		const struct cs_graph *g = b->g;
		if (g->nodes[b->selected].digest != CS_DIG_NONE) {
			d = *graph_digest(g, g->nodes[b->selected].digest);
			have = true;
		} else if (graph_parent_count(g, b->selected)) {
			d = *graph_digest(g, graph_parent(g, b->selected, 0)->digest);
			have = true;
		}
	} else {
		have = detail_digest(b, b->focus, &d);
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

static void click(struct browser *b)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		long step = ev.bstate & BUTTON4_PRESSED ? -3 : 3;
		if (ev.y >= b->detail_y && ev.x >= b->detail_x && ev.x < b->detail_x + b->detail_w &&
		    ev.y < b->detail_y + b->detail_h)
			focus_pane(b, b->detail_tab);
		else
			b->focus = PANE_TABLE;
		move_cursor(b, step);
		return;
	}
	if (ev.y > b->table_y && ev.y < b->table_y + b->table_h && ev.x >= b->table_x &&
	    ev.x < b->table_x + b->table_w) {
		uint32_t at = b->table_top + (uint32_t)(ev.y - b->table_y - 1);
		b->focus = PANE_TABLE;
		if (at < table_length(b))
			browser_goto_row(b, table_row_at(b, at), false);
	} else if (ev.y > b->detail_y && ev.y < b->detail_y + b->detail_h && ev.x >= b->detail_x) {
		int row = ev.y - b->detail_y - 1;
		/* plaintext lines wrap: which one is at that row is the pane's to say */
		size_t line = b->detail_tab == PANE_PLAINTEXTS ? plaintext_line_at_row(b, row)
							      : b->panes[b->detail_tab].top + (size_t)row;
		focus_pane(b, b->detail_tab);
		if (line < detail_line_count(b, b->detail_tab))
			b->panes[b->detail_tab].selected = line;
	}
}

void keys_handle(struct browser *b, int key)
{
	if (b->show_help && help_key(b, key))
		return;
	switch (key) {
	case 'q':
		b->quit = true;
		break;
	case 'j': case KEY_DOWN: case CTRL('n'):
		move_cursor(b, 1);
		break;
	case 'k': case KEY_UP: case CTRL('p'):
		move_cursor(b, -1);
		break;
	case KEY_NPAGE: case CTRL('f'): case CTRL('d'):
		move_cursor(b, pane_page(b, b->focus));
		break;
	case KEY_PPAGE: case CTRL('b'): case CTRL('u'):
		move_cursor(b, -pane_page(b, b->focus));
		break;
	case 'g': case KEY_HOME:
		move_cursor(b, -(long)pane_length(b, b->focus));
		break;
	case 'G': case KEY_END:
		move_cursor(b, (long)pane_length(b, b->focus));
		break;
	case '\t':
		cycle_focus(b, 1);
		break;
	case KEY_BTAB:
		cycle_focus(b, -1);
		break;
	case 'l': case KEY_RIGHT:
		if (b->focus != PANE_TABLE)
			cycle_focus(b, 1);
		else
			focus_pane(b, b->detail_tab);
		break;
	case 'h': case KEY_LEFT:
		cycle_focus(b, -1);
		break;
	case '\n': case '\r': case KEY_ENTER:
		follow(b);
		break;
	case ' ':
		if (b->focus == PANE_PLAINTEXTS)
			plaintext_toggle_fold(b);
		else
			move_cursor(b, pane_page(b, b->focus));
		break;
	case '[': case KEY_BACKSPACE: case 127: case 8:
		travel(b, true);
		break;
	case ']':
		travel(b, false);
		break;
	case 'p':
		go_along(b, true);
		break;
	case 'c':
		go_along(b, false);
		break;
	case ':':
		prompt_goto(b);
		break;
	case '/':
		prompt_search(b);
		break;
	case 'n':
		search_repeat(b, true);
		break;
	case 'N':
		search_repeat(b, false);
		break;
	case 'y':
		copy_digest(b);
		break;
	case '?':
		b->show_help = true;
		break;
	case 'f':
		if (!b->diff) {
			browser_message(b, false, "f filters a diff: open two sources, or d to add one");
			break;
		}
		diff_view_toggle_filter(b->diff);
		browser_message(b, false, diff_view_filtered(b->diff) ? "differences only (f: all rows)"
								  : "all rows (f: differences only)");
		/* stay on the row, or the nearest one shown */
		browser_goto_row(b, table_row_at(b, table_position_of(b, b->row)), false);
		break;
	case 'd':
		prompt_add_source(b);
		break;
	case KEY_MOUSE:
		click(b);
		break;
	case KEY_RESIZE:
	case CTRL('l'):
		clearok(stdscr, TRUE);
		break;
	default:
		break;
	}
}
