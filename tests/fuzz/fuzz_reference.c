/*
 * libFuzzer target: image references as `type=registry,ref=...` gives
 * them, parsed and normalised by reference_parse (docker's grammar, Docker
 * Hub's names).
 *
 * Checked beyond "no crash": a parsed reference has a domain, a host, a
 * path within 255 bytes of lower-case [a-z0-9._/-], a tag or a digest; the
 * host is the domain except for Docker Hub; and it is a fixed point:
 * printing it with reference_string and parsing that gives the same
 * reference, field for field.
 */
#include "core/registry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check(const struct cs_reference *r)
{
	if (!r->domain || !*r->domain || !r->host || !*r->host || !r->path || !*r->path)
		__builtin_trap();
	if (strlen(r->path) > CS_REFERENCE_MAX_PATH || (!r->tag && !r->digest))
		__builtin_trap();
	for (const char *p = r->path; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._/-", *p)))
			__builtin_trap();
	if (strcmp(r->domain, "docker.io") == 0 ? strcmp(r->host, "registry-1.docker.io") != 0
						 : strcmp(r->host, r->domain) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_reference r, again;
	struct cs_error err;
	char *text;

	if (memchr(data, '\0', size))
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (reference_parse(text, &r, &err) == 0) {
		check(&r);
		char *printed = reference_string(&r);
		if (reference_parse(printed, &again, &err) < 0)
			__builtin_trap();
		if (!same(r.domain, again.domain) || !same(r.host, again.host) || !same(r.path, again.path) ||
		    !same(r.tag, again.tag) || !same(r.digest, again.digest))
			__builtin_trap();
		reference_free(&again);
		free(printed);
		reference_free(&r);
	}
	free(text);
	return 0;
}
