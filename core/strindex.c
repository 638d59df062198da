#include "strindex.h"
#include "graph_build.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void rehash(struct str_index *x, size_t slots)
{
	struct str_slot *old = x->slots;
	size_t old_slots = old ? x->mask + 1 : 0;

	x->slots = xcalloc(slots, sizeof(*x->slots));
	x->mask = slots - 1;
	x->count = 0;
	for (size_t i = 0; i < old_slots; i++)
		if (old[i].key)
			str_index_add(x, old[i].key, old[i].len, old[i].value);
	free(old);
}

void str_index_init(struct str_index *x, size_t expected)
{
	size_t slots = 16;

	while (slots < expected * 2)
		slots *= 2;
	x->slots = NULL;
	rehash(x, slots);
}

void str_index_free(struct str_index *x)
{
	free(x->slots);
	memset(x, 0, sizeof(*x));
}

void str_index_add(struct str_index *x, const char *key, size_t len, uint32_t value)
{
	if ((x->count + 1) * 2 > x->mask + 1)
		rehash(x, (x->mask + 1) * 2);
	for (size_t i = builder_key_hash(key, len) & x->mask;; i = (i + 1) & x->mask) {
		struct str_slot *s = &x->slots[i];
		if (!s->key) {
			*s = (struct str_slot){ key, (uint32_t)len, value };
			x->count++;
			return;
		}
		if (s->len == len && memcmp(s->key, key, len) == 0)
			return;
	}
}

uint32_t str_index_get(const struct str_index *x, const char *key, size_t len)
{
	for (size_t i = builder_key_hash(key, len) & x->mask;; i = (i + 1) & x->mask) {
		const struct str_slot *s = &x->slots[i];
		if (!s->key)
			return UINT32_MAX;
		if (s->len == len && memcmp(s->key, key, len) == 0)
			return s->value;
	}
}
