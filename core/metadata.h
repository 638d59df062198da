#ifndef CS_METADATA_H
#define CS_METADATA_H

#include "error.h"
#include "strpool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A worker's metadata_v2.db (BuildKit's cache/metadata): what each cache
 * record is. cache.db's _result names a key's results "<worker>::<record>";
 * the worker's metadata says what that record holds, from what step, how
 * big it is and when it was used. dockerd keeps one beside cache.db;
 * buildkitd one per worker, in <root>/runc-<snapshotter>/ or
 * <root>/containerd-<snapshotter>/ beside the worker's ID (workerid).
 *
 * bbolt file: bucket _main/<record ID>/ holds keys whose values are JSON
 * {"value": ...}. Keys we read are below; older records lack some, and
 * keys we do not know are not errors.
 */

struct cs_record {
	/* offsets in the set's strings, CS_STR_NONE when absent */
	uint32_t id;
	uint32_t description;   /* cache.description: "mount / from exec /bin/sh -c ..." */
	uint32_t record_type;   /* cache.recordType: absent means "regular" */
	uint32_t parent;        /* cache.parent: the record below (sizes add up along it) */
	uint32_t equal_mutable; /* cache.equalMutable: the mutable twin that stands for it */
	int64_t size;           /* snapshot.size in bytes; -1 until the daemon computed it */
	int64_t created;        /* cache.createdAt, Unix ns; 0 unknown */
	int64_t last_used;      /* cache.lastUsedAt, Unix ns; 0 never */
	int64_t usage_count;    /* cache.usageCount; -1 unknown */
	bool committed;         /* snapshot.committed: an immutable record */
};

/* Records and the strings they point into. */
struct cs_record_set {
	struct cs_record *records;
	size_t count, cap;
	struct cs_strings strings;
};

void record_set_init(struct cs_record_set *s);
void record_set_free(struct cs_record_set *s);

static inline const char *record_text(const struct cs_record_set *s, uint32_t off)
{
	return strings_at(&s->strings, off);
}

/* "regular" when the record says nothing, as BuildKit reports it. */
const char *record_type_name(const struct cs_record_set *s, const struct cs_record *r);

struct cs_metadata;

/*
 * Opens PATH read-only (never blocking the daemon, which keeps it open
 * and writing). WORKER is the worker ID its records belong to, or NULL
 * when unknown (dockerd's single store). 0, or -1 with ERR set.
 */
int metadata_open(const char *path, const char *worker, struct cs_metadata **out,
		  struct cs_error *err);
void metadata_close(struct cs_metadata *m);
const char *metadata_path(const struct cs_metadata *m);
/* The worker ID, or NULL when any result ID may name this store's records. */
const char *metadata_worker(const struct cs_metadata *m);

/* Looks record ID up, appending it to SET: 1 found (its index in *AT), 0 absent, -1 error. */
int metadata_get(struct cs_metadata *m, const char *id, size_t id_len, struct cs_record_set *set,
		 size_t *at, struct cs_error *err);

/* Appends every record, in ID order, to SET (which a failed or torn read leaves as it was). */
int metadata_load_all(struct cs_metadata *m, struct cs_record_set *set, struct cs_error *err);

/* Parses one record's key and JSON value into R (for tests and fuzzing). 0, or -1 when the value is bad. */
int metadata_parse_value(struct cs_record_set *set, struct cs_record *r, const void *key, size_t key_len,
			 const void *value, size_t value_len, struct cs_error *err);

#endif
