/* The line at the bottom where `:` and `/` read what to look for. */
#include "browser.h"
#include "core/escape.h"
#include "core/diff.h"
#include "core/source.h"
#include "diff_view.h"
#include "draw.h"

#include <curses.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define KEY_ESCAPE 27

/* Reads a line after LABEL; false when cancelled with Esc (or empty). */
static bool read_line(struct browser *b, const char *label, char *out, size_t size)
{
	size_t len = 0;
	int rows, cols;

	out[0] = '\0';
	curs_set(1);
	for (;;) {
		struct cs_buf shown = CS_BUF_INIT;
		getmaxyx(stdscr, rows, cols);
		buf_adds(&shown, label);
		escape_append(&shown, out, len, b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
		draw_blank(rows - 1, 0, cols, A_NORMAL);
		int used = draw_text(&b->term, rows - 1, 0, cols, shown.data, A_BOLD);
		buf_free(&shown);
		move(rows - 1, used < cols ? used : cols - 1);
		refresh();
		int key;
		while ((key = getch()) == ERR && !term_interrupted())
			;
		if (key == ERR) {
			curs_set(0);
			return false;
		}
		trace_key(b, key);
		if (key == KEY_ESCAPE || key == 7 /* ^G */) {
			curs_set(0);
			return false;
		}
		if (key == '\n' || key == '\r' || key == KEY_ENTER)
			break;
		if ((key == KEY_BACKSPACE || key == 127 || key == 8) && len > 0) {
			/* drop a whole UTF-8 character */
			do
				len--;
			while (len > 0 && ((unsigned char)out[len] & 0xc0) == 0x80);
			out[len] = '\0';
		} else if (key == 21 /* ^U */) {
			len = 0;
			out[0] = '\0';
		} else if (key >= 0x20 && key < 0x100 && key != 127 && len + 1 < size) {
			out[len++] = (char)key;
			out[len] = '\0';
		}
	}
	curs_set(0);
	return len > 0;
}

void prompt_goto(struct browser *b)
{
	char text[128];

	if (!read_line(b, ":", text, sizeof(text)))
		return;
	const struct cs_graph *g = b->diff ? b->diff_b : b->g;
	cs_node_id n = search_goto(g, text);
	if (n == CS_NONE) {
		struct cs_buf shown = CS_BUF_INIT;
		escape_append(&shown, text, strlen(text), ESCAPE_ASCII_ONLY);
		browser_message(b, true, "no record with ID or digest %s", shown.data);
		buf_free(&shown);
		return;
	}
	browser_select_in(b, g, n, true);
}

void prompt_add_source(struct browser *b)
{
	char text[1024];
	struct cs_error err;
	struct cs_graph *other;
	struct cs_diff *diff;

	if (b->diff) {
		browser_message(b, false, "already two sources side by side");
		return;
	}
	if (!read_line(b, "second source (B): ", text, sizeof(text)))
		return;
	browser_status_now(b, "loading and comparing...");
	if (source_load(text, b->load, &other, &err) < 0) {
		browser_message(b, true, "%s", err.msg);
		return;
	}
	if (diff_graphs(b->g, other, &diff, &err) < 0) {
		browser_message(b, true, "%s", err.msg);
		graph_free(other);
		return;
	}
	/* what the current screen shows no longer fits two graphs */
	search_free(b->search);
	b->search = NULL;
	describe_cache_clear(b);
	b->history.back_count = b->history.forward_count = 0;
	b->owned_b = other;
	graph_warm_up(other);
	b->diff = diff_view_new(b->g, other, diff, true);
	b->diff_b = other;
	b->detail_node = CS_NONE - 1;
	b->table_top = 0;
	browser_goto_row(b, diff_view_row_at(b->diff, 0), false);
	browser_message(b, false, "A: the first source, B: %zu root cause%s (f: differences only)",
			diff->cause_count, diff->cause_count == 1 ? "" : "s");
}

/* Keys typed during a search, other than Esc: handled after it, in order. */
#define TYPEAHEAD 16

struct search_poll {
	struct browser *b;
	double last_drawn;
	int typed[TYPEAHEAD];
	int typed_count;
};

/* Shows how far the search is, a few times a second, on the status line. */
static void show_progress(struct browser *b, uint64_t done, uint64_t total)
{
	char text[128];

	if (total)
		snprintf(text, sizeof(text), "searching every plaintext... %llu%% (Esc cancels)",
			 (unsigned long long)(done * 100 / total));
	else
		snprintf(text, sizeof(text), "searching every plaintext... %llu read (Esc cancels)",
			 (unsigned long long)done);
	browser_status_now(b, text);
}

/* Esc cancels a long search: look for it without waiting, keeping what else was typed. */
static bool search_poll(void *ctx)
{
	struct search_poll *p = ctx;
	uint64_t done, total;
	int key;

	if (term_interrupted())
		return true;
	timeout(0);
	while ((key = getch()) != ERR && key != KEY_ESCAPE && key != 7 /* ^G */)
		if (p->typed_count < TYPEAHEAD)
			p->typed[p->typed_count++] = key;
	timeout(TERM_KEY_WAIT_MS);
	if (key != ERR)
		return true;
	if (cs_now() - p->last_drawn > 0.1) {
		search_progress(p->b->search, &done, &total);
		show_progress(p->b, done, total);
		p->last_drawn = cs_now();
	}
	return false;
}

void prompt_search(struct browser *b)
{
	char text[256];
	struct cs_error err;
	struct search_poll poll;
	uint64_t entries, total;

	if (!read_line(b, "/", text, sizeof(text)))
		return;
	search_free(b->search);
	/* side by side, search B: the cache being explained */
	b->search = search_new(b->diff ? b->diff_b : b->g, text);
	memset(&poll, 0, sizeof(poll));
	poll.b = b;
	poll.last_drawn = cs_now();
	show_progress(b, 0, 0);
	double started = cs_now(), cpu_started = trace_cpu_now();
	int rc = search_run(b->search, search_poll, &poll, &err);
	search_progress(b->search, &entries, &total);
#ifdef __GLIBC__
	/* the search's tables are freed, but glibc keeps their heap; give it back (some 100 bytes a node) */
	malloc_trim(0);
#endif
	trace_search(b, started, cpu_started, entries, rc == 0 ? search_match_count(b->search) : 0, rc == 1);
	/* typed ahead: read next, first key first (curses hands back the last pushed first) */
	for (int i = poll.typed_count; i-- > 0;)
		ungetch(poll.typed[i]);
	if (rc != 0) {
		search_free(b->search);
		b->search = NULL;
		if (rc < 0)
			browser_message(b, true, "%s", err.msg);
		else
			browser_message(b, false, "search cancelled");
		return;
	}
	search_repeat(b, true);
}

void search_repeat(struct browser *b, bool forward)
{
	struct cs_buf shown = CS_BUF_INIT;

	if (!b->search) {
		browser_message(b, false, "no search yet: / to search");
		return;
	}
	escape_append(&shown, search_query(b->search), strlen(search_query(b->search)),
		      b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
	const struct cs_graph *searched = search_graph(b->search);
	cs_node_id from = searched == b->g ? b->selected : CS_NONE;
	cs_node_id n = search_next(b->search, from, forward);
	if (n == CS_NONE) {
		browser_message(b, true, "\"%s\" not found", shown.data);
	} else {
		browser_select_in(b, searched, n, true);
		browser_message(b, false, "\"%s\": %u matching record%s", shown.data, search_match_count(b->search),
				search_match_count(b->search) == 1 ? "" : "s");
	}
	buf_free(&shown);
}
