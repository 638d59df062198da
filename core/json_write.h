#ifndef CS_JSON_WRITE_H
#define CS_JSON_WRITE_H

#include "buf.h"

#include <stddef.h>

/*
 * Writes S as a JSON string exactly as Go's encoding/json does (HTML-safe
 * escaping on, as json.Encoder has it by default): <, > and & as \u003c
 * \u003e \u0026, U+2028/U+2029 escaped, invalid UTF-8 as \ufffd. Our JSON
 * must load back into the daemon's tools, and match its output byte for
 * byte.
 */
void json_write_string(struct cs_buf *out, const void *s, size_t len);

/*
 * The same for a terminal: DEL and every character escape.h calls unsafe
 * (C1 controls, bidi controls, BOM) become \u escapes too, where Go writes
 * them raw. A JSON reader gets the same string; only the bytes differ.
 */
void json_write_string_safe(struct cs_buf *out, const void *s, size_t len);

#endif
