/*
 * Remote cache configs, application/vnd.buildkit.cacheconfig.v0
 * (cache/remotecache/v1/types/spec.go):
 *
 *   {"layers":  [{"blob", "parent", "annotations": {mediaType, diffID, size, createdAt}}],
 *    "records": [{"digest", "layers": [{"layer", "createdAt"}],
 *                 "chains": [{"layers": [i, ...], "createdAt"}],
 *                 "inputs": [[{"selector", "link"}]]}]}
 *
 * Go's omitempty drops zero values, so a missing "parent" or "link" is 0
 * (a base layer says "parent": -1). What the daemon refuses we refuse: a
 * field of the wrong JSON type (json.Unmarshal fails on it), and what
 * cache/remotecache/v1/parse.go checks — a link out of range or looping,
 * an empty input, a layer index out of range, a layer parent loop.
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
	/* jansson refuses nesting deeper than JSON_PARSER_MAX_DEPTH (2048) by itself */
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root && (json_error_code(&jerr) == json_error_out_of_memory || !jerr.text[0]))
		/* jansson fails this way with no position and often no text */
		cs_fail(err, "%s: out of memory reading %zu bytes of JSON", name, len);
	else if (!root)
		cs_fail(err, "%s: line %d, column %d: %s", name, jerr.line, jerr.column, jerr.text);
	return root;
}

/* Go's decoder leaves a field at its zero value for null, as for absent. */
static bool absent(const json_t *v)
{
	return !v || json_is_null(v);
}

/* A string field into the string arena; CS_STR_NONE when absent, -1 when not a string. */
static int string_field(struct cs_graph *g, json_t *obj, const char *key, uint32_t *out)
{
	json_t *v = json_object_get(obj, key);

	*out = CS_STR_NONE;
	if (absent(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = strings_add(&g->strings, json_string_value(v), json_string_length(v));
	return 0;
}

static int digest_field(struct cs_graph *g, json_t *obj, const char *key, bool required,
			cs_dig *out)
{
	json_t *v = json_object_get(obj, key);

	*out = CS_DIG_NONE;
	if (absent(v) || (json_is_string(v) && json_string_length(v) == 0))
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
	if (absent(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* An array field: NULL when absent, -1 when it is something else. */
static int array_field(json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (absent(v))
		return 0;
	if (!json_is_array(v))
		return -1;
	*out = v;
	return 0;
}

static int read_annotations(struct cs_graph *g, json_t *a, size_t i, const char *name,
			    struct cs_error *err)
{
	struct cs_layer *layer = &g->layers[i];
	json_int_t size;

	if (absent(a))
		return 0;
	if (!json_is_object(a))
		return cs_fail(err, "%s: layer %zu: annotations are not an object", name, i);
	if (digest_field(g, a, "diffID", false, &layer->diff_id) < 0)
		return cs_fail(err, "%s: layer %zu: diffID is not a sha256 digest", name, i);
	if (int_field(a, "size", 0, INT64_MAX, &size) < 0)
		return cs_fail(err, "%s: layer %zu: bad size", name, i);
	if (!absent(json_object_get(a, "size")))
		layer->size = size;
	if (string_field(g, a, "mediaType", &layer->media_type) < 0 ||
	    string_field(g, a, "createdAt", &layer->created_at) < 0)
		return cs_fail(err, "%s: layer %zu: mediaType and createdAt must be strings", name, i);
	return 0;
}

/* Refuses a parent chain longer than the layers there are: it loops. */
static int check_layer_loops(const struct cs_graph *g, const char *name, struct cs_error *err)
{
	uint32_t n = g->layer_count;
	/* chains share tails: a layer known to reach a base need not be walked again */
	uint8_t *grounded = xcalloc(n ? n : 1, 1);
	int rc = 0;

	for (uint32_t i = 0; i < n && rc == 0; i++) {
		uint32_t at = i, steps = 0;
		while (at != CS_NONE && !grounded[at] && steps <= n) {
			at = g->layers[at].parent;
			steps++;
		}
		if (steps > n) {
			rc = cs_fail(err, "%s: layer %u: parents form a loop", name, i);
			break;
		}
		for (at = i; at != CS_NONE && !grounded[at]; at = g->layers[at].parent)
			grounded[at] = 1;
	}
	free(grounded);
	return rc;
}

int cacheconfig_read_layers(struct cs_graph *g, const char *name, json_t *layers,
			    struct cs_error *err)
{
	size_t n;

	if (absent(layers))
		return 0;
	if (!json_is_array(layers))
		return cs_fail(err, "%s: \"layers\" is not an array", name);
	n = json_array_size(layers);
	if (n >= CS_NONE)
		return cs_fail(err, "%s: too many layers", name);
	g->layers = xcalloc(n ? n : 1, sizeof(*g->layers));
	g->layer_count = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		json_t *l = json_array_get(layers, i);
		struct cs_layer *layer = &g->layers[i];
		json_int_t parent;
		layer->size = -1;
		layer->diff_id = CS_DIG_NONE;
		layer->media_type = layer->created_at = layer->description = CS_STR_NONE;
		if (!json_is_object(l))
			return cs_fail(err, "%s: layer %zu is not an object", name, i);
		if (digest_field(g, l, "blob", true, &layer->blob) < 0)
			return cs_fail(err, "%s: layer %zu: blob is not a sha256 digest", name, i);
		if (int_field(l, "parent", -1, (json_int_t)n - 1, &parent) < 0 || parent == (json_int_t)i)
			return cs_fail(err, "%s: layer %zu: parent out of range", name, i);
		layer->parent = parent < 0 ? CS_NONE : (uint32_t)parent;
		if (read_annotations(g, json_object_get(l, "annotations"), i, name, err) < 0)
			return -1;
	}
	return check_layer_loops(g, name, err);
}

struct record_view {
	cs_dig digest;
	json_t *inputs;
	json_t *results;
	json_t *chains;
	uint32_t node;
};

/*
 * The link of an input alternative check_inputs has checked; jansson reads
 * an absent or null one as 0, as Go does.
 */
static size_t link_of(json_t *alt)
{
	return (size_t)json_integer_value(json_object_get(alt, "link"));
}

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
			size_t link = link_of(json_array_get(alts, f->alt++));
			if (state[link] == 1)
				rc = cs_fail(err, "%s: record %zu: links loop back to record %zu", name,
					     f->record, link);
			else if (state[link] == 0) {
				state[link] = 1;
				XGROW(stack, cap, depth + 1);
				stack[depth++] = (struct frame){ link, 0, 0 };
			}
		}
	}
	free(stack);
	free(state);
	return rc;
}

static int check_inputs(struct cs_graph *g, struct record_view *view, size_t i, size_t n,
			const char *name, struct cs_error *err)
{
	for (size_t j = 0; j < json_array_size(view->inputs); j++) {
		json_t *alts = json_array_get(view->inputs, j);
		if (!absent(alts) && !json_is_array(alts))
			return cs_fail(err, "%s: record %zu: input %zu is not an array", name, i, j);
		if (json_array_size(alts) == 0)
			return cs_fail(err, "%s: record %zu: input %zu is empty", name, i, j);
		for (size_t k = 0; k < json_array_size(alts); k++) {
			json_t *in = json_array_get(alts, k);
			json_int_t link;
			cs_dig selector;
			if (!json_is_object(in))
				return cs_fail(err, "%s: record %zu: input %zu: not an object", name, i, j);
			if (int_field(in, "link", 0, (json_int_t)n - 1, &link) < 0)
				return cs_fail(err, "%s: record %zu: input %zu links out of range", name, i, j);
			if (digest_field(g, in, "selector", false, &selector) < 0)
				return cs_fail(err, "%s: record %zu: input %zu: bad selector", name, i, j);
		}
	}
	return 0;
}

static int check_record(struct cs_graph *g, json_t *rec, size_t i, size_t n,
			struct record_view *view, const char *name, struct cs_error *err)
{
	if (!json_is_object(rec))
		return cs_fail(err, "%s: record %zu is not an object", name, i);
	if (digest_field(g, rec, "digest", true, &view->digest) < 0)
		return cs_fail(err, "%s: record %zu has no sha256 digest", name, i);
	if (array_field(rec, "inputs", &view->inputs) < 0)
		return cs_fail(err, "%s: record %zu: \"inputs\" is not an array", name, i);
	if (array_field(rec, "layers", &view->results) < 0 || array_field(rec, "chains", &view->chains) < 0)
		return cs_fail(err, "%s: record %zu: \"layers\" and \"chains\" must be arrays", name, i);
	return check_inputs(g, view, i, n, name, err);
}

/* g->layers grows when a chained result needs its own copies (see add_chain). */
struct layer_room {
	size_t cap;
};

static uint32_t copy_layer(struct cs_graph *g, struct layer_room *room, uint32_t from, uint32_t parent)
{
	XGROW(g->layers, room->cap, (size_t)g->layer_count + 1);
	g->layers[g->layer_count] = g->layers[from];
	g->layers[g->layer_count].parent = parent;
	return g->layer_count++;
}

/*
 * A chained result lists its layers bottom to top. Inline caches write one
 * when a result's layers are not in the image's order, so the list need
 * not follow the layers' parents; then the result gets copies of its
 * layers linked in its own order, and its top layer's chain is the result.
 */
static int add_chain(struct cs_graph *g, struct layer_room *room, json_t *indexes, uint32_t *top)
{
	size_t n = json_array_size(indexes), configured = g->layer_count;
	bool is_path = true;

	*top = CS_NONE;
	if (!absent(indexes) && !json_is_array(indexes))
		return -1;
	for (size_t k = 0; k < n; k++) {
		json_t *v = json_array_get(indexes, k);
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) >= (json_int_t)configured)
			return -1;
		uint32_t at = (uint32_t)json_integer_value(v);
		if (g->layers[at].parent != (k ? *top : CS_NONE))
			is_path = false;
		*top = at;
	}
	if (is_path)
		return 0;
	if ((size_t)g->layer_count + n >= CS_NONE)
		return -1;
	*top = CS_NONE;
	for (size_t k = 0; k < n; k++)
		*top = copy_layer(g, room, (uint32_t)json_integer_value(json_array_get(indexes, k)), *top);
	return 0;
}

static int add_results(struct cs_graph *g, struct cs_builder *b, struct layer_room *room,
		       const struct record_view *view, size_t i, const char *name, struct cs_error *err)
{
	uint32_t configured = g->layer_count, created;

	for (size_t k = 0; k < json_array_size(view->results); k++) {
		json_t *res = json_array_get(view->results, k);
		json_int_t layer;
		if (!json_is_object(res) || int_field(res, "layer", 0, (json_int_t)configured - 1, &layer) < 0 ||
		    configured == 0)
			return cs_fail(err, "%s: record %zu: result layer out of range", name, i);
		if (string_field(g, res, "createdAt", &created) < 0)
			return cs_fail(err, "%s: record %zu: result createdAt is not a string", name, i);
		builder_result(b, view->node, CS_STR_NONE, created, (uint32_t)layer);
	}
	for (size_t k = 0; k < json_array_size(view->chains); k++) {
		json_t *chain = json_array_get(view->chains, k);
		uint32_t top;
		if (!json_is_object(chain) || add_chain(g, room, json_object_get(chain, "layers"), &top) < 0)
			return cs_fail(err, "%s: record %zu: chained result layer out of range", name, i);
		if (string_field(g, chain, "createdAt", &created) < 0)
			return cs_fail(err, "%s: record %zu: result createdAt is not a string", name, i);
		builder_result(b, view->node, CS_STR_NONE, created, top);
	}
	return 0;
}

/* Roots are named by digest, as the daemon names them; the rest by index. */
static void name_node(struct cs_graph *g, struct cs_builder *b, struct record_view *view, size_t i)
{
	char key[CS_DIGEST_STRLEN + 1];

	if (json_array_size(view->inputs) == 0) {
		digest_format(digests_at(&g->digests, view->digest), key);
		view->node = builder_node(b, key, CS_DIGEST_STRLEN);
		builder_root(b, view->node, view->digest, false);
	} else {
		/* the daemon's IDs here are hashes; the index orders ties the same every run */
		int len = snprintf(key, sizeof(key), "x%010zu", i);
		view->node = builder_node(b, key, (size_t)len);
	}
}

/* Links go in record order: per parent, that is the order the daemon walks them. */
static void add_links(struct cs_graph *g, struct cs_builder *b, const struct record_view *view, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < json_array_size(view[i].inputs); j++) {
			json_t *alts = json_array_get(view[i].inputs, j);
			for (size_t k = 0; k < json_array_size(alts); k++) {
				json_t *in = json_array_get(alts, k);
				cs_dig selector;
				digest_field(g, in, "selector", false, &selector);
				builder_link(b, view[link_of(in)].node, view[i].node, (uint32_t)j, 0,
					     view[i].digest, selector);
			}
		}
	}
}

int cacheconfig_read_records(struct cs_graph *g, const char *name, json_t *records,
			     struct cs_error *err)
{
	size_t n = json_array_size(records);
	struct layer_room room = { g->layer_count };
	struct record_view *view;
	struct cs_builder *b;
	int rc = -1;

	if (!absent(records) && !json_is_array(records))
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
		name_node(g, b, &view[i], i);
		if (add_results(g, b, &room, &view[i], i, name, err) < 0)
			goto out;
	}
	add_links(g, b, view, n);
	rc = builder_finish(b, err) < 0 ? cs_fail_context(err, "%s", name) : 0;
out:
	builder_free(b);
	free(view);
	return rc;
}

int cacheconfig_read_object(struct cs_graph *g, const char *name, json_t *root,
			    struct cs_error *err)
{
	double start = cs_now();
	int rc;

	if (!g->kind)
		g->kind = "cache config";
	if (!json_is_object(root))
		return cs_fail(err, "%s: not a cache config (expected a JSON object)", name);
	if (json_object_get(root, "schemaVersion") || json_object_get(root, "manifests"))
		return cs_fail(err, "%s: an OCI index or manifest, not a cache config: give its layout directory",
			       name);
	if (!json_object_get(root, "records") && !json_object_get(root, "layers"))
		return cs_fail(err, "%s: not a cache config (no \"records\")", name);
	rc = cacheconfig_read_layers(g, name, json_object_get(root, "layers"), err);
	if (rc == 0)
		rc = cacheconfig_read_records(g, name, json_object_get(root, "records"), err);
	if (rc == 0)
		graph_phase(g, "build records", start);
	return rc;
}

int read_cacheconfig(struct cs_graph *g, const char *name, struct cs_bytes json,
		     struct cs_error *err)
{
	double start = cs_now();
	json_t *root = cacheconfig_parse_json(name, json.ptr, json.len, err);
	int rc;

	if (!g->kind)
		g->kind = "cache config";
	if (!root)
		return -1;
	graph_phase(g, "parse cache config", start);
	rc = cacheconfig_read_object(g, name, root, err);
	json_decref(root);
	return rc;
}
