/*
 * Live daemons: what `buildkitd --debugaddr` serves (cmd/buildkitd/debug.go).
 *
 *   GET  /debug/cache/store            the local store, plaintexts included
 *   POST /debug/cache/load             a cache config in, the same records out
 *   GET  /debug/cache/lookup?digest=   one plaintext with its sub-records
 *
 * With Accept: application/json each plaintext is a cachedigest Record,
 * {"digest","type","data":[{"type":<frame id>,"data":"<base64>"}],
 * "subRecords":[...]}, which we turn back into the frame run the daemon
 * stores ([1][len]type, then each frame) so plaintext.c reads it as it
 * reads a cache-debug.db.
 */
#include "base64.h"
#include "input.h"
#include "plaintext.h"
#include "plainstore.h"
#include "readers.h"
#include "remote.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A store's answer can be large (a build farm's cache); --max-size still wins when given. */
#define DAEMON_MAX_ANSWER ((int64_t)4 << 30)

void remote_http_config(const struct cs_load_options *opt, struct cs_http_config *out)
{
	memset(out, 0, sizeof(*out));
	if (!opt)
		return;
	out->cacert = opt->cacert;
	out->plain_http = opt->plain_http;
	out->timeout = opt->timeout;
	out->max_size = opt->max_size;
	out->progress = opt->progress;
}

/* ---- addresses ---- */

bool daemon_is_address(const char *source)
{
	return strncmp(source, "http://", 7) == 0 || strncmp(source, "https://", 8) == 0 ||
	       strncmp(source, "tcp://", 6) == 0 || strncmp(source, "unix://", 7) == 0;
}

struct daemon {
	struct cs_http *http;
	char *base;    /* "http://host:port[/prefix]" without a trailing slash */
	char *socket;  /* unix:// addresses: the socket path */
	char *name;    /* for messages: the address without anything secret */
};

static int daemon_open(struct daemon *d, const char *addr, const struct cs_load_options *opt,
		       int64_t default_limit, struct cs_error *err)
{
	struct cs_http_config cfg;
	char shown[300];

	memset(d, 0, sizeof(*d));
	remote_http_config(opt, &cfg);
	if (cfg.max_size <= 0)
		cfg.max_size = default_limit;
	if (strncmp(addr, "unix://", 7) == 0) {
		if (addr[7] == '\0')
			return cs_fail(err, "%s: no socket path", addr);
		d->socket = xstrdup(addr + 7);
		d->base = xstrdup("http://localhost");
		d->name = xstrdup(addr);
	} else {
		/*
		 * buildkitd takes tcp://HOST:PORT for --debugaddr and serves plain
		 * HTTP there, nothing else: an address the user wrote as http://
		 * or tcp:// is their choice of plain HTTP, to any host.
		 */
		d->base = strncmp(addr, "tcp://", 6) == 0 ? xasprintf("http://%s", addr + 6) : xstrdup(addr);
		cfg.plain_http = cfg.plain_http || strncmp(d->base, "http://", 7) == 0;
		size_t n = strlen(d->base), tail = strlen("/debug/cache/store");
		while (n > 0 && d->base[n - 1] == '/')
			d->base[--n] = '\0';
		/* the URL one would curl names the endpoint too: the address is what precedes it */
		if (n > tail && strcmp(d->base + n - tail, "/debug/cache/store") == 0)
			d->base[n -= tail] = '\0';
		http_url_for_message(d->base, shown, sizeof(shown));
		/* the port and path are always shown; trim a trailing "/" for a readable name */
		n = strlen(shown);
		if (n > 1 && shown[n - 1] == '/')
			shown[n - 1] = '\0';
		d->name = xstrdup(shown);
	}
	d->http = http_new(&cfg);
	return 0;
}

static void daemon_close(struct daemon *d)
{
	http_free(d->http);
	free(d->base);
	free(d->socket);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

/* The first line of an error answer (Go's http.Error text), for messages. */
static void answer_text(const struct cs_http_response *resp, char *out, size_t size)
{
	size_t n = resp->body.len ? strcspn(resp->body.data, "\r\n") : 0;

	snprintf(out, size, "%.*s", (int)(n < 160 ? n : 160), resp->body.len ? resp->body.data : "");
}

static int daemon_call(struct daemon *d, const char *method, const char *path, const void *body,
		       size_t body_len, const char *label, struct cs_http_response *resp,
		       struct cs_error *err)
{
	char *url = xasprintf("%s%s", d->base, path);
	struct cs_http_request req = {
		.method = method, .url = url, .accept = "application/json",
		.content_type = body ? "application/json" : NULL, .body = body, .body_len = body_len,
		.unix_socket = d->socket, .label = label,
	};
	int rc = http_do(d->http, &req, resp, err);

	free(url);
	return rc;
}

/* ---- the store ---- */

int read_daemon(struct cs_graph *g, const char *addr, const struct cs_load_options *opt,
		struct cs_error *err)
{
	struct daemon d;
	struct cs_http_response resp;
	double start = cs_now();
	int rc;

	if (daemon_open(&d, addr, opt, DAEMON_MAX_ANSWER, err) < 0)
		return -1;
	char *label = xasprintf("%s: /debug/cache/store", d.name);
	rc = daemon_call(&d, "GET", "/debug/cache/store", NULL, 0, label, &resp, err);
	free(label);
	if (rc < 0) {
		cs_fail_context(err, "%s: /debug/cache/store", d.name);
		daemon_close(&d);
		return -1;
	}
	if (resp.status != 200) {
		char why[200];
		answer_text(&resp, why, sizeof(why));
		rc = cs_fail(err, "%s: /debug/cache/store: %s%s%s%s", d.name, http_status_text(resp.status),
			     why[0] ? ": " : "", why,
			     resp.status == 404 ? " (is this a buildkitd --debugaddr?)" : "");
	} else if (resp.body.len == 0) {
		rc = cs_fail(err, "%s: /debug/cache/store: empty answer", d.name);
	}
	if (rc == 0) {
		struct cs_input in = { .name = xstrdup(d.name) };
		size_t len;
		char *body = buf_detach(&resp.body, &len);
		size_t i = strspn(body, " \t\r\n");
		in.data = cs_bytes_of(body, len);
		graph_phase(g, "fetch /debug/cache/store", start);
		/* asked for JSON; a daemon that answers text anyway is read as text */
		rc = i + 4 <= len && memcmp(body + i, "ID: ", 4) == 0 ? read_debug_text(g, &in, err)
								       : read_debug_json(g, &in, err);
		if (rc == 0)
			g->kind = "live daemon";
	}
	http_response_free(&resp);
	daemon_close(&d);
	return rc;
}

/* ---- plaintexts from the daemon ---- */

struct daemon_plainstore {
	struct cs_plainstore base;
	struct daemon d;
	struct cs_plainstore *cache;  /* every record the daemon sent, sub-records included */
	struct cs_digests missing;    /* digests the daemon said it does not have */
	struct cs_buf run;            /* scratch: one record's frame run */
};

static void put_u32(struct cs_buf *b, uint32_t v)
{
	unsigned char be[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
				(unsigned char)v };

	buf_add(b, be, 4);
}

/* One Record's frames, as the daemon stores them: the type frame first, then data and skips. */
static int record_run(json_t *rec, struct cs_buf *run, struct cs_error *err)
{
	json_t *type = json_object_get(rec, "type"), *frames = json_object_get(rec, "data");
	struct cs_buf data = CS_BUF_INIT;

	buf_reset(run);
	if ((type && !json_is_string(type)) || (frames && !json_is_array(frames)))
		return cs_fail(err, "a plaintext record with a malformed type or data");
	put_u32(run, CS_FRAME_TYPE);
	put_u32(run, (uint32_t)json_string_length(type));
	buf_add(run, json_string_value(type) ? json_string_value(type) : "", json_string_length(type));
	for (size_t i = 0; i < json_array_size(frames); i++) {
		json_t *f = json_array_get(frames, i), *id = json_object_get(f, "type"), *bytes = json_object_get(f, "data");
		buf_reset(&data);
		if (!json_is_integer(id) || json_integer_value(id) <= 0 || json_integer_value(id) > UINT32_MAX ||
		    (bytes && !json_is_string(bytes)) ||
		    (bytes && base64_decode(&data, json_string_value(bytes), json_string_length(bytes)) < 0) ||
		    data.len > UINT32_MAX) {
			buf_free(&data);
			return cs_fail(err, "a plaintext record with a malformed frame");
		}
		put_u32(run, (uint32_t)json_integer_value(id));
		put_u32(run, (uint32_t)data.len);
		buf_add(run, data.data, data.len);
	}
	buf_free(&data);
	return 0;
}

/* Keeps REC and its sub-records (iteratively: a hostile answer may nest deep). */
static int keep_records(struct daemon_plainstore *s, json_t *rec, struct cs_error *err)
{
	json_t **stack = NULL;
	size_t depth = 0, cap = 0;
	int rc = 0;

	XGROW(stack, cap, 1);
	stack[depth++] = rec;
	while (depth && rc == 0) {
		json_t *r = stack[--depth], *dg = json_object_get(r, "digest");
		json_t *subs = json_object_get(r, "subRecords");
		struct cs_digest d;
		if (!json_is_object(r) || !json_is_string(dg) ||
		    digest_parse(json_string_value(dg), json_string_length(dg), &d) < 0) {
			rc = cs_fail(err, "a plaintext record without a sha256 digest");
			break;
		}
		rc = record_run(r, &s->run, err);
		if (rc == 0)
			plainstore_memory_add(s->cache, &d, s->run.data, s->run.len);
		for (size_t i = json_array_size(subs); i-- > 0 && rc == 0;) {
			XGROW(stack, cap, depth + 1);
			stack[depth++] = json_array_get(subs, i);
		}
	}
	free(stack);
	return rc;
}

static bool says_not_found(const struct cs_http_response *resp)
{
	return resp->status == 500 && resp->body.data && strstr(resp->body.data, "not found");
}

static int daemon_lookup(struct cs_plainstore *base, const struct cs_digest *d, struct cs_buf *out,
			 struct cs_error *err)
{
	struct daemon_plainstore *s = (struct daemon_plainstore *)base;
	char text[CS_DIGEST_STRLEN + 1], path[128];
	struct cs_http_response resp;
	int rc = s->cache->ops->lookup(s->cache, d, out, err);

	if (rc != 0 || digests_find(&s->missing, d) != CS_DIG_NONE)
		return rc;
	digest_format(d, text);
	snprintf(path, sizeof(path), "/debug/cache/lookup?digest=%s", text);
	if (daemon_call(&s->d, "GET", path, NULL, 0, NULL, &resp, err) < 0)
		return cs_fail_context(err, "%s: lookup %s", s->d.name, text);
	if (says_not_found(&resp)) {
		digests_intern(&s->missing, d);
		rc = 0;
	} else if (resp.status != 200) {
		char why[200];
		answer_text(&resp, why, sizeof(why));
		rc = cs_fail(err, "%s: lookup %s: %s%s%s", s->d.name, text, http_status_text(resp.status),
			     why[0] ? ": " : "", why);
	} else {
		json_t *rec = json_loadb(resp.body.data, resp.body.len, 0, NULL);
		rc = rec ? keep_records(s, rec, err) : cs_fail(err, "not JSON");
		json_decref(rec);
		if (rc < 0)
			cs_fail_context(err, "%s: lookup %s", s->d.name, text);
		else if ((rc = s->cache->ops->lookup(s->cache, d, out, err)) == 0)
			digests_intern(&s->missing, d); /* it answered for another digest */
	}
	http_response_free(&resp);
	return rc;
}

/* Only what has been fetched so far: the daemon cannot count its plaintexts for us. */
static int64_t daemon_count(struct cs_plainstore *base, struct cs_error *err)
{
	struct daemon_plainstore *s = (struct daemon_plainstore *)base;

	return s->cache->ops->count(s->cache, err);
}

static int daemon_each(struct cs_plainstore *base, cs_plain_visit_fn fn, void *ctx, struct cs_error *err)
{
	struct daemon_plainstore *s = (struct daemon_plainstore *)base;

	return s->cache->ops->each(s->cache, fn, ctx, err);
}

static void daemon_store_close(struct cs_plainstore *base)
{
	struct daemon_plainstore *s = (struct daemon_plainstore *)base;

	plainstore_close(s->cache);
	digests_free(&s->missing);
	buf_free(&s->run);
	daemon_close(&s->d);
	free(s->base.name);
	free(s);
}

/* Lookups one by one: nothing to list (search then covers the other stores). */
static const struct cs_plainstore_ops lookup_ops = {
	.lookup = daemon_lookup,
	.count = daemon_count,
	.each = NULL,
	.close = daemon_store_close,
};

/* After a /debug/cache/load answer: everything the daemon knows of this cache is here. */
static const struct cs_plainstore_ops loaded_ops = {
	.lookup = daemon_lookup,
	.count = daemon_count,
	.each = daemon_each,
	.close = daemon_store_close,
};

/* POSTs the cache config; every record's plaintexts go into the cache. */
static int load_config(struct daemon_plainstore *s, struct cs_bytes config, struct cs_error *err)
{
	struct cs_http_response resp;
	char *label = xasprintf("%s: /debug/cache/load", s->d.name);
	int rc = daemon_call(&s->d, "POST", "/debug/cache/load", config.ptr, config.len, label, &resp, err);

	free(label);
	if (rc < 0)
		return cs_fail_context(err, "%s: /debug/cache/load", s->d.name);
	if (resp.status == 404 || resp.status == 405) {
		rc = 1; /* an older daemon: lookups will do */
	} else if (resp.status != 200) {
		char why[200];
		answer_text(&resp, why, sizeof(why));
		rc = cs_fail(err, "%s: /debug/cache/load: %s%s%s", s->d.name, http_status_text(resp.status),
			     why[0] ? ": " : "", why);
	} else {
		json_t *records = json_loadb(resp.body.data, resp.body.len, 0, NULL);
		if (!json_is_array(records))
			rc = cs_fail(err, "%s: /debug/cache/load: the answer is not a JSON array", s->d.name);
		for (size_t i = 0; rc == 0 && i < json_array_size(records); i++) {
			json_t *debug = json_object_get(json_array_get(records, i), "debug");
			for (size_t k = 0; rc == 0 && k < json_array_size(debug); k++)
				rc = keep_records(s, json_array_get(debug, k), err);
		}
		if (rc < 0 && json_is_array(records))
			cs_fail_context(err, "%s: /debug/cache/load", s->d.name);
		json_decref(records);
	}
	http_response_free(&resp);
	return rc;
}

static bool has_daemon_store(const struct cs_graph *g)
{
	for (int i = 0; i < g->plain_count; i++)
		if (g->plain[i]->ops == &lookup_ops || g->plain[i]->ops == &loaded_ops)
			return true;
	return false;
}

int daemon_add_plaintexts(struct cs_graph *g, const char *addr, const struct cs_load_options *opt,
			  struct cs_bytes cacheconfig, struct cs_error *err)
{
	struct daemon_plainstore *s;
	double start = cs_now();

	if (has_daemon_store(g))
		return 0;
	if (!daemon_is_address(addr))
		return cs_fail(err, "--addr %.200s: want http://HOST:PORT, tcp://HOST:PORT or unix:///PATH", addr);
	s = xcalloc(1, sizeof(*s));
	if (daemon_open(&s->d, addr, opt, DAEMON_MAX_ANSWER, err) < 0) {
		free(s);
		return -1;
	}
	s->base.ops = &lookup_ops;
	s->base.name = xstrdup(s->d.name);
	s->cache = plainstore_memory_new(s->d.name);
	digests_init(&s->missing);
	if (cacheconfig.len) {
		int rc = load_config(s, cacheconfig, err);
		if (rc < 0) {
			daemon_store_close(&s->base);
			return -1;
		}
		if (rc == 0)
			s->base.ops = &loaded_ops;
		graph_phase(g, "fetch /debug/cache/load", start);
	}
	graph_add_plainstore(g, &s->base);
	return 0;
}
