/*
 * `docker save` archives: the inline cache of the image inside.
 *
 * Two forms share one tar. Every docker since 1.10 writes manifest.json,
 *
 *   [{"Config": "<hex>.json", "RepoTags": ["app:v1"], "Layers": ["<id>/layer.tar", ...]}]
 *
 * (docker 25 and later name members "blobs/sha256/<hex>" there), and
 * docker 25 and later, and containerd's exporter, also make the tar an OCI
 * image layout (oci-layout, index.json, blobs/sha256/).
 *
 * When both are there, manifest.json is read. It is what docker itself
 * loads from (the graph-driver `docker load` reads nothing else), it names
 * exactly the images saved, one entry per image with all its tags, and it
 * is already resolved to one platform: under the containerd image store
 * index.json may list a whole multi-platform index of which only some
 * platforms' blobs were saved, while manifest.json points at the one
 * manifest `docker save` chose. It is also right where index.json was not:
 * docker 25.0.0's OCI manifests listed layers in map order (moby commit
 * 17fd6562bf fixed that in 25.0.1), manifest.json in the config's order.
 * An archive without manifest.json is read as an OCI layout, as containerd
 * reads one (any shape cache_image.c knows, so a tarred
 * `--cache-to type=local` layout works too).
 *
 * Nothing here hashes a layer: a layer's size is its member's size, and
 * its blob digest is what its name says ("blobs/sha256/<hex>",
 * "<hex>.tar.gz") or else its diff_id (a classic archive's layer.tar is
 * the uncompressed layer). The config, small, is checked against the
 * digest its name or descriptor gives. Through a pipe the archive is read
 * as it comes (tar.h), layers counted but never held, so a member that
 * starts like a layer cannot be a config or a manifest there.
 */
#include "cache_image.h"
#include "cacheconfig.h"
#include "image_config.h"
#include "readers.h"
#include "tar.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* images named in a refusal before "and N more" */
#define NAMES_SHOWN 4

struct archive {
	const char *name;
	struct cs_tar tar;
};

/*
 * The digest a member's name states, if any: its last component without
 * "sha256:" in front or anything from the first dot on, when that is 64
 * lowercase hex digits ("blobs/sha256/<hex>", "<hex>.json", "<hex>.tar.gz").
 */
static bool digest_of_name(const char *path, struct cs_digest *out)
{
	const char *base = strrchr(path, '/');
	char text[CS_DIGEST_STRLEN + 1];
	size_t len;

	base = base ? base + 1 : path;
	if (strncmp(base, "sha256:", 7) == 0)
		base += 7;
	len = strcspn(base, ".");
	if (len != 64)
		return false;
	memcpy(text, "sha256:", 7);
	memcpy(text + 7, base, 64);
	return digest_parse(text, CS_DIGEST_STRLEN, out) == 0;
}

/* The member at PATH, which WHAT ("config", "layer 2") names; NULL with ERR set. */
static const struct cs_tar_member *member(const struct archive *a, const char *from, const char *what,
					  const char *path, struct cs_error *err)
{
	const struct cs_tar_member *m;

	switch (tar_find(&a->tar, path, &m)) {
	case TAR_FOUND:
		return m;
	case TAR_NOT_FILE:
		cs_fail(err, "%s: %s names %s \"%.100s\", which is not a regular file", a->name, from, what, path);
		return NULL;
	default:
		cs_fail(err, "%s: %s names %s \"%.100s\", which is not in the archive", a->name, from, what, path);
		return NULL;
	}
}

/* The bytes of a small member (manifest.json, index.json, a config) that WHAT names; -1 with ERR set. */
static int member_bytes(const struct archive *a, const struct cs_tar_member *m, const char *what,
			struct cs_bytes *out, struct cs_error *err)
{
	if (m->size > (uint64_t)CS_DEFAULT_MAX_OBJECT)
		return cs_fail(err, "%s: %s: %zu bytes, more than the limit of %lld", a->name, what, m->size,
			       (long long)CS_DEFAULT_MAX_OBJECT);
	if (!m->kept)
		return cs_fail(err, "%s: %s starts like a layer, not JSON", a->name, what);
	*out = tar_data(&a->tar, m);
	return 0;
}

/* DATA, a member's bytes, parsed as JSON; messages name it "ARCHIVE: WHAT". NULL with ERR set. */
static json_t *parse_member(const struct archive *a, struct cs_bytes data, const char *what, struct cs_error *err)
{
	char *label = xasprintf("%s: %s", a->name, what);
	json_t *root = cacheconfig_parse_json(label, data.ptr, data.len, err);

	free(label);
	return root;
}

/* A small JSON member, parsed; NULL with ERR set. */
static json_t *member_json(const struct archive *a, const struct cs_tar_member *m, const char *what,
			   struct cs_error *err)
{
	struct cs_bytes data = { NULL, 0 };

	return member_bytes(a, m, what, &data, err) < 0 ? NULL : parse_member(a, data, what, err);
}

/* "app:v1, app:v2, sha256:1234abcd..., and 3 more": the images a refusal names. */
static void add_image_name(struct cs_buf *names, size_t i, const char *name)
{
	if (i < NAMES_SHOWN)
		buf_printf(names, "%s%.80s", i ? ", " : "", name);
}

static void end_image_names(struct cs_buf *names, size_t count)
{
	if (count > NAMES_SHOWN)
		buf_printf(names, ", and %zu more", count - NAMES_SHOWN);
}

static int refuse_several(const struct archive *a, struct cs_buf *names, size_t count, struct cs_error *err)
{
	end_image_names(names, count);
	cs_fail(err, "%s: %zu images in this archive (%s): save just the one whose cache to read", a->name,
		count, names->data);
	buf_free(names);
	return -1;
}

/* manifest.json's one image, or a refusal naming them all. */
static json_t *only_image(const struct archive *a, json_t *manifest, struct cs_error *err)
{
	size_t n = json_array_size(manifest);
	struct cs_buf names = CS_BUF_INIT;

	if (!json_is_array(manifest)) {
		cs_fail(err, "%s: manifest.json is not a list of images", a->name);
		return NULL;
	}
	if (n == 0) {
		cs_fail(err, "%s: manifest.json lists no image", a->name);
		return NULL;
	}
	if (n == 1)
		return json_array_get(manifest, 0);
	for (size_t i = 0; i < n; i++) {
		json_t *image = json_array_get(manifest, i);
		json_t *tag = json_array_get(json_object_get(image, "RepoTags"), 0);
		const char *config = json_string_value(json_object_get(image, "Config"));
		add_image_name(&names, i, json_is_string(tag) ? json_string_value(tag)
				: config ? config : "(no config)");
	}
	refuse_several(a, &names, n, err);
	return NULL;
}

/* The config manifest.json names, checked against the digest its name gives, and parsed. */
static json_t *docker_config(const struct archive *a, json_t *image, struct cs_error *err)
{
	json_t *path = json_object_get(image, "Config");
	const struct cs_tar_member *m;
	struct cs_digest want, got;

	if (!json_is_string(path)) {
		cs_fail(err, "%s: manifest.json: the image has no \"Config\"", a->name);
		return NULL;
	}
	const char *name = json_string_value(path);
	if (!(m = member(a, "manifest.json", "config", name, err)))
		return NULL;
	if (!digest_of_name(name, &want)) {
		cs_fail(err, "%s: config \"%.100s\" is not named by its digest, so it cannot be checked", a->name,
			name);
		return NULL;
	}
	char *what = xasprintf("config \"%.100s\"", name);
	struct cs_bytes data = { NULL, 0 };
	int rc = member_bytes(a, m, what, &data, err);
	free(what);
	if (rc < 0)
		return NULL;
	digest_of_bytes(data.ptr, data.len, &got);
	if (!digest_eq(&want, &got)) {
		cs_fail(err, "%s: config \"%.100s\": content does not match its digest", a->name, name);
		return NULL;
	}
	json_t *config = parse_member(a, data, "config", err);
	if (config && !json_is_object(config)) {
		cs_fail(err, "%s: config \"%.100s\" is not a JSON object", a->name, name);
		json_decref(config);
		return NULL;
	}
	return config;
}

/* The layers manifest.json lists, as members: their sizes, and the digests their names give. */
static int docker_layers(const struct archive *a, json_t *image, struct cs_image_layer **out, size_t *count,
			 struct cs_error *err)
{
	json_t *paths = json_object_get(image, "Layers");
	size_t n = json_array_size(paths);
	struct cs_image_layer *layers;

	*out = NULL;
	if (!json_is_array(paths) || n == 0)
		return cs_fail(err, "%s: manifest.json: the image has no \"Layers\"", a->name);
	if (n >= CS_NONE)
		return cs_fail(err, "%s: manifest.json: too many layers", a->name);
	layers = xcalloc(n, sizeof(*layers));
	for (size_t i = 0; i < n; i++) {
		json_t *path = json_array_get(paths, i);
		const struct cs_tar_member *m;
		char what[32];
		snprintf(what, sizeof(what), "layer %zu", i);
		if (!json_is_string(path)) {
			free(layers);
			return cs_fail(err, "%s: manifest.json: %s is not a path", a->name, what);
		}
		if (!(m = member(a, "manifest.json", what, json_string_value(path), err))) {
			free(layers);
			return -1;
		}
		layers[i].has_blob = digest_of_name(json_string_value(path), &layers[i].blob);
		layers[i].size = (int64_t)m->size;
	}
	*out = layers;
	*count = n;
	return 0;
}

static int read_docker_manifest(struct cs_graph *g, const struct archive *a, const struct cs_tar_member *m,
				struct cs_error *err)
{
	json_t *manifest = member_json(a, m, "manifest.json", err), *image, *config = NULL;
	struct cs_image_layer *layers = NULL;
	size_t count = 0;
	int rc = -1;

	if (!manifest)
		return -1;
	if (!(image = only_image(a, manifest, err)))
		goto out;
	if (!json_is_object(image)) {
		cs_fail(err, "%s: manifest.json: the image is not an object", a->name);
		goto out;
	}
	if (!(config = docker_config(a, image, err)))
		goto out;
	if (!image_config_has_cache(config)) {
		cs_fail(err, "%s: " CS_NO_INLINE_CACHE, a->name);
		goto out;
	}
	if (docker_layers(a, image, &layers, &count, err) < 0)
		goto out;
	g->kind = "docker save archive (inline cache)";
	rc = image_config_load_inline(g, a->name, config, layers, count, err);
out:
	free(layers);
	json_decref(config);
	json_decref(manifest);
	return rc;
}

/* The cs_blob_source callback: blobs/sha256/<hex> among the members; cache_image_fetch checks it. */
static int fetch_member(void *ctx, const struct cs_digest *d, int64_t size, struct cs_buf *out,
			struct cs_error *err)
{
	const struct archive *a = ctx;
	const struct cs_tar_member *m;
	char hex[65], *path;
	int rc = 0;

	(void)size;
	digest_hex(d, hex);
	hex[64] = '\0';
	path = xasprintf("blobs/sha256/%s", hex);
	switch (tar_find(&a->tar, path, &m)) {
	case TAR_FOUND: {
		/* a stream kept no layer: it is too large, or not JSON */
		if (!m->kept && m->size > (size_t)CS_DEFAULT_MAX_OBJECT) {
			rc = cs_fail(err, "%s: sha256:%s: more than the limit of %lld bytes", a->name, hex,
				     (long long)CS_DEFAULT_MAX_OBJECT);
			break;
		}
		if (!m->kept) {
			rc = cs_fail(err, "%s: blob sha256:%s starts like a layer, not JSON", a->name, hex);
			break;
		}
		/* enough to see it is too large, never a whole layer */
		struct cs_bytes data = tar_data(&a->tar, m);
		size_t n = data.len > (size_t)CS_DEFAULT_MAX_OBJECT ? (size_t)CS_DEFAULT_MAX_OBJECT + 1 : data.len;
		buf_reset(out);
		buf_add(out, data.ptr, n);
		break;
	}
	case TAR_NOT_FILE:
		rc = cs_fail(err, "%s: blob sha256:%s is not a regular file", a->name, hex);
		break;
	default:
		rc = cs_fail(err, "%s: blob sha256:%s is missing", a->name, hex);
		break;
	}
	free(path);
	return rc;
}

/* What an index.json entry is called in a refusal: its image name or tag, else its digest. */
static const char *entry_name(json_t *entry)
{
	json_t *annotations = json_object_get(entry, "annotations");
	const char *name = json_string_value(json_object_get(annotations, "io.containerd.image.name"));

	if (!name)
		name = json_string_value(json_object_get(annotations, "org.opencontainers.image.ref.name"));
	if (!name)
		name = json_string_value(json_object_get(entry, "digest"));
	return name ? name : "(no digest)";
}

struct entry_digest {
	struct cs_digest digest;
	size_t index;
};

static int by_digest_then_index(const void *a, const void *b)
{
	const struct entry_digest *x = a, *y = b;
	int c = digest_cmp(&x->digest, &y->digest);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * Which entries of MANIFESTS repeat the digest of an earlier one (docker
 * writes one entry per tag): sorted, not hashed, since a crafted index can
 * hold a million digests that all look alike. An entry without a digest is
 * never a repeat. Returns an array the caller frees.
 */
static bool *repeats(json_t *manifests)
{
	size_t n = json_array_size(manifests), count = 0;
	struct entry_digest *d = xreallocarray(NULL, n ? n : 1, sizeof(*d));
	bool *repeat = xcalloc(n ? n : 1, sizeof(*repeat));

	for (size_t i = 0; i < n; i++) {
		json_t *digest = json_object_get(json_array_get(manifests, i), "digest");
		if (json_is_string(digest) &&
		    digest_parse(json_string_value(digest), json_string_length(digest), &d[count].digest) == 0)
			d[count++].index = i;
	}
	qsort(d, count, sizeof(*d), by_digest_then_index);
	for (size_t i = 1; i < count; i++)
		repeat[d[i].index] = digest_eq(&d[i].digest, &d[i - 1].digest);
	free(d);
	return repeat;
}

/*
 * index.json's one image: its entries may repeat one digest (one per tag,
 * as docker writes them), but more than one digest is more than one image.
 */
static json_t *only_entry(const struct archive *a, json_t *index, struct cs_error *err)
{
	json_t *manifests = json_object_get(index, "manifests"), *first = NULL;
	struct cs_buf names = CS_BUF_INIT;
	size_t distinct = 0;
	bool *repeat;

	if (!json_is_object(index) || !json_is_array(manifests)) {
		cs_fail(err, "%s: index.json: not an OCI index (no \"manifests\")", a->name);
		return NULL;
	}
	repeat = repeats(manifests);
	for (size_t i = 0; i < json_array_size(manifests); i++) {
		json_t *entry = json_array_get(manifests, i);
		if (repeat[i])
			continue;
		if (!first)
			first = entry;
		add_image_name(&names, distinct++, entry_name(entry));
	}
	free(repeat);
	if (distinct == 1) {
		buf_free(&names);
		return first;
	}
	if (distinct == 0) {
		buf_free(&names);
		cs_fail(err, "%s: index.json lists no image", a->name);
		return NULL;
	}
	refuse_several(a, &names, distinct, err);
	return NULL;
}

static const char *oci_kind(const char *found)
{
	static const char *const kinds[][2] = {
		{ "inline cache", "OCI layout archive (inline cache)" },
		{ "image index with cache config", "OCI layout archive (image index with cache config)" },
		{ "image manifest with cache config", "OCI layout archive (image manifest with cache config)" },
	};

	for (size_t i = 0; found && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(found, kinds[i][0]) == 0)
			return kinds[i][1];
	return "OCI layout archive";
}

static int read_oci_index(struct cs_graph *g, struct archive *a, const struct cs_tar_member *m,
			  struct cs_error *err)
{
	struct cs_blob_source src = { fetch_member, a, a->name, CS_DEFAULT_MAX_OBJECT };
	json_t *index = member_json(a, m, "index.json", err), *entry;
	int rc = -1;

	if (!index)
		return -1;
	if ((entry = only_entry(a, index, err))) {
		json_t *dg = json_object_get(entry, "digest"), *sz = json_object_get(entry, "size");
		struct cs_digest top;
		if (!json_is_string(dg) || digest_parse(json_string_value(dg), json_string_length(dg), &top) < 0)
			cs_fail(err, "%s: index.json: the image has no sha256 digest", a->name);
		else if (!json_is_integer(sz) || json_integer_value(sz) < 0)
			cs_fail(err, "%s: index.json: the image has no size", a->name);
		else
			rc = cache_image_load_digest(g, &src, &top, json_integer_value(sz), err);
	}
	if (rc == 0)
		g->kind = oci_kind(g->kind);
	json_decref(index);
	return rc;
}

/* The image in an archive already opened. */
static int read_archive(struct cs_graph *g, struct archive *a, struct cs_error *err)
{
	const struct cs_tar_member *m;
	double start = cs_now();
	enum cs_tar_found index, manifest = tar_find(&a->tar, "manifest.json", &m);
	int rc;

	if (manifest == TAR_FOUND)
		rc = read_docker_manifest(g, a, m, err);
	else if (manifest == TAR_NOT_FILE)
		rc = cs_fail(err, "%s: manifest.json is not a regular file", a->name);
	else if ((index = tar_find(&a->tar, "index.json", &m)) == TAR_FOUND)
		rc = read_oci_index(g, a, m, err);
	else if (index == TAR_NOT_FILE)
		rc = cs_fail(err, "%s: index.json is not a regular file", a->name);
	else
		rc = cs_fail(err, "%s: a tar archive without manifest.json or index.json: not a docker save archive",
			     a->name);
	if (rc == 0)
		graph_phase(g, "read inline cache", start);
	return rc;
}

int read_image_archive(struct cs_graph *g, const char *name, struct cs_bytes data, struct cs_error *err)
{
	struct archive a = { name, { 0 } };
	double start = cs_now();
	int rc;

	if (tar_open(&a.tar, name, data, err) < 0)
		return -1;
	graph_phase(g, "read tar headers", start);
	rc = read_archive(g, &a, err);
	tar_close(&a.tar);
	return rc;
}

int read_image_archive_stream(struct cs_graph *g, const char *name, struct cs_bytes head, cs_tar_read_fn read,
			      void *ctx, struct cs_error *err)
{
	struct archive a = { name, { 0 } };
	double start = cs_now();
	int rc;

	if (tar_open_stream(&a.tar, name, head, read, ctx, err) < 0)
		return -1;
	graph_phase(g, "read tar stream", start);
	rc = read_archive(g, &a, err);
	tar_close(&a.tar);
	return rc;
}
