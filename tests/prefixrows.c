/*
 * prefixrows: what the browser's first rows say, from the prefix of a
 * store (core/store_prefix.c) or from the whole load, in one text form, so
 * that tests/prefix.test can compare the two.
 *
 *   prefixrows [--rows N] SOURCE      the prefix's rows (at most N, default 1000)
 *   prefixrows --full K SOURCE        the whole load's first K rows
 *
 * Per row: its ID, store key, root flags and digest, the table's IN
 * (inputs), OUT (links to children) and DIGEST (its own, or the first
 * parent link's), what describe says of it, then one line per parent and
 * per child link, sorted (a key whose ID is past the K rows prints as "?":
 * the prefix cannot know it). The prefix prints nothing and exits 1 when
 * it cannot be drawn.
 */
#include "core/describe.h"
#include "core/digest.h"
#include "core/escape.h"
#include "core/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void key_text(const struct cs_graph *g, cs_node_id n, struct cs_buf *out)
{
	const char *k = graph_key(g, n);
	escape_append(out, k, strlen(k), ESCAPE_ASCII_ONLY);
}

static void link_end(const struct cs_graph *g, cs_node_id n, uint32_t rows, struct cs_buf *out)
{
	uint32_t id = graph_id(g, n);

	if (id == 0 || id > rows)
		buf_adds(out, "?");
	else
		buf_printf(out, "#%u", id);
	buf_adds(out, " ");
	key_text(g, n, out);
}

static void digest_text(const struct cs_graph *g, cs_dig d, struct cs_buf *out)
{
	char hex[65];

	if (d == CS_DIG_NONE) {
		buf_adds(out, "-");
		return;
	}
	digest_hex(graph_digest(g, d), hex);
	hex[64] = '\0';
	buf_adds(out, hex);
}

static void print_links(const struct cs_graph *g, cs_node_id n, uint32_t rows, bool parents)
{
	uint32_t count = parents ? graph_parent_count(g, n) : graph_child_count(g, n);
	char **lines = malloc((count ? count : 1) * sizeof(*lines));

	for (uint32_t i = 0; i < count; i++) {
		const struct cs_link *l = parents ? graph_parent(g, n, i) : graph_child(g, n, i);
		struct cs_buf line = CS_BUF_INIT;
		buf_printf(&line, "  %s input=%u output=%d digest=", parents ? "parent" : "child", l->input, l->output);
		digest_text(g, l->digest, &line);
		buf_adds(&line, " selector=");
		digest_text(g, l->selector, &line);
		buf_adds(&line, parents ? " from=" : " to=");
		link_end(g, parents ? l->parent : l->child, rows, &line);
		lines[i] = buf_detach(&line, NULL);
	}
	qsort(lines, count, sizeof(*lines), line_cmp);
	for (uint32_t i = 0; i < count; i++) {
		puts(lines[i]);
		free(lines[i]);
	}
	free(lines);
}

static void print_row(const struct cs_graph *g, cs_node_id n, uint32_t rows)
{
	const struct cs_node *node = graph_node(g, n);
	struct cs_buf line = CS_BUF_INIT;
	struct cs_description d;
	struct cs_error err;
	uint32_t inputs = 0;
	cs_dig shown = node->digest;

	for (uint32_t i = 0; i < graph_parent_count(g, n); i++)
		if (i == 0 || graph_parent(g, n, i)->input != graph_parent(g, n, i - 1)->input)
			inputs++;
	if (shown == CS_DIG_NONE && graph_parent_count(g, n))
		shown = graph_parent(g, n, 0)->digest;
	buf_printf(&line, "#%u ", graph_id(g, n));
	key_text(g, n, &line);
	buf_printf(&line, " root=%d random=%d digest=", !!(node->flags & CS_NODE_ROOT), !!(node->flags & CS_NODE_RANDOM));
	digest_text(g, shown, &line);
	buf_printf(&line, " in=%u out=%u", inputs, graph_child_count(g, n));
	puts(line.data);
	buf_free(&line);
	if (describe_node(g, n, &d, &err) == 0) {
		struct cs_buf text = CS_BUF_INIT;
		if (d.summary)
			escape_append(&text, d.summary, d.summary_len, ESCAPE_ASCII_ONLY);
		printf("  %s %s\n", kind_name(d.kind), text.data ? text.data : "");
		buf_free(&text);
		description_free(&d);
	} else {
		printf("  describe: %s\n", err.msg);
	}
	print_links(g, n, rows, true);
	print_links(g, n, rows, false);
}

int main(int argc, char **argv)
{
	struct cs_load_options opt = { .skip_local_results = true };
	struct cs_graph *g = NULL;
	struct cs_error err;
	uint32_t rows = 1000;
	bool full = false;

	if (argc == 4 && (strcmp(argv[1], "--rows") == 0 || strcmp(argv[1], "--full") == 0)) {
		full = strcmp(argv[1], "--full") == 0;
		rows = (uint32_t)strtoul(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: prefixrows [--rows N | --full K] SOURCE\n");
		return 2;
	}
	if (full) {
		if (source_load(argv[1], &opt, &g, &err) < 0) {
			fprintf(stderr, "prefixrows: %s\n", err.msg);
			return 2;
		}
	} else if (source_load_prefix(argv[1], &opt, rows, &g, &err) <= 0) {
		return 1;
	}
	if (rows > g->node_count)
		rows = g->node_count;
	for (cs_node_id n = 0; n < rows; n++)
		print_row(g, n, rows);
	graph_free(g);
	return 0;
}
