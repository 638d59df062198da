#include "error.h"

#include <stdio.h>
#include <string.h>

int cs_failv(struct cs_error *err, const char *fmt, va_list ap)
{
	if (err)
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int cs_fail(struct cs_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cs_failv(err, fmt, ap);
	va_end(ap);
	return -1;
}

int cs_fail_context(struct cs_error *err, const char *fmt, ...)
{
	char context[256], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* the bounds only tell the compiler what snprintf already guarantees */
	snprintf(err->msg, sizeof(err->msg), "%.255s: %.254s", context, old);
	return -1;
}
