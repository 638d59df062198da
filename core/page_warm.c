#include "page_warm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * A chunk at a time: the stop flag is seen within one chunk (about 1 ms of
 * work), so whoever waits to unmap the file never waits long.
 */
#define CHUNK_PAGES 1024

struct page_warmer {
	pthread_t thread;
	const unsigned char *map;
	size_t size;
	atomic_bool stop;
};

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14; older kernels refuse it, and touching alone does */
#endif

/*
 * Two steps, both measured on a 1.4 GB cache-debug.db on a virtual
 * machine: madvise(MADV_POPULATE_READ) fills our page tables in one call
 * per run of resident pages (instead of a fault every 16 pages), and
 * reading a byte of each page then takes the trap the hypervisor still
 * charges on a process's first access to it. Together about 0.5 s of the
 * background thread for the whole file; a screen of lookups right after
 * it went from 15-36 ms to 2-6 ms.
 */
static void touch_resident(const unsigned char *at, size_t len, size_t page,
			   const unsigned char *resident, bool touch)
{
	size_t pages = (len + page - 1) / page;

	for (size_t i = 0; i < pages;) {
		size_t run = 0;
		while (i + run < pages && (resident[i + run] & 1))
			run++;
		if (run) {
			size_t end = (i + run) * page < len ? (i + run) * page : len;
			madvise((void *)(at + i * page), end - i * page, MADV_POPULATE_READ);
			for (size_t k = i; touch && k < i + run; k++)
				(void)*(const volatile unsigned char *)(at + k * page);
		}
		i += run + 1;
	}
}

/* Chunk by chunk, until done or STOP is set (when there is one). */
static void walk_resident(const unsigned char *map, size_t size, bool touch, atomic_bool *stop)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char resident[CHUNK_PAGES];

	for (size_t start = 0; start < size && !(stop && atomic_load(stop)); start += CHUNK_PAGES * page) {
		size_t len = size - start < CHUNK_PAGES * page ? size - start : CHUNK_PAGES * page;
		/* only what the page cache holds: a page it does not would be a disk read */
		if (mincore((void *)(map + start), len, resident) != 0)
			break;
		touch_resident(map + start, len, page, resident, touch);
	}
}

static void *warm(void *arg)
{
	struct page_warmer *w = arg;

	walk_resident(w->map, w->size, true, &w->stop);
	return NULL;
}

void page_map_resident(const void *map, size_t size)
{
	walk_resident(map, size, false, NULL);
}

struct page_warmer *page_warmer_start(const void *map, size_t size)
{
	struct page_warmer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->map = map;
	w->size = size;
	atomic_init(&w->stop, false);
	if (pthread_create(&w->thread, NULL, warm, w) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

static void end(struct page_warmer *w, bool stop)
{
	if (!w)
		return;
	if (stop)
		atomic_store(&w->stop, true);
	pthread_join(w->thread, NULL);
	free(w);
}

void page_warmer_stop(struct page_warmer *w)
{
	end(w, true);
}

void page_warmer_finish(struct page_warmer *w)
{
	end(w, false);
}
