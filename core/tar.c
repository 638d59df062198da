/*
 * Tar archives in memory (see tar.h). The header layout is POSIX ustar:
 *
 *   name[100] mode[8] uid[8] gid[8] size[12] mtime[12] chksum[8] typeflag
 *   linkname[100] magic[6] version[2] uname[32] gname[32] devmajor[8]
 *   devminor[8] prefix[155]
 *
 * Old GNU archives say "ustar  \0" where POSIX says "ustar\0" "00", and use
 * the prefix bytes for other things, so a prefix counts only under POSIX
 * magic. Go's archive/tar (docker, containerd) and Python's tarfile write
 * these; pax 'x' records carry names longer than 100 bytes and sizes of
 * 8 GiB and more, GNU writes 'L'/'K' long names and base-256 sizes.
 */
#include "tar.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 512
/* pax records and GNU long names are names, not data: more than this is not a name */
#define MAX_EXTENDED ((size_t)1 << 20)
/* links followed in one lookup, as Linux allows before ELOOP */
#define MAX_LINK_HOPS 40
/* padding read after a stream's end-of-archive block */
#define DRAIN_AFTER_END ((uint64_t)1 << 20)

enum {
	NAME = 0, NAME_LEN = 100,
	SIZE = 124, SIZE_LEN = 12,
	CHKSUM = 148, CHKSUM_LEN = 8,
	TYPEFLAG = 156,
	LINKNAME = 157, LINKNAME_LEN = 100,
	MAGIC = 257,
	PREFIX = 345, PREFIX_LEN = 155,
};

bool tar_recognize(struct cs_bytes data)
{
	return data.len >= BLOCK && memcmp(data.ptr + MAGIC, "ustar", 5) == 0 &&
	       (data.ptr[MAGIC + 5] == '\0' || data.ptr[MAGIC + 5] == ' ');
}

/*
 * An octal field: leading spaces, octal digits, then nothing but NULs and
 * spaces. The count of digits (0 for an empty field), or -1.
 */
static int parse_octal(const unsigned char *f, size_t len, uint64_t *out)
{
	size_t i = 0;
	int digits = 0;
	uint64_t v = 0;

	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++)
		v = v * 8 + (uint64_t)(f[i] - '0'); /* at most 11 digits: no overflow */
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return digits;
}

/* The size field: octal, or GNU base-256 (first byte 0x80) for 8 GiB and more. */
static int parse_size(const unsigned char *f, uint64_t *out)
{
	uint64_t v = 0;

	if (!(f[0] & 0x80))
		return parse_octal(f, SIZE_LEN, out) < 0 ? -1 : 0;
	if (f[0] != 0x80) /* negative, or beyond 2^88 */
		return -1;
	for (size_t i = 1; i < SIZE_LEN; i++) {
		if (v >> 56)
			return -1;
		v = v << 8 | f[i];
	}
	*out = v;
	return 0;
}

/* The header's checksum: its bytes summed with the checksum field as spaces, unsigned or (old tars) signed. */
static bool checksum_ok(const unsigned char *h)
{
	uint64_t want;
	uint32_t sum = 0;
	int32_t signed_sum = 0;

	if (parse_octal(h + CHKSUM, CHKSUM_LEN, &want) <= 0)
		return false;
	for (size_t i = 0; i < BLOCK; i++) {
		unsigned char c = i >= CHKSUM && i < CHKSUM + CHKSUM_LEN ? ' ' : h[i];
		sum += c;
		signed_sum += (signed char)c;
	}
	return want == sum || (int64_t)want == signed_sum;
}

static bool all_zero(const unsigned char *h)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

/*
 * DIR (a clean archive path, or "") joined with PATH, ".." taken
 * lexically; NULL when PATH is absolute, holds a NUL, climbs above the
 * archive's root or names the root itself. With DOTDOT_ENDS, any ".."
 * gives NULL: that is how member names are cleaned.
 */
static char *join_clean(const char *dir, const char *path, size_t len, bool dotdot_ends)
{
	size_t dir_len = strlen(dir), n = dir_len, i = 0;
	char *out;

	if (memchr(path, '\0', len) || (len && path[0] == '/'))
		return NULL;
	/* never longer than DIR, a slash and PATH */
	out = xmalloc(dir_len + len + 2);
	memcpy(out, dir, dir_len);
	while (i < len) {
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		size_t c_len = i - start;
		const char *c = path + start;
		i++;
		if (c_len == 0 || (c_len == 1 && c[0] == '.'))
			continue;
		if (c_len == 2 && c[0] == '.' && c[1] == '.') {
			if (dotdot_ends || n == 0)
				goto out_of_archive;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the slash before the component dropped */
			continue;
		}
		if (n)
			out[n++] = '/';
		memcpy(out + n, c, c_len);
		n += c_len;
	}
	if (n == 0)
		goto out_of_archive;
	out[n] = '\0';
	return out;
out_of_archive:
	free(out);
	return NULL;
}

/* What pax records and GNU long-name headers say about the next member. */
struct pending {
	struct cs_buf path, linkpath;
	bool has_path, has_linkpath, has_size;
	uint64_t size;
};

static void pending_clear(struct pending *p)
{
	buf_free(&p->path);
	buf_free(&p->linkpath);
	memset(p, 0, sizeof(*p));
}

/* A decimal number, digits only, that fits in 63 bits; -1 otherwise. */
static int parse_decimal(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 18)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* pax records, "<length> <key>=<value>\n" each, the length counting the whole record. */
static int parse_pax(struct cs_bytes rec, struct pending *p)
{
	while (rec.len) {
		const char *r = (const char *)rec.ptr;
		size_t i = 0, n = 0;
		for (; i < rec.len && i < 19 && r[i] >= '0' && r[i] <= '9'; i++)
			n = n * 10 + (size_t)(r[i] - '0');
		if (i == 0 || i >= rec.len || r[i] != ' ' || n > rec.len || n < i + 3 || r[n - 1] != '\n')
			return -1;
		const char *key = r + i + 1, *end = r + n - 1;
		const char *eq = memchr(key, '=', (size_t)(end - key));
		if (!eq)
			return -1;
		size_t key_len = (size_t)(eq - key), value_len = (size_t)(end - eq - 1);
		if (key_len == 4 && memcmp(key, "path", 4) == 0) {
			buf_reset(&p->path);
			buf_add(&p->path, eq + 1, value_len);
			p->has_path = true;
		} else if (key_len == 8 && memcmp(key, "linkpath", 8) == 0) {
			buf_reset(&p->linkpath);
			buf_add(&p->linkpath, eq + 1, value_len);
			p->has_linkpath = true;
		} else if (key_len == 4 && memcmp(key, "size", 4) == 0) {
			if (parse_decimal(eq + 1, value_len, &p->size) < 0)
				return -1;
			p->has_size = true;
		}
		rec.ptr += n;
		rec.len -= n;
	}
	return 0;
}

/* A NUL-terminated field (or GNU long name) of at most LEN bytes. */
static size_t field_len(const unsigned char *f, size_t len)
{
	const unsigned char *nul = memchr(f, '\0', len);

	return nul ? (size_t)(nul - f) : len;
}

static enum cs_tar_type type_of(unsigned char flag)
{
	switch (flag) {
	case '0': case '\0': case '7':
		return CS_TAR_FILE;
	case '1':
		return CS_TAR_HARDLINK;
	case '2':
		return CS_TAR_SYMLINK;
	case '5':
		return CS_TAR_DIR;
	default:
		return CS_TAR_OTHER;
	}
}

/* Links, directories, devices and FIFOs have no data, whatever their size field says (as Go and Python read them). */
static bool header_only(unsigned char flag)
{
	return flag >= '1' && flag <= '6';
}

/* Adds the member whose header is H (data at OFFSET), named as P or the header says. */
static void add_member(struct cs_tar *t, size_t *cap, const unsigned char *h, struct pending *p,
		       size_t offset, size_t size, bool kept)
{
	struct cs_tar_member *m;
	struct cs_buf name = CS_BUF_INIT;

	if (p->has_path) {
		buf_add(&name, p->path.data, p->path.len);
	} else {
		bool posix = memcmp(h + MAGIC, "ustar\0", 6) == 0;
		size_t prefix = posix ? field_len(h + PREFIX, PREFIX_LEN) : 0;
		buf_add(&name, h + PREFIX, prefix);
		if (prefix)
			buf_addc(&name, '/');
		buf_add(&name, h + NAME, field_len(h + NAME, NAME_LEN));
	}
	XGROW(t->members, *cap, t->count + 1);
	m = &t->members[t->count++];
	memset(m, 0, sizeof(*m));
	m->name = join_clean("", name.data ? name.data : "", name.len, true);
	m->type = type_of(h[TYPEFLAG]);
	m->offset = offset;
	m->size = size;
	m->kept = kept;
	if (m->name && (m->type == CS_TAR_SYMLINK || m->type == CS_TAR_HARDLINK)) {
		const char *link = p->has_linkpath ? p->linkpath.data : (const char *)h + LINKNAME;
		size_t link_len = p->has_linkpath ? p->linkpath.len : field_len(h + LINKNAME, LINKNAME_LEN);
		char *dir = xstrdup(m->name), *slash = strrchr(dir, '/');
		/* a symbolic link is relative to its own directory, a hard link to the archive's root */
		if (m->type == CS_TAR_HARDLINK || !slash)
			dir[0] = '\0';
		else
			*slash = '\0';
		m->target = join_clean(dir, link, link_len, false);
		free(dir);
	}
	buf_free(&name);
}

/* Member indexes by name, then archive order (the later of two names wins a lookup). */
static int by_name(const void *a, const void *b, void *ctx)
{
	const struct cs_tar *t = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(t->members[x].name, t->members[y].name);

	return c ? c : (x > y) - (x < y);
}

static void index_names(struct cs_tar *t)
{
	t->by_name = xreallocarray(NULL, t->count ? t->count : 1, sizeof(*t->by_name));
	for (size_t i = 0; i < t->count; i++)
		if (t->members[i].name)
			t->by_name[t->named++] = i;
	qsort_r(t->by_name, t->named, sizeof(*t->by_name), by_name, t);
}

/* Reads the extended header (pax or GNU long name) whose data is D into P. */
static int read_extended(struct cs_tar *t, unsigned char flag, struct cs_bytes d, size_t at,
			 struct pending *p, struct cs_error *err)
{
	if (flag == 'x') {
		if (parse_pax(d, p) < 0)
			return cs_fail(err, "%s: tar header at byte %zu: bad pax record", t->name, at);
	} else if (flag == 'L') {
		buf_reset(&p->path);
		buf_add(&p->path, d.ptr, field_len(d.ptr, d.len));
		p->has_path = true;
	} else if (flag == 'K') {
		buf_reset(&p->linkpath);
		buf_add(&p->linkpath, d.ptr, field_len(d.ptr, d.len));
		p->has_linkpath = true;
	}
	/* 'g' (pax global) records say nothing about names: docker writes none, and they are skipped */
	return 0;
}

static uint64_t padded(uint64_t size)
{
	return size + (size % BLOCK ? BLOCK - size % BLOCK : 0);
}

/*
 * Where blocks come from: the archive in memory, or a stream read as it
 * comes. Each call consumes what it returns; POS counts the bytes consumed.
 */
enum { INPUT_ENDED = -1, TOO_MUCH_KEPT = -2 };

struct source {
	/* The next block into *H, valid until the next call; false when the input ends first. */
	bool (*block)(struct source *s, const unsigned char **h);
	/* An extended header's SIZE bytes (then its padding) into *D; false when the input ends first. */
	bool (*extended)(struct source *s, uint64_t size, struct cs_bytes *d);
	/* A member's SIZE bytes and padding; when KEPT, at *OFFSET in the archive's data. 0 or an enum above. */
	int (*member)(struct source *s, uint64_t size, size_t *offset, bool *kept);
	size_t pos;
	int error; /* errno of a failed read, 0 when the input simply ended */
};

struct memory_source {
	struct source s;
	struct cs_bytes data;
};

static bool memory_has(struct memory_source *m, uint64_t len)
{
	return len <= m->data.len - m->s.pos;
}

static bool memory_block(struct source *s, const unsigned char **h)
{
	struct memory_source *m = (struct memory_source *)s;

	if (!memory_has(m, BLOCK))
		return false;
	*h = m->data.ptr + s->pos;
	s->pos += BLOCK;
	return true;
}

static bool memory_extended(struct source *s, uint64_t size, struct cs_bytes *d)
{
	struct memory_source *m = (struct memory_source *)s;

	if (!memory_has(m, padded(size)))
		return false;
	*d = cs_bytes_of(m->data.ptr + s->pos, (size_t)size);
	s->pos += (size_t)padded(size);
	return true;
}

static int memory_member(struct source *s, uint64_t size, size_t *offset, bool *kept)
{
	struct memory_source *m = (struct memory_source *)s;

	if (!memory_has(m, padded(size)))
		return INPUT_ENDED;
	*offset = s->pos;
	*kept = true;
	s->pos += (size_t)padded(size);
	return 0;
}

struct stream_source {
	struct source s;
	cs_tar_read_fn read;
	void *ctx;
	struct cs_bytes head; /* read before the stream was handed over */
	size_t head_used;
	unsigned char block[BLOCK];
	unsigned char *scratch; /* where skipped bytes go */
	struct cs_buf extended;
	struct cs_buf kept; /* becomes the archive's data */
};

#define SCRATCH_SIZE ((size_t)1 << 16)

/* Reads exactly LEN bytes into BUF, or skips them (BUF NULL); false when the input ends first. */
static bool stream_read(struct stream_source *st, unsigned char *buf, uint64_t len)
{
	while (len) {
		size_t want = len > SCRATCH_SIZE ? SCRATCH_SIZE : (size_t)len, n;
		if (st->head_used < st->head.len) {
			n = st->head.len - st->head_used < want ? st->head.len - st->head_used : want;
			if (buf)
				memcpy(buf, st->head.ptr + st->head_used, n);
			st->head_used += n;
		} else {
			ssize_t got = st->read(st->ctx, buf ? buf : st->scratch, want);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				st->s.error = got < 0 ? errno : 0;
				return false;
			}
			n = (size_t)got;
		}
		if (buf)
			buf += n;
		len -= n;
		st->s.pos += n;
	}
	return true;
}

static bool stream_block(struct source *s, const unsigned char **h)
{
	struct stream_source *st = (struct stream_source *)s;

	*h = st->block;
	return stream_read(st, st->block, BLOCK);
}

static bool stream_extended(struct source *s, uint64_t size, struct cs_bytes *d)
{
	struct stream_source *st = (struct stream_source *)s;

	buf_reset(&st->extended);
	buf_reserve(&st->extended, (size_t)size);
	if (!stream_read(st, (unsigned char *)st->extended.data, size) ||
	    !stream_read(st, NULL, padded(size) - size))
		return false;
	*d = cs_bytes_of(st->extended.data, (size_t)size);
	return true;
}

/* What a layer starts with: a tar header, or gzip, zstd, bzip2 or xz magic. */
static bool looks_like_layer(const unsigned char *p, size_t len)
{
	static const struct { const char *magic; size_t len, at; } layers[] = {
		{ "ustar", 5, 257 }, { "\x1f\x8b", 2, 0 }, { "\x28\xb5\x2f\xfd", 4, 0 },
		{ "BZh", 3, 0 }, { "\xfd" "7zXZ\0", 6, 0 },
	};

	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
		if (len >= layers[i].at + layers[i].len && memcmp(p + layers[i].at, layers[i].magic, layers[i].len) == 0)
			return true;
	return false;
}

static int stream_member(struct source *s, uint64_t size, size_t *offset, bool *kept)
{
	struct stream_source *st = (struct stream_source *)s;
	size_t first = size < BLOCK ? (size_t)size : BLOCK;

	*offset = st->kept.len;
	*kept = true;
	if (size == 0)
		return 0;
	/* the first block says what the member is: a layer's bytes are counted, never kept */
	if (!stream_read(st, st->block, BLOCK))
		return INPUT_ENDED;
	*kept = size <= CS_TAR_KEEP_MAX && !looks_like_layer(st->block, first);
	if (!*kept)
		return stream_read(st, NULL, padded(size) - BLOCK) ? 0 : INPUT_ENDED;
	if (st->kept.len + size > CS_TAR_KEPT_TOTAL)
		return TOO_MUCH_KEPT;
	buf_add(&st->kept, st->block, first);
	buf_reserve(&st->kept, (size_t)size - first);
	if (!stream_read(st, (unsigned char *)st->kept.data + st->kept.len, size - first))
		return INPUT_ENDED;
	st->kept.len += (size_t)size - first;
	st->kept.data[st->kept.len] = '\0';
	return stream_read(st, NULL, padded(size) - BLOCK - (size - first)) ? 0 : INPUT_ENDED;
}

static void input_ended(struct cs_tar *t, struct source *src, const char *what, const unsigned char *h,
			uint64_t size, size_t at, struct cs_error *err)
{
	struct cs_buf name = CS_BUF_INIT;

	if (src->error) {
		cs_fail(err, "%s: %s", t->name, strerror(src->error));
		return;
	}
	if (!h) {
		cs_fail(err, "%s: truncated tar archive (it ends at byte %zu without its end-of-archive block)",
			t->name, src->pos);
		return;
	}
	buf_add(&name, h + NAME, field_len(h + NAME, NAME_LEN));
	cs_fail(err, "%s: tar %s \"%.100s\" (%llu bytes at byte %zu) runs past the end of the archive: truncated?",
		t->name, what, name.data, (unsigned long long)size, at);
	buf_free(&name);
}

static int read_headers(struct cs_tar *t, struct source *src, struct cs_error *err)
{
	struct pending p = { CS_BUF_INIT, CS_BUF_INIT, false, false, false, 0 };
	size_t cap = 0;
	int rc = -1;

	for (;;) {
		size_t pos = src->pos;
		const unsigned char *at;
		unsigned char h[BLOCK];
		uint64_t size;
		if (!src->block(src, &at)) {
			input_ended(t, src, NULL, NULL, 0, 0, err);
			break;
		}
		memcpy(h, at, BLOCK); /* a stream's next read overwrites AT */
		if (all_zero(h)) {
			if (p.has_path || p.has_linkpath || p.has_size)
				cs_fail(err, "%s: tar header at byte %zu: an extended header without its member", t->name, pos);
			else
				rc = 0;
			break;
		}
		if (!checksum_ok(h)) {
			cs_fail(err, "%s: tar header at byte %zu: bad checksum (corrupt, or not a tar archive)", t->name, pos);
			break;
		}
		if (parse_size(h + SIZE, &size) < 0) {
			cs_fail(err, "%s: tar header at byte %zu: bad size field", t->name, pos);
			break;
		}
		unsigned char flag = h[TYPEFLAG];
		bool extended = flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K';
		if (!extended && p.has_size)
			size = p.size;
		if (header_only(flag))
			size = 0;
		if (flag == 'S') {
			cs_fail(err, "%s: tar header at byte %zu: a GNU sparse file, which docker never writes", t->name, pos);
			break;
		}
		if (extended) {
			struct cs_bytes d;
			if (size > MAX_EXTENDED) {
				cs_fail(err, "%s: tar header at byte %zu: a %llu-byte extended header", t->name, pos,
					(unsigned long long)size);
				break;
			}
			if (!src->extended(src, size, &d)) {
				input_ended(t, src, "header", h, size, pos + BLOCK, err);
				break;
			}
			if (read_extended(t, flag, d, pos, &p, err) < 0)
				break;
			continue;
		}
		size_t offset;
		bool kept;
		int got = src->member(src, size, &offset, &kept);
		if (got == TOO_MUCH_KEPT) {
			cs_fail(err, "%s: more than %zu GiB of members that are not layers", t->name,
				(size_t)(CS_TAR_KEPT_TOTAL >> 30));
			break;
		}
		if (got < 0) {
			input_ended(t, src, "member", h, size, pos + BLOCK, err);
			break;
		}
		add_member(t, &cap, h, &p, offset, (size_t)size, kept);
		pending_clear(&p);
	}
	pending_clear(&p);
	return rc;
}

int tar_open(struct cs_tar *t, const char *name, struct cs_bytes data, struct cs_error *err)
{
	struct memory_source src = { { memory_block, memory_extended, memory_member, 0, 0 }, data };

	memset(t, 0, sizeof(*t));
	t->name = name;
	t->data = data;
	if (read_headers(t, &src.s, err) < 0) {
		tar_close(t);
		return -1;
	}
	index_names(t);
	return 0;
}

int tar_open_stream(struct cs_tar *t, const char *name, struct cs_bytes head, cs_tar_read_fn read, void *ctx,
		    struct cs_error *err)
{
	struct stream_source src = { { stream_block, stream_extended, stream_member, 0, 0 }, read, ctx, head, 0,
				     { 0 }, NULL, CS_BUF_INIT, CS_BUF_INIT };
	int rc;

	memset(t, 0, sizeof(*t));
	t->name = name;
	src.scratch = xmalloc(SCRATCH_SIZE);
	buf_reserve(&src.kept, 0);
	rc = read_headers(t, &src.s, err);
	/*
	 * What follows the end-of-archive block is padding (GNU tar fills a
	 * 10 KiB record): read a little of it, so that a writer such as
	 * `docker save` is not cut off with EPIPE just before it is done.
	 */
	if (rc == 0)
		(void)stream_read(&src, NULL, DRAIN_AFTER_END);
	free(src.scratch);
	buf_free(&src.extended);
	size_t kept_len;
	t->owned = buf_detach(&src.kept, &kept_len);
	t->data = cs_bytes_of(t->owned, kept_len);
	if (rc < 0) {
		tar_close(t);
		return -1;
	}
	index_names(t);
	return 0;
}

void tar_close(struct cs_tar *t)
{
	for (size_t i = 0; i < t->count; i++) {
		free(t->members[i].name);
		free(t->members[i].target);
	}
	free(t->members);
	free(t->by_name);
	free(t->owned);
	memset(t, 0, sizeof(*t));
}

/* The last member named NAME, or NULL. */
static const struct cs_tar_member *lookup(const struct cs_tar *t, const char *name)
{
	size_t lo = 0, hi = t->named;

	/* the first entry whose name sorts after NAME; the one before it is the last NAME */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(t->members[t->by_name[mid]].name, name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct cs_tar_member *m = &t->members[t->by_name[lo - 1]];
	return strcmp(m->name, name) == 0 ? m : NULL;
}

enum cs_tar_found tar_find(const struct cs_tar *t, const char *path, const struct cs_tar_member **out)
{
	char *name = join_clean("", path, strlen(path), false);

	*out = NULL;
	for (int hops = 0; name && hops <= MAX_LINK_HOPS; hops++) {
		const struct cs_tar_member *m = lookup(t, name);
		free(name);
		name = NULL;
		if (!m)
			return TAR_MISSING;
		if (m->type == CS_TAR_FILE) {
			*out = m;
			return TAR_FOUND;
		}
		if (m->type != CS_TAR_SYMLINK && m->type != CS_TAR_HARDLINK)
			return TAR_NOT_FILE;
		if (m->target)
			name = xstrdup(m->target);
	}
	free(name);
	return TAR_MISSING;
}
