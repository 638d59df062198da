#include "json_flat.h"

#include <stdbool.h>
#include <strings.h>

struct cursor {
	const unsigned char *p, *end;
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/*
 * Any control character or backslash in [P, END)? Eight bytes at a time:
 * (x - 0x20..) & ~x & 0x80.. is non-zero when some byte of x is below
 * 0x20, and the same on x ^ '\\'.. finds a backslash.
 */
static bool has_special(const unsigned char *p, const unsigned char *end)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t found = 0;

	for (; end - p >= 8; p += 8) {
		uint64_t x, y;
		memcpy(&x, p, 8);
		y = x ^ (ones * '\\');
		found |= ((x - ones * 0x20) & ~x) | ((y - ones) & ~y);
	}
	if (found & highs)
		return true;
	for (; p < end; p++)
		if (*p < 0x20 || *p == '\\')
			return true;
	return false;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Length of the escape sequence at P (a backslash), or 0 when it is not
 * one JSON allows: Go refuses the whole value then, and so must we.
 */
static size_t escape_len(const unsigned char *p, const unsigned char *end)
{
	if (end - p < 2)
		return 0;
	switch (p[1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		return 2;
	case 'u':
		if (end - p < 6 || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]) || !is_hex(p[5]))
			return 0;
		return 6;
	}
	return 0;
}

/*
 * Scans a string whose opening quote is at c->p; returns its raw body.
 * memchr finds the closing quote and one vectorized pass checks the bytes
 * before it; only a backslash (no value we read is ever escaped) walks.
 */
static int scan_string(struct cursor *c, struct cs_bytes *body, bool *escaped)
{
	const unsigned char *start = c->p + 1, *p = start;

	*escaped = false;
	for (;;) {
		const unsigned char *quote = memchr(p, '"', (size_t)(c->end - p));
		if (!quote)
			return -1;
		if (has_special(p, quote)) {
			while (p < quote) {
				if (*p < 0x20)
					return -1;
				if (*p == '\\') {
					size_t n = escape_len(p, c->end);
					if (n == 0)
						return -1;
					*escaped = true;
					p += n;
				} else {
					p++;
				}
			}
			if (p > quote) /* that quote was escaped: look further */
				continue;
		}
		*body = cs_bytes_of(start, (size_t)(quote - start));
		c->p = quote + 1;
		return 0;
	}
}

static bool is_literal(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return false;
	c->p += n;
	return true;
}

static int scan_number(struct cursor *c, bool *integral, int64_t *value, bool *overflow)
{
	const unsigned char *start = c->p;
	bool negative = false;
	uint64_t v = 0;

	*integral = true;
	*overflow = false;
	if (c->p < c->end && *c->p == '-') {
		negative = true;
		c->p++;
	}
	if (c->p == c->end || *c->p < '0' || *c->p > '9')
		return -1;
	if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' && c->p[1] <= '9')
		return -1;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			*overflow = true;
		else
			v = v * 10 + (uint64_t)(*c->p - '0');
		c->p++;
	}
	if (c->p < c->end && *c->p == '.') {
		*integral = false;
		c->p++;
		if (c->p == c->end || *c->p < '0' || *c->p > '9')
			return -1;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		*integral = false;
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (c->p == c->end || *c->p < '0' || *c->p > '9')
			return -1;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	/* int64 reaches one further below zero than above it */
	*value = 0;
	if (v > (uint64_t)INT64_MAX + negative)
		*overflow = true;
	else if (negative)
		*value = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*value = (int64_t)v;
	(void)start;
	return 0;
}

/*
 * Go refuses a document nested deeper than this (encoding/json's
 * maxNestingDepth), counting the object json_flat_parse is reading.
 */
#define MAX_SKIP_DEPTH (10000 - 1)

/* A member name and its colon, as met inside a skipped object. */
static int skip_key(struct cursor *c)
{
	struct cs_bytes body;
	bool escaped;

	skip_space(c);
	if (c->p == c->end || *c->p != '"' || scan_string(c, &body, &escaped) < 0)
		return -1;
	skip_space(c);
	if (c->p == c->end || *c->p != ':')
		return -1;
	c->p++;
	return 0;
}

/*
 * Skips any JSON value, checking its grammar as Go's scanner does (Go
 * refuses the whole document when any part of it is malformed, so a value
 * we skip must be valid too). No recursion: one bit per open container
 * (set for an object) says what may close it.
 */
static int skip_value(struct cursor *c)
{
	uint64_t object[MAX_SKIP_DEPTH / 64 + 1] = { 0 };
	int depth = 0;
	struct cs_bytes body;
	bool escaped, integral, overflow;
	int64_t number;

	for (;;) {
		/* a value is expected here */
		skip_space(c);
		if (c->p == c->end)
			return -1;
		unsigned char open = *c->p;
		if (open == '{' || open == '[') {
			if (depth == MAX_SKIP_DEPTH)
				return -1;
			if (open == '{')
				object[depth / 64] |= UINT64_C(1) << (depth % 64);
			else
				object[depth / 64] &= ~(UINT64_C(1) << (depth % 64));
			depth++;
			c->p++;
			skip_space(c);
			if (c->p < c->end && *c->p == (open == '{' ? '}' : ']')) {
				c->p++;
				depth--;
			} else {
				if (open == '{' && skip_key(c) < 0)
					return -1;
				continue;
			}
		} else if (open == '"') {
			if (scan_string(c, &body, &escaped) < 0)
				return -1;
		} else if (!is_literal(c, "true") && !is_literal(c, "false") && !is_literal(c, "null") &&
			   scan_number(c, &integral, &number, &overflow) < 0) {
			return -1;
		}
		/* after a value: close what ends here, then a comma or the end */
		for (;;) {
			if (depth == 0)
				return 0;
			bool in_object = object[(depth - 1) / 64] >> ((depth - 1) % 64) & 1;
			skip_space(c);
			if (c->p == c->end)
				return -1;
			if (*c->p == (in_object ? '}' : ']')) {
				c->p++;
				depth--;
				continue;
			}
			if (*c->p != ',')
				return -1;
			c->p++;
			if (in_object && skip_key(c) < 0)
				return -1;
			break;
		}
	}
}

static struct json_flat_field *find_field(struct json_flat_field *fields, int count,
					  struct cs_bytes name)
{
	/* the exact spelling is what Go writes; any other case is rare */
	for (int i = 0; i < count; i++)
		if (fields[i].name_len == name.len && memcmp(fields[i].name, name.ptr, name.len) == 0)
			return &fields[i];
	for (int i = 0; i < count; i++)
		if (fields[i].name_len == name.len &&
		    strncasecmp(fields[i].name, (const char *)name.ptr, name.len) == 0)
			return &fields[i];
	return NULL;
}

static int read_field(struct cursor *c, struct json_flat_field *f, struct cs_error *err)
{
	struct cs_bytes body;
	bool escaped, integral, overflow;
	int64_t number;

	if (f->kind == JSON_FLAT_STRING) {
		if (c->p < c->end && is_literal(c, "null"))
			return 0;
		if (c->p == c->end || *c->p != '"' || scan_string(c, &body, &escaped) < 0)
			return cs_fail(err, "field %s is not a string", f->name);
		if (escaped)
			return cs_fail(err, "field %s has an escape where none belongs", f->name);
		f->string = body;
	} else {
		if (c->p < c->end && is_literal(c, "null"))
			return 0;
		if (scan_number(c, &integral, &number, &overflow) < 0 || !integral)
			return cs_fail(err, "field %s is not an integer", f->name);
		if (overflow)
			return cs_fail(err, "field %s is out of range", f->name);
		f->number = number;
	}
	f->present = 1;
	return 0;
}

int json_flat_parse(struct cs_bytes text, struct json_flat_field *fields,
		    int field_count, struct cs_error *err)
{
	struct cursor c = { text.ptr, text.ptr + text.len };
	struct cs_bytes name;
	bool escaped;

	for (int i = 0; i < field_count; i++) {
		fields[i].name_len = strlen(fields[i].name);
		fields[i].present = 0;
		fields[i].number = 0;
		fields[i].string = cs_bytes_of("", 0);
	}
	skip_space(&c);
	if (c.p == c.end || *c.p != '{')
		return cs_fail(err, "not a JSON object");
	c.p++;
	skip_space(&c);
	if (c.p < c.end && *c.p == '}') {
		c.p++;
	} else {
		for (;;) {
			skip_space(&c);
			if (c.p == c.end || *c.p != '"' || scan_string(&c, &name, &escaped) < 0)
				return cs_fail(err, "bad JSON object key");
			skip_space(&c);
			if (c.p == c.end || *c.p != ':')
				return cs_fail(err, "bad JSON object (no colon)");
			c.p++;
			skip_space(&c);
			struct json_flat_field *f = escaped ? NULL : find_field(fields, field_count, name);
			if (f) {
				if (read_field(&c, f, err) < 0)
					return -1;
			} else if (skip_value(&c) < 0) {
				return cs_fail(err, "bad JSON value");
			}
			skip_space(&c);
			if (c.p < c.end && *c.p == ',') {
				c.p++;
				continue;
			}
			if (c.p < c.end && *c.p == '}') {
				c.p++;
				break;
			}
			return cs_fail(err, "bad JSON object (expected , or })");
		}
	}
	skip_space(&c);
	if (c.p != c.end)
		return cs_fail(err, "trailing bytes after the JSON object");
	return 0;
}
