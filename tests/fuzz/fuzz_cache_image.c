/*
 * libFuzzer target: the cache image resolver (cache_image.c) over a
 * transport made of the input itself.
 *
 * Input: one control byte, then objects separated by NUL bytes (JSON has
 * none). Object 0 is the top index or manifest; the others are blobs the
 * fetch callback serves by their sha256. A fuzzer cannot invert sha256, so
 * objects refer to each other by placeholder: "@@N" (N one digit) becomes
 * "sha256:<hex>" of object N and "##N" its size in decimal, for N after
 * the object that mentions it (objects are finished last to first).
 * Literal digests and sizes still work, so mismatches are reachable.
 *
 * Control byte: bit 0 loads object 0 through the fetcher by its digest
 * (cache_image_load_digest) instead of from bytes; bits 1-2 pick the media
 * type a transport would claim for it; bit 3 gives the top no size.
 *
 * An accepted cache is checked as fuzz_cache.h checks every cache.
 *
 * fuzz-options: -max_len=65536
 */
#include "fuzz_cache.h"

#include "core/buf.h"
#include "core/cache_image.h"
#include "core/digest.h"

#define MAX_OBJECTS 10

struct objects {
	struct cs_buf data[MAX_OBJECTS];
	struct cs_digest digest[MAX_OBJECTS];
	int count;
	int fetches;
};

/* Replaces the placeholders in raw object I with what objects after it are. */
static void finish_object(struct objects *o, int i, const uint8_t *raw, size_t len)
{
	struct cs_buf *out = &o->data[i];

	buf_reset(out);
	buf_adds(out, "");
	for (size_t k = 0; k < len; k++) {
		bool mark = k + 2 < len && raw[k + 2] >= '0' && raw[k + 2] <= '9' &&
			    raw[k] == raw[k + 1] && (raw[k] == '@' || raw[k] == '#');
		int n = mark ? raw[k + 2] - '0' : 0;
		if (!mark || n <= i || n >= o->count) {
			buf_addc(out, (char)raw[k]);
			continue;
		}
		if (raw[k] == '@') {
			char text[CS_DIGEST_STRLEN + 1];
			digest_format(&o->digest[n], text);
			buf_adds(out, text);
		} else {
			buf_printf(out, "%zu", o->data[n].len);
		}
		k += 2;
	}
	digest_of_bytes(out->data, out->len, &o->digest[i]);
}

static void split_objects(struct objects *o, const uint8_t *data, size_t size)
{
	const uint8_t *start[MAX_OBJECTS];
	size_t len[MAX_OBJECTS];

	o->count = 0;
	while (o->count < MAX_OBJECTS) {
		const uint8_t *nul = memchr(data, 0, size);
		size_t n = nul ? (size_t)(nul - data) : size;
		start[o->count] = data;
		len[o->count++] = n;
		if (!nul)
			break;
		data += n + 1;
		size -= n + 1;
	}
	for (int i = o->count - 1; i >= 0; i--)
		finish_object(o, i, start[i], len[i]);
}

static int fetch(void *ctx, const struct cs_digest *d, int64_t size, struct cs_buf *out,
		 struct cs_error *err)
{
	struct objects *o = ctx;

	(void)size;
	if (++o->fetches > 8)
		__builtin_trap(); /* the resolver fetches a handful of objects, never a loop */
	for (int i = 0; i < o->count; i++)
		if (digest_eq(d, &o->digest[i])) {
			buf_reset(out);
			buf_add(out, o->data[i].data, o->data[i].len);
			return 0;
		}
	return cs_fail(err, "fuzz: blob is missing");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const claimed[] = { NULL, CS_MEDIA_OCI_INDEX, CS_MEDIA_OCI_MANIFEST,
					       "application/json" };
	struct objects o = { 0 };
	struct cs_blob_source src = { fetch, &o, "fuzz", 1 << 20 };
	struct cs_graph *g;
	struct cs_error err = { { 0 } };
	int rc;

	if (size < 1)
		return 0;
	uint8_t control = data[0];
	split_objects(&o, data + 1, size - 1);
	g = graph_new("fuzz", NULL);
	if (control & 1)
		rc = cache_image_load_digest(g, &src, &o.digest[0],
					     control & 8 ? -1 : (int64_t)o.data[0].len, &err);
	else
		rc = cache_image_load(g, &src, claimed[(control >> 1) & 3],
				      cs_bytes_of(o.data[0].data, o.data[0].len), &err);
	fuzz_check_outcome(g, rc, &err);
	graph_free(g);
	for (int i = 0; i < MAX_OBJECTS; i++)
		buf_free(&o.data[i]);
	return 0;
}
