#ifndef CS_PAGE_WARM_H
#define CS_PAGE_WARM_H

#include <stddef.h>

/*
 * Touches every page of a read-only file mapping on a background thread,
 * so that lookups scattered over a big file (the browser resolving
 * plaintexts in a cache-debug.db of gigabytes) stop paying a page fault
 * each time they land somewhere new: at a million keys that was 15-36 ms
 * a screen. Only pages already in the page cache are touched: warming
 * never reads the disk, so it cannot slow a busy build host down. (At the
 * lowest priority it was starved on a shared machine and the keys right
 * after the first screen were slow again: it runs at ours, half a second
 * of one core for a 1.4 GB file.)
 */

struct page_warmer;

/* Starts warming [MAP, MAP + SIZE); NULL if no thread could be started. */
struct page_warmer *page_warmer_start(const void *map, size_t size);

/*
 * The cheap half of warming, at once on the caller's thread: fills the
 * page tables for what the page cache holds of [MAP, MAP + SIZE), without
 * the first touch of each page. About 10 ms for 150 MB, and a burst of
 * lookups right after it takes no page fault (diff's root sorts: a fifth
 * faster).
 */
void page_map_resident(const void *map, size_t size);

/* Stops the thread and waits for it: only then may MAP be unmapped. NULL is fine. */
void page_warmer_stop(struct page_warmer *w);
/* Waits for the thread to warm the whole mapping, then frees it. NULL is fine. */
void page_warmer_finish(struct page_warmer *w);

#endif
