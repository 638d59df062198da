/*
 * Unit tests of search: `:` by ID or digest prefix, `/` through every
 * plaintext and up the mentions to the nodes, cancelling, and what is
 * left of it afterwards.
 */
#include "core/search.h"
#include "core/xalloc.h"
#include "tests/tap.h"
#include "tests/test_graph.h"

#include <stdlib.h>
#include <string.h>

struct scene {
	struct cs_graph *g;
	struct cs_digest image, echo, cat, copy, selector;
	cs_node_id image_node, echo_node, cat_node, copy_node;
};

/*
 * An image; RUN echo on it; RUN cat on that; a COPY of /hello (selected
 * by a string-list) from the echo onto the image.
 */
static struct scene make_scene(void)
{
	struct test_graph *t = tg_new();
	struct scene s;

	tg_record(t, "string", "buildkit.source.v0:docker.io/library/alpine:3.22", &s.image);
	tg_record(t, "json", "{\"Type\":\"buildkit.exec.v0\",\"Exec\":{\"meta\":{\"args\":[\"/bin/sh\",\"-c\",\"echo Hello\"]}}}",
		  &s.echo);
	tg_record(t, "json", "{\"Type\":\"buildkit.exec.v0\",\"Exec\":{\"meta\":{\"args\":[\"cat\",\"/hello\"]}}}", &s.cat);
	tg_record(t, "json", "{\"Type\":\"buildkit.file.v0\",\"Actions\":[]}", &s.copy);
	tg_record(t, "string-list", "/greeting.txt", &s.selector);
	uint32_t image = tg_root(t, &s.image, false);
	uint32_t echo = tg_child(t, image, &s.echo, 0, NULL);
	tg_child(t, echo, &s.cat, 0, NULL);
	uint32_t copy = tg_child(t, image, &s.copy, 0, NULL);
	struct cs_digest link;
	digest_output_key(&s.copy, 0, &link);
	builder_link(t->b, echo, copy, 1, 0, digests_intern(&t->g->digests, &link),
		     digests_intern(&t->g->digests, &s.selector));
	s.g = tg_finish(t);
	s.image_node = tg_node_of(s.g, &s.image);
	s.echo_node = tg_node_of(s.g, &s.echo);
	s.cat_node = tg_node_of(s.g, &s.cat);
	s.copy_node = tg_node_of(s.g, &s.copy);
	return s;
}

static char *hex_of(const struct cs_digest *d, size_t n)
{
	char hex[65];

	digest_hex(d, hex);
	hex[n] = '\0';
	return xstrdup(hex);
}

static void test_goto(const struct scene *s)
{
	struct cs_digest link;
	char text[80];

	TAP_OK(search_goto(s->g, "2") == 1 && search_goto(s->g, "#2") == 1, "goto: an ID, with or without #");
	TAP_OK(search_goto(s->g, "0") == CS_NONE && search_goto(s->g, "99") == CS_NONE, "goto: IDs that are no record");

	const struct cs_digest *root = graph_digest(s->g, s->g->nodes[s->image_node].digest);
	char *hex = hex_of(root, 7);
	TAP_OK(search_goto(s->g, hex) == s->image_node, "goto: an odd-length prefix of a root's digest");
	snprintf(text, sizeof(text), "sha256:%s", hex);
	TAP_OK(search_goto(s->g, text) == s->image_node, "goto: with sha256:");
	for (char *p = hex; *p; p++)
		if (*p >= 'a')
			*p = (char)(*p - 'a' + 'A');
	TAP_OK(search_goto(s->g, hex) == s->image_node, "goto: capitals are fine");
	free(hex);

	digest_output_key(&s->cat, 0, &link);
	hex = hex_of(&link, 64);
	TAP_OK(search_goto(s->g, hex) == s->cat_node, "goto: a whole link digest goes to the node it leads to");
	free(hex);
	TAP_OK(search_goto(s->g, "xyz") == CS_NONE && search_goto(s->g, "") == CS_NONE, "goto: not hex, nothing");
	TAP_OK(search_goto(s->g, "00000000000000000000000000000000000000000000000000000000000000000") == CS_NONE,
	       "goto: longer than a digest, nothing");
}

static struct cs_search *run(const struct scene *s, const char *query)
{
	struct cs_search *found = search_new(s->g, query);
	struct cs_error err;

	if (search_run(found, NULL, NULL, &err) != 0)
		printf("# search failed: %s\n", err.msg);
	return found;
}

static void test_text(const struct scene *s)
{
	struct cs_search *f = run(s, "echo hello");
	TAP_OK(search_match_count(f) == 1 && search_matches(f, s->echo_node),
	       "text: a command is found through link -> op JSON, ignoring case when the query has no capitals");
	search_free(f);

	f = run(s, "ECHO");
	TAP_OK(search_match_count(f) == 0, "text: a query with capitals matches case");
	search_free(f);

	f = run(s, "Hello");
	TAP_OK(search_match_count(f) == 1 && search_matches(f, s->echo_node), "text: ... and finds it in that case");
	search_free(f);

	f = run(s, "alpine:3.22");
	TAP_OK(search_match_count(f) == 1 && search_matches(f, s->image_node), "text: a source, through its rootKey");
	search_free(f);

	f = run(s, "greeting");
	TAP_OK(search_match_count(f) == 1 && search_matches(f, s->copy_node), "text: a selector's paths");
	search_free(f);

	f = run(s, "buildkit.exec");
	TAP_OK(search_match_count(f) == 2 && search_matches(f, s->echo_node) && search_matches(f, s->cat_node),
	       "text: every node whose op says so");
	cs_node_id first = search_next(f, CS_NONE, true);
	cs_node_id second = search_next(f, first, true);
	TAP_OK(first != second && search_next(f, second, true) == first, "next: forward, wrapping");
	TAP_OK(search_next(f, first, false) == second, "next: backward, wrapping");
	TAP_STR_EQ(search_query(f), "buildkit.exec", "the query is kept");
	TAP_OK(search_graph(f) == s->g, "and the graph searched");
	uint64_t done, total;
	search_progress(f, &done, &total);
	TAP_OK(done == 9 && total == 9, "progress: every entry of the store read (%llu of %llu)",
	       (unsigned long long)done, (unsigned long long)total);
	search_free(f);

	struct cs_digest link;
	digest_output_key(&s->cat, 0, &link);
	char *hex = hex_of(&link, 10);
	f = run(s, hex);
	TAP_OK(search_match_count(f) == 1 && search_matches(f, s->cat_node), "text: a digest's own hex");
	free(hex);
	search_free(f);

	f = run(s, "nothing like this");
	TAP_OK(search_match_count(f) == 0 && search_next(f, 0, true) == CS_NONE, "text: no match, no next");
	search_free(f);
}

static bool cancel_at_once(void *ctx)
{
	int *polls = ctx;

	(*polls)++;
	return true;
}

static void test_cancel(void)
{
	struct test_graph *t = tg_new();
	struct cs_digest d;
	char text[32];
	int polls = 0;

	/* enough entries for the search to poll */
	for (int i = 0; i < 5000; i++) {
		snprintf(text, sizeof(text), "entry %d", i);
		tg_record(t, "string", text, &d);
	}
	tg_root(t, &d, false);
	struct cs_graph *g = tg_finish(t);
	struct cs_search *s = search_new(g, "entry");
	struct cs_error err;
	TAP_OK(search_run(s, cancel_at_once, &polls, &err) == 1 && polls == 1, "a search polls, and a poll cancels it");
	uint64_t done, total;
	search_progress(s, &done, &total);
	TAP_OK(done < 5000 && total == 5001, "cancelled part way (%llu of %llu read)", (unsigned long long)done,
	       (unsigned long long)total);
	search_free(s);
	graph_free(g);
}

/*
 * A store a writer keeps changing: its first walks see a torn entry (one
 * that says "zebra" of the echo op) and then report the change, as a live
 * cache-debug.db does; later walks are the real store's.
 */
struct changing_store {
	struct cs_plainstore base;
	struct cs_plainstore *real;
	const struct cs_digest *torn_digest;
	int torn_walks;
	int walks;
};

static int changing_lookup(struct cs_plainstore *base, const struct cs_digest *d, struct cs_buf *out,
			   struct cs_error *err)
{
	struct changing_store *c = (struct changing_store *)base;

	return c->real->ops->lookup(c->real, d, out, err);
}

static int64_t changing_count(struct cs_plainstore *base, struct cs_error *err)
{
	struct changing_store *c = (struct changing_store *)base;

	return c->real->ops->count(c->real, err);
}

static int changing_each(struct cs_plainstore *base, cs_plain_visit_fn fn, void *ctx, struct cs_error *err)
{
	struct changing_store *c = (struct changing_store *)base;

	c->walks++;
	if (c->walks > c->torn_walks)
		return c->real->ops->each(c->real, fn, ctx, err);
	struct cs_buf run = CS_BUF_INIT;
	const char *torn = "{\"Type\":\"buildkit.exec.v0\",\"Exec\":{\"meta\":{\"args\":[\"zebra\"]}}}";
	tg_frame(&run, CS_FRAME_TYPE, "json", 4);
	tg_frame(&run, CS_FRAME_DATA, torn, strlen(torn));
	int rc = fn(ctx, c->torn_digest, cs_bytes_of(run.data, run.len), err);
	buf_free(&run);
	return rc < 0 ? -1 : CS_PLAIN_CHANGED;
}

static const struct cs_plainstore_ops changing_ops = {
	.lookup = changing_lookup,
	.count = changing_count,
	.each = changing_each,
};

static void test_changing_store(struct scene *s)
{
	struct changing_store c = { { &changing_ops, "changing" }, s->g->plain[0], &s->echo, 2, 0 };
	struct cs_error err = { "" };

	s->g->plain[0] = &c.base;
	struct cs_search *f = search_new(s->g, "zebra");
	TAP_OK(search_run(f, NULL, NULL, &err) == 0 && search_match_count(f) == 0 && c.walks == 3,
	       "a store that changed under the search is walked again, and what the torn walks saw is forgotten (%d walks)",
	       c.walks);
	search_free(f);
	c.walks = 0;
	f = search_new(s->g, "echo hello");
	TAP_OK(search_run(f, NULL, NULL, &err) == 0 && search_match_count(f) == 1 && search_matches(f, s->echo_node),
	       "... and what the last walk saw is found");
	search_free(f);
	c.walks = 0;
	c.torn_walks = 1000;
	f = search_new(s->g, "echo");
	TAP_OK(search_run(f, NULL, NULL, &err) < 0 && strstr(err.msg, "kept changing") && c.walks < 10,
	       "a store that never holds still: an error after a few walks (%d): %s", c.walks, err.msg);
	search_free(f);
	s->g->plain[0] = c.real;
}

int main(void)
{
	struct scene s = make_scene();

	test_goto(&s);
	test_text(&s);
	test_changing_store(&s);
	graph_free(s.g);
	test_cancel();
	return tap_done();
}
