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

#endif
