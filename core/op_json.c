#include "op_json.h"
#include "base64.h"

#include <stdlib.h>
#include <string.h>

static void decode_actions(json_t *op)
{
	json_t *actions = json_object_get(op, "Actions");
	struct cs_buf decoded = CS_BUF_INIT;

	if (!json_is_string(json_object_get(op, "Type")))
		return;
	for (size_t i = 0; i < json_array_size(actions); i++) {
		json_t *a = json_array_get(actions, i);
		json_t *action;
		buf_reset(&decoded);
		if (!json_is_string(a) ||
		    base64_decode(&decoded, json_string_value(a), json_string_length(a)) < 0)
			continue;
		action = json_loadb(decoded.data, decoded.len, JSON_ALLOW_NUL, NULL);
		if (action)
			json_array_set_new(actions, i, action);
	}
	buf_free(&decoded);
}

json_t *op_json_parse(const void *data, size_t len)
{
	/* a command may carry \u0000: keep it, it is escaped on the way out */
	json_t *j = json_loadb(data, len, JSON_ALLOW_NUL, NULL);

	if (j)
		decode_actions(j);
	return j;
}

json_t *op_json_load(const struct cs_plain *p)
{
	size_t len;
	unsigned char *data = plain_data(p, &len);
	json_t *j = op_json_parse(data, len);

	free(data);
	return j;
}
