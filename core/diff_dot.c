/*
 * `cachescope diff --format dot A B`: both caches in one picture.
 *
 * A matched pair is one node (B's, named for both sides); a node without
 * a twin is drawn on its own side; a node and its counterpart are joined
 * by a dotted line. A link both sides have is drawn once; a link only B
 * has is blue, one only A has is red and dashed (a "changed" node is one
 * reached through such links). Root causes have a thick red border and
 * say which cause they are, numbered as the text report numbers them.
 */
#include "dot.h"

#include <string.h>

#define FLUSH_AT (1 << 16)

static const char *fill_of(enum diff_node_state state)
{
	switch (state) {
	case NODE_SAME: return "#d5f0d5";
	case NODE_CHANGED: return "#fbeeb0";
	case NODE_COUNTERPART: return "#fcd9b0";
	case NODE_ONLY_A: return "#f5c4c4";
	case NODE_ONLY_B: break;
	}
	return "#c4dbf5";
}

/* The cause whose root N of B is, or -1. */
static long cause_at(const struct cs_diff *d, cs_node_id bn)
{
	uint32_t i = d->b_cause[bn];

	return i != DIFF_NO_CAUSE && d->causes[i].b_node == bn ? (long)i : -1;
}

/* One node: SIDE 'b' for B's nodes (matched pairs too), 'a' for A's without a twin. */
static int node_statement(struct cs_buf *out, const struct cs_diff *d, char side, cs_node_id n,
			  struct cs_error *err)
{
	const struct cs_graph *g = side == 'b' ? d->b : d->a;
	bool on_b = side == 'b';
	enum diff_node_state state = diff_node_state(d, on_b, n);
	cs_node_id twin = on_b ? d->b_to_a[n] : CS_NONE;
	struct cs_buf label = CS_BUF_INIT;
	enum cs_kind kind;
	char prefix[48];
	long cause = on_b ? cause_at(d, n) : -1;

	if (twin != CS_NONE)
		snprintf(prefix, sizeof(prefix), "B #%u = A #%u", n + 1, twin + 1);
	else
		snprintf(prefix, sizeof(prefix), "%c #%u", on_b ? 'B' : 'A', n + 1);
	if (dot_node_label(&label, g, n, prefix, &kind, err) < 0) {
		buf_free(&label);
		return -1;
	}
	if (cause >= 0)
		buf_printf(&label, "root cause %ld: %s\\n", cause + 1, diff_cause_name(d->causes[cause].kind));
	buf_printf(out, "  %c%u [label=\"%s\" shape=\"%s\" style=\"filled%s\" fillcolor=\"%s\"", side, n + 1,
		   label.data, dot_shape(kind), (graph_node(g, n)->flags & CS_NODE_RANDOM) ? ",dashed" : "",
		   fill_of(state));
	if (cause >= 0)
		buf_adds(out, " penwidth=3 color=\"#c0392b\"");
	buf_adds(out, "];\n");
	buf_free(&label);
	return 0;
}

/* The picture's name for node N of one side: a matched A node is drawn as its B twin. */
static void node_ref(struct cs_buf *out, const struct cs_diff *d, bool on_b, cs_node_id n)
{
	if (on_b)
		buf_printf(out, "b%u", n + 1);
	else if (d->a_to_b[n] != CS_NONE)
		buf_printf(out, "b%u", d->a_to_b[n] + 1);
	else
		buf_printf(out, "a%u", n + 1);
}

/* Does the other side have link L too (both ends matched, the same input)? */
static bool link_on_both(const struct cs_diff *d, bool on_b, const struct cs_link *l)
{
	const cs_node_id *twin = on_b ? d->b_to_a : d->a_to_b;
	const struct cs_graph *other = on_b ? d->a : d->b;

	return twin[l->parent] != CS_NONE && twin[l->child] != CS_NONE &&
	       dot_has_link(other, twin[l->parent], twin[l->child], l->input);
}

static int edge_statements(struct cs_buf *out, const struct cs_diff *d, bool on_b, cs_node_id n,
			   struct cs_error *err)
{
	const struct cs_graph *g = on_b ? d->b : d->a;
	struct cs_buf label = CS_BUF_INIT;
	int rc = 0;

	for (uint32_t i = 0; i < graph_parent_count(g, n) && rc == 0; i++) {
		const struct cs_link *l = graph_parent(g, n, i);
		bool both = link_on_both(d, on_b, l);
		if (both && !on_b)
			continue; /* drawn with B's links */
		buf_reset(&label);
		if ((rc = dot_link_label(&label, g, l, err)) < 0)
			break;
		buf_adds(out, "  ");
		node_ref(out, d, on_b, l->parent);
		buf_adds(out, " -> ");
		node_ref(out, d, on_b, n);
		buf_printf(out, " [label=\"%s\"%s];\n", label.data,
			   both ? "" : on_b ? " color=\"#2c6fbb\" fontcolor=\"#2c6fbb\" penwidth=2"
					    : " color=\"#c0392b\" fontcolor=\"#c0392b\" style=dashed");
	}
	buf_free(&label);
	return rc;
}

static void source_line(struct cs_buf *out, char side, const struct cs_graph *g)
{
	buf_printf(out, "%c: ", side);
	dot_add_text(out, g->origin, strlen(g->origin));
	buf_printf(out, " (%s, %u records)\\l", g->kind ? g->kind : "cache", g->node_count);
}

static void graph_label(struct cs_buf *out, const struct cs_diff *d)
{
	buf_adds(out, "  label=\"");
	source_line(out, 'A', d->a);
	source_line(out, 'B', d->b);
	buf_printf(out, "matched %u, only in A %u, only in B %u, changed %u; %zu root cause%s\\l", d->matched,
		   d->only_a, d->only_b, d->changed, d->cause_count, d->cause_count == 1 ? "" : "s");
	buf_adds(out, "green: the same key in A and B; yellow: the same key, reached through other links; "
		      "orange: changed at the same place (dotted: its counterpart)\\l"
		      "red: only in A; blue: only in B; red border: a root cause; "
		      "blue links: only in B; red dashed links: only in A\\l");
	buf_adds(out, "\" labelloc=t labeljust=l;\n");
}

static int flush_some(struct cs_buf *out, FILE *f, struct cs_error *err)
{
	if (out->len > FLUSH_AT && buf_flush(out, f) < 0)
		return cs_fail(err, "write error");
	return 0;
}

int diff_report_dot(const struct cs_diff *d, FILE *f, struct cs_error *err)
{
	struct cs_buf out = CS_BUF_INIT;
	int rc = 0;

	dot_begin(&out);
	graph_label(&out, d);
	for (cs_node_id n = 0; n < d->b->node_count && rc == 0; n++)
		if ((rc = node_statement(&out, d, 'b', n, err)) == 0)
			rc = flush_some(&out, f, err);
	for (cs_node_id n = 0; n < d->a->node_count && rc == 0; n++)
		if (d->a_to_b[n] == CS_NONE && (rc = node_statement(&out, d, 'a', n, err)) == 0)
			rc = flush_some(&out, f, err);
	for (cs_node_id n = 0; n < d->b->node_count && rc == 0; n++)
		if ((rc = edge_statements(&out, d, true, n, err)) == 0)
			rc = flush_some(&out, f, err);
	for (cs_node_id n = 0; n < d->a->node_count && rc == 0; n++)
		if ((rc = edge_statements(&out, d, false, n, err)) == 0)
			rc = flush_some(&out, f, err);
	/* each node beside the one at its place on the other side */
	for (cs_node_id n = 0; n < d->a->node_count && rc == 0; n++)
		if (d->a_to_b[n] == CS_NONE && d->a_counterpart[n] != CS_NONE)
			buf_printf(&out,
				   "  a%u -> b%u [style=dotted arrowhead=none constraint=false color=\"#e67e22\"];\n",
				   n + 1, d->a_counterpart[n] + 1);
	buf_adds(&out, "}\n");
	if (rc == 0 && buf_flush(&out, f) < 0)
		rc = cs_fail(err, "write error");
	buf_free(&out);
	return rc;
}
