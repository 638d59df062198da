#ifndef CS_JSON_FLAT_H
#define CS_JSON_FLAT_H

#include "bytes.h"
#include "error.h"

#include <stdint.h>

/*
 * A reader for the small flat JSON objects the local store keeps by the
 * hundred thousand ({"Input":1,"Digest":"sha256:..."} link keys, result
 * values): one pass, no allocation. Fields are matched without regard to
 * case, as Go's encoding/json does; other fields (of any shape) are skipped.
 */

enum json_flat_kind { JSON_FLAT_INT, JSON_FLAT_STRING };

struct json_flat_field {
	const char *name;
	enum json_flat_kind kind;
	int64_t number;          /* JSON_FLAT_INT */
	struct cs_bytes string;  /* JSON_FLAT_STRING: raw bytes between the quotes */
	int present;
	size_t name_len;         /* set by json_flat_parse */
};

/*
 * Parses TEXT as one object and fills the FIELDS it finds. Strings are
 * returned raw; a field string with an escape in it is refused (no value
 * we read from this store is ever escaped). 0 or -1 with a reason.
 */
int json_flat_parse(struct cs_bytes text, struct json_flat_field *fields,
		    int field_count, struct cs_error *err);

#endif
