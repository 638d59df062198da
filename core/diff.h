#ifndef CS_DIFF_H
#define CS_DIFF_H

#include "error.h"
#include "graph.h"

#include <stdbool.h>
#include <stdio.h>

/*
 * Two caches side by side, and why B misses A's cache.
 *
 * Matching: nodes are the same cache key when their keys are — roots by
 * digest; other nodes by link digest and, on every input, a parent pair
 * already matched with the same selector. A link through a random
 * (session) root proves nothing across sessions, so random roots only
 * match each other by position (the links they feed) and never carry a
 * match on their own. IDs, store kinds and numbering play no part.
 *
 * Root causes: walking B in topological order, a node only in B whose
 * inputs all match is a root cause (its op or selector changed, or it is
 * new); a root only in B that feeds such a place is one (content or base
 * image changed). Everything downstream of a root cause that is not the
 * same on both sides is reported as its consequence.
 */

enum diff_status {
	DIFF_SAME,    /* matched, with the same (non-random) parent links */
	DIFF_CHANGED, /* matched, but some parent link is on one side only */
	DIFF_ONLY,    /* no counterpart */
};

enum diff_cause_kind {
	CAUSE_OP_CHANGED,       /* same place, different op (Exec args, file action...) */
	CAUSE_SELECTOR_CHANGED, /* same op and parents, other paths selected */
	CAUSE_CONTENT_CHANGED,  /* a content checksum root: the selected files changed */
	CAUSE_IMAGE_CHANGED,    /* an image source root: another reference or digest */
	CAUSE_SOURCE_CHANGED,   /* another source root changed (git, http, ...) */
	CAUSE_NEW,              /* only in B, nothing in A at its place */
};

/* One field-level difference: "Exec.meta.args[2]": "echo hi" -> "echo hey". */
struct diff_change {
	char *path;
	char *old_value;  /* NULL: added */
	char *new_value;  /* NULL: removed */
};

struct diff_cause {
	enum diff_cause_kind kind;
	cs_node_id b_node;
	cs_node_id a_node;    /* its counterpart in A, or CS_NONE */
	struct diff_change *changes;
	size_t change_count;
	cs_node_id *consequences; /* B nodes downstream, in B's order */
	size_t consequence_count;
};

struct cs_diff {
	const struct cs_graph *a, *b;
	cs_node_id *a_to_b, *b_to_a;
	uint8_t *a_status, *b_status;
	struct diff_cause *causes;
	size_t cause_count;
	uint32_t matched, only_a, only_b, changed;
	uint32_t random_only; /* random roots without a counterpart: not differences */
	double seconds;       /* matching and explaining */
};

int diff_graphs(const struct cs_graph *a, const struct cs_graph *b, struct cs_diff **out,
		struct cs_error *err);
void diff_free(struct cs_diff *d);

/* True when nothing but random roots differs. */
bool diff_same(const struct cs_diff *d);

const char *diff_cause_name(enum diff_cause_kind kind);

/* diff_report.c: ESCAPE for a terminal. */
int diff_report_text(const struct cs_diff *d, FILE *out, bool escape, struct cs_error *err);
int diff_report_json(const struct cs_diff *d, FILE *out, struct cs_error *err);

/* diff_explain.c: fills CAUSE->changes by comparing plaintexts. */
int diff_explain(const struct cs_diff *d, struct diff_cause *cause, struct cs_error *err);
void diff_changes_free(struct diff_cause *cause);

#endif
