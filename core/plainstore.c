#include "plainstore.h"
#include "buf.h"
#include "digest.h"

void plainstore_close(struct cs_plainstore *s)
{
	if (s)
		s->ops->close(s);
}

int plainstore_each_indexed(struct cs_plainstore *s, const struct cs_digests *index,
			    cs_plain_visit_fn fn, void *ctx, struct cs_error *err)
{
	struct cs_buf run = CS_BUF_INIT;
	int rc = 0;

	for (uint32_t i = 0; i < index->count && rc == 0; i++) {
		const struct cs_digest *d = digests_at(index, i);
		if (s->ops->lookup(s, d, &run, err) < 0) {
			rc = -1;
			break;
		}
		rc = fn(ctx, d, cs_bytes_of(run.data, run.len), err);
	}
	buf_free(&run);
	return rc < 0 ? -1 : 0;
}

void plainstore_count_ahead(struct cs_plainstore *s)
{
	if (s->ops->count_ahead)
		s->ops->count_ahead(s);
}

void plainstore_warm_up(struct cs_plainstore *s)
{
	if (s->ops->warm_up)
		s->ops->warm_up(s);
}

void plainstore_map_resident(struct cs_plainstore *s, uint64_t lookups)
{
	if (s->ops->map_resident)
		s->ops->map_resident(s, lookups);
}
