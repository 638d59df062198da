#ifndef CS_JSON_SCAN_H
#define CS_JSON_SCAN_H

#include "buf.h"
#include "bytes.h"
#include "error.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * A pull scanner for large JSON documents of a known shape. The caller
 * walks the document ("an object: for each key...") and the scanner hands
 * back raw spans of the mapped bytes, so a 200 MB debug export is read in
 * one pass with no tree and no copies. Strict JSON: unescaped control
 * characters, invalid UTF-8, bad escapes and bad numbers are errors, and
 * values the caller skips may nest at most JSON_SCAN_MAX_DEPTH deep.
 */

#define JSON_SCAN_MAX_DEPTH 512

struct json_scan {
	const unsigned char *start, *p, *end;
	const char *name;      /* for messages */
	struct cs_error *err;
	unsigned char key_buf[64]; /* a member name that had to be decoded */
};

void json_scan_init(struct json_scan *s, struct cs_bytes text, const char *name,
		    struct cs_error *err);

/* Fails with "NAME: line L, column C: WHY" at the current position. */
int json_scan_fail(struct json_scan *s, const char *why);

/* The next significant byte, or -1 at the end (does not consume). */
int json_scan_peek(struct json_scan *s);
/* Consumes C or fails. */
int json_scan_expect(struct json_scan *s, char c, const char *what);

/*
 * Objects: json_scan_object(s) then, while json_scan_member(s, &key)
 * returns 1, read the member's value. 0 at the closing brace, -1 on error.
 * KEY is the name ready for json_key_is: raw, or decoded into the
 * scanner's buffer when it had escapes or non-ASCII characters (valid
 * until the next member).
 */
int json_scan_object(struct json_scan *s);
int json_scan_member(struct json_scan *s, struct cs_bytes *key, bool *first);
/* Arrays likewise: 1 when an element follows, 0 at the closing bracket. */
int json_scan_array(struct json_scan *s);
int json_scan_element(struct json_scan *s, bool *first);

/* A string: its raw body (escapes undecoded) and whether it had escapes. */
int json_scan_string(struct json_scan *s, struct cs_bytes *raw, bool *escaped);
/* A string decoded into OUT (replacing its contents). */
int json_scan_string_decoded(struct json_scan *s, struct cs_buf *out);
/* An integer that fits in int64; fractions and exponents are refused. */
int json_scan_int(struct json_scan *s, int64_t *out);
int json_scan_bool(struct json_scan *s, bool *out);
/* true if the next value is null (and consumes it). */
bool json_scan_null(struct json_scan *s);
/* Skips any value, checking it, without recursion. */
int json_scan_skip(struct json_scan *s);

/* Decodes the escapes of a raw string body into OUT (appending). */
int json_unescape(struct cs_bytes raw, struct cs_buf *out);

/*
 * Does member name KEY (from json_scan_member) match NAME (ASCII letters)
 * the way Go's encoding/json matches field names: case-insensitively, and
 * after json_scan_member has decoded escapes and folded Unicode's other
 * forms of k and s? Inline, so a literal NAME's length is a constant.
 */
static inline bool json_key_is(struct cs_bytes key, const char *name)
{
	size_t n = strlen(name);

	if (key.len != n)
		return false;
	/* for letters, OR-ing 0x20 folds case and maps nothing else onto one */
	for (size_t i = 0; i < n; i++)
		if ((key.ptr[i] | 0x20) != ((unsigned char)name[i] | 0x20))
			return false;
	return true;
}

#endif
