#ifndef CS_UNITS_H
#define CS_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Times and sizes as BuildKit writes them (RFC 3339 text in cache.db and
 * remote caches, Unix nanoseconds and bytes in metadata_v2.db) and as
 * people read them. Times are UTC: the same store prints the same on
 * every host.
 */

/* Now, in Unix nanoseconds (the wall clock: for --since 2h). */
int64_t unix_now_ns(void);

/* "2026-12-06 04:32:40 UTC" into BUF (returned); "-" for 0 or less. */
const char *format_time_ns(int64_t ns, char *buf, size_t size);
/* The same without " UTC", for tables that say it once. */
const char *format_time_plain(int64_t ns, char *buf, size_t size);

/* RFC 3339 with nanoseconds as Go's time.RFC3339Nano writes it (trailing zeros dropped); "" for 0. */
const char *format_rfc3339_ns(int64_t ns, char *buf, size_t size);

/* "512B", "1.5K", "3.2M", "1.0G" (binary units); "-" when unknown (negative). */
const char *format_size(int64_t bytes, char *buf, size_t size);

/*
 * RFC 3339 ("2026-12-06T04:32:40.287446961Z", "...+01:00"), as Go's
 * time.Time marshals: 0 with *NS set, -1 when TEXT is not one.
 */
int parse_rfc3339(const char *text, size_t len, int64_t *ns);

/* A duration as Go and people write it: "90s", "2h", "1h30m", "3d": 0, or -1. */
int parse_duration(const char *text, int64_t *ns);

#endif
