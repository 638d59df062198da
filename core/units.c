#include "units.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_SECOND 1000000000LL

int64_t unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SECOND + ts.tv_nsec;
}

static const char *format_time(int64_t ns, const char *format, char *buf, size_t size)
{
	time_t seconds = (time_t)(ns / NS_PER_SECOND);
	struct tm tm;

	if (ns <= 0 || !gmtime_r(&seconds, &tm) || strftime(buf, size, format, &tm) == 0)
		snprintf(buf, size, "-");
	return buf;
}

const char *format_time_ns(int64_t ns, char *buf, size_t size)
{
	return format_time(ns, "%Y-%m-%d %H:%M:%S UTC", buf, size);
}

const char *format_time_plain(int64_t ns, char *buf, size_t size)
{
	return format_time(ns, "%Y-%m-%d %H:%M:%S", buf, size);
}

const char *format_rfc3339_ns(int64_t ns, char *buf, size_t size)
{
	time_t seconds = (time_t)(ns / NS_PER_SECOND);
	long fraction = (long)(ns % NS_PER_SECOND);
	struct tm tm;
	size_t n;

	if (ns <= 0 || !gmtime_r(&seconds, &tm) || (n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(buf, size, "%s", "");
		return buf;
	}
	if (fraction) {
		char digits[16];
		int len = snprintf(digits, sizeof(digits), ".%09ld", fraction);
		while (len > 1 && digits[len - 1] == '0')
			digits[--len] = '\0';
		snprintf(buf + n, size - n, "%sZ", digits);
	} else {
		snprintf(buf + n, size - n, "Z");
	}
	return buf;
}

const char *format_size(int64_t bytes, char *buf, size_t size)
{
	static const char units[] = "BKMGTP";
	double v = (double)bytes;
	int u = 0;

	if (bytes < 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

/* N digits at *P into *OUT; false when they are not all there. */
static bool digits(const char **p, const char *end, int n, int *out)
{
	int v = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, const char *end, const char *chars)
{
	if (*p >= end || !strchr(chars, **p) || **p == '\0')
		return false;
	(*p)++;
	return true;
}

/* Days from 1970-01-01 to Y-M-D in the proleptic Gregorian calendar (no timegm: it reads TZ state). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int parse_rfc3339(const char *text, size_t len, int64_t *ns)
{
	const char *p = text, *end = text + len;
	int year, month, day, hour, minute, second, off_h = 0, off_m = 0, sign = 0;
	int64_t fraction = 0;

	if (!digits(&p, end, 4, &year) || !expect(&p, end, "-") || !digits(&p, end, 2, &month) ||
	    !expect(&p, end, "-") || !digits(&p, end, 2, &day) || !expect(&p, end, "Tt ") ||
	    !digits(&p, end, 2, &hour) || !expect(&p, end, ":") || !digits(&p, end, 2, &minute) ||
	    !expect(&p, end, ":") || !digits(&p, end, 2, &second))
		return -1;
	if (p < end && *p == '.') {
		int scale = 0;
		p++;
		while (p < end && *p >= '0' && *p <= '9') {
			if (scale < 9) {
				fraction = fraction * 10 + (*p - '0');
				scale++;
			}
			p++;
		}
		if (scale == 0)
			return -1;
		while (scale++ < 9)
			fraction *= 10;
	}
	if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		sign = *p++ == '+' ? 1 : -1;
		if (!digits(&p, end, 2, &off_h) || !expect(&p, end, ":") || !digits(&p, end, 2, &off_m))
			return -1;
	} else {
		return -1;
	}
	if (p != end || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
	    second > 60 || off_h > 23 || off_m > 59)
		return -1;
	int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
	seconds -= sign * (off_h * 3600 + off_m * 60);
	/* nanoseconds since 1970 in 64 bits reach 1677 to 2262 */
	if (seconds >= INT64_MAX / NS_PER_SECOND || seconds <= INT64_MIN / NS_PER_SECOND)
		return -1;
	*ns = seconds * NS_PER_SECOND + fraction;
	return 0;
}

int parse_duration(const char *text, int64_t *ns)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {
		{ "ms", 1000000 }, { "s", NS_PER_SECOND }, { "m", 60 * NS_PER_SECOND },
		{ "h", 3600 * NS_PER_SECOND }, { "d", 86400 * NS_PER_SECOND }, { "w", 7 * 86400 * NS_PER_SECOND },
	};
	const char *p = text;
	int64_t total = 0;

	if (!*p)
		return -1;
	while (*p) {
		int64_t n = 0;
		const char *start = p;
		size_t u;
		while (*p >= '0' && *p <= '9') {
			if (n > 1000000000)
				return -1;
			n = n * 10 + (*p++ - '0');
		}
		if (p == start)
			return -1;
		for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			size_t k = strlen(units[u].unit);
			/* "m" must not take the "m" of "ms" */
			if (strncmp(p, units[u].unit, k) == 0 && !(k == 1 && p[0] == 'm' && p[1] == 's'))
				break;
		}
		if (u == sizeof(units) / sizeof(units[0]))
			return -1;
		p += strlen(units[u].unit);
		if (n > INT64_MAX / units[u].ns || total > INT64_MAX - n * units[u].ns)
			return -1;
		total += n * units[u].ns;
	}
	*ns = total;
	return 0;
}
