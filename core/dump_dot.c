/*
 * `cachescope dump --format dot`: the graph as a picture, or the
 * neighbourhood of one node (a real store has 100 000 keys; Graphviz lays
 * out a few thousand).
 *
 * The neighbourhood of a node at depth N is what is at most N links up
 * through its parents and N links down through its children: what it is
 * made from and what is made from it. Siblings are left out: the parent of
 * every RUN is an image that a thousand other builds use too. A drawn node
 * with links to nodes not drawn says how many.
 */
#include "dot.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define FLUSH_AT (1 << 16)

/* Marks in DRAWN what is at most DEPTH steps from START in one direction (UP: parents). */
static void walk(const struct cs_graph *g, cs_node_id start, uint32_t depth, bool up, uint8_t *drawn,
		 uint8_t *seen)
{
	cs_node_id *queue = xmalloc((size_t)g->node_count * sizeof(*queue));
	size_t head = 0, tail = 0, level_end;
	uint32_t level = 0;

	memset(seen, 0, g->node_count);
	queue[tail++] = start;
	seen[start] = 1;
	level_end = tail;
	while (head < tail && level < depth) {
		cs_node_id n = queue[head++];
		uint32_t count = up ? graph_parent_count(g, n) : graph_child_count(g, n);
		for (uint32_t i = 0; i < count; i++) {
			const struct cs_link *l = up ? graph_parent(g, n, i) : graph_child(g, n, i);
			cs_node_id next = up ? l->parent : l->child;
			if (seen[next])
				continue;
			seen[next] = 1;
			drawn[next] = 1;
			queue[tail++] = next;
		}
		if (head == level_end) {
			level++;
			level_end = tail;
		}
	}
	free(queue);
}

/* Which nodes the picture has: every one, or O's neighbourhood. The caller frees. */
static uint8_t *nodes_drawn(const struct cs_graph *g, const struct dot_options *o)
{
	uint8_t *drawn = xmalloc(g->node_count ? g->node_count : 1);

	if (o->around == CS_NONE) {
		memset(drawn, 1, g->node_count);
		return drawn;
	}
	uint8_t *seen = xmalloc(g->node_count);
	memset(drawn, 0, g->node_count);
	drawn[o->around] = 1;
	walk(g, o->around, o->depth, true, drawn, seen);
	walk(g, o->around, o->depth, false, drawn, seen);
	free(seen);
	return drawn;
}

/* "3 parents, 40 children not drawn": the links that lead out of the picture. */
static void add_hidden_links(struct cs_buf *label, const struct cs_graph *g, cs_node_id n, const uint8_t *drawn)
{
	uint32_t parents = 0, children = 0;

	for (uint32_t i = 0; i < graph_parent_count(g, n); i++)
		parents += !drawn[graph_parent(g, n, i)->parent];
	for (uint32_t i = 0; i < graph_child_count(g, n); i++)
		children += !drawn[graph_child(g, n, i)->child];
	if (!parents && !children)
		return;
	buf_adds(label, "(");
	if (parents)
		buf_printf(label, "%u more parent link%s", parents, parents == 1 ? "" : "s");
	if (parents && children)
		buf_adds(label, ", ");
	if (children)
		buf_printf(label, "%u more child link%s", children, children == 1 ? "" : "s");
	buf_adds(label, ")\\n");
}

static int node_statement(struct cs_buf *out, const struct cs_graph *g, cs_node_id n, const struct dot_options *o,
			  const uint8_t *drawn, struct cs_error *err)
{
	const struct cs_node *node = graph_node(g, n);
	struct cs_buf label = CS_BUF_INIT;
	enum cs_kind kind;

	if (dot_node_label(&label, g, n, NULL, &kind, err) < 0) {
		buf_free(&label);
		return -1;
	}
	if (o->around != CS_NONE)
		add_hidden_links(&label, g, n, drawn);
	buf_printf(out, "  n%u [label=\"%s\" shape=\"%s\"", n + 1, label.data, dot_shape(kind));
	if (node->flags & CS_NODE_RANDOM)
		buf_adds(out, " style=\"filled,dashed\" fillcolor=\"#eeeeee\"");
	else if (node->digest != CS_DIG_NONE)
		buf_adds(out, " style=\"filled\" fillcolor=\"#d6e9f8\"");
	if (n == o->around)
		buf_adds(out, " penwidth=3 color=\"#c0392b\"");
	buf_adds(out, "];\n");
	buf_free(&label);
	return 0;
}

static int edge_statements(struct cs_buf *out, const struct cs_graph *g, cs_node_id n, const uint8_t *drawn,
			   struct cs_error *err)
{
	struct cs_buf label = CS_BUF_INIT;
	int rc = 0;

	for (uint32_t i = 0; i < graph_parent_count(g, n) && rc == 0; i++) {
		const struct cs_link *l = graph_parent(g, n, i);
		if (!drawn[l->parent])
			continue;
		buf_reset(&label);
		rc = dot_link_label(&label, g, l, err);
		if (rc == 0)
			buf_printf(out, "  n%u -> n%u [label=\"%s\"];\n", l->parent + 1, n + 1, label.data);
	}
	buf_free(&label);
	return rc;
}

int dump_dot(const struct cs_graph *g, const struct dot_options *o, FILE *f, uint32_t *drawn_count,
	     struct cs_error *err)
{
	uint8_t *drawn = nodes_drawn(g, o);
	struct cs_buf out = CS_BUF_INIT;
	int rc = 0;

	*drawn_count = 0;
	dot_begin(&out);
	buf_adds(&out, "  label=");
	dot_add_quoted(&out, g->origin, strlen(g->origin));
	buf_adds(&out, " labelloc=t;\n");
	for (cs_node_id n = 0; n < g->node_count && rc == 0; n++) {
		if (!drawn[n])
			continue;
		(*drawn_count)++;
		rc = node_statement(&out, g, n, o, drawn, err);
		if (rc == 0 && out.len > FLUSH_AT && buf_flush(&out, f) < 0)
			rc = cs_fail(err, "write error");
	}
	for (cs_node_id n = 0; n < g->node_count && rc == 0; n++) {
		if (!drawn[n])
			continue;
		rc = edge_statements(&out, g, n, drawn, err);
		if (rc == 0 && out.len > FLUSH_AT && buf_flush(&out, f) < 0)
			rc = cs_fail(err, "write error");
	}
	buf_adds(&out, "}\n");
	if (rc == 0 && buf_flush(&out, f) < 0)
		rc = cs_fail(err, "write error");
	buf_free(&out);
	free(drawn);
	return rc;
}
