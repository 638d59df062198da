#ifndef CS_LOAD_WATCH_H
#define CS_LOAD_WATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A load that runs on a thread of its own while another thread (the
 * browser's) shows the first rows: how far it has got, and a way to stop
 * it early (the user quit before it ended).
 */
struct cs_load_watch {
	_Atomic uint64_t keys;  /* keys of cache.db's _links read so far */
	_Atomic bool cancel;    /* set by the watcher: the load stops soon, failing */
};

#endif
