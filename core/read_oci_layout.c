/*
 * OCI image layouts, as `--cache-to type=local,dest=DIR` writes them:
 * oci-layout, index.json (manifests named by the annotation
 * org.opencontainers.image.ref.name) and blobs/sha256/<hex>.
 *
 * The manifest is chosen as buildctl/buildx choose it for
 * `--cache-from type=local` (client/solve.go, client/ociindex): digest=
 * names a blob directly, whether index.json lists it or not; otherwise
 * tag= (default "latest") is looked up among io.containerd.image.name
 * annotations first, then org.opencontainers.image.ref.name.
 *
 * Blob paths are built from parsed digests only, so no name in the layout
 * can point outside blobs/sha256/. A blob that is a symbolic link is
 * still followed (BuildKit's content store follows it too), but only a
 * regular file is read, so a FIFO or device cannot stall or feed the
 * reader, and what is read must hash to the digest asked for.
 */
#include "cache_image.h"
#include "cacheconfig.h"
#include "input.h"
#include "readers.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define REF_NAME "org.opencontainers.image.ref.name"
#define IMAGE_NAME "io.containerd.image.name"

static char *blob_path(const char *dir, const struct cs_digest *d)
{
	char hex[65];

	digest_hex(d, hex);
	hex[64] = '\0';
	return xasprintf("%s/blobs/sha256/%s", dir, hex);
}

/* The cs_blob_source callback: blobs/sha256/<hex>; cache_image_fetch checks it. */
static int fetch_blob(void *ctx, const struct cs_digest *d, int64_t size, struct cs_buf *out,
		      struct cs_error *err)
{
	const char *dir = ctx;
	char *path = blob_path(dir, d);
	int rc = input_read_small(path, CS_DEFAULT_MAX_OBJECT, out, err);

	(void)size;
	if (rc == INPUT_MISSING) {
		char text[CS_DIGEST_STRLEN + 1];
		digest_format(d, text);
		rc = cs_fail(err, "%s: blob %s is missing", dir, text);
	}
	free(path);
	return rc;
}

static const char *annotation(json_t *descriptor, const char *key)
{
	return json_string_value(json_object_get(json_object_get(descriptor, "annotations"), key));
}

/* The entry of index.json named TAG, or (no tag asked for) the only entry there is. */
static json_t *find_tagged(json_t *manifests, const char *tag, bool tag_given)
{
	static const char *const keys[] = { IMAGE_NAME, REF_NAME };

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < json_array_size(manifests); i++) {
			json_t *m = json_array_get(manifests, i);
			const char *name = annotation(m, keys[k]);
			if (name && strcmp(name, tag) == 0)
				return m;
		}
	/* a layout another tool wrote may hold one untagged manifest: that is the one meant */
	if (!tag_given && json_array_size(manifests) == 1)
		return json_array_get(manifests, 0);
	return NULL;
}

/* Reads index.json and finds the descriptor of the manifest tagged TAG. */
static int resolve_tag(const char *dir, const char *tag, struct cs_digest *digest, int64_t *size,
		       struct cs_error *err)
{
	char *path = xasprintf("%s/index.json", dir);
	struct cs_buf text = CS_BUF_INIT;
	json_t *index = NULL, *chosen;
	int rc = -1;

	if (input_read_small(path, CS_DEFAULT_MAX_OBJECT, &text, err) < 0)
		goto out;
	index = cacheconfig_parse_json(path, text.data, text.len, err);
	if (!index)
		goto out;
	json_t *manifests = json_object_get(index, "manifests");
	if (!json_is_object(index) || !json_is_array(manifests)) {
		cs_fail(err, "%s: not an OCI index (no \"manifests\")", path);
		goto out;
	}
	chosen = find_tagged(manifests, tag ? tag : "latest", tag != NULL);
	if (!chosen) {
		cs_fail(err, "%s: index.json has no manifest tagged \"%.100s\"", dir, tag ? tag : "latest");
		goto out;
	}
	json_t *dg = json_object_get(chosen, "digest"), *sz = json_object_get(chosen, "size");
	if (!json_is_string(dg) || digest_parse(json_string_value(dg), json_string_length(dg), digest) < 0)
		cs_fail(err, "%s: index.json: the manifest has no sha256 digest", dir);
	else if (!json_is_integer(sz) || json_integer_value(sz) < 0)
		cs_fail(err, "%s: index.json: the manifest has no size", dir);
	else
		rc = 0;
	*size = json_integer_value(sz);
out:
	json_decref(index);
	buf_free(&text);
	free(path);
	return rc;
}

int read_oci_layout(struct cs_graph *g, const char *dir, const char *tag, const char *digest,
		    struct cs_error *err)
{
	struct cs_blob_source src = { fetch_blob, (void *)dir, dir, CS_DEFAULT_MAX_OBJECT };
	struct cs_digest top;
	int64_t size = -1;
	double start = cs_now();

	if (tag && !*tag)
		return cs_fail(err, "%s: tag= is empty: give a tag or a digest", dir);
	if (digest) {
		/* no descriptor: the blob's own digest is all there is to check */
		if (digest_parse(digest, strlen(digest), &top) < 0)
			return cs_fail(err, "%s: digest=%.100s is not a sha256 digest", dir, digest);
	} else if (resolve_tag(dir, tag, &top, &size, err) < 0) {
		return -1;
	}
	if (cache_image_load_digest(g, &src, &top, size, err) < 0)
		return -1;
	graph_phase(g, "read OCI layout", start);
	return 0;
}
