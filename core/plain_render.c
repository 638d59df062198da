#include "plain_render.h"
#include "escape.h"
#include "op_json.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void add_line(struct render_lines *out, int depth, struct cs_buf *text,
		     const struct cs_digest *link, bool header)
{
	XGROW(out->lines, out->cap, out->count + 1);
	struct render_line *l = &out->lines[out->count++];
	l->text = buf_detach(text, NULL);
	l->depth = depth;
	l->record = out->records - 1;
	l->header = header;
	l->has_link = link != NULL;
	if (link)
		l->link = *link;
}

void render_add(struct render_lines *out, int depth, const char *text, size_t len, bool ascii_only,
		const struct cs_digest *link)
{
	struct cs_buf b = CS_BUF_INIT;

	escape_append(&b, text, len, ascii_only ? ESCAPE_ASCII_ONLY : 0);
	add_line(out, depth, &b, link, false);
}

void render_lines_free(struct render_lines *out)
{
	for (size_t i = 0; i < out->count; i++)
		free(out->lines[i].text);
	free(out->lines);
	memset(out, 0, sizeof(*out));
}

/* Lines of TEXT split at newlines, each escaped; a line that is exactly a digest links to it. */
static void add_text_lines(struct render_lines *out, int depth, const char *text, size_t len,
			   bool ascii_only)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		struct cs_digest d;
		const char *line = text + start;
		size_t n = i - start;
		/* a mention of a digest (possibly "sha256:...@N") links to it */
		const char *at = n >= CS_DIGEST_STRLEN ? memmem(line, n, "sha256:", 7) : NULL;
		bool link = at && (size_t)(line + n - at) >= CS_DIGEST_STRLEN &&
			    digest_parse(at, CS_DIGEST_STRLEN, &d) == 0;
		render_add(out, depth, line, n, ascii_only, link ? &d : NULL);
		start = i + 1;
	}
}

static void render_json(struct render_lines *out, int depth, const unsigned char *data, size_t len,
			bool ascii_only)
{
	json_t *j = op_json_parse(data, len);
	char *pretty;

	if (!j) {
		add_text_lines(out, depth, (const char *)data, len, ascii_only);
		return;
	}
	pretty = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	if (!pretty) {
		add_text_lines(out, depth, (const char *)data, len, ascii_only);
		return;
	}
	add_text_lines(out, depth, pretty, strlen(pretty), ascii_only);
	free(pretty);
}

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

/* file-list frames alternate a path and its checksum */
static void render_file_list(struct render_lines *out, int depth, const struct cs_plain *p, bool ascii_only)
{
	for (size_t i = 0; i < p->frame_count; i++) {
		const struct cs_frame *path = &p->frames[i];
		const struct cs_frame *sum = i + 1 < p->frame_count ? &p->frames[i + 1] : NULL;
		struct cs_digest d;
		struct cs_buf line = CS_BUF_INIT;
		if (path->id != CS_FRAME_DATA)
			continue;
		escape_append(&line, path->data, path->len, ascii_only ? ESCAPE_ASCII_ONLY : 0);
		if (sum && sum->id == CS_FRAME_DATA && digest_parse((const char *)sum->data, sum->len, &d) == 0) {
			buf_adds(&line, ascii_only ? " -> " : " \xe2\x86\x92 ");
			escape_append(&line, sum->data, sum->len, 0);
			add_line(out, depth, &line, &d, false);
			i++;
		} else {
			add_line(out, depth, &line, NULL, false);
		}
	}
}

/* tarsum-style headers: "mode420", "uid0"... as "mode: 420" */
static void render_file(struct render_lines *out, int depth, const struct cs_plain *p, bool ascii_only)
{
	static const char *const fields[] = {
		"name", "mode", "uid", "gid", "size", "typeflag", "linkname", "uname", "gname",
		"devmajor", "devminor",
	};

	for (size_t i = 0; i < p->frame_count; i++) {
		const struct cs_frame *f = &p->frames[i];
		struct cs_buf line = CS_BUF_INIT;
		if (f->id == CS_FRAME_SKIP) {
			buf_printf(&line, "%u bytes not kept", frame_skip_count(f));
			add_line(out, depth, &line, NULL, false);
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
			escape_append(&line, f->data + name_len, f->len - name_len, ascii_only ? ESCAPE_ASCII_ONLY : 0);
		} else {
			escape_append(&line, f->data, f->len, ascii_only ? ESCAPE_ASCII_ONLY : 0);
		}
		add_line(out, depth, &line, NULL, false);
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
	for (size_t i = 0; i < p->frame_count; i++) {
		if (p->frames[i].id != CS_FRAME_SKIP)
			continue;
		struct cs_buf line = CS_BUF_INIT;
		buf_printf(&line, "%u bytes not kept", frame_skip_count(&p->frames[i]));
		add_line(out, depth, &line, NULL, false);
	}
}

static void render_tree(struct render_lines *out, const struct cs_plain *p, int depth, bool ascii_only)
{
	struct cs_buf header = CS_BUF_INIT;
	char digest[CS_DIGEST_STRLEN + 1];

	out->records++;
	digest_format(&p->digest, digest);
	buf_adds(&header, digest);
	buf_adds(&header, " (");
	escape_append(&header, p->type.ptr, p->type.len, ascii_only ? ESCAPE_ASCII_ONLY : 0);
	buf_adds(&header, ")");
	if (p->truncated)
		buf_adds(&header, " [sub-records beyond the limits left out]");
	add_line(out, depth, &header, &p->digest, true);
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
	return buf_detach(&out, NULL);
}
