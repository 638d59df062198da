/*
 * CACHESCOPE_TRACE=FILE: one line per screen update with the time from the
 * key to the screen, so a scripted session can measure what a person
 * feels. Wall time is what a person sees; CPU time beside it tells our
 * work from a busy machine's scheduling.
 *
 *   phase read cache.db 180.100 ms
 *   first-screen 212.400 ms key=0 cpu=150.200 ms node=1
 *   frame 0.840 ms key=106 cpu=0.800 ms node=2
 *   whole-store 731.800 ms records=100000
 *   search 180.000 ms cpu=170.000 ms entries=240122 matches=3 cancelled=0
 *
 * The load's phases (as stats prints them) come before the first screen;
 * a big store's first screen shows its first rows, and whole-store says
 * when the rest was there (from the program's start, its own load's
 * phases before it). Only keys make frame lines: a screen redrawn on its
 * own (the whole store arrived, the latest build's marks) is not one;
 * key is the curses key code (106 is 'j'); a prompt's frame is timed from
 * the Enter that ends it, not from the ':' or '/' that opened it.
 */
#include "browser.h"
#include "core/graph.h"

#include <time.h>

double trace_cpu_now(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
		return 0;
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void trace_key(struct browser *b, int key)
{
	b->last_key = key;
	if (!b->trace)
		return;
	b->key_time = cs_now();
	b->key_cpu = trace_cpu_now();
}

void trace_frame(struct browser *b)
{
	if (!b->trace)
		return;
	/* the first frame is timed from the program's start: the time to the first screen */
	for (int i = 0; !b->frames && i < b->g->phase_count; i++)
		fprintf(b->trace, "phase %s %.3f ms\n", b->g->phases[i].name, b->g->phases[i].seconds * 1000.0);
	fprintf(b->trace, "%s %.3f ms key=%d cpu=%.3f ms node=%u\n", b->frames++ ? "frame" : "first-screen",
		(cs_now() - b->key_time) * 1000.0, b->last_key, (trace_cpu_now() - b->key_cpu) * 1000.0,
		b->selected == CS_NONE ? 0 : b->selected + 1);
	fflush(b->trace);
}

void trace_search(struct browser *b, double started, double cpu_started, uint64_t entries, uint32_t matches,
		  bool cancelled)
{
	if (!b->trace)
		return;
	fprintf(b->trace, "search %.3f ms cpu=%.3f ms entries=%llu matches=%u cancelled=%d\n",
		(cs_now() - started) * 1000.0, (trace_cpu_now() - cpu_started) * 1000.0,
		(unsigned long long)entries, matches, cancelled);
	fflush(b->trace);
}

void trace_whole(struct browser *b, double program_started)
{
	if (!b->trace)
		return;
	for (int i = 0; i < b->g->phase_count; i++)
		fprintf(b->trace, "phase %s %.3f ms\n", b->g->phases[i].name, b->g->phases[i].seconds * 1000.0);
	fprintf(b->trace, "whole-store %.3f ms records=%u\n", (cs_now() - program_started) * 1000.0, b->g->node_count);
	fflush(b->trace);
}
