/*
 * Unit tests of dot_write: untrusted text quoted for Graphviz DOT, so no
 * byte of it can end a string, start a Graphviz escape or entity, or reach
 * a terminal raw; and labels wrapped without splitting a character or an
 * escape. (tests/dot.test renders the results with the real dot.)
 */
#include "core/dot.h"
#include "core/xalloc.h"
#include "tests/tap.h"

#include <stdlib.h>
#include <string.h>

static char *quoted(const char *text, size_t len)
{
	struct cs_buf out = CS_BUF_INIT;

	dot_add_quoted(&out, text, len);
	return buf_detach(&out, NULL);
}

static char *wrapped(const char *text, size_t width, size_t lines)
{
	struct cs_buf out = CS_BUF_INIT;

	dot_add_wrapped(&out, text, strlen(text), width, lines);
	return out.len ? buf_detach(&out, NULL) : xstrdup("");
}

/* True when S, a DOT string body, has no quote that is not escaped and no raw control byte. */
static bool string_stays_closed(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == '\\') {
			if (!s[i + 1])
				return false;
			i++;
			continue;
		}
		if (c == '"')
			return false;
	}
	return true;
}

static void test_quoting(void)
{
	char *got;

	got = quoted("plain text", 10);
	TAP_STR_EQ(got, "\"plain text\"", "plain text is quoted as it is");
	free(got);

	got = quoted("say \"hi\"", 8);
	TAP_STR_EQ(got, "\"say \\\"hi\\\"\"", "a quote is escaped, so the string does not end");
	free(got);

	got = quoted("C:\\dir \\N \\G \\l", 15);
	TAP_STR_EQ(got, "\"C:\\\\dir \\\\N \\\\G \\\\l\"",
		   "a backslash is doubled: no \\N, \\G or \\l reaches Graphviz as its escape");
	free(got);

	got = quoted("&#27;[2J &lt; &amp;", 19);
	TAP_STR_EQ(got, "\"&amp;#27;[2J &amp;lt; &amp;amp;\"", "& is &amp;: no entity turns into a character");
	free(got);

	got = quoted("a\x1b]52;c;eA==\x07z", 14);
	TAP_STR_EQ(got, "\"a\\\\x1b]52;c;eA==\\\\x07z\"", "ESC and BEL become visible \\x escapes");
	free(got);

	got = quoted("line1\nline2\r\t", 13);
	TAP_STR_EQ(got, "\"line1\\\\nline2\\\\r\\\\t\"", "a newline in the data is shown, not a line break");
	free(got);

	got = quoted("nul\0byte", 8);
	TAP_STR_EQ(got, "\"nul\\\\x00byte\"", "a NUL byte is shown and the text goes on after it");
	free(got);

	got = quoted("\xe2\x80\xae" "evil \xc2\x9b \xff\xfe", 13);
	TAP_STR_EQ(got, "\"\\\\u202eevil \\\\u009b \\\\xff\\\\xfe\"",
		   "bidi override, C1 control and invalid UTF-8 become escapes");
	free(got);

	got = quoted("caf\xc3\xa9 \xe6\x97\xa5", 9);
	TAP_STR_EQ(got, "\"caf\xc3\xa9 \xe6\x97\xa5\"", "printable UTF-8 passes unchanged");
	free(got);

	/* every byte value, alone and after a backslash: the string never opens up */
	bool closed = true;
	for (int c = 0; c < 256 && closed; c++) {
		char in[3] = { '\\', (char)c, '"' };
		char *q = quoted(in, 3);
		size_t n = strlen(q);
		q[n - 1] = '\0';
		closed = q[0] == '"' && string_stays_closed(q + 1);
		free(q);
	}
	TAP_OK(closed, "no byte value, after a backslash or not, can end the string or reach it raw");
}

static void test_wrapping(void)
{
	char *got;

	got = wrapped("short", 40, 4);
	TAP_STR_EQ(got, "short\\n", "a short text is one line");
	free(got);

	got = wrapped("", 40, 4);
	TAP_STR_EQ(got, "", "an empty text adds nothing");
	free(got);

	got = wrapped("/bin/sh -c apt-get update && apt-get install -y curl", 20, 4);
	TAP_STR_EQ(got, "/bin/sh -c apt-get \\nupdate &amp;&amp; apt-get \\ninstall -y curl\\n",
		   "a long line breaks after words");
	free(got);

	got = wrapped("abcdefghijklmnopqrstuvwxyz0123456789", 10, 4);
	TAP_STR_EQ(got, "abcdefghij\\nklmnopqrst\\nuvwxyz0123456789\\n",
		   "a word longer than the line breaks mid-word; a few characters more stay on the last line");
	free(got);

	got = wrapped("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10, 3);
	TAP_STR_EQ(got, "abcdefghij\\nklmnopqrst\\nuvwxyz0123\xe2\x80\xa6\\n",
		   "past the last line the text is cut, with an ellipsis");
	free(got);

	got = wrapped("abcdefgh\x1b[2Jxyzxyzxyzxyz", 10, 4);
	TAP_STR_EQ(got, "abcdefgh\\\\x1b\\n[2Jxyzxyzxyzxyz\\n", "an escape is never split across two lines");
	free(got);

	got = wrapped("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4, 4);
	TAP_STR_EQ(got, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\\n\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\\n",
		   "a line counts characters, not bytes, and never splits one");
	free(got);

	got = wrapped("ghcr.io/stargz-containers/ubuntu:20.04-org", 40, 4);
	TAP_STR_EQ(got, "ghcr.io/stargz-containers/ubuntu:20.04-org\\n",
		   "a few characters past the width stay on the line rather than alone on the next");
	free(got);
}

static void test_shapes(void)
{
	TAP_STR_EQ(dot_shape(KIND_IMAGE), "ellipse", "a source is an ellipse, as dump-llb draws it");
	TAP_STR_EQ(dot_shape(KIND_EXEC), "box", "an exec is a box");
	TAP_STR_EQ(dot_shape(KIND_FILE), "note", "a file op is a note");
	TAP_STR_EQ(dot_shape(KIND_UNKNOWN), "plaintext", "what cannot be told is plain text");
}

int main(void)
{
	test_quoting();
	test_wrapping();
	test_shapes();
	return tap_done();
}
