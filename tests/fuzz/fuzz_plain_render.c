/*
 * libFuzzer target: plaintexts as the browser shows them. The input is up
 * to four frame runs separated by "\n@@\n"; run i is stored under the
 * digest sha256("record <i>"), so a run that mentions another's digest
 * (the seeds do; mutation copies them around) makes sub-records, cycles
 * included. Record 0 is resolved through a memory store exactly as a
 * cache-debug.db is read, then rendered for a UTF-8 and an ASCII screen,
 * summarised as a selector, and described as the root and as the child of
 * a one-link graph whose link and selector digests are records 1 and 2.
 *
 * Checked beyond "no crash": every line and every summary, once escaped,
 * is safe for a terminal (no C0, DEL, C1, bidi control or invalid UTF-8;
 * only ASCII for an ASCII screen); every JSON value a line opens is
 * closed at its depth; no line is deeper than the records nest plus the
 * JSON nesting jansson allows.
 *
 * fuzz-options: -max_len=65536
 */
#include "core/describe.h"
#include "core/escape.h"
#include "core/graph_build.h"
#include "core/plain_render.h"
#include "core/plainstore.h"
#include "core/plaintext.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RECORDS 4
#define SEPARATOR "\n@@\n"

static void check_safe(const unsigned char *s, size_t len, bool ascii_only)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				__builtin_trap();
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (ascii_only || n == 0 || (cp >= 0x80 && cp <= 0x9f) || escape_is_unsafe(cp))
			__builtin_trap();
		i += n;
	}
}

static void check_lines(const struct render_lines *lines, bool ascii_only)
{
	/* the openers not closed yet, by depth */
	int open[RENDER_MAX_LINES + 1];
	size_t open_count = 0;

	for (size_t i = 0; i < lines->count; i++) {
		const struct render_line *l = &lines->lines[i];
		check_safe((const unsigned char *)l->text, strlen(l->text), ascii_only);
		if (l->depth < 0 || l->record < 0 || l->record >= lines->records)
			__builtin_trap();
		if (l->closer) {
			if (!open_count || open[open_count - 1] != l->depth)
				__builtin_trap();
			open_count--;
		} else if (l->foldable && !l->header) {
			open[open_count++] = l->depth;
		}
	}
	/* a value cut by the line limit is the only one left open */
	if (open_count && !lines->dropped)
		__builtin_trap();
}

static void record_digest(int i, struct cs_digest *out)
{
	char text[16];

	snprintf(text, sizeof(text), "record %d", i);
	digest_of_bytes(text, strlen(text), out);
}

static void render_both(const struct cs_plain *p)
{
	for (int ascii = 0; ascii < 2; ascii++) {
		struct render_lines lines = { 0 };
		render_plain(&lines, p, ascii);
		check_lines(&lines, ascii);
		render_note_dropped(&lines);
		render_lines_free(&lines);
	}
	char *summary = render_selector_summary(p);
	struct cs_buf shown = CS_BUF_INIT;
	escape_append(&shown, summary, strlen(summary), 0);
	check_safe((const unsigned char *)shown.data, shown.len, false);
	buf_free(&shown);
	free(summary);
}

/* A root (record 0) and its child through a link (record 1) with a selector (record 2). */
static struct cs_graph *one_link_graph(struct cs_plainstore *store, bool random)
{
	struct cs_graph *g = graph_new("fuzz", "fuzz");
	struct cs_builder *b = builder_new(g, CS_ORDER_AS_ADDED);
	struct cs_digest d[3];
	struct cs_error err;

	for (int i = 0; i < 3; i++)
		record_digest(i, &d[i]);
	uint32_t root = builder_node(b, "root", 4), child = builder_node(b, "child", 5);
	builder_root(b, root, digests_intern(&g->digests, &d[0]), random);
	builder_link(b, root, child, 0, 0, digests_intern(&g->digests, &d[1]), digests_intern(&g->digests, &d[2]));
	if (builder_finish(b, &err) < 0)
		__builtin_trap();
	builder_free(b);
	graph_add_plainstore(g, store);
	return g;
}

static void describe_all(const struct cs_graph *g)
{
	for (cs_node_id n = 0; n < g->node_count; n++) {
		struct cs_description desc;
		struct cs_error err;
		/* a corrupt frame run is an error to report, not a crash */
		if (describe_node(g, n, &desc, &err) < 0)
			continue;
		if (desc.summary) {
			struct cs_buf shown = CS_BUF_INIT;
			escape_append(&shown, desc.summary, desc.summary_len, ESCAPE_ASCII_ONLY);
			check_safe((const unsigned char *)shown.data, shown.len, true);
			buf_free(&shown);
		}
		kind_name(desc.kind);
		description_free(&desc);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_plainstore *store = plainstore_memory_new("fuzz");
	const uint8_t *at = data, *end = data + size;
	bool random = size > 0 && (data[0] & 1);

	for (int i = 0; i < RECORDS && at <= end; i++) {
		const uint8_t *next = memmem(at, (size_t)(end - at), SEPARATOR, strlen(SEPARATOR));
		const uint8_t *stop = next ? next : end;
		struct cs_digest d;
		record_digest(i, &d);
		plainstore_memory_add(store, &d, at, (size_t)(stop - at));
		if (!next)
			break;
		at = next + strlen(SEPARATOR);
	}
	struct cs_graph *g = one_link_graph(store, random);
	struct cs_digest top;
	struct cs_plain *p;
	struct cs_error err;
	record_digest(0, &top);
	if (plain_resolve(g, &top, &p, &err) > 0) {
		render_both(p);
		plain_free(p);
	}
	describe_all(g);
	graph_free(g);
	return 0;
}
