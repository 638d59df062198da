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
					*escaped = true;
					p += 2;
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
	if (v > (uint64_t)INT64_MAX)
		*overflow = true;
	*value = negative ? -(int64_t)v : (int64_t)v;
	(void)start;
	return 0;
}

/* Skips any JSON value without recursion (nesting is counted, not stacked). */
static int skip_value(struct cursor *c)
{
	long depth = 0;
	struct cs_bytes body;
	bool escaped, integral, overflow;
	int64_t number;

	do {
		skip_space(c);
		if (c->p == c->end)
			return -1;
		switch (*c->p) {
		case '{':
		case '[':
			depth++;
			c->p++;
			continue;
		case '}':
		case ']':
			if (depth == 0)
				return -1;
			depth--;
			c->p++;
			break;
		case ',':
		case ':':
			if (depth == 0)
				return -1;
			c->p++;
			continue;
		case '"':
			if (scan_string(c, &body, &escaped) < 0)
				return -1;
			break;
		default:
			if (is_literal(c, "true") || is_literal(c, "false") || is_literal(c, "null"))
				break;
			if (scan_number(c, &integral, &number, &overflow) < 0)
				return -1;
			break;
		}
	} while (depth > 0);
	return 0;
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
