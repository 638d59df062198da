/*
 * OCI image layouts, as `--cache-to type=local,dest=DIR` writes them:
 * oci-layout, index.json (manifests tagged by the annotation
 * org.opencontainers.image.ref.name) and blobs/sha256/<hex>. Blob paths
 * are built from parsed digests only, so no name in the layout can point
 * outside it.
 */
#include "cache_image.h"
#include "cacheconfig.h"
#include "input.h"
#include "readers.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REF_NAME "org.opencontainers.image.ref.name"

struct layout {
	char *dir;
};

/* Reads at most LIMIT + 1 bytes, so an oversized file is noticed without reading it all. */
static int read_file(const char *path, int64_t limit, struct cs_buf *out, struct cs_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	buf_reset(out);
	if (fd < 0)
		return cs_fail(err, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cs_fail(err, "%s: not a regular file", path);
	}
	if (st.st_size > limit) {
		close(fd);
		return cs_fail(err, "%s: %lld bytes, more than the limit of %lld", path,
			       (long long)st.st_size, (long long)limit);
	}
	buf_reserve(out, (size_t)st.st_size);
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return cs_fail(err, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		buf_add(out, chunk, (size_t)n);
		if ((int64_t)out->len > limit) {
			close(fd);
			return cs_fail(err, "%s: more than the limit of %lld bytes", path, (long long)limit);
		}
	}
	close(fd);
	return 0;
}

static int fetch_blob(void *ctx, const struct cs_digest *d, int64_t size, struct cs_buf *out,
		      struct cs_error *err)
{
	struct layout *l = ctx;
	char hex[65];

	(void)size;
	digest_hex(d, hex);
	hex[64] = '\0';
	char *path = xasprintf("%s/blobs/sha256/%s", l->dir, hex);
	int rc = access(path, F_OK) < 0 && errno == ENOENT
		? cs_fail(err, "%s: blob sha256:%s is missing", l->dir, hex)
		: read_file(path, CS_DEFAULT_MAX_OBJECT, out, err);
	free(path);
	return rc;
}

/* The manifest to load: by digest, by tag, or the only one there is. */
static json_t *choose_manifest(json_t *index, const char *dir, const char *tag,
			       const struct cs_digest *want, struct cs_error *err)
{
	json_t *manifests = json_object_get(index, "manifests");
	json_t *only = json_array_size(manifests) == 1 ? json_array_get(manifests, 0) : NULL;
	const char *wanted_tag = tag ? tag : "latest";

	if (!json_is_array(manifests) || json_array_size(manifests) == 0) {
		cs_fail(err, "%s: index.json lists no manifests", dir);
		return NULL;
	}
	for (size_t i = 0; i < json_array_size(manifests); i++) {
		json_t *m = json_array_get(manifests, i);
		struct cs_digest d;
		json_t *dg = json_object_get(m, "digest");
		if (want) {
			if (json_is_string(dg) && digest_parse(json_string_value(dg), json_string_length(dg), &d) == 0 &&
			    digest_eq(&d, want))
				return m;
			continue;
		}
		const char *ref = json_string_value(json_object_get(json_object_get(m, "annotations"), REF_NAME));
		if (ref && strcmp(ref, wanted_tag) == 0)
			return m;
	}
	if (!want && !tag && only)
		return only;
	if (want)
		cs_fail(err, "%s: index.json has no manifest with that digest", dir);
	else
		cs_fail(err, "%s: index.json has no manifest tagged \"%.100s\"", dir, wanted_tag);
	return NULL;
}

int read_oci_layout(struct cs_graph *g, const char *dir, const char *tag, const char *digest,
		    struct cs_error *err)
{
	struct layout l = { xstrdup(dir) };
	struct cs_blob_source src = { fetch_blob, &l, dir, CS_DEFAULT_MAX_OBJECT };
	struct cs_buf text = CS_BUF_INIT, top = CS_BUF_INIT;
	struct cs_digest want;
	json_t *index = NULL;
	double start = cs_now();
	int rc = -1;

	char *path = xasprintf("%s/index.json", dir);
	if (digest && digest_parse(digest, strlen(digest), &want) < 0) {
		cs_fail(err, "%s: digest=%.100s is not a sha256 digest", dir, digest);
		goto out;
	}
	if (read_file(path, CS_DEFAULT_MAX_OBJECT, &text, err) < 0)
		goto out;
	index = cacheconfig_parse_json(path, text.data, text.len, err);
	if (!index)
		goto out;
	json_t *chosen = choose_manifest(index, dir, tag, digest ? &want : NULL, err);
	if (!chosen)
		goto out;
	json_t *dg = json_object_get(chosen, "digest"), *size = json_object_get(chosen, "size");
	struct cs_digest top_digest;
	if (!json_is_string(dg) || digest_parse(json_string_value(dg), json_string_length(dg), &top_digest) < 0) {
		cs_fail(err, "%s: index.json: manifest without a sha256 digest", dir);
		goto out;
	}
	if (cache_image_fetch(&src, &top_digest, json_is_integer(size) ? json_integer_value(size) : -1, &top,
			      err) < 0)
		goto out;
	rc = cache_image_load(g, &src, json_string_value(json_object_get(chosen, "mediaType")),
			      cs_bytes_of(top.data, top.len), err);
	if (rc == 0)
		graph_phase(g, "read OCI layout", start);
out:
	json_decref(index);
	buf_free(&text);
	buf_free(&top);
	free(path);
	free(l.dir);
	return rc;
}
