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
	uint64_t generation;
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

/* Called locked: redraws stderr's line if it is time to. */
static void draw(struct cs_progress *p, bool force)
{
	double now = cs_now();
	char line[300];
	struct cs_buf safe = CS_BUF_INIT;

	if (!p->to_stderr || !visible(p, now) || (!force && now - p->drawn < REDRAW_SECONDS))
		return;
	format_line(p, line, sizeof(line));
	/* labels hold names from the command line and the network: keep them inert */
	escape_append(&safe, line, strlen(line), 0);
	fprintf(stderr, "\r\033[Kcachescope: %s", safe.data ? safe.data : "");
	fflush(stderr);
	buf_free(&safe);
	p->on_screen = true;
	p->drawn = now;
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
	p->generation++;
	pthread_mutex_unlock(&p->lock);
}

void progress_update(struct cs_progress *p, int64_t done, int64_t total)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (done != p->done || total != p->total)
		p->generation++;
	p->done = done;
	p->total = total;
	draw(p, !p->on_screen);
	pthread_mutex_unlock(&p->lock);
}

void progress_end(struct cs_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->on_screen) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->on_screen = false;
	}
	p->active = false;
	p->generation++;
	pthread_mutex_unlock(&p->lock);
}

uint64_t progress_poll(struct cs_progress *p, char *out, size_t size)
{
	uint64_t generation;

	if (size)
		out[0] = '\0';
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	if (visible(p, cs_now()))
		format_line(p, out, size);
	/* crossing the quiet moment changes the text without a call: count it */
	generation = p->generation * 2 + (p->active && out[0]);
	pthread_mutex_unlock(&p->lock);
	return generation;
}
