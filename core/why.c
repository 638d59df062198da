/*
 * Finding the latest build in a store and cutting the store in two
 * around it; diff.c compares the halves. See why.h for the rules.
 */
#include "why.h"
#include "buf.h"
#include "escape.h"
#include "graph_subset.h"
#include "json_write.h"
#include "results.h"
#include "units.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

int why_parse_since(const char *text, int64_t now, int64_t *out, struct cs_error *err)
{
	int64_t ns;

	if (parse_rfc3339(text, strlen(text), &ns) == 0) {
		*out = ns;
		return 0;
	}
	if (parse_duration(text, &ns) == 0 && ns <= now) {
		*out = now - ns;
		return 0;
	}
	return cs_fail(err, "--since %.64s: want a time (2026-12-06T04:00:00Z) or how long ago (90m, 2h, 3d)", text);
}

/* ---- which keys the latest build made ---- */

struct times {
	int64_t *created, *last_used;
};

static int read_times(const struct cs_graph *g, struct times *t, struct cs_error *err)
{
	size_t n = g->node_count ? g->node_count : 1;

	t->created = xcalloc(n, sizeof(*t->created));
	t->last_used = xcalloc(n, sizeof(*t->last_used));
	struct cs_node_usage usage = { .created = t->created, .last_used = t->last_used };
	return graph_result_usage(g, &usage, err);
}

static int by_time_descending(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a > b ? -1 : a < b;
}

/* The last burst of result making: back from the newest while no gap is wider than WHY_BURST_GAP. */
static void last_burst(const struct cs_graph *g, const struct times *t, struct cs_why *w)
{
	int64_t *times = xmalloc((g->node_count ? g->node_count : 1) * sizeof(*times));
	size_t count = 0;

	for (cs_node_id n = 0; n < g->node_count; n++)
		if (t->created[n] > 0)
			times[count++] = t->created[n];
	qsort(times, count, sizeof(*times), by_time_descending);
	w->rule = count ? WHY_RULE_BURST : WHY_RULE_NONE;
	if (count) {
		w->end = w->start = times[0];
		for (size_t i = 1; i < count && w->start - times[i] <= WHY_BURST_GAP; i++)
			w->start = times[i];
	}
	free(times);
	for (cs_node_id n = 0; w->rule != WHY_RULE_NONE && n < g->node_count; n++)
		if (t->created[n] >= w->start)
			w->mark[n] = WHY_MADE;
}

/*
 * The daemon stamps the records a build used as it lets go of them, at
 * its end; the records it made were made while it ran. So the build
 * before ended at the newest stamp that some record was made after:
 * walking back through the stamps, the first gap between two of them in
 * which something was made. A gap without a making in it is one build's
 * stamps, however far apart.
 */
static bool last_use(const struct cs_graph *g, const struct times *t, struct cs_why *w)
{
	size_t n = g->node_count ? g->node_count : 1, uses = 0, made = 0;
	int64_t *used = xmalloc(n * sizeof(*used)), *created = xmalloc(n * sizeof(*created));
	int64_t boundary = 0;

	for (cs_node_id i = 0; i < g->node_count; i++) {
		if (t->last_used[i] > 0)
			used[uses++] = t->last_used[i];
		if (t->created[i] > 0)
			created[made++] = t->created[i];
	}
	qsort(used, uses, sizeof(*used), by_time_descending);
	qsort(created, made, sizeof(*created), by_time_descending);
	/* created[c] is the newest making not after the stamp looked at: both lists go back together */
	for (size_t i = 0, c = 0; i + 1 < uses && !boundary; i++) {
		while (c < made && created[c] >= used[i])
			c++;
		if (c < made && created[c] > used[i + 1])
			boundary = used[i + 1];
	}
	if (uses) {
		w->rule = WHY_RULE_LAST_USE;
		w->end = used[0];
		w->earlier_end = boundary;
	}
	free(used);
	free(created);
	if (!uses)
		return false;
	w->start = w->end;
	for (cs_node_id i = 0; i < g->node_count; i++) {
		if (t->last_used[i] <= boundary)
			continue;
		w->mark[i] = t->created[i] > boundary ? WHY_MADE : WHY_HIT;
		if (t->last_used[i] < w->start)
			w->start = t->last_used[i];
	}
	return true;
}

static void made_since(const struct cs_graph *g, const struct times *t, struct cs_why *w)
{
	w->rule = WHY_RULE_SINCE;
	w->start = w->since;
	for (cs_node_id n = 0; n < g->node_count; n++) {
		if (t->created[n] >= w->since)
			w->mark[n] = WHY_MADE;
		else if (t->last_used[n] >= w->since && g->local_results)
			w->mark[n] = WHY_HIT;
		if (t->created[n] > w->end)
			w->end = t->created[n];
	}
}

/*
 * A key with no result of its own (a content checksum, a released one)
 * was the latest build's when everything it feeds was made by it: counted
 * down from its children, parents last.
 */
static void claim_resultless(const struct cs_graph *g, const struct times *t, struct cs_why *w)
{
	uint32_t *pending = xmalloc((g->node_count ? g->node_count : 1) * sizeof(*pending));
	cs_node_id *queue = xmalloc((g->node_count ? g->node_count : 1) * sizeof(*queue));
	size_t head = 0, tail = 0;

	for (cs_node_id n = 0; n < g->node_count; n++) {
		pending[n] = graph_child_count(g, n);
		if (w->mark[n] == WHY_MADE)
			queue[tail++] = n;
	}
	while (head < tail) {
		cs_node_id c = queue[head++];
		for (uint32_t i = 0; i < graph_parent_count(g, c); i++) {
			cs_node_id p = graph_parent(g, c, i)->parent;
			if (--pending[p] == 0 && w->mark[p] != WHY_MADE && t->created[p] == 0 &&
			    !graph_result_count(g, p)) {
				w->mark[p] = WHY_MADE;
				queue[tail++] = p;
			}
		}
	}
	free(pending);
	free(queue);
}

/* Everything a marked node stands on, kept too: a graph of the build must reach it from its roots. */
static void keep_ancestors(const struct cs_graph *g, uint8_t *keep)
{
	cs_node_id *stack = xmalloc((g->node_count ? g->node_count : 1) * sizeof(*stack));
	size_t top = 0;

	for (cs_node_id n = 0; n < g->node_count; n++)
		if (keep[n])
			stack[top++] = n;
	while (top) {
		cs_node_id c = stack[--top];
		for (uint32_t i = 0; i < graph_parent_count(g, c); i++) {
			cs_node_id p = graph_parent(g, c, i)->parent;
			if (!keep[p]) {
				keep[p] = 1;
				stack[top++] = p;
			}
		}
	}
	free(stack);
}

/* What the build's steps stand on and did not make, it used: a hit, whatever the times said. */
static void mark_inputs_used(const struct cs_graph *g, struct cs_why *w)
{
	uint8_t *reached = xcalloc(g->node_count ? g->node_count : 1, 1);

	for (cs_node_id n = 0; n < g->node_count; n++)
		reached[n] = w->mark[n] == WHY_MADE;
	keep_ancestors(g, reached);
	for (cs_node_id n = 0; n < g->node_count; n++)
		if (reached[n] && w->mark[n] == WHY_OLDER)
			w->mark[n] = WHY_HIT;
	free(reached);
}

int why_compare(struct cs_why *w, struct cs_error *err)
{
	const struct cs_graph *g = w->store;
	uint8_t *before, *latest;
	struct cs_buf name = CS_BUF_INIT;
	int rc;

	if (w->diff || !w->made || !w->earlier)
		return 0;
	/* cut the store in two and compare the halves: the builds before, and the latest */
	before = xcalloc(g->node_count ? g->node_count : 1, 1);
	latest = xcalloc(g->node_count ? g->node_count : 1, 1);
	for (cs_node_id n = 0; n < g->node_count; n++) {
		before[n] = w->mark[n] != WHY_MADE;
		latest[n] = w->mark[n] != WHY_OLDER;
	}
	keep_ancestors(g, latest);
	buf_printf(&name, "the builds before, in %s", g->origin);
	rc = graph_subset(g, before, name.data, &w->before, err);
	buf_reset(&name);
	buf_printf(&name, "the latest build, in %s", g->origin);
	if (rc == 0)
		rc = graph_subset(g, latest, name.data, &w->latest, err);
	if (rc == 0)
		rc = diff_graphs(w->before, w->latest, &w->diff, err);
	if (rc < 0) {
		/* all or nothing: a later call starts again */
		graph_free(w->before);
		graph_free(w->latest);
		w->before = w->latest = NULL;
	}
	buf_free(&name);
	free(before);
	free(latest);
	return rc;
}

int why_find(const struct cs_graph *g, const struct cs_why_options *opt, struct cs_why **out,
	     struct cs_error *err)
{
	struct cs_why *w = xcalloc(1, sizeof(*w));
	struct times t = { NULL, NULL };
	int rc;

	w->store = g;
	w->mark = xcalloc(g->node_count ? g->node_count : 1, 1);
	w->since = opt && opt->has_since ? opt->since : 0;
	rc = read_times(g, &t, err);
	if (rc == 0) {
		if (opt && opt->has_since)
			made_since(g, &t, w);
		else if (!g->local_results || !last_use(g, &t, w))
			last_burst(g, &t, w);
		claim_resultless(g, &t, w);
		mark_inputs_used(g, w);
		for (cs_node_id n = 0; n < g->node_count; n++) {
			w->made += w->mark[n] == WHY_MADE;
			w->hits += w->mark[n] == WHY_HIT;
			/* the builds before: keys with a result the latest did not make */
			w->earlier += w->mark[n] != WHY_MADE && (t.created[n] > 0 || graph_result_count(g, n));
		}
		if (!(opt && opt->marks_only))
			rc = why_compare(w, err);
	}
	free(t.created);
	free(t.last_used);
	if (rc < 0) {
		why_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

void why_free(struct cs_why *w)
{
	if (!w)
		return;
	diff_free(w->diff);
	graph_free(w->before);
	graph_free(w->latest);
	free(w->mark);
	free(w);
}

int why_status(const struct cs_why *w)
{
	return w->diff && !diff_same(w->diff) ? 1 : 0;
}

/* ---- reports ---- */

void why_rule_text(const struct cs_why *w, char *out, size_t size)
{
	char a[40], b[40];

	switch (w->rule) {
	case WHY_RULE_SINCE:
		snprintf(out, size, "results made since %s (--since)", format_time_ns(w->since, a, sizeof(a)));
		break;
	case WHY_RULE_LAST_USE:
		if (w->earlier_end)
			snprintf(out, size, "records last used after %s, when the build before last used any, to %s (metadata_v2.db)",
				 format_time_ns(w->earlier_end, a, sizeof(a)), format_time_ns(w->end, b, sizeof(b)));
		else
			snprintf(out, size, "records last used up to %s, all in one build (metadata_v2.db)",
				 format_time_ns(w->end, a, sizeof(a)));
		break;
	case WHY_RULE_BURST:
		snprintf(out, size, "results made from %s to %s, no two more than %lld min apart",
			 format_time_ns(w->start, a, sizeof(a)), format_time_ns(w->end, b, sizeof(b)),
			 WHY_BURST_GAP / 60000000000);
		break;
	case WHY_RULE_NONE:
		snprintf(out, size, "none: the store keeps no times (no results)");
		break;
	}
}

/* Why there is nothing to explain, or NULL when there is. */
static const char *nothing_to_explain(const struct cs_why *w)
{
	if (w->rule == WHY_RULE_NONE)
		return "the store says nothing of when its results were made: no build to find";
	if (!w->made)
		return "the latest build made nothing: every step hit the cache";
	if (!w->earlier)
		return "nothing earlier: the store holds only the latest build";
	if (!why_status(w))
		return "nothing missed: what the latest build made differs only in session-bound sources";
	return NULL;
}

int why_report_text(const struct cs_why *w, FILE *out, bool escape, struct cs_error *err)
{
	char rule[192];
	const char *nothing = nothing_to_explain(w);
	struct cs_buf origin = CS_BUF_INIT;

	why_rule_text(w, rule, sizeof(rule));
	escape_append(&origin, w->store->origin, strlen(w->store->origin), 0);
	fprintf(out, "store: %s (%s, %u records)\n", origin.data, w->store->kind ? w->store->kind : "cache",
		w->store->node_count);
	buf_free(&origin);
	fprintf(out, "latest build: %u keys made (missed the cache), %u used from before\n", w->made, w->hits);
	fprintf(out, "  found by: %s\n", rule);
	fprintf(out, "builds before: %u keys\n", w->earlier);
	if (nothing) {
		fprintf(out, "\n%s\n", nothing);
		return ferror(out) ? cs_fail(err, "write error") : 0;
	}
	fprintf(out, "\nA is the builds before, B the latest; IDs are the store's:\n\n");
	if (fflush(out) != 0)
		return cs_fail(err, "write error");
	return diff_report_text(w->diff, out, escape, DIFF_TEXT_MAX_LISTED, err);
}

int why_report_json(const struct cs_why *w, FILE *out, struct cs_error *err)
{
	static const char *const rules[] = { "since", "last-use", "burst", "none" };
	char rule[192], start[64], end[64];
	struct cs_buf b = CS_BUF_INIT;
	const char *nothing = nothing_to_explain(w);

	why_rule_text(w, rule, sizeof(rule));
	buf_adds(&b, "{\n  \"store\": ");
	json_write_string(&b, w->store->origin, strlen(w->store->origin));
	buf_printf(&b, ",\n  \"rule\": \"%s\",\n  \"ruleText\": ", rules[w->rule]);
	json_write_string(&b, rule, strlen(rule));
	buf_printf(&b, ",\n  \"start\": \"%s\",\n  \"end\": \"%s\",\n", format_rfc3339_ns(w->start, start, sizeof(start)),
		   format_rfc3339_ns(w->end, end, sizeof(end)));
	buf_printf(&b, "  \"made\": %u,\n  \"hits\": %u,\n  \"earlier\": %u,\n  \"explained\": %s,\n", w->made,
		   w->hits, w->earlier, nothing ? "false" : "true");
	buf_adds(&b, "  \"nothing\": ");
	if (nothing)
		json_write_string(&b, nothing, strlen(nothing));
	else
		buf_adds(&b, "null");
	buf_adds(&b, ",\n  \"diff\": ");
	if (buf_flush(&b, out) < 0) {
		buf_free(&b);
		return cs_fail(err, "write error");
	}
	buf_free(&b);
	if (w->diff) {
		if (diff_report_json(w->diff, out, err) < 0)
			return -1;
	} else {
		fputs("null\n", out);
	}
	fputs("}\n", out);
	return ferror(out) ? cs_fail(err, "write error") : 0;
}
