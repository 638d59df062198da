#ifndef CS_TUI_DIFF_VIEW_H
#define CS_TUI_DIFF_VIEW_H

#include "browser.h"
#include "core/buf.h"
#include "core/diff.h"

/*
 * Two caches side by side: each row pairs a node of A with its match in B
 * (or with its counterpart, for a root cause), marked so it reads without
 * colour too:
 *
 *   =  the same key on both sides      ~  changed (matched with other links,
 *   +  only in B                          or a root cause and its counterpart)
 *   -  only in A
 *
 * Rows follow B's order; what only A has comes after. A filter keeps the
 * rows that differ.
 */

/* OWNS_DIFF: the view frees DIFF when it goes. */
struct diff_view *diff_view_new(const struct cs_graph *a, const struct cs_graph *b, struct cs_diff *diff,
				bool owns_diff);
void diff_view_free(struct diff_view *v);

uint32_t diff_view_length(const struct diff_view *v);
uint32_t diff_view_row_at(const struct diff_view *v, uint32_t position);
/* The position of ROW, or of the nearest row shown after it. */
uint32_t diff_view_position_of(const struct diff_view *v, uint32_t row);
/* The row holding node N of graph G. */
uint32_t diff_view_row_of(const struct diff_view *v, const struct cs_graph *g, cs_node_id n);
/* The node a row's panes show: B's, or A's when B has none. */
void diff_view_side(const struct diff_view *v, uint32_t row, struct cs_graph **g, cs_node_id *n);
void diff_view_toggle_filter(struct diff_view *v);
bool diff_view_filtered(const struct diff_view *v);

void diff_view_title(struct browser *b, struct cs_buf *out);
void diff_view_draw(struct browser *b);

/*
 * For a row whose two sides differ: the field changes of its root cause,
 * then both sides' plaintexts line by line, "-" for A's, "+" for B's. False
 * when the row has one side or both are the same.
 */
bool diff_view_plaintexts(struct browser *b, struct render_lines *out);

#endif
