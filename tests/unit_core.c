/*
 * Unit tests of the core's small parts: digests, the graph builder's
 * ordering rules, plaintext frames and mentions, escaping, base64 and the
 * JSON helpers. The readers are tested end to end on fixtures elsewhere.
 */
#include "core/base64.h"
#include "core/digest.h"
#include "core/escape.h"
#include "core/graph_build.h"
#include "core/json_flat.h"
#include "core/json_write.h"
#include "core/page_warm.h"
#include "core/plaintext.h"
#include "core/plainstore.h"
#include "core/xalloc.h"
#include "tests/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static const char *digest_text(const struct cs_digest *d)
{
	static char text[CS_DIGEST_STRLEN + 1]; /* tests only: one at a time */

	digest_format(d, text);
	return text;
}

static void test_digests(void)
{
	struct cs_digest d, e;
	struct cs_digests t;

	digest_of_bytes("/", 1, &d);
	TAP_OK(digest_eq(&d, &digest_of_root_path), "sha256(\"/\") is the root path digest");
	TAP_STR_EQ(digest_text(&d), "sha256:8a5edab282632443219e051e4ade2d1d5bbc671c781051bf1437897cbdfea0f1",
		   "digest formats as sha256:<hex>");
	TAP_OK(digest_parse("sha256:8A5edab282632443219e051e4ade2d1d5bbc671c781051bf1437897cbdfea0f1", 71, &e) < 0,
	       "uppercase hex is refused, as go-digest does");
	TAP_OK(digest_parse("sha256:8a5e", 11, &e) < 0, "short digest is refused");
	TAP_OK(digest_parse("sha512:8a5edab282632443219e051e4ade2d1d5bbc671c781051bf1437897cbdfea0f1", 71, &e) < 0,
	       "other algorithms are refused");

	/* seed-6076: outputKey(exec op, 0) is the published link digest */
	digest_parse("sha256:6eeaec2f161bb1b76627557b14a4526acfdd07624d6030206e2f9215abf8bcbe", 71, &d);
	digest_output_key(&d, 0, &e);
	TAP_STR_EQ(digest_text(&e), "sha256:cc01ae207aafb5c2c02bdb521a92039d3ee0f1ca84075b1a9307a50316c7b353",
		   "outputKey(op, 0) folds the output in");

	digests_init(&t);
	for (int i = 0; i < 5000; i++) {
		digest_of_bytes(&i, sizeof(i), &d);
		if (digests_intern(&t, &d) != (cs_dig)i)
			break;
	}
	TAP_OK(t.count == 5000, "interning gives dense indexes");
	int again = 1234;
	digest_of_bytes(&again, sizeof(again), &d);
	TAP_OK(digests_intern(&t, &d) == 1234 && digests_find(&t, &d) == 1234, "interning is idempotent");
	digests_free(&t);
}

/* A tiny store: node names are their keys; roots get digests of their name. */
static uint32_t root(struct cs_builder *b, struct cs_graph *g, const char *key)
{
	struct cs_digest d;
	uint32_t n = builder_node(b, key, strlen(key));

	digest_of_bytes(key, strlen(key), &d);
	builder_root(b, n, digests_intern(&g->digests, &d), false);
	return n;
}

static cs_dig dig(struct cs_graph *g, const char *text)
{
	struct cs_digest d;

	digest_of_bytes(text, strlen(text), &d);
	return digests_intern(&g->digests, &d);
}

static void test_builder_orders_like_the_daemon(void)
{
	struct cs_graph *g = graph_new("test", "test");
	struct cs_builder *b = builder_new(g, CS_ORDER_STORE_WALK);
	struct cs_error err;

	uint32_t r2 = root(b, g, "sha256:bbbb");
	uint32_t r1 = root(b, g, "sha256:aaaa");
	uint32_t p = builder_node(b, "p", 1), q = builder_node(b, "q", 1);
	uint32_t x = builder_node(b, "x", 1);
	uint32_t orphan = builder_node(b, "orphan", 6);
	uint32_t orphan_child = builder_node(b, "orphan-child", 12);
	cs_dig low = dig(g, "op-low"), high = dig(g, "op-high"), same = dig(g, "op-x");
	if (digest_cmp(digests_at(&g->digests, low), digests_at(&g->digests, high)) > 0) {
		cs_dig t = low;
		low = high;
		high = t;
	}
	/*
	 * The store walks r1 -> p before r1 -> q, so x meets p first; but q's
	 * link digest sorts first, so q is numbered before p. The daemon
	 * prints x's equal parents in the order it met them: p, then q.
	 */
	builder_link(b, r1, p, 0, 0, high, CS_DIG_NONE);
	builder_link(b, r1, q, 0, 0, low, CS_DIG_NONE);
	builder_link(b, p, x, 0, 0, same, CS_DIG_NONE);
	builder_link(b, q, x, 0, 0, same, CS_DIG_NONE);
	builder_link(b, r2, x, 1, 0, same, CS_DIG_NONE);
	builder_link(b, orphan, orphan_child, 0, 0, same, CS_DIG_NONE);
	builder_result(b, x, strings_add(&g->strings, "res", 3), CS_STR_NONE, CS_NONE);
	TAP_OK(builder_finish(b, &err) == 0, "builder finishes");
	builder_free(b);

	TAP_OK(g->node_count == 5, "keys no root reaches are dropped (%u nodes)", g->node_count);
	TAP_STR_EQ(graph_key(g, 0), "sha256:aaaa", "roots sort by store ID");
	TAP_STR_EQ(graph_key(g, 1), "q", "children go by link digest");
	TAP_STR_EQ(graph_key(g, 2), "x", "depth-first: q's child before q's sibling");
	TAP_STR_EQ(graph_key(g, 3), "p", "then the sibling");
	TAP_STR_EQ(graph_key(g, 4), "sha256:bbbb", "the second root after the first's subtree");
	TAP_OK(graph_parent_count(g, 2) == 3, "x has three parents");
	TAP_OK(graph_parent(g, 2, 0)->parent == 3 && graph_parent(g, 2, 1)->parent == 1,
	       "equal parents keep the order the daemon's load met them (p, then q)");
	TAP_OK(graph_parent(g, 2, 2)->parent == 4 && graph_parent(g, 2, 2)->input == 1,
	       "parents sort by input first");
	TAP_OK(graph_result_count(g, 2) == 1, "results follow their node");
	TAP_OK(g->root_count == 2, "two roots");
	graph_free(g);
}

static void test_builder_refuses_cycles(void)
{
	struct cs_graph *g = graph_new("test", "test");
	struct cs_builder *b = builder_new(g, CS_ORDER_STORE_WALK);
	struct cs_error err = { "" };
	uint32_t r = root(b, g, "sha256:root");
	uint32_t a = builder_node(b, "a", 1), c = builder_node(b, "c", 1);

	builder_link(b, r, a, 0, 0, dig(g, "1"), CS_DIG_NONE);
	builder_link(b, a, c, 0, 0, dig(g, "2"), CS_DIG_NONE);
	builder_link(b, c, a, 0, 0, dig(g, "3"), CS_DIG_NONE);
	TAP_OK(builder_finish(b, &err) < 0 && strstr(err.msg, "circular"), "a cycle is refused: %s", err.msg);
	builder_free(b);
	graph_free(g);
}

static void test_builder_deep_chain(void)
{
	struct cs_graph *g = graph_new("test", "test");
	struct cs_builder *b = builder_new(g, CS_ORDER_STORE_WALK);
	struct cs_error err;
	uint32_t prev = root(b, g, "sha256:base");
	cs_dig d = dig(g, "step");
	char key[32];

	/* deep enough to overflow any recursive walk */
	for (int i = 0; i < 300000; i++) {
		snprintf(key, sizeof(key), "k%07d", i);
		uint32_t n = builder_node(b, key, strlen(key));
		builder_link(b, prev, n, 0, 0, d, CS_DIG_NONE);
		prev = n;
	}
	TAP_OK(builder_finish(b, &err) == 0 && g->node_count == 300001, "a 300 000-deep chain is numbered");
	TAP_STR_EQ(graph_key(g, g->node_count - 1), "k0299999", "in order");
	builder_free(b);
	graph_free(g);
}

static void test_frames(void)
{
	static const unsigned char run[] = {
		0, 0, 0, 1, 0, 0, 0, 4, 'f', 'i', 'l', 'e',
		0, 0, 0, 2, 0, 0, 0, 2, 'h', 'i',
		0, 0, 0, 3, 0, 0, 0, 4, 0x10, 0x27, 0, 0,
		0, 0, 0, 9, 0, 0, 0, 0,
	};
	struct cs_bytes type;
	struct cs_frame *frames;
	size_t count;
	struct cs_error err;

	TAP_OK(frames_decode(cs_bytes_of(run, sizeof(run)), &type, &frames, &count, &err) == 0,
	       "a frame run decodes");
	TAP_OK(cs_bytes_eq(type, "file") && count == 2, "type frame taken, unknown frame ids dropped");
	TAP_OK(frame_skip_count(&frames[1]) == 10000, "skip count is little-endian");
	free(frames);
	TAP_OK(frames_decode(cs_bytes_of(run, sizeof(run) - 1), &type, &frames, &count, &err) < 0,
	       "a truncated run is an invalid encoding: %s", err.msg);
	unsigned char big[8] = { 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff };
	TAP_OK(frames_decode(cs_bytes_of(big, sizeof(big)), &type, &frames, &count, &err) < 0,
	       "a frame longer than its record is refused");
}

static void test_mentions(void)
{
	const char *hex = "8a5edab282632443219e051e4ade2d1d5bbc671c781051bf1437897cbdfea0f1";
	char text[512];
	struct cs_digest found[8];
	size_t n;

	snprintf(text, sizeof(text), "sha256:%s@0 and xsha256:%s and sha256:%s0 and (sha256:%s)", hex, hex, hex, hex);
	n = plain_mentions(cs_bytes_str("string"), (const unsigned char *)text, strlen(text), found, 8);
	TAP_OK(n == 2, "string: only word-bounded sha256 digests count (%zu)", n);
	n = plain_mentions(cs_bytes_str("json"), (const unsigned char *)text, strlen(text), found, 8);
	TAP_OK(n == 0, "json records have no sub-records");

	char list[200];
	int len = snprintf(list, sizeof(list), "sha256:%s", hex);
	list[len++] = '\0';
	memcpy(list + len, "not-a-digest", 12);
	len += 12;
	n = plain_mentions(cs_bytes_str("digest-list"), (const unsigned char *)list, (size_t)len, found, 8);
	TAP_OK(n == 1, "digest-list: NUL-separated, invalid parts skipped");

	len = snprintf(list, sizeof(list), "src/a.gosha256:%s", hex);
	n = plain_mentions(cs_bytes_str("file-list"), (const unsigned char *)list, (size_t)len, found, 8);
	TAP_OK(n == 1 && digest_eq(&found[0], &digest_of_root_path), "file-list: a part's last sha256");
}

struct self_store {
	struct cs_plainstore base;
};

static void test_resolve_guards(void)
{
	struct cs_graph *g = graph_new("test", "test");
	struct cs_plainstore *s = plainstore_memory_new("mem");
	struct cs_digest a, b;
	struct cs_plain *p;
	struct cs_error err;
	unsigned char run[256];
	char da[CS_DIGEST_STRLEN + 1], db[CS_DIGEST_STRLEN + 1];

	digest_of_bytes("a", 1, &a);
	digest_of_bytes("b", 1, &b);
	digest_format(&a, da);
	digest_format(&b, db);
	/* a mentions b, b mentions a: a cycle no real hash could make */
	for (int i = 0; i < 2; i++) {
		const char *mention = i ? da : db;
		size_t n = 0;
		memcpy(run + n, "\0\0\0\1\0\0\0\6string", 14);
		n += 14;
		memcpy(run + n, "\0\0\0\2\0\0\0\x47", 8);
		n += 8;
		memcpy(run + n, mention, 71);
		n += 71;
		plainstore_memory_add(s, i ? &b : &a, run, n);
	}
	graph_add_plainstore(g, s);
	TAP_OK(plain_resolve(g, &a, &p, &err) == 1, "a record that mentions itself through another resolves");
	TAP_OK(p && p->sub_count == 1 && p->subs[0]->sub_count == 0, "the cycle is cut where it closes");
	plain_free(p);
	TAP_OK(plain_resolve(g, &digest_of_root_path, &p, &err) == 1 && p->frame_count == 1 &&
		       cs_bytes_eq(p->type, "string"),
	       "the digest of / resolves to the string / without a store");
	plain_free(p);
	graph_free(g);
}

static void test_escape(void)
{
	struct cs_buf out = CS_BUF_INIT;
	const char *evil = "a\x1b]52;c;eA==\x07 b\xc2\x9b c\xe2\x80\xae d\xff e\x7f \t\xf0\x9f\x98\x80";

	escape_append(&out, evil, strlen(evil), 0);
	TAP_STR_EQ(out.data, "a\\x1b]52;c;eA==\\x07 b\\u009b c\\u202e d\\xff e\\x7f \\t\xf0\x9f\x98\x80",
		   "controls, C1, bidi and bad bytes are made visible; emoji pass");
	buf_reset(&out);
	escape_append(&out, "\xc0\xaf\xed\xa0\x80", 5, 0);
	TAP_STR_EQ(out.data, "\\xc0\\xaf\\xed\\xa0\\x80", "overlong and surrogate encodings are invalid");
	buf_reset(&out);
	escape_append(&out, "caf\xc3\xa9\n", 6, ESCAPE_ASCII_ONLY);
	TAP_STR_EQ(out.data, "caf\\u00e9\\n", "ASCII-only mode escapes non-ASCII");
	buf_free(&out);
}

static void test_base64(void)
{
	struct cs_buf out = CS_BUF_INIT;

	base64_encode(&out, "hello", 5);
	TAP_STR_EQ(out.data, "aGVsbG8=", "base64 encodes with padding");
	buf_reset(&out);
	TAP_OK(base64_decode(&out, "aGVsbG8=", 8) == 0 && strcmp(out.data, "hello") == 0, "and decodes");
	buf_reset(&out);
	TAP_OK(base64_decode(&out, "aGVsbG8", 7) < 0, "missing padding is refused");
	TAP_OK(base64_decode(&out, "aGV*bG8=", 8) < 0, "stray characters are refused");
	buf_free(&out);
}

static void test_json_helpers(void)
{
	struct json_flat_field f[] = {
		{ .name = "Input", .kind = JSON_FLAT_INT },
		{ .name = "Digest", .kind = JSON_FLAT_STRING },
	};
	struct cs_error err;
	const char *link = "{\"input\":3, \"Other\":{\"x\":[1,2,{\"y\":null}]}, \"Digest\":\"sha256:ab\"}";

	TAP_OK(json_flat_parse(cs_bytes_str(link), f, 2, &err) == 0, "flat object parses");
	TAP_OK(f[0].present && f[0].number == 3, "field names match case-insensitively, as Go does");
	TAP_OK(cs_bytes_eq(f[1].string, "sha256:ab"), "string fields are returned");
	TAP_OK(json_flat_parse(cs_bytes_str("{\"Input\":1.5}"), f, 2, &err) < 0, "non-integers are refused");
	TAP_OK(json_flat_parse(cs_bytes_str("{\"Input\":1} x"), f, 2, &err) < 0, "trailing bytes are refused");
	TAP_OK(json_flat_parse(cs_bytes_str("{\"Input\":99999999999999999999}"), f, 2, &err) < 0,
	       "out-of-range numbers are refused");

	struct cs_buf out = CS_BUF_INIT;
	json_write_string(&out, "<a&b>\"\\\x01\n\xff\xe2\x80\xa8", 13);
	TAP_STR_EQ(out.data, "\"\\u003ca\\u0026b\\u003e\\\"\\\\\\u0001\\n\\ufffd\\u2028\"",
		   "JSON strings escape as Go's encoder does");
	buf_free(&out);
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * Page faults taken reading one byte of each page of MAP. Not instrumented:
 * under ASan each read would also touch its shadow byte, and the shadow
 * pages' own first faults (one per 8 pages) would be counted as ours.
 */
__attribute__((no_sanitize_address))
static long faults_touching(const unsigned char *map, size_t size, size_t page)
{
	unsigned sum = 0;
	long before = minor_faults();

	for (size_t at = 0; at < size; at += page)
		sum += *(const volatile unsigned char *)(map + at);
	(void)sum;
	return minor_faults() - before;
}

/* The threads this process has now (/proc/self/status), -1 if unknown. */
static int thread_count(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

static void test_page_warmer(void)
{
	char path[] = "/tmp/cachescope-warm-XXXXXX";
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = 4096 * page;
	int fd = mkstemp(path);
	unsigned char *block = xcalloc(1, page);

	TAP_OK(fd >= 0, "a scratch file to map");
	if (fd < 0)
		return;
	unlink(path);
	/* written, so its pages are in the page cache: the warmer touches only those */
	for (size_t at = 0; at < size; at += page) {
		block[0] = (unsigned char)(at / page);
		if (write(fd, block, page) != (ssize_t)page)
			break;
	}
	free(block);
	const unsigned char *cold = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	long cold_faults = faults_touching(cold, size, page);
	munmap((void *)cold, size);
	TAP_OK(cold_faults >= 32, "reading a fresh mapping of 4096 pages faults (%ld times)", cold_faults);

	const unsigned char *warm = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	page_warmer_finish(page_warmer_start(warm, size));
	long warm_faults = faults_touching(warm, size, page);
	TAP_OK(warm_faults <= 2, "after warming, reading it all faults %ld times", warm_faults);
	TAP_OK(warm[100 * page] == 100, "the warmed mapping reads the file");
	munmap((void *)warm, size);

	const unsigned char *mapped = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	page_map_resident(mapped, size);
	long mapped_faults = faults_touching(mapped, size, page);
	TAP_OK(mapped_faults <= 2, "after page_map_resident, reading it all faults %ld times", mapped_faults);
	TAP_OK(mapped[4095 * page] == 255, "the mapping reads the file");
	munmap((void *)mapped, size);

	/* stopped: when page_warmer_stop returns its thread is gone, so the map may go */
	int threads = thread_count();
	const unsigned char *again = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	struct page_warmer *w = page_warmer_start(again, size);
	TAP_OK(w != NULL, "a warmer starts on a fresh mapping");
	page_warmer_stop(w);
	TAP_OK(threads > 0 && thread_count() == threads,
	       "stopped, its thread is joined: %d threads, as before it started (%d)", thread_count(), threads);
	munmap((void *)again, size);
	page_warmer_stop(NULL);
	close(fd);
}

int main(void)
{
	test_digests();
	test_builder_orders_like_the_daemon();
	test_builder_refuses_cycles();
	test_builder_deep_chain();
	test_frames();
	test_mentions();
	test_resolve_guards();
	test_escape();
	test_base64();
	test_json_helpers();
	test_page_warmer();
	return tap_done();
}
