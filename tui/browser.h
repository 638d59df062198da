#ifndef CS_TUI_BROWSER_H
#define CS_TUI_BROWSER_H

#include "core/describe.h"
#include "core/graph.h"
#include "core/plain_render.h"
#include "core/search.h"
#include "term.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The browser's state, shared by the files of tui/ (one job each). */

enum pane { PANE_TABLE, PANE_PARENTS, PANE_CHILDREN, PANE_PLAINTEXTS, PANE_COUNT };

/* A few hundred node descriptions: what is on screen, and what just was. */
#define DESCRIBE_CACHE_SIZE 1024

struct described {
	cs_node_id node;  /* CS_NONE: empty slot */
	enum cs_kind kind;
	char *summary;    /* escaped for display */
};

/* A line of the Parents or Children pane: a link to a node. */
struct link_line {
	uint32_t link;    /* index in graph->links */
	cs_node_id target;
	bool heading;     /* "Input 1" / "Output 0" line, no target */
	int32_t group;    /* the input or output it belongs to */
};

struct history {
	cs_node_id *back, *forward;
	size_t back_count, back_cap, forward_count, forward_cap;
};

struct pane_view {
	size_t selected;
	size_t top;
};

struct browser {
	struct cs_graph *g;
	struct term term;
	enum pane focus;
	enum pane detail_tab;   /* which detail pane shows when the table has focus */
	cs_node_id selected;
	uint32_t table_top;

	/* the selected node's details, rebuilt when the selection changes */
	cs_node_id detail_node;
	struct link_line *parents, *children;
	size_t parent_count, child_count, parent_cap, child_cap;
	struct render_lines plaintexts;
	bool *folded;           /* per plaintext record */
	size_t folded_cap;
	size_t *visible;        /* plaintext lines shown (after folding) */
	size_t visible_count, visible_cap;
	struct pane_view panes[PANE_COUNT];

	struct described cache[DESCRIBE_CACHE_SIZE];
	struct history history;
	struct cs_search *search;
	char message[512];
	bool message_is_error;
	bool show_help;
	bool quit;
	FILE *trace;
	int last_key;

	/* layout, recomputed each frame */
	int table_y, table_h, table_x, table_w;
	int detail_y, detail_h, detail_x, detail_w;
};

/* browser.c */
void browser_select(struct browser *b, cs_node_id n, bool remember);
void browser_message(struct browser *b, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void browser_layout(struct browser *b);
void browser_draw(struct browser *b);

/* node_table.c */
const struct described *describe_cached(struct browser *b, cs_node_id n);
void describe_cache_clear(struct browser *b);
void node_table_draw(struct browser *b);
void node_table_scroll_to(struct browser *b);

/* detail.c */
void detail_build(struct browser *b);
void detail_free(struct browser *b);
void detail_draw(struct browser *b);
size_t detail_line_count(const struct browser *b, enum pane p);
/* What Enter on the selected line of pane P leads to (CS_NONE: nothing). */
cs_node_id detail_target(struct browser *b, enum pane p);
/* The digest the selected line of pane P names, if any. */
bool detail_digest(struct browser *b, enum pane p, struct cs_digest *out);
void detail_toggle_fold(struct browser *b);

/* keys.c */
void keys_handle(struct browser *b, int key);

/* prompt.c */
void prompt_goto(struct browser *b);
void prompt_search(struct browser *b);
void search_repeat(struct browser *b, bool forward);

/* history.c */
void history_push(struct history *h, cs_node_id from);
bool history_back(struct history *h, cs_node_id current, cs_node_id *to);
bool history_forward(struct history *h, cs_node_id current, cs_node_id *to);
void history_free(struct history *h);

/* help.c */
void help_draw(struct browser *b);

/* clipboard.c */
int clipboard_copy(const char *text);

/* trace.c */
void trace_frame(struct browser *b, double started);

#endif
