#include "digest.h"
#include "xalloc.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cs_digest digest_of_root_path = { {
	0x8a, 0x5e, 0xda, 0xb2, 0x82, 0x63, 0x24, 0x43, 0x21, 0x9e, 0x05,
	0x1e, 0x4a, 0xde, 0x2d, 0x1d, 0x5b, 0xbc, 0x67, 0x1c, 0x78, 0x10,
	0x51, 0xbf, 0x14, 0x37, 0x89, 0x7c, 0xbd, 0xfe, 0xa0, 0xf1,
} };

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int digest_parse(const char *s, size_t len, struct cs_digest *out)
{
	if (len != CS_DIGEST_STRLEN || memcmp(s, "sha256:", 7) != 0)
		return -1;
	s += 7;
	for (int i = 0; i < 32; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out->sum[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void digest_hex(const struct cs_digest *d, char out[64])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[d->sum[i] >> 4];
		out[2 * i + 1] = hex[d->sum[i] & 15];
	}
}

void digest_format(const struct cs_digest *d, char out[CS_DIGEST_STRLEN + 1])
{
	memcpy(out, "sha256:", 7);
	digest_hex(d, out + 7);
	out[CS_DIGEST_STRLEN] = '\0';
}

int digest_cmp(const struct cs_digest *a, const struct cs_digest *b)
{
	return memcmp(a->sum, b->sum, sizeof(a->sum));
}

bool digest_eq(const struct cs_digest *a, const struct cs_digest *b)
{
	return memcmp(a->sum, b->sum, sizeof(a->sum)) == 0;
}

void digest_of_bytes(const void *data, size_t len, struct cs_digest *out)
{
	SHA256(data, len, out->sum);
}

void digest_output_key(const struct cs_digest *op, int output, struct cs_digest *out)
{
	char text[CS_DIGEST_STRLEN + 16];
	int n;

	digest_format(op, text);
	n = snprintf(text + CS_DIGEST_STRLEN, 16, "@%d", output);
	digest_of_bytes(text, CS_DIGEST_STRLEN + (size_t)n, out);
}

void digests_init(struct cs_digests *t)
{
	memset(t, 0, sizeof(*t));
}

void digests_free(struct cs_digests *t)
{
	free(t->items);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* The digest is already uniformly random: its first bytes are the hash. */
static uint32_t slot_of(const struct cs_digest *d, uint32_t mask)
{
	uint32_t h;

	memcpy(&h, d->sum, sizeof(h));
	return h & mask;
}

static void rehash(struct cs_digests *t, uint32_t nslots)
{
	free(t->slots);
	t->slots = xcalloc(nslots, sizeof(*t->slots));
	t->slot_mask = nslots - 1;
	for (uint32_t i = 0; i < t->count; i++) {
		uint32_t s = slot_of(&t->items[i], t->slot_mask);
		while (t->slots[s])
			s = (s + 1) & t->slot_mask;
		t->slots[s] = i + 1;
	}
}

cs_dig digests_find(const struct cs_digests *t, const struct cs_digest *d)
{
	if (!t->slots)
		return CS_DIG_NONE;
	for (uint32_t s = slot_of(d, t->slot_mask);; s = (s + 1) & t->slot_mask) {
		uint32_t v = t->slots[s];
		if (!v)
			return CS_DIG_NONE;
		if (digest_eq(&t->items[v - 1], d))
			return v - 1;
	}
}

cs_dig digests_intern(struct cs_digests *t, const struct cs_digest *d)
{
	cs_dig found = digests_find(t, d);

	if (found != CS_DIG_NONE)
		return found;
	/* keep the load factor under one half */
	if (!t->slots || (size_t)(t->count + 1) * 2 > (size_t)t->slot_mask + 1)
		rehash(t, t->slots ? (t->slot_mask + 1) * 2 : 1024);
	XGROW(t->items, t->cap, t->count + 1);
	t->items[t->count] = *d;
	uint32_t s = slot_of(d, t->slot_mask);
	while (t->slots[s])
		s = (s + 1) & t->slot_mask;
	t->slots[s] = t->count + 1;
	return t->count++;
}

cs_dig digests_intern_str(struct cs_digests *t, const char *s, size_t len)
{
	struct cs_digest d;

	if (digest_parse(s, len, &d) < 0)
		return CS_DIG_NONE;
	return digests_intern(t, &d);
}
