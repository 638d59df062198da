/*
 * For the fuzz targets that read tar archives (fuzz_tar.c,
 * fuzz_image_archive.c): a fuzzer that changes one byte of a header
 * almost always breaks its checksum, and then every input it makes is
 * refused at the first check. When asked, the targets first rewrite the
 * checksum of every 512-byte block that carries ustar magic, so the
 * fields behind the checksum get fuzzed too; without it, the checksum
 * check itself is.
 */
#ifndef CS_FUZZ_TAR_H
#define CS_FUZZ_TAR_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void fuzz_fix_checksums(uint8_t *data, size_t size)
{
	for (size_t at = 0; size - at >= 512; at += 512) {
		uint8_t *h = data + at;
		unsigned sum = 0;
		char field[8];
		if (memcmp(h + 257, "ustar", 5) != 0)
			continue;
		memset(h + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += h[i];
		snprintf(field, sizeof(field), "%06o", sum & 0777777);
		memcpy(h + 148, field, 7);
	}
}

#endif
