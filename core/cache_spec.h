#ifndef CS_CACHE_SPEC_H
#define CS_CACHE_SPEC_H

#include "error.h"

#include <stdbool.h>

/*
 * A cache named as `--cache-from` names it: comma-separated key=value
 * fields, as buildx reads them (one line of Go's encoding/csv: a field
 * may be wholly double-quoted, to hold a comma, with "" inside quotes for
 * a quote; keys are case-insensitive):
 *
 *   type=local,src=DIR[,tag=T][,digest=sha256:...]
 *   type=registry,ref=HOST/REPO[:TAG|@sha256:...]
 *
 * Only the keys cachescope uses are accepted: an unknown key is an error
 * that names it. type=gha, s3 and azblob are refused as unsupported;
 * parsing never touches the network or the file system.
 */

enum cs_cache_type { CACHE_LOCAL, CACHE_REGISTRY };

struct cs_cache_spec {
	enum cs_cache_type type;
	char *src;     /* local */
	char *tag;     /* local, optional */
	char *digest;  /* local, optional */
	char *ref;     /* registry */
};

/*
 * Does TEXT name a cache the way --cache-from does, rather than a path?
 * True when one of its fields is type=... in any case or quoting
 * ("src=DIR,type=local" is as good as "type=local,src=DIR").
 */
bool cache_spec_recognize(const char *text);

/* Fills OUT (free it with cache_spec_free); on failure OUT is empty. */
int cache_spec_parse(const char *text, struct cs_cache_spec *out, struct cs_error *err);
void cache_spec_free(struct cs_cache_spec *spec);

#endif
