/*
 * The daemon's JSON answers of /debug/cache/store and /debug/cache/load:
 * an array of util/cachestore records with their "debug" plaintexts.
 *
 * Exports of big stores are hundreds of megabytes, so this is one pass of
 * a pull scanner over the mapped file: records and links go to the
 * builder, and each distinct plaintext is remembered only as a position in
 * the file, decoded from base64 when someone looks at it. Pages behind the
 * scanner are handed back as it goes, so memory stays well under the
 * file's size.
 *
 * What the daemon's Go decoder would accept, we accept: member names match
 * case-insensitively (and through escapes), unknown members are ignored,
 * null leaves a member unset, and a member given twice counts once, the
 * last time.
 */
#include "base64.h"
#include "export_records.h"
#include "json_scan.h"
#include "plainstore.h"
#include "readers.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Sub-records nest 3 or 4 deep in real stores. */
#define MAX_PLAINTEXT_NESTING 64
#define RELEASE_EVERY ((size_t)16 << 20)

/* ---- base64 in JSON strings ---- */

/*
 * The bytes of a frame's "data" string as Go decodes a []byte: escapes
 * first, then base64 where newlines are ignored. Only escaped strings (which
 * the daemon never writes) pay for the copy into SCRATCH.
 */
static struct cs_bytes base64_text(struct cs_bytes raw, bool escaped, struct cs_buf *scratch)
{
	size_t kept = 0;

	if (!escaped)
		return raw;
	buf_reset(scratch);
	if (json_unescape(raw, scratch) < 0)
		return cs_bytes_of("!", 1); /* the scanner checked the escapes; never reached */
	for (size_t i = 0; i < scratch->len; i++)
		if (scratch->data[i] != '\n' && scratch->data[i] != '\r')
			scratch->data[kept++] = scratch->data[i];
	scratch->len = kept;
	return cs_bytes_of(scratch->data, kept);
}

/* ---- the lazy plaintext store over the mapped export ---- */

struct lazy_entry {
	size_t type_at;   /* offset of the "type" string value, or SIZE_MAX (empty type) */
	size_t data_at;   /* offset of the "data" array, or SIZE_MAX when absent */
};

struct export_plainstore {
	struct cs_plainstore base;
	struct cs_input input;   /* owned: the entries point into it */
	struct cs_digests index;
	struct lazy_entry *entries;
	size_t entry_cap;
	struct export_lookups lookups;
	struct cs_buf scratch, text;
};

static void put_frame_header(struct cs_buf *out, uint32_t id, size_t len)
{
	unsigned char h[8] = {
		(unsigned char)(id >> 24), (unsigned char)(id >> 16), (unsigned char)(id >> 8), (unsigned char)id,
		(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len,
	};
	buf_add(out, h, sizeof(h));
}

/* Re-reads one frame object {"type": N, "data": "<base64>"} into OUT. */
static int decode_frame(struct json_scan *s, struct export_plainstore *st, struct cs_buf *out)
{
	struct cs_bytes key, raw, data = cs_bytes_of("", 0);
	bool first = true, escaped = false;
	int64_t id = 0;
	int rc;

	if (json_scan_object(s) < 0)
		return -1;
	while ((rc = json_scan_member(s, &key, &first)) > 0) {
		if (json_key_is(key, "type") && !json_scan_null(s)) {
			if (json_scan_int(s, &id) < 0)
				return -1;
		} else if (json_key_is(key, "data")) {
			data = cs_bytes_of("", 0), escaped = false;
			if (!json_scan_null(s) && json_scan_string(s, &data, &escaped) < 0)
				return -1;
		} else if (json_scan_skip(s) < 0) {
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	raw = base64_text(data, escaped, &st->text);
	buf_reset(&st->scratch);
	if (base64_decode(&st->scratch, (const char *)raw.ptr, raw.len) < 0)
		return json_scan_fail(s, "bad base64");
	put_frame_header(out, (uint32_t)id, st->scratch.len);
	buf_add(out, st->scratch.data, st->scratch.len);
	return 0;
}

static int export_lookup(struct cs_plainstore *base, const struct cs_digest *d,
			 struct cs_buf *out, struct cs_error *err)
{
	struct export_plainstore *st = (struct export_plainstore *)base;
	cs_dig i = digests_find(&st->index, d);
	struct json_scan s;
	bool first = true;
	int rc;

	if (i == CS_DIG_NONE)
		return 0;
	export_lookup_at(&st->lookups, &st->input,
			 st->entries[i].data_at != SIZE_MAX ? st->entries[i].data_at : 0);
	buf_reset(out);
	json_scan_init(&s, st->input.data, st->input.name, err);
	buf_reset(&st->scratch);
	if (st->entries[i].type_at != SIZE_MAX) {
		s.p = s.start + st->entries[i].type_at;
		if (json_scan_string_decoded(&s, &st->scratch) < 0)
			return -1;
	}
	put_frame_header(out, 1, st->scratch.len);
	buf_add(out, st->scratch.data, st->scratch.len);
	if (st->entries[i].data_at == SIZE_MAX)
		return 1;
	s.p = s.start + st->entries[i].data_at;
	if (json_scan_array(&s) < 0)
		return -1;
	while ((rc = json_scan_element(&s, &first)) > 0)
		if (decode_frame(&s, st, out) < 0)
			return -1;
	return rc < 0 ? -1 : 1;
}

static int64_t export_count(struct cs_plainstore *base, struct cs_error *err)
{
	(void)err;
	return ((struct export_plainstore *)base)->index.count;
}

static int export_each(struct cs_plainstore *base, cs_plain_visit_fn fn, void *ctx,
		       struct cs_error *err)
{
	return plainstore_each_indexed(base, &((struct export_plainstore *)base)->index, fn, ctx, err);
}

static void export_close(struct cs_plainstore *base)
{
	struct export_plainstore *st = (struct export_plainstore *)base;

	input_close(&st->input);
	digests_free(&st->index);
	free(st->entries);
	buf_free(&st->scratch);
	buf_free(&st->text);
	free(st->base.name);
	free(st);
}

static const struct cs_plainstore_ops export_plainstore_ops = {
	.lookup = export_lookup,
	.count = export_count,
	.each = export_each,
	.close = export_close,
	.apart = true,
};

/* ---- the records ---- */

struct export_reader {
	struct cs_graph *g;
	struct json_scan s;
	struct export_plainstore *store;
	struct export_records records;
	struct cs_buf scratch;
	size_t released;
};

/* Where the next value starts (after white space). */
static size_t value_at(struct json_scan *s)
{
	json_scan_peek(s);
	return (size_t)(s->p - s->start);
}

/* A string value, decoded when it had escapes (into the reader's scratch). */
static int read_string(struct export_reader *r, struct cs_bytes *out)
{
	bool escaped;

	if (json_scan_string(&r->s, out, &escaped) < 0)
		return -1;
	if (escaped) {
		buf_reset(&r->scratch);
		json_unescape(*out, &r->scratch);
		*out = cs_bytes_of(r->scratch.data, r->scratch.len);
	}
	return 0;
}

/* A digest string; "" (Go's empty digest.Digest) leaves *OUT as it is. */
static int read_digest(struct export_reader *r, struct cs_digest *out, bool *set)
{
	struct cs_bytes text;

	if (read_string(r, &text) < 0)
		return -1;
	*set = text.len > 0;
	if (*set && digest_parse((const char *)text.ptr, text.len, out) < 0)
		return json_scan_fail(&r->s, "not a sha256 digest");
	return 0;
}

/* The same, interned in the graph's digests. */
static int read_graph_digest(struct export_reader *r, cs_dig *out)
{
	struct cs_digest d;
	bool set;

	if (read_digest(r, &d, &set) < 0)
		return -1;
	*out = set ? digests_intern(&r->g->digests, &d) : CS_DIG_NONE;
	return 0;
}

static int read_int_in(struct export_reader *r, int64_t min, int64_t max, int64_t *out)
{
	if (json_scan_int(&r->s, out) < 0)
		return -1;
	if (*out < min || *out > max)
		return json_scan_fail(&r->s, "number out of range");
	return 0;
}

/* One frame {"type": N, "data": "<base64>"}, checked and skipped. */
static int check_frame(struct export_reader *r)
{
	struct json_scan *s = &r->s;
	struct cs_bytes key, raw;
	bool first = true, escaped;
	int64_t id;
	int rc;

	if (json_scan_object(s) < 0)
		return -1;
	while ((rc = json_scan_member(s, &key, &first)) > 0) {
		if (json_scan_null(s))
			continue;
		if (json_key_is(key, "type")) {
			if (read_int_in(r, 0, UINT32_MAX, &id) < 0)
				return -1;
		} else if (json_key_is(key, "data")) {
			if (json_scan_string(s, &raw, &escaped) < 0)
				return -1;
			raw = base64_text(raw, escaped, &r->scratch);
			if (!base64_valid((const char *)raw.ptr, raw.len))
				return json_scan_fail(s, "bad base64");
			/* a frame's length is a u32 */
			if (raw.len / 4 * 3 > UINT32_MAX)
				return json_scan_fail(s, "a frame longer than 4 GiB");
		} else if (json_scan_skip(s) < 0) {
			return -1;
		}
	}
	return rc;
}

/* Checks a frames array and returns where it starts. */
static int check_frames(struct export_reader *r, size_t *at)
{
	struct json_scan *s = &r->s;
	bool first = true;
	int rc;

	*at = value_at(s);
	if (json_scan_array(s) < 0)
		return -1;
	while ((rc = json_scan_element(s, &first)) > 0)
		if (check_frame(r) < 0)
			return -1;
	return rc;
}

/*
 * A plaintext record being read: sub-records nest, so the reader keeps a
 * stack of these instead of recursing on the input's depth.
 */
struct plain_level {
	struct cs_digest digest;
	struct lazy_entry entry;
	bool have_digest;
	bool first;          /* no member read yet */
	bool in_subs;        /* inside its "subRecords" array */
	bool sub_first;      /* no sub-record read yet */
};

static void begin_level(struct plain_level *l)
{
	memset(l, 0, sizeof(*l));
	l->entry = (struct lazy_entry){ SIZE_MAX, SIZE_MAX };
	l->first = true;
}

/* A finished plaintext goes into the store unless its digest is there already. */
static int keep_plaintext(struct export_reader *r, const struct plain_level *l)
{
	struct export_plainstore *st = r->store;

	if (!l->have_digest)
		return json_scan_fail(&r->s, "a plaintext record without a digest");
	/* the daemon never stores "/"; our resolver answers it, as the daemon does */
	if (digest_eq(&l->digest, &digest_of_root_path) || digests_find(&st->index, &l->digest) != CS_DIG_NONE)
		return 0;
	cs_dig i = digests_intern(&st->index, &l->digest);
	XGROW(st->entries, st->entry_cap, (size_t)i + 1);
	st->entries[i] = l->entry;
	return 0;
}

/* One member of a plaintext record; "subRecords" only opens its array. */
static int plaintext_member(struct export_reader *r, struct plain_level *l, struct cs_bytes key)
{
	struct json_scan *s = &r->s;
	struct cs_bytes raw;
	bool escaped;

	/* null leaves a string as it was and empties a list */
	if (json_scan_null(s)) {
		if (json_key_is(key, "data"))
			l->entry.data_at = SIZE_MAX;
		return 0;
	}
	if (json_key_is(key, "digest"))
		return read_digest(r, &l->digest, &l->have_digest);
	if (json_key_is(key, "type")) {
		l->entry.type_at = value_at(s);
		return json_scan_string(s, &raw, &escaped);
	}
	if (json_key_is(key, "data"))
		return check_frames(r, &l->entry.data_at);
	if (json_key_is(key, "subRecords")) {
		l->in_subs = true;
		l->sub_first = true;
		return json_scan_array(s);
	}
	return json_scan_skip(s);
}

/* One cachedigest record and every sub-record in it, depth-first. */
static int read_plaintext(struct export_reader *r)
{
	struct plain_level stack[MAX_PLAINTEXT_NESTING + 1];
	struct json_scan *s = &r->s;
	int depth = 1, rc;

	if (json_scan_object(s) < 0)
		return -1;
	begin_level(&stack[0]);
	while (depth > 0) {
		struct plain_level *l = &stack[depth - 1];
		struct cs_bytes key;
		if (l->in_subs) {
			if ((rc = json_scan_element(s, &l->sub_first)) < 0)
				return -1;
			if (rc == 0) {
				l->in_subs = false;
				continue;
			}
			if (depth > MAX_PLAINTEXT_NESTING)
				return json_scan_fail(s, "sub-records nested too deep");
			if (json_scan_object(s) < 0)
				return -1;
			begin_level(&stack[depth++]);
			continue;
		}
		if ((rc = json_scan_member(s, &key, &l->first)) < 0)
			return -1;
		if (rc > 0) {
			if (plaintext_member(r, l, key) < 0)
				return -1;
			continue;
		}
		if (keep_plaintext(r, l) < 0)
			return -1;
		depth--;
	}
	return 0;
}

static int read_parent(struct export_reader *r)
{
	struct json_scan *s = &r->s;
	struct export_link l = { 0, 0, CS_DIG_NONE, CS_DIG_NONE, 0 };
	struct cs_bytes key;
	bool first = true;
	int64_t v;
	int rc;

	if (json_scan_object(s) < 0)
		return -1;
	while ((rc = json_scan_member(s, &key, &first)) > 0) {
		bool null = json_scan_null(s);
		if (json_key_is(key, "input")) {
			if (!null && read_int_in(r, 0, INT32_MAX, &v) < 0)
				return -1;
			l.input = null ? l.input : (uint32_t)v;
		} else if (json_key_is(key, "output")) {
			if (!null && read_int_in(r, INT32_MIN, INT32_MAX, &v) < 0)
				return -1;
			l.output = null ? l.output : (int32_t)v;
		} else if (json_key_is(key, "digest")) {
			if (!null && read_graph_digest(r, &l.digest) < 0)
				return -1;
		} else if (json_key_is(key, "selector")) {
			if (!null && read_graph_digest(r, &l.selector) < 0)
				return -1;
		} else if (json_key_is(key, "target")) {
			if (!null && read_int_in(r, 1, INT64_MAX, &l.target) < 0)
				return -1;
		} else if (!null && json_scan_skip(s) < 0) {
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	/* checked when the record ends: a later "parents" may replace this one */
	export_records_link(&r->records, &l);
	return 0;
}

/* An object key of "children": Go's strconv.ParseInt(key, 10, 64) must take it. */
static int check_int_key(struct export_reader *r, struct cs_bytes key)
{
	size_t i = 0;
	uint64_t v = 0, limit = INT64_MAX;

	if (memchr(key.ptr, '\\', key.len)) {
		buf_reset(&r->scratch);
		json_unescape(key, &r->scratch);
		key = cs_bytes_of(r->scratch.data, r->scratch.len);
	}
	if (key.len && (key.ptr[0] == '+' || key.ptr[0] == '-'))
		i++;
	if (i && key.ptr[0] == '-')
		limit = (uint64_t)INT64_MAX + 1;
	if (i == key.len)
		return json_scan_fail(&r->s, "children: a key that is not a number");
	for (; i < key.len; i++) {
		if (key.ptr[i] < '0' || key.ptr[i] > '9')
			return json_scan_fail(&r->s, "children: a key that is not a number");
		unsigned digit = (unsigned)(key.ptr[i] - '0');
		if (v > (limit - digit) / 10)
			return json_scan_fail(&r->s, "children: number out of range");
		v = v * 10 + digit;
	}
	return 0;
}

/*
 * "children": {"<output>": {"<id>": {}}}. It says again what the parents
 * say, so it is not used, but its shape is checked as Go's decoder into
 * map[int]map[int]struct{} would.
 */
static int check_children(struct export_reader *r)
{
	struct json_scan *s = &r->s;
	struct cs_bytes key;
	bool first = true;
	int rc;

	if (json_scan_object(s) < 0)
		return -1;
	while ((rc = json_scan_member(s, &key, &first)) > 0) {
		bool ids_first = true;
		if (check_int_key(r, key) < 0)
			return -1;
		if (json_scan_null(s))
			continue;
		if (json_scan_object(s) < 0)
			return -1;
		while ((rc = json_scan_member(s, &key, &ids_first)) > 0) {
			if (check_int_key(r, key) < 0)
				return -1;
			if (json_scan_null(s))
				continue;
			if (json_scan_peek(s) != '{')
				return json_scan_fail(s, "expected an object");
			if (json_scan_skip(s) < 0)
				return -1;
		}
		if (rc < 0)
			return -1;
	}
	return rc;
}

/* "parents" or "debug": an array of links or of plaintexts. */
static int read_list(struct export_reader *r, bool parents)
{
	bool first = true;
	int rc;

	if (json_scan_array(&r->s) < 0)
		return -1;
	while ((rc = json_scan_element(&r->s, &first)) > 0)
		if ((parents ? read_parent(r) : read_plaintext(r)) < 0)
			return -1;
	return rc;
}

static int record_member(struct export_reader *r, struct export_record *rec, struct cs_bytes key)
{
	struct json_scan *s = &r->s;
	bool null = json_scan_null(s);

	if (json_key_is(key, "id"))
		return null ? 0 : read_int_in(r, 1, INT64_MAX, &rec->id);
	if (json_key_is(key, "digest"))
		return null ? 0 : read_graph_digest(r, &rec->digest);
	if (json_key_is(key, "random"))
		return null ? 0 : json_scan_bool(s, &rec->random);
	if (json_key_is(key, "parents")) {
		export_records_drop_links(&r->records);
		return null ? 0 : read_list(r, true);
	}
	if (json_key_is(key, "debug"))
		return null ? 0 : read_list(r, false);
	if (json_key_is(key, "children"))
		return null ? 0 : check_children(r);
	return null ? 0 : json_scan_skip(s);
}

static int read_record(struct export_reader *r)
{
	struct json_scan *s = &r->s;
	struct export_record *rec = export_records_begin(&r->records, 0);
	bool first = true;
	struct cs_bytes key;
	int rc;

	if (json_scan_object(s) < 0)
		return -1;
	while ((rc = json_scan_member(s, &key, &first)) > 0)
		if (record_member(r, rec, key) < 0)
			return -1;
	if (rc < 0)
		return -1;
	if (rec->id == 0)
		return json_scan_fail(s, "a record without an id");
	if (rec->random && rec->digest == CS_DIG_NONE)
		return json_scan_fail(s, "a random record without a digest");
	for (uint32_t i = 0; i < rec->link_count; i++) {
		const struct export_link *l = &r->records.links[rec->first_link + i];
		if (l->digest == CS_DIG_NONE)
			return json_scan_fail(s, "a parent link without a digest");
		if (l->target == 0)
			return json_scan_fail(s, "a parent link without a target");
	}
	if ((size_t)(s->p - s->start) - r->released >= RELEASE_EVERY) {
		r->released = (size_t)(s->p - s->start);
		input_consumed(&r->store->input, r->released);
	}
	return 0;
}

static int parse_export(struct export_reader *r)
{
	struct json_scan *s = &r->s;
	bool first = true;
	int rc;

	/* a byte-order mark, as an editor may have saved the answer */
	if (s->end - s->p >= 3 && memcmp(s->p, "\xef\xbb\xbf", 3) == 0)
		s->p += 3;
	if (json_scan_peek(s) != '[')
		return json_scan_fail(s, "not a debug export (expected a JSON array of records)");
	json_scan_array(s);
	while ((rc = json_scan_element(s, &first)) > 0)
		if (read_record(r) < 0)
			return -1;
	if (rc < 0)
		return -1;
	if (json_scan_peek(s) >= 0)
		return json_scan_fail(s, "trailing data after the array");
	return 0;
}

int read_debug_json(struct cs_graph *g, struct cs_input *in, struct cs_error *err)
{
	struct export_reader r = { .g = g };
	struct export_plainstore *store = xcalloc(1, sizeof(*store));
	double start = cs_now();
	int rc = -1;

	/* the store owns the input from here: its entries point into it */
	store->base.ops = &export_plainstore_ops;
	store->base.name = xstrdup(in->name);
	store->input = *in;
	memset(in, 0, sizeof(*in));
	digests_init(&store->index);
	graph_add_plainstore(g, &store->base);
	g->kind = "debug export (JSON)";

	r.store = store;
	json_scan_init(&r.s, store->input.data, store->input.name, err);
	if (parse_export(&r) < 0)
		goto out;
	graph_phase(g, "parse export", start);
	start = cs_now();
	rc = export_records_build(&r.records, g, store->input.name, err);
	if (rc == 0)
		graph_phase(g, "order records", start);
out:
	export_records_free(&r.records);
	buf_free(&r.scratch);
	return rc;
}
