/*
 * The diff for people (a CI log) and for programs (JSON, documented in the
 * man page). Text from the caches is untrusted: escaped for a terminal,
 * JSON-escaped in JSON.
 */
#include "describe.h"
#include "diff.h"
#include "escape.h"
#include "json_write.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_CONSEQUENCES 20

static const char *status_name(enum diff_status s)
{
	return s == DIFF_SAME ? "same" : s == DIFF_CHANGED ? "changed" : "only-in-b";
}

static void add_text(struct cs_buf *out, const char *s, size_t len, bool escape)
{
	if (escape)
		escape_append(out, s, len, 0);
	else
		buf_add(out, s, len);
}

/* "B #3 (file): copy /hi -> /" */
static int node_line(struct cs_buf *out, const struct cs_graph *g, char side, cs_node_id n, bool escape,
		     struct cs_error *err)
{
	struct cs_description desc;

	if (describe_node(g, n, &desc, err) < 0)
		return -1;
	buf_printf(out, "%c #%u (%s)", side, n + 1, kind_name(desc.kind));
	if (desc.summary) {
		buf_adds(out, ": ");
		add_text(out, desc.summary, desc.summary_len, escape);
	}
	description_free(&desc);
	return 0;
}

static const char *cause_title(enum diff_cause_kind kind)
{
	switch (kind) {
	case CAUSE_OP_CHANGED: return "the op changed";
	case CAUSE_SELECTOR_CHANGED: return "a selector changed";
	case CAUSE_CONTENT_CHANGED: return "the content of the selected files changed";
	case CAUSE_IMAGE_CHANGED: return "the base image changed";
	case CAUSE_SOURCE_CHANGED: return "a source changed";
	case CAUSE_NEW: return "only in B (nothing in A at its place)";
	}
	return "";
}

static void source_line(struct cs_buf *out, char side, const struct cs_graph *g, bool escape)
{
	buf_printf(out, "%c: ", side);
	add_text(out, g->origin, strlen(g->origin), escape);
	buf_printf(out, " (%s, %u records)\n", g->kind ? g->kind : "cache", g->node_count);
}

int diff_report_text(const struct cs_diff *d, FILE *f, bool escape, struct cs_error *err)
{
	const char *codeset = nl_langinfo(CODESET);
	const char *arrow = codeset && strcmp(codeset, "UTF-8") == 0 ? " \xe2\x86\x92 " : " -> ";
	struct cs_buf out = CS_BUF_INIT;
	int rc = 0;

	source_line(&out, 'A', d->a, escape);
	source_line(&out, 'B', d->b, escape);
	buf_printf(&out, "matched %u, only in A %u, only in B %u, changed %u", d->matched, d->only_a, d->only_b,
		   d->changed);
	if (d->random_only)
		buf_printf(&out, " (random roots without a counterpart: %u, not counted)", d->random_only);
	buf_addc(&out, '\n');
	if (diff_same(d)) {
		buf_adds(&out, "\nthe caches match\n");
	} else {
		buf_printf(&out, "\n%zu root cause%s\n", d->cause_count, d->cause_count == 1 ? "" : "s");
	}
	for (size_t i = 0; i < d->cause_count && rc == 0; i++) {
		const struct diff_cause *c = &d->causes[i];
		buf_printf(&out, "\n%zu. %s at ", i + 1, cause_title(c->kind));
		rc = node_line(&out, d->b, 'B', c->b_node, escape, err);
		buf_addc(&out, '\n');
		if (rc == 0 && c->a_node != CS_NONE) {
			buf_adds(&out, "   was ");
			rc = node_line(&out, d->a, 'A', c->a_node, escape, err);
			buf_addc(&out, '\n');
		}
		for (size_t k = 0; k < c->change_count; k++) {
			const struct diff_change *ch = &c->changes[k];
			buf_adds(&out, "     ");
			add_text(&out, ch->path, strlen(ch->path), escape);
			buf_adds(&out, ": ");
			if (ch->old_value)
				add_text(&out, ch->old_value, strlen(ch->old_value), escape);
			else
				buf_adds(&out, "(none)");
			buf_adds(&out, arrow);
			if (ch->new_value)
				add_text(&out, ch->new_value, strlen(ch->new_value), escape);
			else
				buf_adds(&out, "(none)");
			buf_addc(&out, '\n');
		}
		if (c->consequence_count)
			buf_printf(&out, "   consequences (%zu):\n", c->consequence_count);
		/* a CI log wants the first few; --format json lists them all */
		size_t shown = c->consequence_count > TEXT_CONSEQUENCES ? TEXT_CONSEQUENCES : c->consequence_count;
		for (size_t k = 0; k < shown && rc == 0; k++) {
			cs_node_id n = c->consequences[k];
			buf_adds(&out, "     ");
			rc = node_line(&out, d->b, 'B', n, escape, err);
			if (d->b_status[n] == DIFF_CHANGED)
				buf_adds(&out, "  [changed, still a cache hit through its other parents]");
			buf_addc(&out, '\n');
		}
		if (shown < c->consequence_count)
			buf_printf(&out, "     ... and %zu more (--format json lists every one)\n",
				   c->consequence_count - shown);
		if (out.len > (1 << 16) && buf_flush(&out, f) < 0)
			rc = cs_fail(err, "write error");
	}
	if (rc == 0 && buf_flush(&out, f) < 0)
		rc = cs_fail(err, "write error");
	buf_free(&out);
	return rc;
}

/* {"id", "kind", "summary"[, "status"]} */
static int json_node(struct cs_buf *out, const struct cs_graph *g, cs_node_id n, const char *status,
		     struct cs_error *err)
{
	struct cs_description desc;

	if (n == CS_NONE) {
		buf_adds(out, "null");
		return 0;
	}
	if (describe_node(g, n, &desc, err) < 0)
		return -1;
	buf_printf(out, "{\"id\": %u, \"kind\": \"%s\", \"summary\": ", n + 1, kind_name(desc.kind));
	if (desc.summary)
		json_write_string(out, desc.summary, desc.summary_len);
	else
		buf_adds(out, "null");
	description_free(&desc);
	if (status)
		buf_printf(out, ", \"status\": \"%s\"", status);
	buf_addc(out, '}');
	return 0;
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

int diff_report_json(const struct cs_diff *d, FILE *f, struct cs_error *err)
{
	struct cs_buf out = CS_BUF_INIT;
	int rc = 0;

	buf_adds(&out, "{\n  \"a\": ");
	json_source(&out, d->a);
	buf_adds(&out, ",\n  \"b\": ");
	json_source(&out, d->b);
	buf_printf(&out, ",\n  \"same\": %s,\n", diff_same(d) ? "true" : "false");
	buf_printf(&out, "  \"summary\": {\"matched\": %u, \"onlyInA\": %u, \"onlyInB\": %u, \"changed\": %u, "
			 "\"randomRootsUnmatched\": %u},\n",
		   d->matched, d->only_a, d->only_b, d->changed, d->random_only);
	buf_adds(&out, "  \"rootCauses\": [");
	for (size_t i = 0; i < d->cause_count && rc == 0; i++) {
		const struct diff_cause *c = &d->causes[i];
		buf_printf(&out, "%s\n    {\"kind\": \"%s\", \"b\": ", i ? "," : "", diff_cause_name(c->kind));
		rc = json_node(&out, d->b, c->b_node, NULL, err);
		buf_adds(&out, ", \"a\": ");
		if (rc == 0)
			rc = json_node(&out, d->a, c->a_node, NULL, err);
		buf_adds(&out, ",\n     \"changes\": [");
		for (size_t k = 0; k < c->change_count; k++) {
			buf_adds(&out, k ? ", {\"path\": " : "{\"path\": ");
			json_value(&out, c->changes[k].path);
			buf_adds(&out, ", \"old\": ");
			json_value(&out, c->changes[k].old_value);
			buf_adds(&out, ", \"new\": ");
			json_value(&out, c->changes[k].new_value);
			buf_addc(&out, '}');
		}
		buf_adds(&out, "],\n     \"consequences\": [");
		for (size_t k = 0; k < c->consequence_count && rc == 0; k++) {
			cs_node_id n = c->consequences[k];
			if (k)
				buf_adds(&out, ", ");
			rc = json_node(&out, d->b, n, status_name((enum diff_status)d->b_status[n]), err);
		}
		buf_adds(&out, "]}");
	}
	buf_adds(&out, d->cause_count ? "\n  ]\n}\n" : "]\n}\n");
	if (rc == 0 && buf_flush(&out, f) < 0)
		rc = cs_fail(err, "write error");
	buf_free(&out);
	return rc;
}
