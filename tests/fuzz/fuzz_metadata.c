/*
 * libFuzzer target: a worker's metadata_v2.db, the daemon's live sidecar
 * (core/metadata.c) over a fuzzed bbolt file, and the {"value": ...}
 * values in it on their own. Seeded with metadata written by bbolt
 * (tests/results/workers.go, and a real dockerd's).
 *
 * fuzz-options: -max_len=140000
 *
 * The first byte picks the mode: even, the rest is one value for the key
 * the second byte names; odd, the rest is a whole file, read through a
 * memfd as the reader reads a daemon's file: every record loaded, then
 * each looked up again by its ID (a corrupt file may hide a key from a
 * lookup that a walk finds: bbolt searches keys it trusts to be sorted).
 */
/* memfd_create: _GNU_SOURCE comes from the build */
#include "core/metadata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
	"cache.description", "cache.recordType", "cache.parent", "cache.equalMutable", "snapshot.size",
	"cache.createdAt", "cache.lastUsedAt", "cache.usageCount", "snapshot.committed", "cache.blobChainID",
};

static void one_value(const uint8_t *data, size_t size)
{
	struct cs_record_set set;
	struct cs_record r;
	struct cs_error err;
	const char *key;
	/* an exact-size copy: any read past the value is an ASan report */
	uint8_t *copy;

	if (size < 1)
		return;
	key = keys[data[0] % (sizeof(keys) / sizeof(keys[0]))];
	copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	record_set_init(&set);
	memset(&r, 0xff, sizeof(r));
	if (metadata_parse_value(&set, &r, key, strlen(key), copy, size - 1, &err) < 0 && !err.msg[0])
		__builtin_trap(); /* a refusal says why */
	record_set_free(&set);
	free(copy);
}

static void whole_file(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-metadata", MFD_CLOEXEC);
	char path[64];
	struct cs_metadata *m;
	struct cs_record_set all, one;
	struct cs_error err;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (metadata_open(path, NULL, &m, &err) < 0) {
		if (!err.msg[0])
			__builtin_trap();
		close(fd);
		return;
	}
	record_set_init(&all);
	record_set_init(&one);
	if (metadata_load_all(m, &all, &err) == 0) {
		for (size_t i = 0; i < all.count; i++) {
			const char *id = record_text(&all, all.records[i].id);
			size_t at;
			if (metadata_get(m, id, strlen(id), &one, &at, &err) < 0 && !err.msg[0])
				__builtin_trap();
		}
	}
	record_set_free(&all);
	record_set_free(&one);
	metadata_close(m);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		one_value(data + 1, size - 1);
	else
		whole_file(data + 1, size - 1);
	return 0;
}
