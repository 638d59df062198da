/*
 * What the cache-config and cache-image fuzz targets check once a reader
 * accepts an input: the graph is well formed (every index in range, every
 * layer chain ends), both dumps are written, and the JSON dump reads back
 * through the debug-export reader into the same JSON dump, so a cache
 * config shows exactly what the daemon's /debug/cache/load would. Included
 * by the fuzz targets of readers that give a cache config's graph.
 */
#ifndef CS_FUZZ_CACHE_H
#define CS_FUZZ_CACHE_H

#include "core/dump.h"
#include "core/graph.h"
#include "core/readers.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_check_layers(const struct cs_graph *g)
{
	for (uint32_t i = 0; i < g->layer_count; i++) {
		uint32_t at = i, steps = 0;
		if (g->layers[i].blob == CS_DIG_NONE || g->layers[i].blob >= g->digests.count)
			__builtin_trap();
		for (; at != CS_NONE; at = g->layers[at].parent)
			if (at >= g->layer_count || steps++ > g->layer_count)
				__builtin_trap(); /* out of range, or a loop got through */
	}
}

static void fuzz_check_graph(const struct cs_graph *g)
{
	cs_dig shown[64];

	fuzz_check_layers(g);
	for (uint32_t i = 0; i < g->result_count; i++)
		if (g->results[i].layer != CS_NONE && g->results[i].layer >= g->layer_count)
			__builtin_trap();
	for (uint32_t i = 0; i < g->link_count; i++)
		if (g->links[i].parent >= g->node_count || g->links[i].child >= g->node_count)
			__builtin_trap();
	for (cs_node_id n = 0; n < g->node_count; n++)
		graph_plaintext_digests(g, n, shown, 64);
}

static char *fuzz_dump_json(const struct cs_graph *g, size_t *len)
{
	struct cs_error err;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		abort();
	if (dump_json(g, f, &err) < 0)
		__builtin_trap(); /* nothing in memory can fail to be written */
	fclose(f);
	return text;
}

static void fuzz_dump_text(const struct cs_graph *g)
{
	struct cs_error err;
	FILE *f = fopen("/dev/null", "w");

	if (!f)
		abort();
	if (dump_text(g, true, f, &err) < 0)
		__builtin_trap();
	fclose(f);
}

/* The JSON dump of G must read back as a debug export into the same dump. */
static void fuzz_check_readback(const struct cs_graph *g)
{
	size_t len, again_len;
	char *json = fuzz_dump_json(g, &len);
	struct cs_graph *back = graph_new("fuzz", NULL);
	struct cs_input in = { 0 };
	struct cs_error err;

	in.name = xstrdup("fuzz");
	in.data = cs_bytes_of(json, len);
	if (read_debug_json(back, &in, &err) < 0)
		__builtin_trap(); /* our own dump was refused */
	char *again = fuzz_dump_json(back, &again_len);
	if (again_len != len || memcmp(again, json, len) != 0)
		__builtin_trap(); /* the export reads back differently */
	free(again);
	graph_free(back);
}

/* Everything the CLI would do with an accepted cache. */
static void fuzz_check_cache(const struct cs_graph *g)
{
	fuzz_check_graph(g);
	fuzz_dump_text(g);
	fuzz_check_readback(g);
}

/* A reader's answer: a well-formed graph of a known kind, or an error that says why. */
static void fuzz_check_outcome(const struct cs_graph *g, int rc, const struct cs_error *err)
{
	if (rc == 0) {
		if (!g->kind)
			__builtin_trap();
		fuzz_check_cache(g);
	} else if (!err->msg[0]) {
		__builtin_trap();
	}
}

#endif
