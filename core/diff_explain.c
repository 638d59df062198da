/*
 * What exactly differs between a root cause and its counterpart, field by
 * field: the op's decoded JSON (a file op's actions included), the paths a
 * selector picks, the checksums of the files a content key sums, the
 * identifier of a source.
 */
#include "buf.h"
#include "diff.h"
#include "op_json.h"
#include "plaintext.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHANGES 200
#define MAX_JSON_DEPTH 32

static void add_change(struct diff_cause *c, const char *path, const char *old_value, const char *new_value)
{
	if (c->change_count == MAX_CHANGES)
		return;
	c->changes = xreallocarray(c->changes, c->change_count + 1, sizeof(*c->changes));
	struct diff_change *ch = &c->changes[c->change_count++];
	ch->path = xstrdup(path);
	ch->old_value = old_value ? xstrdup(old_value) : NULL;
	ch->new_value = new_value ? xstrdup(new_value) : NULL;
}

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

static char *json_text(const json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	return s ? s : xstrdup("null");
}

static void change_values(struct diff_cause *c, const char *path, const json_t *old_v, const json_t *new_v)
{
	char *o = old_v ? json_text(old_v) : NULL, *n = new_v ? json_text(new_v) : NULL;

	add_change(c, path, o, n);
	free(o);
	free(n);
}

static void diff_json(struct diff_cause *c, const char *path, json_t *old_v, json_t *new_v, int depth)
{
	char sub[512];

	if (json_equal(old_v, new_v))
		return;
	if (depth < MAX_JSON_DEPTH && json_is_object(old_v) && json_is_object(new_v)) {
		const char *key;
		json_t *value;
		json_object_foreach(old_v, key, value) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			diff_json(c, sub, value, json_object_get(new_v, key), depth + 1);
		}
		json_object_foreach(new_v, key, value) {
			if (json_object_get(old_v, key))
				continue;
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			change_values(c, sub, NULL, value);
		}
		return;
	}
	if (depth < MAX_JSON_DEPTH && json_is_array(old_v) && json_is_array(new_v)) {
		size_t n = json_array_size(old_v) > json_array_size(new_v) ? json_array_size(old_v)
									  : json_array_size(new_v);
		for (size_t i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			json_t *o = json_array_get(old_v, i), *nv = json_array_get(new_v, i);
			if (o && nv)
				diff_json(c, sub, o, nv, depth + 1);
			else
				change_values(c, sub, o, nv);
		}
		return;
	}
	change_values(c, path, old_v, new_v);
}

/* The op JSON behind a node's link digest ("sha256:<op>@<output>" -> the op). */
static json_t *op_of(const struct cs_graph *g, cs_node_id n, struct cs_error *err, int *rc)
{
	struct cs_plain *p;
	json_t *j = NULL;

	*rc = plain_resolve(g, graph_digest(g, graph_parent(g, n, 0)->digest), &p, err);
	if (*rc <= 0)
		return NULL;
	for (size_t i = 0; i < p->sub_count && !j; i++)
		if (cs_bytes_eq(p->subs[i]->type, "json"))
			j = op_json_load(p->subs[i]);
	plain_free(p);
	return j;
}

static void digest_change(struct diff_cause *c, const char *what, const struct cs_digest *old_d,
			  const struct cs_digest *new_d)
{
	char o[CS_DIGEST_STRLEN + 1], n[CS_DIGEST_STRLEN + 1];

	digest_format(old_d, o);
	digest_format(new_d, n);
	add_change(c, what, o, n);
}

static int explain_op(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	int rc_a, rc_b = 0;
	json_t *old_op = op_of(d->a, c->a_node, err, &rc_a), *new_op = NULL;

	if (rc_a >= 0)
		new_op = op_of(d->b, c->b_node, err, &rc_b);
	if (rc_a < 0 || rc_b < 0) {
		json_decref(old_op);
		return -1;
	}
	if (old_op && new_op)
		diff_json(c, "", old_op, new_op, 0);
	else
		digest_change(c, "link digest (no plaintext kept)", graph_digest(d->a, graph_parent(d->a, c->a_node, 0)->digest),
			      graph_digest(d->b, graph_parent(d->b, c->b_node, 0)->digest));
	json_decref(old_op);
	json_decref(new_op);
	return 0;
}

/* The decoded text of a digest's plaintext (NUL-separated lists joined by ", "). */
static char *plain_text(const struct cs_graph *g, cs_dig dg, struct cs_error *err, int *rc)
{
	struct cs_plain *p;
	size_t len;

	*rc = 0;
	if (dg == CS_DIG_NONE)
		return xstrdup("(whole input)");
	*rc = plain_resolve(g, graph_digest(g, dg), &p, err);
	if (*rc <= 0) {
		char text[CS_DIGEST_STRLEN + 1];
		digest_format(graph_digest(g, dg), text);
		return xstrdup(text);
	}
	unsigned char *data = plain_data(p, &len);
	struct cs_buf out = CS_BUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\0')
			buf_adds(&out, ", ");
		else
			buf_addc(&out, (char)data[i]);
	}
	free(data);
	plain_free(p);
	return buf_detach(&out, NULL);
}

static int explain_selector(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	const struct cs_graph *a = d->a, *b = d->b;
	int rc_a, rc_b;

	/* the first input whose selectors differ */
	for (uint32_t k = 0; k < graph_parent_count(b, c->b_node); k++) {
		const struct cs_link *bl = graph_parent(b, c->b_node, k);
		for (uint32_t q = 0; q < graph_parent_count(a, c->a_node); q++) {
			const struct cs_link *al = graph_parent(a, c->a_node, q);
			if (al->input != bl->input || d->a_to_b[al->parent] != bl->parent)
				continue;
			const struct cs_digest *as = graph_digest(a, al->selector), *bs = graph_digest(b, bl->selector);
			if ((as == NULL) == (bs == NULL) && (!as || digest_eq(as, bs)))
				continue;
			char *o = plain_text(a, al->selector, err, &rc_a);
			char *n = plain_text(b, bl->selector, err, &rc_b);
			char path[64];
			snprintf(path, sizeof(path), "input %u selector", bl->input);
			add_change(c, path, o, n);
			free(o);
			free(n);
			if (rc_a < 0 || rc_b < 0)
				return -1;
			return 0;
		}
	}
	return 0;
}

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
	s->items[s->count].path = xstrndup(path, path_len);
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
static char *selected_paths(const struct cs_graph *g, cs_node_id root, struct cs_error *err)
{
	for (uint32_t k = 0; k < graph_child_count(g, root); k++) {
		const struct cs_link *l = graph_child(g, root, k);
		for (uint32_t q = 0; q < graph_parent_count(g, l->child); q++) {
			const struct cs_link *sib = graph_parent(g, l->child, q);
			int rc;
			if (sib->input == l->input && sib->selector != CS_DIG_NONE)
				return plain_text(g, sib->selector, err, &rc);
		}
	}
	return xstrdup("(selected files)");
}

static int explain_content(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	struct file_sums old_sums = { 0 }, new_sums = { 0 };
	char *old_fallback = selected_paths(d->a, c->a_node, err);
	char *new_fallback = selected_paths(d->b, c->b_node, err);
	int rc = content_files(d->a, c->a_node, old_fallback, &old_sums, err);

	if (rc >= 0)
		rc = content_files(d->b, c->b_node, new_fallback, &new_sums, err);
	for (size_t i = 0; rc >= 0 && i < new_sums.count; i++) {
		const char *old_sum = NULL;
		for (size_t k = 0; k < old_sums.count; k++)
			if (strcmp(old_sums.items[k].path, new_sums.items[i].path) == 0)
				old_sum = old_sums.items[k].sum;
		if (!old_sum || strcmp(old_sum, new_sums.items[i].sum) != 0)
			add_change(c, new_sums.items[i].path, old_sum, new_sums.items[i].sum);
	}
	for (size_t k = 0; rc >= 0 && k < old_sums.count; k++) {
		bool kept = false;
		for (size_t i = 0; i < new_sums.count && !kept; i++)
			kept = strcmp(old_sums.items[k].path, new_sums.items[i].path) == 0;
		if (!kept)
			add_change(c, old_sums.items[k].path, old_sums.items[k].sum, NULL);
	}
	if (rc >= 0 && c->change_count == 0)
		digest_change(c, "content checksum", graph_digest(d->a, d->a->nodes[c->a_node].digest),
			      graph_digest(d->b, d->b->nodes[c->b_node].digest));
	free_sums(&old_sums);
	free_sums(&new_sums);
	free(old_fallback);
	free(new_fallback);
	return rc < 0 ? -1 : 0;
}

/* "buildkit.source.v0:<identifier>" under a source root, and an image's "ref" when kept. */
static char *source_identifier(const struct cs_graph *g, cs_node_id root, char **ref, struct cs_error *err,
			       int *rc)
{
	struct cs_plain *p;
	char *id = NULL;

	*ref = NULL;
	*rc = plain_resolve(g, graph_digest(g, g->nodes[root].digest), &p, err);
	if (*rc <= 0)
		return NULL;
	const struct cs_plain *source = p->sub_count ? p->subs[0] : p;
	size_t len;
	unsigned char *data = plain_data(source, &len);
	id = xstrndup((const char *)data, len);
	free(data);
	for (size_t i = 0; i < source->sub_count && !*ref; i++) {
		json_t *j = op_json_load(source->subs[i]);
		const char *r = json_string_value(json_object_get(j, "ref"));
		if (r)
			*ref = xstrdup(r);
		json_decref(j);
	}
	plain_free(p);
	return id;
}

static int explain_source(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	int rc_a, rc_b = 0;
	char *old_ref = NULL, *new_ref = NULL, *new_id = NULL;
	char *old_id = source_identifier(d->a, c->a_node, &old_ref, err, &rc_a);

	if (rc_a >= 0)
		new_id = source_identifier(d->b, c->b_node, &new_ref, err, &rc_b);

	if (rc_a >= 0 && rc_b >= 0) {
		if (old_id && new_id && strncmp(new_id, "buildkit.source.v0:sha256:", 26) == 0)
			c->kind = CAUSE_IMAGE_CHANGED;
		if (old_ref && new_ref && strcmp(old_ref, new_ref) != 0)
			add_change(c, "reference", old_ref, new_ref);
		if (old_id && new_id)
			add_change(c, "source", old_id, new_id);
		else
			digest_change(c, "source digest", graph_digest(d->a, d->a->nodes[c->a_node].digest),
				      graph_digest(d->b, d->b->nodes[c->b_node].digest));
	}
	free(old_id);
	free(new_id);
	free(old_ref);
	free(new_ref);
	return rc_a < 0 || rc_b < 0 ? -1 : 0;
}

int diff_explain(const struct cs_diff *d, struct diff_cause *c, struct cs_error *err)
{
	if (c->a_node == CS_NONE)
		return 0;
	switch (c->kind) {
	case CAUSE_OP_CHANGED:
		return explain_op(d, c, err);
	case CAUSE_SELECTOR_CHANGED:
		return explain_selector(d, c, err);
	case CAUSE_CONTENT_CHANGED:
		return explain_content(d, c, err);
	case CAUSE_IMAGE_CHANGED:
	case CAUSE_SOURCE_CHANGED:
		return explain_source(d, c, err);
	case CAUSE_NEW:
		break;
	}
	return 0;
}
