#ifndef CS_EXPORT_RECORDS_H
#define CS_EXPORT_RECORDS_H

#include "error.h"
#include "graph.h"
#include "input.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * What both debug-export readers (JSON and text) collect before building:
 * records by their printed IDs and parent links by target ID. Targets may
 * come later in the file, so links are resolved once everything is read.
 */

struct export_record {
	int64_t id;
	cs_dig digest;      /* roots */
	bool random;
	uint32_t first_link;
	uint32_t link_count;
	uint32_t node;      /* builder node, once built */
};

struct export_link {
	uint32_t input;
	int32_t output;
	cs_dig digest;
	cs_dig selector;
	int64_t target;     /* the parent's printed ID */
};

struct export_records {
	struct export_record *records;
	size_t record_count, record_cap;
	struct export_link *links;
	size_t link_count, link_cap;
};

/* Starts a record; its links are the ones added until the next one starts. */
struct export_record *export_records_begin(struct export_records *e, int64_t id);
void export_records_link(struct export_records *e, const struct export_link *l);
/* Forgets the current record's links (a member given twice: the last wins). */
void export_records_drop_links(struct export_records *e);

/*
 * Numbers the records into G (named as the store names keys: roots by
 * digest or "random:<hex>", the rest by ID), links them in file order and
 * finishes the builder. NAME is for messages.
 */
int export_records_build(struct export_records *e, struct cs_graph *g, const char *name,
			 struct cs_error *err);
void export_records_free(struct export_records *e);

/*
 * For the readers' lazy plaintext stores, on each lookup at offset AT of
 * IN: a dump looks plaintexts up roughly in file order (it prints records
 * in ID order, as the file lists them), so pages well behind the furthest
 * lookup so far go back to the kernel, as the scan's did. An early entry
 * looked up again is read back from the file.
 */
struct export_lookups {
	size_t furthest;
	size_t released;
};

void export_lookup_at(struct export_lookups *l, const struct cs_input *in, size_t at);

#endif
