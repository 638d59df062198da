#include "progress.h"
#include "buf.h"
#include "escape.h"
#include "graph.h"
#include "xalloc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fetch shorter than this shows nothing; redraws are at most this often. */
#define QUIET_SECONDS 0.5
#define REDRAW_SECONDS 0.1

struct cs_progress {
	pthread_mutex_t lock;
	bool to_stderr;
	bool active;
	bool on_screen;      /* a line is on stderr and must be cleared */
	char label[200];
	int64_t done, total;
	double started, drawn;
	cs_progress_listener listener;
	void *listener_ctx;
	double told;         /* when the listener last heard of it */
	bool listener_told;  /* the listener shows a line that must be taken back */
};

struct cs_progress *progress_new(bool to_stderr)
{
	struct cs_progress *p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	p->to_stderr = to_stderr;
	p->total = -1;
	return p;
}

void progress_free(struct cs_progress *p)
{
	if (!p)
		return;
	progress_end(p);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static void format_size(char *out, size_t size, int64_t n)
{
	if (n < 10 * 1024)
		snprintf(out, size, "%" PRId64 " B", n);
	else if (n < 10 * 1024 * 1024)
		snprintf(out, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(out, size, "%.1f MiB", (double)n / (1024 * 1024));
}

/* The line, without terminal controls of its own. Called locked. */
static void format_line(const struct cs_progress *p, char *out, size_t size)
{
	char done[32], total[32];

	format_size(done, sizeof(done), p->done);
	if (p->total > 0) {
		format_size(total, sizeof(total), p->total);
		snprintf(out, size, "%s: %s of %s", p->label, done, total);
	} else if (p->done > 0) {
		snprintf(out, size, "%s: %s", p->label, done);
	} else {
		snprintf(out, size, "%s: waiting", p->label);
	}
}

static bool visible(const struct cs_progress *p, double now)
{
	return p->active && now - p->started >= QUIET_SECONDS;
}

/* The line with labels made inert: they hold names from the command line and the network. */
static void format_safe_line(const struct cs_progress *p, struct cs_buf *out)
{
	char line[300];

	format_line(p, line, sizeof(line));
	escape_append(out, line, strlen(line), 0);
	buf_adds(out, ""); /* a string even when empty */
}

/* Called locked: redraws stderr's line if it is time to. */
static void draw(struct cs_progress *p, bool force)
{
	double now = cs_now();
	struct cs_buf safe = CS_BUF_INIT;

	if (!p->to_stderr || !visible(p, now) || (!force && now - p->drawn < REDRAW_SECONDS))
		return;
	format_safe_line(p, &safe);
	fprintf(stderr, "\r\033[Kcachescope: %s", safe.data);
	fflush(stderr);
	buf_free(&safe);
	p->on_screen = true;
	p->drawn = now;
}

/*
 * Called locked: the line for the listener into OUT when it is time to
 * tell it (OUT stays empty, and nothing is due, otherwise).
 */
static bool listener_due(struct cs_progress *p, struct cs_buf *out)
{
	double now = cs_now();

	if (!p->listener || !visible(p, now) || (p->listener_told && now - p->told < REDRAW_SECONDS))
		return false;
	format_safe_line(p, out);
	p->listener_told = true;
	p->told = now;
	return true;
}

void progress_listen(struct cs_progress *p, cs_progress_listener fn, void *ctx)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->listener = fn;
	p->listener_ctx = ctx;
	p->listener_told = false;
	pthread_mutex_unlock(&p->lock);
}

void progress_to_stderr(struct cs_progress *p, bool on)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (!on && p->on_screen) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->on_screen = false;
	}
	p->to_stderr = on;
	pthread_mutex_unlock(&p->lock);
}

void progress_begin(struct cs_progress *p, const char *label)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->active = true;
	p->done = 0;
	p->total = -1;
	p->started = cs_now();
	pthread_mutex_unlock(&p->lock);
}

void progress_update(struct cs_progress *p, int64_t done, int64_t total)
{
	if (!p)
		return;
	struct cs_buf line = CS_BUF_INIT;
	cs_progress_listener tell;
	void *ctx;

	pthread_mutex_lock(&p->lock);
	p->done = done;
	p->total = total;
	draw(p, !p->on_screen);
	tell = listener_due(p, &line) ? p->listener : NULL;
	ctx = p->listener_ctx;
	pthread_mutex_unlock(&p->lock);
	/* unlocked: the listener draws, and may well look at us again */
	if (tell)
		tell(ctx, line.data);
	buf_free(&line);
}

void progress_end(struct cs_progress *p)
{
	if (!p)
		return;
	cs_progress_listener tell;
	void *ctx;

	pthread_mutex_lock(&p->lock);
	if (p->on_screen) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->on_screen = false;
	}
	p->active = false;
	tell = p->listener_told ? p->listener : NULL;
	ctx = p->listener_ctx;
	p->listener_told = false;
	pthread_mutex_unlock(&p->lock);
	if (tell)
		tell(ctx, "");
}
