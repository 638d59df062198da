#ifndef CS_BYTES_H
#define CS_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* A view of bytes owned by someone else (a mapping, a buffer, a store). */
struct cs_bytes {
	const unsigned char *ptr;
	size_t len;
};

static inline struct cs_bytes cs_bytes_of(const void *ptr, size_t len)
{
	struct cs_bytes b = { (const unsigned char *)ptr, len };
	return b;
}

static inline struct cs_bytes cs_bytes_str(const char *s)
{
	return cs_bytes_of(s, strlen(s));
}

static inline bool cs_bytes_eq(struct cs_bytes a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && (n == 0 || memcmp(a.ptr, s, n) == 0);
}

/* Byte order, a shorter key first when it is a prefix of the longer: how bbolt sorts its keys. */
static inline int cs_bytes_cmp(struct cs_bytes a, struct cs_bytes b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.ptr, b.ptr, n) : 0;

	if (c)
		return c;
	return a.len < b.len ? -1 : a.len > b.len;
}

static inline bool cs_bytes_has_prefix(struct cs_bytes a, const char *s)
{
	size_t n = strlen(s);
	return a.len >= n && memcmp(a.ptr, s, n) == 0;
}

#endif
