#include "escape.h"

#include <stdio.h>

size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *code_point)
{
	uint32_t cp, min;
	size_t n;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*code_point = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates and values past Unicode are not UTF-8 */
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*code_point = cp;
	return n;
}

bool escape_is_unsafe(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return true;
	if (cp >= 0x80 && cp <= 0x9f)
		return true;
	switch (cp) {
	case 0x061c: /* arabic letter mark */
	case 0x200e: /* left-to-right mark */
	case 0x200f: /* right-to-left mark */
	case 0x2028: /* line separator */
	case 0x2029: /* paragraph separator */
	case 0xfeff: /* byte order mark */
		return true;
	}
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void escape_append(struct cs_buf *out, const void *data, size_t len, int flags)
{
	const unsigned char *s = data;
	size_t i = 0;
	char tmp[16];

	buf_reserve(out, len);
	while (i < len) {
		unsigned char c = s[i];
		/* the common case: printable ASCII runs */
		if (c >= 0x20 && c < 0x7f) {
			size_t start = i;
			while (i < len && s[i] >= 0x20 && s[i] < 0x7f)
				i++;
			buf_add(out, s + start, i - start);
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			buf_adds(out, tmp);
			i++;
			continue;
		}
		if (cp == '\n' && (flags & ESCAPE_KEEP_NEWLINES)) {
			buf_addc(out, '\n');
		} else if (cp == '\n' || cp == '\t' || cp == '\r') {
			buf_adds(out, cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : "\\r");
		} else if (cp < 0x80) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", (unsigned)cp);
			buf_adds(out, tmp);
		} else if (escape_is_unsafe(cp) || (flags & ESCAPE_ASCII_ONLY)) {
			snprintf(tmp, sizeof(tmp), cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp);
			buf_adds(out, tmp);
		} else {
			buf_add(out, s + i, n);
		}
		i += n;
	}
}
