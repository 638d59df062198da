/*
 * The browser's frame: layout, the title and status lines, the main loop.
 * The table, the detail panes, keys, prompts and help live in their own
 * files beside this one.
 */
#include "browser.h"
#include "core/discover.h"
#include "core/escape.h"
#include "core/progress.h"
#include "core/source.h"
#include "core/why.h"
#include "core/xalloc.h"
#include "diff_view.h"
#include "draw.h"
#include "tui.h"

#include <curses.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void browser_message(struct browser *b, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->message, sizeof(b->message), fmt, ap);
	va_end(ap);
	b->message_is_error = error;
}

uint32_t table_length(const struct browser *b)
{
	return b->diff ? diff_view_length(b->diff) : b->g->node_count;
}

/* Alone, a row is a node; sorted, positions go through the sort's order. */
uint32_t table_row_at(const struct browser *b, uint32_t position)
{
	if (b->diff)
		return diff_view_row_at(b->diff, position);
	return b->sort.row_at && position < b->g->node_count ? b->sort.row_at[position] : position;
}

uint32_t table_position_of(const struct browser *b, uint32_t row)
{
	if (b->diff)
		return diff_view_position_of(b->diff, row);
	return b->sort.position_of && row < b->g->node_count ? b->sort.position_of[row] : row;
}

void browser_goto_row(struct browser *b, uint32_t row, bool remember)
{
	if (row == CS_NONE || (!b->diff && row >= b->g->node_count))
		return;
	if (remember && b->selected != CS_NONE && b->row != row)
		history_push(&b->history, b->row);
	b->row = row;
	if (b->diff)
		diff_view_side(b->diff, row, &b->g, &b->selected);
	else
		b->selected = row;
	node_table_scroll_to(b);
}

/* In graph G, the neighbour of FROM (a parent or a child) whose store ID is KEY, or CS_NONE. */
static cs_node_id neighbour_by_key(const struct cs_graph *g, cs_node_id from, const char *key)
{
	if (from >= g->node_count)
		return CS_NONE;
	for (uint32_t i = 0; i < graph_parent_count(g, from); i++)
		if (strcmp(graph_key(g, graph_parent(g, from, i)->parent), key) == 0)
			return graph_parent(g, from, i)->parent;
	for (uint32_t i = 0; i < graph_child_count(g, from); i++)
		if (strcmp(graph_key(g, graph_child(g, from, i)->child), key) == 0)
			return graph_child(g, from, i)->child;
	return CS_NONE;
}

void browser_select_in(struct browser *b, const struct cs_graph *g, cs_node_id n, bool remember)
{
	/* a key the first rows only link to: its ID comes with the whole store */
	if (g == b->g && g->partial && n >= g->node_count && n < g->node_count + g->stub_count) {
		char *key = xstrdup(graph_key(g, n));
		cs_node_id from = b->selected;
		bool whole = browser_wait_whole(b);
		n = whole ? neighbour_by_key(b->g, from, key) : CS_NONE;
		free(key);
		g = b->g;
		if (n == CS_NONE)
			return;
	}
	if (n >= g->node_count)
		return;
	browser_goto_row(b, b->diff ? diff_view_row_of(b->diff, g, n) : n, remember);
}

void browser_select(struct browser *b, cs_node_id n, bool remember)
{
	browser_select_in(b, b->g, n, remember);
}

/*
 * Top to bottom at 80x24: a title line, the table, the detail panes, the
 * status line. Wide screens (160 columns and more) put the details to the
 * right of the table instead, so both get the full height.
 */
void browser_layout(struct browser *b)
{
	int rows, cols, body;

	getmaxyx(stdscr, rows, cols);
	b->term.rows = rows;
	b->term.cols = cols;
	body = rows - 2;
	if (cols >= 160) {
		b->table_y = b->detail_y = 1;
		b->table_h = b->detail_h = body;
		b->table_x = 0;
		b->table_w = cols / 2 - 1;
		b->detail_x = cols / 2 + 1;
		b->detail_w = cols - b->detail_x;
	} else {
		b->table_y = 1;
		b->table_h = body * 45 / 100;
		/* a short table gives its empty rows to the panes */
		if ((uint32_t)b->table_h > table_length(b) + 1)
			b->table_h = (int)table_length(b) + 1;
		if (b->table_h < 4)
			b->table_h = body > 4 ? 4 : body;
		b->detail_y = b->table_y + b->table_h;
		b->detail_h = body - b->table_h;
		b->table_x = b->detail_x = 0;
		b->table_w = b->detail_w = cols;
	}
	node_table_scroll_to(b);
}

static void draw_title(struct browser *b)
{
	struct cs_buf line = CS_BUF_INIT;
	int attr = term_attr(&b->term, COLOR_PAIR_TITLE);

	if (b->diff) {
		diff_view_title(b, &line);
		draw_blank(0, 0, b->term.cols, attr);
		draw_text(&b->term, 0, 0, b->term.cols, line.data, attr);
		buf_free(&line);
		return;
	}
	/* counts first: on a narrow screen the path is what gets cut */
	if (b->g->partial)
		buf_printf(&line, " cachescope  %s%u records (loading)  %s  ", b->term.utf8 ? "\xe2\x89\xa5" : ">=",
			   b->g->node_count, b->g->kind ? b->g->kind : "cache");
	else
		buf_printf(&line, " cachescope  %u records, %u roots  %s  ", b->g->node_count, b->g->root_count,
			   b->g->kind ? b->g->kind : "cache");
	if (b->sort.order != ORDER_STORE)
		buf_printf(&line, "[sorted by %s]  ", table_order_name(b->sort.order));
	escape_append(&line, b->g->origin, strlen(b->g->origin), b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
	draw_blank(0, 0, b->term.cols, attr);
	draw_text(&b->term, 0, 0, b->term.cols, line.data, attr);
	buf_free(&line);
}

/* The last part of a source's name ("app-v1" of "fixtures/app-v1/"), escaped, at most MAX columns. */
static void short_source(const struct browser *b, struct cs_buf *out, int max)
{
	const char *origin = b->g->origin ? b->g->origin : "";
	size_t end = strlen(origin), start;

	while (end > 1 && origin[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && origin[start - 1] != '/')
		start--;
	escape_append(out, origin + start, end - start, b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
	if (text_width(out->data, out->len) > max) {
		int used;
		out->len = text_fit(out->data, max - 1, &used);
		buf_adds(out, b->term.utf8 ? "\xe2\x80\xa6" : "~");
	}
}

/*
 * The bottom line: the last message or error on the left; the source,
 * where we are and how to get help on the right. A message gives way to
 * the position on a narrow screen, never the other way round.
 */
static void draw_status(struct browser *b)
{
	int y = b->term.rows - 1;
	struct cs_buf right = CS_BUF_INIT;
	int attr = b->message_is_error ? term_attr(&b->term, COLOR_PAIR_ERROR) : (int)A_NORMAL;

	draw_blank(y, 0, b->term.cols, A_NORMAL);
	buf_adds(&right, " ");
	if (!b->diff && b->term.cols >= 60) {
		short_source(b, &right, b->term.cols / 5);
		buf_adds(&right, "  ");
	}
	if (b->diff)
		buf_printf(&right, "row %u of %u  ?:help ", table_position_of(b, b->row) + 1, table_length(b));
	else if (b->pending)
		/* the total comes with the whole store: until then, at least the rows shown */
		buf_printf(&right, "#%u of %s%u (%llu keys read)  ?:help ", b->selected == CS_NONE ? 0 : b->selected + 1,
			   b->term.utf8 ? "\xe2\x89\xa5" : ">=", b->g->node_count,
			   (unsigned long long)pending_keys_read(b->pending));
	else
		buf_printf(&right, "#%u of %u  ?:help ", b->selected == CS_NONE ? 0 : b->selected + 1, b->g->node_count);
	int pw = text_width(right.data, right.len);
	draw_text(&b->term, y, 0, b->term.cols - pw, b->message, attr);
	if (b->term.cols > pw)
		draw_text(&b->term, y, b->term.cols - pw, pw, right.data, A_BOLD);
	buf_free(&right);
}

/* Are the prefix's rows the whole graph's first rows (the store did not change between the two reads)? */
static bool same_rows(const struct cs_graph *prefix, const struct cs_graph *whole)
{
	if (prefix->node_count > whole->node_count)
		return false;
	for (cs_node_id n = 0; n < prefix->node_count; n++)
		if (strcmp(graph_key(prefix, n), graph_key(whole, n)) != 0 ||
		    graph_child_count(prefix, n) != graph_child_count(whole, n) ||
		    graph_parent_count(prefix, n) != graph_parent_count(whole, n))
			return false;
	return true;
}

/*
 * The whole store is loaded: the browser moves onto it. IDs of the first
 * rows are final, so the selection, the history and the panes' cursors
 * stay; only what points into the partial graph is dropped.
 */
static bool adopt_whole(struct browser *b)
{
	struct cs_graph *whole, *prefix = b->g;
	struct pane_view views[DETAIL_PANES];

	if (pending_finish(b->pending, &whole, &b->load_error) < 0) {
		b->pending = NULL;
		b->load_failed = true;
		b->quit = true;
		return false;
	}
	b->pending = NULL;
	bool same = same_rows(prefix, whole);
	memcpy(views, b->views, sizeof(views));
	detail_free(b);
	describe_cache_clear(b);
	table_sort_free(&b->sort);
	detail_digest_index_clear(b);
	b->g = b->store = whole;
	graph_free(prefix);
	if (!same) {
		/* a writer changed the store between the two reads: its rows are not the ones shown */
		history_free(&b->history);
		memset(&b->history, 0, sizeof(b->history));
		b->selected = b->row = 0;
		b->table_top = 0;
		if (!whole->node_count)
			b->selected = CS_NONE;
		browser_message(b, false, "the store changed while loading: back at the first row");
	}
	detail_build(b);
	for (int i = 0; same && i < DETAIL_PANES; i++)
		if (views[i].selected < detail_panes[i]->lines(b))
			b->views[i] = views[i];
	trace_whole(b, b->started);
	/* what waited for the whole store: memory back, the plaintexts' pages warmed */
	malloc_trim(0);
	graph_warm_up(whole);
	return true;
}

bool browser_wait_whole(struct browser *b)
{
	double since = cs_now();

	while (b->pending) {
		char line[200];
		if (pending_done(b->pending))
			return adopt_whole(b);
		snprintf(line, sizeof(line), "loading the whole store for this: %llu keys read, %.0f s (Esc: stop waiting)",
			 (unsigned long long)pending_keys_read(b->pending), cs_now() - since);
		browser_status_now(b, line);
		int key = getch();
		if (term_interrupted() || key == 27) {
			browser_message(b, false, "not waiting: the rest of the store is still loading");
			return false;
		}
	}
	return !b->load_failed;
}

void browser_status_now(struct browser *b, const char *text)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	draw_blank(rows - 1, 0, cols, A_NORMAL);
	draw_text(&b->term, rows - 1, 0, cols, text, A_BOLD);
	refresh();
}

/* A fetch on the screen's thread (a source added with d, a daemon's lookups) says how far it is. */
static void show_fetch_progress(void *ctx, const char *line)
{
	browser_status_now(ctx, line);
}

static void draw_separator(struct browser *b)
{
	if (b->term.cols >= 160) {
		for (int y = b->table_y; y < b->table_y + b->table_h; y++)
			mvaddstr(y, b->table_w, b->term.utf8 ? "\xe2\x94\x82" : "|");
	}
}

void browser_draw(struct browser *b)
{
	erase();
	browser_layout(b);
	if (b->detail_node != b->selected || b->detail_graph != b->g)
		detail_build(b);
	draw_title(b);
	node_table_draw(b);
	draw_separator(b);
	detail_draw(b);
	draw_status(b);
	if (b->show_help)
		help_draw(b);
	refresh();
}

static void browser_free(struct browser *b)
{
	/* quitting before the whole store is there: stop its load */
	pending_cancel(b->pending);
	b->pending = NULL;
	detail_free(b);
	describe_cache_clear(b);
	free(b->parents);
	free(b->children);
	table_sort_free(&b->sort);
	detail_digest_index_clear(b);
	history_free(&b->history);
	search_free(b->search);
	diff_view_free(b->diff);
	graph_free(b->owned_b);
	/* why's view shows why's graphs: it goes first */
	why_free(b->why);
	if (b->trace)
		fclose(b->trace);
}

uint32_t browser_prefix_rows(void)
{
	struct winsize ws;
	uint32_t lines = 50;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		lines = ws.ws_row;
	/*
	 * Two screens of the table: paging down once is answered before the
	 * rest is there. Each row costs lookups, and their page faults, before
	 * the first screen (about 0.2 ms a row at a million keys).
	 */
	return lines * 2 < 64 ? 64 : lines * 2;
}

static int run(struct cs_graph **whole, struct cs_pending *pending, struct cs_graph *other, struct cs_diff *diff,
	       const struct cs_load_options *load, double program_started, struct cs_error *err);

int browser_run(struct cs_graph **g, struct cs_pending *pending, const struct cs_load_options *load, double started,
		struct cs_error *err)
{
	return run(g, pending, NULL, NULL, load, started, err);
}

int browser_run_diff(struct cs_graph *g, struct cs_graph *other, struct cs_diff *diff,
		     const struct cs_load_options *load, double program_started, struct cs_error *err)
{
	return run(&g, NULL, other, diff, load, program_started, err);
}

/* While the whole store loads: its progress on the status line, now and then (not a frame: no trace). */
static void show_load_progress(struct browser *b)
{
	if (cs_now() - b->progress_shown < 0.25)
		return;
	b->progress_shown = cs_now();
	draw_status(b);
	refresh();
}

static int run(struct cs_graph **whole, struct cs_pending *pending, struct cs_graph *other, struct cs_diff *diff,
	       const struct cs_load_options *load, double program_started, struct cs_error *err)
{
	struct cs_progress *progress = load ? load->progress : NULL;
	struct cs_graph *g = *whole;
	struct browser b;
	const char *trace = getenv("CACHESCOPE_TRACE");
	int rc = 0;

	memset(&b, 0, sizeof(b));
	b.pending = pending;
	b.g = other ? other : g;
	b.store = other ? NULL : g;
	b.load = load;
	b.selected = b.g->node_count ? 0 : CS_NONE;
	if (diff) {
		b.diff = diff_view_new(g, other, diff, true);
		b.diff_b = other;
		b.selected = CS_NONE;
		if (diff_view_length(b.diff))
			browser_goto_row(&b, diff_view_row_at(b.diff, 0), false);
	}
	b.detail_node = CS_NONE - 1; /* nothing built yet */
	b.focus = FOCUS_TABLE;
	b.tab = 0;
	for (size_t i = 0; i < DESCRIBE_CACHE_SIZE; i++)
		b.cache[i].node = CS_NONE;
	if (term_start(&b.term) < 0) {
		browser_free(&b);
		return cs_fail(err, "the browser needs a terminal (use `cachescope dump` or `diff` for text)");
	}
	if (trace && *trace)
		b.trace = fopen(trace, "a");
	progress_listen(progress, show_fetch_progress, &b);
	struct cs_buf note = CS_BUF_INIT;
	discovery_note(b.g->found, &note);
	if (note.len) {
		struct cs_buf shown = CS_BUF_INIT;
		escape_append(&shown, note.data, note.len, b.term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
		browser_message(&b, false, "%s", shown.data);
		buf_free(&shown);
	} else {
		browser_message(&b, false, "%s", b.diff ? "f: differences only, ? for keys, q to quit" : "? for keys, q to quit");
	}
	buf_free(&note);
	/* the first screen is timed from the program's start (CPU time counts from there too) */
	b.key_time = program_started;
	b.key_cpu = 0;
	b.started = program_started;
	bool changed = true, trimmed = false, warned = false, keyed = false;
	while (!b.quit && !term_interrupted()) {
		/* the whole store is there: the browser moves onto it */
		if (b.pending && pending_done(b.pending)) {
			if (!adopt_whole(&b))
				break;
			changed = true;
		}
		/* a sidecar that fails (found beside the store, read when a row first needs it) says so once */
		if (!warned && graph_warning(b.g)) {
			struct cs_buf shown = CS_BUF_INIT;
			const char *w = graph_warning(b.g);
			escape_append(&shown, w, strlen(w), b.term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
			browser_message(&b, true, "%s", shown.data);
			buf_free(&shown);
			warned = changed = true;
		}
		if (changed) {
			browser_draw(&b);
			if (keyed || !b.frames)
				trace_frame(&b);
			keyed = false;
		}
		/* the first screen is up: now the rest of a big store may load */
		pending_start(b.pending);
		/*
		 * glibc keeps the loads' freed heap for reuse; a long-lived
		 * browser wants it back. Once, after the first screen (which
		 * should not wait for it), not after each load: loads may run
		 * on two threads, and a trim there is not safe beside a
		 * sanitizer's allocator. While the whole store loads,
		 * adopt_whole does this when it is there.
		 */
		if (!trimmed) {
			trimmed = true;
			if (!b.pending) {
				malloc_trim(0);
				/* lookups land anywhere in a big cache-debug.db: have it mapped before the keys come */
				graph_warm_up(b.store ? b.store : g);
				if (other)
					graph_warm_up(other);
			}
		}
		int key = getch();
		/* no key in a while (or a signal): nothing to draw, time to get ready for what may come */
		changed = key != ERR;
		if (!changed && b.pending) {
			/* the digest index and the latest build need the whole store: not yet */
			show_load_progress(&b);
			continue;
		}
		if (!changed) {
			detail_prepare(&b);
			/* the latest build's marks, once found, are worth a frame */
			changed = why_prepare(&b);
			continue;
		}
		trace_key(&b, key);
		keyed = true;
		/* a new key clears the last message, unless it was an error just shown */
		if (!b.message_is_error || key != KEY_RESIZE)
			b.message[0] = '\0';
		b.message_is_error = false;
		keys_handle(&b, key);
	}
	progress_listen(progress, NULL, NULL);
	term_stop();
	if (b.load_failed) {
		*err = b.load_error;
		rc = -1;
	}
	browser_free(&b);
	/* the graph the browser ended with (the whole one, if it came) is the caller's */
	if (!other)
		*whole = b.store;
	/* Ctrl-C and the like: the terminal is back and the memory freed; now die of it */
	term_die_if_interrupted();
	return rc;
}
