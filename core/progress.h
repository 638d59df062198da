#ifndef CS_PROGRESS_H
#define CS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a slow fetch is doing, for the person waiting: one line on stderr
 * (only when stderr is a terminal, so scripts and logs stay clean) and a
 * text the browser's status line can poll. Fetches that finish within a
 * moment show nothing. Texts name hosts, repositories and digests, never
 * credentials: callers pass labels, not URLs with secrets in them.
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
 * Copies the line to show into OUT ("" when nothing slow is running).
 * Returns a counter that changes whenever the text may have, so a poller
 * redraws only then.
 */
uint64_t progress_poll(struct cs_progress *p, char *out, size_t size);

#endif
