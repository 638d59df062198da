/*
 * The diff for people (a CI log) and for programs (JSON, documented in
 * docs/diff.md and the man page). Text from the caches is untrusted:
 * escaped for a terminal, JSON-escaped in JSON.
 */
#include "describe.h"
#include "diff.h"
#include "escape.h"
#include "json_write.h"
#include "xalloc.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT (1 << 16)

struct text_out {
	struct cs_buf buf;
	FILE *f;
	bool escape;
	const char *arrow, *ellipsis;
	struct cs_error *err;
};

static const char *status_name(const struct cs_diff *d, cs_node_id bn)
{
	switch (diff_node_state(d, true, bn)) {
	case NODE_SAME: return "same";
	case NODE_CHANGED: return "changed";
	case NODE_COUNTERPART: return "counterpart";
	case NODE_ONLY_A: return "only-in-a";
	case NODE_ONLY_B: break;
	}
	return "only-in-b";
}

static void add_text(struct text_out *t, const char *s, size_t len)
{
	if (t->escape)
		escape_append(&t->buf, s, len, 0);
	else
		buf_add(&t->buf, s, len);
}

/* Keeps memory flat on a long report. */
static int flush_some(struct text_out *t)
{
	if (t->buf.len > FLUSH_AT && buf_flush(&t->buf, t->f) < 0)
		return cs_fail(t->err, "write error");
	return 0;
}

/* "B #3 (file): copy /hi -> /" */
static int node_line(struct text_out *t, const struct cs_graph *g, char side, cs_node_id n)
{
	struct cs_description desc;

	if (describe_node(g, n, &desc, t->err) < 0)
		return -1;
	buf_printf(&t->buf, "%c #%u (%s)", side, graph_id(g, n), kind_name(desc.kind));
	if (desc.summary) {
		buf_adds(&t->buf, ": ");
		add_text(t, desc.summary, desc.summary_len);
	}
	description_free(&desc);
	return 0;
}

const char *diff_cause_title(const struct cs_diff *d, const struct diff_cause *c)
{
	switch (c->kind) {
	case CAUSE_OP_CHANGED: return "the op changed";
	case CAUSE_SELECTOR_CHANGED: return "a selector changed";
	case CAUSE_INPUT_CHANGED: return "an input changed";
	case CAUSE_CONTENT_CHANGED: return "the content of the selected files changed";
	case CAUSE_IMAGE_CHANGED: return "the base image changed";
	case CAUSE_SOURCE_CHANGED: return "a source changed";
	case CAUSE_NEW: break;
	}
	return d->b->nodes[c->b_node].digest != CS_DIG_NONE ? "an input only in B" : "a step only in B";
}

static void source_line(struct text_out *t, char side, const struct cs_graph *g)
{
	buf_printf(&t->buf, "%c: ", side);
	add_text(t, g->origin, strlen(g->origin));
	buf_printf(&t->buf, " (%s, %u records)\n", g->kind ? g->kind : "cache", g->node_count);
}

static void change_lines(struct text_out *t, const struct diff_cause *c)
{
	for (size_t k = 0; k < c->change_count; k++) {
		const struct diff_change *ch = &c->changes[k];
		buf_adds(&t->buf, "     ");
		add_text(t, ch->path, strlen(ch->path));
		buf_adds(&t->buf, ": ");
		if (ch->old_value)
			add_text(t, ch->old_value, strlen(ch->old_value));
		else
			buf_adds(&t->buf, "(none)");
		buf_adds(&t->buf, t->arrow);
		if (ch->new_value)
			add_text(t, ch->new_value, strlen(ch->new_value));
		else
			buf_adds(&t->buf, "(none)");
		buf_addc(&t->buf, '\n');
	}
	if (c->changes_truncated)
		buf_printf(&t->buf, "     %s (more differences than are listed)\n", t->ellipsis);
}

/* Node lines for NODES, at most MAX (0: all), then how many were left out. */
static int node_list(struct text_out *t, const struct cs_diff *d, const cs_node_id *nodes, size_t count,
		     size_t max)
{
	size_t shown = max && count > max ? max : count;

	for (size_t k = 0; k < shown; k++) {
		buf_adds(&t->buf, "     ");
		if (node_line(t, d->b, 'B', nodes[k]) < 0)
			return -1;
		if (d->b_status[nodes[k]] == DIFF_CHANGED)
			buf_adds(&t->buf, "  [changed, still a cache hit through its other parents]");
		buf_addc(&t->buf, '\n');
		if (flush_some(t) < 0)
			return -1;
	}
	if (shown < count)
		buf_printf(&t->buf, "     %s and %zu more (--format json lists every one)\n", t->ellipsis,
			   count - shown);
	return 0;
}

static int cause_text(struct text_out *t, const struct cs_diff *d, size_t i, size_t max_listed)
{
	const struct diff_cause *c = &d->causes[i];

	buf_printf(&t->buf, "\n%zu. %s at ", i + 1, diff_cause_title(d, c));
	if (node_line(t, d->b, 'B', c->b_node) < 0)
		return -1;
	buf_addc(&t->buf, '\n');
	if (c->a_node != CS_NONE) {
		buf_adds(&t->buf, "   was ");
		if (node_line(t, d->a, 'A', c->a_node) < 0)
			return -1;
		buf_addc(&t->buf, '\n');
	}
	for (size_t k = 0; k < c->also_count; k++) {
		/* another key of the same source */
		buf_adds(&t->buf, "   and ");
		if (node_line(t, d->b, 'B', c->also_b[k]) < 0)
			return -1;
		if (c->also_a[k] != CS_NONE)
			buf_printf(&t->buf, ", was A #%u", graph_id(d->a, c->also_a[k]));
		buf_addc(&t->buf, '\n');
	}
	change_lines(t, c);
	if (c->consequence_count)
		buf_printf(&t->buf, "   consequences (%zu):\n", c->consequence_count);
	return node_list(t, d, c->consequences, c->consequence_count, max_listed);
}

/* Matched nodes whose links differ with no cause upstream: an alternative or a selector on one side only. */
static cs_node_id *changed_without_cause(const struct cs_diff *d, size_t *count)
{
	cs_node_id *nodes = NULL;
	size_t cap = 0;

	*count = 0;
	for (cs_node_id n = 0; n < d->b->node_count; n++)
		if (d->b_status[n] == DIFF_CHANGED && d->b_cause[n] == DIFF_NO_CAUSE) {
			XGROW(nodes, cap, *count + 1);
			nodes[(*count)++] = n;
		}
	return nodes;
}

int diff_report_text(const struct cs_diff *d, FILE *f, bool escape, size_t max_listed, struct cs_error *err)
{
	const char *codeset = nl_langinfo(CODESET);
	bool utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
	struct text_out t = { CS_BUF_INIT, f, escape, utf8 ? " \xe2\x86\x92 " : " -> ", utf8 ? "\xe2\x80\xa6" : "...",
			      err };
	size_t changed_count;
	cs_node_id *changed = changed_without_cause(d, &changed_count);
	int rc = 0;

	source_line(&t, 'A', d->a);
	source_line(&t, 'B', d->b);
	buf_printf(&t.buf, "matched %u, only in A %u, only in B %u, changed %u", d->matched, d->only_a, d->only_b,
		   d->changed);
	if (d->random_only)
		buf_printf(&t.buf, " (random roots without a counterpart: %u, not counted)", d->random_only);
	buf_addc(&t.buf, '\n');
	if (diff_same(d))
		buf_adds(&t.buf, "\nthe caches match\n");
	else if (d->cause_count)
		buf_printf(&t.buf, "\n%zu root cause%s\n", d->cause_count, d->cause_count == 1 ? "" : "s");
	else
		buf_adds(&t.buf, "\nno root cause: nothing in B misses A's cache\n");
	for (size_t i = 0; i < d->cause_count && rc == 0; i++)
		rc = cause_text(&t, d, i, max_listed);
	if (rc == 0 && changed_count) {
		buf_printf(&t.buf, "\nmatched, with links on one side only (still cache hits) (%zu):\n", changed_count);
		rc = node_list(&t, d, changed, changed_count, max_listed);
	}
	if (rc == 0 && buf_flush(&t.buf, f) < 0)
		rc = cs_fail(err, "write error");
	buf_free(&t.buf);
	free(changed);
	return rc;
}

/* ---- JSON ---- */

/* {"id", "kind", "summary"}: a node named from its plaintexts */
static int json_node(struct cs_buf *out, const struct cs_graph *g, cs_node_id n, struct cs_error *err)
{
	struct cs_description desc;

	if (n == CS_NONE) {
		buf_adds(out, "null");
		return 0;
	}
	if (describe_node(g, n, &desc, err) < 0)
		return -1;
	buf_printf(out, "{\"id\": %u, \"kind\": \"%s\", \"summary\": ", graph_id(g, n), kind_name(desc.kind));
	if (desc.summary)
		json_write_string(out, desc.summary, desc.summary_len);
	else
		buf_adds(out, "null");
	description_free(&desc);
	buf_addc(out, '}');
	return 0;
}

/*
 * {"id", "status", "other"}: a B node downstream, by reference. Naming
 * every one would resolve the plaintexts of the whole graph when
 * everything differs (dump names them); the causes are named.
 */
static void json_node_ref(struct cs_buf *out, const struct cs_diff *d, cs_node_id n)
{
	cs_node_id other = diff_other(d, true, n);

	buf_printf(out, "{\"id\": %u, \"status\": \"%s\", \"other\": ", graph_id(d->b, n), status_name(d, n));
	if (other == CS_NONE)
		buf_adds(out, "null}");
	else
		buf_printf(out, "%u}", graph_id(d->a, other));
}

static void json_value(struct cs_buf *out, const char *s)
{
	if (s)
		json_write_string(out, s, strlen(s));
	else
		buf_adds(out, "null");
}

static void json_source(struct cs_buf *out, const struct cs_graph *g)
{
	buf_adds(out, "{\"source\": ");
	json_write_string(out, g->origin, strlen(g->origin));
	buf_adds(out, ", \"kind\": ");
	json_value(out, g->kind);
	buf_printf(out, ", \"records\": %u}", g->node_count);
}

static void json_changes(struct cs_buf *out, const struct diff_cause *c)
{
	buf_adds(out, ",\n     \"changes\": [");
	for (size_t k = 0; k < c->change_count; k++) {
		buf_adds(out, k ? ",\n       {\"path\": " : "\n       {\"path\": ");
		json_value(out, c->changes[k].path);
		buf_adds(out, ", \"old\": ");
		json_value(out, c->changes[k].old_value);
		buf_adds(out, ", \"new\": ");
		json_value(out, c->changes[k].new_value);
		buf_addc(out, '}');
	}
	buf_printf(out, "],\n     \"changesTruncated\": %s", c->changes_truncated ? "true" : "false");
}

static int json_node_list(struct cs_buf *out, FILE *f, const struct cs_diff *d, const cs_node_id *nodes,
			  size_t count, struct cs_error *err)
{
	buf_addc(out, '[');
	for (size_t k = 0; k < count; k++) {
		buf_adds(out, k ? ",\n       " : "\n       ");
		json_node_ref(out, d, nodes[k]);
		if (out->len > FLUSH_AT && buf_flush(out, f) < 0)
			return cs_fail(err, "write error");
	}
	buf_addc(out, ']');
	return 0;
}

static int json_cause(struct cs_buf *out, FILE *f, const struct cs_diff *d, const struct diff_cause *c,
		      struct cs_error *err)
{
	buf_printf(out, "\n    {\"kind\": \"%s\",\n     \"b\": ", diff_cause_name(c->kind));
	if (json_node(out, d->b, c->b_node, err) < 0)
		return -1;
	buf_adds(out, ",\n     \"a\": ");
	if (json_node(out, d->a, c->a_node, err) < 0)
		return -1;
	buf_adds(out, ",\n     \"also\": [");
	for (size_t k = 0; k < c->also_count; k++) {
		buf_adds(out, k ? ", {\"b\": " : "{\"b\": ");
		if (json_node(out, d->b, c->also_b[k], err) < 0)
			return -1;
		buf_adds(out, ", \"a\": ");
		if (json_node(out, d->a, c->also_a[k], err) < 0)
			return -1;
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
	json_changes(out, c);
	buf_adds(out, ",\n     \"consequences\": ");
	if (json_node_list(out, f, d, c->consequences, c->consequence_count, err) < 0)
		return -1;
	buf_addc(out, '}');
	return 0;
}

int diff_report_json(const struct cs_diff *d, FILE *f, struct cs_error *err)
{
	struct cs_buf out = CS_BUF_INIT;
	size_t changed_count;
	cs_node_id *changed = changed_without_cause(d, &changed_count);
	int rc = 0;

	buf_adds(&out, "{\n  \"a\": ");
	json_source(&out, d->a);
	buf_adds(&out, ",\n  \"b\": ");
	json_source(&out, d->b);
	buf_printf(&out, ",\n  \"same\": %s,\n", diff_same(d) ? "true" : "false");
	buf_printf(&out,
		   "  \"summary\": {\"matched\": %u, \"onlyInA\": %u, \"onlyInB\": %u, \"changed\": %u, "
		   "\"randomRootsUnmatched\": %u, \"rootCauses\": %zu},\n",
		   d->matched, d->only_a, d->only_b, d->changed, d->random_only, d->cause_count);
	buf_adds(&out, "  \"rootCauses\": [");
	for (size_t i = 0; i < d->cause_count && rc == 0; i++) {
		if (i)
			buf_addc(&out, ',');
		rc = json_cause(&out, f, d, &d->causes[i], err);
	}
	buf_adds(&out, d->cause_count ? "\n  ],\n  \"changedWithoutCause\": " : "],\n  \"changedWithoutCause\": ");
	if (rc == 0)
		rc = json_node_list(&out, f, d, changed, changed_count, err);
	buf_adds(&out, "\n}\n");
	if (rc == 0 && buf_flush(&out, f) < 0)
		rc = cs_fail(err, "write error");
	buf_free(&out);
	free(changed);
	return rc;
}
