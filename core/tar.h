#ifndef CS_TAR_H
#define CS_TAR_H

#include "bytes.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A tar archive held in memory (a mapped `docker save` file, or standard
 * input read whole), read as `docker save` and the tools around it write
 * one: POSIX ustar and old GNU headers, pax extended headers (path,
 * linkpath, size) and GNU long names, regular files, directories, symbolic
 * and hard links. Nothing is ever extracted: members are found by path and
 * their bytes are views into the archive.
 *
 * Every header is checked before it is believed: its checksum, its size
 * (octal digits only, or GNU base-256) against the bytes that are left,
 * and the archive must end with its end-of-archive block, so a truncated
 * archive is refused even when it was cut between two members.
 *
 * Names live in the archive's own namespace. A member whose name is
 * absolute or has a ".." component keeps that name but never matches a
 * lookup; a link is followed only to another member, resolved lexically
 * from the link's own directory, and never out of the archive.
 *
 * An archive arriving through a pipe (`docker save IMAGE | cachescope -`)
 * is read as it comes and never held whole: a member whose first block
 * shows a layer (a tar, or gzip, zstd, bzip2 or xz data) is counted and
 * dropped, and so is anything larger than the image readers ever read;
 * the rest (manifest.json, configs, manifests) is kept.
 */

enum cs_tar_type {
	CS_TAR_FILE,
	CS_TAR_DIR,
	CS_TAR_SYMLINK,
	CS_TAR_HARDLINK,
	CS_TAR_OTHER, /* devices, FIFOs, vendor types: never read */
};

struct cs_tar_member {
	char *name;   /* cleaned ("./a//b" is "a/b"); NULL when it can never match */
	char *target; /* a link's target as an archive path; NULL when it leads out */
	enum cs_tar_type type;
	size_t offset; /* of the data in the archive's data */
	size_t size;
	bool kept; /* its bytes are in the archive's data (always, unless streamed) */
};

struct cs_tar {
	const char *name; /* for messages */
	struct cs_bytes data; /* the archive, or what a stream kept of it */
	char *owned;          /* a stream's kept bytes */
	struct cs_tar_member *members; /* in archive order */
	size_t count;
	size_t *by_name; /* indexes of matchable members, sorted by name, then order */
	size_t named;
};

/* Does DATA start like a tar archive (ustar magic in its first header)? */
bool tar_recognize(struct cs_bytes data);

/* Reads every header of DATA, which must outlive T; 0, or -1 with ERR set. */
int tar_open(struct cs_tar *t, const char *name, struct cs_bytes data, struct cs_error *err);
void tar_close(struct cs_tar *t);

/* The largest member a stream keeps (the image readers' limit, CS_DEFAULT_MAX_OBJECT), and all of them. */
#define CS_TAR_KEEP_MAX ((uint64_t)64 << 20)
#define CS_TAR_KEPT_TOTAL ((uint64_t)4 << 30)

/* Reads like read(2): bytes read, 0 at the end of input, -1 with errno set. */
typedef ssize_t (*cs_tar_read_fn)(void *ctx, void *buf, size_t len);

/*
 * The same from a stream: HEAD (bytes already read from it, to recognise
 * it), then what READ gives until the end-of-archive block. Members that
 * are not kept are still listed, with their sizes.
 */
int tar_open_stream(struct cs_tar *t, const char *name, struct cs_bytes head, cs_tar_read_fn read, void *ctx,
		    struct cs_error *err);

enum cs_tar_found {
	TAR_FOUND,
	TAR_MISSING,  /* no such member, a link to nowhere, or a loop of links */
	TAR_NOT_FILE, /* there is one, but it is a directory, device or FIFO */
};

/*
 * The regular file at PATH (an archive path, as manifest.json names
 * members; "./" and "a/../b" are cleaned first, a path leaving the archive
 * matches nothing), following links. When a name occurs twice the later
 * member counts, as when the archive is extracted.
 */
enum cs_tar_found tar_find(const struct cs_tar *t, const char *path, const struct cs_tar_member **out);

/* A kept member's bytes. */
static inline struct cs_bytes tar_data(const struct cs_tar *t, const struct cs_tar_member *m)
{
	return cs_bytes_of(t->data.ptr + m->offset, m->size);
}

#endif
