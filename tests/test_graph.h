#ifndef CS_TESTS_TEST_GRAPH_H
#define CS_TESTS_TEST_GRAPH_H

/*
 * Small cache graphs for unit tests, built the way a reader builds them,
 * with plaintexts in a memory store keyed as the daemon keys them: a
 * record's digest is the sha256 of its data, a link's digest is
 * outputKey(op, output) whose plaintext is the string "<op>@<output>",
 * a root's digest is the rootKey of its source, likewise.
 */
#include "core/digest.h"
#include "core/graph_build.h"
#include "core/plainstore.h"
#include "core/plaintext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_graph {
	struct cs_graph *g;
	struct cs_plainstore *store;
	struct cs_builder *b;
	char key[32];
};

static inline void tg_frame(struct cs_buf *run, uint32_t id, const void *data, size_t len)
{
	unsigned char header[8] = {
		(unsigned char)(id >> 24), (unsigned char)(id >> 16), (unsigned char)(id >> 8), (unsigned char)id,
		(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len,
	};
	buf_add(run, header, sizeof(header));
	buf_add(run, data, len);
}

static inline struct test_graph *tg_new(void)
{
	struct test_graph *t = calloc(1, sizeof(*t));

	t->g = graph_new("test", "test");
	t->store = plainstore_memory_new("test");
	t->b = builder_new(t->g, CS_ORDER_AS_ADDED);
	return t;
}

/* Stores a record under D: a type frame, then one data frame per part (PARTS of LENS bytes). */
static inline void tg_store_parts(struct test_graph *t, const struct cs_digest *d, const char *type,
				  const char *const *parts, const size_t *lens, size_t count)
{
	struct cs_buf run = CS_BUF_INIT;

	tg_frame(&run, CS_FRAME_TYPE, type, strlen(type));
	for (size_t i = 0; i < count; i++)
		tg_frame(&run, CS_FRAME_DATA, parts[i], lens[i]);
	plainstore_memory_add(t->store, d, run.data, run.len);
	buf_free(&run);
}

/* A record of one data frame of LEN bytes, under the sha256 of its data (into OUT). */
static inline void tg_record_len(struct test_graph *t, const char *type, const char *data, size_t len,
				 struct cs_digest *out)
{
	digest_of_bytes(data, len, out);
	tg_store_parts(t, out, type, &data, &len, 1);
}

static inline void tg_record(struct test_graph *t, const char *type, const char *data, struct cs_digest *out)
{
	tg_record_len(t, type, data, strlen(data), out);
}

/* outputKey(OP, OUTPUT) with its plaintext "sha256:<op>@<output>" stored. */
static inline void tg_output_key(struct test_graph *t, const struct cs_digest *op, int output, struct cs_digest *out)
{
	char text[CS_DIGEST_STRLEN + 16];

	digest_format(op, text);
	snprintf(text + CS_DIGEST_STRLEN, sizeof(text) - CS_DIGEST_STRLEN, "@%d", output);
	digest_output_key(op, output, out);
	tg_store_parts(t, out, "string", (const char *const[]){ text }, (const size_t[]){ strlen(text) }, 1);
}

/* A root whose rootKey leads to SOURCE (a random one's digest is the source itself). */
static inline uint32_t tg_root(struct test_graph *t, const struct cs_digest *source, bool random)
{
	struct cs_digest key = *source;

	if (!random)
		tg_output_key(t, source, 0, &key);
	snprintf(t->key, sizeof(t->key), "node-%u", builder_node_count(t->b));
	uint32_t n = builder_node(t->b, t->key, strlen(t->key));
	builder_root(t->b, n, digests_intern(&t->g->digests, &key), random);
	return n;
}

/* A key made by op OP (output 0) from PARENT on input INPUT, SELECTOR optional. */
static inline uint32_t tg_child(struct test_graph *t, uint32_t parent, const struct cs_digest *op, uint32_t input,
				const struct cs_digest *selector)
{
	struct cs_digest link;

	tg_output_key(t, op, 0, &link);
	snprintf(t->key, sizeof(t->key), "node-%u", builder_node_count(t->b));
	uint32_t n = builder_node(t->b, t->key, strlen(t->key));
	builder_link(t->b, parent, n, input, 0, digests_intern(&t->g->digests, &link),
		     selector ? digests_intern(&t->g->digests, selector) : CS_DIG_NONE);
	return n;
}

/* Another parent for CHILD, through the same op. */
static inline void tg_also(struct test_graph *t, uint32_t parent, uint32_t child, const struct cs_digest *op,
			   uint32_t input)
{
	struct cs_digest link;

	digest_output_key(op, 0, &link);
	builder_link(t->b, parent, child, input, 0, digests_intern(&t->g->digests, &link), CS_DIG_NONE);
}

/* Numbers the graph; node IDs change here (roots by store ID, children depth first). */
static inline struct cs_graph *tg_finish(struct test_graph *t)
{
	struct cs_error err;
	struct cs_graph *g = t->g;

	if (builder_finish(t->b, &err) < 0) {
		printf("# builder: %s\n", err.msg);
		exit(1);
	}
	builder_free(t->b);
	graph_add_plainstore(g, t->store);
	free(t);
	return g;
}

/* The node whose first parent link comes from op OP, or whose own digest is the rootKey of OP. */
static inline cs_node_id tg_node_of(const struct cs_graph *g, const struct cs_digest *op)
{
	struct cs_digest key;

	digest_output_key(op, 0, &key);
	for (cs_node_id n = 0; n < g->node_count; n++) {
		const struct cs_digest *own = graph_digest(g, g->nodes[n].digest);
		if ((own && (digest_eq(own, &key) || digest_eq(own, op))) ||
		    (graph_parent_count(g, n) && digest_eq(graph_digest(g, graph_parent(g, n, 0)->digest), &key)))
			return n;
	}
	return CS_NONE;
}

#endif
