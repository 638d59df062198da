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
 */
#include "base64.h"
#include "export_records.h"
#include "json_scan.h"
#include "plainstore.h"
#include "readers.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PLAINTEXT_NESTING 64
#define RELEASE_EVERY ((size_t)16 << 20)

/* ---- the lazy plaintext store over the mapped export ---- */

struct lazy_entry {
	size_t type_at;   /* offset of the "type" string value */
	size_t data_at;   /* offset of the "data" array, or SIZE_MAX when absent */
};

struct export_plainstore {
	struct cs_plainstore base;
	struct cs_input input;   /* owned: the entries point into it */
	struct cs_digests index;
	struct lazy_entry *entries;
	size_t entry_cap;
	struct cs_buf scratch;
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
	struct cs_bytes key, raw;
	bool first = true, escaped;
	int64_t id = 0;
	struct cs_bytes data = cs_bytes_of("", 0);
	int rc;

	if (json_scan_object(s) < 0)
		return -1;
	while ((rc = json_scan_member(s, &key, &first)) > 0) {
		if (json_key_is(key, "type")) {
			if (json_scan_int(s, &id) < 0)
				return -1;
		} else if (json_key_is(key, "data") && !json_scan_null(s)) {
			if (json_scan_string(s, &raw, &escaped) < 0)
				return -1;
			data = raw;
		} else if (json_scan_skip(s) < 0) {
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	buf_reset(&st->scratch);
	if (base64_decode(&st->scratch, (const char *)data.ptr, data.len) < 0)
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
	buf_reset(out);
	json_scan_init(&s, st->input.data, st->input.name, err);
	s.p = s.start + st->entries[i].type_at;
	if (json_scan_string_decoded(&s, &st->scratch) < 0)
		return -1;
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
	struct export_plainstore *st = (struct export_plainstore *)base;
	struct cs_buf run = CS_BUF_INIT;
	int rc = 0;

	for (uint32_t i = 0; i < st->index.count && rc == 0; i++) {
		const struct cs_digest *d = digests_at(&st->index, i);
		if (export_lookup(base, d, &run, err) < 0) {
			rc = -1;
			break;
		}
		rc = fn(ctx, d, cs_bytes_of(run.data, run.len), err);
	}
	buf_free(&run);
	return rc < 0 ? -1 : 0;
}

static void export_close(struct cs_plainstore *base)
{
	struct export_plainstore *st = (struct export_plainstore *)base;

	input_close(&st->input);
	digests_free(&st->index);
	free(st->entries);
	buf_free(&st->scratch);
	free(st->base.name);
	free(st);
}

static const struct cs_plainstore_ops export_plainstore_ops = {
	.lookup = export_lookup,
	.count = export_count,
	.each = export_each,
	.close = export_close,
};

/* ---- the records ---- */

struct export_reader {
	struct cs_graph *g;
	struct json_scan s;
	struct export_plainstore *store;
	struct export_records records;
	size_t released;
};

static int read_digest(struct export_reader *r, struct cs_digests *table, cs_dig *out)
{
	struct cs_bytes raw;
	bool escaped;

	if (json_scan_string(&r->s, &raw, &escaped) < 0)
		return -1;
	*out = escaped ? CS_DIG_NONE : digests_intern_str(table, (const char *)raw.ptr, raw.len);
	if (*out == CS_DIG_NONE)
		return json_scan_fail(&r->s, "not a sha256 digest");
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

/* Checks a frames array and returns where it starts. */
static int check_frames(struct export_reader *r, size_t *at)
{
	struct json_scan *s = &r->s;
	bool first = true;
	int rc;

	json_scan_peek(s);
	*at = (size_t)(s->p - s->start);
	if (json_scan_array(s) < 0)
		return -1;
	while ((rc = json_scan_element(s, &first)) > 0) {
		struct cs_bytes key, raw;
		bool member_first = true, escaped;
		int64_t id;
		if (json_scan_object(s) < 0)
			return -1;
		while ((rc = json_scan_member(s, &key, &member_first)) > 0) {
			if (json_key_is(key, "type")) {
				if (read_int_in(r, 0, UINT32_MAX, &id) < 0)
					return -1;
			} else if (json_key_is(key, "data") && !json_scan_null(s)) {
				if (json_scan_string(s, &raw, &escaped) < 0)
					return -1;
				if (escaped || !base64_valid((const char *)raw.ptr, raw.len))
					return json_scan_fail(s, "bad base64");
			} else if (json_scan_skip(s) < 0) {
				return -1;
			}
		}
		if (rc < 0)
			return -1;
	}
	return rc;
}

/* One cachedigest record and, recursively (bounded), its sub-records. */
static int read_plaintext(struct export_reader *r, int depth)
{
	struct json_scan *s = &r->s;
	struct cs_bytes key;
	bool first = true, have_digest = false, have_type = false;
	struct cs_digest digest;
	struct lazy_entry entry = { 0, SIZE_MAX };
	int rc;

	if (depth > MAX_PLAINTEXT_NESTING)
		return json_scan_fail(s, "sub-records nested too deep");
	if (json_scan_object(s) < 0)
		return -1;
	while ((rc = json_scan_member(s, &key, &first)) > 0) {
		if (json_key_is(key, "digest")) {
			struct cs_bytes raw;
			bool escaped;
			if (json_scan_string(s, &raw, &escaped) < 0)
				return -1;
			if (escaped || digest_parse((const char *)raw.ptr, raw.len, &digest) < 0)
				return json_scan_fail(s, "not a sha256 digest");
			have_digest = true;
		} else if (json_key_is(key, "type")) {
			struct cs_bytes raw;
			bool escaped;
			json_scan_peek(s);
			entry.type_at = (size_t)(s->p - s->start);
			if (json_scan_string(s, &raw, &escaped) < 0)
				return -1;
			have_type = true;
		} else if (json_key_is(key, "data") && !json_scan_null(s)) {
			if (check_frames(r, &entry.data_at) < 0)
				return -1;
		} else if (json_key_is(key, "subRecords") && !json_scan_null(s)) {
			bool sub_first = true;
			if (json_scan_array(s) < 0)
				return -1;
			while ((rc = json_scan_element(s, &sub_first)) > 0)
				if (read_plaintext(r, depth + 1) < 0)
					return -1;
			if (rc < 0)
				return -1;
		} else if (json_scan_skip(s) < 0) {
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (!have_digest || !have_type)
		return json_scan_fail(s, "a plaintext record without digest or type");
	/* the daemon never stores "/"; our resolver answers it, as the daemon does */
	if (digest_eq(&digest, &digest_of_root_path) || digests_find(&r->store->index, &digest) != CS_DIG_NONE)
		return 0;
	cs_dig i = digests_intern(&r->store->index, &digest);
	XGROW(r->store->entries, r->store->entry_cap, (size_t)i + 1);
	r->store->entries[i] = entry;
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
		if (json_key_is(key, "input")) {
			if (read_int_in(r, 0, INT32_MAX, &v) < 0)
				return -1;
			l.input = (uint32_t)v;
		} else if (json_key_is(key, "output")) {
			if (read_int_in(r, INT32_MIN, INT32_MAX, &v) < 0)
				return -1;
			l.output = (int32_t)v;
		} else if (json_key_is(key, "digest")) {
			if (read_digest(r, &r->g->digests, &l.digest) < 0)
				return -1;
		} else if (json_key_is(key, "selector") && !json_scan_null(s)) {
			struct cs_bytes raw;
			bool escaped;
			if (json_scan_string(s, &raw, &escaped) < 0)
				return -1;
			if (raw.len) {
				l.selector = escaped ? CS_DIG_NONE
						     : digests_intern_str(&r->g->digests, (const char *)raw.ptr, raw.len);
				if (l.selector == CS_DIG_NONE)
					return json_scan_fail(s, "not a sha256 digest");
			}
		} else if (json_key_is(key, "target")) {
			if (read_int_in(r, 1, INT64_MAX, &l.target) < 0)
				return -1;
		} else if (json_scan_skip(s) < 0) {
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (l.digest == CS_DIG_NONE || l.target == 0)
		return json_scan_fail(s, "a parent link without digest or target");
	export_records_link(&r->records, &l);
	return 0;
}

static int read_record(struct export_reader *r)
{
	struct json_scan *s = &r->s;
	struct export_record *rec = export_records_begin(&r->records, 0);
	bool first = true, seen_parents = false;
	struct cs_bytes key;
	int rc;

	if (json_scan_object(s) < 0)
		return -1;
	while ((rc = json_scan_member(s, &key, &first)) > 0) {
		if (json_key_is(key, "id")) {
			if (read_int_in(r, 1, INT64_MAX, &rec->id) < 0)
				return -1;
		} else if (json_key_is(key, "digest") && !json_scan_null(s)) {
			if (read_digest(r, &r->g->digests, &rec->digest) < 0)
				return -1;
		} else if (json_key_is(key, "random") && !json_scan_null(s)) {
			if (json_scan_bool(s, &rec->random) < 0)
				return -1;
		} else if ((json_key_is(key, "parents") || json_key_is(key, "debug")) && !json_scan_null(s)) {
			bool parents = json_key_is(key, "parents"), item_first = true;
			if (parents && seen_parents)
				return json_scan_fail(s, "parents given twice");
			seen_parents |= parents;
			if (json_scan_array(s) < 0)
				return -1;
			while ((rc = json_scan_element(s, &item_first)) > 0)
				if ((parents ? read_parent(r) : read_plaintext(r, 0)) < 0)
					return -1;
			if (rc < 0)
				return -1;
		} else if (json_scan_skip(s) < 0) {
			/* "children" is what the parents already say; it is checked for shape only */
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (rec->id == 0)
		return json_scan_fail(s, "a record without an id");
	if (rec->random && rec->digest == CS_DIG_NONE)
		return json_scan_fail(s, "a random record without a digest");
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
	return rc;
}
