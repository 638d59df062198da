#ifndef CS_TAP_H
#define CS_TAP_H

/*
 * A few lines of TAP for C unit tests: each check prints "ok N - what" or
 * "not ok N - what" and the program ends with the plan, so automake's TAP
 * driver counts every check, not just every program.
 */

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define TAP_OK(cond, ...)                                                     \
	do {                                                                  \
		int tap_c = (cond) ? 1 : 0;                                   \
		printf("%s %d - ", tap_c ? "ok" : "not ok", ++tap_count);     \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
		if (!tap_c) {                                                 \
			tap_failed++;                                         \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                             \
	} while (0)

#define TAP_STR_EQ(got, want, ...)                                            \
	do {                                                                  \
		const char *tap_g = (got), *tap_w = (want);                   \
		int tap_same = tap_g && tap_w && strcmp(tap_g, tap_w) == 0;   \
		TAP_OK(tap_same, __VA_ARGS__);                                \
		if (!tap_same)                                                \
			printf("#   got:  \"%s\"\n#   want: \"%s\"\n",       \
			       tap_g ? tap_g : "(null)", tap_w ? tap_w : "(null)"); \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
