#include "base64.h"

#include <stdbool.h>
#include <stdint.h>

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(struct cs_buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i = 0;

	buf_reserve(out, (len + 2) / 3 * 4);
	char *w = out->data + out->len;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*w++ = alphabet[v >> 18];
		*w++ = alphabet[(v >> 12) & 63];
		*w++ = alphabet[(v >> 6) & 63];
		*w++ = alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		*w++ = alphabet[v >> 18];
		*w++ = alphabet[(v >> 12) & 63];
		*w++ = '=';
		*w++ = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*w++ = alphabet[v >> 18];
		*w++ = alphabet[(v >> 12) & 63];
		*w++ = alphabet[(v >> 6) & 63];
		*w++ = '=';
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
}

static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(struct cs_buf *out, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;

	if (len % 4)
		return -1;
	buf_reserve(out, len / 4 * 3);
	unsigned char *w = (unsigned char *)out->data + out->len;
	for (size_t i = 0; i < len; i += 4) {
		int a = sextet(s[i]), b = sextet(s[i + 1]);
		int c = sextet(s[i + 2]), d = sextet(s[i + 3]);
		bool last = i + 4 == len;
		if (a < 0 || b < 0)
			return -1;
		if (last && s[i + 2] == '=' && s[i + 3] == '=') {
			*w++ = (unsigned char)(a << 2 | b >> 4);
			break;
		}
		if (last && s[i + 3] == '=') {
			if (c < 0)
				return -1;
			*w++ = (unsigned char)(a << 2 | b >> 4);
			*w++ = (unsigned char)((b & 15) << 4 | c >> 2);
			break;
		}
		if (c < 0 || d < 0)
			return -1;
		*w++ = (unsigned char)(a << 2 | b >> 4);
		*w++ = (unsigned char)((b & 15) << 4 | c >> 2);
		*w++ = (unsigned char)((c & 3) << 6 | d);
	}
	out->len = (size_t)((char *)w - out->data);
	out->data[out->len] = '\0';
	return 0;
}

bool base64_valid(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;

	if (len % 4)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (sextet(s[i]) >= 0)
			continue;
		/* padding: only "x=" or "==" at the very end, after two data characters */
		if (s[i] != '=' || i + 2 < len || i % 4 < 2)
			return false;
		if (i + 1 < len && s[i + 1] != '=')
			return false;
	}
	return true;
}
