#ifndef CS_PROGRESS_H
#define CS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a slow fetch is doing, for the person waiting: one line on stderr
 * (only when stderr is a terminal, so scripts and logs stay clean), or the
 * browser's status line. Fetches that finish within a moment show nothing.
 * Texts name hosts, repositories and digests, never credentials: callers
 * pass labels, not URLs with secrets in them.
 *
 * Two sources load on two threads at once (diff), so every call takes the
 * lock; the line shows whichever fetch spoke last.
 */

struct cs_progress;

struct cs_progress *progress_new(bool to_stderr);
void progress_free(struct cs_progress *p);

/*
 * Stops or resumes the stderr line. The browser stops it while curses owns
 * the screen: its own lazy fetches would otherwise land in the captured
 * stderr and be replayed, cursor controls and all, after it exits.
 */
void progress_to_stderr(struct cs_progress *p, bool on);

/* A fetch starts: LABEL says what ("ghcr.io/o/r:tag: manifest"). */
void progress_begin(struct cs_progress *p, const char *label);
/* Bytes received so far, of TOTAL (-1 when the server did not say). */
void progress_update(struct cs_progress *p, int64_t done, int64_t total);
/* The fetch ended (either way): the line goes away. */
void progress_end(struct cs_progress *p);

/*
 * While curses owns the screen, fetches run on its thread (a second source
 * added with d, a daemon's lookups) and block it: nothing polls. So the
 * browser listens instead: FN(CTX, LINE) is called on the fetching thread,
 * outside the lock, when a slow fetch's line changes (at most a few times a
 * second), and once with "" when it ends. LINE is already escaped. FN NULL
 * stops listening. Only the screen's own thread may fetch while one listens.
 */
typedef void (*cs_progress_listener)(void *ctx, const char *line);
void progress_listen(struct cs_progress *p, cs_progress_listener fn, void *ctx);

#endif
