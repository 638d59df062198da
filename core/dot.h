#ifndef CS_DOT_H
#define CS_DOT_H

#include "buf.h"
#include "describe.h"
#include "diff.h"
#include "error.h"
#include "graph.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Pictures of the graph in Graphviz DOT, after BuildKit's own
 * `buildctl debug dump-llb --dot`: a digraph, one node per cache key with
 * a shape by kind (sources ellipses, RUN boxes, file ops notes), edges
 * from parent to child. Pipe it to `dot -Tsvg`.
 *
 * Every label is untrusted text: it is made terminal-safe first (escape.h:
 * controls and bidi overrides as visible escapes, so the DOT itself can be
 * printed to a terminal) and then quoted for DOT, so that no byte of it can
 * end the string, start a Graphviz escape (\N, \G, \l) or an HTML entity.
 */

/* What `dump --format dot` draws. */
struct dot_options {
	cs_node_id around;  /* CS_NONE: every node; else this node's neighbourhood */
	uint32_t depth;     /* link steps from AROUND, up through parents and down through children */
};

/* The default --depth: a node, its inputs' inputs and its users' users. */
#define DOT_DEFAULT_DEPTH 2

/* A picture of more nodes than this takes Graphviz minutes: the CLI suggests --around. */
#define DOT_MANY_NODES 5000

/* dump_dot.c: the graph, or the neighbourhood O asks for; *DRAWN says how many nodes were drawn. */
int dump_dot(const struct cs_graph *g, const struct dot_options *o, FILE *out, uint32_t *drawn,
	     struct cs_error *err);

/* diff_dot.c: both sides in one picture, coloured by what matched, marking the root causes. */
int diff_report_dot(const struct cs_diff *d, FILE *out, struct cs_error *err);

/* ---- dot_write.c: the pieces both pictures are made of ---- */

/* Appends TEXT (untrusted bytes) as a quoted DOT string: "..." */
void dot_add_quoted(struct cs_buf *out, const void *text, size_t len);
/* The same without the quotes: a piece of a label being built. */
void dot_add_text(struct cs_buf *label, const void *text, size_t len);

/*
 * Appends untrusted TEXT to a label being built (inside its quotes),
 * wrapped at WIDTH characters per line, at most MAX_LINES lines, the last
 * ending in an ellipsis when the text is longer. Every line ends in "\n".
 */
void dot_add_wrapped(struct cs_buf *label, const void *text, size_t len, size_t width, size_t max_lines);


/* The shape of a node of KIND, as dump-llb draws its op. */
const char *dot_shape(enum cs_kind kind);

/*
 * The label text of node N (inside the quotes): "#12 exec" (with PREFIX in
 * place of "#12" when given) and its summary, wrapped; a node without one
 * shows its digest (a root's) or the digest of its first link. 0, or -1 when a plaintext store fails.
 */
int dot_node_label(struct cs_buf *label, const struct cs_graph *g, cs_node_id n, const char *prefix,
		   enum cs_kind *kind, struct cs_error *err);

/*
 * The label text of link L: "input 0", the output when not 0, and what its
 * selector selects ("selects /go.mod, /go.sum"), else the selector's digest.
 */
int dot_link_label(struct cs_buf *label, const struct cs_graph *g, const struct cs_link *l,
		   struct cs_error *err);

/* Does G have a link from PARENT into CHILD's input INPUT? */
bool dot_has_link(const struct cs_graph *g, cs_node_id parent, cs_node_id child, uint32_t input);

/* "digraph cachescope {" and the defaults both pictures share. */
void dot_begin(struct cs_buf *out);

#endif
