#ifndef CS_XALLOC_H
#define CS_XALLOC_H

#include <stddef.h>

/*
 * Allocation that cannot fail: on exhaustion cachescope prints
 * "cachescope: out of memory" and exits 2 (after the registered exit hooks,
 * so the terminal is restored). Sizes that come from input are bounded
 * before they get here; running out means the machine, not the data, is at
 * its limit.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of COUNT items of SIZE bytes, checking the multiplication. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ensures room for WANT items in a growable array (doubling). */
#define XGROW(ptr, cap, want)                                                  \
	do {                                                                   \
		if ((size_t)(want) > (size_t)(cap)) {                          \
			size_t xgrow_new = (cap) ? (size_t)(cap) * 2 : 16;     \
			while (xgrow_new < (size_t)(want))                     \
				xgrow_new *= 2;                                \
			(ptr) = xreallocarray((ptr), xgrow_new, sizeof(*(ptr))); \
			(cap) = xgrow_new;                                     \
		}                                                              \
	} while (0)

#endif
