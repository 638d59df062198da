#ifndef CS_LOCAL_RESULTS_H
#define CS_LOCAL_RESULTS_H

#include "error.h"
#include "graph.h"
#include "metadata.h"
#include "results.h"

#include <stdbool.h>

/*
 * A daemon root's results: cache.db's _result/<key> lists each key's
 * results as "<worker>::<record>" with the time each was made, and the
 * named worker's metadata_v2.db says what the record is. Both files are
 * the daemon's, live; both are read only when asked (a row on screen, a
 * sort, stats), so loading the graph costs nothing more.
 */

struct cs_local_results;

/*
 * For the store at DB_PATH (NULL: read from standard input, whose
 * results the graph holds). METADATA names a metadata_v2.db (--metadata);
 * NULL looks beside cache.db (dockerd) and in the worker folders there
 * (buildkitd: runc-*, containerd-*, each with its workerid). Opens
 * nothing yet.
 */
struct cs_local_results *local_results_new(const char *db_path, const char *metadata);
void local_results_free(struct cs_local_results *lr);

/* How many worker metadata stores were found (none: results have no descriptions or sizes). */
size_t local_results_workers(const struct cs_local_results *lr);

/*
 * Opens every metadata store now: a store named with --metadata that
 * cannot be read is an error (-1); one only found beside is a warning.
 */
int local_results_check(struct cs_local_results *lr, bool named, struct cs_error *err);

/* Node N's results (graph_node_results for a local store). */
int local_results_of(struct cs_local_results *lr, const struct cs_graph *g, cs_node_id n,
		     struct cs_result_list *out, struct cs_error *err);

/* graph_result_usage for a local store. */
int local_results_usage(struct cs_local_results *lr, const struct cs_graph *g, const struct cs_node_usage *out,
			struct cs_error *err);

/*
 * Every record of every worker, as the daemon's disk usage lists them
 * (`docker system df -v`, `buildctl du -v`): a record that a mutable twin
 * stands for is left out, and the twin takes its size. Fills SET (empty
 * before); NODES (when not NULL) gets, per record of SET, the first node
 * whose result it is (CS_NONE), in an array the caller frees.
 */
int local_results_records(struct cs_local_results *lr, const struct cs_graph *g,
			  struct cs_record_set *set, cs_node_id **nodes, struct cs_error *err);

/* graph_each_description for a local store. */
int local_results_each_description(struct cs_local_results *lr, const struct cs_graph *g, cs_description_fn fn,
				   void *ctx, struct cs_error *err);

/* The first sidecar trouble met, in one line, or NULL. */
const char *local_results_warning(const struct cs_local_results *lr);

#endif
