#ifndef CS_TUI_PANE_H
#define CS_TUI_PANE_H

#include "core/buf.h"
#include "core/digest.h"
#include "keymap.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * The detail panes of the selected node (Parents, Children, Plaintexts,
 * Results), each a struct pane_ops the browser knows only through this
 * table, as tig keeps its views: a new pane is a file and an entry in
 * detail_panes[], not a case in every switch.
 */

struct browser;

struct pane_ops {
	const char *name;           /* its tab */
	const char *empty;          /* what it says with nothing to show */
	/* the tab's label when it differs with what is shown ("Plaintext diff"); NULL: the name */
	const char *(*label)(const struct browser *b);
	/* the number on the tab: links, records, results */
	size_t (*count)(const struct browser *b);
	/* builds the pane for the selected node (b->g, b->selected); close frees what open made */
	void (*open)(struct browser *b);
	void (*close)(struct browser *b);
	/* lines the cursor moves over */
	size_t (*lines)(const struct browser *b);
	/* draws ROWS rows from screen row Y; NULL: line by line with line_text */
	void (*draw)(struct browser *b, int y, int rows);
	/* the text of line I (escaped) and whether it is a heading; for panes drawn line by line */
	void (*line_text)(struct browser *b, size_t i, struct cs_buf *out, bool *heading);
	/* Enter on the selected line: false when it leads nowhere */
	bool (*follow)(struct browser *b);
	/* the digest the selected line names (y copies it) */
	bool (*digest)(const struct browser *b, struct cs_digest *out);
	/* the line drawn at ROW of the pane (a click); NULL: one line per row */
	size_t (*line_at_row)(const struct browser *b, int row);
	/* a request the pane answers itself (Space folds plaintexts); false: the browser's */
	bool (*request)(struct browser *b, enum request request);
};

extern const struct pane_ops parents_pane, children_pane, plaintexts_pane, results_pane;

/* In tab order. */
extern const struct pane_ops *const detail_panes[];
#define DETAIL_PANES 4
/* The focus when it is on the table, not a pane. */
#define FOCUS_TABLE (-1)

#endif
