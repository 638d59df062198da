#ifndef CS_PLAINTEXT_H
#define CS_PLAINTEXT_H

#include "bytes.h"
#include "digest.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Plaintexts: the bytes behind a digest that `buildkitd --save-cache-debug`
 * kept (util/cachedigest). A record has a type and a run of data and skip
 * frames; the digests its data mentions are its sub-records, resolved
 * recursively exactly as the daemon's /debug/cache/lookup does.
 */

enum {
	CS_FRAME_TYPE = 1,
	CS_FRAME_DATA = 2,
	CS_FRAME_SKIP = 3, /* data: u32 little-endian count of bytes hashed, not kept */
};

struct cs_frame {
	uint32_t id;
	uint32_t len;
	const unsigned char *data;
};

/*
 * Splits a frame run as the daemon's decodeFrames does (trailing bytes or
 * an overrunning frame are an invalid encoding). TYPE gets the last type
 * frame's bytes; FRAMES gets the data and skip frames, in order (caller
 * frees *FRAMES).
 */
int frames_decode(struct cs_bytes run, struct cs_bytes *type,
		  struct cs_frame **frames, size_t *count, struct cs_error *err);

/* A skip frame's byte count (0 when its data is not 4 bytes). */
uint32_t frame_skip_count(const struct cs_frame *f);

struct cs_plain {
	struct cs_digest digest;
	struct cs_bytes type;
	struct cs_frame *frames;  /* data and skip frames */
	size_t frame_count;
	struct cs_plain **subs;   /* sub-records found, in mention order */
	size_t sub_count;
	bool truncated;           /* sub-records beyond our limits were left out */
	unsigned char *run;       /* owned copy of the frame run the frames point into */
};

struct cs_graph;

/*
 * Depth and size bounds: a real record nests 3 or 4 deep; a hostile store
 * could make a digest mention itself or fan out exponentially.
 */
#define CS_PLAIN_MAX_DEPTH 32
#define CS_PLAIN_MAX_RECORDS 4096

/*
 * Resolves D against the graph's plaintext stores: 1 with *OUT set, 0 when
 * no store has it, -1 on a store error or a corrupt entry. The digest of
 * "/" is answered as the string "/" (the daemon does the same, and only at
 * the top level). Sub-records that are missing are left out, as the daemon
 * leaves them out; a digest already on the path is not followed again.
 */
int plain_resolve(const struct cs_graph *g, const struct cs_digest *d,
		  struct cs_plain **out, struct cs_error *err);
void plain_free(struct cs_plain *p);

/*
 * The plaintexts record N shows, resolved, in the daemon's order (see
 * graph_plaintext_digests); digests no store has are left out. The caller
 * frees the list with plain_free_list.
 */
int plain_resolve_node(const struct cs_graph *g, uint32_t n, struct cs_plain ***list,
		       uint32_t *count, struct cs_error *err);
void plain_free_list(struct cs_plain **list, uint32_t count);

/* The concatenated data frames of P (caller frees), and their length. */
unsigned char *plain_data(const struct cs_plain *p, size_t *len);

/*
 * The digests a record's data mentions, by the daemon's rules for its type:
 * string: every \bsha256:[a-f0-9]{64}\b; digest-list: NUL-separated parts;
 * file-list: each part's last "sha256:...". Invalid ones are skipped.
 * Returns how many were found (may exceed CAP; only CAP are written).
 */
size_t plain_mentions(struct cs_bytes type, const unsigned char *data,
		      size_t len, struct cs_digest *out, size_t cap);

#endif
