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
 *   image manifest whose image config carries moby.buildkit.cache.v0
 *                                             (inline cache)
 *   image index of images                     (inline cache of this platform's
 *                                              image: linux/<host arch>, else
 *                                              the first linux one)
 *
 * Docker's manifest list and schema 2 manifest count as index and manifest.
 * As BuildKit does (imageutil.DetectManifestBlobMediaType), an object's
 * content decides what it is: "config" or "layers" make a manifest,
 * otherwise it is an index; a "mediaType" in it that says otherwise, or
 * both "manifests" and "config", is an error.
 *
 * A transport supplies one callback that fetches an object by digest.
 * Only manifests and configs are ever fetched, never layers, and every
 * fetched object is checked here against the descriptor that named it
 * (sha256 and size), so no transport can forget to.
 */

#define CS_MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define CS_MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define CS_MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define CS_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define CS_MEDIA_CACHECONFIG "application/vnd.buildkit.cacheconfig.v0"

#define CS_DEFAULT_MAX_OBJECT ((int64_t)64 << 20)

struct cs_blob_source {
	/*
	 * Fetches object D into OUT, replacing its contents; 0, or -1 with
	 * ERR set ("... is missing", "HTTP 404 ..."). SIZE is what the
	 * descriptor says (-1 when nothing said it), a hint for the
	 * transport: the caller checks the result against D and SIZE, so
	 * the callback need not. It may stop early once past MAX_SIZE bytes
	 * (the caller refuses the object then). An index lists manifests by
	 * the same digests as blobs: a registry that serves them from
	 * /manifests/ must try there (see registry.c).
	 */
	int (*fetch)(void *ctx, const struct cs_digest *d, int64_t size, struct cs_buf *out,
		     struct cs_error *err);
	void *ctx;
	const char *name;   /* for messages: the layout or the reference */
	int64_t max_size;   /* refuse manifests and configs larger than this */
};

/*
 * Loads the cache an index or manifest leads to, fetching TOP itself by
 * its digest (SIZE, or -1 when no descriptor gave one) and checking it.
 * Sets g->kind to the shape found.
 */
int cache_image_load_digest(struct cs_graph *g, const struct cs_blob_source *src,
			    const struct cs_digest *top, int64_t size, struct cs_error *err);

/*
 * The same from bytes the caller already has and has verified (a
 * registry's answer to a tag, checked against its Docker-Content-Digest).
 * MEDIA_TYPE is what the transport said it is, or NULL; it only names
 * the object in messages, since the content decides.
 */
int cache_image_load(struct cs_graph *g, const struct cs_blob_source *src,
		     const char *media_type, struct cs_bytes top, struct cs_error *err);

/* Fetches an object and checks it against its descriptor (digest, and SIZE unless -1). */
int cache_image_fetch(const struct cs_blob_source *src, const struct cs_digest *d,
		      int64_t size, struct cs_buf *out, struct cs_error *err);

/* This machine's architecture as OCI platforms name it (GOARCH: "amd64", "arm64", ...). */
const char *cache_image_host_arch(void);

#endif
