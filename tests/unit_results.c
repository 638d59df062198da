/*
 * What a result says of itself: the descriptions BuildKit writes (its own
 * format strings, solver/llbsolver/ops/exec.go, source/local, ...) and
 * docker's history lines, named as the table names them; the values of a
 * worker's metadata_v2.db as cache/metadata writes them; times and sizes
 * as BuildKit writes them and as people read them.
 */
#include "core/describe.h"
#include "core/metadata.h"
#include "core/units.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

static void check_description(const char *text, enum cs_kind kind, const char *summary)
{
	struct cs_description d;

	describe_record_text(text, &d);
	TAP_OK(d.kind == kind, "\"%s\" is a %s (got %s)", text, kind_name(kind), kind_name(d.kind));
	TAP_STR_EQ(d.summary, summary, "\"%s\" reads \"%s\"", text, summary);
	TAP_OK(d.summary && d.summary_len == strlen(d.summary), "\"%s\": the summary's length", text);
	description_free(&d);
}

static void descriptions(void)
{
	check_description("mount / from exec /bin/sh -c echo hi > /hi", KIND_EXEC, "/bin/sh -c echo hi > /hi");
	check_description("mount /out from exec /bin/sh -c make", KIND_EXEC, "/bin/sh -c make  (mount /out)");
	check_description("local source for context", KIND_LOCAL, "local context \"context\"");
	check_description("pulled from docker.io/library/alpine:3.22@sha256:abc", KIND_IMAGE,
			  "docker.io/library/alpine:3.22@sha256:abc");
	check_description("from local ", KIND_IMAGE, "local image");
	check_description("git snapshot for https://github.com/moby/buildkit.git#main", KIND_GIT,
			  "https://github.com/moby/buildkit.git#main");
	check_description("http url https://example.com/a.tar.gz", KIND_HTTP, "https://example.com/a.tar.gz");
	check_description("cached mount /root/.cache from exec /bin/sh -c go build with id \"gocache\"",
			  KIND_CACHE_MOUNT, "/root/.cache from exec /bin/sh -c go build with id \"gocache\"");
	check_description("fileop target", KIND_FILE, "file operation");
	check_description("RUN /bin/sh -c cat /hello /hi # buildkit", KIND_EXEC, "/bin/sh -c cat /hello /hi");
	check_description("COPY app.txt /app.txt # buildkit", KIND_FILE, "COPY app.txt /app.txt");
	check_description("WORKDIR /src", KIND_FILE, "WORKDIR /src");
	check_description("/bin/sh -c #(nop) ADD file:abc in / ", KIND_FILE, "ADD file:abc in / ");
	check_description("/bin/sh -c apt-get update", KIND_EXEC, "/bin/sh -c apt-get update");
	/* " # buildkit" where the instruction's own words are: not an end marker */
	check_description("/bin/sh -c #(nop) # buildkit", KIND_EXEC, "# buildkit");
	check_description("[stage-1 2/3] merge", KIND_UNKNOWN, "[stage-1 2/3] merge");
}

static void check_value(const char *key, const char *value, int want_rc, const char *what)
{
	struct cs_record_set set;
	struct cs_record r;
	struct cs_error err;

	record_set_init(&set);
	memset(&r, 0, sizeof(r));
	r.description = r.record_type = r.parent = r.equal_mutable = CS_STR_NONE;
	r.size = -1;
	int rc = metadata_parse_value(&set, &r, key, strlen(key), value, strlen(value), &err);
	TAP_OK(rc == want_rc, "%s (%s = %s)", what, key, value);
	if (strcmp(key, "cache.description") == 0 && rc == 0)
		TAP_STR_EQ(record_text(&set, r.description), "mount / from exec /bin/sh -c echo hi > /hi",
			   "a description's escapes are decoded");
	if (strcmp(key, "snapshot.size") == 0 && rc == 0)
		TAP_OK(r.size == 6, "snapshot.size read as a number");
	if (strcmp(key, "cache.equalMutable") == 0 && rc == 0)
		TAP_OK(r.equal_mutable == CS_STR_NONE, "an empty equalMutable names no twin");
	if (strcmp(key, "cache.lastUsedAt") == 0 && rc == 0)
		TAP_OK(r.last_used == 1796531560318067332LL, "lastUsedAt in Unix nanoseconds");
	record_set_free(&set);
}

static void metadata_values(void)
{
	check_value("cache.description", "{\"value\":\"mount / from exec /bin/sh -c echo hi \\u003e /hi\"}", 0,
		    "a description as Go writes it");
	check_value("snapshot.size", "{\"value\":6}", 0, "a size");
	check_value("cache.equalMutable", "{\"value\":\"\"}", 0, "an empty twin");
	check_value("cache.lastUsedAt", "{\"value\":1796531560318067332}", 0, "a time");
	check_value("cache.chainID", "{\"value\":\"sha256:x\",\"index\":\"chainid:sha256:x\"}", 0,
		    "a key we do not read is not looked at");
	check_value("cache.blobChainID", "not json at all", 0, "nor is its value parsed");
	check_value("cache.usageCount", "", 0, "an empty value is an unset one");
	check_value("snapshot.size", "{\"value\":\"6\"}", -1, "a size that is a string is refused");
	check_value("snapshot.size", "{\"value\":1.5}", -1, "a size with a fraction is refused");
	check_value("cache.description", "{\"value\":\"x\"} trailing", -1, "more after the value is refused");
	check_value("snapshot.committed", "{\"value\":true,\"index\":\"x\"}", 0, "an index beside the value");
}

static void times(void)
{
	char buf[64];
	int64_t ns;

	TAP_OK(parse_rfc3339("2026-12-06T04:32:40.287446961Z", 30, &ns) == 0 && ns == 1796531560287446961LL,
	       "RFC 3339 with nanoseconds");
	TAP_STR_EQ(format_rfc3339_ns(ns, buf, sizeof(buf)), "2026-12-06T04:32:40.287446961Z",
		   "written back as Go's RFC3339Nano");
	TAP_OK(parse_rfc3339("2026-12-06T04:32:40.1Z", 22, &ns) == 0, "a short fraction");
	TAP_STR_EQ(format_rfc3339_ns(ns, buf, sizeof(buf)), "2026-12-06T04:32:40.1Z", "trailing zeros dropped");
	TAP_OK(parse_rfc3339("2025-08-12T10:28:18+02:00", 25, &ns) == 0 && ns == 1754987298LL * 1000000000,
	       "an offset is applied");
	TAP_STR_EQ(format_rfc3339_ns(ns, buf, sizeof(buf)), "2025-08-12T08:28:18Z", "a whole second has no fraction");
	TAP_STR_EQ(format_time_ns(ns, buf, sizeof(buf)), "2025-08-12 08:28:18 UTC", "for people, in UTC");
	TAP_STR_EQ(format_time_ns(0, buf, sizeof(buf)), "-", "an unknown time");
	TAP_OK(parse_rfc3339("2026-13-06T04:32:40Z", 20, &ns) < 0, "month 13 is refused");
	TAP_OK(parse_rfc3339("2026-12-06T04:32:40", 19, &ns) < 0, "no zone is refused");
	TAP_OK(parse_rfc3339("2326-12-06T04:32:40Z", 20, &ns) < 0, "past 2262 nanoseconds overflow: refused");
	TAP_OK(parse_duration("1h30m", &ns) == 0 && ns == 5400LL * 1000000000, "a duration");
	TAP_OK(parse_duration("2d", &ns) == 0 && ns == 172800LL * 1000000000, "days");
	TAP_OK(parse_duration("500ms", &ns) == 0 && ns == 500000000, "milliseconds are not minutes");
	TAP_OK(parse_duration("2x", &ns) < 0 && parse_duration("", &ns) < 0 && parse_duration("h", &ns) < 0,
	       "bad durations are refused");
	TAP_OK(parse_duration("99999999999999999999h", &ns) < 0, "an overflowing duration is refused");
}

static void sizes(void)
{
	char buf[32];

	TAP_STR_EQ(format_size(0, buf, sizeof(buf)), "0B", "zero bytes");
	TAP_STR_EQ(format_size(1023, buf, sizeof(buf)), "1023B", "under a KiB");
	TAP_STR_EQ(format_size(1024, buf, sizeof(buf)), "1.0K", "a KiB exactly is 1.0K");
	TAP_STR_EQ(format_size(1 << 20, buf, sizeof(buf)), "1.0M", "a MiB exactly is 1.0M");
	TAP_STR_EQ(format_size(4007, buf, sizeof(buf)), "3.9K", "KiB");
	TAP_STR_EQ(format_size(5 << 20, buf, sizeof(buf)), "5.0M", "MiB");
	TAP_STR_EQ(format_size(-1, buf, sizeof(buf)), "-", "unknown");
}

int main(void)
{
	descriptions();
	metadata_values();
	times();
	sizes();
	return tap_done();
}
