/*
 * What exactly differs between a root cause and its counterpart, field by
 * field: the op's decoded JSON (a file op's actions included), the paths a
 * selector picks, the inputs, the checksums of the files a content key
 * sums, the identifier or decoded JSON of a source.
 */
#include "buf.h"
#include "describe.h"
#include "diff_private.h"
#include "op_json.h"
#include "plaintext.h"
#include "results.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CHANGES 200
#define MAX_JSON_DEPTH 32 /* deeper values are compared whole */
#define MAX_DISTANCE 1000

void diff_changes_free(struct diff_cause *c)
{
	for (size_t i = 0; i < c->change_count; i++) {
		free(c->changes[i].path);
		free(c->changes[i].old_value);
		free(c->changes[i].new_value);
	}
	free(c->changes);
	c->changes = NULL;
	c->change_count = 0;
}

static bool same_text(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}

static void add_change(struct diff_cause *c, const char *path, const char *old_value, const char *new_value)
{
	/* two keys of one source can tell the same difference */
	for (size_t i = 0; i < c->change_count; i++)
		if (strcmp(c->changes[i].path, path) == 0 && same_text(c->changes[i].old_value, old_value) &&
		    same_text(c->changes[i].new_value, new_value))
			return;
	if (c->change_count == MAX_CHANGES) {
		c->changes_truncated = true;
		return;
	}
	c->changes = xreallocarray(c->changes, c->change_count + 1, sizeof(*c->changes));
	struct diff_change *ch = &c->changes[c->change_count++];
	ch->path = xstrdup(path);
	ch->old_value = old_value ? xstrdup(old_value) : NULL;
	ch->new_value = new_value ? xstrdup(new_value) : NULL;
}

/* ---- JSON, field by field ---- */

/* Where the differences of a JSON comparison go: a cause's changes, or only a count. */
struct json_sink {
	struct diff_cause *cause; /* NULL: count only */
	size_t count;
};

static char *json_text(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	return s ? s : xstrdup("null");
}

static void sink_change(struct json_sink *s, const char *path, const json_t *old_v, const json_t *new_v)
{
	s->count++;
	if (!s->cause)
		return;
	char *o = old_v ? json_text(old_v) : NULL, *n = new_v ? json_text(new_v) : NULL;
	add_change(s->cause, path, o, n);
	free(o);
	free(n);
}

/* "Exec.meta.args[2]": objects by key, arrays by index, bounded in depth (the recursion too). */
static void diff_json(struct json_sink *s, const char *path, json_t *old_v, json_t *new_v, int depth)
{
	char sub[512];

	if (s->count >= MAX_DISTANCE || json_equal(old_v, new_v))
		return;
	if (depth < MAX_JSON_DEPTH && json_is_object(old_v) && json_is_object(new_v)) {
		const char *key;
		json_t *value;
		json_object_foreach(old_v, key, value) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			json_t *other = json_object_get(new_v, key);
			if (other)
				diff_json(s, sub, value, other, depth + 1);
			else
				sink_change(s, sub, value, NULL);
		}
		json_object_foreach(new_v, key, value) {
			if (json_object_get(old_v, key))
				continue;
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			sink_change(s, sub, NULL, value);
		}
		return;
	}
	if (depth < MAX_JSON_DEPTH && json_is_array(old_v) && json_is_array(new_v)) {
		size_t old_n = json_array_size(old_v), new_n = json_array_size(new_v);
		for (size_t i = 0; i < (old_n > new_n ? old_n : new_n) && s->count < MAX_DISTANCE; i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			json_t *o = json_array_get(old_v, i), *n = json_array_get(new_v, i);
			if (o && n)
				diff_json(s, sub, o, n, depth + 1);
			else
				sink_change(s, sub, o, n);
		}
		return;
	}
	sink_change(s, path, old_v, new_v);
}

size_t diff_json_distance(json_t *old_v, json_t *new_v)
{
	struct json_sink s = { NULL, 0 };

	diff_json(&s, "", old_v, new_v, 0);
	return s.count;
}

int diff_op_json(const struct cs_graph *g, cs_node_id n, json_t **out, struct cs_error *err)
{
	struct cs_plain *p;
	int rc;

	*out = NULL;
	if (!graph_parent_count(g, n))
		return 0;
	/* the link digest's plaintext "sha256:<op>@<output>" has the op's JSON as a sub-record */
	rc = plain_resolve(g, node_op(g, n), &p, err);
	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < p->sub_count && !*out; i++)
		if (cs_bytes_eq(p->subs[i]->type, "json"))
			*out = op_json_load(p->subs[i]);
	plain_free(p);
	return *out != NULL;
}

static void digest_change(struct diff_cause *c, const char *what, const struct cs_digest *old_d,
			  const struct cs_digest *new_d)
{
	char o[CS_DIGEST_STRLEN + 1], n[CS_DIGEST_STRLEN + 1];

	digest_format(old_d, o);
	digest_format(new_d, n);
	add_change(c, what, o, n);
}

/* ---- selectors and inputs ---- */

/* The decoded text of a selector: its paths joined by ", ". */
static int selector_text(const struct cs_graph *g, cs_dig dg, char **out, struct cs_error *err)
{
	struct cs_plain *p;
	size_t len;

	if (dg == CS_DIG_NONE) {
		*out = xstrdup("(whole input)");
		return 0;
	}
	int rc = plain_resolve(g, graph_digest(g, dg), &p, err);
	if (rc <= 0) {
		char text[CS_DIGEST_STRLEN + 1];
		digest_format(graph_digest(g, dg), text);
		*out = xstrdup(text);
		return rc;
	}
	unsigned char *data = plain_data(p, &len);
	struct cs_buf text = CS_BUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\0')
			buf_adds(&text, ", ");
		else
			buf_addc(&text, (char)data[i]);
	}
	free(data);
	plain_free(p);
	*out = buf_detach(&text, NULL);
	return 0;
}

/* Each parent of B's BN whose place in A reaches AN, but with no link selecting as BN's: "input 1 selector". */
static int explain_selectors(const struct cs_diff *d, struct diff_cause *c, cs_node_id an, cs_node_id bn,
			     struct cs_error *err)
{
	const struct cs_graph *a = d->a, *b = d->b;
	struct parent_index index;
	int rc = 0;

	parent_index_build(a, an, &index);
	for (uint32_t k = 0; k < graph_parent_count(b, bn) && rc == 0 && !c->changes_truncated; k++) {
		const struct cs_link *bl = graph_parent(b, bn, k);
		cs_node_id pa = diff_other(d, true, bl->parent);
		uint32_t lo, hi;
		bool same = false;
		if (pa == CS_NONE)
			continue;
		parent_index_find(&index, pa, bl->input, &lo, &hi);
		for (uint32_t q = lo; q < hi && !same; q++) {
			const struct cs_digest *as = graph_digest(a, index.items[q].link->selector);
			const struct cs_digest *bs = graph_digest(b, bl->selector);
			same = !as == !bs && (!as || digest_eq(as, bs));
		}
		if (lo == hi || same)
			continue;
		char *o = NULL, *n = NULL, path[64];
		rc = selector_text(a, index.items[lo].link->selector, &o, err);
		if (rc >= 0)
			rc = selector_text(b, bl->selector, &n, err);
		snprintf(path, sizeof(path), "input %u selector", bl->input);
		if (rc >= 0)
			add_change(c, path, o, n);
		free(o);
		free(n);
		rc = rc < 0 ? -1 : 0;
	}
	parent_index_free(&index);
	return rc;
}

#define MAX_INPUT_NAMES 8 /* parents named per input; then how many more */

/* The end of the run of N's parents on the input of parent K (parents run by input). */
static uint32_t input_end(const struct cs_graph *g, cs_node_id n, uint32_t k)
{
	uint32_t count = graph_parent_count(g, n), input = k < count ? graph_parent(g, n, k)->input : 0;

	while (k < count && graph_parent(g, n, k)->input == input)
		k++;
	return k;
}

/* "A #3 (exec): /bin/sh -c 'make'": N's parents [FROM, TO) (one input's), for an input's change; NULL if none. */
static int input_text(const struct cs_graph *g, char side, cs_node_id n, uint32_t from, uint32_t to, char **out,
		      struct cs_error *err)
{
	struct cs_buf text = CS_BUF_INIT;

	*out = NULL;
	for (uint32_t k = from; k < to && k - from < MAX_INPUT_NAMES; k++) {
		const struct cs_link *l = graph_parent(g, n, k);
		struct cs_description desc;
		if (describe_node(g, l->parent, &desc, err) < 0) {
			buf_free(&text);
			return -1;
		}
		buf_printf(&text, "%s%c #%u (%s)", k > from ? ", " : "", side, l->parent + 1, kind_name(desc.kind));
		if (desc.summary) {
			buf_adds(&text, ": ");
			buf_add(&text, desc.summary, desc.summary_len);
		}
		description_free(&desc);
	}
	if (to - from > MAX_INPUT_NAMES)
		buf_printf(&text, " and %u more", to - from - MAX_INPUT_NAMES);
	if (text.len)
		*out = buf_detach(&text, NULL);
	buf_free(&text);
	return 0;
}

/* Does one of B's BN parents [FROM, TO) stand in A as a parent of AN (INDEX: AN's parents) on the same input? */
static bool input_corresponds(const struct cs_diff *d, const struct parent_index *index, cs_node_id bn,
			      uint32_t from, uint32_t to)
{
	for (uint32_t k = from; k < to; k++) {
		const struct cs_link *bl = graph_parent(d->b, bn, k);
		cs_node_id pa = diff_other(d, true, bl->parent);
		uint32_t lo, hi;
		if (pa == CS_NONE)
			continue;
		parent_index_find(index, pa, bl->input, &lo, &hi);
		if (lo < hi)
			return true;
	}
	return false;
}

/*
 * Inputs only on one side, or fed by nodes that do not correspond: "input
 * 1". Both parent lists run by input: walked together, one run of each
 * input at a time (input numbers come from the cache: never count to them).
 */
static int explain_inputs(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	const struct cs_graph *a = d->a, *b = d->b;
	uint32_t ai = 0, bi = 0, ac = graph_parent_count(a, c->a_node), bc = graph_parent_count(b, c->b_node);
	struct parent_index index;
	int rc = 0;

	parent_index_build(a, c->a_node, &index);
	while (rc == 0 && (ai < ac || bi < bc) && !c->changes_truncated) {
		uint64_t in_a = ai < ac ? graph_parent(a, c->a_node, ai)->input : UINT64_MAX;
		uint64_t in_b = bi < bc ? graph_parent(b, c->b_node, bi)->input : UINT64_MAX;
		uint32_t input = (uint32_t)(in_a < in_b ? in_a : in_b);
		uint32_t a_end = in_a == input ? input_end(a, c->a_node, ai) : ai;
		uint32_t b_end = in_b == input ? input_end(b, c->b_node, bi) : bi;
		char *o = NULL, *n = NULL, path[32];
		rc = input_text(a, 'A', c->a_node, ai, a_end, &o, err);
		if (rc == 0)
			rc = input_text(b, 'B', c->b_node, bi, b_end, &n, err);
		snprintf(path, sizeof(path), "input %u", input);
		if (rc == 0 && !(o && n && input_corresponds(d, &index, c->b_node, bi, b_end)))
			add_change(c, path, o, n);
		free(o);
		free(n);
		ai = a_end;
		bi = b_end;
	}
	parent_index_free(&index);
	return rc;
}

/* A result's own words for what made it (its record's description), or NULL. */
static int result_description(const struct cs_graph *g, cs_node_id n, char **out, struct cs_error *err)
{
	struct cs_result_list results;
	int rc;

	*out = NULL;
	result_list_init(&results);
	results.skip_totals = true;
	rc = graph_node_results(g, n, &results, err);
	for (size_t i = 0; rc == 0 && i < results.count && !*out; i++) {
		const char *text = result_text(&results, results.items[i].description);
		if (text)
			*out = xstrdup(text);
	}
	result_list_free(&results);
	return rc;
}

/* Without plaintexts the op's fields are unknown; what each result says it was made by is not. */
static int describe_change(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	char *old_text, *new_text = NULL;
	int rc = result_description(d->a, c->a_node, &old_text, err);

	if (rc == 0)
		rc = result_description(d->b, c->b_node, &new_text, err);
	if (rc == 0 && (old_text || new_text))
		add_change(c, "description", old_text, new_text);
	free(old_text);
	free(new_text);
	return rc;
}

static int explain_op(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	json_t *old_op, *new_op = NULL;
	int rc_a = diff_op_json(d->a, c->a_node, &old_op, err), rc_b = 0;

	if (rc_a >= 0)
		rc_b = diff_op_json(d->b, c->b_node, &new_op, err);
	if (rc_a > 0 && rc_b > 0) {
		struct json_sink s = { c, 0 };
		diff_json(&s, "", old_op, new_op, 0);
	} else if (rc_a >= 0 && rc_b >= 0) {
		digest_change(c, "link digest (no plaintext kept)", node_op(d->a, c->a_node), node_op(d->b, c->b_node));
		if (describe_change(d, c, err) < 0)
			rc_a = -1;
	}
	json_decref(old_op);
	json_decref(new_op);
	if (rc_a < 0 || rc_b < 0)
		return -1;
	return explain_selectors(d, c, c->a_node, c->b_node, err);
}

/* ---- content checksums ---- */

/* path -> checksum of the files a content key sums */
struct file_sum {
	char *path;
	char *sum;
};

struct file_sums {
	struct file_sum *items;
	size_t count;
};

static void add_sum(struct file_sums *s, const char *path, size_t path_len, const char *sum, size_t sum_len)
{
	s->items = xreallocarray(s->items, s->count + 1, sizeof(*s->items));
	/* a file-list names paths from the root without its "/": show them as describe does */
	bool slash = path_len == 0 || path[0] != '/';
	char *p = xmalloc(path_len + 2);
	p[0] = '/';
	memcpy(p + slash, path, path_len);
	p[path_len + slash] = '\0';
	s->items[s->count].path = p;
	s->items[s->count].sum = xstrndup(sum, sum_len);
	s->count++;
}

static void free_sums(struct file_sums *s)
{
	for (size_t i = 0; i < s->count; i++) {
		free(s->items[i].path);
		free(s->items[i].sum);
	}
	free(s->items);
}

/*
 * The files of a content root: a file-list names path and checksum; a
 * lone file record's name is empty, so it gets FALLBACK (the paths the
 * copy selects).
 */
static int content_files(const struct cs_graph *g, cs_node_id root, const char *fallback,
			 struct file_sums *out, struct cs_error *err)
{
	struct cs_plain *p;
	int rc = plain_resolve(g, graph_digest(g, g->nodes[root].digest), &p, err);

	if (rc <= 0)
		return rc;
	const struct cs_plain *list = p->sub_count ? p->subs[0] : NULL;
	for (size_t i = 0; list && i < list->sub_count; i++) {
		const struct cs_plain *entry = list->subs[i];
		char sum[CS_DIGEST_STRLEN + 1];
		if (cs_bytes_eq(entry->type, "file-list")) {
			for (size_t f = 0; f + 1 < entry->frame_count; f += 2)
				add_sum(out, (const char *)entry->frames[f].data, entry->frames[f].len,
					(const char *)entry->frames[f + 1].data, entry->frames[f + 1].len);
			continue;
		}
		digest_format(&entry->digest, sum);
		const struct cs_frame *name = entry->frame_count ? &entry->frames[0] : NULL;
		if (name && name->id == CS_FRAME_DATA && name->len > 4 && memcmp(name->data, "name", 4) == 0)
			add_sum(out, (const char *)name->data + 4, name->len - 4, sum, CS_DIGEST_STRLEN);
		else
			add_sum(out, fallback, strlen(fallback), sum, CS_DIGEST_STRLEN);
	}
	plain_free(p);
	return 1;
}

/* The paths the copy next to ROOT selects, as the content's fallback name. */
static int selected_paths(const struct cs_graph *g, cs_node_id root, char **out, struct cs_error *err)
{
	for (uint32_t k = 0; k < graph_child_count(g, root); k++) {
		const struct cs_link *l = graph_child(g, root, k);
		for (uint32_t q = 0; q < graph_parent_count(g, l->child); q++) {
			const struct cs_link *sib = graph_parent(g, l->child, q);
			if (sib->input == l->input && sib->selector != CS_DIG_NONE)
				return selector_text(g, sib->selector, out, err);
		}
	}
	*out = xstrdup("(selected files)");
	return 0;
}

static const char *sum_of(const struct file_sums *s, const char *path)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->items[i].path, path) == 0)
			return s->items[i].sum;
	return NULL;
}

static int explain_content(const struct cs_diff *d, struct diff_cause *c, cs_node_id an, cs_node_id bn,
			   struct cs_error *err)
{
	struct file_sums old_sums = { 0 }, new_sums = { 0 };
	char *old_fallback = NULL, *new_fallback = NULL;
	int rc = selected_paths(d->a, an, &old_fallback, err);
	size_t before = c->change_count;

	if (rc >= 0)
		rc = selected_paths(d->b, bn, &new_fallback, err);
	if (rc >= 0)
		rc = content_files(d->a, an, old_fallback, &old_sums, err);
	if (rc >= 0)
		rc = content_files(d->b, bn, new_fallback, &new_sums, err);
	/* sums are few: a changed COPY names a handful of files */
	for (size_t i = 0; rc >= 0 && i < new_sums.count; i++) {
		const char *old_sum = sum_of(&old_sums, new_sums.items[i].path);
		if (!old_sum || strcmp(old_sum, new_sums.items[i].sum) != 0)
			add_change(c, new_sums.items[i].path, old_sum, new_sums.items[i].sum);
	}
	for (size_t k = 0; rc >= 0 && k < old_sums.count; k++)
		if (!sum_of(&new_sums, old_sums.items[k].path))
			add_change(c, old_sums.items[k].path, old_sums.items[k].sum, NULL);
	if (rc >= 0 && c->change_count == before)
		digest_change(c, "content checksum", graph_digest(d->a, d->a->nodes[an].digest),
			      graph_digest(d->b, d->b->nodes[bn].digest));
	free_sums(&old_sums);
	free_sums(&new_sums);
	free(old_fallback);
	free(new_fallback);
	return rc < 0 ? -1 : 0;
}

/* ---- sources ---- */

struct source_text {
	char *id;     /* "buildkit.source.v0:<identifier>", or NULL */
	json_t *json; /* the JSON the identifier hashes (an image's config or manifest), or NULL */
};

static int source_text(const struct cs_graph *g, cs_node_id root, struct source_text *out, struct cs_error *err)
{
	struct cs_plain *p;
	size_t len;

	memset(out, 0, sizeof(*out));
	int rc = plain_resolve(g, graph_digest(g, g->nodes[root].digest), &p, err);
	if (rc <= 0)
		return rc;
	/* a rootKey "sha256:<source>@<output>" leads to the source's string */
	const struct cs_plain *source = p->sub_count ? p->subs[0] : p;
	unsigned char *data = plain_data(source, &len);
	out->id = xstrndup((const char *)data, len);
	free(data);
	for (size_t i = 0; i < source->sub_count && !out->json; i++)
		if (cs_bytes_eq(source->subs[i]->type, "json"))
			out->json = op_json_load(source->subs[i]);
	plain_free(p);
	return 1;
}

static void source_text_free(struct source_text *s)
{
	free(s->id);
	json_decref(s->json);
}

int diff_source_json(const struct cs_graph *g, cs_node_id root, json_t **out, struct cs_error *err)
{
	struct source_text s;
	int rc = source_text(g, root, &s, err);

	*out = s.json;
	s.json = NULL;
	source_text_free(&s);
	return rc < 0 ? -1 : *out != NULL;
}

static int explain_source(const struct cs_diff *d, struct diff_cause *c, cs_node_id an, cs_node_id bn,
			  struct cs_error *err)
{
	struct source_text old_s, new_s = { NULL, NULL };
	int rc = source_text(d->a, an, &old_s, err);

	if (rc >= 0)
		rc = source_text(d->b, bn, &new_s, err);
	if (old_s.json && new_s.json) {
		/* an image's reference and digests, as fields: "ref", "Digest", "rootfs.diff_ids[0]" */
		struct json_sink s = { c, 0 };
		diff_json(&s, "", old_s.json, new_s.json, 0);
	} else if (old_s.id && new_s.id) {
		add_change(c, "source", old_s.id, new_s.id);
	} else if (rc >= 0) {
		digest_change(c, "source digest", graph_digest(d->a, d->a->nodes[an].digest),
			      graph_digest(d->b, d->b->nodes[bn].digest));
	}
	source_text_free(&old_s);
	source_text_free(&new_s);
	return rc < 0 ? -1 : 0;
}

/* A root cause and its counterpart, then each other key of the same source. */
static int explain_roots(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	for (size_t i = 0; i <= c->also_count; i++) {
		cs_node_id an = i ? c->also_a[i - 1] : c->a_node, bn = i ? c->also_b[i - 1] : c->b_node;
		int rc = 0;
		if (an == CS_NONE)
			continue;
		if (c->kind == CAUSE_CONTENT_CHANGED)
			rc = explain_content(d, c, an, bn, err);
		else
			rc = explain_source(d, c, an, bn, err);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int diff_explain(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	if (c->a_node == CS_NONE)
		return 0;
	switch (c->kind) {
	case CAUSE_OP_CHANGED:
		return explain_op(d, c, err);
	case CAUSE_SELECTOR_CHANGED:
		return explain_selectors(d, c, c->a_node, c->b_node, err);
	case CAUSE_INPUT_CHANGED:
		return explain_inputs(d, c, err);
	case CAUSE_CONTENT_CHANGED:
	case CAUSE_IMAGE_CHANGED:
	case CAUSE_SOURCE_CHANGED:
		return explain_roots(d, c, err);
	case CAUSE_NEW:
		break;
	}
	return 0;
}
