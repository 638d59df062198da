#ifndef CS_REGISTRY_H
#define CS_REGISTRY_H

#include "buf.h"
#include "error.h"
#include "graph.h"
#include "http.h"

/*
 * Caches kept in a registry (`--cache-to type=registry,ref=...`), fetched
 * with the OCI distribution API: the manifest by tag or digest, then only
 * the manifests and the config blob the cache needs (cache_image.c decides
 * which), never layers. Each object is checked against its digest.
 */

/*
 * An image reference in docker's grammar, normalised as docker does:
 * "ubuntu" is docker.io/library/ubuntu:latest, whose API lives at
 * registry-1.docker.io.
 */
struct cs_reference {
	char *domain;  /* "docker.io", "ghcr.io", "localhost:5000", "[::1]:5000" */
	char *host;    /* where the API is: registry-1.docker.io for docker.io, else DOMAIN */
	char *path;    /* "library/ubuntu", "o/r" */
	char *tag;     /* "latest" when neither tag nor digest is given; NULL with only a digest */
	char *digest;  /* "sha256:<hex>", or NULL */
};

#define CS_REFERENCE_MAX_PATH 255
#define CS_REFERENCE_MAX_TAG 128

int reference_parse(const char *text, struct cs_reference *out, struct cs_error *err);
void reference_free(struct cs_reference *r);
/* DOMAIN/PATH[:TAG][@DIGEST] (caller frees); parsing it gives the same reference. */
char *reference_string(const struct cs_reference *r);

/*
 * Loads the cache REF names into G. HTTP carries --cacert, --plain-http,
 * --timeout, --max-size and the progress sink. When CACHECONFIG is not
 * NULL and the cache is a cache config (not inline), its bytes are copied
 * there (for --addr, which posts them to a daemon).
 */
int registry_load(struct cs_graph *g, const char *ref, const struct cs_http_config *http,
		  struct cs_buf *cacheconfig, struct cs_error *err);

#endif
