/*
 * Image configs and their inline caches (see image_config.h). The records
 * are a cache config's records without its layers: the image's layers
 * stand in for them, bottom to top, each the parent of the next.
 */
#include "image_config.h"
#include "base64.h"
#include "buf.h"
#include "cacheconfig.h"
#include "xalloc.h"

#include <string.h>

bool image_config_has_cache(json_t *config)
{
	return json_is_string(json_object_get(config, "moby.buildkit.cache.v0"));
}

static uint32_t string_or_none(struct cs_graph *g, json_t *v)
{
	return json_is_string(v) ? strings_add(&g->strings, json_string_value(v), json_string_length(v))
				 : CS_STR_NONE;
}

/* The image's layers into g->layers: blobs as LAYERS say (or their diff_ids), times and steps from history. */
static int fill_layers(struct cs_graph *g, const char *name, json_t *config,
		       const struct cs_image_layer *layers, size_t count, struct cs_error *err)
{
	json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	json_t *history = json_object_get(config, "history");
	size_t n = layers ? count : json_array_size(diff_ids), h = 0;

	if (!json_is_array(diff_ids))
		return cs_fail(err, "%s: image config without rootfs.diff_ids", name);
	if (n == 0)
		return cs_fail(err, "%s: image config without layers (rootfs.diff_ids is empty): no inline cache to use",
			       name);
	if (n >= CS_NONE)
		return cs_fail(err, "%s: too many layers", name);
	/* BuildKit ignores an image whose config and manifest disagree */
	if (json_array_size(diff_ids) != n)
		return cs_fail(err, "%s: image config has %zu diff_ids for %zu layers", name,
			       json_array_size(diff_ids), n);
	g->layers = xcalloc(n, sizeof(*g->layers));
	g->layer_count = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct cs_layer *l = &g->layers[i];
		json_t *diff = json_array_get(diff_ids, i);
		l->diff_id = json_is_string(diff) ? digests_intern_str(&g->digests, json_string_value(diff),
									json_string_length(diff))
						  : CS_DIG_NONE;
		if (l->diff_id == CS_DIG_NONE)
			return cs_fail(err, "%s: image config: diff_ids[%zu] is not a sha256 digest", name, i);
		l->blob = layers && layers[i].has_blob ? digests_intern(&g->digests, &layers[i].blob) : l->diff_id;
		l->size = layers ? layers[i].size : -1;
		l->parent = i ? (uint32_t)(i - 1) : CS_NONE;
		l->media_type = layers && layers[i].media_type
			? strings_add(&g->strings, layers[i].media_type, strlen(layers[i].media_type))
			: CS_STR_NONE;
		while (h < json_array_size(history) &&
		       json_is_true(json_object_get(json_array_get(history, h), "empty_layer")))
			h++;
		json_t *step = json_array_get(history, h++);
		l->created_at = string_or_none(g, json_object_get(step, "created"));
		/* "RUN /bin/sh -c make # buildkit": what BuildKit's own importer calls the layer */
		l->description = string_or_none(g, json_object_get(step, "created_by"));
	}
	return 0;
}

int image_config_load_inline(struct cs_graph *g, const char *name, json_t *config,
			     const struct cs_image_layer *layers, size_t count, struct cs_error *err)
{
	json_t *cache = json_object_get(config, "moby.buildkit.cache.v0");
	struct cs_buf decoded = CS_BUF_INIT;
	json_t *records = NULL;
	int rc = -1;

	if (!json_is_string(cache))
		return cs_fail(err, "%s: " CS_NO_INLINE_CACHE, name);
	if (base64_decode(&decoded, json_string_value(cache), json_string_length(cache)) < 0) {
		cs_fail(err, "%s: inline cache: bad base64", name);
		goto out;
	}
	records = cacheconfig_parse_json(name, decoded.data, decoded.len, err);
	if (!records)
		goto out;
	if (!json_is_array(records)) {
		cs_fail(err, "%s: inline cache is not an array of records", name);
		goto out;
	}
	if (fill_layers(g, name, config, layers, count, err) < 0)
		goto out;
	rc = cacheconfig_read_records(g, name, records, err);
out:
	json_decref(records);
	buf_free(&decoded);
	return rc;
}

int image_config_read(struct cs_graph *g, const char *name, json_t *config, struct cs_error *err)
{
	double start = cs_now();

	g->kind = "image config (inline cache)";
	if (image_config_load_inline(g, name, config, NULL, 0, err) < 0)
		return -1;
	graph_phase(g, "read inline cache", start);
	return 0;
}
