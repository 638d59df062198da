/*
 * Unit tests of describe: the kind and one-line summary of a key, from
 * plaintexts as BuildKit writes them (solver/llbsolver/ops, source/,
 * cache/contenthash) and as the fixtures simplify them.
 */
#include "core/base64.h"
#include "core/describe.h"
#include "core/xalloc.h"
#include "tests/tap.h"
#include "tests/test_graph.h"

#include <stdlib.h>
#include <string.h>

struct described_node {
	enum cs_kind kind;
	char text[512];
	size_t len;
};

static struct described_node describe(const struct cs_graph *g, cs_node_id n)
{
	struct described_node out = { KIND_UNKNOWN, "(none)", 0 };
	struct cs_description d;
	struct cs_error err;

	if (n == CS_NONE || describe_node(g, n, &d, &err) < 0) {
		snprintf(out.text, sizeof(out.text), "(error)");
		return out;
	}
	out.kind = d.kind;
	if (d.summary) {
		out.len = d.summary_len < sizeof(out.text) - 1 ? d.summary_len : sizeof(out.text) - 1;
		memcpy(out.text, d.summary, out.len);
		out.text[out.len] = '\0';
	}
	description_free(&d);
	return out;
}

/* A graph of one image root and one child made by the op whose JSON is OP_JSON; describes the child. */
static struct described_node describe_op(const char *op_json)
{
	struct test_graph *t = tg_new();
	struct cs_digest source, op;

	tg_record(t, "string", "buildkit.source.v0:sha256:1111111111111111111111111111111111111111111111111111111111111111", &source);
	tg_record(t, "json", op_json, &op);
	uint32_t root = tg_root(t, &source, false);
	tg_child(t, root, &op, 0, NULL);
	struct cs_graph *g = tg_finish(t);
	struct described_node d = describe(g, tg_node_of(g, &op));
	graph_free(g);
	return d;
}

/* A root whose source identifier is ID, its key JSON (if any) being KEY_JSON. */
static struct described_node describe_source(const char *id, const char *key_json, bool random)
{
	struct test_graph *t = tg_new();
	struct cs_digest source, key;
	char text[512];

	if (key_json) {
		tg_record(t, "json", key_json, &key);
		digest_format(&key, text + snprintf(text, sizeof(text), "buildkit.source.v0:"));
	} else {
		snprintf(text, sizeof(text), "buildkit.source.v0:%s", id);
	}
	tg_record(t, "string", text, &source);
	tg_root(t, &source, random);
	struct cs_graph *g = tg_finish(t);
	struct described_node d = describe(g, 0);
	graph_free(g);
	return d;
}

static char *base64_of(const char *text)
{
	struct cs_buf out = CS_BUF_INIT;

	base64_encode(&out, text, strlen(text));
	return buf_detach(&out, NULL);
}

static void test_exec(void)
{
	struct described_node d = describe_op(
		"{\"Type\":\"buildkit.exec.v0\",\"Exec\":{\"meta\":{\"args\":[\"/bin/sh\",\"-c\",\"echo hi > /x\"],"
		"\"cwd\":\"/\"},\"mounts\":[{\"dest\":\"/\"}]},\"OS\":\"linux\",\"Arch\":\"amd64\"}");
	TAP_OK(d.kind == KIND_EXEC, "exec: kind");
	TAP_STR_EQ(d.text, "/bin/sh -c 'echo hi > /x'", "exec: the command line, quoted as typed");

	d = describe_op("{\"Type\":\"buildkit.exec.v0\",\"Exec\":{\"meta\":{\"args\":[\"printf\",\"a\\u0000b\",\"it's\"]}}}");
	TAP_OK(d.len == strlen("printf 'a") + 1 + strlen("b' 'it'\\''s'") && memcmp(d.text, "printf 'a\0b' 'it'\\''s'", d.len) == 0,
	       "exec: a NUL in an argument is kept (summary_len counts it); a quote is quoted");

	d = describe_op("{\"Type\":\"buildkit.exec.v0\",\"Exec\":{\"meta\":{}}}");
	TAP_OK(d.kind == KIND_EXEC && d.len == 0, "exec without args: the kind, no summary");
}

static void test_file_ops(void)
{
	/* what BuildKit writes: each action typed, base64 JSON, without its verb */
	char *copy = base64_of("{\"src\":\"hi\",\"dest\":\"/app/\",\"mode\":-1,\"owner\":{\"user\":{\"ByID\":{}}}}");
	char *mkdir = base64_of("{\"path\":\"/out\",\"mode\":493,\"makeParents\":true}");
	char *mkfile = base64_of("{\"path\":\"/etc/x\",\"mode\":420,\"data\":\"aGk=\"}");
	char *rm = base64_of("{\"path\":\"/tmp\",\"allowNotFound\":true}");
	char *symlink = base64_of("{\"oldpath\":\"/a\",\"newpath\":\"/b\"}");
	char json[2048];

	snprintf(json, sizeof(json), "{\"Type\":\"buildkit.file.v0\",\"Actions\":[\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"],"
		 "\"indexes\":[[0,1,0],[-1,-1,1],[2,-1,3],[3,-1,4],[4,-1,5]]}", copy, mkdir, mkfile, rm, symlink);
	struct described_node d = describe_op(json);
	TAP_OK(d.kind == KIND_FILE, "file op: kind");
	TAP_STR_EQ(d.text, "copy hi -> /app/; mkdir /out; mkfile /etc/x; rm /tmp; symlink /a -> /b",
		   "file op as BuildKit writes it: each action's verb from its fields");

	/* a whole pb.FileAction, as the fixtures write it */
	char *wrapped = base64_of("{\"input\":0,\"secondaryInput\":1,\"output\":0,\"Action\":{\"copy\":{\"src\":\"/hello\","
				  "\"dest\":\"/\",\"mode\":-1}}}");
	snprintf(json, sizeof(json), "{\"Type\":\"buildkit.file.v0\",\"Actions\":[\"%s\"]}", wrapped);
	d = describe_op(json);
	TAP_STR_EQ(d.text, "copy /hello -> /", "file op with wrapped actions: the verb is the member's name");

	d = describe_op("{\"Type\":\"buildkit.file.v0\",\"Actions\":[\"not base64!\", 7]}");
	TAP_OK(d.kind == KIND_FILE && d.len == 0, "file op with actions that are not base64 JSON: the kind, no summary");
	free(copy);
	free(mkdir);
	free(mkfile);
	free(rm);
	free(symlink);
	free(wrapped);
}

static void test_other_ops(void)
{
	struct described_node d = describe_op("{\"Type\":\"buildkit.merge.v0\",\"Merge\":{\"inputs\":[{},{\"input\":1},{\"input\":2}]}}");
	TAP_OK(d.kind == KIND_MERGE, "merge: kind");
	TAP_STR_EQ(d.text, "merge of 3 inputs", "merge: how many inputs");

	d = describe_op("{\"Type\":\"buildkit.diff.v0\",\"Diff\":{\"lower\":{\"input\":-1},\"upper\":{}}}");
	TAP_OK(d.kind == KIND_DIFF, "diff: kind");
	TAP_STR_EQ(d.text, "lower scratch, upper input 0", "diff: pb's omitempty input 0 and -1 (scratch)");

	d = describe_op("{\"Type\":\"buildkit.build.v0\",\"Exec\":{\"builder\":0,\"attrs\":{\"filename\":\"Dockerfile\"}}}");
	TAP_OK(d.kind == KIND_BUILD, "build: kind");
	TAP_STR_EQ(d.text, "nested build filename=Dockerfile", "build: its attributes");

	d = describe_op("{\"Type\":\"buildkit.passthrough.v0\"}");
	TAP_OK(d.kind == KIND_UNKNOWN, "an op type we do not know: unknown kind");
	TAP_STR_EQ(d.text, "buildkit.passthrough.v0", "an op type we do not know: its type as the summary");

	d = describe_op("[1,2,3");
	TAP_OK(d.kind == KIND_UNKNOWN && d.len == 0, "op JSON that is not JSON: unknown, no summary");
}

static void test_sources(void)
{
	struct described_node d = describe_source(NULL, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
						  "{\"type\":\"layers\",\"diff_ids\":[]},\"ref\":\"docker.io/library/alpine:3.22\"}", false);
	TAP_OK(d.kind == KIND_IMAGE, "image by config: kind");
	TAP_STR_EQ(d.text, "docker.io/library/alpine:3.22", "image by config with a reference (fixtures): the reference");

	d = describe_source(NULL, "{\"Digest\":\"sha256:abababababababababababababababababababababababababababababababab\","
			    "\"OS\":\"linux\",\"Arch\":\"arm64\",\"Variant\":\"v8\"}", false);
	TAP_STR_EQ(d.text, "image sha256:abababababab linux/arm64/v8",
		   "image by manifest key: the manifest digest and platform, starting \"image \" (no reference)");

	d = describe_source(NULL, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
			    "\"diff_ids\":[\"sha256:00\",\"sha256:11\"]}}", false);
	TAP_STR_EQ(d.text, "image config linux/amd64, 2 layers", "image by config without a reference: platform and layers");

	d = describe_source("sha256:9999999999999999999999999999999999999999999999999999999999999999", NULL, false);
	TAP_OK(d.kind == KIND_IMAGE, "image key without plaintext: still an image");
	TAP_STR_EQ(d.text, "image sha256:999999999999", "image key without plaintext: its short digest");

	d = describe_source(NULL, "{\"Filename\":\"app.tar.gz\",\"Perm\":420,\"UID\":0,\"GID\":0,"
			    "\"Checksum\":\"sha256:efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef\"}", false);
	TAP_OK(d.kind == KIND_HTTP, "HTTP download: kind");
	TAP_STR_EQ(d.text, "app.tar.gz (sha256:efefefefefef)", "HTTP download: file name and checksum");

	d = describe_source("0123456789abcdef0123456789abcdef01234567.git#refs/heads/main:sub", NULL, false);
	TAP_OK(d.kind == KIND_GIT, "git: kind (a commit is the identifier)");
	TAP_STR_EQ(d.text, "commit 0123456789ab.git#refs/heads/main:sub", "git: the short commit and what follows");

	d = describe_source("session:context:sha256:8888888888888888888888888888888888888888888888888888888888888888",
			    NULL, true);
	TAP_OK(d.kind == KIND_LOCAL, "local context: kind");
	TAP_STR_EQ(d.text, "local context \"context\"", "local context as BuildKit names it: session:<name>:<digest>");

	d = describe_source("docker-image://busybox", NULL, false);
	TAP_OK(d.kind == KIND_SOURCE, "another identifier: a source");
	TAP_STR_EQ(d.text, "docker-image://busybox", "another identifier: as it is");
}

/* The fixtures' local context: session:<hex of the JSON naming it>. */
static void test_fixture_local(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest name, source;
	char text[200], hex[65];

	tg_record(t, "json", "{\"type\":\"local\",\"name\":\"ctx\"}", &name);
	digest_hex(&name, hex);
	hex[64] = '\0';
	snprintf(text, sizeof(text), "buildkit.source.v0:session:%s", hex);
	tg_record(t, "string", text, &source);
	tg_root(t, &source, true);
	struct cs_graph *g = tg_finish(t);
	struct described_node d = describe(g, 0);
	TAP_STR_EQ(d.text, "local context \"ctx\"", "fixture local context: named by the JSON its digest leads to");
	graph_free(g);
}

static void test_content(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest file, dir, list, missing, list2;
	char text[400], fd[CS_DIGEST_STRLEN + 1], dd[CS_DIGEST_STRLEN + 1];
	const char *headers[] = { "name", "mode420", "uid0", "size0" };
	const size_t header_lens[] = { 4, 7, 4, 5 };

	digest_of_bytes("a file", 6, &file);
	tg_store_parts(t, &file, "file", headers, header_lens, 4);
	digest_format(&file, fd);
	const char *parts[] = { "\0src\0main.go", fd, "\0util.go", fd };
	const size_t lens[] = { 12, CS_DIGEST_STRLEN, 8, CS_DIGEST_STRLEN };
	digest_of_bytes("a dir", 5, &dir);
	tg_store_parts(t, &dir, "file-list", parts, lens, 4);
	digest_format(&dir, dd);
	snprintf(text, sizeof(text), "%s", dd);
	tg_record(t, "digest-list", text, &list);
	digest_of_bytes("not kept", 8, &missing);
	digest_format(&missing, text + snprintf(text, sizeof(text), "%s", fd) + 1);
	tg_record_len(t, "digest-list", text, 2 * CS_DIGEST_STRLEN + 1, &list2);

	/* content roots: rootKey(list, -1) is what their digest names; tg_root uses output 0, which reads the same */
	tg_root(t, &list, false);
	tg_root(t, &list2, false);
	struct cs_graph *g = tg_finish(t);
	struct described_node d = describe(g, tg_node_of(g, &list));
	TAP_OK(d.kind == KIND_CONTENT, "content checksum: kind");
	TAP_STR_EQ(d.text, "/src/main.go, /util.go", "content of a directory: contenthash's NUL-separated paths as paths");
	d = describe(g, tg_node_of(g, &list2));
	TAP_STR_EQ(d.text, "1 file; 1 checksum",
		   "content of a single file (hashed without its name) and of one whose plaintext is gone");
	graph_free(g);
}

static void test_unknown(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest nothing;

	digest_of_bytes("never stored", 12, &nothing);
	tg_root(t, &nothing, false);
	struct cs_graph *g = tg_finish(t);
	struct described_node d = describe(g, 0);
	TAP_OK(d.kind == KIND_UNKNOWN && d.len == 0, "a key whose plaintext is not kept: unknown, no summary");
	graph_free(g);

	static const enum cs_kind kinds[] = { KIND_UNKNOWN, KIND_IMAGE, KIND_LOCAL, KIND_GIT, KIND_HTTP, KIND_SOURCE,
					      KIND_EXEC, KIND_FILE, KIND_MERGE, KIND_DIFF, KIND_BUILD, KIND_CONTENT };
	bool fits = true;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		fits = fits && strlen(kind_name(kinds[i])) <= 7;
	TAP_OK(fits, "every kind's name fits the table's 7-column kind");
}

int main(void)
{
	test_exec();
	test_file_ops();
	test_other_ops();
	test_sources();
	test_fixture_local();
	test_content();
	test_unknown();
	return tap_done();
}
