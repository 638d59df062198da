#include "json_scan.h"
#include "escape.h"

#include <stdio.h>
#include <strings.h>

void json_scan_init(struct json_scan *s, struct cs_bytes text, const char *name,
		    struct cs_error *err)
{
	s->start = s->p = text.ptr;
	s->end = text.ptr + text.len;
	s->name = name;
	s->err = err;
}

int json_scan_fail(struct json_scan *s, const char *why)
{
	size_t line = 1, column = 1;

	/* counted only when failing: the happy path never pays for positions */
	for (const unsigned char *q = s->start; q < s->p && q < s->end; q++) {
		if (*q == '\n') {
			line++;
			column = 1;
		} else {
			column++;
		}
	}
	return cs_fail(s->err, "%s: line %zu, column %zu: %s", s->name, line, column, why);
}

static void skip_space(struct json_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

int json_scan_peek(struct json_scan *s)
{
	skip_space(s);
	return s->p < s->end ? *s->p : -1;
}

int json_scan_expect(struct json_scan *s, char c, const char *what)
{
	if (json_scan_peek(s) != (unsigned char)c)
		return json_scan_fail(s, what);
	s->p++;
	return 0;
}

int json_scan_object(struct json_scan *s)
{
	return json_scan_expect(s, '{', "expected an object");
}

int json_scan_array(struct json_scan *s)
{
	return json_scan_expect(s, '[', "expected an array");
}

static int next_item(struct json_scan *s, bool *first, char close)
{
	int c = json_scan_peek(s);

	if (c == close) {
		s->p++;
		return 0;
	}
	if (!*first) {
		if (c != ',')
			return json_scan_fail(s, close == '}' ? "expected , or }" : "expected , or ]");
		s->p++;
		if (json_scan_peek(s) == close)
			return json_scan_fail(s, "trailing comma");
	}
	*first = false;
	return 1;
}

int json_scan_member(struct json_scan *s, struct cs_bytes *key, bool *first)
{
	bool escaped;
	int rc = next_item(s, first, '}');

	if (rc <= 0)
		return rc;
	if (json_scan_peek(s) != '"')
		return json_scan_fail(s, "expected a member name");
	if (json_scan_string(s, key, &escaped) < 0)
		return -1;
	if (json_scan_expect(s, ':', "expected :") < 0)
		return -1;
	return 1;
}

int json_scan_element(struct json_scan *s, bool *first)
{
	int rc = next_item(s, first, ']');

	if (rc > 0 && json_scan_peek(s) < 0)
		return json_scan_fail(s, "unexpected end");
	return rc;
}

static int hex4(const unsigned char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

int json_scan_string(struct json_scan *s, struct cs_bytes *raw, bool *escaped)
{
	const unsigned char *body;

	if (json_scan_expect(s, '"', "expected a string") < 0)
		return -1;
	body = s->p;
	*escaped = false;
	while (s->p < s->end) {
		unsigned char c = *s->p;
		if (c == '"') {
			*raw = cs_bytes_of(body, (size_t)(s->p - body));
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return json_scan_fail(s, "control character in a string");
		if (c == '\\') {
			*escaped = true;
			if (s->end - s->p < 2)
				break;
			unsigned char e = s->p[1];
			uint32_t cp;
			if (e == 'u') {
				if (s->end - s->p < 6 || hex4(s->p + 2, &cp) < 0)
					return json_scan_fail(s, "bad \\u escape");
				s->p += 6;
			} else if (strchr("\"\\/bfnrt", e) && e) {
				s->p += 2;
			} else {
				return json_scan_fail(s, "bad escape in a string");
			}
			continue;
		}
		if (c < 0x80) {
			s->p++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s->p, (size_t)(s->end - s->p), &cp);
		if (!n)
			return json_scan_fail(s, "invalid UTF-8 in a string");
		s->p += n;
	}
	return json_scan_fail(s, "unterminated string");
}

static void add_utf8(struct cs_buf *out, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 3);
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 4);
	}
}

int json_unescape(struct cs_bytes raw, struct cs_buf *out)
{
	const unsigned char *p = raw.ptr, *end = raw.ptr + raw.len;

	while (p < end) {
		const unsigned char *run = p;
		while (p < end && *p != '\\')
			p++;
		buf_add(out, run, (size_t)(p - run));
		if (p == end)
			break;
		if (end - p < 2)
			return -1;
		unsigned char e = p[1];
		p += 2;
		switch (e) {
		case 'b': buf_addc(out, '\b'); break;
		case 'f': buf_addc(out, '\f'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 'r': buf_addc(out, '\r'); break;
		case 't': buf_addc(out, '\t'); break;
		case '"': case '\\': case '/': buf_addc(out, (char)e); break;
		case 'u': {
			uint32_t cp, lo;
			if (end - p < 4 || hex4(p, &cp) < 0)
				return -1;
			p += 4;
			/* a surrogate pair makes one code point; a lone half is U+FFFD, as Go does */
			if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
			    hex4(p + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			add_utf8(out, cp);
			break;
		}
		default:
			return -1;
		}
	}
	return 0;
}

int json_scan_string_decoded(struct json_scan *s, struct cs_buf *out)
{
	struct cs_bytes raw;
	bool escaped;

	buf_reset(out);
	if (json_scan_string(s, &raw, &escaped) < 0)
		return -1;
	if (!escaped) {
		buf_add(out, raw.ptr, raw.len);
		return 0;
	}
	return json_unescape(raw, out) < 0 ? json_scan_fail(s, "bad escape") : 0;
}

/* Scans a JSON number's syntax; INTEGRAL tells whether it had no fraction or exponent. */
static int scan_number(struct json_scan *s, bool *integral)
{
	const unsigned char *p = s->p;

	*integral = true;
	if (p < s->end && *p == '-')
		p++;
	if (p == s->end || *p < '0' || *p > '9')
		return json_scan_fail(s, "bad number");
	if (*p == '0') {
		p++;
	} else {
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && *p == '.') {
		*integral = false;
		p++;
		if (p == s->end || *p < '0' || *p > '9')
			return json_scan_fail(s, "bad number");
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		*integral = false;
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p == s->end || *p < '0' || *p > '9')
			return json_scan_fail(s, "bad number");
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	return 0;
}

int json_scan_int(struct json_scan *s, int64_t *out)
{
	const unsigned char *start;
	bool integral, negative;
	uint64_t v = 0;

	if (json_scan_peek(s) < 0)
		return json_scan_fail(s, "expected a number");
	start = s->p;
	negative = *start == '-';
	if (scan_number(s, &integral) < 0)
		return -1;
	if (!integral)
		return json_scan_fail(s, "expected an integer");
	for (const unsigned char *q = start + negative; q < s->p; q++) {
		if (v > (uint64_t)INT64_MAX / 10)
			return json_scan_fail(s, "number out of range");
		v = v * 10 + (uint64_t)(*q - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return json_scan_fail(s, "number out of range");
	*out = negative ? -(int64_t)v : (int64_t)v;
	return 0;
}

static bool literal(struct json_scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return false;
	s->p += n;
	return true;
}

int json_scan_bool(struct json_scan *s, bool *out)
{
	json_scan_peek(s);
	if (literal(s, "true"))
		*out = true;
	else if (literal(s, "false"))
		*out = false;
	else
		return json_scan_fail(s, "expected true or false");
	return 0;
}

bool json_scan_null(struct json_scan *s)
{
	json_scan_peek(s);
	return literal(s, "null");
}

int json_scan_skip(struct json_scan *s)
{
	/* which closer each open level wants, so [} is caught without recursion */
	char closers[JSON_SCAN_MAX_DEPTH];
	int depth = 0;
	bool expect_value = true;

	for (;;) {
		int c = json_scan_peek(s);
		struct cs_bytes raw;
		bool escaped, integral;

		if (c < 0)
			return json_scan_fail(s, "unexpected end");
		if (expect_value) {
			if (c == '{' || c == '[') {
				if (depth == JSON_SCAN_MAX_DEPTH)
					return json_scan_fail(s, "nesting too deep");
				closers[depth++] = c == '{' ? '}' : ']';
				s->p++;
				c = json_scan_peek(s);
				if (c == closers[depth - 1]) {
					s->p++;
					depth--;
					expect_value = false;
				} else if (closers[depth - 1] == '}') {
					if (json_scan_string(s, &raw, &escaped) < 0 ||
					    json_scan_expect(s, ':', "expected :") < 0)
						return -1;
				}
				if (depth == 0)
					return 0;
				continue;
			}
			if (c == '"') {
				if (json_scan_string(s, &raw, &escaped) < 0)
					return -1;
			} else if (!literal(s, "true") && !literal(s, "false") && !literal(s, "null")) {
				if (scan_number(s, &integral) < 0)
					return -1;
			}
			expect_value = false;
			if (depth == 0)
				return 0;
			continue;
		}
		/* after a value inside a container: a comma or the closer */
		if (c == closers[depth - 1]) {
			s->p++;
			if (--depth == 0)
				return 0;
			continue;
		}
		if (c != ',')
			return json_scan_fail(s, "expected , or a closing bracket");
		s->p++;
		if (closers[depth - 1] == '}') {
			if (json_scan_string(s, &raw, &escaped) < 0 ||
			    json_scan_expect(s, ':', "expected :") < 0)
				return -1;
		}
		expect_value = true;
	}
}

/*
 * The slow path of json_key_is: a name with escapes or non-ASCII bytes.
 * Go decodes a member name before matching it and folds Unicode simply:
 * besides ASCII case, the Kelvin sign U+212A matches k and the long s
 * U+017F matches s. NAME is ASCII.
 */
static bool key_folds_to(struct cs_bytes key, const char *name)
{
	struct cs_buf decoded = CS_BUF_INIT;
	bool same = false;

	if (json_unescape(key, &decoded) == 0) {
		const unsigned char *p = (const unsigned char *)decoded.data;
		size_t left = decoded.len;
		for (same = true; same && *name; name++) {
			uint32_t cp;
			size_t n = utf8_decode(p, left, &cp);
			if (n == 0)
				break;
			p += n, left -= n;
			if (cp == 0x212a)
				cp = 'k';
			else if (cp == 0x17f)
				cp = 's';
			else if (cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
			unsigned char want = (unsigned char)*name;
			if (want >= 'A' && want <= 'Z')
				want += 'a' - 'A';
			same = cp == want;
		}
		same = same && !*name && left == 0;
	}
	buf_free(&decoded);
	return same;
}

bool json_key_is(struct cs_bytes key, const char *name)
{
	size_t n = strlen(name);

	if (key.len == n)
		return strncasecmp((const char *)key.ptr, name, n) == 0;
	/* escapes and the two non-ASCII folds only ever lengthen a name */
	if (key.len < n)
		return false;
	for (size_t i = 0; i < key.len; i++)
		if (key.ptr[i] == '\\' || key.ptr[i] >= 0x80)
			return key_folds_to(key, name);
	return false;
}
