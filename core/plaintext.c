#include "plaintext.h"
#include "buf.h"
#include "graph.h"
#include "plainstore.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int frames_decode(struct cs_bytes run, struct cs_bytes *type,
		  struct cs_frame **frames, size_t *count, struct cs_error *err)
{
	size_t pos = 0, n = 0, cap = 0;
	struct cs_frame *out = NULL;

	*type = cs_bytes_of("", 0);
	while (run.len - pos >= 8) {
		uint32_t id = be32(run.ptr + pos), len = be32(run.ptr + pos + 4);
		if (len > run.len - pos - 8) {
			free(out);
			return cs_fail(err, "invalid encoding (a frame of %u bytes overruns its record)", len);
		}
		const unsigned char *data = run.ptr + pos + 8;
		pos += 8 + (size_t)len;
		if (id == CS_FRAME_TYPE) {
			*type = cs_bytes_of(data, len);
		} else if (id == CS_FRAME_DATA || id == CS_FRAME_SKIP) {
			XGROW(out, cap, n + 1);
			out[n++] = (struct cs_frame){ id, len, data };
		}
	}
	if (pos != run.len) {
		free(out);
		return cs_fail(err, "invalid encoding (%zu stray bytes after the last frame)", run.len - pos);
	}
	*frames = out;
	*count = n;
	return 0;
}

uint32_t frame_skip_count(const struct cs_frame *f)
{
	if (f->len != 4)
		return 0;
	return (uint32_t)f->data[0] | (uint32_t)f->data[1] << 8 |
	       (uint32_t)f->data[2] << 16 | (uint32_t)f->data[3] << 24;
}

unsigned char *plain_data(const struct cs_plain *p, size_t *len)
{
	size_t total = 0, off = 0;

	for (size_t i = 0; i < p->frame_count; i++)
		if (p->frames[i].id == CS_FRAME_DATA)
			total += p->frames[i].len;
	unsigned char *out = xmalloc(total + 1);
	for (size_t i = 0; i < p->frame_count; i++) {
		if (p->frames[i].id != CS_FRAME_DATA)
			continue;
		memcpy(out + off, p->frames[i].data, p->frames[i].len);
		off += p->frames[i].len;
	}
	out[total] = '\0';
	*len = total;
	return out;
}

static bool is_word_byte(unsigned char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t note(struct cs_digest *out, size_t cap, size_t n, const struct cs_digest *d)
{
	if (n < cap)
		out[n] = *d;
	return n + 1;
}

/* Go's regexp \bsha256:[a-f0-9]{64}\b, leftmost and non-overlapping. */
static size_t mentions_in_string(const unsigned char *s, size_t len,
				 struct cs_digest *out, size_t cap)
{
	size_t n = 0;
	struct cs_digest d;

	for (size_t i = 0; i + CS_DIGEST_STRLEN <= len; i++) {
		if (s[i] != 's' || memcmp(s + i, "sha256:", 7) != 0)
			continue;
		if (i > 0 && is_word_byte(s[i - 1]))
			continue;
		if (i + CS_DIGEST_STRLEN < len && is_word_byte(s[i + CS_DIGEST_STRLEN]))
			continue;
		if (digest_parse((const char *)s + i, CS_DIGEST_STRLEN, &d) < 0)
			continue;
		n = note(out, cap, n, &d);
		i += CS_DIGEST_STRLEN - 1;
	}
	return n;
}

/* The last "sha256:" of a part; NULL when there is none. */
static const unsigned char *last_sha256(const unsigned char *s, size_t len)
{
	for (size_t i = len >= 7 ? len - 7 + 1 : 0; i-- > 0;)
		if (memcmp(s + i, "sha256:", 7) == 0)
			return s + i;
	return NULL;
}

size_t plain_mentions(struct cs_bytes type, const unsigned char *data,
		      size_t len, struct cs_digest *out, size_t cap)
{
	bool digest_list = cs_bytes_eq(type, "digest-list");
	bool file_list = cs_bytes_eq(type, "file-list");
	size_t n = 0;
	struct cs_digest d;

	if (cs_bytes_eq(type, "string"))
		return mentions_in_string(data, len, out, cap);
	if (!digest_list && !file_list)
		return 0;
	/* split on NUL, as bytes.Split does: N separators make N + 1 parts */
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && data[i] != '\0')
			continue;
		const unsigned char *part = data + start;
		size_t part_len = i - start;
		if (file_list) {
			const unsigned char *at = last_sha256(part, part_len);
			if (at) {
				part_len -= (size_t)(at - part);
				part = at;
			} else {
				part_len = 0;
			}
		}
		if (digest_parse((const char *)part, part_len, &d) == 0)
			n = note(out, cap, n, &d);
		start = i + 1;
	}
	return n;
}

struct resolver {
	const struct cs_graph *g;
	const struct cs_digest *path[CS_PLAIN_MAX_DEPTH + 1];
	int depth;
	size_t records;
	struct cs_buf scratch;
};

static void plain_free_one(struct cs_plain *p);

/* Asks each store in turn; 1 found (P owns a copy of the run), 0 absent, -1 error. */
static int fetch_record(struct resolver *r, const struct cs_digest *d,
			struct cs_plain **out, struct cs_error *err)
{
	for (int i = 0; i < r->g->plain_count; i++) {
		struct cs_plainstore *s = r->g->plain[i];
		int found = s->ops->lookup(s, d, &r->scratch, err);
		if (found < 0)
			return -1;
		if (!found)
			continue;
		struct cs_plain *p = xcalloc(1, sizeof(*p));
		unsigned char *run = xmalloc(r->scratch.len ? r->scratch.len : 1);
		memcpy(run, r->scratch.data, r->scratch.len);
		p->digest = *d;
		p->run = run;
		if (frames_decode(cs_bytes_of(run, r->scratch.len), &p->type, &p->frames,
				  &p->frame_count, err) < 0) {
			char text[CS_DIGEST_STRLEN + 1];
			digest_format(d, text);
			plain_free_one(p);
			return cs_fail_context(err, "%s: plaintext %s", s->name, text);
		}
		*out = p;
		return 1;
	}
	return 0;
}

static bool on_path(const struct resolver *r, const struct cs_digest *d)
{
	for (int i = 0; i < r->depth; i++)
		if (digest_eq(r->path[i], d))
			return true;
	return false;
}

static int load_subrecords(struct resolver *r, struct cs_plain *p, struct cs_error *err)
{
	size_t len, cap = 64, found;
	unsigned char *data = plain_data(p, &len);
	struct cs_digest *mentions = xmalloc(cap * sizeof(*mentions));

	found = plain_mentions(p->type, data, len, mentions, cap);
	if (found > cap) {
		cap = found;
		mentions = xreallocarray(mentions, cap, sizeof(*mentions));
		plain_mentions(p->type, data, len, mentions, cap);
	}
	free(data);

	r->path[r->depth++] = &p->digest;
	int rc = 0;
	for (size_t i = 0; i < found; i++) {
		struct cs_plain *sub;
		if (on_path(r, &mentions[i]))
			continue;
		if (r->depth >= CS_PLAIN_MAX_DEPTH || r->records >= CS_PLAIN_MAX_RECORDS) {
			p->truncated = true;
			break;
		}
		int got = fetch_record(r, &mentions[i], &sub, err);
		if (got < 0) {
			rc = -1;
			break;
		}
		if (!got)
			continue;
		r->records++;
		p->subs = xreallocarray(p->subs, p->sub_count + 1, sizeof(*p->subs));
		p->subs[p->sub_count++] = sub;
		if (load_subrecords(r, sub, err) < 0) {
			rc = -1;
			break;
		}
		if (sub->truncated)
			p->truncated = true;
	}
	r->depth--;
	free(mentions);
	return rc;
}

int plain_resolve(const struct cs_graph *g, const struct cs_digest *d,
		  struct cs_plain **out, struct cs_error *err)
{
	struct resolver r = { .g = g };
	struct cs_plain *p = NULL;
	int found;

	*out = NULL;
	if (digest_eq(d, &digest_of_root_path)) {
		static const unsigned char slash_run[] = {
			0, 0, 0, 1, 0, 0, 0, 6, 's', 't', 'r', 'i', 'n', 'g',
			0, 0, 0, 2, 0, 0, 0, 1, '/',
		};
		p = xcalloc(1, sizeof(*p));
		p->digest = *d;
		p->run = xmalloc(sizeof(slash_run));
		memcpy(p->run, slash_run, sizeof(slash_run));
		frames_decode(cs_bytes_of(p->run, sizeof(slash_run)), &p->type, &p->frames,
			      &p->frame_count, NULL);
		*out = p;
		return 1;
	}
	found = fetch_record(&r, d, &p, err);
	if (found > 0 && load_subrecords(&r, p, err) < 0) {
		plain_free(p);
		found = -1;
	} else if (found > 0) {
		*out = p;
	}
	buf_free(&r.scratch);
	return found;
}

static void plain_free_one(struct cs_plain *p)
{
	free(p->frames);
	free(p->subs);
	free(p->run);
	free(p);
}

void plain_free(struct cs_plain *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->sub_count; i++)
		plain_free(p->subs[i]);
	plain_free_one(p);
}

int plain_resolve_node(const struct cs_graph *g, uint32_t n, struct cs_plain ***list,
		       uint32_t *count, struct cs_error *err)
{
	/* a record names its own digest and two per parent link */
	uint32_t cap = 1 + 2 * graph_parent_count(g, n);
	cs_dig *digests = xmalloc((size_t)cap * sizeof(*digests));
	uint32_t wanted = graph_plaintext_digests(g, n, digests, cap);
	struct cs_plain **out = xmalloc((size_t)(wanted ? wanted : 1) * sizeof(*out));
	uint32_t found = 0;

	for (uint32_t i = 0; i < wanted; i++) {
		int rc = plain_resolve(g, digests_at(&g->digests, digests[i]), &out[found], err);
		if (rc < 0) {
			plain_free_list(out, found);
			free(digests);
			return -1;
		}
		found += (uint32_t)rc;
	}
	free(digests);
	*list = out;
	*count = found;
	return 0;
}

void plain_free_list(struct cs_plain **list, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		plain_free(list[i]);
	free(list);
}
