#include "registry.h"
#include "cache_image.h"
#include "docker_config.h"
#include "registry_auth.h"
#include "remote.h"
#include "xalloc.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- references ---- */

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ joined by ".", "_", "__" or a run of "-". */
static bool path_component_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0;
		while (i < n && is_lower_alnum(s[i])) {
			i++;
			run++;
		}
		if (run == 0)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n)
			return false; /* a separator must be followed by more */
	}
	return false;
}

static bool path_ok(const char *s, size_t n)
{
	if (n == 0 || n > CS_REFERENCE_MAX_PATH)
		return false;
	while (n) {
		const char *slash = memchr(s, '/', n);
		size_t part = slash ? (size_t)(slash - s) : n;
		if (!path_component_ok(s, part))
			return false;
		if (!slash)
			return true;
		s += part + 1;
		n -= part + 1;
		if (n == 0)
			return false;
	}
	return false;
}

static bool label_ok(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool port_ok(const char *s, size_t n)
{
	unsigned long v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v > 0 && v <= 65535;
}

/* host[:port], the host a DNS name or a bracketed IPv6 address. */
static bool domain_ok(const char *s, size_t n)
{
	const char *end = s + n, *host_end;

	if (n == 0 || n > 255)
		return false;
	if (s[0] == '[') {
		host_end = memchr(s, ']', n);
		if (!host_end || host_end == s + 1)
			return false;
		for (const char *p = s + 1; p < host_end; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return false;
		host_end++;
	} else {
		host_end = memchr(s, ':', n);
		if (!host_end)
			host_end = end;
		for (const char *p = s; p < host_end;) {
			const char *dot = memchr(p, '.', (size_t)(host_end - p));
			const char *label_end = dot ? dot : host_end;
			if (!label_ok(p, (size_t)(label_end - p)))
				return false;
			p = dot ? dot + 1 : host_end;
			if (dot && p == host_end)
				return false;
		}
	}
	if (host_end == end)
		return true;
	return *host_end == ':' && port_ok(host_end + 1, (size_t)(end - host_end - 1));
}

static bool tag_ok(const char *s, size_t n)
{
	if (n == 0 || n > CS_REFERENCE_MAX_TAG || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/*
 * Docker's rule for whether the first component is a registry: it has a
 * '.' or a ':', is "localhost", or has upper case (which a repository
 * never has).
 */
static bool looks_like_domain(const char *s, size_t n)
{
	if (memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && memcmp(s, "localhost", 9) == 0))
		return true;
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return true;
	return false;
}

static int parse_digest_part(const char *digest, struct cs_reference *out, struct cs_error *err)
{
	struct cs_digest d;

	if (digest_parse(digest, strlen(digest), &d) < 0) {
		if (strncmp(digest, "sha256:", 7) != 0 && strchr(digest, ':'))
			return cs_fail(err, "only sha256 digests are supported");
		return cs_fail(err, "@%.80s is not a sha256 digest", digest);
	}
	out->digest = xstrdup(digest);
	return 0;
}

static int split_name(const char *name, size_t n, struct cs_reference *out, struct cs_error *err)
{
	const char *slash = memchr(name, '/', n);
	size_t first = slash ? (size_t)(slash - name) : n;

	if (slash && looks_like_domain(name, first)) {
		if (!domain_ok(name, first))
			return cs_fail(err, "\"%.*s\" is not a registry host", (int)(first < 100 ? first : 100), name);
		out->domain = xstrndup(name, first);
		if (strcasecmp(out->domain, "index.docker.io") == 0) {
			free(out->domain);
			out->domain = xstrdup("docker.io");
		}
		name += first + 1;
		n -= first + 1;
	} else {
		out->domain = xstrdup("docker.io");
	}
	if (strcmp(out->domain, "docker.io") == 0 && !memchr(name, '/', n))
		out->path = xasprintf("library/%.*s", (int)n, name);
	else
		out->path = xstrndup(name, n);
	if (!path_ok(out->path, strlen(out->path))) {
		for (const char *p = out->path; *p; p++)
			if (isupper((unsigned char)*p))
				return cs_fail(err, "repository names are lower case");
		return cs_fail(err, "\"%.*s\" is not a repository name", (int)(n < 100 ? n : 100), name);
	}
	out->host = xstrdup(strcmp(out->domain, "docker.io") == 0 ? "registry-1.docker.io" : out->domain);
	return 0;
}

int reference_parse(const char *text, struct cs_reference *out, struct cs_error *err)
{
	size_t len = strlen(text);
	const char *at = strchr(text, '@');
	const char *name_end = at ? at : text + len;
	const char *last_slash, *colon;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return cs_fail(err, "empty image reference");
	if (len > 1024)
		return cs_fail(err, "image reference longer than 1024 bytes");
	if (at && parse_digest_part(at + 1, out, err) < 0)
		goto bad;
	last_slash = memrchr(text, '/', (size_t)(name_end - text));
	colon = memrchr(last_slash ? last_slash : text, ':', (size_t)(name_end - (last_slash ? last_slash : text)));
	if (colon) {
		if (!tag_ok(colon + 1, (size_t)(name_end - colon - 1))) {
			cs_fail(err, "\"%.*s\" is not a tag", (int)(name_end - colon - 1 < 100 ? name_end - colon - 1 : 100),
				colon + 1);
			goto bad;
		}
		out->tag = xstrndup(colon + 1, (size_t)(name_end - colon - 1));
		name_end = colon;
	}
	if (name_end == text) {
		cs_fail(err, "image reference without a name");
		goto bad;
	}
	if (split_name(text, (size_t)(name_end - text), out, err) < 0)
		goto bad;
	if (!out->tag && !out->digest)
		out->tag = xstrdup("latest");
	return 0;
bad:
	rc = -1;
	reference_free(out);
	return rc;
}

void reference_free(struct cs_reference *r)
{
	free(r->domain);
	free(r->host);
	free(r->path);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

char *reference_string(const struct cs_reference *r)
{
	return xasprintf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "", r->tag ? r->tag : "",
			 r->digest ? "@" : "", r->digest ? r->digest : "");
}

/* ---- the distribution API ---- */

#define MANIFEST_TYPES                                                                        \
	CS_MEDIA_OCI_INDEX ", " CS_MEDIA_OCI_MANIFEST ", " CS_MEDIA_DOCKER_LIST ", "            \
	CS_MEDIA_DOCKER_MANIFEST

struct registry {
	struct cs_http *http;
	const char *name;               /* the reference as the user wrote it */
	struct cs_reference ref;
	const char *scheme;             /* "https", or "http" where allowed */
	bool scheme_settled;            /* a first answer came: no more falling back */
	char *authorization;            /* "Bearer ..." or "Basic ...", once we have it */
	char auth_source[320];          /* how we authenticated, for "unauthorized (...)" */
	struct cs_credentials cred;
	int cred_state;                 /* 0 not read yet, 1 have some, 2 none */
	struct cs_digests manifests;    /* digests an index lists as manifests: fetched as manifests */
	struct cs_digest cacheconfig;   /* the cache config blob, when the cache has one */
	bool has_cacheconfig;
	struct cs_buf *cacheconfig_out;
};

static char *api_url(const struct registry *r, const char *kind, const char *object)
{
	return xasprintf("%s://%s/v2/%s/%s/%s", r->scheme, r->ref.host, r->ref.path, kind, object);
}

static int load_credentials(struct registry *r, struct cs_error *err)
{
	int rc;

	if (r->cred_state)
		return 0;
	rc = docker_credentials(r->ref.domain, http_config(r->http)->timeout, &r->cred, err);
	if (rc < 0)
		return -1;
	r->cred_state = rc == 1 ? 1 : 2;
	return 0;
}

/* Adds " (anonymous: ...)" to a refusal when we had no credentials to offer. */
static void note_anonymous(const struct registry *r, struct cs_error *err)
{
	char config[300];
	size_t n = strlen(err->msg);

	if (r->cred_state == 1)
		return;
	docker_config_path(config, sizeof(config));
	snprintf(err->msg + n, sizeof(err->msg) - n, " (anonymous: %.200s has no credentials for %.100s)",
		 config, r->ref.domain);
}

static int use_bearer(struct registry *r, const struct cs_auth_challenge *bearer, struct cs_error *err)
{
	char *scope = xasprintf("repository:%s:pull", r->ref.path), *token = NULL;
	const char *realm = auth_param(bearer, "realm");
	int rc = auth_fetch_token(r->http, bearer, scope, r->cred_state == 1 ? &r->cred : NULL, &token, err);

	free(scope);
	if (rc < 0) {
		note_anonymous(r, err);
		return -1;
	}
	secret_free(r->authorization);
	r->authorization = xasprintf("Bearer %s", token);
	secret_free(token);
	if (realm) {
		char shown[300];
		http_url_for_message(realm, shown, sizeof(shown));
		snprintf(r->auth_source, sizeof(r->auth_source), "token from %.280s%s", shown,
			 r->cred_state == 1 ? "" : ", anonymous");
	}
	return 0;
}

/* Answers a 401: reads the challenges and gets what they ask for. */
static int authenticate(struct registry *r, const char *challenges, struct cs_error *err)
{
	struct cs_auth_challenges list;
	const struct cs_auth_challenge *bearer, *basic;
	char config[300];
	int rc;

	if (!challenges || auth_parse_challenges(challenges, strlen(challenges), &list) < 0)
		return cs_fail(err, "unauthorized (and the registry's WWW-Authenticate is missing or unreadable)");
	if (load_credentials(r, err) < 0) {
		auth_challenges_free(&list);
		return -1;
	}
	bearer = auth_find_challenge(&list, "bearer");
	basic = auth_find_challenge(&list, "basic");
	docker_config_path(config, sizeof(config));
	if (bearer) {
		rc = use_bearer(r, bearer, err);
	} else if (basic && r->cred_state == 1 && r->cred.password) {
		secret_free(r->authorization);
		r->authorization = auth_basic_header(&r->cred);
		snprintf(r->auth_source, sizeof(r->auth_source), "basic, as in %s", config);
		rc = 0;
	} else if (basic) {
		rc = cs_fail(err, "unauthorized: the registry wants a user name and password, and %s has none "
			     "for %s", config, r->ref.domain);
	} else {
		rc = cs_fail(err, "unauthorized: the registry asks for %s authentication, which cachescope "
			     "does not speak", list.items[0].scheme);
	}
	auth_challenges_free(&list);
	return rc;
}

/* The host of HOST[:PORT] (brackets kept for IPv6) is this machine. */
static bool local_host(const struct registry *r)
{
	const char *h = r->ref.host;
	size_t n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":");
	char host[300];

	snprintf(host, sizeof(host), "%.*s", (int)(n < sizeof(host) - 1 ? n : sizeof(host) - 1), h);
	return http_host_is_local(host);
}

/*
 * One GET with everything around it: the https-then-http fallback docker
 * allows on this machine (only when the server does not speak TLS at all:
 * a certificate it fails to prove is an error, never a downgrade), and
 * authentication when the registry answers 401 (once per request, so an
 * expired token is renewed). STEP names the request in errors of the
 * transport ("manifest: cannot connect ..."); errors of authentication
 * name their own step ("token from ...").
 */
static int registry_get(struct registry *r, const char *step, const char *kind, const char *object,
			const char *accept, const char *label, struct cs_http_response *resp,
			struct cs_error *err)
{
	bool authenticated = false;

	for (;;) {
		char *url = api_url(r, kind, object);
		struct cs_http_request req = {
			.url = url, .accept = accept, .authorization = r->authorization, .label = label,
		};
		int rc = http_do(r->http, &req, resp, err);
		free(url);
		if (rc < 0 && !r->scheme_settled && strcmp(r->scheme, "https") == 0 &&
		    http_last_failure(r->http) == HTTP_FAILED_NOT_TLS && local_host(r)) {
			r->scheme = "http";
			continue;
		}
		if (rc < 0)
			return cs_fail_context(err, "%s", step);
		r->scheme_settled = true;
		if (resp->status != 401 || authenticated)
			return 0;
		authenticated = true;
		char *challenges = resp->www_authenticate ? xstrdup(resp->www_authenticate) : NULL;
		http_response_free(resp);
		rc = authenticate(r, challenges, err);
		free(challenges);
		if (rc < 0)
			return -1;
	}
}

/* A registry error's code ("MANIFEST_UNKNOWN"), or "". */
static void error_code(const struct cs_buf *body, char *out, size_t size)
{
	json_t *root = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
	const char *code = json_string_value(json_object_get(json_array_get(json_object_get(root, "errors"), 0),
							    "code"));

	snprintf(out, size, "%.60s", code ? code : "");
	json_decref(root);
}

/* Words for an answer that is not the object: what it means for this step. */
static int refused(const struct registry *r, const struct cs_http_response *resp, const char *what,
		   struct cs_error *err)
{
	char message[200], code[64];

	auth_error_text(&resp->body, message, sizeof(message));
	error_code(&resp->body, code, sizeof(code));
	if (resp->status == 401 || resp->status == 403)
		return cs_fail(err, "%s (%s)", resp->status == 401 ? "unauthorized" : "denied",
			       r->auth_source[0] ? r->auth_source : "anonymous");
	if (resp->status == 404 && strcmp(code, "NAME_UNKNOWN") == 0)
		return cs_fail(err, "unknown repository %s", r->ref.path);
	if (resp->status == 404)
		return cs_fail(err, "%s: not found%s%s", what, message[0] ? ": " : "", message);
	if (resp->retry_after && (resp->status == 429 || resp->status >= 500)) {
		double wait = http_retry_after(resp->retry_after);
		return cs_fail(err, "%s: %s (the registry says retry after %.0f s)", what,
			       http_status_text(resp->status), wait < 0 ? 0 : wait);
	}
	return cs_fail(err, "%s: %s%s%s", what, http_status_text(resp->status), message[0] ? ": " : "",
		       message);
}

/*
 * The manifest's media type from its Content-Type, when it is one of the
 * four we asked for; NULL lets the content decide (some registries answer
 * application/json).
 */
static char *manifest_media_type(const char *content_type)
{
	static const char *const known[] = {
		CS_MEDIA_OCI_INDEX, CS_MEDIA_OCI_MANIFEST, CS_MEDIA_DOCKER_LIST, CS_MEDIA_DOCKER_MANIFEST,
	};
	size_t n = content_type ? strcspn(content_type, "; \t") : 0;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (n == strlen(known[i]) && strncasecmp(content_type, known[i], n) == 0)
			return xstrdup(known[i]);
	return NULL;
}

static bool is_manifest_type(const char *type)
{
	return strcmp(type, CS_MEDIA_OCI_INDEX) == 0 || strcmp(type, CS_MEDIA_OCI_MANIFEST) == 0 ||
	       strcmp(type, CS_MEDIA_DOCKER_LIST) == 0 || strcmp(type, CS_MEDIA_DOCKER_MANIFEST) == 0;
}

/*
 * Notes what the top object says about the rest: which digests it lists
 * as manifests (those are fetched from /manifests/, a registry does not
 * serve them as blobs) and which blob is the cache config.
 */
static void survey_top(struct registry *r, const struct cs_buf *top)
{
	json_t *root = json_loadb(top->data, top->len, 0, NULL);
	json_t *manifests = json_object_get(root, "manifests"), *config = json_object_get(root, "config");

	for (size_t i = 0; i < json_array_size(manifests); i++) {
		json_t *m = json_array_get(manifests, i);
		const char *type = json_string_value(json_object_get(m, "mediaType"));
		json_t *dg = json_object_get(m, "digest");
		struct cs_digest d;
		if (!json_is_string(dg) || digest_parse(json_string_value(dg), json_string_length(dg), &d) < 0)
			continue;
		if (type && strcmp(type, CS_MEDIA_CACHECONFIG) == 0) {
			r->cacheconfig = d;
			r->has_cacheconfig = true;
		} else if (!type || is_manifest_type(type)) {
			digests_intern(&r->manifests, &d);
		}
	}
	json_t *dg = json_object_get(config, "digest");
	const char *type = json_string_value(json_object_get(config, "mediaType"));
	if (type && strcmp(type, CS_MEDIA_CACHECONFIG) == 0 && json_is_string(dg) &&
	    digest_parse(json_string_value(dg), json_string_length(dg), &r->cacheconfig) == 0)
		r->has_cacheconfig = true;
	json_decref(root);
}

/* What the registry answered must be what was asked for. */
static int check_manifest(const struct registry *r, const struct cs_http_response *resp, struct cs_error *err)
{
	struct cs_digest got, want;

	digest_of_bytes(resp->body.data, resp->body.len, &got);
	if (r->ref.digest) {
		digest_parse(r->ref.digest, strlen(r->ref.digest), &want);
		if (!digest_eq(&got, &want))
			return cs_fail(err, "manifest: content does not match the digest asked for");
	} else if (resp->content_digest && strncmp(resp->content_digest, "sha256:", 7) == 0) {
		if (digest_parse(resp->content_digest, strlen(resp->content_digest), &want) < 0 ||
		    !digest_eq(&got, &want))
			return cs_fail(err, "manifest: content does not match the Docker-Content-Digest sent with it");
	}
	return 0;
}

static int fetch_top(struct registry *r, struct cs_http_response *resp, struct cs_error *err)
{
	const char *object = r->ref.digest ? r->ref.digest : r->ref.tag;
	char *label = xasprintf("%s: manifest", r->name);
	int rc = registry_get(r, "manifest", "manifests", object, MANIFEST_TYPES, label, resp, err);

	free(label);
	if (rc < 0)
		return cs_fail_context(err, "%s", r->name);
	if (resp->status != 200) {
		char what[200];
		snprintf(what, sizeof(what), "manifest %s", object);
		rc = refused(r, resp, what, err);
	} else if (resp->body.len == 0) {
		rc = cs_fail(err, "manifest: empty answer");
	} else {
		rc = check_manifest(r, resp, err);
	}
	return rc < 0 ? cs_fail_context(err, "%s", r->name) : 0;
}

/* The cs_blob_source callback: a blob, or a manifest an index lists. */
static int fetch_object(void *ctx, const struct cs_digest *d, int64_t size, struct cs_buf *out,
			struct cs_error *err)
{
	struct registry *r = ctx;
	char text[CS_DIGEST_STRLEN + 1], label[400], step[100];
	bool manifest = digests_find(&r->manifests, d) != CS_DIG_NONE;
	struct cs_http_response resp;
	int rc;

	(void)size;
	digest_format(d, text);
	snprintf(label, sizeof(label), "%s: %s %.19s", r->name, manifest ? "manifest" : "blob", text);
	snprintf(step, sizeof(step), "%s %s", manifest ? "manifest" : "blob", text);
	rc = registry_get(r, step, manifest ? "manifests" : "blobs", text, manifest ? MANIFEST_TYPES : NULL,
			  label, &resp, err);
	if (rc == 0 && resp.status == 404 && !manifest) {
		/* an index entry without a media type may still be a manifest */
		http_response_free(&resp);
		manifest = true;
		snprintf(step, sizeof(step), "manifest %s", text);
		rc = registry_get(r, step, "manifests", text, MANIFEST_TYPES, label, &resp, err);
	}
	if (rc < 0)
		return cs_fail_context(err, "%s", r->name);
	if (resp.status != 200) {
		refused(r, &resp, step, err);
		http_response_free(&resp);
		return cs_fail_context(err, "%s", r->name);
	}
	buf_free(out);
	*out = resp.body;
	memset(&resp.body, 0, sizeof(resp.body));
	http_response_free(&resp);
	if (r->cacheconfig_out && r->has_cacheconfig && digest_eq(d, &r->cacheconfig)) {
		buf_reset(r->cacheconfig_out);
		buf_add(r->cacheconfig_out, out->data, out->len);
	}
	return 0;
}

int registry_load(struct cs_graph *g, const char *ref, const struct cs_http_config *http,
		  struct cs_buf *cacheconfig, struct cs_error *err)
{
	struct registry r = { .name = ref, .cacheconfig_out = cacheconfig };
	struct cs_http_response top = { 0 };
	double start = cs_now();
	int rc = -1;

	if (reference_parse(ref, &r.ref, err) < 0)
		return cs_fail_context(err, "%s", ref);
	r.http = http_new(http);
	r.scheme = http->plain_http ? "http" : "https";
	digests_init(&r.manifests);
	if (fetch_top(&r, &top, err) == 0) {
		char *media_type = manifest_media_type(top.content_type);
		struct cs_blob_source src = { fetch_object, &r, ref, http_config(r.http)->max_size };
		survey_top(&r, &top.body);
		rc = cache_image_load(g, &src, media_type, cs_bytes_of(top.body.data, top.body.len), err);
		free(media_type);
	}
	if (rc == 0)
		graph_phase(g, "fetch from registry", start);
	http_response_free(&top);
	digests_free(&r.manifests);
	secret_free(r.authorization);
	credentials_free(&r.cred);
	http_free(r.http);
	reference_free(&r.ref);
	return rc;
}

int read_registry(struct cs_graph *g, const char *ref, const struct cs_load_options *opt,
		  struct cs_error *err)
{
	struct cs_http_config cfg;
	struct cs_buf config = CS_BUF_INIT;
	int rc;

	remote_http_config(opt, &cfg);
	rc = registry_load(g, ref, &cfg, opt && opt->addr ? &config : NULL, err);
	/* --addr: the daemon gets the cache config we just fetched, in one POST */
	if (rc == 0 && opt && opt->addr)
		rc = daemon_add_plaintexts(g, opt->addr, opt, cs_bytes_of(config.data, config.len), err);
	buf_free(&config);
	return rc;
}
