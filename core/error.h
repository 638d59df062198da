#ifndef CS_ERROR_H
#define CS_ERROR_H

#include <stdarg.h>

/*
 * One failure, worded for a person: "PATH: what is wrong". Errors travel up
 * by value in a caller-owned struct so that no layer has to allocate while
 * failing. The CLI prints "cachescope: " + msg, escaped, and exits 2.
 */
struct cs_error {
	char msg[512];
};

/* Sets the message; always returns -1 so callers can `return cs_fail(...)`. */
int cs_fail(struct cs_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cs_failv(struct cs_error *err, const char *fmt, va_list ap);

/* Puts "CONTEXT: " in front of the message already there; returns -1. */
int cs_fail_context(struct cs_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
