#ifndef CS_OP_JSON_H
#define CS_OP_JSON_H

#include "plaintext.h"

#include <jansson.h>

/*
 * A plaintext of type json as a jansson value. A file op's "Actions" are
 * base64-encoded JSON in the cache key; they come back decoded in place, so
 * every reader (descriptions, the plaintext pane, diff) sees the actions
 * themselves. NULL when the data is not JSON. The caller owns the value.
 */
json_t *op_json_load(const struct cs_plain *p);

/* The same over raw JSON bytes. */
json_t *op_json_parse(const void *data, size_t len);

#endif
