/*
 * Reading a worker's metadata_v2.db. Like cache.db and cache-debug.db it
 * is a live bbolt file: every read is checked against the metas
 * afterwards, and a snapshot a writer may have reused is read again.
 */
#include "metadata.h"
#include "bolt.h"
#include "buf.h"
#include "json_scan.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ATTEMPTS 50

struct cs_metadata {
	struct bolt_file file;
	struct bolt_bucket main;
	bool has_main;
	char *path;
	char *worker;
};

void record_set_init(struct cs_record_set *s)
{
	memset(s, 0, sizeof(*s));
	strings_init(&s->strings);
}

void record_set_free(struct cs_record_set *s)
{
	free(s->records);
	strings_free(&s->strings);
	memset(s, 0, sizeof(*s));
}

const char *record_type_name(const struct cs_record_set *s, const struct cs_record *r)
{
	const char *type = record_text(s, r->record_type);

	return type && *type ? type : "regular";
}

static void record_clear(struct cs_record *r)
{
	r->id = r->description = r->record_type = r->parent = r->equal_mutable = CS_STR_NONE;
	r->size = -1;
	r->created = r->last_used = 0;
	r->usage_count = -1;
	r->committed = false;
}

enum field_type { FIELD_STRING, FIELD_INT, FIELD_BOOL };

struct field {
	const char *key;
	enum field_type type;
	size_t offset;  /* in struct cs_record */
};

static const struct field fields[] = {
	{ "cache.description", FIELD_STRING, offsetof(struct cs_record, description) },
	{ "cache.recordType", FIELD_STRING, offsetof(struct cs_record, record_type) },
	{ "cache.parent", FIELD_STRING, offsetof(struct cs_record, parent) },
	{ "cache.equalMutable", FIELD_STRING, offsetof(struct cs_record, equal_mutable) },
	{ "snapshot.size", FIELD_INT, offsetof(struct cs_record, size) },
	{ "cache.createdAt", FIELD_INT, offsetof(struct cs_record, created) },
	{ "cache.lastUsedAt", FIELD_INT, offsetof(struct cs_record, last_used) },
	{ "cache.usageCount", FIELD_INT, offsetof(struct cs_record, usage_count) },
	{ "snapshot.committed", FIELD_BOOL, offsetof(struct cs_record, committed) },
};

static const struct field *field_of(const void *key, size_t len)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].key) == len && memcmp(fields[i].key, key, len) == 0)
			return &fields[i];
	return NULL;
}

/* The "value" member of {"value": ..., "index": ...} into the field's place in R. */
static int read_value(struct json_scan *s, struct cs_record_set *set, struct cs_record *r,
		      const struct field *f)
{
	void *place = (char *)r + f->offset;
	struct cs_buf text = CS_BUF_INIT;

	if (json_scan_null(s))
		return 0;
	switch (f->type) {
	case FIELD_STRING:
		if (json_scan_string_decoded(s, &text) < 0)
			return -1;
		/* an empty string says no more than an absent key (cache.equalMutable is often "") */
		*(uint32_t *)place = text.len ? strings_add(&set->strings, text.data, text.len) : CS_STR_NONE;
		buf_free(&text);
		return 0;
	case FIELD_INT:
		return json_scan_int(s, place);
	case FIELD_BOOL:
		return json_scan_bool(s, place);
	}
	return -1;
}

int metadata_parse_value(struct cs_record_set *set, struct cs_record *r, const void *key, size_t key_len,
			 const void *value, size_t value_len, struct cs_error *err)
{
	const struct field *f = field_of(key, key_len);
	struct json_scan s;
	struct cs_bytes member;
	bool first = true;
	int more;

	/* keys we do not read are not looked at; an empty value is an unset one */
	if (!f || value_len == 0)
		return 0;
	json_scan_init(&s, cs_bytes_of(value, value_len), f->key, err);
	if (json_scan_object(&s) < 0)
		return -1;
	while ((more = json_scan_member(&s, &member, &first)) == 1) {
		int rc = member.len == 5 && memcmp(member.ptr, "value", 5) == 0 ? read_value(&s, set, r, f)
										  : json_scan_skip(&s);
		if (rc < 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (json_scan_peek(&s) != -1)
		return json_scan_fail(&s, "more after the value");
	return 0;
}

struct record_reader {
	struct cs_record_set *set;
	struct cs_record record;
};

static int read_field(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct record_reader *rr = ctx;

	if (item->is_bucket)
		return 0;
	return metadata_parse_value(rr->set, &rr->record, item->key.ptr, item->key.len, item->value.ptr,
				    item->value.len, err);
}

/* Reads the record whose bucket ITEM is, appending it to SET. */
static int read_record(struct cs_metadata *m, const struct bolt_item *item, struct cs_record_set *set,
		       struct cs_error *err)
{
	struct record_reader rr = { set, { 0 } };

	record_clear(&rr.record);
	rr.record.id = strings_add(&set->strings, (const char *)item->key.ptr, item->key.len);
	if (bolt_foreach(&m->file, &item->bucket, read_field, &rr, err) < 0)
		return cs_fail_context(err, "%s: record %.*s", m->path, (int)(item->key.len > 64 ? 64 : item->key.len),
				       (const char *)item->key.ptr);
	XGROW(set->records, set->cap, set->count + 1);
	set->records[set->count++] = rr.record;
	return 0;
}

/* Opens the newest snapshot and finds _main in it; a file with another store's buckets says which. */
static int attach(struct cs_metadata *m, struct cs_error *err)
{
	struct bolt_bucket root;
	struct bolt_item item;
	int found = bolt_attach(&m->file, m->path, "_main", &m->main, err);

	if (found < 0)
		return -1;
	m->has_main = found;
	if (found)
		return 0;
	bolt_root(&m->file, &root);
	if (bolt_get(&m->file, &root, "_links", 6, &item, NULL) > 0)
		return cs_fail(err, "%s: a cache store (cache.db), not a worker's metadata_v2.db", m->path);
	if (bolt_get(&m->file, &root, "byhash", 6, &item, NULL) > 0)
		return cs_fail(err, "%s: a plaintext store (cache-debug.db), not a worker's metadata_v2.db", m->path);
	return 0;
}

int metadata_open(const char *path, const char *worker, struct cs_metadata **out, struct cs_error *err)
{
	struct cs_metadata *m = xcalloc(1, sizeof(*m));

	m->file.fd = -1;
	m->path = xstrdup(path);
	m->worker = worker ? xstrdup(worker) : NULL;
	if (attach(m, err) < 0) {
		metadata_close(m);
		return -1;
	}
	*out = m;
	return 0;
}

void metadata_close(struct cs_metadata *m)
{
	if (!m)
		return;
	bolt_close(&m->file);
	free(m->path);
	free(m->worker);
	free(m);
}

const char *metadata_path(const struct cs_metadata *m)
{
	return m->path;
}

const char *metadata_worker(const struct cs_metadata *m)
{
	return m->worker;
}

/* Forgets what a torn attempt appended. */
static void truncate_set(struct cs_record_set *set, size_t count, size_t strings_len)
{
	set->count = count;
	set->strings.len = strings_len;
}

int metadata_get(struct cs_metadata *m, const char *id, size_t id_len, struct cs_record_set *set,
		 size_t *at, struct cs_error *err)
{
	size_t count = set->count, strings_len = set->strings.len;

	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		struct bolt_item item;
		int found = 0;

		bolt_walk_begin(&m->file);
		if (m->has_main)
			found = bolt_get(&m->file, &m->main, id, id_len, &item, err);
		if (found > 0 && item.is_bucket && read_record(m, &item, set, err) < 0)
			found = -1;
		if (bolt_snapshot_intact(&m->file)) {
			if (found < 0) {
				truncate_set(set, count, strings_len);
				return -1;
			}
			*at = count;
			return found > 0 && item.is_bucket;
		}
		truncate_set(set, count, strings_len);
		if (attach(m, err) < 0)
			return -1;
	}
	return cs_fail(err, "%s: kept changing while being read", m->path);
}

struct all_reader {
	struct cs_metadata *m;
	struct cs_record_set *set;
};

static int read_each_record(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct all_reader *ar = ctx;

	/* _main holds only record buckets; a stray value is not ours to judge */
	if (!item->is_bucket)
		return 0;
	return read_record(ar->m, item, ar->set, err);
}

int metadata_load_all(struct cs_metadata *m, struct cs_record_set *set, struct cs_error *err)
{
	size_t count = set->count, strings_len = set->strings.len;
	struct all_reader ar = { m, set };

	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		int rc = 0;

		bolt_walk_begin(&m->file);
		if (m->has_main)
			rc = bolt_foreach(&m->file, &m->main, read_each_record, &ar, err);
		if (bolt_snapshot_intact(&m->file)) {
			if (rc < 0)
				truncate_set(set, count, strings_len);
			return rc < 0 ? -1 : 0;
		}
		truncate_set(set, count, strings_len);
		if (attach(m, err) < 0)
			return -1;
	}
	return cs_fail(err, "%s: kept changing while being read", m->path);
}
