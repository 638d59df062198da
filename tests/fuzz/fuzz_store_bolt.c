/*
 * libFuzzer target: the whole local-store reader (bbolt pages and metas,
 * the bucket walk, link keys, results, the graph builder) over a fuzzed
 * cache.db, then everything cachescope prints from what it read: both
 * dumps and the stats. Seeded with the fixtures' cache.db files.
 *
 * fuzz-options: -max_len=70000
 *
 * A file the reader refuses must say why; one it accepts must hold a graph
 * that dumps without failing. The input is copied to an exact-size
 * heap block, so that any read past the file is an ASan report.
 */
#include "core/dump.h"
#include "core/graph.h"
#include "core/readers.h"
#include "core/stats.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs one printer into memory; traps when it fails on a graph that loaded. */
static void print_all(struct cs_graph *g)
{
	struct cs_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	if (dump_text(g, false, f, &err) < 0 || dump_text(g, true, f, &err) < 0 ||
	    dump_json(g, f, &err) < 0)
		__builtin_trap();
	/* stats may time phases; it must not fail either */
	if (stats_print(g, f, &err) < 0)
		__builtin_trap();
	fclose(f);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_graph *g = graph_new("fuzz", "local store");
	struct cs_error err = { "" };
	unsigned char *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (read_bolt_store_memory(g, cs_bytes_of(copy, size), &err) < 0) {
		if (!err.msg[0])
			__builtin_trap(); /* a refusal always says why */
	} else {
		print_all(g);
	}
	graph_free(g);
	free(copy);
	return 0;
}
