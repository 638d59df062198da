#ifndef CS_STRPOOL_H
#define CS_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

/*
 * An append-only arena of NUL-terminated strings, referred to by 32-bit
 * offsets: a node's store ID or a layer's media type costs 4 bytes in the
 * node and its own bytes once here.
 */
struct cs_strings {
	char *data;
	size_t len;
	size_t cap;
};

#define CS_STR_NONE UINT32_MAX

void strings_init(struct cs_strings *s);
void strings_free(struct cs_strings *s);
/* Copies LEN bytes (plus a NUL) and returns their offset. */
uint32_t strings_add(struct cs_strings *s, const char *str, size_t len);

static inline const char *strings_at(const struct cs_strings *s, uint32_t off)
{
	return off == CS_STR_NONE ? NULL : s->data + off;
}

#endif
