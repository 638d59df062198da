#include "cache_spec.h"
#include "buf.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Splits off the next CSV field into OUT; returns the rest, or NULL on bad quoting. */
static const char *next_field(const char *p, struct cs_buf *out)
{
	bool quoted = false;

	buf_reset(out);
	buf_adds(out, "");
	for (; *p; p++) {
		if (quoted) {
			if (*p == '"' && p[1] == '"') {
				buf_addc(out, '"');
				p++;
			} else if (*p == '"') {
				quoted = false;
			} else {
				buf_addc(out, *p);
			}
		} else if (*p == '"') {
			quoted = true;
		} else if (*p == ',') {
			return p + 1;
		} else {
			buf_addc(out, *p);
		}
	}
	return quoted ? NULL : p;
}

static int set_once(char **slot, const char *value, const char *key, const char *text,
		    struct cs_error *err)
{
	if (*slot)
		return cs_fail(err, "%s: %s given twice", text, key);
	*slot = xstrdup(value);
	return 0;
}

static int store_field(struct cs_cache_spec *spec, char **type, char **unknown, const char *field,
		       const char *text, struct cs_error *err)
{
	const char *eq = strchr(field, '=');

	if (!eq)
		return cs_fail(err, "%s: \"%.60s\" is not key=value", text, field);
	size_t klen = (size_t)(eq - field);
	const char *value = eq + 1;
	if (klen == 4 && memcmp(field, "type", 4) == 0)
		return set_once(type, value, "type", text, err);
	if (klen == 3 && memcmp(field, "src", 3) == 0)
		return set_once(&spec->src, value, "src", text, err);
	if (klen == 3 && memcmp(field, "tag", 3) == 0)
		return set_once(&spec->tag, value, "tag", text, err);
	if (klen == 6 && memcmp(field, "digest", 6) == 0)
		return set_once(&spec->digest, value, "digest", text, err);
	if (klen == 3 && memcmp(field, "ref", 3) == 0)
		return set_once(&spec->ref, value, "ref", text, err);
	/* reported after the type, which may be one we do not read at all */
	if (!*unknown)
		*unknown = xstrndup(field, klen > 60 ? 60 : klen);
	return 0;
}

static int check_spec(struct cs_cache_spec *spec, const char *type, const char *unknown,
		      const char *text, struct cs_error *err)
{
	if (!type)
		return cs_fail(err, "%s: no type= given", text);
	if (!strcmp(type, "gha") || !strcmp(type, "s3") || !strcmp(type, "azblob") || !strcmp(type, "inline"))
		return cs_fail(err, "%s: type=%s caches are not supported (export with type=local or type=registry)",
			       text, type);
	if (unknown)
		return cs_fail(err, "%s: unknown key \"%s\"", text, unknown);
	if (strcmp(type, "local") == 0) {
		spec->type = CACHE_LOCAL;
		if (!spec->src || !*spec->src)
			return cs_fail(err, "%s: type=local needs src=DIR", text);
		if (spec->ref)
			return cs_fail(err, "%s: ref= goes with type=registry", text);
		return 0;
	}
	if (strcmp(type, "registry") == 0) {
		spec->type = CACHE_REGISTRY;
		if (!spec->ref || !*spec->ref)
			return cs_fail(err, "%s: type=registry needs ref=", text);
		if (spec->src || spec->tag || spec->digest)
			return cs_fail(err, "%s: src=, tag= and digest= go with type=local", text);
		return 0;
	}
	return cs_fail(err, "%s: unknown cache type \"%.40s\"", text, type);
}

int cache_spec_parse(const char *text, struct cs_cache_spec *out, struct cs_error *err)
{
	struct cs_buf field = CS_BUF_INIT;
	char *type = NULL, *unknown = NULL;
	const char *p = text;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (rc == 0 && *p) {
		p = next_field(p, &field);
		if (!p)
			rc = cs_fail(err, "%s: unbalanced quotes", text);
		else if (field.len)
			rc = store_field(out, &type, &unknown, field.data, text, err);
	}
	if (rc == 0)
		rc = check_spec(out, type, unknown, text, err);
	free(type);
	free(unknown);
	buf_free(&field);
	if (rc < 0)
		cache_spec_free(out);
	return rc;
}

void cache_spec_free(struct cs_cache_spec *spec)
{
	free(spec->src);
	free(spec->tag);
	free(spec->digest);
	free(spec->ref);
	memset(spec, 0, sizeof(*spec));
}
