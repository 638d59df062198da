/*
 * libFuzzer target: images as sources. A docker save archive
 * (read_image_archive: manifest.json or an OCI layout in a tar) or a JSON
 * object file (read_json_object: a cache config or an image config with
 * an inline cache). An accepted one gives a well-formed graph whose dumps
 * are written and whose JSON dump reads back unchanged (fuzz_cache.h); a
 * refused one says why.
 *
 * Input: one control byte, then the file. Control bit 0: read it as a
 * JSON object file instead of an archive; bit 1: rewrite the checksums of
 * ustar headers first (fuzz_tar.h); bit 2: read the archive as a pipe
 * gives it (read_image_archive_stream), a few bytes at a time. A config in an archive must still
 * match the digest its name gives, which a fuzzer cannot forge: the JSON
 * path is where config contents get fuzzed.
 *
 * fuzz-options: -max_len=65536
 */
#include "fuzz_cache.h"
#include "fuzz_tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trickle {
	const uint8_t *data;
	size_t len, pos;
};

static ssize_t trickle_read(void *ctx, void *buf, size_t len)
{
	struct trickle *t = ctx;
	size_t n = t->len - t->pos;

	if (n > 4093) /* an odd size, so reads straddle blocks */
		n = 4093;
	if (n > len)
		n = len;
	memcpy(buf, t->data + t->pos, n);
	t->pos += n;
	return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_graph *g;
	struct cs_error err = { { 0 } };
	uint8_t *copy;
	int rc;

	if (size < 1)
		return 0;
	copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 2)
		fuzz_fix_checksums(copy, size - 1);
	g = graph_new("fuzz", NULL);
	if (data[0] & 1) {
		rc = read_json_object(g, "fuzz", cs_bytes_of(copy, size - 1), &err);
	} else if (data[0] & 4) {
		size_t head = size - 1 < 512 ? size - 1 : 512;
		struct trickle t = { copy + head, size - 1 - head, 0 };
		rc = read_image_archive_stream(g, "fuzz", cs_bytes_of(copy, head), trickle_read, &t, &err);
	} else
		rc = read_image_archive(g, "fuzz", cs_bytes_of(copy, size - 1), &err);
	fuzz_check_outcome(g, rc, &err);
	graph_free(g);
	free(copy);
	return 0;
}
