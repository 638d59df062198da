/*
 * The Parents (per input) and Children (per output) panes: a line per
 * link, under a heading per input or output. The lists are built when the
 * selection changes; a line's text is made when it is drawn, so a root
 * with ten thousand children costs what the screen shows.
 */
#include "browser.h"
#include "core/escape.h"
#include "core/plaintext.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void add_link_line(struct link_line **lines, size_t *count, size_t *cap, struct link_line l)
{
	XGROW(*lines, *cap, *count + 1);
	(*lines)[(*count)++] = l;
}

static void open_parents(struct browser *b)
{
	const struct cs_graph *g = b->g;
	cs_node_id n = b->selected;

	for (uint32_t i = 0; i < graph_parent_count(g, n); i++) {
		const struct cs_link *l = graph_parent(g, n, i);
		if (i == 0 || graph_parent(g, n, i - 1)->input != l->input)
			add_link_line(&b->parents, &b->parent_count, &b->parent_cap,
				      (struct link_line){ 0, CS_NONE, true, (int32_t)l->input });
		add_link_line(&b->parents, &b->parent_count, &b->parent_cap,
			      (struct link_line){ g->parent_links[g->nodes[n].parents + i], l->parent, false,
						  (int32_t)l->input });
	}
	/* start on a line that leads somewhere */
	if (b->parent_count > 1)
		pane_view_of(b, &parents_pane)->selected = 1;
}

static void open_children(struct browser *b)
{
	const struct cs_graph *g = b->g;
	cs_node_id n = b->selected, last = CS_NONE;

	for (uint32_t i = 0; i < graph_child_count(g, n); i++) {
		const struct cs_link *l = graph_child(g, n, i);
		bool new_output = i == 0 || graph_child(g, n, i - 1)->output != l->output;
		if (new_output) {
			add_link_line(&b->children, &b->child_count, &b->child_cap,
				      (struct link_line){ 0, CS_NONE, true, l->output });
			last = CS_NONE;
		}
		if (l->child == last)
			continue;
		last = l->child;
		add_link_line(&b->children, &b->child_count, &b->child_cap,
			      (struct link_line){ g->child_links[g->nodes[n].children + i], l->child, false, l->output });
	}
	if (b->child_count > 1)
		pane_view_of(b, &children_pane)->selected = 1;
}

static void close_parents(struct browser *b)
{
	b->parent_count = 0;
}

static void close_children(struct browser *b)
{
	b->child_count = 0;
}

static size_t parent_lines(const struct browser *b)
{
	return b->parent_count;
}

static size_t child_lines(const struct browser *b)
{
	return b->child_count;
}

static size_t parent_links(const struct browser *b)
{
	return graph_parent_count(b->g, b->selected);
}

static size_t child_links(const struct browser *b)
{
	return graph_child_count(b->g, b->selected);
}

/* The selected line of a link pane, or NULL. */
static const struct link_line *selected_line(const struct browser *b, const struct pane_ops *ops)
{
	const struct link_line *lines = ops == &parents_pane ? b->parents : b->children;
	size_t count = ops == &parents_pane ? b->parent_count : b->child_count;
	size_t sel = pane_view_seen(b, ops)->selected;

	return sel < count ? &lines[sel] : NULL;
}

static bool follow(struct browser *b, const struct pane_ops *ops)
{
	const struct link_line *l = selected_line(b, ops);

	if (!l || l->target == CS_NONE)
		return false;
	browser_select(b, l->target, true);
	return true;
}

static bool follow_parent(struct browser *b)
{
	return follow(b, &parents_pane);
}

static bool follow_child(struct browser *b)
{
	return follow(b, &children_pane);
}

static bool link_digest(const struct browser *b, const struct pane_ops *ops, struct cs_digest *out)
{
	const struct link_line *l = selected_line(b, ops);

	if (!l || l->heading)
		return false;
	*out = *graph_digest(b->g, b->g->links[l->link].digest);
	return true;
}

static bool parent_digest(const struct browser *b, struct cs_digest *out)
{
	return link_digest(b, &parents_pane, out);
}

static bool child_digest(const struct browser *b, struct cs_digest *out)
{
	return link_digest(b, &children_pane, out);
}

/* The decoded selector, in a few words: "/hello", "/go.mod,/go.sum". */
static void selector_text(struct browser *b, cs_dig selector, struct cs_buf *out)
{
	struct cs_plain *p;
	struct cs_error err;
	char hex[65];

	digest_hex(graph_digest(b->g, selector), hex);
	if (plain_resolve(b->g, graph_digest(b->g, selector), &p, &err) > 0) {
		char *summary = render_selector_summary(p);
		buf_adds(out, "  selects ");
		escape_append(out, summary, strlen(summary), b->term.utf8 ? 0 : ESCAPE_ASCII_ONLY);
		free(summary);
		plain_free(p);
	} else {
		buf_printf(out, "  selector %.12s", hex);
	}
}

static void link_line_text(struct browser *b, bool parents, const struct link_line *l, struct cs_buf *out,
			   bool *heading)
{
	const struct cs_link *link = &b->g->links[l->link];
	char hex[65];

	*heading = l->heading;
	if (l->heading) {
		buf_printf(out, parents ? "Input %d" : "Output %d", l->group);
		return;
	}
	const struct described *d = describe_cached(b, l->target);
	digest_hex(graph_digest(b->g, link->digest), hex);
	/* a key the first rows of a store only link to has no ID until the whole store is there */
	if (graph_id(b->g, l->target))
		buf_printf(out, "  #%u %-7s link %.12s", graph_id(b->g, l->target), kind_name(d->kind), hex);
	else
		buf_printf(out, "  #? %-7s link %.12s", kind_name(d->kind), hex);
	if (!parents)
		buf_printf(out, " as input %u", link->input);
	if (link->selector != CS_DIG_NONE)
		selector_text(b, link->selector, out);
	buf_adds(out, "  ");
	buf_adds(out, d->summary);
}

static void parent_line_text(struct browser *b, size_t i, struct cs_buf *out, bool *heading)
{
	link_line_text(b, true, &b->parents[i], out, heading);
}

static void child_line_text(struct browser *b, size_t i, struct cs_buf *out, bool *heading)
{
	link_line_text(b, false, &b->children[i], out, heading);
}

const struct pane_ops parents_pane = {
	.name = "Parents",
	.empty = "(a root: no parents)",
	.count = parent_links,
	.open = open_parents,
	.close = close_parents,
	.lines = parent_lines,
	.line_text = parent_line_text,
	.follow = follow_parent,
	.digest = parent_digest,
};

const struct pane_ops children_pane = {
	.name = "Children",
	.empty = "(no children)",
	.count = child_links,
	.open = open_children,
	.close = close_children,
	.lines = child_lines,
	.line_text = child_line_text,
	.follow = follow_child,
	.digest = child_digest,
};
