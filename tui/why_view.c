/*
 * `why` in the browser: once the first screen is up, the latest build is
 * found (core/why.h) and its rows are marked; w on a key it made shows
 * that key beside the one the same step made before, in the side-by-side
 * view, with the cause on the status line; w again comes back.
 */
#include "browser.h"
#include "core/escape.h"
#include "core/why.h"
#include "diff_view.h"

#include <stdlib.h>
#include <string.h>

bool why_prepare(struct browser *b)
{
	struct cs_why_options opt = { .marks_only = true };
	struct cs_error err;

	/* one cache alone, once: side by side there is no one store to read builds from */
	if (b->why || b->why_tried || b->diff)
		return false;
	b->why_tried = true;
	if (why_find(b->g, &opt, &b->why, &err) < 0)
		browser_message(b, true, "%s", err.msg);
	return true;
}

char why_mark(const struct browser *b, cs_node_id n)
{
	/* one build alone, or none found: marks would say nothing */
	if (!b->why || b->diff || !b->why->made || !b->why->earlier)
		return '\0';
	switch (b->why->mark[n]) {
	case WHY_MADE: return '+';
	case WHY_HIT: return '=';
	default: return ' ';
	}
}

/* Side by side again, the store alone, on the node the row was of. */
static void leave(struct browser *b)
{
	struct cs_graph *g;
	cs_node_id n;

	diff_view_side(b->diff, b->row, &g, &n);
	n = graph_find_id(b->store, graph_id(g, n));
	diff_view_free(b->diff);
	b->diff = NULL;
	b->diff_b = NULL;
	b->in_why = false;
	b->g = b->store;
	search_free(b->search);
	b->search = NULL;
	describe_cache_clear(b);
	b->history.back_count = b->history.forward_count = 0;
	b->detail_node = CS_NONE - 1;
	b->table_top = 0;
	browser_goto_row(b, n != CS_NONE ? n : 0, false);
	browser_message(b, false, "back to the store (w on a key the latest build made: why it missed)");
}

/* The cause of B node N's miss, in one line for the status line. */
static void say_cause(struct browser *b, const struct cs_diff *d, cs_node_id n)
{
	const struct diff_cause *c = diff_cause_of(d, n);
	const struct described *was;
	size_t index;

	if (!c) {
		browser_message(b, false, "#%u: no cause found (same key as before, or session-bound)",
				graph_id(d->b, n));
		return;
	}
	index = (size_t)(c - d->causes) + 1;
	if (c->b_node != n) {
		browser_message(b, false, "#%u missed because of root cause %zu of %zu: %s at #%u", graph_id(d->b, n), index,
				d->cause_count, diff_cause_title(d, c), graph_id(d->b, c->b_node));
		return;
	}
	if (c->a_node == CS_NONE) {
		browser_message(b, false, "root cause %zu of %zu: %s (#%u)", index, d->cause_count, diff_cause_title(d, c),
				graph_id(d->b, n));
		return;
	}
	was = describe_in(b, d->a, c->a_node);
	browser_message(b, false, "root cause %zu of %zu: %s; it was #%u %s", index, d->cause_count,
			diff_cause_title(d, c), graph_id(d->a, c->a_node), was->summary);
}

void why_explain(struct browser *b)
{
	struct cs_error err;
	struct cs_why *w;
	cs_node_id n = b->selected, m;

	if (b->in_why) {
		leave(b);
		return;
	}
	if (b->diff) {
		browser_message(b, false, "w explains a miss in one store: side by side, the two are compared already");
		return;
	}
	why_prepare(b);
	w = b->why;
	if (!w || n == CS_NONE)
		return;
	if (!w->made) {
		browser_message(b, false, "%s", w->rule == WHY_RULE_NONE ? "the store keeps no times: no build to find"
									   : "the latest build made nothing: every step hit");
		return;
	}
	if (w->mark[n] != WHY_MADE) {
		browser_message(b, false, w->mark[n] == WHY_HIT ? "#%u hit the cache in the latest build"
							       : "#%u is not the latest build's (+ marks what it made)",
				graph_id(b->g, n));
		return;
	}
	browser_status_now(b, "comparing the latest build with the builds before...");
	if (why_compare(w, &err) < 0) {
		browser_message(b, true, "%s", err.msg);
		return;
	}
	if (!w->diff) {
		browser_message(b, false, "nothing earlier: the store holds only the latest build");
		return;
	}
	m = graph_find_id(w->latest, graph_id(b->g, n));
	search_free(b->search);
	b->search = NULL;
	describe_cache_clear(b);
	b->history.back_count = b->history.forward_count = 0;
	b->diff = diff_view_new(w->before, w->latest, w->diff, false);
	b->diff_b = w->latest;
	b->in_why = true;
	b->detail_node = CS_NONE - 1;
	b->table_top = 0;
	browser_select_in(b, w->latest, m, false);
	say_cause(b, w->diff, m);
}
