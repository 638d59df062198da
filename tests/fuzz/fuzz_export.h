/*
 * What both debug-export fuzz targets do with one input: read it, and when
 * that succeeds, use everything the reader built the way cachescope does
 * (every node's plaintexts resolved through the lazy store, the store
 * listed, both dumps written) and check that the dump the reader accepts
 * reads back into the same dump. Included by fuzz_debug_json.c and
 * fuzz_debug_text.c only.
 */
#ifndef CS_FUZZ_EXPORT_H
#define CS_FUZZ_EXPORT_H

#include "core/dump.h"
#include "core/graph.h"
#include "core/plainstore.h"
#include "core/plaintext.h"
#include "core/readers.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*fuzz_reader_fn)(struct cs_graph *g, struct cs_input *in, struct cs_error *err);
typedef int (*fuzz_dump_fn)(const struct cs_graph *g, FILE *out, struct cs_error *err);

/* A graph read from a private copy of DATA (the reader takes the input), or NULL. */
static struct cs_graph *fuzz_load(fuzz_reader_fn reader, const void *data, size_t size)
{
	struct cs_graph *g = graph_new("fuzz", NULL);
	struct cs_input in = { 0 };
	struct cs_error err;
	unsigned char *copy = xmalloc(size ? size : 1);

	memcpy(copy, data, size);
	in.name = xstrdup("fuzz");
	in.data = cs_bytes_of(copy, size);
	if (reader(g, &in, &err) < 0) {
		/* a message is always set, and ownership of IN always passed */
		if (!err.msg[0] || in.data.ptr)
			__builtin_trap();
		graph_free(g);
		return NULL;
	}
	return g;
}

static int fuzz_ignore_plaintext(void *ctx, const struct cs_digest *d, struct cs_bytes frames,
				 struct cs_error *err)
{
	(void)ctx, (void)d, (void)frames, (void)err;
	return 0;
}

static void fuzz_use(const struct cs_graph *g)
{
	struct cs_error err;

	for (cs_node_id n = 0; n < g->node_count; n++) {
		struct cs_plain **list;
		uint32_t count;
		if (plain_resolve_node(g, n, &list, &count, &err) == 0)
			plain_free_list(list, count);
	}
	for (int i = 0; i < g->plain_count; i++)
		if (g->plain[i]->ops->each)
			g->plain[i]->ops->each(g->plain[i], fuzz_ignore_plaintext, NULL, &err);
}

/* DUMP of G into memory (caller frees), or NULL when it fails. */
static char *fuzz_dump(const struct cs_graph *g, fuzz_dump_fn dump, size_t *len)
{
	struct cs_error err;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		abort();
	int rc = dump(g, f, &err);
	fclose(f);
	if (rc < 0) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * Reads TEXT (a dump) back and dumps it again: the new dump, or NULL when
 * the reader refused it. Traps when we cannot read what we wrote.
 */
static char *fuzz_redump(fuzz_reader_fn reader, fuzz_dump_fn dump, const char *text, size_t len,
			 size_t *again_len)
{
	struct cs_graph *g = fuzz_load(reader, text, len);

	if (!g)
		__builtin_trap(); /* we could not read what we wrote */
	fuzz_use(g);
	char *again = fuzz_dump(g, dump, again_len);
	graph_free(g);
	if (!again)
		__builtin_trap();
	return again;
}

/*
 * Reads DATA; on success uses the graph, dumps it, and requires the dump to
 * read back into a graph that dumps the same bytes. One extra round is
 * allowed to settle: like Go's encoder, the JSON dump writes an invalid
 * UTF-8 byte as "\ufffd", which reads back as a valid U+FFFD that is then
 * written as itself.
 */
static void fuzz_export(fuzz_reader_fn reader, fuzz_dump_fn dump, const void *data, size_t size)
{
	struct cs_graph *g = fuzz_load(reader, data, size);
	size_t len, again_len;

	if (!g)
		return;
	fuzz_use(g);
	char *text = fuzz_dump(g, dump, &len);
	graph_free(g);
	if (!text || len == 0) {
		/* no records: the text form is then empty, which is not an export */
		free(text);
		return;
	}
	for (int round = 0; round < 2; round++) {
		char *again = fuzz_redump(reader, dump, text, len, &again_len);
		bool same = again_len == len && memcmp(again, text, len) == 0;
		free(text);
		text = again;
		len = again_len;
		if (same)
			break;
		if (round == 1)
			__builtin_trap(); /* the dump does not survive a round trip */
	}
	free(text);
}

#endif
