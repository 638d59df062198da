#ifndef CS_HTTP_H
#define CS_HTTP_H

#include "buf.h"
#include "bytes.h"
#include "error.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * HTTP for registries and daemons, on libcurl, with the rules a tool that
 * holds people's registry credentials must keep:
 *
 *   - TLS is verified; --cacert FILE replaces the trusted CAs.
 *   - Plain http:// only to this machine (localhost, 127.0.0.0/8, ::1) or
 *     when the user said --plain-http; a redirect may not downgrade.
 *   - Redirects are followed here, not by curl, so the Authorization header
 *     goes only to the origin (scheme, host, port) it was meant for: blob
 *     redirects to object storage are normal, and the storage host must
 *     never see a registry token. Loops and long chains are errors.
 *   - Every answer is bounded in size and every request in time (connect
 *     and total, retries and their waits included).
 *   - 429 and 502/503/504 (honouring Retry-After), a connection reset and a
 *     truncated body are retried a few times when time allows; a refused
 *     connection or a timeout is not (it would only fail again, later).
 *   - Proxies come from the environment, as curl reads them.
 *
 * Errors say what happened in words ("connection refused", "no answer
 * within 5 s"); the caller adds which step it was.
 */

struct cs_progress;

struct cs_http_config {
	const char *cacert;        /* trust only this CA file; NULL: the system's */
	bool plain_http;           /* allow http:// to any host */
	double timeout;            /* seconds for a whole request, retries included */
	double connect_timeout;    /* seconds to connect (capped by TIMEOUT) */
	int64_t max_size;          /* default limit on an answer's body */
	struct cs_progress *progress;
};

#define CS_HTTP_DEFAULT_TIMEOUT 60.0
#define CS_HTTP_DEFAULT_CONNECT_TIMEOUT 15.0
#define CS_HTTP_MAX_REDIRECTS 10
#define CS_HTTP_MAX_ATTEMPTS 3
#define CS_HTTP_MAX_RETRY_WAIT 10.0 /* a longer Retry-After is an error, not a wait */

struct cs_http;

/* A client: one connection cache, reused across requests (keep-alive). */
struct cs_http *http_new(const struct cs_http_config *cfg);
void http_free(struct cs_http *h);
const struct cs_http_config *http_config(const struct cs_http *h);

struct cs_http_request {
	const char *method;         /* "GET" when NULL; "POST", "HEAD" */
	const char *url;            /* http:// or https:// */
	const char *accept;         /* Accept header, or NULL */
	const char *content_type;   /* of BODY */
	const void *body;
	size_t body_len;
	/*
	 * The whole Authorization value ("Bearer ...", "Basic ..."): sent to
	 * URL's origin only, never to a host a redirect leads to.
	 */
	const char *authorization;
	const char *unix_socket;    /* connect through this socket instead */
	int64_t max_size;           /* 0: the client's */
	const char *label;          /* what progress shows; NULL: nothing */
	bool no_retry;              /* the caller retries on its own terms */
};

struct cs_http_response {
	long status;
	struct cs_buf body;
	char *content_type;
	char *www_authenticate;     /* every challenge header, joined by ", " */
	char *content_digest;       /* Docker-Content-Digest */
	char *retry_after;
	char *url;                  /* where the answer came from, after redirects */
};

/*
 * 0 when an answer came, whatever its status (RESP then holds it; free it
 * with http_response_free); -1 when none did (ERR says why).
 */
int http_do(struct cs_http *h, const struct cs_http_request *req,
	    struct cs_http_response *resp, struct cs_error *err);
void http_response_free(struct cs_http_response *resp);

/* Why the last http_do had no answer, where a caller acts on the kind. */
enum cs_http_failure {
	HTTP_FAILED_NONE,
	HTTP_FAILED_NOT_TLS, /* the TLS handshake failed: perhaps a plain-HTTP server */
	HTTP_FAILED_OTHER,
};
enum cs_http_failure http_last_failure(const struct cs_http *h);

/* Is HOST (no port) this machine: localhost, 127.x.y.z or ::1? */
bool http_host_is_local(const char *host);

/*
 * Splits one header line "Name: value\r\n" into its name and its value
 * without surrounding whitespace; false when it is not a header line.
 */
bool http_header_split(const char *line, size_t len, struct cs_bytes *name,
		       struct cs_bytes *value);

/* Retry-After as seconds from now (delta-seconds or an HTTP date); -1 if unreadable. */
double http_retry_after(const char *value);

/*
 * URL as a message may show it: scheme://host:port/path. The query goes
 * (storage redirects carry signatures there), and so would user:pass@.
 */
void http_url_for_message(const char *url, char *out, size_t size);

/* "404 Not Found" style words for a status. */
const char *http_status_text(long status);

#endif
