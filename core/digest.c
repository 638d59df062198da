#include "digest.h"
#include "hash.h"
#include "xalloc.h"

/*
 * The one-shot SHA256() of OpenSSL 3 looks its algorithm up on every call
 * (360 ns for a 73-byte outputKey here); the low-level calls it deprecates
 * do the same work in 90 ns, and a big store hashes every link once.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cs_digest digest_of_root_path = { {
	0x8a, 0x5e, 0xda, 0xb2, 0x82, 0x63, 0x24, 0x43, 0x21, 0x9e, 0x05,
	0x1e, 0x4a, 0xde, 0x2d, 0x1d, 0x5b, 0xbc, 0x67, 0x1c, 0x78, 0x10,
	0x51, 0xbf, 0x14, 0x37, 0x89, 0x7c, 0xbd, 0xfe, 0xa0, 0xf1,
} };

/*
 * Branch-free, so the loop vectorizes: parsing is on the load's hot path
 * (three digests a link). A lowercase hex digit is '0'-'9' or 'a'-'f'.
 */
int digest_parse(const char *s, size_t len, struct cs_digest *out)
{
	const unsigned char *hex = (const unsigned char *)s + 7;
	unsigned char nibble[64], bad = 0;

	if (len != CS_DIGEST_STRLEN || memcmp(s, "sha256:", 7) != 0)
		return -1;
	for (int i = 0; i < 64; i++) {
		unsigned char c = hex[i];
		unsigned char digit = (unsigned char)(c - '0') < 10;
		unsigned char letter = (unsigned char)(c - 'a') < 6;
		bad |= (unsigned char)!(digit | letter);
		nibble[i] = (unsigned char)((c & 15) + 9 * (c >> 6));
	}
	if (bad)
		return -1;
	for (int i = 0; i < 32; i++)
		out->sum[i] = (uint8_t)(nibble[2 * i] << 4 | nibble[2 * i + 1]);
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
	SHA256_CTX ctx;

	SHA256_Init(&ctx);
	SHA256_Update(&ctx, data, len);
	SHA256_Final(out->sum, &ctx);
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

/*
 * A digest computed here is uniformly random, but one read from an input
 * is whatever the input says: a hostile export can list a hundred
 * thousand digests that share their first bytes, and slots picked by
 * those bytes alone would chain every probe. So all 32 bytes are mixed:
 * the low half picks the slot, the high half is kept in the slot as a tag,
 * so a probe rarely has to touch the item array (a cache miss) to rule a
 * candidate out.
 */
static uint64_t mix_of(const struct cs_digest *d)
{
	uint64_t w[4];

	memcpy(w, d->sum, sizeof(w));
	return hash_mix64(w[0] ^ hash_mix64(w[1] ^ hash_mix64(w[2] ^ hash_mix64(w[3]))));
}

static uint32_t slot_of(const struct cs_digest *d, uint32_t mask)
{
	return (uint32_t)mix_of(d) & mask;
}

static uint32_t tag_of(const struct cs_digest *d)
{
	return (uint32_t)(mix_of(d) >> 32);
}

static void place(struct cs_digests *t, uint32_t index)
{
	const struct cs_digest *d = &t->items[index];
	uint32_t s = slot_of(d, t->slot_mask);

	while (t->slots[s].index)
		s = (s + 1) & t->slot_mask;
	t->slots[s].index = index + 1;
	t->slots[s].tag = tag_of(d);
}

static void rehash(struct cs_digests *t, uint32_t nslots)
{
	free(t->slots);
	t->slots = xcalloc(nslots, sizeof(*t->slots));
	t->slot_mask = nslots - 1;
	for (uint32_t i = 0; i < t->count; i++)
		place(t, i);
}

cs_dig digests_find(const struct cs_digests *t, const struct cs_digest *d)
{
	uint32_t tag = tag_of(d);

	if (!t->slots)
		return CS_DIG_NONE;
	for (uint32_t s = slot_of(d, t->slot_mask);; s = (s + 1) & t->slot_mask) {
		uint32_t v = t->slots[s].index;
		if (!v)
			return CS_DIG_NONE;
		if (t->slots[s].tag == tag && digest_eq(&t->items[v - 1], d))
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
	place(t, t->count);
	return t->count++;
}

cs_dig digests_intern_str(struct cs_digests *t, const char *s, size_t len)
{
	struct cs_digest d;

	if (digest_parse(s, len, &d) < 0)
		return CS_DIG_NONE;
	return digests_intern(t, &d);
}
