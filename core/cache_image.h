#ifndef CS_CACHE_IMAGE_H
#define CS_CACHE_IMAGE_H

#include "buf.h"
#include "bytes.h"
#include "digest.h"
#include "error.h"
#include "graph.h"

#include <stdint.h>

/*
 * Finding a BuildKit cache in OCI objects, whatever carries them (a local
 * layout, a registry): the shapes cache/remotecache/import.go reads.
 *
 *   image index + cacheconfig descriptor      (the default export)
 *   image manifest whose config is the cache  (image-manifest=true)
 *   image config with moby.buildkit.cache.v0  (inline cache)
 *   image index of images                     (inline cache of this platform's image)
 *
 * Only manifests and configs are fetched, never layers, and every fetched
 * object is checked against its descriptor's sha256 and size here, so no
 * transport can forget to.
 */

#define CS_MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define CS_MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define CS_MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define CS_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define CS_MEDIA_CACHECONFIG "application/vnd.buildkit.cacheconfig.v0"

#define CS_DEFAULT_MAX_OBJECT ((int64_t)64 << 20)

struct cs_blob_source {
	/*
	 * Fetches blob D (SIZE bytes, -1 if unknown) into OUT, replacing its
	 * contents. Fetchers may stop early past MAX_SIZE bytes.
	 */
	int (*fetch)(void *ctx, const struct cs_digest *d, int64_t size, struct cs_buf *out,
		     struct cs_error *err);
	void *ctx;
	const char *name;   /* for messages: the layout or the reference */
	int64_t max_size;   /* refuse manifests and configs larger than this */
};

/*
 * Loads the cache from TOP, an index or manifest (MEDIA_TYPE may be NULL:
 * then the content decides). Sets g->kind to the shape found.
 */
int cache_image_load(struct cs_graph *g, const struct cs_blob_source *src,
		     const char *media_type, struct cs_bytes top, struct cs_error *err);

/* Fetches a blob and checks it against its descriptor (digest and size). */
int cache_image_fetch(const struct cs_blob_source *src, const struct cs_digest *d,
		      int64_t size, struct cs_buf *out, struct cs_error *err);

/* This machine's platform in OCI terms ("amd64", "arm64", ...). */
const char *cache_image_host_arch(void);

#endif
