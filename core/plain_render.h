#ifndef CS_PLAIN_RENDER_H
#define CS_PLAIN_RENDER_H

#include "digest.h"
#include "plaintext.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Plaintexts decoded for people, as lines of display-safe text: JSON
 * pretty-printed (a file op's base64 actions decoded in place), string and
 * digest lists one per line, file lists as "path -> digest", file headers
 * as fields, skip frames as "N bytes not kept". Every line went through
 * escape_append, so it is safe for a terminal as it is. A line may carry
 * one digest, which a viewer can follow.
 */

struct render_line {
	char *text;
	int depth;              /* nesting of the sub-record the line belongs to */
	int record;             /* which record (header and body share it), for folding */
	bool header;            /* "sha256:... (type)" */
	bool has_link;
	struct cs_digest link;
};

struct render_lines {
	struct render_line *lines;
	size_t count, cap;
	int records;
};

/* Appends the lines of P and its sub-records; ASCII_ONLY for non-UTF-8 terminals. */
void render_plain(struct render_lines *out, const struct cs_plain *p, bool ascii_only);
/* Appends a line (TEXT is escaped here). */
void render_add(struct render_lines *out, int depth, const char *text, size_t len, bool ascii_only,
		const struct cs_digest *link);
void render_lines_free(struct render_lines *out);

/* A selector's plaintext in a few words: the paths of a string-list, else the
 * text. Raw bytes: escape them before display. The caller frees. */
char *render_selector_summary(const struct cs_plain *p);

#endif
