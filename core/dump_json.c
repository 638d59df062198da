/*
 * The daemon's JSON answer: []recordWithDebug through json.Encoder with
 * SetIndent("", "  "). Field order, omitempty and map key order (Go sorts
 * map keys as strings, so "10" comes before "2") follow encoding/json.
 */
#include "base64.h"
#include "dump.h"
#include "json_write.h"
#include "plaintext.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void indent(struct cs_buf *out, int level)
{
	buf_addc(out, '\n');
	for (int i = 0; i < level; i++)
		buf_adds(out, "  ");
}

static void key(struct cs_buf *out, int level, const char *name)
{
	indent(out, level);
	buf_printf(out, "\"%s\": ", name);
}

static void digest_value(struct cs_buf *out, const struct cs_digest *d)
{
	char text[CS_DIGEST_STRLEN + 1];

	digest_format(d, text);
	buf_printf(out, "\"%s\"", text);
}

static void write_plain(struct cs_buf *out, const struct cs_plain *p, int level, bool escape)
{
	buf_addc(out, '{');
	key(out, level + 1, "digest");
	digest_value(out, &p->digest);
	buf_addc(out, ',');
	key(out, level + 1, "type");
	if (escape)
		json_write_string_safe(out, p->type.ptr, p->type.len);
	else
		json_write_string(out, p->type.ptr, p->type.len);
	if (p->frame_count) {
		buf_addc(out, ',');
		key(out, level + 1, "data");
		buf_addc(out, '[');
		for (size_t i = 0; i < p->frame_count; i++) {
			const struct cs_frame *f = &p->frames[i];
			indent(out, level + 2);
			buf_addc(out, '{');
			key(out, level + 3, "type");
			buf_printf(out, "%u", f->id);
			if (f->len) {
				buf_addc(out, ',');
				key(out, level + 3, "data");
				buf_addc(out, '"');
				base64_encode(out, f->data, f->len);
				buf_addc(out, '"');
			}
			indent(out, level + 2);
			buf_addc(out, '}');
			if (i + 1 < p->frame_count)
				buf_addc(out, ',');
		}
		indent(out, level + 1);
		buf_addc(out, ']');
	}
	if (p->sub_count) {
		buf_addc(out, ',');
		key(out, level + 1, "subRecords");
		buf_addc(out, '[');
		for (size_t i = 0; i < p->sub_count; i++) {
			indent(out, level + 2);
			write_plain(out, p->subs[i], level + 2, escape);
			if (i + 1 < p->sub_count)
				buf_addc(out, ',');
		}
		indent(out, level + 1);
		buf_addc(out, ']');
	}
	indent(out, level);
	buf_addc(out, '}');
}

static void write_parents(struct cs_buf *out, const struct cs_graph *g, cs_node_id n)
{
	uint32_t count = graph_parent_count(g, n);

	buf_addc(out, '[');
	for (uint32_t i = 0; i < count; i++) {
		const struct cs_link *l = graph_parent(g, n, i);
		indent(out, 3);
		buf_addc(out, '{');
		key(out, 4, "input");
		buf_printf(out, "%u,", l->input);
		key(out, 4, "output");
		buf_printf(out, "%d,", l->output);
		key(out, 4, "digest");
		digest_value(out, graph_digest(g, l->digest));
		if (l->selector != CS_DIG_NONE) {
			buf_addc(out, ',');
			key(out, 4, "selector");
			digest_value(out, graph_digest(g, l->selector));
		}
		buf_addc(out, ',');
		key(out, 4, "target");
		buf_printf(out, "%u", l->parent + 1);
		indent(out, 3);
		buf_addc(out, '}');
		if (i + 1 < count)
			buf_addc(out, ',');
	}
	indent(out, 2);
	buf_addc(out, ']');
}

struct keyed {
	char text[16];
};

static int keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->text, ((const struct keyed *)b)->text);
}

/* {"<output>": {"<child id>": {}}} with keys in Go's order: sorted as strings. */
static void write_children(struct cs_buf *out, const struct cs_graph *g, cs_node_id n)
{
	uint32_t count = graph_child_count(g, n);
	struct keyed *outputs = xmalloc((size_t)count * sizeof(*outputs));
	struct keyed *children = xmalloc((size_t)count * sizeof(*children));
	uint32_t output_count = 0;

	for (uint32_t i = 0; i < count; i++) {
		int32_t o = graph_child(g, n, i)->output;
		if (i == 0 || graph_child(g, n, i - 1)->output != o)
			snprintf(outputs[output_count++].text, sizeof(outputs->text), "%d", o);
	}
	qsort(outputs, output_count, sizeof(*outputs), keyed_cmp);
	buf_addc(out, '{');
	for (uint32_t k = 0; k < output_count; k++) {
		int32_t o = (int32_t)strtol(outputs[k].text, NULL, 10);
		uint32_t child_count = 0;
		cs_node_id last = CS_NONE;
		for (uint32_t i = 0; i < count; i++) {
			const struct cs_link *l = graph_child(g, n, i);
			if (l->output != o || l->child == last)
				continue;
			last = l->child;
			snprintf(children[child_count++].text, sizeof(children->text), "%u", l->child + 1);
		}
		qsort(children, child_count, sizeof(*children), keyed_cmp);
		indent(out, 3);
		buf_printf(out, "\"%s\": {", outputs[k].text);
		for (uint32_t c = 0; c < child_count; c++) {
			indent(out, 4);
			buf_printf(out, "\"%s\": {}%s", children[c].text, c + 1 < child_count ? "," : "");
		}
		indent(out, 3);
		buf_printf(out, "}%s", k + 1 < output_count ? "," : "");
	}
	indent(out, 2);
	buf_addc(out, '}');
	free(outputs);
	free(children);
}

static int write_record(struct cs_buf *out, const struct cs_graph *g, cs_node_id n,
			bool escape, struct cs_error *err)
{
	const struct cs_node *node = graph_node(g, n);
	struct cs_plain **plains;
	uint32_t plain_count;

	if (plain_resolve_node(g, n, &plains, &plain_count, err) < 0)
		return -1;
	indent(out, 1);
	buf_addc(out, '{');
	key(out, 2, "id");
	buf_printf(out, "%u", n + 1);
	if (graph_parent_count(g, n)) {
		buf_addc(out, ',');
		key(out, 2, "parents");
		write_parents(out, g, n);
	}
	if (node->digest != CS_DIG_NONE) {
		buf_addc(out, ',');
		key(out, 2, "digest");
		digest_value(out, graph_digest(g, node->digest));
	}
	if (node->flags & CS_NODE_RANDOM) {
		buf_addc(out, ',');
		key(out, 2, "random");
		buf_adds(out, "true");
	}
	if (graph_child_count(g, n)) {
		buf_addc(out, ',');
		key(out, 2, "children");
		write_children(out, g, n);
	}
	if (plain_count) {
		buf_addc(out, ',');
		key(out, 2, "debug");
		buf_addc(out, '[');
		for (uint32_t i = 0; i < plain_count; i++) {
			indent(out, 3);
			write_plain(out, plains[i], 3, escape);
			if (i + 1 < plain_count)
				buf_addc(out, ',');
		}
		indent(out, 2);
		buf_addc(out, ']');
	}
	indent(out, 1);
	buf_addc(out, '}');
	if (n + 1 < g->node_count)
		buf_addc(out, ',');
	plain_free_list(plains, plain_count);
	return 0;
}

int dump_json(const struct cs_graph *g, FILE *f, struct cs_error *err)
{
	return dump_json_escaped(g, false, f, err);
}

int dump_json_escaped(const struct cs_graph *g, bool escape, FILE *f, struct cs_error *err)
{
	struct cs_buf out = CS_BUF_INIT;
	int rc = 0;

	if (g->node_count == 0) {
		fputs("[]\n", f);
		return ferror(f) ? cs_fail(err, "write error") : 0;
	}
	buf_addc(&out, '[');
	for (cs_node_id n = 0; n < g->node_count && rc == 0; n++) {
		rc = write_record(&out, g, n, escape, err);
		if (out.len >= (1 << 16) && buf_flush(&out, f) < 0)
			rc = cs_fail(err, "write error");
	}
	if (rc == 0) {
		buf_adds(&out, "\n]\n");
		if (buf_flush(&out, f) < 0)
			rc = cs_fail(err, "write error");
	}
	buf_free(&out);
	return rc;
}
