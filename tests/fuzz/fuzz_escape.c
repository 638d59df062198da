/*
 * libFuzzer target: escape_append, the one gate between untrusted bytes and
 * the terminal. The first input byte picks the flags; the rest is escaped.
 * Whatever goes in, what comes out must be valid UTF-8 with no byte a
 * terminal acts on (C0 but a kept newline, DEL, C1 whether raw or as
 * UTF-8, bidi controls), pure ASCII under ESCAPE_ASCII_ONLY, and unchanged
 * when the input needed no escaping at all.
 */
#include "core/buf.h"
#include "core/escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Traps unless OUT[0..LEN) is terminal-safe under FLAGS. */
static void check_output(const unsigned char *out, size_t len, int flags)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = out[i];
		if (c < 0x80) {
			if ((c < 0x20 && !(c == '\n' && (flags & ESCAPE_KEEP_NEWLINES))) || c == 0x7f)
				__builtin_trap();
			i++;
			continue;
		}
		if (flags & ESCAPE_ASCII_ONLY)
			__builtin_trap();
		uint32_t cp;
		size_t n = utf8_decode(out + i, len - i, &cp);
		if (n == 0)
			__builtin_trap(); /* invalid UTF-8 (a raw C1 byte among them) */
		/* C1 as UTF-8 is c2 80..c2 9f */
		if (cp >= 0x80 && cp <= 0x9f)
			__builtin_trap();
		/* bidi embeddings, overrides and isolates */
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			__builtin_trap();
		/* and everything else escape.h promises to escape */
		if (escape_is_unsafe(cp))
			__builtin_trap();
		i += n;
	}
}

/* True when escape_append has nothing to change in S under FLAGS. */
static bool needs_nothing(const unsigned char *s, size_t len, int flags)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return false;
		if (cp == '\n' && (flags & ESCAPE_KEEP_NEWLINES)) {
			i++;
			continue;
		}
		if (escape_is_unsafe(cp) || (cp >= 0x80 && (flags & ESCAPE_ASCII_ONLY)))
			return false;
		i += n;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_buf out = CS_BUF_INIT;
	int flags;

	if (size == 0)
		return 0;
	flags = data[0] & (ESCAPE_KEEP_NEWLINES | ESCAPE_ASCII_ONLY);
	data++, size--;

	/* appending keeps what the buffer held: start from a prefix */
	buf_adds(&out, "x");
	escape_append(&out, data, size, flags);
	if (out.len < 1 || out.data[0] != 'x' || out.data[out.len] != '\0')
		__builtin_trap();
	check_output((const unsigned char *)out.data + 1, out.len - 1, flags);
	if (needs_nothing(data, size, flags) &&
	    (out.len - 1 != size || memcmp(out.data + 1, data, size) != 0))
		__builtin_trap();
	/* escaping never shrinks the text, and at most quadruples it (\x1b for one byte) */
	if (out.len - 1 < size || out.len - 1 > 4 * size)
		__builtin_trap();
	buf_free(&out);
	return 0;
}
