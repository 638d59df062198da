/*
 * Unit tests of plain_render: plaintext records as lines for people, and
 * every byte of them safe for a terminal.
 */
#include "core/base64.h"
#include "core/escape.h"
#include "core/plain_render.h"
#include "core/xalloc.h"
#include "tests/tap.h"
#include "tests/test_graph.h"

#include <stdlib.h>
#include <string.h>

/* Resolves D in G and renders it. */
static struct render_lines render(const struct cs_graph *g, const struct cs_digest *d, bool ascii_only)
{
	struct render_lines out = { 0 };
	struct cs_plain *p;
	struct cs_error err;

	if (plain_resolve(g, d, &p, &err) > 0) {
		render_plain(&out, p, ascii_only);
		plain_free(p);
	}
	return out;
}

/* The lines joined, each as "<depth>|<flags>|text" with flags h(eader) f(oldable) c(loser) l(ink). */
static char *joined(const struct render_lines *r)
{
	struct cs_buf out = CS_BUF_INIT;

	for (size_t i = 0; i < r->count; i++) {
		const struct render_line *l = &r->lines[i];
		buf_printf(&out, "%d|%s%s%s%s|%s\n", l->depth, l->header ? "h" : "", l->foldable ? "f" : "",
			   l->closer ? "c" : "", l->has_link ? "l" : "", l->text);
	}
	return out.len ? buf_detach(&out, NULL) : xstrdup("");
}

static bool all_safe(const struct render_lines *r, bool ascii_only)
{
	for (size_t i = 0; i < r->count; i++) {
		const unsigned char *s = (const unsigned char *)r->lines[i].text;
		for (size_t k = 0; s[k];) {
			uint32_t cp;
			size_t n = utf8_decode(s + k, strlen((const char *)s + k), &cp);
			if (n == 0 || cp < 0x20 || cp == 0x7f || escape_is_unsafe(cp) || (ascii_only && cp >= 0x80))
				return false;
			k += n;
		}
	}
	return true;
}

static void test_json(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest op, link_target;
	char json[400], hex[CS_DIGEST_STRLEN + 1];

	digest_of_bytes("elsewhere", 9, &link_target);
	digest_format(&link_target, hex);
	snprintf(json, sizeof(json),
		 "{\"Type\":\"buildkit.exec.v0\",\"Exec\":{\"meta\":{\"args\":[\"sh\",\"-c\",\"echo \\u001b]0;x\\u0007 \\\"q\\\" \\\\\"],"
		 "\"env\":[]},\"n\":1.5,\"i\":-3,\"b\":true,\"z\":null},\"Ref\":\"%s\"}", hex);
	tg_record(t, "json", json, &op);
	struct cs_graph *g = tg_finish(t);
	struct render_lines r = render(g, &op, false);
	char *text = joined(&r);
	char want[2000];
	char own[CS_DIGEST_STRLEN + 1];
	digest_format(&op, own);
	snprintf(want, sizeof(want),
		 "0|hfl|%s (json)\n"
		 "1|f|{\n"
		 "2||\"Type\": \"buildkit.exec.v0\",\n"
		 "2|f|\"Exec\": {\n"
		 "3|f|\"meta\": {\n"
		 "4|f|\"args\": [\n"
		 "5||\"sh\",\n"
		 "5||\"-c\",\n"
		 "5||\"echo \\x1b]0;x\\x07 \\\"q\\\" \\\\\"\n"
		 "4|c|],\n"
		 "4||\"env\": []\n"
		 "3|c|},\n"
		 "3||\"n\": 1.5,\n"
		 "3||\"i\": -3,\n"
		 "3||\"b\": true,\n"
		 "3||\"z\": null\n"
		 "2|c|},\n"
		 "2|l|\"Ref\": \"%s\"\n"
		 "1|c|}\n",
		 own, hex);
	TAP_STR_EQ(text, want, "JSON: one member a line, nested by depth, openers foldable, closers marked, "
			       "controls escaped as on every screen, quotes as JSON, digests linked");
	TAP_OK(r.records == 1 && r.lines[0].record == 0 && r.lines[5].record == 0, "JSON: one record, every line in it");
	TAP_OK(all_safe(&r, false), "JSON: every line terminal-safe");
	free(text);
	render_lines_free(&r);

	r = render(g, &op, true);
	TAP_OK(all_safe(&r, true), "JSON for an ASCII screen: ASCII only");
	render_lines_free(&r);
	graph_free(g);
}

static void test_file_op_actions(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest op;
	struct cs_buf action = CS_BUF_INIT;
	char json[400];

	base64_encode(&action, "{\"src\":\"hi\",\"dest\":\"/\"}", 23);
	snprintf(json, sizeof(json), "{\"Type\":\"buildkit.file.v0\",\"Actions\":[\"%s\"]}", action.data);
	tg_record(t, "json", json, &op);
	struct cs_graph *g = tg_finish(t);
	struct render_lines r = render(g, &op, false);
	char *text = joined(&r);
	TAP_OK(strstr(text, "4||\"src\": \"hi\",\n4||\"dest\": \"/\"\n") && !strstr(text, action.data),
	       "file op: its base64 actions decoded to JSON in place");
	free(text);
	render_lines_free(&r);
	graph_free(g);
	buf_free(&action);
}

static void test_lists(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest strings, digests, files, file, a, b, text_record;
	char list[200], da[CS_DIGEST_STRLEN + 1], db[CS_DIGEST_STRLEN + 1];

	tg_record_len(t, "string-list", "/go.sum\0/go.mod", 15, &strings);
	digest_of_bytes("a", 1, &a);
	digest_of_bytes("b", 1, &b);
	digest_format(&a, da);
	digest_format(&b, db);
	snprintf(list, sizeof(list), "%s", da);
	snprintf(list + CS_DIGEST_STRLEN + 1, sizeof(list) - CS_DIGEST_STRLEN - 1, "%s", db);
	tg_record_len(t, "digest-list", list, 2 * CS_DIGEST_STRLEN + 1, &digests);
	const char *parts[] = { "\0src\0main.go", da, "util.go", db };
	const size_t lens[] = { 12, CS_DIGEST_STRLEN, 7, CS_DIGEST_STRLEN };
	digest_of_bytes("dir", 3, &files);
	tg_store_parts(t, &files, "file-list", parts, lens, 4);
	const char *headers[] = { "name", "mode420", "uid0", "typeflag0" };
	const size_t header_lens[] = { 4, 7, 4, 9 };
	struct cs_buf run = CS_BUF_INIT;
	tg_frame(&run, CS_FRAME_TYPE, "file", 4);
	for (int i = 0; i < 4; i++)
		tg_frame(&run, CS_FRAME_DATA, headers[i], header_lens[i]);
	tg_frame(&run, CS_FRAME_SKIP, "\x06\x01\x00\x00", 4);
	digest_of_bytes("file", 4, &file);
	plainstore_memory_add(t->store, &file, run.data, run.len);
	buf_reset(&run);
	tg_frame(&run, CS_FRAME_TYPE, "string", 6);
	tg_frame(&run, CS_FRAME_DATA, "line one\nright\xe2\x80\xaeleft\xff", 22);
	tg_frame(&run, CS_FRAME_SKIP, "\x10\x00\x00\x00", 4);
	digest_of_bytes("text", 4, &text_record);
	plainstore_memory_add(t->store, &text_record, run.data, run.len);
	buf_free(&run);
	struct cs_graph *g = tg_finish(t);

	struct render_lines r = render(g, &strings, false);
	TAP_OK(r.count == 3 && strcmp(r.lines[1].text, "/go.sum") == 0 && strcmp(r.lines[2].text, "/go.mod") == 0,
	       "string-list: one item a line");
	render_lines_free(&r);

	r = render(g, &digests, false);
	/* the digests are no records here: no sub-records, two linked lines */
	TAP_OK(r.count == 3 && r.lines[1].has_link && digest_eq(&r.lines[1].link, &a) && r.lines[2].has_link &&
	       digest_eq(&r.lines[2].link, &b), "digest-list: one digest a line, each a link");
	render_lines_free(&r);

	r = render(g, &files, false);
	char want[300];
	snprintf(want, sizeof(want), "/src/main.go \xe2\x86\x92 %s", da);
	TAP_STR_EQ(r.count > 1 ? r.lines[1].text : "", want, "file-list: path -> digest, contenthash's NULs as /");
	snprintf(want, sizeof(want), "/util.go \xe2\x86\x92 %s", db);
	TAP_STR_EQ(r.count > 2 ? r.lines[2].text : "", want, "file-list: a fixture's relative path gets its /");
	TAP_OK(r.count > 2 && r.lines[1].has_link && digest_eq(&r.lines[2].link, &b), "file-list: each line links its digest");
	render_lines_free(&r);
	r = render(g, &files, true);
	TAP_OK(r.count > 1 && strstr(r.lines[1].text, "/src/main.go -> sha256:"), "file-list on an ASCII screen: ->");
	render_lines_free(&r);

	r = render(g, &file, false);
	char *text = joined(&r);
	TAP_OK(strstr(text, "1||name: \n1||mode: 420\n1||uid: 0\n1||typeflag: 0\n1||262 bytes not kept\n") != NULL,
	       "file: tarsum headers as fields, content as \"N bytes not kept\" (u32 little-endian)");
	free(text);
	render_lines_free(&r);

	r = render(g, &text_record, false);
	text = joined(&r);
	TAP_OK(strstr(text, "1||line one\n1||right\\u202eleft\\xff\n1||16 bytes not kept\n") != NULL,
	       "string: a line a line, bidi override and invalid UTF-8 escaped, skip frames after");
	TAP_OK(all_safe(&r, false), "string: every line terminal-safe");
	free(text);
	render_lines_free(&r);
	r = render(g, &text_record, true);
	TAP_OK(all_safe(&r, true), "string on an ASCII screen: ASCII only");
	render_lines_free(&r);
	graph_free(g);
}

static void test_records(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest op, link;

	tg_record(t, "json", "{\"Type\":\"buildkit.exec.v0\"}", &op);
	tg_output_key(t, &op, 0, &link);
	struct cs_graph *g = tg_finish(t);
	struct render_lines r = render(g, &link, false);
	char *text = joined(&r);
	char want[600], l[CS_DIGEST_STRLEN + 1], o[CS_DIGEST_STRLEN + 1];
	digest_format(&link, l);
	digest_format(&op, o);
	snprintf(want, sizeof(want),
		 "0|hfl|%s (string)\n1|l|%s@0\n1|hfl|%s (json)\n2|f|{\n3||\"Type\": \"buildkit.exec.v0\"\n2|c|}\n", l, o, o);
	TAP_STR_EQ(text, want, "a link digest: its string, then the op it mentions one level down");
	TAP_OK(r.records == 2 && r.lines[1].record == 0 && r.lines[2].record == 1, "sub-records count as records");
	free(text);
	render_lines_free(&r);

	struct cs_plain *p;
	struct cs_error err;
	plain_resolve(g, &link, &p, &err);
	char *summary = render_selector_summary(p);
	TAP_OK(strncmp(summary, o, CS_DIGEST_STRLEN) == 0, "selector summary of a string: its text");
	free(summary);
	plain_free(p);
	graph_free(g);
}

static void test_limits(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest big;
	size_t n = RENDER_MAX_LINES + 500;
	char *list = xmalloc(n * 2);

	for (size_t i = 0; i < n; i++) {
		list[2 * i] = 'x';
		list[2 * i + 1] = '\0';
	}
	tg_record_len(t, "string-list", list, n * 2 - 1, &big);
	struct cs_graph *g = tg_finish(t);
	struct render_lines r = render(g, &big, false);
	TAP_OK(r.count == RENDER_MAX_LINES && r.dropped == n + 1 - RENDER_MAX_LINES,
	       "a record of %zu items: %d lines kept, the rest counted", n, RENDER_MAX_LINES);
	render_note_dropped(&r);
	TAP_OK(r.count == RENDER_MAX_LINES + 1 && strcmp(r.lines[r.count - 1].text, "(501 more lines not shown)") == 0,
	       "and said so in a last line");
	render_lines_free(&r);
	graph_free(g);
	free(list);

	struct render_lines added = { 0 };
	render_add(&added, 2, "a\x1b" "b", 3, false, NULL);
	TAP_STR_EQ(added.lines[0].text, "a\\x1bb", "render_add escapes what it is given");
	render_lines_free(&added);
}

int main(void)
{
	test_json();
	test_file_op_actions();
	test_lists();
	test_records();
	test_limits();
	return tap_done();
}
