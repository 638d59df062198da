#ifndef CS_CACHE_SPEC_H
#define CS_CACHE_SPEC_H

#include "error.h"

/*
 * A cache named as `--cache-from` names it: comma-separated key=value
 * fields, a field double-quoted when it holds a comma ("" inside quotes is
 * a quote), as buildx reads it:
 *
 *   type=local,src=DIR[,tag=T][,digest=sha256:...]
 *   type=registry,ref=HOST/REPO[:TAG|@sha256:...]
 */

enum cs_cache_type { CACHE_LOCAL, CACHE_REGISTRY };

struct cs_cache_spec {
	enum cs_cache_type type;
	char *src;     /* local */
	char *tag;     /* local, optional */
	char *digest;  /* local, optional */
	char *ref;     /* registry */
};

int cache_spec_parse(const char *text, struct cs_cache_spec *out, struct cs_error *err);
void cache_spec_free(struct cs_cache_spec *spec);

#endif
