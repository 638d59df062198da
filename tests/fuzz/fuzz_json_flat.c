/*
 * libFuzzer target: json_flat_parse, the reader of the local store's link
 * keys and result values, asked for the fields the store reader asks for.
 *
 * Checked against jansson: what json_flat accepts must be a JSON object
 * (Go's decoder refuses the whole value otherwise, so accepting it would
 * show a record the daemon cannot read), and every field it returns must
 * be the value jansson finds under that name. Inputs jansson cannot judge
 * the way Go does are not compared: invalid UTF-8 (Go accepts it), numbers
 * beyond its range, nesting beyond its depth limit, NUL in a member name,
 * lone UTF-16 surrogates in escapes (Go decodes them as U+FFFD).
 */
#include "core/escape.h"
#include "core/json_flat.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool valid_utf8(const unsigned char *s, size_t len)
{
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* The one member of OBJ whose name matches NAME regardless of case, or NULL (none or several). */
static json_t *member(json_t *obj, const char *name, bool *several)
{
	const char *key;
	json_t *value, *found = NULL;
	int n = 0;

	json_object_foreach(obj, key, value) {
		if (strcasecmp(key, name) == 0 && strlen(key) == strlen(name)) {
			found = value;
			n++;
		}
	}
	*several = n > 1;
	return n == 1 ? found : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_flat_field fields[] = {
		{ .name = "Input", .kind = JSON_FLAT_INT },
		{ .name = "Output", .kind = JSON_FLAT_INT },
		{ .name = "Digest", .kind = JSON_FLAT_STRING },
		{ .name = "Selector", .kind = JSON_FLAT_STRING },
		{ .name = "ID", .kind = JSON_FLAT_STRING },
		{ .name = "CreatedAt", .kind = JSON_FLAT_STRING },
	};
	const int count = (int)(sizeof(fields) / sizeof(fields[0]));
	struct cs_error err;
	/* an exact-size copy, so reading past the text is caught by ASan */
	unsigned char *text = malloc(size ? size : 1);

	memcpy(text, data, size);
	if (json_flat_parse(cs_bytes_of(text, size), fields, count, &err) < 0) {
		if (!err.msg[0])
			__builtin_trap();
		free(text);
		return 0;
	}
	for (int i = 0; i < count; i++) {
		struct cs_bytes s = fields[i].string;
		if (fields[i].kind == JSON_FLAT_STRING && s.len &&
		    (s.ptr < text || s.ptr + s.len > text + size))
			__builtin_trap();
	}

	if (!valid_utf8(text, size)) {
		free(text);
		return 0;
	}
	json_error_t jerr;
	json_t *root = json_loadb((const char *)text, size, JSON_ALLOW_NUL, &jerr);
	if (!root) {
		/*
		 * jansson's own limits, not JSON's: huge numbers, "\u0000" in a
		 * name; and lone surrogates like "\uDFF0", which Go reads as U+FFFD
		 */
		enum json_error_code code = json_error_code(&jerr);
		if (code != json_error_numeric_overflow && code != json_error_null_byte_in_key &&
		    code != json_error_stack_overflow && !strstr(jerr.text, "invalid Unicode"))
			__builtin_trap(); /* json_flat accepted what is not JSON */
		free(text);
		return 0;
	}
	if (!json_is_object(root))
		__builtin_trap();
	for (int i = 0; i < count; i++) {
		bool several;
		json_t *v = member(root, fields[i].name, &several);
		if (several)
			continue; /* duplicates in different case: which one wins is Go's business */
		if (!v || json_is_null(v)) {
			if (fields[i].present && !v)
				__builtin_trap();
			continue;
		}
		if (!fields[i].present)
			__builtin_trap(); /* json_flat missed a field that is there */
		if (fields[i].kind == JSON_FLAT_INT) {
			if (!json_is_integer(v) || json_integer_value(v) != fields[i].number)
				__builtin_trap();
		} else {
			struct cs_bytes s = fields[i].string;
			if (!json_is_string(v) || json_string_length(v) != s.len ||
			    (s.len && memcmp(json_string_value(v), s.ptr, s.len) != 0))
				__builtin_trap();
		}
	}
	json_decref(root);
	free(text);
	return 0;
}
