#ifndef CS_WHY_H
#define CS_WHY_H

#include "diff.h"
#include "error.h"
#include "graph.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * `cachescope why`: the last build's misses, explained from one store.
 *
 * The latest build is found in the store's own times: with a worker's
 * metadata (a local store), the records used since the build before
 * ended (the daemon stamps every record a build used as the build lets
 * go of it, at its end: the build before ended at the newest stamp that
 * something was made after), and of those, the ones made since; without it (a remote cache, a
 * store without metadata_v2.db), the results made in the last burst of
 * making, where no two are more than WHY_BURST_GAP apart; or, with
 * --since, whatever was made since then. A key without a result of its
 * own (a content checksum) is the build's when everything it feeds is.
 *
 * Then the store is cut in two, the builds before (everything the
 * latest did not make) and the latest (what it made and everything that
 * led there), and diff's engine compares them as two caches: each key the
 * latest build made is matched with the key the same step had before,
 * and the root causes are diff's.
 */

#define WHY_BURST_GAP (10LL * 60 * 1000000000)    /* between two results of one build */

enum why_rule {
	WHY_RULE_SINCE,     /* --since */
	WHY_RULE_LAST_USE,  /* metadata_v2.db's lastUsedAt */
	WHY_RULE_BURST,     /* results' creation times */
	WHY_RULE_NONE,      /* the store says no times at all */
};

/* A node's part in the latest build. */
enum why_mark { WHY_OLDER, WHY_HIT, WHY_MADE };

struct cs_why {
	const struct cs_graph *store;
	enum why_rule rule;
	int64_t since;            /* WHY_RULE_SINCE: the time given */
	int64_t start, end;       /* when the latest build made (or used) its results */
	int64_t earlier_end;      /* WHY_RULE_LAST_USE: when the builds before last used anything */
	uint8_t *mark;            /* per node of the store: enum why_mark */
	uint32_t made, hits;      /* keys the latest build made (missed), and used from before */
	uint32_t earlier;         /* keys of the builds before */
	/* the two builds as graphs, and diff's comparison; NULL when there is nothing to compare */
	struct cs_graph *before, *latest;
	struct cs_diff *diff;
};

struct cs_why_options {
	bool has_since;
	int64_t since;            /* Unix ns */
	bool marks_only;          /* find the build, compare later (why_compare): the browser marks first */
};

/* "2026-12-06T04:00:00Z" or a duration before now ("2h"): 0, or -1 with a message for the user. */
int why_parse_since(const char *text, int64_t now, int64_t *out, struct cs_error *err);

int why_find(const struct cs_graph *g, const struct cs_why_options *opt, struct cs_why **out,
	     struct cs_error *err);
void why_free(struct cs_why *w);
/* Compares the builds before and the latest, if not yet done (and there are both). */
int why_compare(struct cs_why *w, struct cs_error *err);

/* 1 when misses were explained, 0 when nothing missed or nothing earlier compares (as diff's). */
int why_status(const struct cs_why *w);

int why_report_text(const struct cs_why *w, FILE *out, bool escape, struct cs_error *err);
int why_report_json(const struct cs_why *w, FILE *out, struct cs_error *err);

/* The rule, in words: "results last used within 60 s of 2026-12-06 04:43:59 UTC (metadata_v2.db)". */
void why_rule_text(const struct cs_why *w, char *out, size_t size);

#endif
