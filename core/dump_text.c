/*
 * The daemon's text answer (cmd/buildkitd/debug.go, writeCacheRecordsResponse
 * and printCacheRecord), with FORMATS.md's fixed orderings.
 */
#include "dump.h"
#include "escape.h"
#include "plaintext.h"
#include "xalloc.h"

#include <stdlib.h>

static void add_untrusted(struct cs_buf *out, const void *data, size_t len, bool escape)
{
	if (escape)
		escape_append(out, data, len, 0);
	else
		buf_add(out, data, len);
}

static void add_digest(struct cs_buf *out, const struct cs_digest *d)
{
	char text[CS_DIGEST_STRLEN + 1];

	digest_format(d, text);
	buf_add(out, text, CS_DIGEST_STRLEN);
}

static void print_plain_header(struct cs_buf *out, const struct cs_plain *p, bool escape)
{
	add_digest(out, &p->digest);
	buf_adds(out, " (");
	add_untrusted(out, p->type.ptr, p->type.len, escape);
	buf_adds(out, "):\n");
}

/* Depth is bounded by the resolver (CS_PLAIN_MAX_DEPTH), so recursion is safe here. */
static void print_plain(struct cs_buf *out, const struct cs_plain *p, bool escape)
{
	print_plain_header(out, p, escape);
	for (size_t i = 0; i < p->sub_count; i++) {
		buf_adds(out, "  ");
		print_plain_header(out, p->subs[i], escape);
	}
	for (size_t i = 0; i < p->frame_count; i++) {
		const struct cs_frame *f = &p->frames[i];
		if (f->id == CS_FRAME_DATA) {
			buf_adds(out, "  data: ");
			add_untrusted(out, f->data, f->len, escape);
			buf_addc(out, '\n');
		} else {
			buf_printf(out, "  skipping %u bytes\n", frame_skip_count(f));
		}
	}
	for (size_t i = 0; i < p->sub_count; i++) {
		buf_addc(out, '\n');
		print_plain(out, p->subs[i], escape);
	}
}

static void print_children(struct cs_buf *out, const struct cs_graph *g, cs_node_id n)
{
	uint32_t count = graph_child_count(g, n);
	uint32_t i = 0;

	if (!count)
		return;
	buf_adds(out, "Children:\n");
	/* child_links run by output, then child ID; one line per output */
	while (i < count) {
		int32_t output = graph_child(g, n, i)->output;
		cs_node_id last = CS_NONE;
		buf_printf(out, "  Input %d:\t ", output);
		for (; i < count && graph_child(g, n, i)->output == output; i++) {
			cs_node_id child = graph_child(g, n, i)->child;
			if (child == last)
				continue;
			buf_printf(out, last == CS_NONE ? "%u" : ", %u", child + 1);
			last = child;
		}
		buf_addc(out, '\n');
	}
}

static int print_record(struct cs_buf *out, const struct cs_graph *g, cs_node_id n,
			bool escape, struct cs_error *err)
{
	const struct cs_node *node = graph_node(g, n);
	struct cs_plain **plains;
	uint32_t plain_count;

	buf_printf(out, "ID: %u%s\n", n + 1, (node->flags & CS_NODE_RANDOM) ? " (random)" : "");
	if (node->digest != CS_DIG_NONE) {
		buf_adds(out, "Digest: ");
		add_digest(out, graph_digest(g, node->digest));
		buf_addc(out, '\n');
	}
	if (graph_parent_count(g, n)) {
		buf_adds(out, "Parents:\n");
		for (uint32_t i = 0; i < graph_parent_count(g, n); i++) {
			const struct cs_link *l = graph_parent(g, n, i);
			buf_printf(out, "  Input %u:\t%u\t", l->input, l->parent + 1);
			add_digest(out, graph_digest(g, l->digest));
			buf_addc(out, '\n');
			if (l->selector != CS_DIG_NONE) {
				buf_adds(out, "    Selector: ");
				add_digest(out, graph_digest(g, l->selector));
				buf_addc(out, '\n');
			}
		}
	}
	print_children(out, g, n);
	if (plain_resolve_node(g, n, &plains, &plain_count, err) < 0)
		return -1;
	if (plain_count) {
		buf_adds(out, "Plaintexts:\n");
		for (uint32_t i = 0; i < plain_count; i++) {
			print_plain(out, plains[i], escape);
			buf_addc(out, '\n');
		}
	}
	plain_free_list(plains, plain_count);
	buf_addc(out, '\n');
	return 0;
}

int dump_text(const struct cs_graph *g, bool escape, FILE *f, struct cs_error *err)
{
	struct cs_buf out = CS_BUF_INIT;
	int rc = 0;

	for (cs_node_id n = 0; n < g->node_count && rc == 0; n++) {
		rc = print_record(&out, g, n, escape, err);
		if (out.len >= (1 << 16) && buf_flush(&out, f) < 0)
			rc = cs_fail(err, "write error");
	}
	if (rc == 0 && buf_flush(&out, f) < 0)
		rc = cs_fail(err, "write error");
	buf_free(&out);
	return rc;
}
