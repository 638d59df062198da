#ifndef CS_DIGEST_H
#define CS_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Content digests. BuildKit names every cache key, link and plaintext by a
 * "sha256:<64 lowercase hex>" string; we keep the 32 raw bytes and intern
 * them, so a node refers to a digest by a 4-byte index and equal digests are
 * equal indexes. Comparing raw bytes orders digests exactly as comparing
 * their strings does, which the daemon's orderings rely on.
 */

#define CS_DIGEST_STRLEN 71 /* "sha256:" + 64 hex */

struct cs_digest {
	uint8_t sum[32];
};

typedef uint32_t cs_dig; /* index in a digest table */
#define CS_DIG_NONE UINT32_MAX

/* Parses exactly "sha256:<64 lowercase hex>" (go-digest's rule); 0 or -1. */
int digest_parse(const char *s, size_t len, struct cs_digest *out);
/* Writes "sha256:<hex>" and a NUL into OUT. */
void digest_format(const struct cs_digest *d, char out[CS_DIGEST_STRLEN + 1]);
/* Writes just the 64 hex digits (no NUL). */
void digest_hex(const struct cs_digest *d, char out[64]);
int digest_cmp(const struct cs_digest *a, const struct cs_digest *b);
bool digest_eq(const struct cs_digest *a, const struct cs_digest *b);

/* sha256 of bytes, hardware-accelerated through libcrypto. */
void digest_of_bytes(const void *data, size_t len, struct cs_digest *out);
/* BuildKit's outputKey: sha256("sha256:<hex>@<output>"). */
void digest_output_key(const struct cs_digest *op, int output, struct cs_digest *out);

/* The digest of "/" that the daemon never stores but always answers. */
extern const struct cs_digest digest_of_root_path;

/* An open-addressing set of digests; indexes are stable and dense. */
struct cs_digest_slot {
	uint32_t index; /* item index + 1, 0 = empty */
	uint32_t tag;   /* more bits of the digest, checked before the item */
};

struct cs_digests {
	struct cs_digest *items;
	uint32_t count;
	uint32_t cap;
	struct cs_digest_slot *slots;
	uint32_t slot_mask;
};

void digests_init(struct cs_digests *t);
void digests_free(struct cs_digests *t);
cs_dig digests_intern(struct cs_digests *t, const struct cs_digest *d);
/* CS_DIG_NONE when absent. */
cs_dig digests_find(const struct cs_digests *t, const struct cs_digest *d);
/* Parses and interns; CS_DIG_NONE when S is not a digest. */
cs_dig digests_intern_str(struct cs_digests *t, const char *s, size_t len);

static inline const struct cs_digest *digests_at(const struct cs_digests *t, cs_dig i)
{
	return &t->items[i];
}

#endif
