/*
 * libFuzzer target: what a registry sends back in headers. The input is
 * read three ways: as a WWW-Authenticate value (auth_parse_challenges), as
 * one raw header line (http_header_split, which sorts every header curl
 * hands us), and as a Retry-After value.
 *
 * Checked beyond "no crash": challenges respect their bounds; schemes and
 * parameter names are non-empty, lower case and made of token characters;
 * values hold no byte the input did not; a split header's name and value
 * lie inside the line, the name has no ':' or space and the value neither
 * starts with a space or tab nor ends with a blank or a line end; a Retry-After is -1 or a non-negative delay.
 */
#include "core/http.h"
#include "core/registry_auth.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s)
{
	if (!*s)
		__builtin_trap();
	for (; *s; s++)
		if (isupper((unsigned char)*s) || (unsigned char)*s <= ' ' || *s == '=' || *s == ',' ||
		    *s == '"')
			__builtin_trap();
}

static void check_challenges(const char *text, size_t len)
{
	struct cs_auth_challenges list;

	if (auth_parse_challenges(text, len, &list) < 0) {
		if (list.count || list.items)
			__builtin_trap();
		return;
	}
	if (list.count == 0 || list.count > CS_AUTH_MAX_CHALLENGES)
		__builtin_trap();
	for (size_t i = 0; i < list.count; i++) {
		const struct cs_auth_challenge *c = &list.items[i];
		check_name(c->scheme);
		if (c->param_count > CS_AUTH_MAX_PARAMS)
			__builtin_trap();
		for (size_t k = 0; k < c->param_count; k++) {
			check_name(c->params[k].name);
			if (strlen(c->params[k].value) > len)
				__builtin_trap();
			if (auth_param(c, c->params[k].name) == NULL)
				__builtin_trap();
		}
		if (auth_find_challenge(&list, c->scheme) == NULL)
			__builtin_trap();
	}
	auth_challenges_free(&list);
}

static bool blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void check_header_line(const char *line, size_t len)
{
	struct cs_bytes name, value;

	if (!http_header_split(line, len, &name, &value))
		return;
	const char *end = line + len;
	if (name.len == 0 || (const char *)name.ptr != line || (const char *)name.ptr + name.len > end ||
	    (const char *)value.ptr < line || (const char *)value.ptr + value.len > end)
		__builtin_trap();
	if (memchr(name.ptr, ':', name.len) || memchr(name.ptr, ' ', name.len))
		__builtin_trap();
	/* OWS before the value, OWS and the line's end after it */
	if (value.len && (value.ptr[0] == ' ' || value.ptr[0] == '\t' || blank(value.ptr[value.len - 1])))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	check_challenges(text, size);
	check_header_line(text, size);
	if (!memchr(data, '\0', size)) {
		double wait = http_retry_after(text);
		if (!(wait == -1 || wait >= 0))
			__builtin_trap();
	}
	free(text);
	return 0;
}
