#include "json_write.h"
#include "escape.h"

#include <stdio.h>

static void write_string(struct cs_buf *out, const void *data, size_t len, bool terminal)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = data;
	size_t i = 0;

	buf_addc(out, '"');
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' &&
		    !(terminal && c == 0x7f)) {
			buf_addc(out, (char)c);
			i++;
			continue;
		}
		if (c < 0x80) {
			switch (c) {
			case '"': buf_adds(out, "\\\""); break;
			case '\\': buf_adds(out, "\\\\"); break;
			case '\b': buf_adds(out, "\\b"); break;
			case '\f': buf_adds(out, "\\f"); break;
			case '\n': buf_adds(out, "\\n"); break;
			case '\r': buf_adds(out, "\\r"); break;
			case '\t': buf_adds(out, "\\t"); break;
			default: {
				char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
				buf_adds(out, esc);
			}
			}
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			buf_adds(out, "\\ufffd");
			i++;
		} else if (cp == 0x2028 || cp == 0x2029 || (terminal && escape_is_unsafe(cp))) {
			/* all of them below U+10000: one \\u escape each */
			char esc[7] = { '\\', 'u', hex[cp >> 12], hex[cp >> 8 & 15], hex[cp >> 4 & 15],
					hex[cp & 15], 0 };
			buf_adds(out, esc);
			i += n;
		} else {
			buf_add(out, s + i, n);
			i += n;
		}
	}
	buf_addc(out, '"');
}

void json_write_string(struct cs_buf *out, const void *data, size_t len)
{
	write_string(out, data, len, false);
}

void json_write_string_safe(struct cs_buf *out, const void *data, size_t len)
{
	write_string(out, data, len, true);
}
