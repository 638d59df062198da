#include "describe.h"
#include "diff_private.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

const char *diff_cause_name(enum diff_cause_kind kind)
{
	switch (kind) {
	case CAUSE_OP_CHANGED: return "op-changed";
	case CAUSE_SELECTOR_CHANGED: return "selector-changed";
	case CAUSE_INPUT_CHANGED: return "input-changed";
	case CAUSE_CONTENT_CHANGED: return "content-changed";
	case CAUSE_IMAGE_CHANGED: return "image-changed";
	case CAUSE_SOURCE_CHANGED: return "source-changed";
	case CAUSE_NEW: return "only-in-b";
	}
	return "?";
}

static enum root_sort sort_of_kind(enum cs_kind kind)
{
	switch (kind) {
	case KIND_UNKNOWN: return ROOT_UNKNOWN;
	case KIND_CONTENT: return ROOT_CONTENT;
	case KIND_IMAGE: return ROOT_IMAGE;
	default: return ROOT_SOURCE;
	}
}

int diff_root_sort(struct diff_work *w, bool on_b, cs_node_id n, struct cs_error *err)
{
	uint8_t *sorts = on_b ? w->b_sort : w->a_sort;
	struct cs_description desc;

	if (!sorts[n]) {
		if (describe_node(on_b ? w->d->b : w->d->a, n, &desc, err) < 0)
			return -1;
		sorts[n] = (uint8_t)(sort_of_kind(desc.kind) + 1);
		description_free(&desc);
	}
	return sorts[n] - 1;
}

static cs_node_id *node_array(uint32_t count)
{
	cs_node_id *array = xmalloc((count ? count : 1) * sizeof(*array));

	memset(array, 0xff, count * sizeof(*array));
	return array;
}

int diff_graphs(const struct cs_graph *a, const struct cs_graph *b, struct cs_diff **out,
		struct cs_error *err)
{
	struct cs_diff *d = xcalloc(1, sizeof(*d));
	double start = cs_now();
	cs_dig *map;

	d->a = a;
	d->b = b;
	d->a_to_b = node_array(a->node_count);
	d->b_to_a = node_array(b->node_count);
	d->a_counterpart = node_array(a->node_count);
	d->b_counterpart = node_array(b->node_count);
	d->b_cause = node_array(b->node_count);
	d->a_status = xcalloc(a->node_count ? a->node_count : 1, 1);
	d->b_status = xcalloc(b->node_count ? b->node_count : 1, 1);
	map = diff_map_digests(a, b);
	struct diff_work w = { d, map, xcalloc(a->node_count ? a->node_count : 1, 1),
			       xcalloc(b->node_count ? b->node_count : 1, 1) };
	int rc = diff_match(d, map);
	if (rc == 0)
		rc = diff_find_counterparts(&w, err);
	if (rc == 0)
		rc = diff_find_causes(&w, err);
	free(w.a_sort);
	free(w.b_sort);
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
		free(d->causes[i].also_b);
		free(d->causes[i].also_a);
	}
	free(d->causes);
	free(d->a_to_b);
	free(d->b_to_a);
	free(d->a_counterpart);
	free(d->b_counterpart);
	free(d->b_cause);
	free(d->a_status);
	free(d->b_status);
	free(d);
}

bool diff_same(const struct cs_diff *d)
{
	return d->only_a == 0 && d->only_b == 0 && d->changed == 0 && d->cause_count == 0;
}

enum diff_node_state diff_node_state(const struct cs_diff *d, bool on_b, cs_node_id n)
{
	uint8_t status = on_b ? d->b_status[n] : d->a_status[n];
	const cs_node_id *counterpart = on_b ? d->b_counterpart : d->a_counterpart;

	if (status == DIFF_SAME)
		return NODE_SAME;
	if (status == DIFF_CHANGED)
		return NODE_CHANGED;
	if (counterpart[n] != CS_NONE)
		return NODE_COUNTERPART;
	return on_b ? NODE_ONLY_B : NODE_ONLY_A;
}

cs_node_id diff_other(const struct cs_diff *d, bool on_b, cs_node_id n)
{
	cs_node_id twin = on_b ? d->b_to_a[n] : d->a_to_b[n];

	if (twin != CS_NONE)
		return twin;
	return on_b ? d->b_counterpart[n] : d->a_counterpart[n];
}

const struct diff_cause *diff_cause_of(const struct cs_diff *d, cs_node_id b_node)
{
	uint32_t i = d->b_cause[b_node];

	return i == DIFF_NO_CAUSE ? NULL : &d->causes[i];
}
