/*
 * The pieces of a DOT picture: quoting untrusted text, labels, shapes.
 *
 * Inside a quoted DOT string the parser only acts on \" (and a backslash
 * before a newline), but Graphviz then reads the label itself: \n \l \r
 * break lines, \N \G \E \T \H \L put in names, and &name; or &#NN; is an
 * entity (&#27; would put an ESC into the picture, &#x202e; a bidi
 * override). So each untrusted character is first made terminal-safe
 * (escape.h), then every backslash is doubled, every quote escaped and
 * every & written as &amp;. Our own line breaks are the only bare \n.
 */
#include "dot.h"
#include "escape.h"
#include "plain_render.h"
#include "plaintext.h"

#include <stdlib.h>
#include <string.h>

/* Appends terminal-safe text S (escape_append's output) quoted for a DOT label. */
static void add_dot_bytes(struct cs_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '"':
			buf_adds(out, "\\\"");
			break;
		case '\\':
			buf_adds(out, "\\\\");
			break;
		case '&':
			buf_adds(out, "&amp;");
			break;
		default:
			buf_addc(out, s[i]);
		}
	}
}

void dot_add_text(struct cs_buf *label, const void *text, size_t len)
{
	struct cs_buf safe = CS_BUF_INIT;

	escape_append(&safe, text, len, 0);
	add_dot_bytes(label, safe.data ? safe.data : "", safe.len);
	buf_free(&safe);
}

void dot_add_quoted(struct cs_buf *out, const void *text, size_t len)
{
	buf_addc(out, '"');
	dot_add_text(out, text, len);
	buf_addc(out, '"');
}

/* One line of a wrapped label as it is built: DOT-quoted bytes and where it may break. */
struct wrap_line {
	struct cs_buf text;
	size_t columns;
	size_t break_at, break_columns; /* just after the last space, slash, comma, colon or dash (0: none) */
};

static void line_end(struct cs_buf *label, struct wrap_line *line, size_t upto, size_t upto_columns)
{
	buf_add(label, line->text.data, upto);
	buf_adds(label, "\\n");
	/* what followed the break starts the next line */
	memmove(line->text.data, line->text.data + upto, line->text.len - upto);
	line->text.len -= upto;
	line->columns -= upto_columns;
	line->break_at = line->break_columns = 0;
}

#define WRAP_SLACK 6

/* How many characters S takes on screen: escapes are ASCII, a safe character is one. */
static size_t columns_of(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

void dot_add_wrapped(struct cs_buf *label, const void *text, size_t len, size_t width, size_t max_lines)
{
	const unsigned char *s = text;
	struct wrap_line line = { CS_BUF_INIT, 0, 0, 0 };
	struct cs_buf unit = CS_BUF_INIT;
	size_t lines = 0, i = 0;
	bool cut = false;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			n = 1;
		/* a few characters more fit on the line rather than alone on the next */
		if (line.columns >= width && len - i > WRAP_SLACK) {
			if (lines + 1 == max_lines) {
				cut = true;
				break;
			}
			/* break where a word or a path part ends, if that leaves half a line, else mid-word */
			if (line.break_at && line.break_columns >= width / 2)
				line_end(label, &line, line.break_at, line.break_columns);
			else
				line_end(label, &line, line.text.len, line.columns);
			lines++;
		}
		/* a character, or its visible escape ("\x1b"), is never split across lines */
		buf_reset(&unit);
		escape_append(&unit, s + i, n, 0);
		i += n;
		add_dot_bytes(&line.text, unit.data, unit.len);
		line.columns += columns_of(unit.data, unit.len);
		if (unit.len == 1 && strchr(" /,:-", unit.data[0])) {
			line.break_at = line.text.len;
			line.break_columns = line.columns;
		}
	}
	if (line.text.len) {
		buf_add(label, line.text.data, line.text.len);
		if (cut)
			buf_adds(label, "\xe2\x80\xa6"); /* … */
		buf_adds(label, "\\n");
	}
	buf_free(&line.text);
	buf_free(&unit);
}

const char *dot_shape(enum cs_kind kind)
{
	switch (kind) {
	case KIND_IMAGE:
	case KIND_LOCAL:
	case KIND_GIT:
	case KIND_HTTP:
	case KIND_SOURCE:
		return "ellipse";
	case KIND_EXEC:
		return "box";
	case KIND_FILE:
		return "note";
	case KIND_MERGE:
		return "invtriangle";
	case KIND_DIFF:
		return "doublecircle";
	case KIND_BUILD:
		return "box3d";
	case KIND_CONTENT:
		return "folder";
	case KIND_CACHE_MOUNT:
		return "cylinder";
	case KIND_UNKNOWN:
		break;
	}
	return "plaintext";
}

/* Label text wraps at this many characters; a command gets a few lines, then an ellipsis. */
#define LABEL_WIDTH 40
#define LABEL_LINES 4
#define SELECTOR_LINES 2

int dot_node_label(struct cs_buf *label, const struct cs_graph *g, cs_node_id n, const char *prefix,
		   enum cs_kind *kind, struct cs_error *err)
{
	const struct cs_node *node = graph_node(g, n);
	struct cs_description desc;
	char id[16];

	if (describe_node(g, n, &desc, err) < 0)
		return -1;
	if (!prefix) {
		snprintf(id, sizeof(id), "#%u", graph_id(g, n));
		prefix = id;
	}
	buf_printf(label, "%s %s%s\\n", prefix, kind_name(desc.kind), (node->flags & CS_NODE_RANDOM) ? " (random)" : "");
	if (desc.summary) {
		dot_add_wrapped(label, desc.summary, desc.summary_len, LABEL_WIDTH, LABEL_LINES);
	} else if (node->digest != CS_DIG_NONE || graph_parent_count(g, n)) {
		/* nothing to tell: its digest, or the digest it is reached by, enough to find it (--around) */
		cs_dig dig = node->digest != CS_DIG_NONE ? node->digest : graph_parent(g, n, 0)->digest;
		char text[CS_DIGEST_STRLEN + 1];
		digest_format(graph_digest(g, dig), text);
		dot_add_wrapped(label, text, strlen("sha256:") + 12, LABEL_WIDTH, 1);
	}
	*kind = desc.kind;
	description_free(&desc);
	return 0;
}

int dot_link_label(struct cs_buf *label, const struct cs_graph *g, const struct cs_link *l,
		   struct cs_error *err)
{
	struct cs_plain *p;
	int found;

	buf_printf(label, "input %u\\n", l->input);
	if (l->output != 0)
		buf_printf(label, "output %d\\n", l->output);
	if (l->selector == CS_DIG_NONE)
		return 0;
	found = plain_resolve(g, graph_digest(g, l->selector), &p, err);
	if (found < 0)
		return -1;
	if (found > 0) {
		char *summary = render_selector_summary(p);
		buf_adds(label, "selects ");
		dot_add_wrapped(label, summary, strlen(summary), LABEL_WIDTH, SELECTOR_LINES);
		free(summary);
		plain_free(p);
	} else {
		char hex[65];
		digest_hex(graph_digest(g, l->selector), hex);
		buf_printf(label, "selector %.12s\\n", hex);
	}
	return 0;
}

bool dot_has_link(const struct cs_graph *g, cs_node_id parent, cs_node_id child, uint32_t input)
{
	for (uint32_t i = 0; i < graph_parent_count(g, child); i++) {
		const struct cs_link *l = graph_parent(g, child, i);
		if (l->parent == parent && l->input == input)
			return true;
	}
	return false;
}

void dot_begin(struct cs_buf *out)
{
	buf_adds(out, "digraph cachescope {\n"
		      "  graph [fontname=\"Helvetica,Arial,sans-serif\" fontsize=11];\n"
		      "  node [fontname=\"Helvetica,Arial,sans-serif\" fontsize=10];\n"
		      "  edge [fontname=\"Helvetica,Arial,sans-serif\" fontsize=9 color=\"#555555\"];\n");
}
