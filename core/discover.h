#ifndef CS_DISCOVER_H
#define CS_DISCOVER_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Where this host's daemons keep their state, for a command given no
 * SOURCE. Every place a real BuildKit writes a root is looked at:
 *
 *   /var/lib/buildkit                       buildkitd
 *   /var/lib/docker/buildkit                dockerd's builder
 *   $XDG_DATA_HOME/buildkit or
 *   ~/.local/share/buildkit                 rootless buildkitd
 *   /var/lib/docker/volumes/buildx_buildkit_*_state/_data
 *                                           buildx docker-container builders
 *
 * CACHESCOPE_SYSROOT=DIR, when set, is put in front of the system paths
 * (not of $HOME or $XDG_DATA_HOME), so tests and chroots can lay out a
 * host of their own.
 */

struct cs_daemon_root {
	char *path;
	int64_t written;  /* cache.db's modification time, ns since the epoch */
	int error;        /* 0 readable; else the errno that kept us out (EACCES) */
};

struct cs_discovery {
	struct cs_daemon_root *roots; /* readable ones first, newest first; then the refused */
	size_t count;
	size_t readable;
};

/* Finds every root that exists (or that we were refused): 0, or -1 when nothing was found. */
int discover_roots(struct cs_discovery *out, struct cs_error *err);
void discovery_free(struct cs_discovery *d);

/*
 * When more than one root was found, the line that says which one was
 * opened ("opened /var/lib/buildkit, the newest of 3 daemon roots: stats
 * lists them"); nothing otherwise.
 */
struct cs_buf;
void discovery_note(const struct cs_discovery *d, struct cs_buf *out);

#endif
