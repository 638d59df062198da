/*
 * --cache-from specs, read as buildx reads them (util/buildflags): one
 * line of CSV as Go's encoding/csv splits it, then key=value fields with
 * the key lowercased. A field is either plain (no quote anywhere in it) or
 * wholly quoted, "" inside quotes standing for one quote; anything else
 * is the error Go's reader gives.
 */
#include "cache_spec.h"
#include "buf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Splits off the next field into OUT; returns what follows its comma (or
 * the end), or NULL with a reason in *WHY.
 */
static const char *next_field(const char *p, struct cs_buf *out, const char **why)
{
	buf_reset(out);
	buf_adds(out, "");
	if (*p != '"') {
		for (; *p && *p != ','; p++) {
			if (*p == '"' || *p == '\n' || *p == '\r') {
				*why = *p == '"' ? "a quote inside an unquoted field" : "a line break";
				return NULL;
			}
			buf_addc(out, *p);
		}
		return *p ? p + 1 : p;
	}
	for (p++; *p; p++) {
		if (*p != '"') {
			buf_addc(out, *p);
		} else if (p[1] == '"') {
			buf_addc(out, '"');
			p++;
		} else if (p[1] == ',' || p[1] == '\0') {
			return p[1] ? p + 2 : p + 1;
		} else {
			*why = "text after a closing quote";
			return NULL;
		}
	}
	*why = "unbalanced quotes";
	return NULL;
}

struct spec_parse {
	const char *text;
	char *type;
	struct cs_buf unknown;   /* unknown keys, quoted, comma-separated */
	const char *hint;        /* for a key --cache-to takes */
};

static int set_once(char **slot, const char *value, const char *key, const char *text,
		    struct cs_error *err)
{
	if (*slot)
		return cs_fail(err, "%s: %s given twice", text, key);
	*slot = xstrdup(value);
	return 0;
}

static bool key_is(const char *key, const char *name)
{
	return strcmp(key, name) == 0;
}

/* Keys that --cache-to takes but --cache-from does not: the likely mix-up. */
static const char *export_hint(const char *key)
{
	if (key_is(key, "dest"))
		return "dest= names where --cache-to writes; read it back with src=";
	if (key_is(key, "mode") || key_is(key, "image-manifest") || key_is(key, "oci-mediatypes") ||
	    key_is(key, "ignore-error") || strncmp(key, "compression", 11) == 0)
		return "that is a --cache-to option; --cache-from reads the cache as it was written";
	return NULL;
}

static void note_unknown(struct spec_parse *s, const char *key)
{
	if (s->unknown.len > 200)
		return;
	buf_printf(&s->unknown, "%s\"%.60s\"", s->unknown.len ? ", " : "", key);
	if (!s->hint)
		s->hint = export_hint(key);
}

static int store_field(struct cs_cache_spec *spec, struct spec_parse *s, char *field,
		       struct cs_error *err)
{
	char *eq = strchr(field, '=');

	if (!eq)
		return cs_fail(err, "%s: \"%.60s\" is not key=value", s->text, field);
	*eq = '\0';
	for (char *k = field; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	const char *key = field, *value = eq + 1;
	if (key_is(key, "type"))
		return set_once(&s->type, value, key, s->text, err);
	if (key_is(key, "src"))
		return set_once(&spec->src, value, key, s->text, err);
	if (key_is(key, "tag"))
		return set_once(&spec->tag, value, key, s->text, err);
	if (key_is(key, "digest"))
		return set_once(&spec->digest, value, key, s->text, err);
	if (key_is(key, "ref"))
		return set_once(&spec->ref, value, key, s->text, err);
	/* reported after the type, which may be one we do not read at all */
	note_unknown(s, key);
	return 0;
}

static int check_local(struct cs_cache_spec *spec, const char *text, struct cs_error *err)
{
	spec->type = CACHE_LOCAL;
	if (!spec->src || !*spec->src)
		return cs_fail(err, "%s: type=local needs src=DIR", text);
	if (spec->ref)
		return cs_fail(err, "%s: ref= goes with type=registry", text);
	if (spec->tag && !*spec->tag && !spec->digest)
		return cs_fail(err, "%s: tag= is empty: give a tag or a digest", text);
	return 0;
}

static int check_registry(struct cs_cache_spec *spec, const char *text, struct cs_error *err)
{
	spec->type = CACHE_REGISTRY;
	if (!spec->ref || !*spec->ref)
		return cs_fail(err, "%s: type=registry needs ref=", text);
	if (spec->src || spec->tag || spec->digest)
		return cs_fail(err, "%s: src=, tag= and digest= go with type=local", text);
	return 0;
}

static int check_spec(struct cs_cache_spec *spec, struct spec_parse *s, struct cs_error *err)
{
	const char *type = s->type;

	if (!type || !*type)
		return cs_fail(err, "%s: no type= given", s->text);
	if (key_is(type, "gha") || key_is(type, "s3") || key_is(type, "azblob"))
		return cs_fail(err, "%s: type=%s caches are not supported (export with type=local or type=registry)",
			       s->text, type);
	if (key_is(type, "inline"))
		return cs_fail(err, "%s: an inline cache is read from its image: type=registry,ref=IMAGE", s->text);
	if (!key_is(type, "local") && !key_is(type, "registry"))
		return cs_fail(err, "%s: unknown cache type \"%.40s\"", s->text, type);
	if (s->unknown.len)
		return cs_fail(err, "%s: unknown key%s %s%s%s", s->text, strchr(s->unknown.data, ',') ? "s" : "",
			       s->unknown.data, s->hint ? ": " : "", s->hint ? s->hint : "");
	return key_is(type, "local") ? check_local(spec, s->text, err) : check_registry(spec, s->text, err);
}

static bool starts_with_type(const char *field)
{
	if (*field == '"')
		field++;
	return strncasecmp(field, "type=", 5) == 0;
}

bool cache_spec_recognize(const char *text)
{
	if (starts_with_type(text))
		return true;
	for (const char *comma = strchr(text, ','); comma; comma = strchr(comma + 1, ','))
		if (starts_with_type(comma + 1))
			return true;
	return false;
}

int cache_spec_parse(const char *text, struct cs_cache_spec *out, struct cs_error *err)
{
	struct spec_parse s = { .text = text, .unknown = CS_BUF_INIT };
	struct cs_buf field = CS_BUF_INIT;
	const char *p = text, *why = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!*p)
		rc = cs_fail(err, "an empty cache spec");
	while (rc == 0 && *p) {
		p = next_field(p, &field, &why);
		if (!p)
			rc = cs_fail(err, "%s: %s", text, why);
		else if (field.len)
			rc = store_field(out, &s, field.data, err);
	}
	if (rc == 0)
		rc = check_spec(out, &s, err);
	free(s.type);
	buf_free(&s.unknown);
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
