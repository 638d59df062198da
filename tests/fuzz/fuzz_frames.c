/*
 * libFuzzer target: a plaintext's frame run ([id u32 BE][len u32 BE][data]...)
 * as a cache-debug.db or a debug export hands it over, decoded by
 * frames_decode, then the digests its data mentions found by plain_mentions
 * under every record type.
 *
 * Checked beyond "no crash": a decoded run accounts for every byte (frames
 * lie inside the run, in order, headers included); a mention is really in
 * the data (for "string" at word boundaries, for "digest-list" as a whole
 * part); and the count plain_mentions returns does not depend on CAP.
 */
#include "core/digest.h"
#include "core/plaintext.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool word_byte(unsigned char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Traps unless the N mentions of TYPE are really in DATA, in the order
 * they appear there (leftmost first; each part of a list in turn).
 */
static void check_mentions(const char *type, const unsigned char *data, size_t len,
			   const struct cs_digest *found, size_t n)
{
	char text[CS_DIGEST_STRLEN + 1];
	size_t from = 0;

	for (size_t k = 0; k < n; k++) {
		bool seen = false;
		digest_format(&found[k], text);
		while (!seen && from < len) {
			const unsigned char *at = memmem(data + from, len - from, text, CS_DIGEST_STRLEN);
			if (!at)
				break;
			size_t i = (size_t)(at - data), end = i + CS_DIGEST_STRLEN;
			if (strcmp(type, "string") == 0)
				seen = (i == 0 || !word_byte(data[i - 1])) &&
				       (end == len || !word_byte(data[end]));
			else if (strcmp(type, "digest-list") == 0)
				seen = (i == 0 || data[i - 1] == '\0') && (end == len || data[end] == '\0');
			else /* file-list: the last sha256: of a NUL-separated part */
				seen = end == len || data[end] == '\0';
			from = seen ? end : i + 1;
		}
		if (!seen)
			__builtin_trap();
	}
}

static void mentions(const char *type, const unsigned char *data, size_t len)
{
	struct cs_digest few[3];
	size_t n = plain_mentions(cs_bytes_str(type), data, len, few, 3);
	/* a digest takes 71 bytes; parts need at least a separator between them */
	if (n > len / CS_DIGEST_STRLEN + 1)
		__builtin_trap();
	struct cs_digest *all = malloc((n ? n : 1) * sizeof(*all));
	if (plain_mentions(cs_bytes_str(type), data, len, all, n) != n)
		__builtin_trap();
	/* the first CAP found are the same whatever CAP is */
	if (memcmp(few, all, (n < 3 ? n : 3) * sizeof(*all)) != 0)
		__builtin_trap();
	check_mentions(type, data, len, all, n);
	free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_bytes type;
	struct cs_frame *frames;
	size_t count;
	struct cs_error err;

	/* an exact-size copy, so reading past the run is caught by ASan */
	unsigned char *run = malloc(size ? size : 1);
	memcpy(run, data, size);
	if (frames_decode(cs_bytes_of(run, size), &type, &frames, &count, &err) < 0) {
		if (!err.msg[0])
			__builtin_trap();
		free(run);
		return 0;
	}

	/* headers and payloads tile the run: frames in order, inside it */
	size_t covered = 0, data_len = 0;
	const unsigned char *prev_end = run;
	for (size_t i = 0; i < count; i++) {
		const struct cs_frame *f = &frames[i];
		if (f->id != CS_FRAME_DATA && f->id != CS_FRAME_SKIP)
			__builtin_trap();
		if (f->data < prev_end + 8 || f->data + f->len > run + size)
			__builtin_trap();
		prev_end = f->data + f->len;
		covered += 8 + (size_t)f->len;
		if (f->id == CS_FRAME_DATA)
			data_len += f->len;
		else
			(void)frame_skip_count(f);
	}
	if (covered > size)
		__builtin_trap();
	if (type.len && (type.ptr < run + 8 || type.ptr + type.len > run + size))
		__builtin_trap();

	/* the data, concatenated as plain_data does */
	unsigned char *joined = malloc(data_len ? data_len : 1);
	size_t off = 0;
	for (size_t i = 0; i < count; i++)
		if (frames[i].id == CS_FRAME_DATA) {
			memcpy(joined + off, frames[i].data, frames[i].len);
			off += frames[i].len;
		}

	/* every type's rules, whatever the record claims to be */
	mentions("string", joined, data_len);
	mentions("digest-list", joined, data_len);
	mentions("file-list", joined, data_len);
	/* and what it does claim: other types mention nothing */
	char claimed[32];
	if (type.len < sizeof(claimed) && !memchr(type.ptr, '\0', type.len)) {
		memcpy(claimed, type.ptr, type.len);
		claimed[type.len] = '\0';
		if (strcmp(claimed, "string") && strcmp(claimed, "digest-list") &&
		    strcmp(claimed, "file-list") &&
		    plain_mentions(type, joined, data_len, NULL, 0) != 0)
			__builtin_trap();
	}

	free(joined);
	free(frames);
	free(run);
	return 0;
}
