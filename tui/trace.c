/*
 * CACHESCOPE_TRACE=FILE: one line per screen update with the time from the
 * key to the screen, so a scripted session can measure what a person feels.
 */
#include "browser.h"
#include "core/graph.h"

void trace_frame(struct browser *b, double started)
{
	if (!b->trace)
		return;
	/* the first frame is timed from the program's start: the time to the first screen */
	fprintf(b->trace, "%s %.3f ms key=%d node=%u\n", b->frames++ ? "frame" : "first-screen",
		(cs_now() - started) * 1000.0, b->last_key, b->selected == CS_NONE ? 0 : b->selected + 1);
	fflush(b->trace);
}
