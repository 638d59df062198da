/*
 * Naming a cache key from its plaintexts. A non-root key's link digest is
 * outputKey(op, output), whose plaintext "sha256:<op>@<output>" leads to
 * the op's cache map JSON ({"Type":"buildkit.exec.v0",...}; see
 * solver/llbsolver/ops/). A root's digest is a rootKey leading to
 * "buildkit.source.v0:<identifier>" (source/: an image's manifest or
 * config key, "session:<name>:<digest>" for a local context, a git
 * commit, an HTTP download's key), or, for output -1, to the digest list
 * of a content checksum.
 *
 * What BuildKit writes has changed over versions and fixtures simplify
 * it, so each reader here takes every form it has seen and falls back to
 * the raw text rather than to nothing.
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
/* content summaries name this many paths, then count the rest */
#define CONTENT_PATHS_SHOWN 4

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
	case KIND_CACHE_MOUNT: return "cache";
	case KIND_UNKNOWN: break;
	}
	return "unknown";
}

void description_free(struct cs_description *d)
{
	free(d->summary);
	d->summary = NULL;
	d->summary_len = 0;
}

/* The first sub-record of P whose type is TYPE (NULL: any). */
static const struct cs_plain *sub_of_type(const struct cs_plain *p, const char *type)
{
	for (size_t i = 0; p && i < p->sub_count; i++)
		if (!type || cs_bytes_eq(p->subs[i]->type, type))
			return p->subs[i];
	return NULL;
}

static const char *json_text(json_t *object, const char *key)
{
	return json_string_value(json_object_get(object, key));
}

static char *finish(struct cs_buf *out)
{
	if (!out->len) {
		buf_free(out);
		return NULL;
	}
	return buf_detach(out, NULL);
}

/* ---- ops ---- */

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

/* The command line, words quoted as a shell would need them (NUL bytes kept: they are escaped on display). */
static char *describe_exec(json_t *op, size_t *len)
{
	json_t *args = json_object_get(json_object_get(json_object_get(op, "Exec"), "meta"), "args");
	struct cs_buf out = CS_BUF_INIT;

	for (size_t i = 0; i < json_array_size(args); i++) {
		json_t *a = json_array_get(args, i);
		add_shell_word(&out, json_is_string(a) ? json_string_value(a) : "", json_string_length(a));
	}
	if (!out.len) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out, len);
}

static const char *const file_verbs[] = { "copy", "mkdir", "mkfile", "rm", "symlink" };

static bool is_file_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(file_verbs) / sizeof(file_verbs[0]); i++)
		if (strcmp(name, file_verbs[i]) == 0)
			return true;
	return false;
}

/*
 * A file action's verb and body. BuildKit's cache map holds the typed
 * action alone ({"src":"hi","dest":"/",...}: the verb is in which fields
 * it has); a whole pb.FileAction wraps it as {"Action":{"copy":{...}}}.
 */
static const char *file_action_verb(json_t *action, json_t **body)
{
	json_t *inner = json_object_get(action, "Action");
	const char *name;
	json_t *value;

	if (!json_is_object(inner))
		inner = action;
	json_object_foreach(inner, name, value) {
		if (json_is_object(value) && is_file_verb(name)) {
			*body = value;
			return name;
		}
	}
	*body = inner;
	if (json_object_get(inner, "src") || json_object_get(inner, "dest"))
		return "copy";
	if (json_object_get(inner, "oldpath") || json_object_get(inner, "newpath"))
		return "symlink";
	if (json_object_get(inner, "data"))
		return "mkfile";
	if (json_object_get(inner, "allowNotFound") || json_object_get(inner, "allowWildcard"))
		return "rm";
	if (json_object_get(inner, "makeParents") || json_object_get(inner, "mode"))
		return "mkdir";
	return json_object_get(inner, "path") ? "rm" : NULL;
}

static void describe_file_action(json_t *action, struct cs_buf *out)
{
	json_t *body;
	const char *verb = file_action_verb(action, &body);
	const char *src = json_text(body, "src"), *dest = json_text(body, "dest");
	const char *from = json_text(body, "oldpath"), *to = json_text(body, "newpath");
	const char *path = json_text(body, "path");

	if (!verb)
		return;
	if (out->len)
		buf_adds(out, "; ");
	buf_adds(out, verb);
	if (src || dest)
		buf_printf(out, " %s -> %s", src ? src : "?", dest ? dest : "?");
	else if (from || to)
		buf_printf(out, " %s -> %s", from ? from : "?", to ? to : "?");
	else if (path)
		buf_printf(out, " %s", path);
}

/* "copy /src/ -> /app/; mkdir /out" (op_json_load has decoded each action from base64) */
static char *describe_file(json_t *op)
{
	json_t *actions = json_object_get(op, "Actions");
	struct cs_buf out = CS_BUF_INIT;

	for (size_t i = 0; i < json_array_size(actions); i++)
		describe_file_action(json_array_get(actions, i), &out);
	return finish(&out);
}

/* pb's omitempty leaves input 0 out: {} is input 0 */
static long long input_index(json_t *ref)
{
	json_t *input = json_object_get(ref, "input");
	return json_is_integer(input) ? json_integer_value(input) : 0;
}

static char *describe_merge(json_t *op)
{
	json_t *inputs = json_object_get(json_object_get(op, "Merge"), "inputs");
	struct cs_buf out = CS_BUF_INIT;

	buf_printf(&out, "merge of %zu inputs", json_array_size(inputs));
	return finish(&out);
}

static void add_diff_side(struct cs_buf *out, const char *name, json_t *side)
{
	long long input = input_index(side);

	if (!side || input < 0)
		buf_printf(out, "%s scratch", name);
	else
		buf_printf(out, "%s input %lld", name, input);
}

static char *describe_diff(json_t *op)
{
	json_t *diff = json_object_get(op, "Diff");
	struct cs_buf out = CS_BUF_INIT;

	add_diff_side(&out, "lower", json_object_get(diff, "lower"));
	buf_adds(&out, ", ");
	add_diff_side(&out, "upper", json_object_get(diff, "upper"));
	return finish(&out);
}

/* A nested build (pb.BuildOp, "Exec" in its cache map): its attributes say what it builds. */
static char *describe_build(json_t *op)
{
	json_t *attrs = json_object_get(json_object_get(op, "Exec"), "attrs");
	struct cs_buf out = CS_BUF_INIT;
	const char *key;
	json_t *value;

	buf_adds(&out, "nested build");
	json_object_foreach(attrs, key, value) {
		if (json_is_string(value))
			buf_printf(&out, " %s=%s", key, json_string_value(value));
	}
	return finish(&out);
}

static enum cs_kind op_kind(const char *type)
{
	static const struct {
		const char *type;
		enum cs_kind kind;
	} ops[] = {
		{ "buildkit.exec.v0", KIND_EXEC },   { "buildkit.file.v0", KIND_FILE },
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
	json_t *op = op_json_load(op_plain);
	const char *type = json_text(op, "Type");

	out->kind = op_kind(type);
	switch (out->kind) {
	case KIND_EXEC: out->summary = describe_exec(op, &out->summary_len); break;
	case KIND_FILE: out->summary = describe_file(op); break;
	case KIND_MERGE: out->summary = describe_merge(op); break;
	case KIND_DIFF: out->summary = describe_diff(op); break;
	case KIND_BUILD: out->summary = describe_build(op); break;
	default: out->summary = type ? xstrdup(type) : NULL; break;
	}
	json_decref(op);
}

/* ---- content checksums ---- */

/* A path as contenthash keys it ("\0src\0main.go", or "main.go") written as a path. */
static void add_path(struct cs_buf *out, const unsigned char *key, size_t len)
{
	if (len == 0 || (key[0] != '\0' && key[0] != '/'))
		buf_addc(out, '/');
	for (size_t i = 0; i < len; i++)
		buf_addc(out, key[i] == '\0' ? '/' : (char)key[i]);
}

/* The "name" header of a tarsum file record. */
static const struct cs_frame *file_name_frame(const struct cs_plain *file)
{
	for (size_t i = 0; i < file->frame_count; i++) {
		const struct cs_frame *f = &file->frames[i];
		if (f->id == CS_FRAME_DATA && f->len >= 4 && memcmp(f->data, "name", 4) == 0)
			return f;
	}
	return NULL;
}

struct path_list {
	struct cs_buf text;
	size_t count;
};

static void list_path(struct path_list *l, const unsigned char *path, size_t len)
{
	if (l->count++ >= CONTENT_PATHS_SHOWN)
		return;
	if (l->text.len)
		buf_adds(&l->text, ", ");
	add_path(&l->text, path, len);
}

/* file-list data frames alternate a path and its checksum */
static void list_file_list(struct path_list *l, const struct cs_plain *file_list)
{
	for (size_t i = 0; i < file_list->frame_count; i++) {
		const struct cs_frame *f = &file_list->frames[i];
		if (f->id != CS_FRAME_DATA || (f->len == CS_DIGEST_STRLEN && memcmp(f->data, "sha256:", 7) == 0))
			continue;
		list_path(l, f->data, f->len);
	}
}

/* The checksums a digest list joins with NUL. */
static size_t checksum_count(const struct cs_plain *list)
{
	size_t len, parts = 1;
	unsigned char *data = plain_data(list, &len);

	for (size_t i = 0; i < len; i++)
		parts += data[i] == '\0';
	free(data);
	return len ? parts : 0;
}

/*
 * What a digest list checksums: a directory's or a wildcard's file list,
 * or a single file's tarsum record. BuildKit hashes a single file without
 * its name (cache/contenthash/filehash.go): "1 file" (diff's texts say
 * so too); the selector of the link that uses it names the path.
 */
static char *describe_content(const struct cs_plain *list)
{
	struct path_list l = { CS_BUF_INIT, 0 };
	size_t files = 0, unknown = 0;

	for (size_t i = 0; i < list->sub_count; i++) {
		const struct cs_plain *sub = list->subs[i];
		const struct cs_frame *name = cs_bytes_eq(sub->type, "file") ? file_name_frame(sub) : NULL;
		if (cs_bytes_eq(sub->type, "file-list")) {
			list_file_list(&l, sub);
		} else if (name && name->len > 4) {
			list_path(&l, name->data + 4, name->len - 4);
		} else if (cs_bytes_eq(sub->type, "file")) {
			files++;
		} else {
			unknown++;
		}
	}
	if (l.count > CONTENT_PATHS_SHOWN)
		buf_printf(&l.text, ", ... (%zu files)", l.count);
	if (files)
		buf_printf(&l.text, "%s%zu file%s", l.text.len ? "; " : "", files, files == 1 ? "" : "s");
	/* checksums whose plaintext was not kept are no sub-record, but the list still counts them */
	size_t parts = checksum_count(list);
	if (parts > list->sub_count)
		unknown += parts - list->sub_count;
	if (unknown || !l.text.len)
		buf_printf(&l.text, "%s%zu checksum%s", l.text.len ? "; " : "", unknown, unknown == 1 ? "" : "s");
	return buf_detach(&l.text, NULL);
}

/* ---- sources ---- */

static bool is_hex(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdef") >= n;
}

/*
 * source/containerimage: the key JSON of the manifest ({"Digest","OS","Arch"}),
 * or the config (a fixture keeps "ref" in it). Without a reference the
 * summary starts "image ": diff pairs images by reference and leaves those.
 */
static char *describe_image_key(const struct cs_plain *key_json, const char *id)
{
	json_t *j = key_json ? op_json_load(key_json) : NULL;
	const char *ref = json_text(j, "ref"), *manifest = json_text(j, "Digest");
	const char *os = json_text(j, "OS"), *arch = json_text(j, "Arch"), *variant = json_text(j, "Variant");
	struct cs_buf out = CS_BUF_INIT;

	if (ref) {
		buf_adds(&out, ref);
	} else if (manifest) {
		buf_printf(&out, "image %.19s", manifest);
		if (os && arch)
			buf_printf(&out, " %s/%s%s%s", os, arch, variant ? "/" : "", variant ? variant : "");
	} else if (json_object_get(j, "rootfs")) {
		os = json_text(j, "os");
		arch = json_text(j, "architecture");
		buf_printf(&out, "image config %s/%s, %zu layers", os ? os : "?", arch ? arch : "?",
			   json_array_size(json_object_get(json_object_get(j, "rootfs"), "diff_ids")));
	} else {
		buf_printf(&out, "image %.19s", id);
	}
	json_decref(j);
	return finish(&out);
}

/* source/http: the key is the digest of {"Filename","Perm","UID","GID","Checksum",...} */
static bool describe_http_key(const struct cs_plain *key_json, struct cs_description *out)
{
	json_t *j = key_json ? op_json_load(key_json) : NULL;
	const char *name = json_text(j, "Filename"), *checksum = json_text(j, "Checksum");

	if (name) {
		out->kind = KIND_HTTP;
		out->summary = checksum ? xasprintf("%s (%.19s)", name, checksum) : xstrdup(name);
	}
	json_decref(j);
	return name != NULL;
}

/* source/git: the commit, then ".git#ref", ":subdir" and options */
static char *describe_git(const char *id, size_t sha_len)
{
	return xasprintf("commit %.12s%s", id, id + sha_len);
}

/* source/local: "session:<name>:sha256:<options>", or a fixture's "session:<digest of {name}>" */
static char *describe_local(const struct cs_graph *g, const char *id, struct cs_error *err)
{
	const char *name = id + strlen("session:");
	const char *end = strstr(name, ":sha256:");
	struct cs_digest d;
	struct cs_plain *p = NULL;
	char text[CS_DIGEST_STRLEN + 1];
	char *summary = NULL;

	if (end && end > name)
		return xasprintf("local context \"%.*s\"", (int)(end - name), name);
	if (strlen(name) >= 64 && is_hex(name, 64)) {
		snprintf(text, sizeof(text), "sha256:%.64s", name);
		if (digest_parse(text, CS_DIGEST_STRLEN, &d) == 0 && plain_resolve(g, &d, &p, err) > 0) {
			json_t *j = op_json_load(p);
			if (json_text(j, "name"))
				summary = xasprintf("local context \"%s\"", json_text(j, "name"));
			json_decref(j);
		}
		plain_free(p);
	}
	return summary ? summary : xstrdup("local context");
}

/* "buildkit.source.v0:<identifier>" */
static void describe_source(const struct cs_graph *g, const struct cs_plain *source, bool random,
			    struct cs_description *out, struct cs_error *err)
{
	size_t len, prefix = strlen(SOURCE_PREFIX);
	unsigned char *data = plain_data(source, &len);
	/* plain_data NUL-terminates; an identifier with NUL in it ends there, which is what strings see */
	const char *id = (const char *)data + prefix;

	if (len < prefix || memcmp(data, SOURCE_PREFIX, prefix) != 0) {
		out->kind = random ? KIND_LOCAL : KIND_SOURCE;
		/* not a source identifier: shown as it is, NUL bytes and all (escaped on display) */
		out->summary = (char *)data;
		out->summary_len = len;
		return;
	} else if (strncmp(id, "session:", 8) == 0) {
		out->kind = KIND_LOCAL;
		out->summary = describe_local(g, id, err);
	} else if (strncmp(id, "sha256:", 7) == 0) {
		const struct cs_plain *key_json = sub_of_type(source, "json");
		if (!describe_http_key(key_json, out)) {
			out->kind = KIND_IMAGE;
			out->summary = describe_image_key(key_json, id);
		}
	} else if (is_hex(id, 64) || is_hex(id, 40)) {
		out->kind = KIND_GIT;
		out->summary = describe_git(id, is_hex(id, 64) ? 64 : 40);
	} else if (strncmp(id, "git", 3) == 0) {
		out->kind = KIND_GIT;
		out->summary = xstrdup(id);
	} else if (strncmp(id, "http", 4) == 0) {
		out->kind = KIND_HTTP;
		out->summary = xstrdup(id);
	} else {
		out->kind = random ? KIND_LOCAL : KIND_SOURCE;
		out->summary = xstrdup(id);
	}
	free(data);
}

static bool is_source_string(const struct cs_plain *p)
{
	size_t len;
	unsigned char *data = plain_data(p, &len);
	bool is = len >= strlen(SOURCE_PREFIX) && memcmp(data, SOURCE_PREFIX, strlen(SOURCE_PREFIX)) == 0;

	free(data);
	return is;
}

static int describe_root(const struct cs_graph *g, cs_node_id n, struct cs_description *out,
			 struct cs_error *err)
{
	const struct cs_node *node = graph_node(g, n);
	struct cs_plain *p;
	int found = plain_resolve(g, graph_digest(g, node->digest), &p, err);

	if (found <= 0)
		return found;
	/* a rootKey "sha256:<d>@<o>" leads to d; a random root's digest is the source string itself */
	const struct cs_plain *inner = sub_of_type(p, NULL);
	if (node->flags & CS_NODE_RANDOM) {
		describe_source(g, p, true, out, err);
	} else if (inner && cs_bytes_eq(inner->type, "digest-list")) {
		out->kind = KIND_CONTENT;
		out->summary = describe_content(inner);
	} else if (inner && cs_bytes_eq(inner->type, "string")) {
		describe_source(g, inner, false, out, err);
	} else if (cs_bytes_eq(p->type, "string") && is_source_string(p)) {
		describe_source(g, p, false, out, err);
	}
	/* else "sha256:<d>@<o>" whose d was not kept: nothing to tell */
	plain_free(p);
	return 0;
}

int describe_node(const struct cs_graph *g, cs_node_id n, struct cs_description *out,
		  struct cs_error *err)
{
	int rc = 0;

	out->kind = KIND_UNKNOWN;
	out->summary = NULL;
	out->summary_len = 0;
	if (graph_node(g, n)->digest != CS_DIG_NONE) {
		rc = describe_root(g, n, out, err);
	} else if (graph_parent_count(g, n) > 0) {
		struct cs_plain *p;
		rc = plain_resolve(g, graph_digest(g, graph_parent(g, n, 0)->digest), &p, err);
		if (rc > 0) {
			const struct cs_plain *op = sub_of_type(p, "json");
			if (op)
				describe_op(op, out);
			plain_free(p);
		}
	}
	if (rc >= 0 && out->kind == KIND_UNKNOWN && !out->summary)
		rc = describe_from_results(g, n, out, err);
	/* only an exec's command line or a raw identifier can hold NUL; other summaries are C strings */
	if (out->summary && !out->summary_len)
		out->summary_len = strlen(out->summary);
	return rc < 0 ? -1 : 0;
}
