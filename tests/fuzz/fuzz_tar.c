/*
 * libFuzzer target: the tar reader (core/tar.c). An accepted archive's
 * members lie inside it, on block boundaries; every member that has a
 * name is found by it (itself, what its link leads to, or "not a file");
 * lookups of paths that leave the archive find nothing; nothing loops.
 *
 * The same bytes read as a stream (a pipe, in chunks of 1 to 8 bytes)
 * are accepted or refused alike, and give the same members; the bytes a
 * stream keeps are the archive's.
 *
 * Input: one control byte, then the archive. Control bit 0: rewrite the
 * checksums of ustar headers first (fuzz_tar.h); bits 1-3: the largest
 * chunk the stream gives at a time, less one.
 *
 * fuzz-options: -max_len=65536
 */
#include "fuzz_tar.h"

#include "core/tar.h"

#include <stdbool.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_member(const struct cs_tar *t, const struct cs_tar_member *m)
{
	if (m->offset % 512 || m->offset > t->data.len || m->size > t->data.len - m->offset)
		__builtin_trap(); /* a member outside the archive */
}

struct trickle {
	const uint8_t *data;
	size_t len, pos, most;
};

static ssize_t trickle_read(void *ctx, void *buf, size_t len)
{
	struct trickle *t = ctx;
	size_t n = t->len - t->pos;

	if (n > t->most)
		n = t->most;
	if (n > len)
		n = len;
	memcpy(buf, t->data + t->pos, n);
	t->pos += n;
	return (ssize_t)n;
}

/* The archive read as a stream must be what it is in memory (T, or refused when T is NULL). */
static void check_stream(const struct cs_tar *t, const uint8_t *data, size_t size, size_t most)
{
	size_t head = size < 512 ? size : 512;
	struct trickle tr = { data + head, size - head, 0, most };
	struct cs_error err = { { 0 } };
	struct cs_tar st;

	if (tar_open_stream(&st, "fuzz", cs_bytes_of(data, head), trickle_read, &tr, &err) < 0) {
		if (t || !err.msg[0])
			__builtin_trap(); /* refused only as a stream, or without a word */
		return;
	}
	if (!t || st.count != t->count)
		__builtin_trap(); /* accepted only as a stream, or other members */
	for (size_t i = 0; i < st.count; i++) {
		const struct cs_tar_member *x = &t->members[i], *y = &st.members[i];
		if (x->type != y->type || x->size != y->size || !x->name != !y->name ||
		    (x->name && strcmp(x->name, y->name) != 0) || !x->target != !y->target ||
		    (x->target && strcmp(x->target, y->target) != 0))
			__builtin_trap();
		if (y->kept && (y->offset > st.data.len || y->size > st.data.len - y->offset ||
				memcmp(tar_data(t, x).ptr, tar_data(&st, y).ptr, x->size) != 0))
			__builtin_trap(); /* kept bytes that are not the member's */
	}
	tar_close(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const odd[] = { "manifest.json", "index.json", "", "/", "..", "../manifest.json",
					   "a/../../manifest.json", "/manifest.json", "./blobs/sha256/x" };
	struct cs_error err = { { 0 } };
	struct cs_tar t;
	uint8_t *copy;

	if (size < 1)
		return 0;
	copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1)
		fuzz_fix_checksums(copy, size - 1);
	if (tar_open(&t, "fuzz", cs_bytes_of(copy, size - 1), &err) < 0) {
		if (!err.msg[0])
			__builtin_trap();
		check_stream(NULL, copy, size - 1, (size_t)((data[0] >> 1) & 7) + 1);
		free(copy);
		return 0;
	}
	check_stream(&t, copy, size - 1, (size_t)((data[0] >> 1) & 7) + 1);
	(void)tar_recognize(t.data);
	for (size_t i = 0; i < t.count; i++) {
		const struct cs_tar_member *m = &t.members[i], *found;
		check_member(&t, m);
		if (!m->name)
			continue;
		if (m->name[0] == '/' || strstr(m->name, "//"))
			__builtin_trap(); /* names are kept clean */
		enum cs_tar_found f = tar_find(&t, m->name, &found);
		if (f == TAR_FOUND)
			check_member(&t, found);
		if (f == TAR_FOUND && found->type != CS_TAR_FILE)
			__builtin_trap();
		bool last = true; /* of its name: the later member of a name counts */
		for (size_t k = i + 1; k < t.count && last; k++)
			last = !t.members[k].name || strcmp(t.members[k].name, m->name) != 0;
		if (last && m->type == CS_TAR_FILE && (f != TAR_FOUND || found != m))
			__builtin_trap(); /* a file not found by its own name */
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		const struct cs_tar_member *found;
		if (tar_find(&t, odd[i], &found) == TAR_FOUND)
			check_member(&t, found);
	}
	tar_close(&t);
	free(copy);
	return 0;
}
