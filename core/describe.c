/*
 * Naming a cache key from its plaintexts. A non-root key's link digest is
 * outputKey(op, output), whose plaintext "sha256:<op>@<output>" leads to
 * the op's cache map JSON ({"Type":"buildkit.exec.v0",...}). A root's
 * digest is a rootKey leading to "buildkit.source.v0:<identifier>" (an
 * image digest, "session:" for a local context, a git or http URL), or,
 * for output -1, to the digest list of a content checksum.
 */
#include "describe.h"
#include "buf.h"
#include "op_json.h"
#include "plaintext.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SOURCE_PREFIX "buildkit.source.v0:"

const char *kind_name(enum cs_kind kind)
{
	switch (kind) {
	case KIND_IMAGE: return "image";
	case KIND_LOCAL: return "local";
	case KIND_GIT: return "git";
	case KIND_HTTP: return "http";
	case KIND_SOURCE: return "source";
	case KIND_EXEC: return "exec";
	case KIND_FILE: return "file";
	case KIND_MERGE: return "merge";
	case KIND_DIFF: return "diff";
	case KIND_BUILD: return "build";
	case KIND_CONTENT: return "content";
	case KIND_UNKNOWN: break;
	}
	return "unknown";
}

void description_free(struct cs_description *d)
{
	free(d->summary);
	d->summary = NULL;
}

/* The first sub-record of P whose type is TYPE (NULL: any). */
static const struct cs_plain *sub_of_type(const struct cs_plain *p, const char *type)
{
	for (size_t i = 0; p && i < p->sub_count; i++)
		if (!type || cs_bytes_eq(p->subs[i]->type, type))
			return p->subs[i];
	return NULL;
}

static json_t *plain_json(const struct cs_plain *p)
{
	return op_json_load(p);
}

static void add_shell_word(struct cs_buf *out, const char *word, size_t len)
{
	/* quote only what a shell would split, so "sh -c 'echo hi'" reads as typed */
	bool plain = len > 0;
	for (size_t i = 0; i < len && plain; i++)
		plain = word[i] != '\0' && !strchr(" \t\n'\"\\$`;&|<>*?()[]{}#~", word[i]);
	if (out->len)
		buf_addc(out, ' ');
	if (plain) {
		buf_add(out, word, len);
		return;
	}
	buf_addc(out, '\'');
	for (size_t i = 0; i < len; i++) {
		if (word[i] == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addc(out, word[i]);
	}
	buf_addc(out, '\'');
}

static char *describe_exec(json_t *op, size_t *len)
{
	json_t *args = json_object_get(json_object_get(json_object_get(op, "Exec"), "meta"), "args");
	struct cs_buf out = CS_BUF_INIT;
	size_t i, n = json_array_size(args);

	for (i = 0; i < n; i++) {
		json_t *a = json_array_get(args, i);
		add_shell_word(&out, json_is_string(a) ? json_string_value(a) : "", json_string_length(a));
	}
	return out.len ? buf_detach(&out, len) : (buf_free(&out), NULL);
}

/* A file op's actions are base64 JSON: {"copy":{"src","dest"}}, {"mkdir":{"path"}}, ... */
static char *describe_file(json_t *op)
{
	json_t *actions = json_object_get(op, "Actions");
	struct cs_buf out = CS_BUF_INIT;

	/* op_json_load has already decoded each action from base64 */
	for (size_t i = 0; i < json_array_size(actions); i++) {
		json_t *action = json_array_get(actions, i);
		json_t *inner = json_object_get(action, "Action");
		if (!json_is_object(inner))
			inner = action;
		const char *verb;
		json_t *body;
		if (out.len)
			buf_adds(&out, "; ");
		json_object_foreach(inner, verb, body) {
			if (!json_is_object(body))
				continue;
			const char *src = json_string_value(json_object_get(body, "src"));
			const char *dest = json_string_value(json_object_get(body, "dest"));
			const char *path = json_string_value(json_object_get(body, "path"));
			const char *old = json_string_value(json_object_get(body, "oldpath"));
			const char *newp = json_string_value(json_object_get(body, "newpath"));
			if (src && dest)
				buf_printf(&out, "%s %s -> %s", verb, src, dest);
			else if (old && newp)
				buf_printf(&out, "%s %s -> %s", verb, old, newp);
			else if (path)
				buf_printf(&out, "%s %s", verb, path);
			else
				buf_adds(&out, verb);
			break;
		}
	}
	return out.len ? buf_detach(&out, NULL) : (buf_free(&out), NULL);
}

static enum cs_kind op_kind(const char *type)
{
	static const struct { const char *type; enum cs_kind kind; } ops[] = {
		{ "buildkit.exec.v0", KIND_EXEC }, { "buildkit.file.v0", KIND_FILE },
		{ "buildkit.merge.v0", KIND_MERGE }, { "buildkit.diff.v0", KIND_DIFF },
		{ "buildkit.build.v0", KIND_BUILD },
	};
	for (size_t i = 0; type && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(type, ops[i].type) == 0)
			return ops[i].kind;
	return KIND_UNKNOWN;
}

static void describe_op(const struct cs_plain *op_plain, struct cs_description *out)
{
	json_t *op = plain_json(op_plain);
	const char *type = json_string_value(json_object_get(op, "Type"));

	out->kind = op_kind(type);
	if (out->kind == KIND_EXEC)
		out->summary = describe_exec(op, &out->summary_len);
	else if (out->kind == KIND_FILE)
		out->summary = describe_file(op);
	else if (type)
		out->summary = xstrdup(type);
	json_decref(op);
}

/* "path sha256:..." parts of a file-list, or "name" fields of file records */
static char *describe_content(const struct cs_plain *list)
{
	struct cs_buf out = CS_BUF_INIT;
	const struct cs_plain *file_list = sub_of_type(list, "file-list");
	size_t files = 0;

	if (file_list) {
		/* the data frames alternate a path and its checksum */
		for (size_t i = 0; i < file_list->frame_count; i += 2) {
			const struct cs_frame *f = &file_list->frames[i];
			if (f->id != CS_FRAME_DATA)
				continue;
			if (files++ < 4)
				buf_printf(&out, "%s/%.*s", out.len ? ", " : "", (int)f->len, (const char *)f->data);
		}
	} else {
		files = list->sub_count;
	}
	if (files > 4)
		buf_printf(&out, ", ... (%zu files)", files);
	if (!out.len)
		buf_printf(&out, "%zu file%s", files, files == 1 ? "" : "s");
	return buf_detach(&out, NULL);
}

static char *json_field_string(const struct cs_plain *p, const char *key)
{
	json_t *j = plain_json(p);
	const char *v = json_string_value(json_object_get(j, key));
	char *out = v ? xstrdup(v) : NULL;

	json_decref(j);
	return out;
}

static char *short_digest(const char *prefix, const char *text)
{
	return xasprintf("%s%.19s", prefix, text);
}

/* "buildkit.source.v0:<identifier>" */
static void describe_source(const struct cs_plain *source, bool random, struct cs_description *out)
{
	size_t len;
	unsigned char *data = plain_data(source, &len);
	const char *id = (const char *)data + strlen(SOURCE_PREFIX);

	if (len < strlen(SOURCE_PREFIX) || memcmp(data, SOURCE_PREFIX, strlen(SOURCE_PREFIX)) != 0) {
		out->kind = random ? KIND_LOCAL : KIND_SOURCE;
		out->summary = xstrndup((const char *)data, len);
	} else if (random || strncmp(id, "session:", 8) == 0) {
		out->kind = KIND_LOCAL;
		out->summary = xstrdup("local context");
	} else if (strncmp(id, "sha256:", 7) == 0) {
		const struct cs_plain *config = sub_of_type(source, "json");
		out->kind = KIND_IMAGE;
		out->summary = config ? json_field_string(config, "ref") : NULL;
		if (!out->summary)
			out->summary = short_digest("image ", id);
	} else if (strncmp(id, "git", 3) == 0) {
		out->kind = KIND_GIT;
		out->summary = xstrdup(id);
	} else if (strncmp(id, "http", 4) == 0) {
		out->kind = KIND_HTTP;
		out->summary = xstrdup(id);
	} else {
		out->kind = KIND_SOURCE;
		out->summary = xstrdup(id);
	}
	free(data);
}

/* A local context's name is in the JSON its session key hashes. */
static void name_local(const struct cs_graph *g, const struct cs_plain *source, struct cs_description *out,
		       struct cs_error *err)
{
	size_t len;
	unsigned char *data = plain_data(source, &len);
	const char *hex = strstr((const char *)data, "session:");
	char text[CS_DIGEST_STRLEN + 1];
	struct cs_digest d;
	struct cs_plain *p = NULL;

	if (hex && strlen(hex + 8) >= 64) {
		snprintf(text, sizeof(text), "sha256:%.64s", hex + 8);
		if (digest_parse(text, CS_DIGEST_STRLEN, &d) == 0 && plain_resolve(g, &d, &p, err) > 0) {
			char *name = json_field_string(p, "name");
			if (name) {
				free(out->summary);
				out->summary = xasprintf("local context \"%s\"", name);
				free(name);
			}
		}
	}
	plain_free(p);
	free(data);
}

static int describe_root(const struct cs_graph *g, cs_node_id n, struct cs_description *out,
			 struct cs_error *err)
{
	const struct cs_node *node = graph_node(g, n);
	struct cs_plain *p;
	int found = plain_resolve(g, graph_digest(g, node->digest), &p, err);

	if (found <= 0)
		return found < 0 ? -1 : 0;
	const struct cs_plain *inner = sub_of_type(p, NULL);
	if (node->flags & CS_NODE_RANDOM) {
		describe_source(p, true, out);
		name_local(g, p, out, err);
	} else if (inner && cs_bytes_eq(inner->type, "digest-list")) {
		out->kind = KIND_CONTENT;
		out->summary = describe_content(inner);
	} else if (inner && cs_bytes_eq(inner->type, "string")) {
		describe_source(inner, false, out);
	} else if (cs_bytes_eq(p->type, "string")) {
		describe_source(p, false, out);
	}
	plain_free(p);
	return 0;
}

int describe_node(const struct cs_graph *g, cs_node_id n, struct cs_description *out,
		  struct cs_error *err)
{
	struct cs_plain *p;

	int rc = 0, found;

	out->kind = KIND_UNKNOWN;
	out->summary = NULL;
	out->summary_len = 0;
	if (graph_node(g, n)->digest != CS_DIG_NONE) {
		rc = describe_root(g, n, out, err);
	} else if (graph_parent_count(g, n) > 0) {
		found = plain_resolve(g, graph_digest(g, graph_parent(g, n, 0)->digest), &p, err);
		if (found > 0) {
			const struct cs_plain *op = sub_of_type(p, "json");
			if (op)
				describe_op(op, out);
			plain_free(p);
		}
		rc = found < 0 ? -1 : 0;
	}
	/* only an exec's command line can hold NUL; every other summary is a C string */
	if (out->summary && !out->summary_len)
		out->summary_len = strlen(out->summary);
	return rc;
}
