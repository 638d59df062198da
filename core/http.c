#include "http.h"
#include "graph.h"
#include "progress.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_MAX_SIZE ((int64_t)64 << 20)
#define MAX_HEADER_TEXT 16384 /* per kept header: more is an attack, not a challenge */

struct cs_http {
	CURL *curl;
	struct cs_http_config cfg;
	enum cs_http_failure failure;
	char errbuf[CURL_ERROR_SIZE];
};

struct cs_http *http_new(const struct cs_http_config *cfg)
{
	struct cs_http *h = xcalloc(1, sizeof(*h));

	h->cfg = *cfg;
	if (h->cfg.timeout <= 0)
		h->cfg.timeout = CS_HTTP_DEFAULT_TIMEOUT;
	if (h->cfg.connect_timeout <= 0)
		h->cfg.connect_timeout = CS_HTTP_DEFAULT_CONNECT_TIMEOUT;
	if (h->cfg.max_size <= 0)
		h->cfg.max_size = DEFAULT_MAX_SIZE;
	h->curl = curl_easy_init(); /* NULL only without memory: http_do reports it */
	return h;
}

void http_free(struct cs_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h);
}

const struct cs_http_config *http_config(const struct cs_http *h)
{
	return &h->cfg;
}

enum cs_http_failure http_last_failure(const struct cs_http *h)
{
	return h->failure;
}

void http_response_free(struct cs_http_response *resp)
{
	buf_free(&resp->body);
	free(resp->content_type);
	free(resp->www_authenticate);
	free(resp->content_digest);
	free(resp->retry_after);
	free(resp->url);
	memset(resp, 0, sizeof(*resp));
}

/* ---- small pure helpers (fuzzed through fuzz_www_authenticate) ---- */

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

bool http_header_split(const char *line, size_t len, struct cs_bytes *name, struct cs_bytes *value)
{
	const char *colon = memchr(line, ':', len);
	const char *start, *end = line + len;

	if (!colon || colon == line)
		return false;
	for (const char *p = line; p < colon; p++)
		if (!is_tchar((unsigned char)*p))
			return false;
	start = colon + 1;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	*name = cs_bytes_of(line, (size_t)(colon - line));
	*value = cs_bytes_of(start, (size_t)(end - start));
	return true;
}

double http_retry_after(const char *value)
{
	size_t digits = strspn(value, "0123456789");
	time_t when;

	if (digits > 0 && value[digits] == '\0')
		return digits > 9 ? 1e9 : strtod(value, NULL);
	when = curl_getdate(value, NULL);
	if (when < 0)
		return -1;
	return when > time(NULL) ? difftime(when, time(NULL)) : 0;
}

const char *http_status_text(long status)
{
	static const struct { long status; const char *text; } names[] = {
		{ 200, "200 OK" }, { 301, "301 Moved Permanently" }, { 302, "302 Found" },
		{ 303, "303 See Other" }, { 307, "307 Temporary Redirect" },
		{ 308, "308 Permanent Redirect" }, { 400, "400 Bad Request" },
		{ 401, "401 Unauthorized" }, { 403, "403 Forbidden" }, { 404, "404 Not Found" },
		{ 405, "405 Method Not Allowed" }, { 406, "406 Not Acceptable" },
		{ 408, "408 Request Timeout" }, { 413, "413 Content Too Large" },
		{ 429, "429 Too Many Requests" }, { 500, "500 Internal Server Error" },
		{ 502, "502 Bad Gateway" }, { 503, "503 Service Unavailable" },
		{ 504, "504 Gateway Timeout" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == status)
			return names[i].text;
	return status >= 500 ? "server error" : status >= 400 ? "client error" : "unexpected status";
}

bool http_host_is_local(const char *host)
{
	unsigned a, b, c, d;
	char tail;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "[::1]") == 0)
		return true;
	return sscanf(host, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 &&
	       b < 256 && c < 256 && d < 256;
}

/* ---- URLs: origins, redirects, what may be said of them ---- */

struct origin {
	char *scheme, *host, *port;
};

static void origin_free(struct origin *o)
{
	curl_free(o->scheme);
	curl_free(o->host);
	curl_free(o->port);
	memset(o, 0, sizeof(*o));
}

static bool url_origin(const char *url, struct origin *o)
{
	CURLU *u = curl_url();
	bool ok;

	memset(o, 0, sizeof(*o));
	ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_HOST, &o->host, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_url_cleanup(u);
	if (!ok)
		origin_free(o);
	return ok;
}

static bool origin_eq(const struct origin *a, const struct origin *b)
{
	return strcasecmp(a->scheme, b->scheme) == 0 && strcasecmp(a->host, b->host) == 0 &&
	       strcmp(a->port, b->port) == 0;
}

/* LOCATION read against BASE, as a browser would; NULL when it is not a URL. */
static char *resolve_location(const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *text = NULL, *copy = NULL;

	if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &text, 0) == CURLUE_OK)
		copy = xstrdup(text);
	curl_free(text);
	curl_url_cleanup(u);
	return copy;
}

void http_url_for_message(const char *url, char *out, size_t size)
{
	struct origin o;
	CURLU *u = curl_url();
	char *path = NULL;

	snprintf(out, size, "(unreadable URL)");
	if (!url_origin(url, &o)) {
		curl_url_cleanup(u);
		return;
	}
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_PATH, &path, 0);
	snprintf(out, size, "%s://%s:%s%s", o.scheme, o.host, o.port, path ? path : "/");
	curl_free(path);
	curl_url_cleanup(u);
	origin_free(&o);
}

/* May we talk to URL at all: http(s) only, and plain http only where allowed. */
static int check_url(const struct cs_http *h, const struct cs_http_request *req, const char *url,
		     struct cs_error *err)
{
	struct origin o;
	int rc = 0;

	if (!url_origin(url, &o))
		return cs_fail(err, "not a URL");
	if (strcasecmp(o.scheme, "https") != 0 && strcasecmp(o.scheme, "http") != 0)
		rc = cs_fail(err, "%.20s:// is not http or https", o.scheme);
	else if (strcasecmp(o.scheme, "http") == 0 && !req->unix_socket && !h->cfg.plain_http &&
		 !http_host_is_local(o.host))
		rc = cs_fail(err, "plain http:// to %.200s refused (TLS is required except on this "
			     "machine; --plain-http allows it)", o.host);
	origin_free(&o);
	return rc;
}

/* ---- one exchange: one request to one URL, redirects not followed ---- */

struct exchange {
	struct cs_http *h;
	struct cs_http_response *resp;
	char *location;
	int64_t limit;
	int64_t content_length;
	bool too_big;
	bool connected;  /* the request went out (on a new or a reused connection) */
};

static void keep_header(char **slot, struct cs_bytes value, bool join)
{
	size_t old = *slot ? strlen(*slot) : 0;

	if (!join || !*slot) {
		free(*slot);
		*slot = xstrndup((const char *)value.ptr, value.len < MAX_HEADER_TEXT ? value.len
										   : MAX_HEADER_TEXT);
		return;
	}
	if (old + 2 + value.len > MAX_HEADER_TEXT)
		return;
	*slot = xrealloc(*slot, old + 2 + value.len + 1);
	memcpy(*slot + old, ", ", 2);
	memcpy(*slot + old + 2, value.ptr, value.len);
	(*slot)[old + 2 + value.len] = '\0';
}

static bool name_is(struct cs_bytes name, const char *want)
{
	return name.len == strlen(want) && strncasecmp((const char *)name.ptr, want, name.len) == 0;
}

static void forget_headers(struct exchange *x)
{
	struct cs_http_response *r = x->resp;

	free(r->content_type);
	free(r->www_authenticate);
	free(r->content_digest);
	free(r->retry_after);
	free(x->location);
	r->content_type = r->www_authenticate = r->content_digest = r->retry_after = NULL;
	x->location = NULL;
	x->content_length = -1;
}

static size_t on_header(char *line, size_t size, size_t count, void *arg)
{
	struct exchange *x = arg;
	struct cs_http_response *r = x->resp;
	size_t len = size * count;
	struct cs_bytes name, value;

	/* a new status line (after 100 Continue, or a proxy's CONNECT answer) starts afresh */
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		forget_headers(x);
		return len;
	}
	if (!http_header_split(line, len, &name, &value))
		return len;
	if (name_is(name, "Content-Type"))
		keep_header(&r->content_type, value, false);
	else if (name_is(name, "WWW-Authenticate"))
		keep_header(&r->www_authenticate, value, true);
	else if (name_is(name, "Docker-Content-Digest"))
		keep_header(&r->content_digest, value, false);
	else if (name_is(name, "Retry-After"))
		keep_header(&r->retry_after, value, false);
	else if (name_is(name, "Location"))
		keep_header(&x->location, value, false);
	return len;
}

static size_t on_body(char *data, size_t size, size_t count, void *arg)
{
	struct exchange *x = arg;
	size_t len = size * count;

	if ((int64_t)(x->resp->body.len + len) > x->limit) {
		x->too_big = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	buf_add(&x->resp->body, data, len);
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct exchange *x = arg;

	(void)ultotal;
	(void)ulnow;
	progress_update(x->h->cfg.progress, (int64_t)dlnow, dltotal > 0 ? (int64_t)dltotal : -1);
	return 0;
}

/*
 * Called once connected, before the request is sent: a timeout before this
 * is one of connecting. (Older curl has no such call: every timeout then
 * counts as waiting for the answer.)
 */
#if LIBCURL_VERSION_NUM >= 0x075000
static int on_connected(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	struct exchange *x = arg;

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	x->connected = true;
	return CURL_PREREQFUNC_OK;
}
#endif

static long milliseconds(double seconds)
{
	return seconds < 0.001 ? 1 : (long)(seconds * 1000);
}

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);
	struct curl_slist *grown = curl_slist_append(list, line);

	/* the line may carry a token: leave no copy of ours behind */
	explicit_bzero(line, strlen(line));
	free(line);
	if (!grown) {
		curl_slist_free_all(list);
		return NULL;
	}
	return grown;
}

static void set_method(CURL *c, const struct cs_http_request *req)
{
	const char *method = req->method ? req->method : "GET";

	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
}

static CURLcode perform(struct cs_http *h, const struct cs_http_request *req, const char *url,
			bool send_auth, double remaining, struct exchange *x)
{
	CURL *c = h->curl;
	struct curl_slist *headers = NULL;
	double connect = h->cfg.connect_timeout < remaining ? h->cfg.connect_timeout : remaining;
	CURLcode rc;

	curl_easy_reset(c); /* keeps the connection cache: keep-alive survives */
	h->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* two loads run on two threads */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* follow() does it, stripping credentials */
	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, milliseconds(remaining));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connect));
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->cfg.cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->cfg.cacert);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->limit);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cachescope");
	if (req->unix_socket) {
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, req->unix_socket);
		curl_easy_setopt(c, CURLOPT_PROXY, ""); /* a socket path is never proxied */
	}
	set_method(c, req);
	if (req->accept)
		headers = add_header(headers, "Accept", req->accept);
	if (req->content_type)
		headers = add_header(headers, "Content-Type", req->content_type);
	if (send_auth && req->authorization)
		headers = add_header(headers, "Authorization", req->authorization);
	headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
#if LIBCURL_VERSION_NUM >= 0x075000
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_connected);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, x);
#else
	x->connected = true;
#endif
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, h->cfg.progress && req->label ? 0L : 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->resp->status);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	return rc;
}

static bool transient(CURLcode rc)
{
	return rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_PARTIAL_FILE ||
	       rc == CURLE_GOT_NOTHING || rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM;
}

static const char *os_error(struct cs_http *h)
{
	long os = 0;

	curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os);
	return os ? strerror((int)os) : h->errbuf[0] ? h->errbuf : "no reason given";
}

static int describe_failure(struct cs_http *h, CURLcode rc, const struct exchange *x,
			    const char *url, struct cs_error *err)
{
	struct origin o;
	char where[300] = "the server";
	curl_off_t got = 0, expected = -1;

	if (url_origin(url, &o)) {
		snprintf(where, sizeof(where), "%s:%s", o.host, o.port);
		origin_free(&o);
	}
	curl_easy_getinfo(h->curl, CURLINFO_SIZE_DOWNLOAD_T, &got);
	curl_easy_getinfo(h->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return cs_fail(err, "cannot resolve host %s", where);
	case CURLE_COULDNT_RESOLVE_PROXY:
		return cs_fail(err, "cannot resolve the proxy (from the environment)");
	case CURLE_COULDNT_CONNECT:
		return cs_fail(err, "cannot connect to %s: %s", where, os_error(h));
	case CURLE_OPERATION_TIMEDOUT:
		if (!x->connected)
			return cs_fail(err, "could not connect to %s within %.3g s", where,
				       h->cfg.connect_timeout < h->cfg.timeout ? h->cfg.connect_timeout : h->cfg.timeout);
		if (x->resp->status == 0 && got == 0)
			return cs_fail(err, "no answer from %s within %.3g s (--timeout)", where, h->cfg.timeout);
		return cs_fail(err, "answer from %s stalled after %lld bytes; gave up after %.3g s (--timeout)",
			       where, (long long)got, h->cfg.timeout);
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		if (rc == CURLE_FILESIZE_EXCEEDED || x->too_big)
			return cs_fail(err, "answer larger than the limit of %lld bytes (--max-size)",
				       (long long)x->limit);
		break;
	case CURLE_RECV_ERROR:
		return cs_fail(err, "connection to %s lost while receiving the answer (%s)", where,
			       os_error(h));
	case CURLE_SEND_ERROR:
		return cs_fail(err, "connection to %s lost while sending the request (%s)", where,
			       os_error(h));
	case CURLE_PARTIAL_FILE:
		if (expected >= 0)
			return cs_fail(err, "answer from %s cut short: %lld of %lld bytes", where,
				       (long long)got, (long long)expected);
		return cs_fail(err, "answer from %s cut short after %lld bytes", where, (long long)got);
	case CURLE_GOT_NOTHING:
		return cs_fail(err, "%s closed the connection without answering", where);
	case CURLE_PEER_FAILED_VERIFICATION:
		return cs_fail(err, "TLS: the certificate of %s is not trusted (%s); --cacert FILE names "
			       "a CA to trust", where, h->errbuf);
	case CURLE_SSL_CACERT_BADFILE:
		return cs_fail(err, "--cacert %s: not a readable CA file", h->cfg.cacert ? h->cfg.cacert : "");
	case CURLE_SSL_CONNECT_ERROR:
		return cs_fail(err, "TLS handshake with %s failed (%s)", where, h->errbuf);
	default:
		break;
	}
	return cs_fail(err, "%s: %s%s%s%s", where, curl_easy_strerror(rc), h->errbuf[0] ? " (" : "",
		       h->errbuf, h->errbuf[0] ? ")" : "");
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static bool follows_redirects(const struct cs_http_request *req)
{
	return !req->method || strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
}

static bool seen_before(char **visited, int count, const char *url)
{
	for (int i = 0; i < count; i++)
		if (strcmp(visited[i], url) == 0)
			return true;
	return false;
}

/*
 * Next hop of a redirect: the Location read against URL, which must be a
 * URL we may talk to and one not visited yet. NULL with ERR set if not.
 */
static char *redirect_target(const struct cs_http *h, const struct cs_http_request *req,
			     const char *url, const char *location, char **visited, int hops,
			     struct cs_error *err)
{
	char shown[300];
	char *next;

	if (hops >= CS_HTTP_MAX_REDIRECTS) {
		cs_fail(err, "more than %d redirects", CS_HTTP_MAX_REDIRECTS);
		return NULL;
	}
	next = resolve_location(url, location);
	if (!next) {
		cs_fail(err, "redirected to something that is not a URL");
		return NULL;
	}
	http_url_for_message(next, shown, sizeof(shown));
	if (seen_before(visited, hops + 1, next)) {
		cs_fail(err, "redirect loop (back to %s)", shown);
		free(next);
		return NULL;
	}
	if (check_url(h, req, next, err) < 0) {
		cs_fail_context(err, "redirected to %s", shown);
		free(next);
		return NULL;
	}
	return next;
}

/*
 * One attempt: the request and the redirects it leads to. The
 * Authorization header goes only to the first URL's origin: a redirect
 * elsewhere (object storage) gets no credentials, and neither does a hop
 * back, since a host that redirected once may redirect anywhere.
 */
static int follow(struct cs_http *h, const struct cs_http_request *req, double deadline,
		  struct cs_http_response *resp, bool *retryable, struct cs_error *err)
{
	char *visited[CS_HTTP_MAX_REDIRECTS + 1];
	struct origin first, here;
	int hops = 0, rc = -1;
	bool auth_ok = true;

	*retryable = false;
	if (!url_origin(req->url, &first))
		return cs_fail(err, "not a URL");
	visited[0] = xstrdup(req->url);
	for (;;) {
		const char *url = visited[hops];
		struct exchange x = { h, resp, NULL, req->max_size > 0 ? req->max_size : h->cfg.max_size, -1,
				      false, false };
		double started = cs_now(), remaining = deadline - started;
		bool same = url_origin(url, &here) && origin_eq(&first, &here);

		origin_free(&here);
		auth_ok = auth_ok && same;
		http_response_free(resp);
		if (remaining <= 0) {
			rc = cs_fail(err, "no answer within %.3g s (--timeout)", h->cfg.timeout);
			break;
		}
		CURLcode code = perform(h, req, url, auth_ok, remaining, &x);
		if (code != CURLE_OK) {
			describe_failure(h, code, &x, url, err);
			h->failure = code == CURLE_SSL_CONNECT_ERROR ? HTTP_FAILED_NOT_TLS : HTTP_FAILED_OTHER;
			*retryable = transient(code);
			free(x.location);
			break;
		}
		if (!follows_redirects(req) || !is_redirect(resp->status) || !x.location) {
			resp->url = xstrdup(url);
			free(x.location);
			rc = 0;
			break;
		}
		char *next = redirect_target(h, req, url, x.location, visited, hops, err);
		free(x.location);
		if (!next)
			break;
		visited[++hops] = next;
	}
	for (int i = 0; i <= hops; i++)
		free(visited[i]);
	origin_free(&first);
	return rc;
}

static bool status_retryable(long status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

static void sleep_seconds(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * How long to wait before attempt ATTEMPT + 1, or -1 to stop here: the
 * server's Retry-After when it gave one, else a short backoff; never past
 * the deadline, never longer than CS_HTTP_MAX_RETRY_WAIT.
 */
static double retry_wait(const struct cs_http_request *req, const struct cs_http_response *resp,
			 int attempt, double deadline)
{
	double wait = attempt == 1 ? 0.5 : 1.0;

	if (req->no_retry || !follows_redirects(req) || attempt >= CS_HTTP_MAX_ATTEMPTS)
		return -1;
	if (resp && resp->retry_after) {
		wait = http_retry_after(resp->retry_after);
		if (wait < 0)
			wait = 1.0;
	}
	if (wait > CS_HTTP_MAX_RETRY_WAIT || cs_now() + wait + 0.1 >= deadline)
		return -1;
	return wait;
}

static void note_attempts(struct cs_error *err, int attempts)
{
	size_t n = strlen(err->msg);

	snprintf(err->msg + n, sizeof(err->msg) - n, " (%d attempts)", attempts);
}

int http_do(struct cs_http *h, const struct cs_http_request *req, struct cs_http_response *resp,
	    struct cs_error *err)
{
	double deadline = cs_now() + h->cfg.timeout;
	int rc;

	memset(resp, 0, sizeof(*resp));
	h->failure = HTTP_FAILED_NONE;
	if (!h->curl)
		return cs_fail(err, "libcurl could not start");
	if (check_url(h, req, req->url, err) < 0)
		return -1;
	if (req->label)
		progress_begin(h->cfg.progress, req->label);
	for (int attempt = 1;; attempt++) {
		bool retryable;
		double wait;

		rc = follow(h, req, deadline, resp, &retryable, err);
		if (rc < 0 && !retryable)
			break;
		if (rc == 0 && !status_retryable(resp->status))
			break;
		wait = retry_wait(req, rc == 0 ? resp : NULL, attempt, deadline);
		if (wait < 0) {
			if (rc < 0 && attempt > 1)
				note_attempts(err, attempt);
			break;
		}
		sleep_seconds(wait);
	}
	if (req->label)
		progress_end(h->cfg.progress);
	if (rc < 0)
		http_response_free(resp);
	return rc;
}
