/*
 * Remote cache configs, application/vnd.buildkit.cacheconfig.v0:
 *
 *   {"layers":  [{"blob", "parent", "annotations": {mediaType, diffID, size, createdAt}}],
 *    "records": [{"digest", "layers": [{"layer", "createdAt"}],
 *                 "inputs": [[{"selector", "link"}]]}]}
 *
 * Go's omitempty drops zero values, so a missing "parent" or "link" is 0.
 */
#include "cacheconfig.h"
#include "graph_build.h"
#include "readers.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *cacheconfig_parse_json(const char *name, const void *data, size_t len,
			       struct cs_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root && (json_error_code(&jerr) == json_error_out_of_memory || !jerr.text[0]))
		/* jansson fails this way with no position and often no text */
		cs_fail(err, "%s: out of memory reading %zu bytes of JSON", name, len);
	else if (!root)
		cs_fail(err, "%s: line %d, column %d: %s", name, jerr.line, jerr.column, jerr.text);
	return root;
}

static uint32_t optional_string(struct cs_graph *g, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return CS_STR_NONE;
	return strings_add(&g->strings, json_string_value(v), json_string_length(v));
}

static int digest_field(struct cs_graph *g, json_t *obj, const char *key, bool required,
			cs_dig *out)
{
	json_t *v = json_object_get(obj, key);

	*out = CS_DIG_NONE;
	if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return required ? -1 : 0;
	if (!json_is_string(v))
		return -1;
	*out = digests_intern_str(&g->digests, json_string_value(v), json_string_length(v));
	return *out == CS_DIG_NONE ? -1 : 0;
}

/* An integer field, 0 when absent (omitempty); -1 when it is not an integer in range. */
static int int_field(json_t *obj, const char *key, json_int_t min, json_int_t max, json_int_t *out)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

int cacheconfig_read_layers(struct cs_graph *g, const char *name, json_t *layers,
			    struct cs_error *err)
{
	size_t n;

	if (!layers || json_is_null(layers))
		return 0;
	if (!json_is_array(layers))
		return cs_fail(err, "%s: \"layers\" is not an array", name);
	n = json_array_size(layers);
	if (n >= CS_NONE)
		return cs_fail(err, "%s: too many layers", name);
	g->layers = xcalloc(n ? n : 1, sizeof(*g->layers));
	g->layer_count = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		json_t *l = json_array_get(layers, i), *a;
		struct cs_layer *layer = &g->layers[i];
		json_int_t parent, size;
		if (!json_is_object(l))
			return cs_fail(err, "%s: layer %zu is not an object", name, i);
		if (digest_field(g, l, "blob", true, &layer->blob) < 0)
			return cs_fail(err, "%s: layer %zu: blob is not a sha256 digest", name, i);
		if (int_field(l, "parent", -1, (json_int_t)n - 1, &parent) < 0 || parent == (json_int_t)i)
			return cs_fail(err, "%s: layer %zu: parent out of range", name, i);
		layer->parent = parent < 0 ? CS_NONE : (uint32_t)parent;
		layer->size = -1;
		layer->diff_id = CS_DIG_NONE;
		layer->media_type = layer->created_at = CS_STR_NONE;
		a = json_object_get(l, "annotations");
		if (json_is_object(a)) {
			if (digest_field(g, a, "diffID", false, &layer->diff_id) < 0)
				return cs_fail(err, "%s: layer %zu: diffID is not a sha256 digest", name, i);
			if (int_field(a, "size", 0, INT64_MAX, &size) < 0)
				return cs_fail(err, "%s: layer %zu: bad size", name, i);
			if (json_object_get(a, "size"))
				layer->size = size;
			layer->media_type = optional_string(g, a, "mediaType");
			layer->created_at = optional_string(g, a, "createdAt");
		}
	}
	/* a parent chain longer than the layers there are loops */
	for (size_t i = 0; i < n; i++) {
		uint32_t at = (uint32_t)i;
		for (size_t steps = 0; at != CS_NONE; steps++) {
			if (steps > n)
				return cs_fail(err, "%s: layer %zu: parents form a loop", name, i);
			at = g->layers[at].parent;
		}
	}
	return 0;
}

struct record_view {
	cs_dig digest;
	json_t *inputs;
	uint32_t node;
};

/* Refuses loops among records, iteratively (a chain may be very long). */
static int check_loops(const struct record_view *recs, size_t n, const char *name,
		       struct cs_error *err)
{
	uint8_t *state = xcalloc(n ? n : 1, 1); /* 0 new, 1 on the path, 2 done */
	struct frame { size_t record, input, alt; } *stack = NULL;
	size_t depth = 0, cap = 0;
	int rc = 0;

	for (size_t start = 0; start < n && rc == 0; start++) {
		if (state[start])
			continue;
		XGROW(stack, cap, depth + 1);
		stack[depth++] = (struct frame){ start, 0, 0 };
		state[start] = 1;
		while (depth && rc == 0) {
			struct frame *f = &stack[depth - 1];
			json_t *inputs = recs[f->record].inputs;
			if (f->input >= json_array_size(inputs)) {
				state[f->record] = 2;
				depth--;
				continue;
			}
			json_t *alts = json_array_get(inputs, f->input);
			if (f->alt >= json_array_size(alts)) {
				f->input++;
				f->alt = 0;
				continue;
			}
			json_int_t link;
			int_field(json_array_get(alts, f->alt++), "link", 0, (json_int_t)n - 1, &link);
			if (state[link] == 1)
				rc = cs_fail(err, "%s: record %zu: links loop back to record %lld", name,
					     f->record, (long long)link);
			else if (state[link] == 0) {
				state[link] = 1;
				XGROW(stack, cap, depth + 1);
				stack[depth++] = (struct frame){ (size_t)link, 0, 0 };
			}
		}
	}
	free(stack);
	free(state);
	return rc;
}

static int check_record(struct cs_graph *g, json_t *rec, size_t i, size_t n,
			struct record_view *view, const char *name, struct cs_error *err)
{
	json_t *inputs = json_object_get(rec, "inputs");

	if (!json_is_object(rec))
		return cs_fail(err, "%s: record %zu is not an object", name, i);
	if (digest_field(g, rec, "digest", true, &view->digest) < 0)
		return cs_fail(err, "%s: record %zu has no sha256 digest", name, i);
	if (inputs && !json_is_null(inputs) && !json_is_array(inputs))
		return cs_fail(err, "%s: record %zu: \"inputs\" is not an array", name, i);
	view->inputs = json_is_array(inputs) ? inputs : NULL;
	for (size_t j = 0; j < json_array_size(view->inputs); j++) {
		json_t *alts = json_array_get(view->inputs, j);
		if (!json_is_array(alts) || json_array_size(alts) == 0)
			return cs_fail(err, "%s: record %zu: input %zu is empty", name, i, j);
		for (size_t k = 0; k < json_array_size(alts); k++) {
			json_t *in = json_array_get(alts, k);
			json_int_t link;
			cs_dig selector;
			if (!json_is_object(in) || int_field(in, "link", 0, (json_int_t)n - 1, &link) < 0)
				return cs_fail(err, "%s: record %zu: input %zu links out of range", name, i, j);
			if (digest_field(g, in, "selector", false, &selector) < 0)
				return cs_fail(err, "%s: record %zu: input %zu: bad selector", name, i, j);
		}
	}
	return 0;
}

static int add_results(struct cs_graph *g, struct cs_builder *b, json_t *rec, size_t i,
		       uint32_t node, const char *name, struct cs_error *err)
{
	json_t *results = json_object_get(rec, "layers");

	for (size_t k = 0; k < json_array_size(results); k++) {
		json_t *res = json_array_get(results, k);
		json_int_t layer;
		if (!json_is_object(res) || int_field(res, "layer", 0, (json_int_t)g->layer_count - 1, &layer) < 0 ||
		    g->layer_count == 0)
			return cs_fail(err, "%s: record %zu: result layer out of range", name, i);
		builder_result(b, node, CS_STR_NONE, optional_string(g, res, "createdAt"), (uint32_t)layer);
	}
	return 0;
}

int cacheconfig_read_records(struct cs_graph *g, const char *name, json_t *records,
			     struct cs_error *err)
{
	size_t n = json_array_size(records);
	struct record_view *view;
	struct cs_builder *b;
	char key[32];
	int rc = -1;

	if (records && !json_is_null(records) && !json_is_array(records))
		return cs_fail(err, "%s: \"records\" is not an array", name);
	if (n >= CS_NONE)
		return cs_fail(err, "%s: too many records", name);
	view = xcalloc(n ? n : 1, sizeof(*view));
	b = builder_new(g, CS_ORDER_STORE_WALK);
	for (size_t i = 0; i < n; i++)
		if (check_record(g, json_array_get(records, i), i, n, &view[i], name, err) < 0)
			goto out;
	if (check_loops(view, n, name, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (json_array_size(view[i].inputs) == 0) {
			char text[CS_DIGEST_STRLEN + 1];
			digest_format(digests_at(&g->digests, view[i].digest), text);
			view[i].node = builder_node(b, text, CS_DIGEST_STRLEN);
			builder_root(b, view[i].node, view[i].digest, false);
		} else {
			/* the daemon's IDs here are hashes; the index orders ties the same every run */
			snprintf(key, sizeof(key), "x%010zu", i);
			view[i].node = builder_node(b, key, strlen(key));
		}
		if (add_results(g, b, json_array_get(records, i), i, view[i].node, name, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < json_array_size(view[i].inputs); j++) {
			json_t *alts = json_array_get(view[i].inputs, j);
			for (size_t k = 0; k < json_array_size(alts); k++) {
				json_t *in = json_array_get(alts, k);
				json_int_t link;
				cs_dig selector;
				int_field(in, "link", 0, (json_int_t)n - 1, &link);
				digest_field(g, in, "selector", false, &selector);
				builder_link(b, view[link].node, view[i].node, (uint32_t)j, 0, view[i].digest, selector);
			}
		}
	}
	rc = builder_finish(b, err) < 0 ? cs_fail_context(err, "%s", name) : 0;
out:
	builder_free(b);
	free(view);
	return rc;
}

int read_cacheconfig(struct cs_graph *g, const char *name, struct cs_bytes json,
		     struct cs_error *err)
{
	double start = cs_now();
	json_t *root = cacheconfig_parse_json(name, json.ptr, json.len, err);
	int rc = -1;

	if (!g->kind)
		g->kind = "cache config";
	if (!root)
		return -1;
	if (!json_is_object(root)) {
		cs_fail(err, "%s: not a cache config (expected a JSON object)", name);
	} else if (json_object_get(root, "schemaVersion") || json_object_get(root, "manifests")) {
		cs_fail(err, "%s: an OCI index or manifest, not a cache config: give its layout directory", name);
	} else if (!json_object_get(root, "records") && !json_object_get(root, "layers")) {
		cs_fail(err, "%s: not a cache config (no \"records\")", name);
	} else {
		graph_phase(g, "parse cache config", start);
		start = cs_now();
		rc = cacheconfig_read_layers(g, name, json_object_get(root, "layers"), err);
		if (rc == 0)
			rc = cacheconfig_read_records(g, name, json_object_get(root, "records"), err);
		if (rc == 0)
			graph_phase(g, "build records", start);
	}
	json_decref(root);
	return rc;
}
