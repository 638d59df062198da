/*
 * A test helper, preloaded (LD_PRELOAD) into cachescope by tests/tui.test:
 * once the process gets SIGUSR2, every malloc, calloc and realloc fails,
 * so the test can run the browser out of memory at a moment it chooses
 * and see that the terminal is given back and the message shown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);

static volatile sig_atomic_t failing;

static void start_failing(int sig)
{
	(void)sig;
	failing = 1;
}

__attribute__((constructor)) static void install(void)
{
	signal(SIGUSR2, start_failing);
}

void *malloc(size_t size)
{
	if (failing) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
	if (failing) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
	if (failing) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(ptr, size);
}
