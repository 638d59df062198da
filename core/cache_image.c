/*
 * The cache behind an OCI index or manifest, as cache/remotecache/import.go
 * finds it (see cache_image.h for the shapes). Objects are parsed with the
 * same jansson limits as cache configs; each fetched one is verified in
 * cache_image_fetch before it is parsed.
 */
#include "cache_image.h"
#include "cacheconfig.h"
#include "image_config.h"
#include "readers.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
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
		{ "loongarch64", "loong64" }, { "mips64", "mips64" },
	};
	struct utsname u;

	if (uname(&u) == 0)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(u.machine, names[i].machine) == 0)
				return names[i].arch;
	return "amd64";
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

struct descriptor {
	const char *media_type; /* NULL when not given */
	struct cs_digest digest;
	int64_t size;
};

/* An OCI descriptor: a sha256 digest and a size are required, a media type is a string. */
static int read_descriptor(json_t *d, const char *name, const char *what, struct descriptor *out,
			   struct cs_error *err)
{
	json_t *dg = json_object_get(d, "digest"), *size = json_object_get(d, "size");
	json_t *type = json_object_get(d, "mediaType");

	if (!json_is_object(d))
		return cs_fail(err, "%s: %s: descriptor is not an object", name, what);
	if (!json_is_string(dg) || digest_parse(json_string_value(dg), json_string_length(dg), &out->digest) < 0)
		return cs_fail(err, "%s: %s: descriptor without a sha256 digest", name, what);
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return cs_fail(err, "%s: %s: descriptor without a size", name, what);
	if (type && !json_is_null(type) && !json_is_string(type))
		return cs_fail(err, "%s: %s: mediaType is not a string", name, what);
	out->media_type = json_string_value(type);
	out->size = json_integer_value(size);
	return 0;
}

/* Fetches, verifies and parses a JSON object a descriptor names; NULL on failure. */
static json_t *fetch_json(const struct cs_blob_source *src, const struct cs_digest *d, int64_t size,
			  const char *what, struct cs_error *err)
{
	struct cs_buf blob = CS_BUF_INIT;
	json_t *root = NULL;

	if (cache_image_fetch(src, d, size, &blob, err) == 0)
		root = cacheconfig_parse_json(src->name, blob.data, blob.len, err);
	buf_free(&blob);
	if (root && !json_is_object(root)) {
		cs_fail(err, "%s: %s is not a JSON object", src->name, what);
		json_decref(root);
		root = NULL;
	}
	return root;
}

static uint32_t string_or_none(struct cs_graph *g, json_t *v)
{
	return json_is_string(v) ? strings_add(&g->strings, json_string_value(v), json_string_length(v))
				 : CS_STR_NONE;
}

/*
 * BuildKit exports what each layer is on the descriptors that list the
 * layers beside the config (the index's manifests[], or the manifest's
 * layers[] with image-manifest=true), not in the config: annotations
 * buildkit/description and buildkit/createdat. A descriptor of a blob the
 * config has no layer for says nothing.
 */
static void annotate_layers(struct cs_graph *g, json_t *descriptors)
{
	/* layers by blob: first[blob digest], then next[layer] (one blob can top several chains) */
	uint32_t *first = xmalloc((g->digests.count ? g->digests.count : 1) * sizeof(*first));
	uint32_t *next = xmalloc((g->layer_count ? g->layer_count : 1) * sizeof(*next));

	memset(first, 0xff, g->digests.count * sizeof(*first));
	for (uint32_t l = g->layer_count; l-- > 0;) {
		next[l] = first[g->layers[l].blob];
		first[g->layers[l].blob] = l;
	}
	for (size_t i = 0; i < json_array_size(descriptors); i++) {
		json_t *d = json_array_get(descriptors, i), *a = json_object_get(d, "annotations");
		json_t *digest = json_object_get(d, "digest");
		struct cs_digest blob;
		cs_dig dig;
		if (!json_is_object(a) || !json_is_string(digest) ||
		    digest_parse(json_string_value(digest), json_string_length(digest), &blob) < 0 ||
		    (dig = digests_find(&g->digests, &blob)) == CS_DIG_NONE)
			continue;
		for (uint32_t l = first[dig]; l != CS_NONE; l = next[l]) {
			struct cs_layer *layer = &g->layers[l];
			if (layer->description == CS_STR_NONE)
				layer->description = string_or_none(g, json_object_get(a, "buildkit/description"));
			if (layer->created_at == CS_STR_NONE)
				layer->created_at = string_or_none(g, json_object_get(a, "buildkit/createdat"));
		}
	}
	free(first);
	free(next);
}

/* The cache config D names, with what DESCRIPTORS (the layers' descriptors beside it) say of its layers. */
static int load_cacheconfig_blob(struct cs_graph *g, const struct cs_blob_source *src,
				 const struct descriptor *d, json_t *descriptors, struct cs_error *err)
{
	struct cs_buf blob = CS_BUF_INIT;
	int rc = cache_image_fetch(src, &d->digest, d->size, &blob, err);

	if (rc == 0)
		rc = read_cacheconfig(g, src->name, cs_bytes_of(blob.data, blob.len), err);
	if (rc == 0)
		annotate_layers(g, descriptors);
	buf_free(&blob);
	return rc;
}

/*
 * Inline cache: the image config's moby.buildkit.cache.v0, whose records
 * index the manifest's layers (image_config.h).
 */
static int load_inline(struct cs_graph *g, const struct cs_blob_source *src, json_t *manifest,
		       json_t *config, struct cs_error *err)
{
	json_t *descriptors = json_object_get(manifest, "layers");
	size_t n = json_array_size(descriptors);
	struct cs_image_layer *layers;
	int rc = -1;

	if (!image_config_has_cache(config))
		return cs_fail(err, "%s: no BuildKit cache in this image (no cache config, no inline cache)",
			       src->name);
	if (!json_is_array(descriptors) || n == 0)
		return cs_fail(err, "%s: image manifest without layers: no inline cache to use", src->name);
	if (n >= CS_NONE)
		return cs_fail(err, "%s: too many layers", src->name);
	layers = xcalloc(n, sizeof(*layers));
	for (size_t i = 0; i < n; i++) {
		struct descriptor d;
		if (read_descriptor(json_array_get(descriptors, i), src->name, "layer", &d, err) < 0)
			goto out;
		layers[i] = (struct cs_image_layer){ true, d.digest, d.size, d.media_type };
	}
	g->kind = "inline cache";
	rc = image_config_load_inline(g, src->name, config, layers, n, err);
out:
	free(layers);
	return rc;
}

static int load_manifest(struct cs_graph *g, const struct cs_blob_source *src, json_t *manifest,
			 struct cs_error *err)
{
	struct descriptor config;
	json_t *image;
	int rc;

	if (read_descriptor(json_object_get(manifest, "config"), src->name, "manifest config", &config, err) < 0)
		return -1;
	if (is(config.media_type, CS_MEDIA_CACHECONFIG)) {
		g->kind = "image manifest with cache config";
		return load_cacheconfig_blob(g, src, &config, json_object_get(manifest, "layers"), err);
	}
	image = fetch_json(src, &config.digest, config.size, "image config", err);
	if (!image)
		return -1;
	rc = load_inline(g, src, manifest, image, err);
	json_decref(image);
	return rc;
}

static bool may_be_manifest(const char *media_type)
{
	return !media_type || is(media_type, CS_MEDIA_OCI_MANIFEST) || is(media_type, CS_MEDIA_DOCKER_MANIFEST);
}

/*
 * An index of images: this platform's image, else the first linux one,
 * else the first image at all (attestations say "unknown"). Entries that
 * are not manifests (a cache index's layers) are never candidates.
 */
static json_t *pick_platform(json_t *manifests)
{
	const char *arch = cache_image_host_arch();
	json_t *linux_any = NULL, *other = NULL;

	for (size_t i = 0; i < json_array_size(manifests); i++) {
		json_t *m = json_array_get(manifests, i), *p = json_object_get(m, "platform");
		const char *os = json_string_value(json_object_get(p, "os"));
		if (!may_be_manifest(json_string_value(json_object_get(m, "mediaType"))))
			continue;
		if (!is(os, "linux")) {
			if (!other && !is(os, "unknown"))
				other = m;
			continue;
		}
		if (is(json_string_value(json_object_get(p, "architecture")), arch))
			return m;
		if (!linux_any)
			linux_any = m;
	}
	return linux_any ? linux_any : other;
}

static int load_index(struct cs_graph *g, const struct cs_blob_source *src, json_t *index,
		      struct cs_error *err)
{
	json_t *manifests = json_object_get(index, "manifests"), *config = NULL;
	struct descriptor d;

	if (manifests && !json_is_null(manifests) && !json_is_array(manifests))
		return cs_fail(err, "%s: index: \"manifests\" is not an array", src->name);
	for (size_t i = 0; i < json_array_size(manifests); i++) {
		json_t *m = json_array_get(manifests, i);
		if (!json_is_object(m))
			return cs_fail(err, "%s: index entry %zu is not an object", src->name, i);
		/* BuildKit keeps the last one it meets */
		if (is(json_string_value(json_object_get(m, "mediaType")), CS_MEDIA_CACHECONFIG))
			config = m;
	}
	if (config) {
		if (read_descriptor(config, src->name, "cache config", &d, err) < 0)
			return -1;
		g->kind = "image index with cache config";
		return load_cacheconfig_blob(g, src, &d, manifests, err);
	}
	json_t *image = pick_platform(manifests);
	if (!image)
		return cs_fail(err, "%s: no BuildKit cache in this index (no cache config, no image)", src->name);
	if (read_descriptor(image, src->name, "image", &d, err) < 0)
		return -1;
	json_t *manifest = fetch_json(src, &d.digest, d.size, "image manifest", err);
	if (!manifest)
		return -1;
	bool is_manifest = json_object_get(manifest, "config") || json_object_get(manifest, "layers");
	int rc = !is_manifest || json_object_get(manifest, "manifests")
		? cs_fail(err, "%s: image %.19s of the index is not an image manifest", src->name,
			  json_string_value(json_object_get(image, "digest")))
		: load_manifest(g, src, manifest, err);
	json_decref(manifest);
	return rc;
}

/* What DetectManifestBlobMediaType decides: true for a manifest, false for an index. */
static int is_manifest(json_t *root, const char *name, struct cs_error *err, bool *manifest)
{
	const char *declared = json_string_value(json_object_get(root, "mediaType"));

	*manifest = json_object_get(root, "config") || json_object_get(root, "layers");
	if (*manifest && json_object_get(root, "manifests"))
		return cs_fail(err, "%s: both a manifest and an index (\"config\" and \"manifests\")", name);
	if ((is(declared, CS_MEDIA_OCI_INDEX) || is(declared, CS_MEDIA_DOCKER_LIST)) && *manifest)
		return cs_fail(err, "%s: says it is an index (%s) but holds a manifest", name, declared);
	if ((is(declared, CS_MEDIA_OCI_MANIFEST) || is(declared, CS_MEDIA_DOCKER_MANIFEST)) && !*manifest)
		return cs_fail(err, "%s: says it is a manifest (%s) but holds no config or layers", name,
			       declared);
	return 0;
}

static int load_object(struct cs_graph *g, const struct cs_blob_source *src, json_t *root,
		       struct cs_error *err)
{
	bool manifest;

	if (is_manifest(root, src->name, err, &manifest) < 0)
		return -1;
	return manifest ? load_manifest(g, src, root, err) : load_index(g, src, root, err);
}

int cache_image_load(struct cs_graph *g, const struct cs_blob_source *src,
		     const char *media_type, struct cs_bytes top, struct cs_error *err)
{
	json_t *root = cacheconfig_parse_json(src->name, top.ptr, top.len, err);
	int rc;

	if (!root)
		return -1;
	if (json_is_object(root))
		rc = load_object(g, src, root, err);
	else
		rc = cs_fail(err, "%s: not an OCI index or manifest%s%.100s%s", src->name,
			     media_type ? " (" : "", media_type ? media_type : "", media_type ? ")" : "");
	json_decref(root);
	return rc;
}

int cache_image_load_digest(struct cs_graph *g, const struct cs_blob_source *src,
			    const struct cs_digest *top, int64_t size, struct cs_error *err)
{
	json_t *root = fetch_json(src, top, size, "the index or manifest", err);
	int rc;

	if (!root)
		return -1;
	rc = load_object(g, src, root, err);
	json_decref(root);
	return rc;
}
