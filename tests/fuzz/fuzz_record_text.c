/*
 * libFuzzer target: the texts a result says itself with, from the store
 * (untrusted): descriptions and image history lines (describe_record.c),
 * RFC 3339 times (cache.db's CreatedAt, remote caches' createdat), and
 * the durations `why --since` takes. The first byte picks which.
 */
#include "core/describe.h"
#include "core/units.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, buf[64];
	int64_t ns;

	if (size < 1)
		return 0;
	/* NUL-terminated, as the readers hand these over */
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0: {
		struct cs_description d;
		describe_record_text(text, &d);
		/* always named, and never longer than what it was made from plus our words */
		if (!d.summary || d.summary_len != strlen(d.summary) || d.summary_len > size + 64)
			__builtin_trap();
		description_free(&d);
		break;
	}
	case 1:
		if (parse_rfc3339(text, size - 1, &ns) == 0) {
			format_rfc3339_ns(ns, buf, sizeof(buf));
			format_time_ns(ns, buf, sizeof(buf));
		}
		break;
	case 2:
		if (parse_duration(text, &ns) == 0 && ns < 0)
			__builtin_trap();
		break;
	}
	free(text);
	return 0;
}
