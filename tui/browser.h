#ifndef CS_TUI_BROWSER_H
#define CS_TUI_BROWSER_H

#include "core/describe.h"
#include "core/graph.h"
#include "core/plain_render.h"
#include "core/results.h"
#include "core/search.h"
#include "keymap.h"
#include "pane.h"
#include "term.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The browser's state, shared by the files of tui/ (one job each). */

/* A few hundred node descriptions: what is on screen, and what just was. */
#define DESCRIBE_CACHE_SIZE 1024

struct described {
	const struct cs_graph *graph; /* two graphs side by side share the cache */
	cs_node_id node;  /* CS_NONE: empty slot */
	enum cs_kind kind;
	char *summary;    /* escaped for display */
	int64_t size;     /* its first result's own size; -1 unknown */
};

/* A line of the Parents or Children pane: a link to a node. */
struct link_line {
	uint32_t link;    /* index in graph->links */
	cs_node_id target;
	bool heading;     /* "Input 1" / "Output 0" line, no target */
	int32_t group;    /* the input or output it belongs to */
};

struct history {
	uint32_t *back, *forward;
	size_t back_count, back_cap, forward_count, forward_cap;
};

struct pane_view {
	size_t selected;
	size_t top;
};

/* The Plaintexts pane: the node's records as lines, some folded away. */
struct plaintext_pane {
	struct render_lines lines;
	bool is_diff;           /* it shows A against B (a changed row side by side) */
	bool *folded;           /* per line (only foldable lines are ever set) */
	size_t folded_cap;
	size_t *visible;        /* indexes of the lines shown, after folding */
	size_t visible_count, visible_cap;
};

/* The Results pane: what the selected node's results are, as lines. */
struct results_pane {
	struct cs_result_list list;
	bool totals;            /* sizes with the records below were read (the pane was shown) */
	char **lines;           /* escaped, made when the node is selected */
	bool *heading;
	size_t count, cap;
};

/* The table's order: the store's (depth-first, as the daemon numbers records), or by a result's figure. */
enum table_order { ORDER_STORE, ORDER_SIZE, ORDER_LAST_USED, ORDER_COUNT };

struct table_sort {
	enum table_order order;
	uint32_t *row_at;       /* position -> node, for an order other than the store's */
	uint32_t *position_of;  /* node -> position */
	int64_t *size, *last_used; /* per node, read once when first asked */
	const struct cs_graph *graph; /* what the figures belong to */
};

/* Which node a digest names (its own, or the link digest it is reached by), built on first use. */
struct digest_index {
	const struct cs_graph *graph;
	cs_node_id *node;       /* per graph digest; CS_NONE when no node has it */
};

struct diff_view;
struct cs_load_options;

/*
 * The table is a list of rows. Alone, row i is node i. Side by side (a
 * diff), a row pairs a node of A with its match in B, and a filter may
 * hide the rows that are the same: the table's positions index the rows
 * shown. g and selected are the node the detail panes show: the row's B
 * node, or its A node when B has none.
 */
struct browser {
	struct cs_graph *g;
	struct term term;
	int focus;              /* FOCUS_TABLE, or the index in detail_panes of the focused pane */
	int tab;                /* the detail pane shown (beside or below the table) */
	cs_node_id selected;
	uint32_t row;           /* the selected row */
	uint32_t table_top;     /* the first position shown */
	struct diff_view *diff; /* NULL: one graph */
	const struct cs_graph *diff_b; /* the B side of a diff */
	struct cs_graph *owned_b;      /* B when added from the browser (d) */
	struct cs_graph *store;        /* the one cache the browser opened (NULL side by side) */
	struct cs_why *why;            /* its latest build, found once the first screen is up */
	bool why_tried;                /* found, or failed and said so: not tried again */
	bool in_why;                   /* the side by side view is why's (w leaves it) */
	const struct cs_load_options *load; /* the command line's, for d; may be NULL */
	/* the whole store while only its first rows are shown (g is then a partial graph) */
	struct cs_pending *pending;
	double progress_shown;         /* when the load's progress was last drawn */
	double started;                /* when the program started (cs_now) */
	struct cs_error load_error;    /* the whole load failed: the browser ends with this */
	bool load_failed;

	/* the selected node's details, rebuilt when the selection changes */
	const struct cs_graph *detail_graph;
	cs_node_id detail_node;
	struct pane_view views[DETAIL_PANES];
	struct link_line *parents, *children;
	size_t parent_count, child_count, parent_cap, child_cap;
	struct plaintext_pane plain;
	struct results_pane results;
	struct table_sort sort;
	struct digest_index digest_index[2]; /* one per graph shown */

	struct described cache[DESCRIBE_CACHE_SIZE];
	struct history history;
	struct cs_search *search;
	char message[512];
	bool message_is_error;
	bool show_help;
	int help_top;           /* the first line of the key table shown */
	bool quit;
	FILE *trace;
	int last_key;
	double key_time;        /* when the last key arrived (cs_now), for the trace */
	double key_cpu;         /* the process's CPU time then */
	unsigned long frames;

	/* layout, recomputed each frame */
	int table_y, table_h, table_x, table_w;
	int detail_y, detail_h, detail_x, detail_w;
};

/* browser.c */
/* Selects node N of the graph the panes show (b->g). */
void browser_select(struct browser *b, cs_node_id n, bool remember);
/* Selects node N of graph G (either side of a diff). */
void browser_select_in(struct browser *b, const struct cs_graph *g, cs_node_id n, bool remember);
void browser_goto_row(struct browser *b, uint32_t row, bool remember);
/* Rows shown, the row at a position, the position of a row. */
uint32_t table_length(const struct browser *b);
uint32_t table_row_at(const struct browser *b, uint32_t position);
uint32_t table_position_of(const struct browser *b, uint32_t row);
void browser_message(struct browser *b, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void browser_layout(struct browser *b);
/* Shows TEXT on the status line now: for work that keeps the main loop waiting. */
void browser_status_now(struct browser *b, const char *text);
void browser_draw(struct browser *b);
/*
 * Waits for the whole store when only its first rows are shown, saying so
 * with its progress on the status line: true once the graph is whole,
 * false when the user stopped waiting (Esc) or the load failed.
 */
bool browser_wait_whole(struct browser *b);

/* node_table.c */
const struct described *describe_cached(struct browser *b, cs_node_id n);
const struct described *describe_in(struct browser *b, const struct cs_graph *g, cs_node_id n);
void describe_cache_clear(struct browser *b);
void node_table_draw(struct browser *b);
void node_table_scroll_to(struct browser *b);

/* detail.c: the panes beside or below the table, through their pane_ops */
void detail_build(struct browser *b);
void detail_free(struct browser *b);
void detail_draw(struct browser *b);
/* The focused pane's ops, or NULL when the table has the focus. */
const struct pane_ops *focused_pane(const struct browser *b);
/* The cursor and top line of pane OPS. */
struct pane_view *pane_view_of(struct browser *b, const struct pane_ops *ops);
const struct pane_view *pane_view_seen(const struct browser *b, const struct pane_ops *ops);
/* Focuses pane I of detail_panes (FOCUS_TABLE: the table). */
void focus_pane(struct browser *b, int i);
/* Builds what following a digest needs, while nobody is typing (a million keys: some 20 ms). */
void detail_prepare(struct browser *b);
/* The node digest D names in graph G (CS_NONE: none), through a lazily built index. */
cs_node_id detail_node_of_digest(struct browser *b, const struct cs_graph *g, const struct cs_digest *d);
/* Drops every digest index (the graphs they were built for are going). */
void detail_digest_index_clear(struct browser *b);

/* plaintext_pane.c */
void plaintext_free(struct plaintext_pane *p);

/* node_table.c: the order of the rows (store, size, last use) */
void table_sort_next(struct browser *b);
const char *table_order_name(enum table_order order);
void table_sort_free(struct table_sort *s);

/* why_view.c: the latest build's rows marked, w explains a miss */
struct cs_why;
/* Finds the latest build (once, when idle): true when the screen has more to show. */
bool why_prepare(struct browser *b);
/* '+' made by the latest build, '=' used by it, ' ' not, '\0' when there is no mark to show. */
char why_mark(const struct browser *b, cs_node_id n);
void why_explain(struct browser *b);

/* keys.c: what a request does */
void keys_handle(struct browser *b, int key);

/* prompt.c */
void prompt_goto(struct browser *b);
void prompt_search(struct browser *b);
/* d: load a second source and show the two side by side. */
void prompt_add_source(struct browser *b);
void search_repeat(struct browser *b, bool forward);

/* history.c: of rows */
void history_push(struct history *h, uint32_t from);
bool history_back(struct history *h, uint32_t current, uint32_t *to);
bool history_forward(struct history *h, uint32_t current, uint32_t *to);
void history_free(struct history *h);

/* help.c */
void help_draw(struct browser *b);
/* A key while the help shows: scrolls it, or closes it (true: the key is used up). */
bool help_key(struct browser *b, int key);

/* clipboard.c */
int clipboard_copy(const char *text);

/* trace.c */
/* Notes the arrival of a key: frames are timed from it. */
void trace_key(struct browser *b, int key);
/* After a screen update: "frame 0.84 ms key=106 cpu=0.80 ms node=3" (the first: "first-screen"). */
void trace_frame(struct browser *b);
/* When the whole store came, after its first rows: "whole-store 731.8 ms records=100000" (from the start). */
void trace_whole(struct browser *b, double program_started);
/* After a text search: "search 212.0 ms cpu=180.3 ms entries=240122 matches=3 cancelled=0". */
void trace_search(struct browser *b, double started, double cpu_started, uint64_t entries, uint32_t matches,
		  bool cancelled);
double trace_cpu_now(void);

#endif
