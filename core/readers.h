#ifndef CS_READERS_H
#define CS_READERS_H

#include "bytes.h"
#include "error.h"
#include "graph.h"
#include "input.h"
#include "tar.h"
#include "load_watch.h"

/*
 * Every format cachescope reads, each filling a fresh graph (from
 * graph_new). On failure the graph may hold partial data; the caller frees
 * it. Messages name the input ("PATH: what is wrong").
 */

/* How to read a daemon's cache.db. */
struct cs_store_read {
	/* read and check _result (else the graph has no results: local_results reads them when asked) */
	bool with_results;
	/* stats: only counts are wanted, so records are neither numbered nor sorted, links have no digests, results no IDs */
	bool counts_only;
	/* another thread's view of the load (load_watch.h), or NULL */
	struct cs_load_watch *watch;
};

/* A daemon's local store: cache.db (bbolt, solver/bboltcachestorage). */
int read_bolt_store(struct cs_graph *g, const char *path, const struct cs_store_read *how,
		    struct cs_error *err);
/* The same from bytes (standard input, fuzzing); DATA must outlive G. */
int read_bolt_store_memory(struct cs_graph *g, struct cs_bytes data,
			   struct cs_error *err);

/*
 * /debug/cache/store and /debug/cache/load answers. The JSON reader may keep
 * references into IN (lazy plaintexts) and then takes ownership of it:
 * after a call, IN is either closed or owned by G.
 */
int read_debug_json(struct cs_graph *g, struct cs_input *in, struct cs_error *err);
int read_debug_text(struct cs_graph *g, struct cs_input *in, struct cs_error *err);

/* A remote cache config (application/vnd.buildkit.cacheconfig.v0). */
int read_cacheconfig(struct cs_graph *g, const char *name, struct cs_bytes json,
		     struct cs_error *err);

/*
 * A file holding one JSON object: a remote cache config, or an image
 * config with an inline cache (`docker image save`'s config, a registry's
 * config blob), told apart by their keys.
 */
int read_json_object(struct cs_graph *g, const char *name, struct cs_bytes json,
		     struct cs_error *err);

/*
 * A `docker save` archive (a tar, as DATA): the inline cache of the one
 * image in it, through manifest.json, or through index.json when the tar
 * is only an OCI image layout. Several images are refused, naming them.
 */
int read_image_archive(struct cs_graph *g, const char *name, struct cs_bytes data,
		       struct cs_error *err);
/*
 * The same read as it comes from a pipe (tar.h): HEAD, the bytes already
 * read to recognise it, then READ(CTX) until the archive ends. Layers are
 * counted, never held.
 */
int read_image_archive_stream(struct cs_graph *g, const char *name, struct cs_bytes head,
			      cs_tar_read_fn read, void *ctx, struct cs_error *err);

/*
 * An OCI image layout as `--cache-to type=local,dest=DIR` writes it, in any
 * of the three shapes BuildKit imports (image index with a cacheconfig
 * descriptor, image manifest with a cacheconfig config, inline cache in an
 * image config). TAG (default "latest") or DIGEST picks the manifest from
 * index.json; either may be NULL. Every blob's digest and size are checked.
 */
int read_oci_layout(struct cs_graph *g, const char *dir, const char *tag,
		    const char *digest, struct cs_error *err);

#endif
