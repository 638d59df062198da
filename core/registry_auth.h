#ifndef CS_REGISTRY_AUTH_H
#define CS_REGISTRY_AUTH_H

#include "buf.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Registry authentication as docker does it: try anonymously; on 401 read
 * the WWW-Authenticate challenges; for Bearer, get a token from the realm
 * (with the user's credentials when there are any, else anonymously) for
 * the repository's pull scope; for Basic, send the credentials.
 *
 * Credentials are secrets: they are wiped when freed, never put in a URL,
 * an error or a progress line, and only ever sent to the host they are for
 * (http.c drops them on a redirect elsewhere).
 */

/* ---- challenges (RFC 7235) ---- */

struct cs_auth_param {
	char *name;   /* lower-cased */
	char *value;  /* quotes and escapes removed */
};

struct cs_auth_challenge {
	char *scheme;  /* lower-cased: "bearer", "basic" */
	char *token68; /* the rare challenge that is one opaque token, or NULL */
	struct cs_auth_param *params;
	size_t param_count;
};

struct cs_auth_challenges {
	struct cs_auth_challenge *items;
	size_t count;
};

/* Bounds that keep a hostile header from costing more than it weighs. */
#define CS_AUTH_MAX_CHALLENGES 16
#define CS_AUTH_MAX_PARAMS 32

/*
 * Parses the WWW-Authenticate value(s) in TEXT (several headers joined by
 * ", " are one list). 0, or -1 when TEXT is not a challenge list (OUT then
 * holds nothing). Free OUT with auth_challenges_free.
 */
int auth_parse_challenges(const char *text, size_t len, struct cs_auth_challenges *out);
void auth_challenges_free(struct cs_auth_challenges *c);

/* The first challenge of SCHEME (any case), or NULL. */
const struct cs_auth_challenge *auth_find_challenge(const struct cs_auth_challenges *c,
						    const char *scheme);
/* A parameter's value (NAME in any case), or NULL. */
const char *auth_param(const struct cs_auth_challenge *c, const char *name);

/* ---- credentials ---- */

struct cs_credentials {
	char *username;
	char *password;
	char *identity_token; /* docker's refresh token: config.json identitytoken, or a
				 helper's answer for the user "<token>" */
};

bool credentials_present(const struct cs_credentials *c);
/* Wipes and frees the strings. */
void credentials_free(struct cs_credentials *c);
/* Frees a secret string after overwriting it. */
void secret_free(char *s);

/* "Basic <base64(user:password)>" (caller frees with secret_free), NULL without a password. */
char *auth_basic_header(const struct cs_credentials *c);

/* Percent-encodes S for a query string or a form body (RFC 3986 unreserved kept). */
void url_encode(struct cs_buf *out, const char *s);

/*
 * The human part of an error answer, at most 160 bytes: distribution's
 * {"errors":[{"message"}]}, or a token server's details/error_description/
 * error. "" when there is none.
 */
void auth_error_text(const struct cs_buf *body, char *out, size_t size);

struct cs_http;

/*
 * Bearer token flow (the distribution token spec): GET REALM?service=&scope=
 * with Basic credentials when there are any; with an identity token, the
 * OAuth2 POST (grant_type=refresh_token), falling back to GET where the
 * server has no OAuth2 endpoint. SCOPE is ours ("repository:R:pull"); the
 * challenge's own scope is asked for too when it differs. On success
 * *TOKEN is the token (free with secret_free); errors name the realm.
 */
int auth_fetch_token(struct cs_http *h, const struct cs_auth_challenge *bearer,
		     const char *scope, const struct cs_credentials *cred, char **token,
		     struct cs_error *err);

#endif
