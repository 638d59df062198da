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
 * checked against the page, the mapping and the meta before it is used.
 * Two checks exist only to keep a hostile file from costing more than its
 * size: the pages a walk enters (overflow included) are stamped, so no
 * page is read twice; and within a leaf the keys and values must follow
 * the element array and each other, as bbolt writes them, so that inline
 * buckets cannot share bytes and fan out into an exponential walk.
 */
#include "bolt.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
#define META_END (PAGE_HEADER_SIZE + META_SIZE)

#define FLAG_BRANCH 0x01
#define FLAG_LEAF 0x02
#define LEAF_FLAG_BUCKET 0x01

#define MAGIC 0xED0CDAEDu
#define VERSION 2
#define MAX_TREE_DEPTH 64
/* bbolt looks for the second meta at 1 KiB << 0..14 when the first is bad */
#define SECOND_META_SEARCH_MIN 1024
#define SECOND_META_SEARCH_STEPS 15

struct meta {
	uint32_t magic, version, page_size, flags;
	uint64_t root, sequence, freelist, pgid, txid, checksum;
};

/* A page header as the file has it. */
struct bolt_page_header {
	uint64_t id;
	uint32_t overflow;
	uint16_t flags, count;
};

/* A page as we use it: its bytes, bounded to what was mapped. */
struct page {
	const unsigned char *base;
	size_t span;     /* (overflow + 1) * page size, or the inline length */
	uint64_t id;     /* 0 for an inline page */
	uint16_t flags;
	uint16_t count;
};

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
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

/*
 * Reads the meta of the page at OFFSET (zeroes when it is not all in the
 * file); true when it validates as bbolt's does: magic, version, checksum.
 */
static bool read_meta(const unsigned char *map, size_t size, uint64_t offset,
		      struct meta *m)
{
	const unsigned char *p;

	memset(m, 0, sizeof(*m));
	if (offset > size || size - offset < META_END)
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

/*
 * bbolt takes any page size a valid first meta states (256 and 3000 both
 * work); a page must at least hold a meta.
 */
static bool page_size_usable(uint32_t size)
{
	return size >= META_END;
}

/*
 * The page size, as bbolt finds it: from meta 0, else from a valid meta
 * found at one of the offsets bbolt tries for the second one (which must
 * then sit where its own page size puts it). 0 when neither is found.
 */
static uint32_t find_page_size(const unsigned char *map, size_t size)
{
	struct meta m;

	if (read_meta(map, size, 0, &m) && page_size_usable(m.page_size))
		return m.page_size;
	for (int i = 0; i < SECOND_META_SEARCH_STEPS; i++) {
		uint64_t pos = (uint64_t)SECOND_META_SEARCH_MIN << i;
		if (pos + SECOND_META_SEARCH_MIN >= size)
			break;
		if (read_meta(map, size, pos, &m) && m.page_size == pos)
			return m.page_size;
	}
	return 0;
}

/*
 * Picks the meta bbolt would: the one with the higher txid if it
 * validates, else the other. -1 when neither does.
 */
static int choose_meta(const unsigned char *map, size_t size, uint32_t page_size,
		       struct meta *out, int *which)
{
	struct meta m[2];
	bool ok[2];
	int first;

	ok[0] = read_meta(map, size, 0, &m[0]);
	ok[1] = read_meta(map, size, page_size, &m[1]);
	first = m[1].txid > m[0].txid ? 1 : 0;
	if (!ok[first])
		first = !first;
	if (!ok[first])
		return -1;
	*out = m[first];
	*which = first;
	return 0;
}

/* Why no page size could be found, worded for the file at hand. */
static int explain_no_meta(const struct bolt_file *f, struct cs_error *err)
{
	struct meta m;

	if (f->size < META_END)
		return cs_fail(err, "%s: truncated (%zu bytes)", f->name, f->size);
	read_meta(f->map, f->size, 0, &m);
	if (m.magic != MAGIC)
		return cs_fail(err, "%s: not a bbolt file (bad magic)", f->name);
	if (m.version != VERSION)
		return cs_fail(err, "%s: bbolt version %u, not %d", f->name, m.version, VERSION);
	return cs_fail(err, "%s: both meta pages are invalid", f->name);
}

static uint64_t file_pages(const struct bolt_file *f)
{
	return f->size / f->page_size;
}

/* Chooses the meta and sizes the walk bookkeeping; F has its bytes. */
static int attach(struct bolt_file *f, struct cs_error *err)
{
	struct meta m;
	uint64_t pages;

	if (f->size == 0)
		return cs_fail(err, "%s: empty file", f->name);
	f->page_size = find_page_size(f->map, f->size);
	if (!f->page_size)
		return explain_no_meta(f, err);
	pages = file_pages(f);
	/* bbolt refuses a file smaller than its two meta pages, so do we */
	if (pages < 2)
		return cs_fail(err, "%s: truncated (%zu bytes, page size %u)", f->name,
			       f->size, f->page_size);
	if (choose_meta(f->map, f->size, f->page_size, &m, &f->meta_used) < 0)
		return cs_fail(err, "%s: both meta pages are invalid", f->name);
	f->root_page = m.root;
	f->high_water = m.pgid;
	f->txid = m.txid;
	if (f->root_page < 2 || f->root_page >= f->high_water)
		return cs_fail(err, "%s: root page %llu is outside the %llu pages in use",
			       f->name, ull(f->root_page), ull(f->high_water));
	if (f->root_page >= pages)
		return cs_fail(err, "%s: page %llu is beyond the end of the file", f->name,
			       ull(f->root_page));
	/* only pages that exist are stamped: a claim of 2^40 pages costs nothing */
	f->page_stamp_count = f->high_water < pages ? f->high_water : pages;
	f->page_stamp = xcalloc((size_t)f->page_stamp_count, sizeof(*f->page_stamp));
	/* a walk is under way from the start, for callers that never begin one */
	f->walk = 1;
	return 0;
}

static void reset(struct bolt_file *f)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* Leaves F closed after a failed open, so closing it again is harmless. */
static int give_up(struct bolt_file *f)
{
	bolt_close(f);
	return -1;
}

int bolt_open(struct bolt_file *f, const char *path, struct cs_error *err)
{
	struct stat st;
	void *map;

	reset(f);
	f->name = xstrdup(path);
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (f->fd < 0) {
		cs_fail(err, "%s: %s", path, strerror(errno));
		return give_up(f);
	}
	if (fstat(f->fd, &st) < 0) {
		cs_fail(err, "%s: %s", path, strerror(errno));
		return give_up(f);
	}
	if (!S_ISREG(st.st_mode)) {
		cs_fail(err, "%s: not a regular file", path);
		return give_up(f);
	}
	if (st.st_size == 0) {
		cs_fail(err, "%s: empty file", path);
		return give_up(f);
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		cs_fail(err, "%s: too large to map", path);
		return give_up(f);
	}
	/* shared and read-only: we see the daemon's commits, never take its lock */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, f->fd, 0);
	if (map == MAP_FAILED) {
		cs_fail(err, "%s: cannot map: %s", path, strerror(errno));
		return give_up(f);
	}
	f->map = map;
	f->size = (size_t)st.st_size;
	f->owns_map = true;
	if (attach(f, err) < 0)
		return give_up(f);
	return 0;
}

int bolt_open_memory(struct bolt_file *f, const void *data, size_t len,
		     const char *name, struct cs_error *err)
{
	reset(f);
	f->name = xstrdup(name ? name : "memory");
	f->map = data;
	f->size = len;
	if (attach(f, err) < 0)
		return give_up(f);
	return 0;
}

void bolt_close(struct bolt_file *f)
{
	if (f->owns_map && f->map)
		munmap((void *)f->map, f->size);
	if (f->fd >= 0)
		close(f->fd);
	free(f->page_stamp);
	free(f->name);
	reset(f);
}

int bolt_snapshot_intact(const struct bolt_file *f)
{
	struct meta m;
	uint64_t newest = 0;
	bool any = false;

	/*
	 * The metas alone decide, with no fstat (a system call on every
	 * lookup, 5 % of a diff's time): a file grown since we mapped it holds
	 * our snapshot's pages where they were, and bbolt never shrinks one.
	 */
	if (!f->map)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (read_meta(f->map, f->size, (uint64_t)i * f->page_size, &m)) {
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
		if (f->page_stamp)
			memset(f->page_stamp, 0, (size_t)f->page_stamp_count * sizeof(*f->page_stamp));
		f->walk = 1;
	}
}

/* "page 57" or "an inline bucket", for messages about page P. */
static const char *page_name(const struct page *p, char buf[32])
{
	if (!p->id)
		return "an inline bucket";
	snprintf(buf, 32, "page %llu", ull(p->id));
	return buf;
}

/* The header of the page at P (id, flags, count, overflow), as laid out above. */
static struct bolt_page_header page_header_at(const unsigned char *p)
{
	return (struct bolt_page_header){ le64(p), le32(p + 12), le16(p + 8), le16(p + 10) };
}

/*
 * Finds page ID in the mapping. Each bound is checked before the number
 * it guards is used: the id against the high water mark and the file
 * (before it is multiplied), the overflow against the pages left.
 */
static int load_page(const struct bolt_file *f, uint64_t id, struct page *out,
		     struct cs_error *err)
{
	uint64_t pages = file_pages(f);
	struct bolt_page_header h;
	const unsigned char *p;

	if (id < 2)
		return cs_fail(err, "%s: page %llu is a meta page, not a tree page", f->name,
			       ull(id));
	if (id >= f->high_water)
		return cs_fail(err, "%s: page %llu is outside the %llu pages in use",
			       f->name, ull(id), ull(f->high_water));
	if (id >= pages)
		return cs_fail(err, "%s: page %llu is beyond the end of the file", f->name,
			       ull(id));
	p = f->map + id * f->page_size;
	h = page_header_at(p);
	if (h.overflow >= pages - id)
		return cs_fail(err, "%s: page %llu overflows past the end of the file (%llu more pages)",
			       f->name, ull(id), ull(h.overflow));
	if (h.id != id)
		return cs_fail(err, "%s: page %llu calls itself page %llu", f->name, ull(id), ull(h.id));
	out->base = p;
	out->span = (size_t)((h.overflow + 1) * f->page_size);
	out->id = id;
	out->flags = h.flags;
	out->count = h.count;
	return 0;
}

static int check_tree_page(const struct bolt_file *f, const struct page *p,
			   struct cs_error *err)
{
	char buf[32];

	if (p->flags != FLAG_BRANCH && p->flags != FLAG_LEAF)
		return cs_fail(err, "%s: %s is not a branch or leaf page (flags 0x%x)",
			       f->name, page_name(p, buf), p->flags);
	if ((size_t)p->count * ELEMENT_SIZE > p->span - PAGE_HEADER_SIZE)
		return cs_fail(err, "%s: %s claims %u elements, more than fit", f->name,
			       page_name(p, buf), p->count);
	if (p->flags == FLAG_BRANCH && p->count == 0)
		return cs_fail(err, "%s: %s is an empty branch page", f->name, page_name(p, buf));
	return 0;
}

/* Loads tree page ID without entering it in the walk (lookups). */
static int load_tree_page(const struct bolt_file *f, uint64_t id, struct page *out,
			  struct cs_error *err)
{
	if (load_page(f, id, out, err) < 0)
		return -1;
	return check_tree_page(f, out, err);
}

/*
 * Loads tree page ID and stamps every page it spans: a page reached twice
 * in one walk, or inside another's overflow, is a cycle or an overlap,
 * never a reason to read the same bytes again.
 */
static int enter_page(struct bolt_file *f, uint64_t id, struct page *out,
		      struct cs_error *err)
{
	uint64_t pages;

	if (load_tree_page(f, id, out, err) < 0)
		return -1;
	pages = out->span / f->page_size;
	if (pages > f->page_stamp_count - id)
		return cs_fail(err, "%s: page %llu runs past the %llu pages in use", f->name,
			       ull(id), ull(f->high_water));
	for (uint64_t i = id; i < id + pages; i++) {
		if (f->page_stamp[i] == f->walk)
			return cs_fail(err, "%s: page %llu reached twice (cycle)", f->name, ull(i));
		f->page_stamp[i] = f->walk;
	}
	return 0;
}

/* The inline page inside a bucket value: leaf only, as bbolt writes it. */
static int inline_page(const struct bolt_file *f, const struct bolt_bucket *b,
		       struct page *out, struct cs_error *err)
{
	if (b->inline_page.len < PAGE_HEADER_SIZE)
		return cs_fail(err, "%s: an inline bucket is too short (%zu bytes)", f->name,
			       b->inline_page.len);
	out->base = b->inline_page.ptr;
	out->span = b->inline_page.len;
	out->id = 0;
	out->flags = le16(out->base + 8);
	out->count = le16(out->base + 10);
	if (out->flags != FLAG_LEAF)
		return cs_fail(err, "%s: an inline bucket holds a non-leaf page (flags 0x%x)",
			       f->name, out->flags);
	return check_tree_page(f, out, err);
}

/* Element I of a branch page: its key and child page id. */
static int branch_element(const struct bolt_file *f, const struct page *p, unsigned i,
			  struct cs_bytes *key, uint64_t *child, struct cs_error *err)
{
	size_t at = PAGE_HEADER_SIZE + (size_t)i * ELEMENT_SIZE;
	const unsigned char *e = p->base + at;
	uint64_t pos = le32(e), ksize = le32(e + 4);
	char buf[32];

	if (at + pos + ksize > p->span)
		return cs_fail(err, "%s: %s: element %u runs past the page", f->name,
			       page_name(p, buf), i);
	*key = cs_bytes_of(e + pos, (size_t)ksize);
	*child = le64(e + 8);
	return 0;
}

/*
 * Element I of a leaf page into ITEM. Its key and value must lie in the
 * page at or after FLOOR (an offset in the page); *END gets where they end.
 */
static int leaf_element(const struct bolt_file *f, const struct page *p, unsigned i,
			size_t floor, size_t *end, struct bolt_item *item,
			struct cs_error *err)
{
	size_t at = PAGE_HEADER_SIZE + (size_t)i * ELEMENT_SIZE;
	const unsigned char *e = p->base + at;
	uint64_t start = at + (uint64_t)le32(e + 4);
	uint64_t ksize = le32(e + 8), vsize = le32(e + 12);
	char buf[32];

	/* each term is below 2^32 and at below 2^21: the sum cannot wrap */
	if (start + ksize + vsize > p->span)
		return cs_fail(err, "%s: %s: element %u runs past the page", f->name,
			       page_name(p, buf), i);
	if (start < floor)
		return cs_fail(err, "%s: %s: element %u overlaps the data before it",
			       f->name, page_name(p, buf), i);
	*end = (size_t)(start + ksize + vsize);
	item->key = cs_bytes_of(p->base + start, (size_t)ksize);
	item->value = cs_bytes_of(p->base + start + ksize, (size_t)vsize);
	item->is_bucket = (le32(e) & LEAF_FLAG_BUCKET) != 0;
	if (!item->is_bucket)
		return 0;
	if (vsize < BUCKET_HEADER_SIZE)
		return cs_fail(err, "%s: %s: element %u is a bucket of %llu bytes, too short",
			       f->name, page_name(p, buf), i, ull(vsize));
	item->bucket.root = le64(item->value.ptr);
	item->bucket.inline_page = item->bucket.root
		? cs_bytes_of(NULL, 0)
		: cs_bytes_of(item->value.ptr + BUCKET_HEADER_SIZE,
			      (size_t)vsize - BUCKET_HEADER_SIZE);
	return 0;
}

/* What a walk does at each leaf: visit its items, or only count them. */
struct walk {
	bolt_visit_fn fn;
	void *ctx;
	uint64_t *count;  /* counting when set */
};

static int visit_leaf(struct bolt_file *f, const struct page *p, const struct walk *w,
		      struct cs_error *err)
{
	size_t floor = PAGE_HEADER_SIZE + (size_t)p->count * ELEMENT_SIZE;

	if (w->count) {
		*w->count += p->count;
		return 0;
	}
	for (unsigned i = 0; i < p->count; i++) {
		struct bolt_item item;
		int rc;
		if (leaf_element(f, p, i, floor, &floor, &item, err) < 0)
			return -1;
		rc = w->fn(w->ctx, &item, err);
		if (rc)
			return rc < 0 ? -1 : 1;
	}
	return 0;
}

/*
 * Walks a tree in key order: leaves in the order branch pages list them.
 * Depth is bounded and every page stamped, so a corrupt tree ends in an
 * error, never a loop or a stack overflow.
 */
static int walk_page(struct bolt_file *f, const struct page *p, int depth,
		     const struct walk *w, struct cs_error *err)
{
	if (p->flags == FLAG_LEAF)
		return visit_leaf(f, p, w, err);
	if (depth >= MAX_TREE_DEPTH)
		return cs_fail(err, "%s: page %llu: tree deeper than %d levels", f->name,
			       ull(p->id), MAX_TREE_DEPTH);
	for (unsigned i = 0; i < p->count; i++) {
		struct cs_bytes key;
		uint64_t child_id;
		struct page child;
		int rc;
		if (branch_element(f, p, i, &key, &child_id, err) < 0 ||
		    enter_page(f, child_id, &child, err) < 0)
			return -1;
		rc = walk_page(f, &child, depth + 1, w, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int walk_bucket(struct bolt_file *f, const struct bolt_bucket *b,
		       const struct walk *w, struct cs_error *err)
{
	struct page p;
	int rc;

	if (!f->map)
		return cs_fail(err, "%s: not open", f->name ? f->name : "bbolt file");
	rc = b->root ? enter_page(f, b->root, &p, err) : inline_page(f, b, &p, err);
	if (rc < 0)
		return -1;
	rc = walk_page(f, &p, 0, w, err);
	return rc < 0 ? -1 : 0;
}

int bolt_foreach(struct bolt_file *f, const struct bolt_bucket *b, bolt_visit_fn fn,
		 void *ctx, struct cs_error *err)
{
	struct walk w = { fn, ctx, NULL };

	return walk_bucket(f, b, &w, err);
}

/*
 * A count needs nothing of a leaf but its header's count, read in the
 * map. (Reading every page's header with pread in one sequential pass was
 * tried, when first touches of mapped pages cost 2-3 us each in this VM:
 * measured again on 2026-12-06, a 150 MB cache-debug.db counts in 4 ms in
 * the map and 19-28 ms through pread, which copies the whole file.)
 */
int bolt_count(struct bolt_file *f, const struct bolt_bucket *b, uint64_t *count,
	       struct cs_error *err)
{
	struct walk w = { NULL, NULL, count };

	*count = 0;
	return walk_bucket(f, b, &w, err);
}

static int compare_keys(struct cs_bytes a, const void *b, size_t blen)
{
	return cs_bytes_cmp(a, cs_bytes_of(b, blen));
}

/*
 * The child of branch page P to descend into for KEY, as bbolt's cursor
 * seeks: the last element whose key is not above KEY, else the first.
 */
static int branch_child(const struct bolt_file *f, const struct page *p, const void *key,
			size_t key_len, uint64_t *child, struct cs_error *err)
{
	unsigned lo = 0, hi = p->count;
	struct cs_bytes k;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (branch_element(f, p, mid, &k, child, err) < 0)
			return -1;
		if (compare_keys(k, key, key_len) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return branch_element(f, p, lo ? lo - 1 : 0, &k, child, err);
}

int bolt_get(const struct bolt_file *f, const struct bolt_bucket *b, const void *key,
	     size_t key_len, struct bolt_item *item, struct cs_error *err)
{
	/* F is const, so no stamps: the pages on the way down name a cycle */
	uint64_t path[MAX_TREE_DEPTH];
	struct page p;
	unsigned lo, hi;
	int rc;

	if (!f->map)
		return cs_fail(err, "%s: not open", f->name ? f->name : "bbolt file");
	rc = b->root ? load_tree_page(f, b->root, &p, err) : inline_page(f, b, &p, err);
	if (rc < 0)
		return -1;
	for (int depth = 0; p.flags == FLAG_BRANCH; depth++) {
		uint64_t child;
		if (depth >= MAX_TREE_DEPTH)
			return cs_fail(err, "%s: page %llu: tree deeper than %d levels", f->name,
				       ull(p.id), MAX_TREE_DEPTH);
		path[depth] = p.id;
		if (branch_child(f, &p, key, key_len, &child, err) < 0)
			return -1;
		for (int i = 0; i <= depth; i++)
			if (path[i] == child)
				return cs_fail(err, "%s: page %llu reached twice (cycle)", f->name,
					       ull(child));
		if (load_tree_page(f, child, &p, err) < 0)
			return -1;
	}
	lo = 0;
	hi = p.count;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		size_t end;
		/* a lookup reads a few elements, not the page: no order to check */
		if (leaf_element(f, &p, mid, 0, &end, item, err) < 0)
			return -1;
		int c = compare_keys(item->key, key, key_len);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int bolt_attach(struct bolt_file *f, const char *path, const char *name, struct bolt_bucket *out,
		struct cs_error *err)
{
	enum { ATTEMPTS = 50 };

	for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
		struct bolt_bucket root;
		struct bolt_item item;

		bolt_close(f);
		if (bolt_open(f, path, err) < 0)
			return -1;
		bolt_root(f, &root);
		int found = bolt_get(f, &root, name, strlen(name), &item, err);
		if (!bolt_snapshot_intact(f))
			continue;
		if (found < 0)
			return -1;
		if (found && item.is_bucket)
			*out = item.bucket;
		return found && item.is_bucket;
	}
	return cs_fail(err, "%s: kept changing while being read", path);
}

/*
 * The first key of B at or after KEY, as bbolt's Cursor.Seek finds it: down
 * the tree to the leaf where KEY would be, then on to the next leaf when
 * every key there is smaller. A lookup, like bolt_get: no stamps, the
 * pages on the way down checked for a cycle.
 */
int bolt_seek(const struct bolt_file *f, const struct bolt_bucket *b, const void *key,
	      size_t key_len, struct bolt_item *item, struct cs_error *err)
{
	struct { struct page page; unsigned next; } path[MAX_TREE_DEPTH];
	int depth = 0;
	struct page p;
	/* pages read: more than the file has means pages shared between branches (a hostile file) */
	uint64_t loads = 0;
	int rc;

	if (!f->map)
		return cs_fail(err, "%s: not open", f->name ? f->name : "bbolt file");
	rc = b->root ? load_tree_page(f, b->root, &p, err) : inline_page(f, b, &p, err);
	if (rc < 0)
		return -1;
	/* descend towards KEY, remembering at each branch the element to take next */
	for (bool seeking = true;;) {
		if (p.flags == FLAG_BRANCH) {
			unsigned at = 0;
			uint64_t child;
			struct cs_bytes k;
			if (depth >= MAX_TREE_DEPTH)
				return cs_fail(err, "%s: page %llu: tree deeper than %d levels", f->name,
					       ull(p.id), MAX_TREE_DEPTH);
			if (seeking) {
				unsigned lo = 0, hi = p.count;
				while (lo < hi) {
					unsigned mid = lo + (hi - lo) / 2;
					if (branch_element(f, &p, mid, &k, &child, err) < 0)
						return -1;
					if (compare_keys(k, key, key_len) <= 0)
						lo = mid + 1;
					else
						hi = mid;
				}
				at = lo ? lo - 1 : 0;
			}
			if (branch_element(f, &p, at, &k, &child, err) < 0)
				return -1;
			for (int i = 0; i < depth; i++)
				if (path[i].page.id == child)
					return cs_fail(err, "%s: page %llu reached twice (cycle)", f->name,
						       ull(child));
			if (p.id == child)
				return cs_fail(err, "%s: page %llu reached twice (cycle)", f->name, ull(child));
			path[depth].page = p;
			path[depth].next = at + 1;
			depth++;
			if (++loads > f->high_water)
				return cs_fail(err, "%s: page %llu reached twice (cycle)", f->name, ull(child));
			if (load_tree_page(f, child, &p, err) < 0)
				return -1;
			continue;
		}
		/* a leaf: the first key not below KEY (every key, past the leaf KEY fell in) */
		unsigned lo = 0, hi = p.count;
		while (seeking && lo < hi) {
			unsigned mid = lo + (hi - lo) / 2;
			size_t end;
			if (leaf_element(f, &p, mid, 0, &end, item, err) < 0)
				return -1;
			if (compare_keys(item->key, key, key_len) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < p.count) {
			size_t end;
			return leaf_element(f, &p, lo, 0, &end, item, err) < 0 ? -1 : 1;
		}
		/* up to the nearest branch with an element left, then down its leftmost side */
		while (depth > 0 && path[depth - 1].next >= path[depth - 1].page.count)
			depth--;
		if (depth == 0)
			return 0;
		depth--;
		p = path[depth].page;
		unsigned at = path[depth].next;
		uint64_t child;
		struct cs_bytes k;
		if (branch_element(f, &p, at, &k, &child, err) < 0)
			return -1;
		for (int i = 0; i <= depth; i++)
			if (path[i].page.id == child)
				return cs_fail(err, "%s: page %llu reached twice (cycle)", f->name, ull(child));
		path[depth].next = at + 1;
		depth++;
		if (++loads > f->high_water)
			return cs_fail(err, "%s: page %llu reached twice (cycle)", f->name, ull(child));
		if (load_tree_page(f, child, &p, err) < 0)
			return -1;
		seeking = false;
	}
}
