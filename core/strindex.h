#ifndef CS_STRINDEX_H
#define CS_STRINDEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Byte strings to numbers, by hashing: which node a store ID names,
 * which record an ID is. Keys are not copied: the caller keeps them
 * alive (they are a graph's or a record set's strings). Adding a key
 * twice keeps the first value, as the stores' own lookups would.
 */
struct str_index {
	struct str_slot {
		const char *key;
		uint32_t len;
		uint32_t value;
	} *slots;
	size_t mask;   /* slots - 1; the table is at most half full */
	size_t count;
};

void str_index_init(struct str_index *x, size_t expected);
void str_index_free(struct str_index *x);
void str_index_add(struct str_index *x, const char *key, size_t len, uint32_t value);
/* The value of KEY, or UINT32_MAX. */
uint32_t str_index_get(const struct str_index *x, const char *key, size_t len);

#endif
