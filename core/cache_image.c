#include "cache_image.h"
#include "base64.h"
#include "cacheconfig.h"
#include "readers.h"
#include "xalloc.h"

#include <jansson.h>
#include <string.h>
#include <sys/utsname.h>

int cache_image_fetch(const struct cs_blob_source *src, const struct cs_digest *d,
		      int64_t size, struct cs_buf *out, struct cs_error *err)
{
	char text[CS_DIGEST_STRLEN + 1];
	struct cs_digest got;

	digest_format(d, text);
	if (size > src->max_size)
		return cs_fail(err, "%s: %s: %lld bytes, more than the limit of %lld", src->name, text,
			       (long long)size, (long long)src->max_size);
	if (src->fetch(src->ctx, d, size, out, err) < 0)
		return -1;
	if ((int64_t)out->len > src->max_size)
		return cs_fail(err, "%s: %s: more than the limit of %lld bytes", src->name, text,
			       (long long)src->max_size);
	if (size >= 0 && (int64_t)out->len != size)
		return cs_fail(err, "%s: %s: %zu bytes, but its descriptor says %lld", src->name, text,
			       out->len, (long long)size);
	digest_of_bytes(out->data, out->len, &got);
	if (!digest_eq(&got, d))
		return cs_fail(err, "%s: %s: content does not match its digest", src->name, text);
	return 0;
}

const char *cache_image_host_arch(void)
{
	static const struct { const char *machine, *arch; } names[] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "arm64", "arm64" },
		{ "armv7l", "arm" }, { "armv6l", "arm" }, { "i686", "386" }, { "i386", "386" },
		{ "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
	};
	struct utsname u;

	if (uname(&u) == 0)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(u.machine, names[i].machine) == 0)
				return names[i].arch;
	return "amd64";
}

struct descriptor {
	const char *media_type;
	struct cs_digest digest;
	int64_t size;
};

static int read_descriptor(json_t *d, const char *name, const char *what, struct descriptor *out,
			   struct cs_error *err)
{
	json_t *dg = json_object_get(d, "digest"), *size = json_object_get(d, "size");

	if (!json_is_object(d) || !json_is_string(dg) ||
	    digest_parse(json_string_value(dg), json_string_length(dg), &out->digest) < 0)
		return cs_fail(err, "%s: %s: descriptor without a sha256 digest", name, what);
	out->media_type = json_string_value(json_object_get(d, "mediaType"));
	out->size = json_is_integer(size) ? json_integer_value(size) : -1;
	if (out->size < -1)
		return cs_fail(err, "%s: %s: negative size", name, what);
	return 0;
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

static int load_cacheconfig_blob(struct cs_graph *g, const struct cs_blob_source *src,
				 const struct descriptor *d, struct cs_error *err)
{
	struct cs_buf blob = CS_BUF_INIT;
	int rc = cache_image_fetch(src, &d->digest, d->size, &blob, err);

	if (rc == 0)
		rc = read_cacheconfig(g, src->name, cs_bytes_of(blob.data, blob.len), err);
	buf_free(&blob);
	return rc;
}

/*
 * Inline cache: the image config's moby.buildkit.cache.v0 is base64 of a
 * JSON array of records whose result layers index the manifest's layers.
 */
static int load_inline(struct cs_graph *g, const struct cs_blob_source *src, json_t *manifest,
		       json_t *config, struct cs_error *err)
{
	json_t *cache = json_object_get(config, "moby.buildkit.cache.v0");
	json_t *layers = json_object_get(manifest, "layers");
	json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	json_t *history = json_object_get(config, "history");
	struct cs_buf decoded = CS_BUF_INIT;
	json_t *records = NULL;
	int rc = -1;

	if (!json_is_string(cache))
		return cs_fail(err, "%s: no BuildKit cache in this image (no cache config, no inline cache)",
			       src->name);
	if (base64_decode(&decoded, json_string_value(cache), json_string_length(cache)) < 0) {
		cs_fail(err, "%s: inline cache: bad base64", src->name);
		goto out;
	}
	records = cacheconfig_parse_json(src->name, decoded.data, decoded.len, err);
	if (!records)
		goto out;
	if (!json_is_array(records)) {
		cs_fail(err, "%s: inline cache is not an array of records", src->name);
		goto out;
	}
	size_t n = json_array_size(layers);
	g->layers = xcalloc(n ? n : 1, sizeof(*g->layers));
	g->layer_count = (uint32_t)n;
	/* history entries that made a layer line up with the layers, in order */
	size_t h = 0;
	for (size_t i = 0; i < n; i++) {
		struct descriptor d;
		struct cs_layer *l = &g->layers[i];
		if (read_descriptor(json_array_get(layers, i), src->name, "layer", &d, err) < 0)
			goto out;
		l->blob = digests_intern(&g->digests, &d.digest);
		l->size = d.size;
		l->parent = i ? (uint32_t)(i - 1) : CS_NONE;
		l->media_type = d.media_type ? strings_add(&g->strings, d.media_type, strlen(d.media_type))
					     : CS_STR_NONE;
		json_t *diff = json_array_get(diff_ids, i);
		l->diff_id = json_is_string(diff) ? digests_intern_str(&g->digests, json_string_value(diff),
									 json_string_length(diff))
						  : CS_DIG_NONE;
		while (h < json_array_size(history) &&
		       json_is_true(json_object_get(json_array_get(history, h), "empty_layer")))
			h++;
		json_t *created = json_object_get(json_array_get(history, h++), "created");
		l->created_at = json_is_string(created)
			? strings_add(&g->strings, json_string_value(created), json_string_length(created))
			: CS_STR_NONE;
	}
	g->kind = "inline cache";
	rc = cacheconfig_read_records(g, src->name, records, err);
out:
	json_decref(records);
	buf_free(&decoded);
	return rc;
}

static int load_manifest(struct cs_graph *g, const struct cs_blob_source *src, json_t *manifest,
			 struct cs_error *err)
{
	struct descriptor config;
	struct cs_buf blob = CS_BUF_INIT;
	json_t *image = NULL;
	int rc;

	if (read_descriptor(json_object_get(manifest, "config"), src->name, "manifest config", &config, err) < 0)
		return -1;
	if (is(config.media_type, CS_MEDIA_CACHECONFIG)) {
		g->kind = "image manifest with cache config";
		return load_cacheconfig_blob(g, src, &config, err);
	}
	rc = cache_image_fetch(src, &config.digest, config.size, &blob, err);
	if (rc == 0) {
		image = cacheconfig_parse_json(src->name, blob.data, blob.len, err);
		rc = image ? 0 : -1;
	}
	if (rc == 0 && !json_is_object(image))
		rc = cs_fail(err, "%s: image config is not a JSON object", src->name);
	if (rc == 0)
		rc = load_inline(g, src, manifest, image, err);
	json_decref(image);
	buf_free(&blob);
	return rc;
}

/* An index of images: the platform's image, else the first linux one, else the first. */
static json_t *pick_platform(json_t *manifests)
{
	const char *arch = cache_image_host_arch();
	json_t *linux_any = NULL, *first = NULL;

	for (size_t i = 0; i < json_array_size(manifests); i++) {
		json_t *m = json_array_get(manifests, i), *p = json_object_get(m, "platform");
		if (!json_is_object(m))
			continue;
		if (!first)
			first = m;
		if (!is(json_string_value(json_object_get(p, "os")), "linux"))
			continue;
		if (!linux_any)
			linux_any = m;
		if (is(json_string_value(json_object_get(p, "architecture")), arch))
			return m;
	}
	return linux_any ? linux_any : first;
}

static int load_object(struct cs_graph *g, const struct cs_blob_source *src, const char *media_type,
		       struct cs_bytes top, int depth, struct cs_error *err);

static int load_index(struct cs_graph *g, const struct cs_blob_source *src, json_t *index,
		      int depth, struct cs_error *err)
{
	json_t *manifests = json_object_get(index, "manifests");
	struct descriptor d;
	struct cs_buf blob = CS_BUF_INIT;

	if (!json_is_array(manifests))
		return cs_fail(err, "%s: index without manifests", src->name);
	for (size_t i = 0; i < json_array_size(manifests); i++) {
		json_t *m = json_array_get(manifests, i);
		if (is(json_string_value(json_object_get(m, "mediaType")), CS_MEDIA_CACHECONFIG)) {
			if (read_descriptor(m, src->name, "cache config", &d, err) < 0)
				return -1;
			g->kind = "image index with cache config";
			return load_cacheconfig_blob(g, src, &d, err);
		}
	}
	json_t *image = pick_platform(manifests);
	if (!image || depth > 0)
		return cs_fail(err, "%s: no BuildKit cache in this index (no cache config, no image)", src->name);
	if (read_descriptor(image, src->name, "image", &d, err) < 0)
		return -1;
	int rc = cache_image_fetch(src, &d.digest, d.size, &blob, err);
	if (rc == 0)
		rc = load_object(g, src, d.media_type, cs_bytes_of(blob.data, blob.len), depth + 1, err);
	buf_free(&blob);
	return rc;
}

static int load_object(struct cs_graph *g, const struct cs_blob_source *src, const char *media_type,
		       struct cs_bytes top, int depth, struct cs_error *err)
{
	json_t *root = cacheconfig_parse_json(src->name, top.ptr, top.len, err);
	int rc;

	if (!root)
		return -1;
	if (!json_is_object(root)) {
		json_decref(root);
		return cs_fail(err, "%s: not an OCI index or manifest", src->name);
	}
	const char *declared = json_string_value(json_object_get(root, "mediaType"));
	if (!media_type || !*media_type)
		media_type = declared;
	if (is(media_type, CS_MEDIA_OCI_INDEX) || is(media_type, CS_MEDIA_DOCKER_LIST) ||
	    (!media_type && json_object_get(root, "manifests")))
		rc = load_index(g, src, root, depth, err);
	else if (is(media_type, CS_MEDIA_OCI_MANIFEST) || is(media_type, CS_MEDIA_DOCKER_MANIFEST) ||
		 (!media_type && json_object_get(root, "config")))
		rc = load_manifest(g, src, root, err);
	else
		rc = cs_fail(err, "%s: not an OCI index or manifest (media type %.100s)", src->name,
			     media_type ? media_type : "unknown");
	json_decref(root);
	return rc;
}

int cache_image_load(struct cs_graph *g, const struct cs_blob_source *src,
		     const char *media_type, struct cs_bytes top, struct cs_error *err)
{
	return load_object(g, src, media_type, top, 0, err);
}
