#include "discover.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUILDX_VOLUMES "/var/lib/docker/volumes/buildx_buildkit_*_state/_data"

struct finder {
	struct cs_discovery *d;
	size_t cap;
	struct cs_buf looked;  /* every place, for the message when there is none */
};

static void add_root(struct finder *f, const char *path, int64_t written, int error)
{
	XGROW(f->d->roots, f->cap, f->d->count + 1);
	f->d->roots[f->d->count++] = (struct cs_daemon_root){ xstrdup(path), written, error };
}

/*
 * A place a root may be. Refused (EACCES) counts as found: on a host
 * where /var/lib/docker is root's alone, "permission denied" is the answer
 * a user needs, not "no cache.db".
 */
static void look_at(struct finder *f, const char *dir)
{
	char *db = xasprintf("%s/cache.db", dir);
	struct stat st;

	if (stat(db, &st) == 0 && S_ISREG(st.st_mode)) {
		int64_t written = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		add_root(f, dir, written, access(db, R_OK) == 0 ? 0 : errno);
	} else if (errno == EACCES) {
		add_root(f, dir, 0, EACCES);
	}
	free(db);
}

static int glob_refused(const char *path, int error)
{
	(void)path;
	(void)error;
	return 0; /* go on: the refusal is seen in glob's answer */
}

static void look_at_buildx(struct finder *f, const char *sysroot)
{
	char *pattern = xasprintf("%s" BUILDX_VOLUMES, sysroot);
	char *volumes = xasprintf("%s/var/lib/docker/volumes", sysroot);
	glob_t g;
	struct stat st;

	if (glob(pattern, 0, glob_refused, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			look_at(f, g.gl_pathv[i]);
		globfree(&g);
	} else if (stat(volumes, &st) == 0 && access(volumes, R_OK | X_OK) < 0 && errno == EACCES) {
		add_root(f, pattern, 0, EACCES);
	}
	free(pattern);
	free(volumes);
}

static void look(struct finder *f, const char *dir)
{
	buf_printf(&f->looked, "%s%s", f->looked.len ? ", " : "", dir);
	look_at(f, dir);
}

static int by_preference(const void *pa, const void *pb)
{
	const struct cs_daemon_root *a = pa, *b = pb;

	if ((a->error == 0) != (b->error == 0))
		return a->error == 0 ? -1 : 1;
	if (a->written != b->written)
		return a->written > b->written ? -1 : 1;
	return strcmp(a->path, b->path);
}

int discover_roots(struct cs_discovery *out, struct cs_error *err)
{
	const char *sysroot = getenv("CACHESCOPE_SYSROOT");
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	struct finder f = { out, 0, CS_BUF_INIT };
	char *path;

	memset(out, 0, sizeof(*out));
	if (!sysroot)
		sysroot = "";
	path = xasprintf("%s/var/lib/buildkit", sysroot);
	look(&f, path);
	free(path);
	path = xasprintf("%s/var/lib/docker/buildkit", sysroot);
	look(&f, path);
	free(path);
	if (xdg && *xdg)
		path = xasprintf("%s/buildkit", xdg);
	else if (home && *home)
		path = xasprintf("%s/.local/share/buildkit", home);
	else
		path = NULL;
	if (path)
		look(&f, path);
	free(path);
	buf_printf(&f.looked, " or %s" BUILDX_VOLUMES, sysroot);
	look_at_buildx(&f, sysroot);

	if (out->count)
		qsort(out->roots, out->count, sizeof(*out->roots), by_preference);
	for (size_t i = 0; i < out->count; i++)
		out->readable += out->roots[i].error == 0;
	if (out->count == 0)
		cs_fail(err, "no SOURCE given and no cache.db in %s", f.looked.data);
	else if (out->readable == 0 && out->roots[0].error == EACCES)
		cs_fail(err, "%s: permission denied (the daemon's files belong to root: try sudo)",
			out->roots[0].path);
	else if (out->readable == 0)
		cs_fail(err, "%s: %s", out->roots[0].path, strerror(out->roots[0].error));
	buf_free(&f.looked);
	if (out->readable == 0) {
		discovery_free(out);
		return -1;
	}
	return 0;
}

void discovery_free(struct cs_discovery *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->roots[i].path);
	free(d->roots);
	memset(d, 0, sizeof(*d));
}

void discovery_note(const struct cs_discovery *d, struct cs_buf *out)
{
	if (!d || d->count < 2)
		return;
	buf_printf(out, "opened %s, the newest of %zu daemon roots", d->roots[0].path, d->count);
	if (d->readable < d->count)
		buf_printf(out, " (%zu not readable)", d->count - d->readable);
	buf_adds(out, ": `cachescope stats` lists them");
}
