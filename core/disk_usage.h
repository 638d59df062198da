#ifndef CS_DISK_USAGE_H
#define CS_DISK_USAGE_H

#include "error.h"
#include "graph.h"
#include "metadata.h"

#include <stdbool.h>
#include <stdio.h>

/*
 * What a cache holds on disk, record by record: for a local store, the
 * workers' records as the daemon's own disk usage lists them (`docker
 * system df -v`, `buildctl du -v`, the /system/df BuildCache list), the
 * same IDs, types, sizes and times; for a remote cache, its layers.
 * "What holds my disk?" is `cachescope du`; stats prints the totals.
 */

struct cs_disk_usage {
	struct cs_record_set set;
	cs_node_id *node;   /* per record: the first key whose result it is, or CS_NONE */
	bool known;         /* false: nothing says (a local store without metadata_v2.db) */
};

/* Collects G's records, biggest first. 0, or -1 when the store cannot be read. */
int disk_usage_collect(const struct cs_graph *g, struct cs_disk_usage *du, struct cs_error *err);
/* The same for the totals alone (stats): which key each record is the result of is not looked for. */
int disk_usage_collect_totals(const struct cs_graph *g, struct cs_disk_usage *du, struct cs_error *err);
void disk_usage_free(struct cs_disk_usage *du);

/* `cachescope du`: a table (TTY: escapes made visible anyway) or Docker's JSON field names. */
int disk_usage_print_text(const struct cs_graph *g, const struct cs_disk_usage *du, FILE *out,
			  struct cs_error *err);
int disk_usage_print_json(const struct cs_disk_usage *du, bool for_tty, FILE *out, struct cs_error *err);

/* stats: the total, and the total of each record type. */
void disk_usage_print_totals(const struct cs_disk_usage *du, FILE *out);

#endif
