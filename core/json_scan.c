#include "json_scan.h"
#include "escape.h"

#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/*
 * Many bytes at a time where it pays: exports are indented (long runs of
 * spaces) and mostly base64 (long runs of plain string bytes).
 */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static uint64_t load8(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * False when some byte of W may need a look: a quote, a backslash, a
 * control character or a non-ASCII byte (a borrow can flag a byte after a
 * real hit, never miss one).
 */
static bool plain_string_bytes(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), backslash = w ^ (ONES * '\\');
	uint64_t hits = ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) |
			(w - ONES * 0x20) | w;

	return (hits & HIGHS) == 0;
}

/* Skips the string bytes from P that need no look, stopping before END. */
static const unsigned char *skip_plain_string(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* signed: bytes of 0x80 and up are negative, so "< 0x20" takes them too */
		__m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
					    _mm_cmplt_epi8(v, space));
		int mask = _mm_movemask_epi8(hits);
		if (mask)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	while (end - p >= 8 && plain_string_bytes(load8(p)))
		p += 8;
	return p;
}

static void skip_space(struct json_scan *s)
{
	/* most calls are already at a token */
	if (s->p < s->end && *s->p > ' ')
		return;
	for (;;) {
		while (s->end - s->p >= 8 && load8(s->p) == ONES * ' ')
			s->p += 8;
		if (s->p == s->end || (*s->p != ' ' && *s->p != '\n' && *s->p != '\t' && *s->p != '\r'))
			return;
		s->p++;
	}
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

static int scan_string(struct json_scan *s, struct cs_bytes *raw, bool *escaped, bool *non_ascii);

/*
 * A member name with escapes or non-ASCII bytes, the way Go's decoder
 * matches it: escapes decoded, and the two non-ASCII letters Unicode folds
 * onto ASCII ones (the Kelvin sign U+212A onto k, the long s U+017F onto
 * s) replaced by them. Names too long for the scanner's buffer cannot be
 * one we look for and stay raw.
 */
static struct cs_bytes canonical_key(struct json_scan *s, struct cs_bytes raw)
{
	struct cs_buf decoded = CS_BUF_INIT;
	const unsigned char *p;
	size_t len = 0, n;
	bool fits = true;

	json_unescape(raw, &decoded); /* the scanner checked every escape */
	p = (const unsigned char *)decoded.data;
	for (size_t i = 0; i < decoded.len && fits; i += n) {
		uint32_t cp;
		n = utf8_decode(p + i, decoded.len - i, &cp);
		if (n == 0)
			n = 1, cp = 0x80;
		fits = len < sizeof(s->key_buf);
		/* any other non-ASCII character becomes a byte no ASCII name matches */
		if (fits)
			s->key_buf[len++] = cp == 0x212a ? 'k' : cp == 0x17f ? 's' : cp < 0x80 ? (unsigned char)cp : 0x80;
	}
	buf_free(&decoded);
	return fits ? cs_bytes_of(s->key_buf, len) : raw;
}

int json_scan_member(struct json_scan *s, struct cs_bytes *key, bool *first)
{
	bool escaped, non_ascii;
	int rc = next_item(s, first, '}');

	if (rc <= 0)
		return rc;
	if (json_scan_peek(s) != '"')
		return json_scan_fail(s, "expected a member name");
	if (scan_string(s, key, &escaped, &non_ascii) < 0)
		return -1;
	if (escaped || non_ascii)
		*key = canonical_key(s, *key);
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

/* A string's raw body; ESCAPED and NON_ASCII tell whether it has such bytes. */
static int scan_string(struct json_scan *s, struct cs_bytes *raw, bool *escaped, bool *non_ascii)
{
	const unsigned char *body;

	if (json_scan_expect(s, '"', "expected a string") < 0)
		return -1;
	body = s->p;
	*escaped = *non_ascii = false;
	while (s->p < s->end) {
		s->p = skip_plain_string(s->p, s->end);
		if (s->p == s->end)
			break;
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
		*non_ascii = true;
		s->p += n;
	}
	return json_scan_fail(s, "unterminated string");
}

int json_scan_string(struct json_scan *s, struct cs_bytes *raw, bool *escaped)
{
	bool non_ascii;

	return scan_string(s, raw, escaped, &non_ascii);
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
