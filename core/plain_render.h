#ifndef CS_PLAIN_RENDER_H
#define CS_PLAIN_RENDER_H

#include "digest.h"
#include "plaintext.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Plaintexts decoded for people, as lines of display-safe text: JSON
 * pretty-printed one member a line (a file op's base64 actions decoded in
 * place), string and digest lists one item a line, file lists as
 * "path -> digest", file headers as "field: value", skip frames as
 * "N bytes not kept". Every line went through escape_append, so it is
 * safe for a terminal as it is. A line may carry one digest, which a
 * viewer can follow.
 *
 * Lines nest: a record's body and its sub-records sit one level below its
 * header, a JSON object's members one level below the line that opens it.
 * A foldable line hides everything deeper that follows it, and its
 * closing line ("}" or "]", marked closer) with it.
 */

struct render_line {
	char *text;             /* without indentation: a viewer indents by depth */
	int depth;
	int record;             /* which record the line belongs to */
	bool header;            /* "sha256:... (type)", the first line of a record */
	bool foldable;          /* a header, or a JSON line opening a non-empty object or array */
	bool closer;            /* the "}" or "]" that ends a foldable JSON line's value */
	char close;             /* for a foldable JSON line: '}' or ']', to write "{...}" folded */
	bool has_link;
	struct cs_digest link;
};

/* A node shows its plaintexts up to this many lines; a note says what was left out. */
#define RENDER_MAX_LINES 20000

struct render_lines {
	struct render_line *lines;
	size_t count, cap;
	int records;
	size_t dropped;         /* lines past RENDER_MAX_LINES, not kept */
};

/* Appends the lines of P and its sub-records; ASCII_ONLY for non-UTF-8 terminals. */
void render_plain(struct render_lines *out, const struct cs_plain *p, bool ascii_only);
/* Appends a line (TEXT is escaped here). */
void render_add(struct render_lines *out, int depth, const char *text, size_t len, bool ascii_only,
		const struct cs_digest *link);
/* Appends "N more lines not shown" when lines were dropped. */
void render_note_dropped(struct render_lines *out);
void render_lines_free(struct render_lines *out);

/*
 * A selector's plaintext in a few words: the paths of a string-list joined
 * by commas, else the text. Raw bytes: escape them before display. The
 * caller frees.
 */
char *render_selector_summary(const struct cs_plain *p);

#endif
