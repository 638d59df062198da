/*
 * The daemon's text answers of /debug/cache/store and /debug/cache/load
 * (cmd/buildkitd/debug.go):
 *
 *   ID: <id>[ (random)]
 *   Digest: <digest>
 *   Parents:
 *     Input <i>:\t<parent id>\t<link digest>
 *       Selector: <selector>
 *   Children:
 *     Input <output>:\t <id>, <id>
 *   Plaintexts:
 *   <digest> (<type>):
 *     <sub digest> (<type>):
 *     data: <raw bytes>
 *     skipping <n> bytes
 *
 *   <sub digest> (<type>):
 *   ...
 *
 * Parents lines do not say the link's output; the parent's Children line
 * that lists the child does ("Input" there is the output index).
 *
 * Data is printed raw, so a newline inside it looks like the format's own.
 * A line that is none of the shapes above continues the data before it,
 * and blank lines are data too unless the layout needs them: exactly one
 * before the next plaintext header, two (the plaintext's and the record's)
 * before the next "ID: " or the end. Data that itself holds a line shaped
 * like a header cannot be told apart; the layout wins.
 *
 * Exports run to a hundred megabytes, nearly all plaintexts, so the
 * records are read in one pass over the mapped file while each distinct
 * plaintext is kept only as the span of its lines, parsed again when
 * someone looks it up; the pages behind the scan are handed back.
 */
#include "export_records.h"
#include "plainstore.h"
#include "plaintext.h"
#include "readers.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RELEASE_EVERY ((size_t)16 << 20)

static bool starts(struct cs_bytes line, const char *prefix)
{
	return cs_bytes_has_prefix(line, prefix);
}

static struct cs_bytes rest(struct cs_bytes line, size_t skip)
{
	return cs_bytes_of(line.ptr + skip, line.len - skip);
}

/* Parses a decimal in [MIN, MAX] spanning exactly S (an optional '-', digits). */
static int parse_number(struct cs_bytes s, int64_t min, int64_t max, int64_t *out)
{
	bool negative = s.len && s.ptr[0] == '-';
	uint64_t v = 0;

	if (s.len == (size_t)negative)
		return -1;
	for (size_t i = negative; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return -1;
		uint64_t digit = (uint64_t)(s.ptr[i] - '0');
		/* up to INT64_MAX itself, as the JSON reader takes it */
		if (v > ((uint64_t)INT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	int64_t n = negative ? -(int64_t)v : (int64_t)v;
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* "<digest> (<type>):" with the digest at the line's start */
static bool plaintext_header(struct cs_bytes line, struct cs_digest *d, struct cs_bytes *type)
{
	if (line.len < CS_DIGEST_STRLEN + 4 || memcmp(line.ptr + CS_DIGEST_STRLEN, " (", 2) != 0 ||
	    memcmp(line.ptr + line.len - 2, "):", 2) != 0)
		return false;
	if (digest_parse((const char *)line.ptr, CS_DIGEST_STRLEN, d) < 0)
		return false;
	*type = cs_bytes_of(line.ptr + CS_DIGEST_STRLEN + 2, line.len - CS_DIGEST_STRLEN - 4);
	return true;
}

/* ---- one plaintext: its lines after the header, as a frame run ---- */

/*
 * The lines of one plaintext after its header, fed one at a time. The same
 * code checks a plaintext during the scan (OUT NULL) and rebuilds its frame
 * run at lookup, so what was checked is what is served.
 */
struct plain_lines {
	struct cs_buf *out;      /* the frame run being rebuilt, or NULL */
	bool before_frames;      /* sub-record headers come before any frame */
	bool has_data;           /* the last frame is data: a stray line continues it */
	uint64_t data_len;       /* that frame's length so far */
	size_t data_header;      /* where its header is in OUT */
};

static void put_frame(struct cs_buf *out, uint32_t id, const void *data, size_t len)
{
	unsigned char h[8] = {
		(unsigned char)(id >> 24), (unsigned char)(id >> 16), (unsigned char)(id >> 8), (unsigned char)id,
		(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len,
	};
	buf_add(out, h, sizeof(h));
	buf_add(out, data, len);
}

static void plain_lines_start(struct plain_lines *pl, struct cs_buf *out, struct cs_bytes type)
{
	memset(pl, 0, sizeof(*pl));
	pl->out = out;
	pl->before_frames = true;
	if (out)
		put_frame(out, CS_FRAME_TYPE, type.ptr, type.len);
}

/* "  skipping <n> bytes": the count as a skip frame's 4 little-endian bytes */
static bool skip_line(struct cs_bytes line, unsigned char le[4])
{
	int64_t n;

	if (!starts(line, "  skipping ") || line.len < 17 || memcmp(line.ptr + line.len - 6, " bytes", 6) != 0)
		return false;
	if (parse_number(cs_bytes_of(line.ptr + 11, line.len - 17), 0, UINT32_MAX, &n) < 0 ||
	    line.ptr[11] == '-')
		return false;
	le[0] = (unsigned char)n, le[1] = (unsigned char)(n >> 8);
	le[2] = (unsigned char)(n >> 16), le[3] = (unsigned char)(n >> 24);
	return true;
}

/* Appends "\n" + LINE to the last data frame. */
static const char *continue_data(struct plain_lines *pl, struct cs_bytes line)
{
	pl->data_len += 1 + line.len;
	if (pl->data_len > UINT32_MAX)
		return "a data frame longer than 4 GiB";
	if (pl->out) {
		buf_addc(pl->out, '\n');
		buf_add(pl->out, line.ptr, line.len);
		unsigned char *h = (unsigned char *)pl->out->data + pl->data_header + 4;
		uint32_t len = (uint32_t)pl->data_len;
		h[0] = (unsigned char)(len >> 24), h[1] = (unsigned char)(len >> 16);
		h[2] = (unsigned char)(len >> 8), h[3] = (unsigned char)len;
	}
	return NULL;
}

/* One line of a plaintext: NULL, or what is wrong with it. */
static const char *plain_line(struct plain_lines *pl, struct cs_bytes line)
{
	struct cs_digest d;
	struct cs_bytes type;
	unsigned char le[4];

	if (starts(line, "  data: ")) {
		pl->before_frames = false;
		pl->has_data = true;
		pl->data_len = line.len - 8;
		if (pl->data_len > UINT32_MAX)
			return "a data frame longer than 4 GiB";
		if (pl->out) {
			pl->data_header = pl->out->len;
			put_frame(pl->out, CS_FRAME_DATA, line.ptr + 8, line.len - 8);
		}
		return NULL;
	}
	if (skip_line(line, le)) {
		pl->before_frames = false;
		pl->has_data = false;
		if (pl->out)
			put_frame(pl->out, CS_FRAME_SKIP, le, sizeof(le));
		return NULL;
	}
	if (pl->before_frames && starts(line, "  ") && plaintext_header(rest(line, 2), &d, &type))
		return NULL; /* a sub-record's header: it is printed in full further down */
	if (pl->has_data)
		return continue_data(pl, line); /* data that held a newline */
	if (starts(line, "  skipping "))
		return "bad skip count";
	return "unexpected line in a plaintext record";
}

/* ---- the lazy plaintext store: spans of the file, parsed on lookup ---- */

struct text_span {
	size_t at;    /* the header line */
	size_t len;   /* through its last line, without the blank lines after */
};

struct text_plainstore {
	struct cs_plainstore base;
	struct cs_input input;   /* owned: the spans point into it */
	struct cs_digests index;
	struct text_span *spans;
	size_t span_cap;
	struct export_lookups lookups;
};

static int text_lookup(struct cs_plainstore *base, const struct cs_digest *d,
		       struct cs_buf *out, struct cs_error *err)
{
	struct text_plainstore *st = (struct text_plainstore *)base;
	cs_dig i = digests_find(&st->index, d);
	struct plain_lines pl;
	struct cs_digest header_digest;
	struct cs_bytes type;

	if (i == CS_DIG_NONE)
		return 0;
	export_lookup_at(&st->lookups, &st->input, st->spans[i].at);
	const unsigned char *p = st->input.data.ptr + st->spans[i].at;
	const unsigned char *end = p + st->spans[i].len;
	const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
	struct cs_bytes line = cs_bytes_of(p, (size_t)((nl ? nl : end) - p));
	/* checked in the scan; a failure here means the file changed under us */
	if (!plaintext_header(line, &header_digest, &type))
		return cs_fail(err, "%s: changed while being read", st->base.name);
	buf_reset(out);
	plain_lines_start(&pl, out, type);
	for (p = nl ? nl + 1 : end; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (plain_line(&pl, cs_bytes_of(p, (size_t)((nl ? nl : end) - p))))
			return cs_fail(err, "%s: changed while being read", st->base.name);
	}
	return 1;
}

static int64_t text_count(struct cs_plainstore *base, struct cs_error *err)
{
	(void)err;
	return ((struct text_plainstore *)base)->index.count;
}

static int text_each(struct cs_plainstore *base, cs_plain_visit_fn fn, void *ctx,
		     struct cs_error *err)
{
	return plainstore_each_indexed(base, &((struct text_plainstore *)base)->index, fn, ctx, err);
}

static void text_close(struct cs_plainstore *base)
{
	struct text_plainstore *st = (struct text_plainstore *)base;

	input_close(&st->input);
	digests_free(&st->index);
	free(st->spans);
	free(st->base.name);
	free(st);
}

static const struct cs_plainstore_ops text_plainstore_ops = {
	.lookup = text_lookup,
	.count = text_count,
	.each = text_each,
	.close = text_close,
	.apart = true,
};

/* ---- the records ---- */

struct child_entry {
	int64_t parent, child;
	int32_t output;
};

/* Where in a record the scan is; each section comes at most once, in this order. */
enum section { START, HEAD, PARENTS, CHILDREN, PLAINTEXTS, END };

struct text_reader {
	struct cs_graph *g;
	const char *name;
	struct cs_error *err;
	struct cs_bytes text;
	size_t pos;          /* the next line */
	size_t line_at;      /* the current line */
	size_t line_no;
	struct cs_bytes line;
	size_t released;
	struct export_records records;
	struct child_entry *children;
	size_t child_count, child_cap;
	struct text_plainstore *store;
};

/*
 * A line the daemon cannot have written: what is wrong with it, and when it
 * ends in a carriage return or a space, that too. The daemon writes
 * neither, but a copy saved on Windows or pasted from a web page may, and
 * "bad record ID" alone would not say why "ID: 1" is bad.
 */
static int fail_line(struct text_reader *r, const char *why)
{
	unsigned char last = r->line.len ? r->line.ptr[r->line.len - 1] : 0;
	const char *hint = last == '\r' ? " (the line ends in a carriage return: CRLF line ends?)"
			 : last == ' ' || last == '\t' ? " (the line ends in white space the daemon never writes)"
							: "";

	return cs_fail(r->err, "%s: line %zu: %s%s", r->name, r->line_no, why, hint);
}

static bool next_line(struct text_reader *r)
{
	if (r->pos >= r->text.len)
		return false;
	const unsigned char *start = r->text.ptr + r->pos;
	const unsigned char *nl = memchr(start, '\n', r->text.len - r->pos);
	size_t len = nl ? (size_t)(nl - start) : r->text.len - r->pos;
	r->line = cs_bytes_of(start, len);
	r->line_at = r->pos;
	r->pos += len + (nl ? 1 : 0);
	r->line_no++;
	return true;
}

/* Puts the current line back, to be read again by next_line. */
static void unread_line(struct text_reader *r)
{
	r->pos = r->line_at;
	r->line_no--;
}

static int parse_digest(struct text_reader *r, struct cs_bytes s, cs_dig *out)
{
	*out = digests_intern_str(&r->g->digests, (const char *)s.ptr, s.len);
	return *out == CS_DIG_NONE ? fail_line(r, "not a sha256 digest") : 0;
}

static void keep_plaintext(struct text_reader *r, const struct cs_digest *d, size_t at, size_t len)
{
	struct text_plainstore *st = r->store;

	/* the daemon never stores "/"; our resolver answers it, as the daemon does */
	if (digest_eq(d, &digest_of_root_path) || digests_find(&st->index, d) != CS_DIG_NONE)
		return;
	cs_dig i = digests_intern(&st->index, d);
	XGROW(st->spans, st->span_cap, (size_t)i + 1);
	st->spans[i] = (struct text_span){ at, len };
}

/*
 * One plaintext, from its header (the current line) to the next header,
 * "ID: " line or the end, which is left unread. Blank lines are held back
 * until the next line shows whether the layout or the data owns them.
 */
static int read_plaintext(struct text_reader *r, const struct cs_digest *d, struct cs_bytes type)
{
	struct plain_lines pl;
	size_t at = r->line_at, end = r->pos, blanks = 0, blank_line_no = 0, layout;
	const char *why;

	plain_lines_start(&pl, NULL, type);
	for (;;) {
		struct cs_digest next;
		struct cs_bytes next_type;
		if (!next_line(r)) {
			layout = 2;
			break;
		}
		if (starts(r->line, "ID: ")) {
			layout = 2;
			unread_line(r);
			break;
		}
		if (plaintext_header(r->line, &next, &next_type)) {
			layout = 1;
			unread_line(r);
			break;
		}
		if (r->line.len == 0) {
			if (blanks++ == 0)
				blank_line_no = r->line_no;
			continue;
		}
		for (; blanks; blanks--)
			if ((why = plain_line(&pl, cs_bytes_of("", 0))) != NULL)
				return cs_fail(r->err, "%s: line %zu: %s", r->name, blank_line_no, why);
		if ((why = plain_line(&pl, r->line)) != NULL)
			return fail_line(r, why);
		end = r->pos;
	}
	/* blank lines beyond the layout's are the data's trailing newlines */
	for (; blanks > layout; blanks--) {
		if ((why = plain_line(&pl, cs_bytes_of("", 0))) != NULL)
			return cs_fail(r->err, "%s: line %zu: %s", r->name, blank_line_no, why);
		end++;
	}
	keep_plaintext(r, d, at, end - at);
	return 0;
}

/* "  Input <i>:\t<id>\t<digest>" or "    Selector: <digest>" */
static int parents_line(struct text_reader *r)
{
	struct cs_bytes line = r->line;
	struct export_link l = { 0, 0, CS_DIG_NONE, CS_DIG_NONE, 0 };
	int64_t input;

	if (starts(line, "    Selector: ")) {
		if (r->records.records[r->records.record_count - 1].link_count == 0)
			return fail_line(r, "a selector without a parent");
		struct export_link *last = &r->records.links[r->records.link_count - 1];
		if (last->selector != CS_DIG_NONE)
			return fail_line(r, "a second selector for one parent");
		return parse_digest(r, rest(line, 14), &last->selector);
	}
	if (!starts(line, "  Input "))
		return fail_line(r, "expected a parent line");
	const unsigned char *colon = memchr(line.ptr, ':', line.len);
	if (!colon || (size_t)(colon - line.ptr) + 2 > line.len || colon[1] != '\t')
		return fail_line(r, "bad parent line");
	if (parse_number(cs_bytes_of(line.ptr + 8, (size_t)(colon - line.ptr) - 8), 0, INT32_MAX, &input) < 0)
		return fail_line(r, "bad input number");
	struct cs_bytes fields = cs_bytes_of(colon + 2, line.len - (size_t)(colon - line.ptr) - 2);
	const unsigned char *tab = memchr(fields.ptr, '\t', fields.len);
	if (!tab)
		return fail_line(r, "bad parent line");
	if (parse_number(cs_bytes_of(fields.ptr, (size_t)(tab - fields.ptr)), 1, INT64_MAX, &l.target) < 0)
		return fail_line(r, "bad parent ID");
	if (parse_digest(r, cs_bytes_of(tab + 1, fields.len - (size_t)(tab - fields.ptr) - 1), &l.digest) < 0)
		return -1;
	l.input = (uint32_t)input;
	export_records_link(&r->records, &l);
	return 0;
}

/* "  Input <output>:\t <id>, <id>" */
static int children_line(struct text_reader *r, int64_t record_id)
{
	struct cs_bytes line = r->line;
	int64_t output, child;

	if (!starts(line, "  Input "))
		return fail_line(r, "expected a children line");
	const unsigned char *colon = memchr(line.ptr, ':', line.len);
	if (!colon || (size_t)(colon - line.ptr) + 3 > line.len || colon[1] != '\t' || colon[2] != ' ')
		return fail_line(r, "bad children line");
	if (parse_number(cs_bytes_of(line.ptr + 8, (size_t)(colon - line.ptr) - 8), INT32_MIN, INT32_MAX,
			 &output) < 0)
		return fail_line(r, "bad output number");
	const unsigned char *p = colon + 3, *end = line.ptr + line.len;
	for (;;) {
		const unsigned char *comma = memchr(p, ',', (size_t)(end - p));
		const unsigned char *stop = comma ? comma : end;
		if (parse_number(cs_bytes_of(p, (size_t)(stop - p)), 1, INT64_MAX, &child) < 0)
			return fail_line(r, "bad child ID");
		XGROW(r->children, r->child_cap, r->child_count + 1);
		r->children[r->child_count++] = (struct child_entry){ record_id, child, (int32_t)output };
		if (!comma)
			return 0;
		if (end - comma < 2 || comma[1] != ' ')
			return fail_line(r, "bad children list");
		p = comma + 2;
	}
}

static int record_header(struct text_reader *r, struct export_record **rec)
{
	struct cs_bytes id = rest(r->line, 4);
	bool random = false;
	int64_t n;

	if (id.len > 9 && memcmp(id.ptr + id.len - 9, " (random)", 9) == 0) {
		random = true;
		id.len -= 9;
	}
	if (parse_number(id, 1, INT64_MAX, &n) < 0)
		return fail_line(r, "bad record ID");
	*rec = export_records_begin(&r->records, n);
	(*rec)->random = random;
	return 0;
}

static int end_record(struct text_reader *r, const struct export_record *rec)
{
	if (rec && rec->random && rec->digest == CS_DIG_NONE)
		return cs_fail(r->err, "%s: record %lld is random but has no digest", r->name,
			       (long long)rec->id);
	return 0;
}

/* A line between "ID: " and the plaintexts; advances *SECTION. */
static int record_line(struct text_reader *r, struct export_record *rec, enum section *section)
{
	struct cs_bytes line = r->line;

	if (line.len == 0) {
		*section = END;
		return 0;
	}
	if (starts(line, "Digest: ") && *section == HEAD && rec->digest == CS_DIG_NONE)
		return parse_digest(r, rest(line, 8), &rec->digest);
	if (cs_bytes_eq(line, "Parents:") && *section < PARENTS) {
		*section = PARENTS;
		return 0;
	}
	if (cs_bytes_eq(line, "Children:") && *section < CHILDREN) {
		*section = CHILDREN;
		return 0;
	}
	if (cs_bytes_eq(line, "Plaintexts:") && *section < PLAINTEXTS) {
		*section = PLAINTEXTS;
		return 0;
	}
	if (*section == PARENTS)
		return parents_line(r);
	if (*section == CHILDREN)
		return children_line(r, rec->id);
	return fail_line(r, "unexpected line");
}

static int plaintexts_line(struct text_reader *r)
{
	struct cs_digest d;
	struct cs_bytes type;

	if (!plaintext_header(r->line, &d, &type))
		return fail_line(r, "expected a plaintext record");
	return read_plaintext(r, &d, type);
}

static void release_behind(struct text_reader *r)
{
	if (r->line_at - r->released >= RELEASE_EVERY) {
		r->released = r->line_at;
		input_consumed(&r->store->input, r->released);
	}
}

static int parse_text(struct text_reader *r)
{
	struct export_record *rec = NULL;
	enum section section = START;

	/* a byte-order mark, as an editor may have saved the answer */
	if (r->text.len >= 3 && memcmp(r->text.ptr, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	while (next_line(r)) {
		release_behind(r);
		if (starts(r->line, "ID: ")) {
			if (section != START && section != PLAINTEXTS && section != END)
				return fail_line(r, "expected a blank line before the next record");
			if (end_record(r, rec) < 0 || record_header(r, &rec) < 0)
				return -1;
			section = HEAD;
			continue;
		}
		int rc;
		switch (section) {
		case START:
			/* blank lines before the first record, as a paste may have them */
			rc = r->line.len == 0 ? 0 : fail_line(r, "expected \"ID: \"");
			break;
		case PLAINTEXTS:
			rc = plaintexts_line(r);
			break;
		case END:
			rc = r->line.len == 0 ? 0 : fail_line(r, "unexpected line");
			break;
		default:
			rc = record_line(r, rec, &section);
			break;
		}
		if (rc < 0)
			return -1;
	}
	if (section == START)
		return cs_fail(r->err, "%s: no records", r->name);
	return end_record(r, rec);
}

static int child_cmp(const void *a, const void *b)
{
	const struct child_entry *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->child != y->child)
		return x->child < y->child ? -1 : 1;
	return x->output < y->output ? -1 : x->output > y->output;
}

/* The first entry for (PARENT, CHILD) in the sorted list, and how many there are. */
static size_t child_range(const struct text_reader *r, int64_t parent, int64_t child, size_t *count)
{
	size_t lo = 0, hi = r->child_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct child_entry *e = &r->children[mid];
		if (e->parent < parent || (e->parent == parent && e->child < child))
			lo = mid + 1;
		else
			hi = mid;
	}
	*count = 0;
	while (lo + *count < r->child_count && r->children[lo + *count].parent == parent &&
	       r->children[lo + *count].child == child)
		(*count)++;
	return lo;
}

/* A record's links by target, then by their order in the record. */
struct link_ref {
	int64_t target;
	uint32_t link;
};

static int link_ref_cmp(const void *a, const void *b)
{
	const struct link_ref *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->link < y->link ? -1 : x->link > y->link;
}

/*
 * Gives each parent link the output its parent's Children line files the
 * child under (0 when none does). When a parent files one child under
 * several outputs the lines cannot say which link is which (the link
 * digest folds the output in), so that child's links from that parent take
 * the outputs in ascending order: every output stays listed.
 */
static void recover_outputs(struct text_reader *r)
{
	struct link_ref *refs = NULL;
	size_t ref_cap = 0;

	if (r->child_count)
		qsort(r->children, r->child_count, sizeof(*r->children), child_cmp);
	for (size_t i = 0; i < r->records.record_count; i++) {
		const struct export_record *rec = &r->records.records[i];
		if (rec->link_count == 0)
			continue;
		XGROW(refs, ref_cap, rec->link_count);
		for (uint32_t k = 0; k < rec->link_count; k++)
			refs[k] = (struct link_ref){ r->records.links[rec->first_link + k].target, rec->first_link + k };
		qsort(refs, rec->link_count, sizeof(*refs), link_ref_cmp);
		size_t first = 0, count = 0, nth = 0;
		for (uint32_t k = 0; k < rec->link_count; k++) {
			if (k == 0 || refs[k].target != refs[k - 1].target) {
				first = child_range(r, refs[k].target, rec->id, &count);
				nth = 0;
			}
			r->records.links[refs[k].link].output =
				count ? r->children[first + (nth < count ? nth : count - 1)].output : 0;
			nth++;
		}
	}
	free(refs);
}

int read_debug_text(struct cs_graph *g, struct cs_input *in, struct cs_error *err)
{
	struct text_plainstore *store = xcalloc(1, sizeof(*store));
	struct text_reader r = { .g = g, .err = err, .store = store };
	double start = cs_now();
	int rc;

	/* the store owns the input from here: its spans point into it */
	store->base.ops = &text_plainstore_ops;
	store->base.name = xstrdup(in->name);
	store->input = *in;
	memset(in, 0, sizeof(*in));
	digests_init(&store->index);
	graph_add_plainstore(g, &store->base);
	g->kind = "debug export (text)";

	r.name = store->input.name;
	r.text = store->input.data;
	rc = parse_text(&r);
	if (rc == 0) {
		graph_phase(g, "parse export", start);
		start = cs_now();
		recover_outputs(&r);
		rc = export_records_build(&r.records, g, r.name, err);
		if (rc == 0)
			graph_phase(g, "order records", start);
	}
	export_records_free(&r.records);
	free(r.children);
	return rc;
}
