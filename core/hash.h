#ifndef CS_HASH_H
#define CS_HASH_H

#include <stdint.h>

/*
 * A 64-bit finalizer (MurmurHash3's fmix64): spreads every input bit over
 * the whole result, so any slice of it can pick a hash slot.
 */
static inline uint64_t hash_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#endif
