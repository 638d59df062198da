/*
 * libFuzzer target: --cache-from specs (cache_spec_parse). An accepted
 * spec is consistent (local has a src and no ref, registry a ref and no
 * src), is recognised as a spec, and written back as CSV with every field
 * quoted it parses to the same spec.
 */
#include "core/buf.h"
#include "core/cache_spec.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add_quoted(struct cs_buf *out, const char *key, const char *value)
{
	if (!value)
		return;
	buf_adds(out, out->len ? ",\"" : "\"");
	buf_adds(out, key);
	buf_addc(out, '=');
	for (const char *p = value; *p; p++) {
		if (*p == '"')
			buf_addc(out, '"');
		buf_addc(out, *p);
	}
	buf_addc(out, '"');
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_accepted(const struct cs_cache_spec *spec)
{
	struct cs_buf csv = CS_BUF_INIT;
	struct cs_cache_spec again;
	struct cs_error err;

	if (spec->type == CACHE_LOCAL ? !spec->src || !*spec->src || spec->ref
				      : !spec->ref || !*spec->ref || spec->src || spec->tag || spec->digest)
		__builtin_trap();
	add_quoted(&csv, "type", spec->type == CACHE_LOCAL ? "local" : "registry");
	add_quoted(&csv, "src", spec->src);
	add_quoted(&csv, "tag", spec->tag);
	add_quoted(&csv, "digest", spec->digest);
	add_quoted(&csv, "ref", spec->ref);
	if (!cache_spec_recognize(csv.data) || cache_spec_parse(csv.data, &again, &err) < 0)
		__builtin_trap();
	if (again.type != spec->type || !same(again.src, spec->src) || !same(again.tag, spec->tag) ||
	    !same(again.digest, spec->digest) || !same(again.ref, spec->ref))
		__builtin_trap();
	cache_spec_free(&again);
	buf_free(&csv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size); /* argv strings end at a NUL */
	struct cs_cache_spec spec;
	struct cs_error err = { { 0 } };

	cache_spec_recognize(text);
	if (cache_spec_parse(text, &spec, &err) == 0) {
		if (!cache_spec_recognize(text))
			__builtin_trap(); /* parsed, yet the CLI would not route it here */
		check_accepted(&spec);
		cache_spec_free(&spec);
	} else if (!err.msg[0]) {
		__builtin_trap();
	}
	free(text);
	return 0;
}
