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

/* Scans a string whose opening quote is at c->p; returns its raw body. */
static int scan_string(struct cursor *c, struct cs_bytes *body, bool *escaped)
{
	const unsigned char *start = ++c->p;

	*escaped = false;
	while (c->p < c->end && *c->p != '"') {
		if (*c->p < 0x20)
			return -1;
		if (*c->p == '\\') {
			*escaped = true;
			if (++c->p == c->end)
				return -1;
		}
		c->p++;
	}
	if (c->p == c->end)
		return -1;
	*body = cs_bytes_of(start, (size_t)(c->p - start));
	c->p++;
	return 0;
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
	for (int i = 0; i < count; i++)
		if (strlen(fields[i].name) == name.len &&
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
