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
 * match on their own. IDs, store kinds and numbering play no part. A
 * matched pair are each other's "twin".
 *
 * Counterparts: a node without a twin may still have a node at its place
 * on the other side — the same op on a changed input (found by the op's
 * digest), or another op, selector or content at the same place (found
 * through the twins and counterparts of its parents), or the same image
 * reference. Counterparts pair one to one; an ambiguous place pairs
 * nothing.
 *
 * Root causes: walking B parents first, a node only in B is a root cause
 * when it differs in itself — its op changed, a selector changed, an input
 * changed, its content or source changed, or it is new where all its
 * inputs are met — and a consequence when it only follows from something
 * upstream. Everything downstream of a root cause that is not the same on
 * both sides is reported once, as a consequence of the first cause (in B's
 * order) that reaches it.
 */

enum diff_status {
	DIFF_SAME,    /* matched, with the same (non-random) parent links */
	DIFF_CHANGED, /* matched, but some parent link is on one side only */
	DIFF_ONLY,    /* no twin (see the counterpart arrays) */
};

/* A node's state as a side-by-side view shows it (diff_node_state). */
enum diff_node_state {
	NODE_SAME,        /* "=": the same key on both sides */
	NODE_CHANGED,     /* "~": the same key, reached through other links too */
	NODE_COUNTERPART, /* "~": no twin, but a counterpart at its place */
	NODE_ONLY_A,      /* "-" */
	NODE_ONLY_B,      /* "+" */
};

enum diff_cause_kind {
	CAUSE_OP_CHANGED,       /* same place, different op (Exec args, file action...) */
	CAUSE_SELECTOR_CHANGED, /* same op and parents, other paths selected */
	CAUSE_INPUT_CHANGED,    /* same op, an input only on one side or from another node */
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
	/*
	 * Other keys of the same source that changed with it (an image is
	 * keyed both by manifest and by config): B nodes and their
	 * counterparts (CS_NONE when none).
	 */
	cs_node_id *also_b, *also_a;
	size_t also_count;
	struct diff_change *changes;
	size_t change_count;
	bool changes_truncated;   /* more differences than are listed */
	cs_node_id *consequences; /* B nodes downstream, ascending */
	size_t consequence_count;
};

#define DIFF_NO_CAUSE UINT32_MAX

struct cs_diff {
	const struct cs_graph *a, *b;
	cs_node_id *a_to_b, *b_to_a;               /* twins, CS_NONE when none */
	cs_node_id *a_counterpart, *b_counterpart; /* for nodes without a twin, CS_NONE when none */
	uint8_t *a_status, *b_status;              /* enum diff_status */
	uint32_t *b_cause; /* index in causes of the cause a B node is or follows from, or DIFF_NO_CAUSE */
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

/* Node N of side B (ON_B) or A as a view marks it. */
enum diff_node_state diff_node_state(const struct cs_diff *d, bool on_b, cs_node_id n);

/* The node N of one side is shown beside: its twin, else its counterpart, else CS_NONE. */
cs_node_id diff_other(const struct cs_diff *d, bool on_b, cs_node_id n);

/* The cause B's node N is or follows from, or NULL. */
const struct diff_cause *diff_cause_of(const struct cs_diff *d, cs_node_id b_node);

/* "the op changed", "a step only in B", ...: a cause as the text report says it. */
const char *diff_cause_title(const struct cs_diff *d, const struct diff_cause *c);

/* "op-changed", "content-changed", ... (the JSON names). */
const char *diff_cause_name(enum diff_cause_kind kind);

/* How many consequences per cause the text names: enough to read a CI log by (JSON lists all). */
#define DIFF_TEXT_MAX_LISTED 10

/* diff_report.c: ESCAPE for a terminal. Text lists at most MAX_LISTED consequences per cause (0: all). */
int diff_report_text(const struct cs_diff *d, FILE *out, bool escape, size_t max_listed,
		     struct cs_error *err);
int diff_report_json(const struct cs_diff *d, FILE *out, struct cs_error *err);

/* diff_explain.c: fills CAUSE->changes by comparing plaintexts. */
int diff_explain(const struct cs_diff *d, struct diff_cause *cause, struct cs_error *err);
void diff_changes_free(struct diff_cause *cause);

#endif
