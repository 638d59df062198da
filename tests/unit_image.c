/*
 * Unit tests of what reads images: the tar reader (core/tar.c) on
 * archives built here header by header, so every field can be bent (names
 * cleaned and kept inside the archive, links followed only to members, pax
 * and GNU long names, base-256 sizes, each way a header or an archive can
 * be wrong), and the layers a real docker save archive gives, which no
 * dump shows. tests/image_archive.test reads whole archives end to end.
 */
#include "core/base64.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/input.h"
#include "core/readers.h"
#include "core/results.h"
#include "core/tar.h"
#include "core/xalloc.h"
#include "tests/tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum magic { POSIX, GNU };

struct header {
	const char *name;
	char type;
	size_t size;
	const char *link;
	const char *prefix;
	enum magic magic;
};

static void checksum(unsigned char *h)
{
	unsigned sum = 0;

	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

static unsigned char *add_header(struct cs_buf *b, const struct header *hd)
{
	unsigned char h[512] = { 0 };

	strncpy((char *)h, hd->name, 100);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011zo", hd->size);
	memcpy(h + 136, "00000000000", 12);
	h[156] = (unsigned char)hd->type;
	if (hd->link)
		strncpy((char *)h + 157, hd->link, 100);
	memcpy(h + 257, hd->magic == GNU ? "ustar  " : "ustar\0" "00", 8);
	if (hd->prefix)
		strncpy((char *)h + 345, hd->prefix, 155);
	checksum(h);
	buf_add(b, h, 512);
	return (unsigned char *)b->data + b->len - 512;
}

static void add_data(struct cs_buf *b, const void *data, size_t len)
{
	static const char zero[512];

	buf_add(b, data, len);
	if (len % 512)
		buf_add(b, zero, 512 - len % 512);
}

static void add_file(struct cs_buf *b, const char *name, const char *text)
{
	struct header h = { name, '0', strlen(text), NULL, NULL, POSIX };

	add_header(b, &h);
	add_data(b, text, strlen(text));
}

static void add_link(struct cs_buf *b, const char *name, char type, const char *target)
{
	struct header h = { name, type, 0, target, NULL, POSIX };

	add_header(b, &h);
}

static void add_end(struct cs_buf *b)
{
	static const char zero[1024];

	buf_add(b, zero, sizeof(zero));
}

/* A pax 'x' header carrying RECORDS ("key=value" each). */
static void add_pax(struct cs_buf *b, const char *const *records, size_t n)
{
	struct cs_buf text = CS_BUF_INIT;
	struct header h = { "PaxHeaders/x", 'x', 0, NULL, NULL, POSIX };

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(records[i]) + 3; /* "N " and "\n", N's own digits added below */
		size_t digits = snprintf(NULL, 0, "%zu", len);
		if (snprintf(NULL, 0, "%zu", len + digits) > (int)digits)
			digits++;
		buf_printf(&text, "%zu %s\n", len + digits - 1, records[i]);
	}
	h.size = text.len;
	add_header(b, &h);
	add_data(b, text.data, text.len);
	buf_free(&text);
}

static struct cs_tar tar;
static struct cs_error err;

/* A stream that gives its bytes 1 to 7 at a time, as a pipe may. */
struct trickle {
	const unsigned char *data;
	size_t len, pos, step;
};

static ssize_t trickle_read(void *ctx, void *buf, size_t len)
{
	struct trickle *t = ctx;
	size_t n = t->len - t->pos;

	t->step = t->step % 7 + 1;
	if (n > t->step)
		n = t->step;
	if (n > len)
		n = len;
	memcpy(buf, t->data + t->pos, n);
	t->pos += n;
	return (ssize_t)n;
}

/* Opens B as a stream, its first block already read (as source.c does): 0 or -1, *OUT set on 0. */
static int open_stream(struct cs_buf *b, struct cs_tar *out, struct cs_error *e)
{
	size_t head = b->len < 512 ? b->len : 512;
	struct trickle t = { (const unsigned char *)b->data + head, b->len - head, 0, 0 };

	return tar_open_stream(out, "t.tar", cs_bytes_of(b->data, head), trickle_read, &t, e);
}

/* What a stream reads of B is what the archive in memory holds: the same members, the same bytes. */
static bool same_as_stream(struct cs_buf *b)
{
	struct cs_tar st;
	struct cs_error e = { "" };
	bool same;

	if (open_stream(b, &st, &e) < 0) {
		printf("# the stream was refused: %s\n", e.msg);
		return false;
	}
	same = st.count == tar.count;
	for (size_t i = 0; same && i < st.count; i++) {
		const struct cs_tar_member *x = &tar.members[i], *y = &st.members[i];
		same = x->type == y->type && x->size == y->size && y->kept &&
		       ((!x->name && !y->name) || (x->name && y->name && strcmp(x->name, y->name) == 0)) &&
		       ((!x->target && !y->target) || (x->target && y->target && strcmp(x->target, y->target) == 0)) &&
		       memcmp(tar_data(&tar, x).ptr, tar_data(&st, y).ptr, x->size) == 0;
	}
	tar_close(&st);
	return same;
}

static int open_buf(struct cs_buf *b)
{
	int rc;

	memset(&err, 0, sizeof(err));
	rc = tar_open(&tar, "t.tar", cs_bytes_of(b->data, b->len), &err);
	if (rc == 0)
		TAP_OK(same_as_stream(b), "  read as a stream, trickling in: the same members");
	return rc;
}

/* The text of the file at PATH, or "(missing)" / "(not a file)". */
static const char *text_at(const char *path)
{
	static char out[256];
	const struct cs_tar_member *m;

	switch (tar_find(&tar, path, &m)) {
	case TAR_FOUND:
		snprintf(out, sizeof(out), "%.*s", (int)m->size, (const char *)tar_data(&tar, m).ptr);
		return out;
	case TAR_NOT_FILE:
		return "(not a file)";
	default:
		return "(missing)";
	}
}

static void test_recognize(void)
{
	struct cs_buf b = CS_BUF_INIT;
	struct header gnu = { "a", '0', 0, NULL, NULL, GNU };

	add_file(&b, "a", "x");
	TAP_OK(tar_recognize(cs_bytes_of(b.data, b.len)), "a POSIX ustar header is a tar");
	buf_reset(&b);
	add_header(&b, &gnu);
	TAP_OK(tar_recognize(cs_bytes_of(b.data, b.len)), "an old GNU header is a tar");
	TAP_OK(!tar_recognize(cs_bytes_of(b.data, 300)), "300 bytes are not a tar");
	b.data[262] = 'x';
	TAP_OK(!tar_recognize(cs_bytes_of(b.data, b.len)), "\"ustarx\" is not ustar magic");
	buf_free(&b);
}

static void test_names(void)
{
	struct cs_buf b = CS_BUF_INIT;

	add_link(&b, "./", '5', NULL);
	add_link(&b, "./a/", '5', NULL);
	add_file(&b, "./a//b.txt", "b");
	add_file(&b, "../escaped", "out");
	add_file(&b, "/etc/passwd", "root");
	add_file(&b, "c/../d", "dotdot");
	add_file(&b, "dup", "first");
	add_file(&b, "dup", "second");
	add_link(&b, "fifo", '6', NULL);
	add_end(&b);
	TAP_OK(open_buf(&b) == 0, "an archive of names opens: %s", err.msg);
	TAP_STR_EQ(text_at("a/b.txt"), "b", "\"./a//b.txt\" is found as a/b.txt");
	TAP_STR_EQ(text_at("./a/./b.txt"), "b", "a lookup is cleaned too");
	TAP_STR_EQ(text_at("x/../a/b.txt"), "b", "a lookup's \"..\" is taken lexically, inside the archive");
	TAP_STR_EQ(text_at("../a/b.txt"), "(missing)", "a lookup climbing out of the archive finds nothing");
	TAP_STR_EQ(text_at("escaped"), "(missing)", "a member named ../escaped never matches");
	TAP_STR_EQ(text_at("../escaped"), "(missing)", "... not even by its own name");
	TAP_STR_EQ(text_at("etc/passwd"), "(missing)", "an absolute member name never matches");
	TAP_STR_EQ(text_at("/etc/passwd"), "(missing)", "... nor does an absolute lookup");
	TAP_STR_EQ(text_at("d"), "(missing)", "a member named c/../d never matches");
	TAP_STR_EQ(text_at("dup"), "second", "of two members with one name, the later counts");
	TAP_STR_EQ(text_at("a"), "(not a file)", "a folder is not a file");
	TAP_STR_EQ(text_at("fifo"), "(not a file)", "a FIFO is not a file");
	TAP_STR_EQ(text_at("nowhere"), "(missing)", "no such member");
	TAP_OK(tar.count == 9, "every member is listed, matchable or not (%zu)", tar.count);
	tar_close(&tar);
	buf_free(&b);
}

static void test_links(void)
{
	struct cs_buf b = CS_BUF_INIT;
	char name[32], target[32];

	add_link(&b, "L1/", '5', NULL);
	add_file(&b, "L1/layer.tar", "layer one");
	add_link(&b, "L2/layer.tar", '2', "../L1/layer.tar");
	add_link(&b, "L3/layer.tar", '2', "/L1/layer.tar");
	add_link(&b, "L4/layer.tar", '2', "../../L1/layer.tar");
	add_link(&b, "L5/layer.tar", '2', "../L2/layer.tar");
	add_link(&b, "hard", '1', "L1/layer.tar");
	add_link(&b, "loop1", '2', "loop2");
	add_link(&b, "loop2", '2', "loop1");
	add_link(&b, "dir-link", '2', "L1");
	/* chain0 -> chain1 -> ... -> chain41 -> L1/layer.tar */
	for (int i = 0; i <= 41; i++) {
		snprintf(name, sizeof(name), "chain%d", i);
		snprintf(target, sizeof(target), i == 41 ? "L1/layer.tar" : "chain%d", i + 1);
		add_link(&b, name, '2', target);
	}
	{
		/* a link with a size field: no data follows it all the same */
		struct header h = { "sized-link", '2', 1000, "L1/layer.tar", NULL, POSIX };
		add_header(&b, &h);
	}
	add_file(&b, "after", "still read");
	{
		/* a hard link with a size field: no data either (Go's archive/tar and Python's tarfile agree) */
		struct header h = { "sized-hard-link", '1', 1000, "L1/layer.tar", NULL, POSIX };
		add_header(&b, &h);
	}
	add_file(&b, "after-hard", "read as well");
	add_end(&b);
	TAP_OK(open_buf(&b) == 0, "an archive of links opens: %s", err.msg);
	TAP_STR_EQ(text_at("L2/layer.tar"), "layer one", "a symlink to ../L1/layer.tar (docker save's shared layers)");
	TAP_STR_EQ(text_at("L5/layer.tar"), "layer one", "a symlink to a symlink");
	TAP_STR_EQ(text_at("L3/layer.tar"), "(missing)", "an absolute symlink leads nowhere");
	TAP_STR_EQ(text_at("L4/layer.tar"), "(missing)", "a symlink climbing out of the archive leads nowhere");
	TAP_STR_EQ(text_at("hard"), "layer one", "a hard link, named from the archive's root");
	TAP_STR_EQ(text_at("loop1"), "(missing)", "a loop of links ends");
	TAP_STR_EQ(text_at("dir-link"), "(not a file)", "a link to a folder is not a file");
	TAP_STR_EQ(text_at("chain2"), "layer one", "40 links in a row are followed");
	TAP_STR_EQ(text_at("chain0"), "(missing)", "42 are not");
	TAP_STR_EQ(text_at("sized-link"), "layer one", "a link's size field brings no data");
	TAP_STR_EQ(text_at("after"), "still read", "... so the next header is where it should be");
	TAP_STR_EQ(text_at("sized-hard-link"), "layer one", "a hard link's size field brings no data");
	TAP_STR_EQ(text_at("after-hard"), "read as well", "... so the header after it is read too");
	tar_close(&tar);
	buf_free(&b);
}

static void test_long_names(void)
{
	struct cs_buf b = CS_BUF_INIT;
	char long_name[300];
	struct header gnu_long = { "././@LongLink", 'L', 0, NULL, NULL, GNU };
	struct header prefixed = { "layer.tar", '0', 1, NULL, "some/prefix", POSIX };
	struct header gnu_prefix = { "plain", '0', 1, NULL, "ignored", GNU };

	memset(long_name, 'n', 250);
	strcpy(long_name + 250, "/layer.tar");
	{
		char record[320];
		snprintf(record, sizeof(record), "path=%s", long_name);
		const char *records[] = { "mtime=1.5", record, "SCHILY.xattr.user.x=y" };
		add_pax(&b, records, 3);
		add_file(&b, "truncated-name", "pax");
	}
	gnu_long.size = strlen("gnu/") + 250 + 1;
	add_header(&b, &gnu_long);
	{
		char name[300];
		snprintf(name, sizeof(name), "gnu/%.250s", long_name);
		add_data(&b, name, strlen(name) + 1);
	}
	add_file(&b, "short", "gnu long");
	add_header(&b, &prefixed);
	add_data(&b, "p", 1);
	add_header(&b, &gnu_prefix);
	add_data(&b, "g", 1);
	{
		const char *records[] = { "size=5" };
		add_pax(&b, records, 1);
		struct header h = { "pax-sized", '0', 0, NULL, NULL, POSIX };
		add_header(&b, &h);
		add_data(&b, "sized", 5);
	}
	add_end(&b);
	TAP_OK(open_buf(&b) == 0, "an archive of long names opens: %s", err.msg);
	TAP_STR_EQ(text_at(long_name), "pax", "a pax path record names the next member");
	TAP_STR_EQ(text_at("truncated-name"), "(missing)", "... instead of its header's name");
	char gnu_name[300];
	snprintf(gnu_name, sizeof(gnu_name), "gnu/%.250s", long_name);
	TAP_STR_EQ(text_at(gnu_name), "gnu long", "a GNU long name names the next member");
	TAP_STR_EQ(text_at("some/prefix/layer.tar"), "p", "a POSIX prefix comes before the name");
	TAP_STR_EQ(text_at("plain"), "g", "old GNU headers have no prefix");
	TAP_STR_EQ(text_at("pax-sized"), "sized", "a pax size record gives the size");
	tar_close(&tar);
	buf_free(&b);
}

/* A pax header of one record LEN bytes long (a comment, which names nothing), then a member. */
static void add_pax_of_len(struct cs_buf *b, size_t len)
{
	struct header h = { "PaxHeaders/big", 'x', len, NULL, NULL, POSIX };
	char *record = xmalloc(len);
	int head = snprintf(record, len, "%zu comment=", len);

	memset(record + head, 'x', len - (size_t)head - 1);
	record[len - 1] = '\n';
	add_header(b, &h);
	add_data(b, record, len);
	free(record);
	add_file(b, "after-pax", "named by its header");
	add_end(b);
}

/* pax records are names, not data: up to 1 MiB of them is read, a byte more is refused. */
static void test_extended_limit(void)
{
	struct cs_buf b = CS_BUF_INIT;

	add_pax_of_len(&b, (size_t)1 << 20);
	TAP_OK(open_buf(&b) == 0, "a pax header of exactly 1 MiB is read: %s", err.msg);
	TAP_STR_EQ(text_at("after-pax"), "named by its header", "... and the member after it");
	tar_close(&tar);
	buf_free(&b);
	add_pax_of_len(&b, ((size_t)1 << 20) + 1);
	TAP_OK(open_buf(&b) < 0 && strstr(err.msg, "t.tar: tar header at byte 0: a 1048577-byte extended header"),
	       "a pax header of 1 MiB and a byte is refused: %s", err.msg);
	buf_free(&b);
}

static void test_base256(void)
{
	struct cs_buf b = CS_BUF_INIT;
	struct header h = { "big", '0', 3, NULL, NULL, GNU };
	unsigned char *at = add_header(&b, &h);

	memset(at + 124, 0, 12);
	at[124] = 0x80;
	at[135] = 3;
	checksum(at);
	add_data(&b, "abc", 3);
	add_end(&b);
	TAP_OK(open_buf(&b) == 0, "a base-256 size is read: %s", err.msg);
	TAP_STR_EQ(text_at("big"), "abc", "... as the number it is");
	tar_close(&tar);
	at = (unsigned char *)b.data;
	at[124] = 0xff;
	checksum(at);
	TAP_OK(open_buf(&b) < 0 && strstr(err.msg, "bad size field"), "a negative base-256 size is refused: %s",
	       err.msg);
	buf_free(&b);
}

/* Builds a two-file archive, lets BEND break it, and expects a refusal saying WANT. */
static void refused(const char *what, void (*bend)(struct cs_buf *), const char *want)
{
	struct cs_buf b = CS_BUF_INIT;

	add_file(&b, "manifest.json", "[]");
	add_file(&b, "layer.tar", "0123456789");
	add_end(&b);
	bend(&b);
	int rc = open_buf(&b);
	TAP_OK(rc < 0 && strstr(err.msg, want) && strncmp(err.msg, "t.tar: ", 7) == 0, "refused: %s (%s)", what,
	       err.msg);
	if (rc == 0)
		tar_close(&tar);
	struct cs_tar st;
	struct cs_error e = { "" };
	rc = open_stream(&b, &st, &e);
	TAP_OK(rc < 0 && strstr(e.msg, want), "  and as a stream (%s)", e.msg);
	if (rc == 0)
		tar_close(&st);
	buf_free(&b);
}

static void bad_checksum(struct cs_buf *b) { b->data[512 * 2] ^= 1; }
static void non_octal(struct cs_buf *b)
{
	memcpy(b->data + 124, "0000000009 ", 12);
	checksum((unsigned char *)b->data);
}
static void size_past_end(struct cs_buf *b)
{
	unsigned char *h = (unsigned char *)b->data + 1024;
	snprintf((char *)h + 124, 12, "%011o", 077777777u);
	checksum(h);
}
static void cut_in_data(struct cs_buf *b) { b->len = 1024 + 512 + 5; }
static void cut_at_member(struct cs_buf *b) { b->len = 1024 + 1024; }
static void cut_in_header(struct cs_buf *b) { b->len = 1024 + 100; }
static void pax_then_end(struct cs_buf *b)
{
	struct cs_buf c = CS_BUF_INIT;
	const char *records[] = { "path=x" };
	add_file(&c, "manifest.json", "[]");
	add_pax(&c, records, 1);
	add_end(&c);
	buf_free(b);
	*b = c;
}
static void bad_pax(struct cs_buf *b)
{
	struct cs_buf c = CS_BUF_INIT;
	struct header h = { "PaxHeaders/x", 'x', 12, NULL, NULL, POSIX };
	add_header(&c, &h);
	add_data(&c, "99 path=x\n\n\n", 12);
	add_file(&c, "a", "a");
	add_end(&c);
	buf_free(b);
	*b = c;
}
static void sparse(struct cs_buf *b)
{
	b->data[156] = 'S';
	checksum((unsigned char *)b->data);
}
static void empty_checksum(struct cs_buf *b)
{
	memset(b->data + 148, 0, 8);
}

static void test_refusals(void)
{
	refused("a header whose checksum is wrong", bad_checksum, "tar header at byte 1024: bad checksum");
	refused("a header whose checksum field is empty", empty_checksum, "bad checksum");
	refused("a size with a digit that is not octal", non_octal, "bad size field");
	refused("a member whose size runs past the end", size_past_end, "runs past the end of the archive");
	refused("an archive cut inside a member", cut_in_data, "runs past the end of the archive");
	refused("an archive cut between members (no end block)", cut_at_member, "truncated tar archive");
	refused("an archive cut inside a header", cut_in_header, "truncated tar archive");
	refused("a pax header and then the end", pax_then_end, "an extended header without its member");
	refused("a pax record whose length is wrong", bad_pax, "bad pax record");
	refused("a GNU sparse member", sparse, "GNU sparse");
}

/* A stream keeps what may be JSON and counts the rest: layers (tar, gzip, zstd...) are never held. */
static void test_stream_keeps(void)
{
	static const unsigned char gzip[] = { 0x1f, 0x8b, 8, 0, 0, 0 };
	struct cs_buf b = CS_BUF_INIT, inner = CS_BUF_INIT;
	const struct cs_tar_member *m;
	struct cs_tar st;
	struct cs_error e = { "" };
	struct header h = { "gz/layer.tar", '0', sizeof(gzip), NULL, NULL, POSIX };

	add_file(&inner, "inside", "a layer is a tar");
	add_end(&inner);
	add_file(&b, "manifest.json", "[{\"Config\": \"c.json\"}]");
	add_header(&b, &h);
	add_data(&b, gzip, sizeof(gzip));
	h.name = "tar/layer.tar";
	h.size = inner.len;
	add_header(&b, &h);
	add_data(&b, inner.data, inner.len);
	add_file(&b, "c.json", "{}");
	add_end(&b);
	TAP_OK(open_stream(&b, &st, &e) == 0, "a stream of layers and JSON opens: %s", e.msg);
	TAP_OK(tar_find(&st, "manifest.json", &m) == TAR_FOUND && m->kept &&
	       memcmp(tar_data(&st, m).ptr, "[{", 2) == 0, "  manifest.json is kept");
	TAP_OK(tar_find(&st, "c.json", &m) == TAR_FOUND && m->kept && tar_data(&st, m).len == 2, "  a config is kept");
	TAP_OK(tar_find(&st, "gz/layer.tar", &m) == TAR_FOUND && !m->kept && m->size == sizeof(gzip),
	       "  a gzip layer is counted, not kept");
	TAP_OK(tar_find(&st, "tar/layer.tar", &m) == TAR_FOUND && !m->kept && m->size == inner.len,
	       "  a tar layer is counted, not kept");
	TAP_OK(st.data.len == strlen("[{\"Config\": \"c.json\"}]") + 2, "  nothing else is held (%zu bytes)",
	       st.data.len);
	tar_close(&st);
	buf_free(&b);
	buf_free(&inner);
}

static void test_signed_checksum(void)
{
	struct cs_buf b = CS_BUF_INIT;
	unsigned char *h;
	int sum = 0;

	add_file(&b, "a", "a");
	add_end(&b);
	h = (unsigned char *)b.data;
	h[101] = 0xe0; /* a high byte (in the mode field, which is never read) */
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += (signed char)h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	TAP_OK(open_buf(&b) == 0, "a checksum summed over signed bytes (old tars) is accepted: %s", err.msg);
	tar_close(&tar);
	buf_free(&b);
}

static const char *text(const struct cs_graph *g, uint32_t s)
{
	return s == CS_STR_NONE ? "(none)" : strings_at(&g->strings, s);
}

/*
 * tests/images/tiny.tar, saved by docker 20.10: FROM scratch, COPY a, COPY
 * b, ENV, COPY a again (the same diff as the first), COPY a to /c twice
 * (the same diff twice); docker stored each repeated layer.tar as a link to
 * the first.
 */
static void test_real_layers(void)
{
	static const int64_t sizes[] = { 2048, 2048, 2048, 2560, 2560 };
	static const char *const steps[] = { "COPY a.txt /a.txt # buildkit", "COPY b.txt /b.txt # buildkit",
					     "COPY a.txt /a.txt # buildkit", "COPY a.txt /c/a.txt # buildkit",
					     "COPY a.txt /c/a.txt # buildkit" };
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/images/tiny.tar", top ? top : ".");
	struct cs_graph *g = graph_new(path, NULL);
	struct cs_input in;

	memset(&err, 0, sizeof(err));
	TAP_OK(input_open(&in, path, &err) == 0 && read_image_archive(g, path, in.data, &err) == 0,
	       "tiny.tar loads: %s", err.msg);
	if (in.name)
		input_close(&in);
	TAP_OK(g->layer_count == 5, "tiny.tar: 5 layers (%u)", g->layer_count);
	for (uint32_t i = 0; i < g->layer_count && i < 5; i++) {
		const struct cs_layer *l = &g->layers[i];
		TAP_OK(l->size == sizes[i], "layer %u: its member's size, links followed (%lld)", i, (long long)l->size);
		TAP_OK(l->blob == l->diff_id, "layer %u: a layer.tar is known by its diff_id", i);
		TAP_OK(l->parent == (i ? i - 1 : CS_NONE), "layer %u: on the layer before it", i);
		TAP_STR_EQ(text(g, l->description), steps[i], "layer %u: the step that made it (ENV made none)", i);
	}
	TAP_OK(g->layer_count == 5 && g->layers[0].blob == g->layers[2].blob,
	       "layers 0 and 2 are one blob, as their diff_ids say");
	/* a key's result is its top layer: its own size, and with the layers below it, its own included */
	size_t with_results = 0;
	for (cs_node_id n = 0; n < g->node_count && g->layer_count == 5; n++) {
		struct cs_result_list results;
		if (!graph_result_count(g, n))
			continue;
		uint32_t top_layer = graph_result(g, n, 0)->layer;
		int64_t below = 0;
		for (uint32_t i = 0; i <= top_layer && i < 5; i++)
			below += sizes[i];
		result_list_init(&results);
		if (graph_node_results(g, n, &results, &err) == 0 && results.count && top_layer < 5) {
			with_results++;
			TAP_OK(results.items[0].size == sizes[top_layer] && results.items[0].total_size == below,
			       "#%u: on layer %u, %lld bytes, %lld with the layers below (%lld, %lld)", n + 1,
			       top_layer, (long long)sizes[top_layer], (long long)below, (long long)results.items[0].size,
			       (long long)results.items[0].total_size);
		}
		result_list_free(&results);
	}
	TAP_OK(with_results > 0, "tiny.tar: keys with results on its layers (%zu)", with_results);
	graph_free(g);
	free(path);
}

/*
 * A layer's blob digest is what its member's name says when it says one
 * (docker 25's blobs/sha256/<hex>, crane's <hex>.tar.gz), else its diff_id.
 */
static void test_layer_names(void)
{
	const char *diff[3] = { "sha256:1111111111111111111111111111111111111111111111111111111111111111",
				"sha256:2222222222222222222222222222222222222222222222222222222222222222",
				"sha256:3333333333333333333333333333333333333333333333333333333333333333" };
	const char *records = "[{\"digest\":\"sha256:4444444444444444444444444444444444444444444444444444444444444444\","
			      "\"layers\":[{\"layer\":2}]}]";
	struct cs_buf b = CS_BUF_INIT, config = CS_BUF_INIT, cache = CS_BUF_INIT, manifest = CS_BUF_INIT;
	struct cs_digest d;
	char hex[65], blob_a[80], blob_b[80];
	struct cs_graph *g = graph_new("t.tar", NULL);

	base64_encode(&cache, records, strlen(records));
	buf_printf(&config, "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\",\"%s\"]},"
		   "\"moby.buildkit.cache.v0\":\"%s\"}", diff[0], diff[1], diff[2], cache.data);
	digest_of_bytes(config.data, config.len, &d);
	digest_hex(&d, hex);
	hex[64] = '\0';
	snprintf(blob_a, sizeof(blob_a), "blobs/sha256/%s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	snprintf(blob_b, sizeof(blob_b), "%s.tar.gz", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	buf_printf(&manifest, "[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":null,"
		   "\"Layers\":[\"%s\",\"%s\",\"L/layer.tar\"]}]", hex, blob_a, blob_b);
	char config_path[80];
	snprintf(config_path, sizeof(config_path), "blobs/sha256/%s", hex);
	add_file(&b, config_path, config.data);
	add_file(&b, blob_a, "layer a");
	add_file(&b, blob_b, "layer b");
	add_file(&b, "L/layer.tar", "layer c");
	add_file(&b, "manifest.json", manifest.data);
	add_end(&b);
	memset(&err, 0, sizeof(err));
	TAP_OK(read_image_archive(g, "t.tar", cs_bytes_of(b.data, b.len), &err) == 0,
	       "an archive naming layers three ways loads: %s", err.msg);
	if (g->layer_count == 3) {
		char text[CS_DIGEST_STRLEN + 1];
		digest_format(digests_at(&g->digests, g->layers[0].blob), text);
		TAP_STR_EQ(text, "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			   "blobs/sha256/<hex>: the blob is <hex>");
		digest_format(digests_at(&g->digests, g->layers[1].blob), text);
		TAP_STR_EQ(text, "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			   "<hex>.tar.gz: the blob is <hex>");
		digest_format(digests_at(&g->digests, g->layers[2].blob), text);
		TAP_STR_EQ(text, diff[2], "<id>/layer.tar: the blob is the diff_id");
		TAP_OK(g->layers[0].size == 7, "sizes are the members' (%lld)", (long long)g->layers[0].size);
	} else {
		TAP_OK(0, "3 layers (%u)", g->layer_count);
	}
	graph_free(g);
	buf_free(&b);
	buf_free(&config);
	buf_free(&cache);
	buf_free(&manifest);
}

int main(void)
{
	test_recognize();
	test_names();
	test_links();
	test_long_names();
	test_base256();
	test_extended_limit();
	test_refusals();
	test_signed_checksum();
	test_stream_keeps();
	test_real_layers();
	test_layer_names();
	return tap_done();
}
