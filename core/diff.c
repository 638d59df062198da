#include "diff_private.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

const char *diff_cause_name(enum diff_cause_kind kind)
{
	switch (kind) {
	case CAUSE_OP_CHANGED: return "op-changed";
	case CAUSE_SELECTOR_CHANGED: return "selector-changed";
	case CAUSE_CONTENT_CHANGED: return "content-changed";
	case CAUSE_IMAGE_CHANGED: return "image-changed";
	case CAUSE_SOURCE_CHANGED: return "source-changed";
	case CAUSE_NEW: return "only-in-b";
	}
	return "?";
}

int diff_graphs(const struct cs_graph *a, const struct cs_graph *b, struct cs_diff **out,
		struct cs_error *err)
{
	struct cs_diff *d = xcalloc(1, sizeof(*d));
	double start = cs_now();
	cs_dig *map;

	d->a = a;
	d->b = b;
	d->a_to_b = xmalloc((a->node_count ? a->node_count : 1) * sizeof(cs_node_id));
	d->b_to_a = xmalloc((b->node_count ? b->node_count : 1) * sizeof(cs_node_id));
	memset(d->a_to_b, 0xff, a->node_count * sizeof(cs_node_id));
	memset(d->b_to_a, 0xff, b->node_count * sizeof(cs_node_id));
	d->a_status = xcalloc(a->node_count ? a->node_count : 1, 1);
	d->b_status = xcalloc(b->node_count ? b->node_count : 1, 1);
	map = diff_map_digests(a, b);
	int rc = diff_match(d, map);
	if (rc == 0)
		rc = diff_find_causes(d, map, err);
	free(map);
	d->seconds = cs_now() - start;
	if (rc < 0) {
		diff_free(d);
		return -1;
	}
	*out = d;
	return 0;
}

void diff_free(struct cs_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->cause_count; i++) {
		diff_changes_free(&d->causes[i]);
		free(d->causes[i].consequences);
	}
	free(d->causes);
	free(d->a_to_b);
	free(d->b_to_a);
	free(d->a_status);
	free(d->b_status);
	free(d);
}

bool diff_same(const struct cs_diff *d)
{
	return d->only_a == 0 && d->only_b == 0 && d->changed == 0 && d->cause_count == 0;
}
