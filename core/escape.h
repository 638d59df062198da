#ifndef CS_ESCAPE_H
#define CS_ESCAPE_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Making untrusted bytes safe for a terminal. Anyone can push a cache to a
 * registry, and its plaintexts reach screens over SSH: an ESC or a C1 byte
 * could move the cursor, retitle the window, or write the clipboard (OSC
 * 52); a bidi override could make text read differently than it is. So
 * every such character is shown as a visible escape instead:
 *
 *   C0 controls, DEL   \x1b \x7f, and \t \n \r for tab, newline, return
 *   invalid UTF-8      \xff       (each bad byte)
 *   C1 controls        \u009b
 *   bidi and line/paragraph separators, BOM   \u202e \u2028 \ufeff
 *
 * Printable UTF-8 passes unchanged.
 */

enum {
	ESCAPE_KEEP_NEWLINES = 1 << 0, /* for multi-line views: keep '\n' */
	ESCAPE_ASCII_ONLY = 1 << 1,    /* non-ASCII as \uXXXX too (no UTF-8 locale) */
};

void escape_append(struct cs_buf *out, const void *data, size_t len, int flags);

/* Decodes one UTF-8 sequence: its length, or 0 if S does not start with a valid one. */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *code_point);

/* True for the code points escape_append never lets through. */
bool escape_is_unsafe(uint32_t code_point);

#endif
