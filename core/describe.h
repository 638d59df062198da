#ifndef CS_DESCRIBE_H
#define CS_DESCRIBE_H

#include "error.h"
#include "graph.h"

/*
 * What a cache key is, in words a person reads: decoded from the
 * plaintexts behind its digests (the op's cache map JSON, the source
 * identifier, the content checksum's file list). Used by the node table's
 * kind column, the detail panes and diff's explanations. Plaintexts are
 * resolved lazily, so callers describe only the nodes they show.
 */

enum cs_kind {
	KIND_UNKNOWN,  /* no plaintext to tell */
	KIND_IMAGE,    /* image source: reference or digest */
	KIND_LOCAL,    /* local context (session-bound) */
	KIND_GIT,
	KIND_HTTP,
	KIND_SOURCE,   /* another source type */
	KIND_EXEC,     /* RUN: command line */
	KIND_FILE,     /* file op: COPY/ADD/mkdir/rm..., with paths */
	KIND_MERGE,
	KIND_DIFF,
	KIND_BUILD,
	KIND_CONTENT,  /* content checksum of selected files (output -1) */
	KIND_CACHE_MOUNT, /* a RUN --mount=type=cache directory */
};

struct cs_description {
	enum cs_kind kind;
	/*
	 * One line: "docker.io/library/alpine:3.22", "/bin/sh -c echo hi",
	 * "copy /src/ -> /app/". Raw UTF-8 from untrusted data: escape it
	 * before it reaches a terminal (escape.h). Owned; NULL when unknown.
	 */
	char *summary;
	size_t summary_len;  /* it may hold NUL bytes: a command can */
};

const char *kind_name(enum cs_kind kind);

/*
 * Describes node N from the best source there is: its plaintexts, else
 * what its result says of itself (describe_from_results). 0 (possibly
 * KIND_UNKNOWN), -1 when a store the graph reads from fails.
 */
int describe_node(const struct cs_graph *g, cs_node_id n, struct cs_description *out,
		  struct cs_error *err);
void description_free(struct cs_description *d);

/* describe_record.c: from a result's description, or an image history line, into OUT (always named). */
void describe_record_text(const char *text, struct cs_description *out);
/* From N's results (results.h); OUT untouched when they say nothing. 0, or -1 on a store error. */
int describe_from_results(const struct cs_graph *g, cs_node_id n, struct cs_description *out,
			  struct cs_error *err);

#endif
