/*
 * A file that is one JSON object: a remote cache config, or an image
 * config carrying an inline cache. The keys decide, as nothing else in
 * the file says what it is: a cache config has "layers" and "records", an
 * image config "rootfs" (and, when BuildKit put a cache in it,
 * "moby.buildkit.cache.v0"), and neither has the other's keys. Whatever
 * has neither set goes to the cache config reader, which names what else
 * it might be (an OCI index or manifest).
 */
#include "cacheconfig.h"
#include "image_config.h"
#include "readers.h"

static bool has(json_t *obj, const char *key)
{
	return json_object_get(obj, key) != NULL;
}

static bool is_image_config(json_t *root)
{
	return json_is_object(root) && !has(root, "records") && !has(root, "layers") &&
	       (has(root, "rootfs") || has(root, "moby.buildkit.cache.v0"));
}

static bool is_nothing_known(json_t *root)
{
	static const char *const keys[] = { "records", "layers", "rootfs", "moby.buildkit.cache.v0",
					    "schemaVersion", "manifests" };

	if (!json_is_object(root))
		return false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (has(root, keys[i]))
			return false;
	return true;
}

int read_json_object(struct cs_graph *g, const char *name, struct cs_bytes json, struct cs_error *err)
{
	double start = cs_now();
	json_t *root = cacheconfig_parse_json(name, json.ptr, json.len, err);
	int rc;

	if (!root)
		return -1;
	if (is_image_config(root)) {
		graph_phase(g, "parse image config", start);
		rc = image_config_read(g, name, root, err);
	} else if (is_nothing_known(root)) {
		rc = cs_fail(err, "%s: not a cache config (no \"records\") or image config (no \"rootfs\")", name);
	} else {
		graph_phase(g, "parse cache config", start);
		rc = cacheconfig_read_object(g, name, root, err);
	}
	json_decref(root);
	return rc;
}
