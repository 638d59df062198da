#include "stats.h"
#include "buf.h"
#include "discover.h"
#include "disk_usage.h"
#include "results.h"
#include "units.h"
#include "escape.h"
#include "plainstore.h"

#include <stdint.h>
#include <string.h>

/* No SOURCE named: every root found, the one opened first. */
static void print_daemon_roots(const struct cs_discovery *found, FILE *out)
{
	if (!found)
		return;
	fprintf(out, "daemon roots: %zu found\n", found->count);
	for (size_t i = 0; i < found->count; i++) {
		const struct cs_daemon_root *r = &found->roots[i];
		struct cs_buf line = CS_BUF_INIT;
		char when[64];
		escape_append(&line, r->path, strlen(r->path), 0);
		if (r->error)
			fprintf(out, "  %s  (%s)\n", line.data, strerror(r->error));
		else
			fprintf(out, "  %s  written %s%s\n", line.data, format_time_ns(r->written, when, sizeof(when)),
				i == 0 ? "  (opened)" : "");
		buf_free(&line);
	}
}

int stats_print(struct cs_graph *g, FILE *out, struct cs_error *err)
{
	uint32_t random = 0, leaves = 0;
	int64_t plaintexts = 0;
	struct cs_buf origin = CS_BUF_INIT;
	double start = cs_now(), total = 0;
	struct cs_disk_usage du;

	for (cs_node_id n = 0; n < g->node_count; n++) {
		if (g->nodes[n].flags & CS_NODE_RANDOM)
			random++;
		if (!graph_child_count(g, n))
			leaves++;
	}
	for (int i = 0; i < g->plain_count; i++) {
		int64_t count = g->plain[i]->ops->count(g->plain[i], err);
		if (count < 0)
			return -1;
		plaintexts += count;
	}
	graph_phase(g, "count plaintexts", start);
	start = cs_now();
	if (disk_usage_collect_totals(g, &du, err) < 0)
		return -1;
	graph_phase(g, "read results", start);

	escape_append(&origin, g->origin, strlen(g->origin), 0);
	fprintf(out, "source:      %s (%s)\n", origin.data, g->kind ? g->kind : "unknown");
	buf_free(&origin);
	print_daemon_roots(g->found, out);
	fprintf(out, "nodes:       %u\n", g->node_count);
	fprintf(out, "roots:       %u (%u random)\n", g->root_count, random);
	fprintf(out, "leaves:      %u\n", leaves);
	fprintf(out, "edges:       %u\n", g->link_count);
	fprintf(out, "results:     %u\n", g->result_count);
	fprintf(out, "layers:      %u\n", g->layer_count);
	fprintf(out, "plaintexts:  %lld in %d store%s\n", (long long)plaintexts, g->plain_count,
		g->plain_count == 1 ? "" : "s");
	disk_usage_print_totals(&du, out);
	if (graph_warning(g)) {
		struct cs_buf line = CS_BUF_INIT;
		escape_append(&line, graph_warning(g), strlen(graph_warning(g)), 0);
		fprintf(out, "warning:     %s\n", line.data);
		buf_free(&line);
	}
	disk_usage_free(&du);
	fprintf(out, "load phases:\n");
	for (int i = 0; i < g->phase_count; i++) {
		fprintf(out, "  %-22s %8.3f s\n", g->phases[i].name, g->phases[i].seconds);
		total += g->phases[i].seconds;
	}
	fprintf(out, "  %-22s %8.3f s\n", "total", total);
	return ferror(out) ? cs_fail(err, "write error") : 0;
}
