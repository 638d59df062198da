/*
 * The Results pane: what the selected key's cached results are, from the
 * store itself (core/results.h): a local store's records as its worker's
 * metadata_v2.db keeps them, a remote cache's layers. Every field, times
 * as dates; on a daemon without --save-cache-debug this is what says what
 * a key is and what it holds on disk.
 */
#include "browser.h"
#include "core/escape.h"
#include "core/local_results.h"
#include "core/units.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void add_line(struct browser *b, bool heading, const char *text)
{
	struct results_pane *p = &b->results;

	XGROW(p->lines, p->cap, p->count + 1);
	p->heading = xreallocarray(p->heading, p->cap, sizeof(*p->heading));
	p->lines[p->count] = xstrdup(text);
	p->heading[p->count++] = heading;
}

/* "  label         value", the value from the store and so escaped */
static void add_field(struct browser *b, const char *label, const char *value)
{
	struct cs_buf line = CS_BUF_INIT;

	if (!value)
		return;
	buf_printf(&line, "  %-13s ", label);
	escape_append(&line, value, strlen(value), b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
	add_line(b, false, line.data);
	buf_free(&line);
}

static void add_size(struct browser *b, const char *label, int64_t bytes, const char *note)
{
	char text[96], human[32];

	if (bytes < 0) {
		snprintf(text, sizeof(text), "? (%s)", note);
	} else if (bytes < 1024) {
		snprintf(text, sizeof(text), "%" PRId64 " bytes", bytes);
	} else {
		snprintf(text, sizeof(text), "%s (%" PRId64 " bytes)", format_size(bytes, human, sizeof(human)), bytes);
	}
	add_field(b, label, text);
}

static void add_time(struct browser *b, const char *label, int64_t ns)
{
	char text[64];

	if (ns > 0)
		add_field(b, label, format_time_ns(ns, text, sizeof(text)));
}

static void add_result(struct browser *b, const struct cs_result_list *l, size_t i)
{
	const struct cs_result_info *r = &l->items[i];
	bool local = b->g->local_results != NULL;
	struct cs_buf head = CS_BUF_INIT;
	char count[32];

	buf_printf(&head, "Result %zu of %zu", i + 1, l->count);
	add_line(b, true, head.data);
	buf_free(&head);
	add_field(b, local ? "record" : "layer", result_text(l, r->id));
	add_field(b, "description", result_text(l, r->description));
	add_field(b, "type", result_text(l, r->record_type));
	add_size(b, "size", r->size, local ? "the daemon computes it on `docker system df`" : "not given");
	add_size(b, local ? "with parents" : "with layers below", r->total_size, "not all known");
	add_time(b, "created", r->created);
	add_time(b, "last used", r->last_used);
	if (r->usage_count >= 0) {
		snprintf(count, sizeof(count), "%" PRId64, r->usage_count);
		add_field(b, "usage count", count);
	}
	add_field(b, local ? "parent record" : "parent layer", result_text(l, r->parent));
	if (local && r->description == CS_STR_NONE && r->record_type == CS_STR_NONE)
		add_line(b, false, local_results_workers(b->g->local_results)
					   ? "  (its worker's metadata has no such record: released since)"
					   : "  (no metadata_v2.db beside cache.db: name one with --metadata)");
}

static void results_open(struct browser *b)
{
	struct results_pane *p = &b->results;
	struct cs_error err;

	result_list_init(&p->list);
	/*
	 * A size with the records below walks a record's parent chain (up to
	 * 4096 lookups): only for a pane on screen, not for every selection
	 * (focus_pane opens the pane again when its tab is shown).
	 */
	p->totals = detail_panes[b->tab] == &results_pane;
	p->list.skip_totals = !p->totals;
	if (graph_node_results(b->g, b->selected, &p->list, &err) < 0) {
		browser_message(b, true, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < p->list.count; i++)
		add_result(b, &p->list, i);
}

static void results_close(struct browser *b)
{
	struct results_pane *p = &b->results;

	for (size_t i = 0; i < p->count; i++)
		free(p->lines[i]);
	free(p->lines);
	free(p->heading);
	result_list_free(&p->list);
	memset(p, 0, sizeof(*p));
}

static size_t results_lines(const struct browser *b)
{
	return b->results.count;
}

static size_t results_count(const struct browser *b)
{
	return b->results.list.count;
}

static void results_line_text(struct browser *b, size_t i, struct cs_buf *out, bool *heading)
{
	buf_adds(out, b->results.lines[i]);
	*heading = b->results.heading[i];
}

static bool results_follow(struct browser *b)
{
	(void)b;
	return false;
}

static bool results_digest(const struct browser *b, struct cs_digest *out)
{
	(void)b;
	(void)out;
	return false;
}

const struct pane_ops results_pane = {
	.name = "Results",
	.empty = "(no cached result)",
	.count = results_count,
	.open = results_open,
	.close = results_close,
	.lines = results_lines,
	.line_text = results_line_text,
	.follow = results_follow,
	.digest = results_digest,
};
