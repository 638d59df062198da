#include "disk_usage.h"
#include "buf.h"
#include "escape.h"
#include "json_write.h"
#include "local_results.h"
#include "strindex.h"
#include "units.h"
#include "xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint32_t copy_text(struct cs_record_set *set, const struct cs_graph *g, uint32_t off)
{
	const char *text = strings_at(&g->strings, off);

	return text ? strings_add(&set->strings, text, strlen(text)) : CS_STR_NONE;
}

static uint32_t add_digest(struct cs_record_set *set, const struct cs_graph *g, cs_dig d)
{
	char text[CS_DIGEST_STRLEN + 1];

	digest_format(graph_digest(g, d), text);
	return strings_add(&set->strings, text, strlen(text));
}

static int64_t parse_time(const struct cs_graph *g, uint32_t off)
{
	const char *text = strings_at(&g->strings, off);
	int64_t ns;

	return text && parse_rfc3339(text, strlen(text), &ns) == 0 ? ns : 0;
}

/* A remote cache's disk is its layers, each blob once, with the first key whose result tops it. */
static void remote_records(const struct cs_graph *g, struct cs_disk_usage *du)
{
	uint32_t *key_of_layer = xmalloc((g->layer_count ? g->layer_count : 1) * sizeof(*key_of_layer));
	uint8_t *seen = xcalloc(g->digests.count ? g->digests.count : 1, 1);

	memset(key_of_layer, 0xff, g->layer_count * sizeof(*key_of_layer));
	for (cs_node_id n = 0; n < g->node_count; n++)
		for (uint32_t i = 0; i < graph_result_count(g, n); i++) {
			uint32_t l = graph_result(g, n, i)->layer;
			if (l < g->layer_count && key_of_layer[l] == CS_NONE)
				key_of_layer[l] = n;
		}
	du->node = xmalloc((g->layer_count ? g->layer_count : 1) * sizeof(*du->node));
	for (uint32_t l = 0; l < g->layer_count; l++) {
		const struct cs_layer *layer = &g->layers[l];
		if (seen[layer->blob])
			continue;
		seen[layer->blob] = 1;
		struct cs_record r = {
			.id = add_digest(&du->set, g, layer->blob),
			.description = copy_text(&du->set, g, layer->description),
			.record_type = strings_add(&du->set.strings, "layer", 5),
			.parent = layer->parent != CS_NONE ? add_digest(&du->set, g, g->layers[layer->parent].blob)
							   : CS_STR_NONE,
			.equal_mutable = CS_STR_NONE,
			.size = layer->size,
			.created = parse_time(g, layer->created_at),
			.usage_count = -1,
			.committed = true,
		};
		XGROW(du->set.records, du->set.cap, du->set.count + 1);
		du->node[du->set.count] = key_of_layer[l];
		du->set.records[du->set.count++] = r;
	}
	free(seen);
	free(key_of_layer);
}

/* Biggest first; unknown sizes last; then by ID, so equal sizes list the same every time. */
static int by_size(const void *pa, const void *pb, void *ctx)
{
	const struct cs_disk_usage *du = ctx;
	const struct cs_record *a = &du->set.records[*(const uint32_t *)pa];
	const struct cs_record *b = &du->set.records[*(const uint32_t *)pb];

	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	return strcmp(record_text(&du->set, a->id), record_text(&du->set, b->id));
}

static void sort_by_size(struct cs_disk_usage *du)
{
	size_t n = du->set.count;
	uint32_t *order = xmalloc((n ? n : 1) * sizeof(*order));
	struct cs_record *records = xmalloc((n ? n : 1) * sizeof(*records));
	cs_node_id *nodes = xmalloc((n ? n : 1) * sizeof(*nodes));

	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), by_size, du);
	for (size_t i = 0; i < n; i++) {
		records[i] = du->set.records[order[i]];
		nodes[i] = du->node ? du->node[order[i]] : CS_NONE;
	}
	free(du->set.records);
	free(du->node);
	du->set.records = records;
	du->set.cap = n;
	du->node = nodes;
	free(order);
}

static int collect(const struct cs_graph *g, struct cs_disk_usage *du, bool nodes, struct cs_error *err)
{
	memset(du, 0, sizeof(*du));
	record_set_init(&du->set);
	if (g->local_results) {
		du->known = local_results_workers(g->local_results) > 0;
		if (local_results_records(g->local_results, g, &du->set, nodes ? &du->node : NULL, err) < 0) {
			disk_usage_free(du);
			return -1;
		}
	} else {
		du->known = g->layer_count > 0;
		remote_records(g, du);
	}
	sort_by_size(du);
	return 0;
}

int disk_usage_collect(const struct cs_graph *g, struct cs_disk_usage *du, struct cs_error *err)
{
	return collect(g, du, true, err);
}

int disk_usage_collect_totals(const struct cs_graph *g, struct cs_disk_usage *du, struct cs_error *err)
{
	/* a local store's keys are _result's to tell: a walk of it that totals do not need */
	return collect(g, du, false, err);
}

void disk_usage_free(struct cs_disk_usage *du)
{
	record_set_free(&du->set);
	free(du->node);
	du->node = NULL;
}

/* ---- stats ---- */

struct type_total {
	const char *type;
	int64_t bytes;
	size_t records, unknown;
};

static void print_total(FILE *out, const char *label, int64_t bytes, size_t records, size_t unknown)
{
	char human[32];

	fprintf(out, "%s%" PRId64 " bytes", label, bytes);
	if (bytes >= 1024)
		fprintf(out, " (%s)", format_size(bytes, human, sizeof(human)));
	fprintf(out, " in %zu record%s", records, records == 1 ? "" : "s");
	if (unknown)
		fprintf(out, ", %zu of unknown size", unknown);
	fputc('\n', out);
}

void disk_usage_print_totals(const struct cs_disk_usage *du, FILE *out)
{
	struct type_total *types = NULL;
	size_t type_count = 0, type_cap = 0, unknown = 0;
	int64_t total = 0;

	if (!du->known) {
		fprintf(out, "disk usage:  unknown (no metadata_v2.db beside cache.db: name one with --metadata)\n");
		return;
	}
	for (size_t i = 0; i < du->set.count; i++) {
		const struct cs_record *r = &du->set.records[i];
		const char *type = record_type_name(&du->set, r);
		size_t t;
		for (t = 0; t < type_count && strcmp(types[t].type, type) != 0; t++)
			;
		if (t == type_count) {
			XGROW(types, type_cap, type_count + 1);
			types[type_count++] = (struct type_total){ type, 0, 0, 0 };
		}
		types[t].records++;
		if (r->size < 0) {
			types[t].unknown++;
			unknown++;
			continue;
		}
		types[t].bytes += r->size;
		total += r->size;
	}
	print_total(out, "disk usage:  ", total, du->set.count, unknown);
	for (size_t t = 0; t < type_count; t++) {
		char label[64];
		snprintf(label, sizeof(label), "  %-15s ", types[t].type);
		print_total(out, label, types[t].bytes, types[t].records, types[t].unknown);
	}
	free(types);
}

/* ---- du ---- */

static void add_escaped(struct cs_buf *line, const char *text, size_t max_width)
{
	size_t start = line->len;

	escape_append(line, text ? text : "", text ? strlen(text) : 0, 0);
	if (max_width && line->len - start > max_width)
		line->len = start + max_width;
	line->data[line->len] = '\0';
}

/* TEXT escaped, cut or padded to WIDTH bytes (IDs and types are ASCII when sane; escapes are too). */
static void add_cell(struct cs_buf *line, const char *text, int width)
{
	size_t start = line->len;

	add_escaped(line, text, (size_t)width);
	while (line->len - start < (size_t)width)
		buf_addc(line, ' ');
}

int disk_usage_print_text(const struct cs_graph *g, const struct cs_disk_usage *du, FILE *out,
			  struct cs_error *err)
{
	struct cs_buf line = CS_BUF_INIT;
	bool remote = !g->local_results;
	int id_width = remote ? 19 : 12;

	if (!du->known) {
		fprintf(out, "no record sizes: no metadata_v2.db beside cache.db (name one with --metadata)\n");
		return ferror(out) ? cs_fail(err, "write error") : 0;
	}
	fprintf(out, "%-*s  %-15s %8s  %-19s  %-19s  %5s  %6s  %s\n", id_width, "ID", "TYPE", "SIZE", "CREATED",
		"LAST USED", "USES", "KEY", "DESCRIPTION");
	for (size_t i = 0; i < du->set.count; i++) {
		const struct cs_record *r = &du->set.records[i];
		char size[32], created[40], used[40], uses[24], key[24];
		format_size(r->size, size, sizeof(size));
		/* the table says UTC once, under it */
		format_time_plain(r->created, created, sizeof(created));
		format_time_plain(r->last_used, used, sizeof(used));
		snprintf(uses, sizeof(uses), r->usage_count < 0 ? "-" : "%" PRId64, r->usage_count);
		snprintf(key, sizeof(key), du->node[i] == CS_NONE ? "-" : "#%u", du->node[i] + 1);
		buf_reset(&line);
		add_cell(&line, record_text(&du->set, r->id), id_width);
		buf_adds(&line, "  ");
		add_cell(&line, record_type_name(&du->set, r), 15);
		buf_printf(&line, " %8s  %-19s  %-19s  %5s  %6s  ", size, created, used, uses, key);
		add_escaped(&line, record_text(&du->set, r->description), 0);
		fprintf(out, "%s\n", line.data);
	}
	buf_free(&line);
	fprintf(out, "(times UTC)\n");
	return ferror(out) ? cs_fail(err, "write error") : 0;
}

static void json_text_field(struct cs_buf *b, const char *name, const char *text, bool for_tty)
{
	buf_printf(b, "\"%s\":", name);
	if (!text) {
		buf_adds(b, "null");
		return;
	}
	if (for_tty)
		json_write_string_safe(b, text, strlen(text));
	else
		json_write_string(b, text, strlen(text));
}

static void json_time_field(struct cs_buf *b, const char *name, int64_t ns)
{
	char text[64];

	if (ns <= 0)
		buf_printf(b, "\"%s\":null", name);
	else
		buf_printf(b, "\"%s\":\"%s\"", name, format_rfc3339_ns(ns, text, sizeof(text)));
}

int disk_usage_print_json(const struct cs_disk_usage *du, bool for_tty, FILE *out, struct cs_error *err)
{
	struct cs_buf b = CS_BUF_INIT;

	buf_adds(&b, "[");
	for (size_t i = 0; i < du->set.count; i++) {
		const struct cs_record *r = &du->set.records[i];
		buf_adds(&b, i ? ",\n  {" : "\n  {");
		json_text_field(&b, "ID", record_text(&du->set, r->id), for_tty);
		buf_adds(&b, ",");
		json_text_field(&b, "Parent", record_text(&du->set, r->parent), for_tty);
		buf_adds(&b, ",");
		json_text_field(&b, "Type", record_type_name(&du->set, r), for_tty);
		buf_adds(&b, ",");
		json_text_field(&b, "Description", record_text(&du->set, r->description), for_tty);
		buf_adds(&b, r->size < 0 ? ",\"Size\":null," : ",");
		if (r->size >= 0)
			buf_printf(&b, "\"Size\":%" PRId64 ",", r->size);
		json_time_field(&b, "CreatedAt", r->created);
		buf_adds(&b, ",");
		json_time_field(&b, "LastUsedAt", r->last_used);
		if (r->usage_count < 0)
			buf_adds(&b, ",\"UsageCount\":null");
		else
			buf_printf(&b, ",\"UsageCount\":%" PRId64, r->usage_count);
		if (du->node[i] == CS_NONE)
			buf_adds(&b, ",\"Key\":null}");
		else
			buf_printf(&b, ",\"Key\":%u}", du->node[i] + 1);
		if (b.len > 1 << 16 && buf_flush(&b, out) < 0)
			break;
	}
	buf_adds(&b, du->set.count ? "\n]\n" : "]\n");
	int rc = buf_flush(&b, out);
	buf_free(&b);
	return rc < 0 || ferror(out) ? cs_fail(err, "write error") : 0;
}
