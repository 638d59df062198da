/*
 * Reading bbolt files without bbolt. Layout (go.etcd.io/bbolt, little-endian):
 *
 *   page header  id u64, flags u16, count u16, overflow u32   (16 bytes)
 *   meta         magic, version, page size, flags, root {pgid, sequence},
 *                freelist, pgid (high water), txid, checksum (FNV-1a 64)
 *   branch elem  pos u32, ksize u32, pgid u64                  (16 bytes)
 *   leaf elem    flags u32, pos u32, ksize u32, vsize u32      (16 bytes)
 *
 * An element's pos counts from the element itself. A bucket value is
 * {root u64, sequence u64}; root 0 means the bucket's page is inline,
 * right after those 16 bytes.
 *
 * Every number here comes from a file someone else writes, so each is
 * checked against the page, the mapping and the meta before use.
 */
#include "bolt.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_HEADER_SIZE 16
#define ELEMENT_SIZE 16
#define BUCKET_HEADER_SIZE 16
#define META_SIZE 64
#define META_CHECKSUMMED 56

#define FLAG_BRANCH 0x01
#define FLAG_LEAF 0x02
#define FLAG_META 0x04
#define LEAF_FLAG_BUCKET 0x01

#define MAGIC 0xED0CDAEDu
#define VERSION 2
#define MAX_TREE_DEPTH 64
#define MIN_PAGE_SIZE 512
#define MAX_PAGE_SIZE (1u << 24)

struct meta {
	uint32_t magic, version, page_size, flags;
	uint64_t root, sequence, freelist, pgid, txid, checksum;
};

/* A page as we use it: its bytes, bounded to what was mapped. */
struct page {
	const unsigned char *base;
	size_t span;     /* (overflow + 1) * page size, or the inline length */
	uint16_t flags;
	uint16_t count;
	uint64_t id;
};

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Reads the meta at OFFSET of the mapping; true when it validates as bbolt's does. */
static bool read_meta(const unsigned char *map, size_t size, size_t offset, struct meta *m)
{
	const unsigned char *p;

	if (offset > size || size - offset < PAGE_HEADER_SIZE + META_SIZE)
		return false;
	p = map + offset + PAGE_HEADER_SIZE;
	m->magic = le32(p);
	m->version = le32(p + 4);
	m->page_size = le32(p + 8);
	m->flags = le32(p + 12);
	m->root = le64(p + 16);
	m->sequence = le64(p + 24);
	m->freelist = le64(p + 32);
	m->pgid = le64(p + 40);
	m->txid = le64(p + 48);
	m->checksum = le64(p + 56);
	return m->magic == MAGIC && m->version == VERSION &&
	       m->checksum == fnv1a64(p, META_CHECKSUMMED);
}

static bool page_size_ok(uint32_t size)
{
	return size >= MIN_PAGE_SIZE && size <= MAX_PAGE_SIZE && (size & (size - 1)) == 0;
}

/*
 * The page size, as bbolt finds it: from meta 0, else from a meta 1 found
 * at one of the sizes bbolt allows.
 */
static uint32_t find_page_size(const unsigned char *map, size_t size)
{
	struct meta m;

	if (read_meta(map, size, 0, &m) && page_size_ok(m.page_size))
		return m.page_size;
	for (int i = 0; i <= 14; i++) {
		size_t pos = (size_t)1024 << i;
		if (pos + 1024 >= size)
			break;
		if (read_meta(map, size, pos, &m) && page_size_ok(m.page_size) && m.page_size == pos)
			return m.page_size;
	}
	return 0;
}

/* Picks the meta with the higher txid that validates, else the other. */
static int choose_meta(const unsigned char *map, size_t size, uint32_t page_size,
		       struct meta *out, int *which)
{
	struct meta m[2];
	bool ok[2];

	ok[0] = read_meta(map, size, 0, &m[0]) && m[0].page_size == page_size;
	ok[1] = read_meta(map, size, page_size, &m[1]) && m[1].page_size == page_size;
	int first = m[1].txid > m[0].txid ? 1 : 0;
	if (!ok[0] && !ok[1])
		return -1;
	if (!ok[first])
		first = !first;
	*out = m[first];
	*which = first;
	return 0;
}

static int attach(struct bolt_file *f, struct cs_error *err)
{
	struct meta m;
	uint64_t pages;

	if (f->size == 0)
		return cs_fail(err, "%s: empty file", f->name);
	if (f->size < 2 * 1024) {
		if (f->size >= PAGE_HEADER_SIZE + 4 && le32(f->map + PAGE_HEADER_SIZE) != MAGIC)
			return cs_fail(err, "%s: not a bbolt file (bad magic)", f->name);
		return cs_fail(err, "%s: truncated (%zu bytes)", f->name, f->size);
	}
	f->page_size = find_page_size(f->map, f->size);
	if (!f->page_size) {
		if (le32(f->map + PAGE_HEADER_SIZE) != MAGIC)
			return cs_fail(err, "%s: not a bbolt file (bad magic)", f->name);
		return cs_fail(err, "%s: both meta pages are invalid", f->name);
	}
	if (choose_meta(f->map, f->size, f->page_size, &m, &f->meta_used) < 0)
		return cs_fail(err, "%s: both meta pages are invalid", f->name);
	pages = f->size / f->page_size;
	if (pages < 2)
		return cs_fail(err, "%s: truncated (%zu bytes, page size %u)", f->name, f->size, f->page_size);
	f->root_page = m.root;
	f->high_water = m.pgid;
	f->txid = m.txid;
	if (f->root_page < 2 || f->root_page >= f->high_water)
		return cs_fail(err, "%s: root page %llu is outside the file's %llu pages", f->name,
			       (unsigned long long)f->root_page, (unsigned long long)f->high_water);
	/* only pages that exist can be stamped; a claim of 2^40 pages costs nothing */
	f->page_stamp_count = f->high_water < pages ? f->high_water : pages;
	f->page_stamp = xcalloc((size_t)f->page_stamp_count, sizeof(*f->page_stamp));
	f->walk = 0;
	return 0;
}

int bolt_open(struct bolt_file *f, const char *path, struct cs_error *err)
{
	struct stat st;
	int fd;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->name = xstrdup(path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cs_fail(err, "%s: %s", path, strerror(errno));
	f->fd = fd;
	if (fstat(fd, &st) < 0)
		return cs_fail(err, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cs_fail(err, "%s: not a regular file", path);
	if (st.st_size == 0)
		return cs_fail(err, "%s: empty file", path);
	if ((uint64_t)st.st_size > SIZE_MAX)
		return cs_fail(err, "%s: too large to map", path);
	/* shared and read-only: we see the daemon's commits, never take its lock */
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return cs_fail(err, "%s: cannot map: %s", path, strerror(errno));
	f->map = map;
	f->size = (size_t)st.st_size;
	f->owns_map = true;
	return attach(f, err);
}

int bolt_open_memory(struct bolt_file *f, const void *data, size_t len,
		     const char *name, struct cs_error *err)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->name = xstrdup(name ? name : "memory");
	f->map = data;
	f->size = len;
	return attach(f, err);
}

void bolt_close(struct bolt_file *f)
{
	if (f->owns_map && f->map)
		munmap((void *)f->map, f->size);
	if (f->fd >= 0)
		close(f->fd);
	free(f->page_stamp);
	free(f->name);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

int bolt_snapshot_intact(const struct bolt_file *f)
{
	struct meta m;
	uint64_t newest = 0;
	bool any = false;

	if (f->fd >= 0) {
		struct stat st;
		if (fstat(f->fd, &st) < 0 || (uint64_t)st.st_size != f->size)
			return 0;
	}
	for (int i = 0; i < 2; i++) {
		if (read_meta(f->map, f->size, (size_t)i * f->page_size, &m)) {
			any = true;
			if (m.txid > newest)
				newest = m.txid;
		}
	}
	/* any commit since ours: the next one may already be reusing our pages */
	return any && newest <= f->txid;
}

void bolt_root(const struct bolt_file *f, struct bolt_bucket *out)
{
	out->root = f->root_page;
	out->inline_page = cs_bytes_of(NULL, 0);
}

void bolt_walk_begin(struct bolt_file *f)
{
	if (++f->walk == 0) {
		/* after 2^32 walks the stamps wrap: clear them once */
		memset(f->page_stamp, 0, (size_t)f->page_stamp_count * sizeof(*f->page_stamp));
		f->walk = 1;
	}
}

/* Finds page ID in the mapping and checks its header against what a walk expects. */
static int load_page(const struct bolt_file *f, uint64_t id, struct page *out, struct cs_error *err)
{
	uint64_t offset, span;
	const unsigned char *p;

	if (id < 2 || id >= f->high_water)
		return cs_fail(err, "%s: page %llu is outside the tree (high water %llu)", f->name,
			       (unsigned long long)id, (unsigned long long)f->high_water);
	offset = id * (uint64_t)f->page_size;
	if (offset > f->size || f->size - offset < f->page_size)
		return cs_fail(err, "%s: page %llu is beyond the end of the file", f->name,
			       (unsigned long long)id);
	p = f->map + offset;
	span = ((uint64_t)le32(p + 12) + 1) * f->page_size;
	if (span > f->size - offset)
		return cs_fail(err, "%s: page %llu overflows past the end of the file", f->name,
			       (unsigned long long)id);
	out->base = p;
	out->span = (size_t)span;
	out->id = le64(p);
	out->flags = le16(p + 8);
	out->count = le16(p + 10);
	if (out->id != id)
		return cs_fail(err, "%s: page %llu calls itself page %llu", f->name,
			       (unsigned long long)id, (unsigned long long)out->id);
	return 0;
}

static int check_tree_page(const struct bolt_file *f, const struct page *p, struct cs_error *err)
{
	if (p->flags != FLAG_BRANCH && p->flags != FLAG_LEAF)
		return cs_fail(err, "%s: page %llu is not a tree page (flags 0x%x)", f->name,
			       (unsigned long long)p->id, p->flags);
	if ((size_t)p->count * ELEMENT_SIZE > p->span - PAGE_HEADER_SIZE)
		return cs_fail(err, "%s: page %llu claims %u elements, more than fit", f->name,
			       (unsigned long long)p->id, p->count);
	if (p->flags == FLAG_BRANCH && p->count == 0)
		return cs_fail(err, "%s: branch page %llu is empty", f->name, (unsigned long long)p->id);
	return 0;
}

/* The page a bucket starts at: its root page, or the page inside its value. */
static int bucket_page(const struct bolt_file *f, const struct bolt_bucket *b, struct page *out,
		       struct cs_error *err)
{
	if (b->root != 0) {
		if (load_page(f, b->root, out, err) < 0)
			return -1;
	} else {
		if (b->inline_page.len < PAGE_HEADER_SIZE)
			return cs_fail(err, "%s: inline bucket too short", f->name);
		out->base = b->inline_page.ptr;
		out->span = b->inline_page.len;
		out->id = 0;
		out->flags = le16(out->base + 8);
		out->count = le16(out->base + 10);
		if (out->flags != FLAG_LEAF)
			return cs_fail(err, "%s: inline bucket holds a non-leaf page (flags 0x%x)", f->name,
				       out->flags);
	}
	return check_tree_page(f, out, err);
}

/* Element I of a branch page: its key and child page id. */
static int branch_element(const struct bolt_file *f, const struct page *p, uint16_t i,
			  struct cs_bytes *key, uint64_t *child, struct cs_error *err)
{
	size_t at = PAGE_HEADER_SIZE + (size_t)i * ELEMENT_SIZE;
	const unsigned char *e = p->base + at;
	uint64_t pos = le32(e), ksize = le32(e + 4);

	if (at + pos + ksize > p->span)
		return cs_fail(err, "%s: page %llu: element %u runs past the page", f->name,
			       (unsigned long long)p->id, i);
	*key = cs_bytes_of(e + pos, (size_t)ksize);
	*child = le64(e + 8);
	return 0;
}

static int leaf_element(const struct bolt_file *f, const struct page *p, uint16_t i,
			struct bolt_item *item, struct cs_error *err)
{
	size_t at = PAGE_HEADER_SIZE + (size_t)i * ELEMENT_SIZE;
	const unsigned char *e = p->base + at;
	uint32_t flags = le32(e);
	uint64_t pos = le32(e + 4), ksize = le32(e + 8), vsize = le32(e + 12);

	if (at + pos + ksize + vsize > p->span)
		return cs_fail(err, "%s: page %llu: element %u runs past the page", f->name,
			       (unsigned long long)p->id, i);
	item->key = cs_bytes_of(e + pos, (size_t)ksize);
	item->value = cs_bytes_of(e + pos + ksize, (size_t)vsize);
	item->is_bucket = (flags & LEAF_FLAG_BUCKET) != 0;
	if (item->is_bucket) {
		if (vsize < BUCKET_HEADER_SIZE)
			return cs_fail(err, "%s: page %llu: bucket value too short", f->name,
				       (unsigned long long)p->id);
		item->bucket.root = le64(item->value.ptr);
		item->bucket.inline_page = item->bucket.root ? cs_bytes_of(NULL, 0)
			: cs_bytes_of(item->value.ptr + BUCKET_HEADER_SIZE, (size_t)vsize - BUCKET_HEADER_SIZE);
	}
	return 0;
}

static int stamp(struct bolt_file *f, uint64_t id, struct cs_error *err)
{
	if (id >= f->page_stamp_count)
		return cs_fail(err, "%s: page %llu is beyond the end of the file", f->name,
			       (unsigned long long)id);
	if (f->page_stamp[id] == f->walk)
		return cs_fail(err, "%s: page %llu reached twice (cycle)", f->name, (unsigned long long)id);
	f->page_stamp[id] = f->walk;
	return 0;
}

/*
 * Walks a bucket's tree in key order. Depth is bounded (and every page is
 * stamped), so a corrupt tree ends in an error, never a loop or a stack
 * overflow.
 */
static int walk_page(struct bolt_file *f, const struct page *p, int depth, bolt_visit_fn fn,
		     void *ctx, bool count_only, uint64_t *count, struct cs_error *err)
{
	if (p->flags == FLAG_LEAF) {
		if (count_only) {
			*count += p->count;
			return 0;
		}
		for (uint16_t i = 0; i < p->count; i++) {
			struct bolt_item item;
			if (leaf_element(f, p, i, &item, err) < 0)
				return -1;
			int rc = fn(ctx, &item, err);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (depth >= MAX_TREE_DEPTH)
		return cs_fail(err, "%s: tree deeper than %d levels", f->name, MAX_TREE_DEPTH);
	for (uint16_t i = 0; i < p->count; i++) {
		struct cs_bytes key;
		uint64_t child_id;
		struct page child;
		if (branch_element(f, p, i, &key, &child_id, err) < 0 ||
		    stamp(f, child_id, err) < 0 || load_page(f, child_id, &child, err) < 0 ||
		    check_tree_page(f, &child, err) < 0)
			return -1;
		int rc = walk_page(f, &child, depth + 1, fn, ctx, count_only, count, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int walk_bucket(struct bolt_file *f, const struct bolt_bucket *b, bolt_visit_fn fn,
		       void *ctx, bool count_only, uint64_t *count, struct cs_error *err)
{
	struct page p;

	if (b->root && stamp(f, b->root, err) < 0)
		return -1;
	if (bucket_page(f, b, &p, err) < 0)
		return -1;
	int rc = walk_page(f, &p, 0, fn, ctx, count_only, count, err);
	return rc < 0 ? -1 : 0;
}

int bolt_foreach(struct bolt_file *f, const struct bolt_bucket *b, bolt_visit_fn fn,
		 void *ctx, struct cs_error *err)
{
	uint64_t unused = 0;

	return walk_bucket(f, b, fn, ctx, false, &unused, err);
}

int bolt_count(struct bolt_file *f, const struct bolt_bucket *b, uint64_t *count,
	       struct cs_error *err)
{
	*count = 0;
	return walk_bucket(f, b, NULL, NULL, true, count, err);
}

static int compare_keys(struct cs_bytes a, const void *b, size_t blen)
{
	size_t n = a.len < blen ? a.len : blen;
	int c = n ? memcmp(a.ptr, b, n) : 0;

	if (c)
		return c;
	return a.len < blen ? -1 : a.len > blen;
}

int bolt_get(const struct bolt_file *f, const struct bolt_bucket *b, const void *key,
	     size_t key_len, struct bolt_item *item, struct cs_error *err)
{
	struct page p;

	if (bucket_page(f, b, &p, err) < 0)
		return -1;
	for (int depth = 0; p.flags == FLAG_BRANCH; depth++) {
		/* the last element whose key is not above ours, as bbolt's cursor seeks */
		uint16_t lo = 0, hi = p.count;
		struct cs_bytes k;
		uint64_t child;
		while (lo < hi) {
			uint16_t mid = (uint16_t)(lo + (hi - lo) / 2);
			if (branch_element(f, &p, mid, &k, &child, err) < 0)
				return -1;
			if (compare_keys(k, key, key_len) <= 0)
				lo = (uint16_t)(mid + 1);
			else
				hi = mid;
		}
		if (depth >= MAX_TREE_DEPTH)
			return cs_fail(err, "%s: tree deeper than %d levels", f->name, MAX_TREE_DEPTH);
		if (branch_element(f, &p, lo ? (uint16_t)(lo - 1) : 0, &k, &child, err) < 0 ||
		    load_page(f, child, &p, err) < 0 || check_tree_page(f, &p, err) < 0)
			return -1;
	}
	uint16_t lo = 0, hi = p.count;
	while (lo < hi) {
		uint16_t mid = (uint16_t)(lo + (hi - lo) / 2);
		if (leaf_element(f, &p, mid, item, err) < 0)
			return -1;
		int c = compare_keys(item->key, key, key_len);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = (uint16_t)(mid + 1);
		else
			hi = mid;
	}
	return 0;
}
