#ifndef CS_BASE64_H
#define CS_BASE64_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Standard base64 with padding, as Go's encoding/json writes []byte. */
void base64_encode(struct cs_buf *out, const void *data, size_t len);
/*
 * Decoding as Go's base64.StdEncoding (padding required, no stray
 * characters; bits under the padding are not checked); appends to OUT.
 * 0, or -1 at the first bad byte.
 */
int base64_decode(struct cs_buf *out, const char *text, size_t len);

/* Would base64_decode accept TEXT? (a check without the copy) */
bool base64_valid(const char *text, size_t len);

#endif
