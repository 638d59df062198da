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
 * Parents lines do not say the link's output; the parent's Children line
 * that lists the child does ("Input" there is the output index). Data is
 * printed raw, so a newline inside it cannot be told from the format's
 * own: a line that is none of the shapes above continues the data before.
 */
#include "export_records.h"
#include "plainstore.h"
#include "plaintext.h"
#include "readers.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct child_entry {
	int64_t parent, child;
	int32_t output;
};

struct text_reader {
	struct cs_graph *g;
	const char *name;
	struct cs_error *err;
	struct cs_bytes text;
	size_t pos;
	size_t line_no;
	struct cs_bytes line;
	struct export_records records;
	struct child_entry *children;
	size_t child_count, child_cap;
	struct cs_plainstore *store;
	/* the plaintext being collected */
	bool in_plain;
	struct cs_digest plain_digest;
	struct cs_buf plain_run;
	size_t last_data_at;   /* offset in plain_run of the last data frame's header */
	bool has_data;
};

static int fail_line(struct text_reader *r, const char *why)
{
	return cs_fail(r->err, "%s: line %zu: %s", r->name, r->line_no, why);
}

static bool next_line(struct text_reader *r)
{
	if (r->pos >= r->text.len)
		return false;
	const unsigned char *start = r->text.ptr + r->pos;
	const unsigned char *nl = memchr(start, '\n', r->text.len - r->pos);
	size_t len = nl ? (size_t)(nl - start) : r->text.len - r->pos;
	r->line = cs_bytes_of(start, len);
	r->pos += len + (nl ? 1 : 0);
	r->line_no++;
	return true;
}

static bool starts(struct cs_bytes line, const char *prefix)
{
	return cs_bytes_has_prefix(line, prefix);
}

static struct cs_bytes rest(struct cs_bytes line, size_t skip)
{
	return cs_bytes_of(line.ptr + skip, line.len - skip);
}

/* Parses a decimal in [MIN, MAX] spanning exactly S. */
static int parse_number(struct cs_bytes s, int64_t min, int64_t max, int64_t *out)
{
	bool negative = s.len && s.ptr[0] == '-';
	int64_t v = 0;

	if (s.len == (size_t)negative || s.len > 20)
		return -1;
	for (size_t i = negative; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s.ptr[i] - '0');
	}
	v = negative ? -v : v;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_digest(struct text_reader *r, struct cs_bytes s, cs_dig *out)
{
	*out = digests_intern_str(&r->g->digests, (const char *)s.ptr, s.len);
	return *out == CS_DIG_NONE ? fail_line(r, "not a sha256 digest") : 0;
}

static void put_frame(struct cs_buf *out, uint32_t id, const void *data, size_t len)
{
	unsigned char h[8] = {
		(unsigned char)(id >> 24), (unsigned char)(id >> 16), (unsigned char)(id >> 8), (unsigned char)id,
		(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len,
	};
	buf_add(out, h, sizeof(h));
	buf_add(out, data, len);
}

static void end_plaintext(struct text_reader *r)
{
	/* the daemon never stores "/"; our resolver answers it */
	if (r->in_plain && !digest_eq(&r->plain_digest, &digest_of_root_path))
		plainstore_memory_add(r->store, &r->plain_digest, r->plain_run.data, r->plain_run.len);
	r->in_plain = false;
}

/* "<digest> (<type>):" with the digest at column 0 */
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

static int plaintext_line(struct text_reader *r)
{
	struct cs_digest d;
	struct cs_bytes type;
	struct cs_bytes line = r->line;

	if (plaintext_header(line, &d, &type)) {
		end_plaintext(r);
		r->in_plain = true;
		r->plain_digest = d;
		r->has_data = false;
		buf_reset(&r->plain_run);
		put_frame(&r->plain_run, CS_FRAME_TYPE, type.ptr, type.len);
		return 0;
	}
	if (line.len == 0)
		return 0;
	if (!r->in_plain)
		return fail_line(r, "expected a plaintext record");
	if (starts(line, "  data: ")) {
		r->last_data_at = r->plain_run.len;
		r->has_data = true;
		put_frame(&r->plain_run, CS_FRAME_DATA, line.ptr + 8, line.len - 8);
		return 0;
	}
	if (starts(line, "  skipping ") && line.len > 17 && memcmp(line.ptr + line.len - 6, " bytes", 6) == 0) {
		int64_t n;
		if (parse_number(cs_bytes_of(line.ptr + 11, line.len - 17), 0, UINT32_MAX, &n) < 0)
			return fail_line(r, "bad skip count");
		unsigned char le[4] = { (unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
					(unsigned char)(n >> 24) };
		put_frame(&r->plain_run, CS_FRAME_SKIP, le, 4);
		r->has_data = false;
		return 0;
	}
	if (starts(line, "  ") && plaintext_header(rest(line, 2), &d, &type))
		return 0; /* a sub-record's header: it is printed in full further down */
	if (!r->has_data || r->last_data_at + 8 > r->plain_run.len)
		return fail_line(r, "unexpected line in a plaintext record");
	/* data that held a newline: the line continues the last data frame */
	buf_addc(&r->plain_run, '\n');
	buf_add(&r->plain_run, line.ptr, line.len);
	size_t len = r->plain_run.len - r->last_data_at - 8;
	unsigned char *h = (unsigned char *)r->plain_run.data + r->last_data_at + 4;
	h[0] = (unsigned char)(len >> 24), h[1] = (unsigned char)(len >> 16);
	h[2] = (unsigned char)(len >> 8), h[3] = (unsigned char)len;
	return 0;
}

/* "  Input <i>:\t<id>\t<digest>" */
static int parents_line(struct text_reader *r)
{
	struct cs_bytes line = r->line;
	struct export_link l = { 0, 0, CS_DIG_NONE, CS_DIG_NONE, 0 };
	int64_t input;

	if (starts(line, "    Selector: ")) {
		if (r->records.link_count == 0 || r->records.records[r->records.record_count - 1].link_count == 0)
			return fail_line(r, "a selector without a parent");
		struct export_link *last = &r->records.links[r->records.link_count - 1];
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
	while (p < end) {
		const unsigned char *comma = memchr(p, ',', (size_t)(end - p));
		const unsigned char *stop = comma ? comma : end;
		if (parse_number(cs_bytes_of(p, (size_t)(stop - p)), 1, INT64_MAX, &child) < 0)
			return fail_line(r, "bad child ID");
		XGROW(r->children, r->child_cap, r->child_count + 1);
		r->children[r->child_count++] = (struct child_entry){ record_id, child, (int32_t)output };
		if (!comma)
			break;
		if (end - comma < 2 || comma[1] != ' ')
			return fail_line(r, "bad children list");
		p = comma + 2;
	}
	return 0;
}

enum section { NONE, PARENTS, CHILDREN, PLAINTEXTS };

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

static int parse_text(struct text_reader *r)
{
	struct export_record *rec = NULL;
	enum section section = NONE;

	while (next_line(r)) {
		struct cs_bytes line = r->line;
		if (starts(line, "ID: ")) {
			end_plaintext(r);
			if (rec && rec->random && rec->digest == CS_DIG_NONE)
				return fail_line(r, "the record before is random but has no digest");
			if (record_header(r, &rec) < 0)
				return -1;
			section = NONE;
			continue;
		}
		if (!rec)
			return fail_line(r, "expected \"ID: \"");
		if (section == PLAINTEXTS) {
			if (plaintext_line(r) < 0)
				return -1;
			continue;
		}
		if (line.len == 0)
			continue;
		if (starts(line, "Digest: ") && section == NONE) {
			if (parse_digest(r, rest(line, 8), &rec->digest) < 0)
				return -1;
		} else if (cs_bytes_eq(line, "Parents:")) {
			section = PARENTS;
		} else if (cs_bytes_eq(line, "Children:")) {
			section = CHILDREN;
		} else if (cs_bytes_eq(line, "Plaintexts:")) {
			section = PLAINTEXTS;
		} else if (section == PARENTS) {
			if (parents_line(r) < 0)
				return -1;
		} else if (section == CHILDREN) {
			if (children_line(r, rec->id) < 0)
				return -1;
		} else {
			return fail_line(r, "unexpected line");
		}
	}
	end_plaintext(r);
	if (rec && rec->random && rec->digest == CS_DIG_NONE)
		return cs_fail(r->err, "%s: a random record without a digest", r->name);
	return 0;
}

static int child_cmp(const void *a, const void *b)
{
	const struct child_entry *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return x->child < y->child ? -1 : x->child > y->child;
}

/* Gives each parent link the output its parent's Children line files the child under. */
static void recover_outputs(struct text_reader *r)
{
	qsort(r->children, r->child_count, sizeof(*r->children), child_cmp);
	for (size_t i = 0; i < r->records.record_count; i++) {
		const struct export_record *rec = &r->records.records[i];
		for (uint32_t k = 0; k < rec->link_count; k++) {
			struct export_link *l = &r->records.links[rec->first_link + k];
			struct child_entry want = { l->target, rec->id, 0 };
			const struct child_entry *hit = bsearch(&want, r->children, r->child_count,
								sizeof(*r->children), child_cmp);
			l->output = hit ? hit->output : 0;
		}
	}
}

int read_debug_text(struct cs_graph *g, struct cs_input *in, struct cs_error *err)
{
	struct text_reader r = {
		.g = g, .name = in->name, .err = err, .text = in->data,
	};
	double start = cs_now();
	int rc;

	g->kind = "debug export (text)";
	r.store = plainstore_memory_new(in->name);
	graph_add_plainstore(g, r.store);
	rc = parse_text(&r);
	if (rc == 0) {
		graph_phase(g, "parse export", start);
		start = cs_now();
		recover_outputs(&r);
		rc = export_records_build(&r.records, g, in->name, err);
		if (rc == 0)
			graph_phase(g, "order records", start);
	}
	export_records_free(&r.records);
	free(r.children);
	buf_free(&r.plain_run);
	/* everything kept was copied */
	input_close(in);
	return rc;
}
