#ifndef CS_IMAGE_CONFIG_H
#define CS_IMAGE_CONFIG_H

#include "digest.h"
#include "error.h"
#include "graph.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * An image config (OCI image config, Docker's container.image.v1) and the
 * inline cache BuildKit writes into it with BUILDKIT_INLINE_CACHE=1 or
 * --cache-to type=inline: "moby.buildkit.cache.v0", base64 (Go's []byte)
 * of a JSON array of cache records whose result layers index the image's
 * own layers, that is rootfs.diff_ids (cache/remotecache/import.go).
 *
 * Whoever holds the config says what each layer's blob is: a manifest's
 * layers[] (cache_image.c), a docker save archive's member (read_image_
 * archive.c), or nothing at all (an image config file on its own).
 */

/* One of the image's layers as its manifest, or an archive, lists it. */
struct cs_image_layer {
	/*
	 * Whether BLOB is known. When it is not, the layer is taken to be
	 * the uncompressed tar its diff_id names (as a classic docker save
	 * archive holds it), and the diff_id is its blob digest.
	 */
	bool has_blob;
	struct cs_digest blob;
	int64_t size;           /* -1 when unknown */
	const char *media_type; /* NULL when unknown */
};

/* Does CONFIG carry an inline cache at all (a string moby.buildkit.cache.v0)? */
bool image_config_has_cache(json_t *config);

/*
 * Loads CONFIG's inline cache into G. LAYERS[i] describes the blob of
 * rootfs.diff_ids[i], COUNT of them, which must be as many as diff_ids;
 * with LAYERS NULL every layer is known by its diff_id alone, its size
 * unknown. Each layer is the parent of the next; its creation time and
 * description come from the history entries that made a layer (those not
 * marked empty_layer), in order. Does not set g->kind.
 */
int image_config_load_inline(struct cs_graph *g, const char *name, json_t *config,
			     const struct cs_image_layer *layers, size_t count, struct cs_error *err);

/*
 * An image config file on its own (`docker image save`'s config member, a
 * registry's config blob): its inline cache, each layer named by its
 * diff_id. Refuses a config without one, saying how to get one.
 */
int image_config_read(struct cs_graph *g, const char *name, json_t *config, struct cs_error *err);

/* What no inline cache in an image means, for every reader that says so. */
#define CS_NO_INLINE_CACHE \
	"no BuildKit cache in this image: built without BUILDKIT_INLINE_CACHE=1 / --cache-to type=inline?"

#endif
