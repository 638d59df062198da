/*
 * Plaintexts as lines for people. Every byte of a plaintext is untrusted
 * (anyone can push a cache with its debug records), so every piece of text
 * goes through escape_append before it becomes a line; what this file adds
 * itself (quotes, "->", field names) is plain ASCII.
 */
#include "plain_render.h"
#include "escape.h"
#include "op_json.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int escape_flags(bool ascii_only)
{
	return ascii_only ? ESCAPE_ASCII_ONLY : 0;
}

/* Adds a line from TEXT (emptied); NULL when the line limit dropped it. */
static struct render_line *add_line(struct render_lines *out, int depth, struct cs_buf *text,
				    const struct cs_digest *link)
{
	if (out->count >= RENDER_MAX_LINES) {
		out->dropped++;
		buf_free(text);
		return NULL;
	}
	XGROW(out->lines, out->cap, out->count + 1);
	struct render_line *l = &out->lines[out->count++];
	memset(l, 0, sizeof(*l));
	l->text = buf_detach(text, NULL);
	if (!l->text)
		l->text = xstrdup("");
	l->depth = depth;
	l->record = out->records - 1;
	l->has_link = link != NULL;
	if (link)
		l->link = *link;
	return l;
}

static bool is_word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* The first digest TEXT mentions as a word, as the daemon finds them (\bsha256:[a-f0-9]{64}\b). */
static bool find_link(const char *text, size_t len, struct cs_digest *out)
{
	const char *end = text + len;

	for (const char *at = text; (size_t)(end - at) >= CS_DIGEST_STRLEN;) {
		const char *hit = memmem(at, (size_t)(end - at), "sha256:", 7);
		if (!hit || (size_t)(end - hit) < CS_DIGEST_STRLEN)
			return false;
		bool starts_word = hit == text || !is_word_byte((unsigned char)hit[-1]);
		bool ends_word = hit + CS_DIGEST_STRLEN == end || !is_word_byte((unsigned char)hit[CS_DIGEST_STRLEN]);
		if (starts_word && ends_word && digest_parse(hit, CS_DIGEST_STRLEN, out) == 0)
			return true;
		at = hit + 7;
	}
	return false;
}

void render_add(struct render_lines *out, int depth, const char *text, size_t len, bool ascii_only,
		const struct cs_digest *link)
{
	struct cs_buf b = CS_BUF_INIT;

	escape_append(&b, text, len, escape_flags(ascii_only));
	add_line(out, depth, &b, link);
}

void render_note_dropped(struct render_lines *out)
{
	struct cs_buf b = CS_BUF_INIT;

	if (!out->dropped)
		return;
	buf_printf(&b, "(%zu more lines not shown)", out->dropped);
	/* the note itself is past the limit on purpose */
	XGROW(out->lines, out->cap, out->count + 1);
	struct render_line *l = &out->lines[out->count++];
	memset(l, 0, sizeof(*l));
	l->text = buf_detach(&b, NULL);
	l->record = out->records - 1;
	out->dropped = 0;
}

void render_lines_free(struct render_lines *out)
{
	for (size_t i = 0; i < out->count; i++)
		free(out->lines[i].text);
	free(out->lines);
	memset(out, 0, sizeof(*out));
}

/* Lines of TEXT split at newlines, each escaped, each linked to the first digest it mentions. */
static void add_text_lines(struct render_lines *out, int depth, const char *text, size_t len, bool ascii_only)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		struct cs_digest d;
		bool link = find_link(text + start, i - start, &d);
		render_add(out, depth, text + start, i - start, ascii_only, link ? &d : NULL);
		start = i + 1;
	}
}

/* ---- JSON, one member a line ---- */

/* A JSON string as JSON writes it ("\"" and "\\"), everything unsafe escaped as the rest of the screen. */
static void add_json_string(struct cs_buf *b, const char *s, size_t len, bool ascii_only)
{
	size_t run = 0;

	buf_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		escape_append(b, s + run, i - run, escape_flags(ascii_only));
		buf_addc(b, '\\');
		buf_addc(b, s[i]);
		run = i + 1;
	}
	escape_append(b, s + run, len - run, escape_flags(ascii_only));
	buf_addc(b, '"');
}

struct json_printer {
	struct render_lines *out;
	bool ascii_only;
};

static void json_value_lines(struct json_printer *p, int depth, const char *key, json_t *v, bool last);

/* "key": or nothing, for an array element */
static void add_key(struct json_printer *p, struct cs_buf *b, const char *key)
{
	if (!key)
		return;
	add_json_string(b, key, strlen(key), p->ascii_only);
	buf_adds(b, ": ");
}

static void json_container_lines(struct json_printer *p, int depth, const char *key, json_t *v, bool last)
{
	bool object = json_is_object(v);
	size_t n = object ? json_object_size(v) : json_array_size(v);
	struct cs_buf b = CS_BUF_INIT;

	add_key(p, &b, key);
	if (n == 0) {
		buf_adds(&b, object ? "{}" : "[]");
		if (!last)
			buf_addc(&b, ',');
		add_line(p->out, depth, &b, NULL);
		return;
	}
	buf_addc(&b, object ? '{' : '[');
	struct render_line *opener = add_line(p->out, depth, &b, NULL);
	if (opener) {
		opener->foldable = true;
		opener->close = object ? '}' : ']';
	}
	if (object) {
		const char *member;
		json_t *value;
		size_t i = 0;
		json_object_foreach(v, member, value)
			json_value_lines(p, depth + 1, member, value, ++i == n);
	} else {
		for (size_t i = 0; i < n; i++)
			json_value_lines(p, depth + 1, NULL, json_array_get(v, i), i + 1 == n);
	}
	buf_addc(&b, object ? '}' : ']');
	if (!last)
		buf_addc(&b, ',');
	struct render_line *closer = add_line(p->out, depth, &b, NULL);
	if (closer)
		closer->closer = true;
}

static void json_value_lines(struct json_printer *p, int depth, const char *key, json_t *v, bool last)
{
	struct cs_buf b = CS_BUF_INIT;
	struct cs_digest d;
	bool link = false;

	if (json_is_object(v) || json_is_array(v)) {
		json_container_lines(p, depth, key, v, last);
		return;
	}
	add_key(p, &b, key);
	switch (json_typeof(v)) {
	case JSON_STRING:
		add_json_string(&b, json_string_value(v), json_string_length(v), p->ascii_only);
		link = find_link(json_string_value(v), json_string_length(v), &d);
		break;
	case JSON_INTEGER:
		buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		buf_printf(&b, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		buf_adds(&b, "true");
		break;
	case JSON_FALSE:
		buf_adds(&b, "false");
		break;
	default:
		buf_adds(&b, "null");
		break;
	}
	if (!last)
		buf_addc(&b, ',');
	add_line(p->out, depth, &b, link ? &d : NULL);
}

static void render_json(struct render_lines *out, int depth, const unsigned char *data, size_t len,
			bool ascii_only)
{
	json_t *j = op_json_parse(data, len);
	struct json_printer p = { out, ascii_only };

	if (!j) {
		/* the daemon hashed these bytes as JSON; if they are not, show them as they are */
		add_text_lines(out, depth, (const char *)data, len, ascii_only);
		return;
	}
	json_value_lines(&p, depth, NULL, j, true);
	json_decref(j);
}

/* ---- lists and files ---- */

/* string-list and digest-list: parts joined with NUL, one a line */
static void render_split(struct render_lines *out, int depth, const unsigned char *data, size_t len,
			 bool ascii_only)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && data[i] != '\0')
			continue;
		struct cs_digest d;
		bool link = digest_parse((const char *)data + start, i - start, &d) == 0;
		render_add(out, depth, (const char *)data + start, i - start, ascii_only, link ? &d : NULL);
		start = i + 1;
	}
}

/*
 * A path as cache/contenthash keys it: "/" written as NUL ("\0src\0main.go"),
 * relative to the directory listed, which a fixture writes without the
 * leading separator. Names hold neither NUL nor "/", so this is exact.
 */
static void add_contenthash_path(struct cs_buf *b, const unsigned char *key, size_t len, bool ascii_only)
{
	size_t run = 0;

	if (len == 0 || (key[0] != '\0' && key[0] != '/'))
		buf_addc(b, '/');
	for (size_t i = 0; i < len; i++) {
		if (key[i] != '\0')
			continue;
		escape_append(b, key + run, i - run, escape_flags(ascii_only));
		buf_addc(b, '/');
		run = i + 1;
	}
	escape_append(b, key + run, len - run, escape_flags(ascii_only));
}

/* file-list frames alternate a path and its checksum */
static void render_file_list(struct render_lines *out, int depth, const struct cs_plain *p, bool ascii_only)
{
	for (size_t i = 0; i < p->frame_count; i++) {
		const struct cs_frame *path = &p->frames[i];
		const struct cs_frame *sum = i + 1 < p->frame_count ? &p->frames[i + 1] : NULL;
		struct cs_digest d;
		struct cs_buf line = CS_BUF_INIT;
		if (path->id == CS_FRAME_SKIP) {
			buf_printf(&line, "%u bytes not kept", frame_skip_count(path));
			add_line(out, depth, &line, NULL);
			continue;
		}
		if (path->id != CS_FRAME_DATA)
			continue;
		add_contenthash_path(&line, path->data, path->len, ascii_only);
		if (sum && sum->id == CS_FRAME_DATA && digest_parse((const char *)sum->data, sum->len, &d) == 0) {
			buf_adds(&line, ascii_only ? " -> " : " \xe2\x86\x92 ");
			escape_append(&line, sum->data, sum->len, ESCAPE_ASCII_ONLY);
			add_line(out, depth, &line, &d);
			i++;
		} else {
			add_line(out, depth, &line, NULL);
		}
	}
}

/* tarsum-style headers, one frame each: "mode420", "uid0"... as "mode: 420" */
static void render_file(struct render_lines *out, int depth, const struct cs_plain *p, bool ascii_only)
{
	static const char *const fields[] = {
		"name", "mode", "uid", "gid", "size", "typeflag", "linkname", "uname", "gname",
		"devmajor", "devminor", "xattr",
	};

	for (size_t i = 0; i < p->frame_count; i++) {
		const struct cs_frame *f = &p->frames[i];
		struct cs_buf line = CS_BUF_INIT;
		if (f->id == CS_FRAME_SKIP) {
			buf_printf(&line, "%u bytes not kept", frame_skip_count(f));
			add_line(out, depth, &line, NULL);
			continue;
		}
		size_t k, name_len = 0;
		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			size_t n = strlen(fields[k]);
			if (f->len >= n && memcmp(f->data, fields[k], n) == 0) {
				name_len = n;
				break;
			}
		}
		if (name_len) {
			buf_printf(&line, "%s: ", fields[k]);
			escape_append(&line, f->data + name_len, f->len - name_len, escape_flags(ascii_only));
		} else {
			escape_append(&line, f->data, f->len, escape_flags(ascii_only));
		}
		add_line(out, depth, &line, NULL);
	}
}

/* Skip frames of a record whose data is shown joined: after the data, as the daemon lists them. */
static void render_skips(struct render_lines *out, int depth, const struct cs_plain *p)
{
	for (size_t i = 0; i < p->frame_count; i++) {
		if (p->frames[i].id != CS_FRAME_SKIP)
			continue;
		struct cs_buf line = CS_BUF_INIT;
		buf_printf(&line, "%u bytes not kept", frame_skip_count(&p->frames[i]));
		add_line(out, depth, &line, NULL);
	}
}

static void render_body(struct render_lines *out, int depth, const struct cs_plain *p, bool ascii_only)
{
	size_t len;
	unsigned char *data;

	if (cs_bytes_eq(p->type, "file")) {
		render_file(out, depth, p, ascii_only);
		return;
	}
	if (cs_bytes_eq(p->type, "file-list")) {
		render_file_list(out, depth, p, ascii_only);
		return;
	}
	data = plain_data(p, &len);
	if (cs_bytes_eq(p->type, "json"))
		render_json(out, depth, data, len, ascii_only);
	else if (cs_bytes_eq(p->type, "string-list") || cs_bytes_eq(p->type, "digest-list"))
		render_split(out, depth, data, len, ascii_only);
	else
		add_text_lines(out, depth, (const char *)data, len, ascii_only);
	free(data);
	render_skips(out, depth, p);
}

static void render_tree(struct render_lines *out, const struct cs_plain *p, int depth, bool ascii_only)
{
	struct cs_buf header = CS_BUF_INIT;
	char digest[CS_DIGEST_STRLEN + 1];

	out->records++;
	digest_format(&p->digest, digest);
	buf_adds(&header, digest);
	buf_adds(&header, " (");
	escape_append(&header, p->type.ptr, p->type.len, escape_flags(ascii_only));
	buf_adds(&header, ")");
	if (p->truncated)
		buf_adds(&header, " [sub-records beyond the limits left out]");
	struct render_line *l = add_line(out, depth, &header, &p->digest);
	if (l)
		l->header = l->foldable = true;
	render_body(out, depth + 1, p, ascii_only);
	/* sub-records print after the body, as the daemon prints them */
	for (size_t i = 0; i < p->sub_count; i++)
		render_tree(out, p->subs[i], depth + 1, ascii_only);
}

void render_plain(struct render_lines *out, const struct cs_plain *p, bool ascii_only)
{
	render_tree(out, p, 0, ascii_only);
}

char *render_selector_summary(const struct cs_plain *p)
{
	size_t len;
	unsigned char *data = plain_data(p, &len);
	struct cs_buf out = CS_BUF_INIT;

	if (cs_bytes_eq(p->type, "string-list")) {
		for (size_t i = 0; i < len; i++)
			if (data[i] == '\0')
				data[i] = ',';
	}
	buf_add(&out, data, len);
	free(data);
	if (!out.len)
		buf_adds(&out, "");
	return buf_detach(&out, NULL);
}
