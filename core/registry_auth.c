#include "registry_auth.h"
#include "base64.h"
#include "http.h"
#include "xalloc.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- WWW-Authenticate ---- */

static bool is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token68_char(unsigned char c)
{
	return isalnum(c) || (c && strchr("-._~+/", c));
}

struct cursor {
	const char *p, *end;
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static size_t token_length(const struct cursor *c)
{
	const char *q = c->p;

	while (q < c->end && is_tchar((unsigned char)*q))
		q++;
	return (size_t)(q - c->p);
}

static char *lower_copy(const char *s, size_t n)
{
	char *out = xstrndup(s, n);

	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return out;
}

/*
 * A token68 right here, ending the challenge ("Basic dXNlcg=="), or 0.
 * "realm=x" is not one: the '=' run must be followed by a comma or the end.
 */
static size_t token68_length(const struct cursor *c)
{
	struct cursor q = *c;

	while (q.p < q.end && is_token68_char((unsigned char)*q.p))
		q.p++;
	if (q.p == c->p)
		return 0;
	while (q.p < q.end && *q.p == '=')
		q.p++;
	size_t n = (size_t)(q.p - c->p);
	skip_space(&q);
	return q.p == q.end || *q.p == ',' ? n : 0;
}

/* A quoted-string's content, escapes undone; NULL when it never closes. */
static char *quoted_string(struct cursor *c)
{
	struct cs_buf value = CS_BUF_INIT;

	c->p++; /* the opening quote */
	while (c->p < c->end && *c->p != '"') {
		if (*c->p == '\\' && c->p + 1 < c->end)
			c->p++;
		buf_addc(&value, *c->p++);
	}
	if (c->p == c->end) {
		buf_free(&value);
		return NULL;
	}
	c->p++; /* the closing quote */
	if (!value.data)
		buf_adds(&value, "");
	return buf_detach(&value, NULL);
}

static int add_param(struct cs_auth_challenge *ch, struct cursor *c, size_t name_len)
{
	char *name = lower_copy(c->p, name_len), *value;

	c->p += name_len;
	skip_space(c);
	c->p++; /* '=' */
	skip_space(c);
	if (c->p < c->end && *c->p == '"') {
		value = quoted_string(c);
	} else {
		size_t n = token_length(c);
		value = xstrndup(c->p, n);
		c->p += n;
	}
	if (!value || ch->param_count == CS_AUTH_MAX_PARAMS) {
		free(name);
		free(value);
		return -1;
	}
	ch->params = xreallocarray(ch->params, ch->param_count + 1, sizeof(*ch->params));
	ch->params[ch->param_count].name = name;
	ch->params[ch->param_count].value = value;
	ch->param_count++;
	return 0;
}

static struct cs_auth_challenge *add_challenge(struct cs_auth_challenges *out, struct cursor *c,
					      size_t scheme_len)
{
	struct cs_auth_challenge *ch;

	if (out->count == CS_AUTH_MAX_CHALLENGES)
		return NULL;
	out->items = xreallocarray(out->items, out->count + 1, sizeof(*out->items));
	ch = &out->items[out->count++];
	memset(ch, 0, sizeof(*ch));
	ch->scheme = lower_copy(c->p, scheme_len);
	c->p += scheme_len;
	if (c->p < c->end && *c->p == ' ') {
		skip_space(c);
		size_t n = token68_length(c);
		if (n) {
			ch->token68 = xstrndup(c->p, n);
			c->p += n;
		}
	}
	return ch;
}

/*
 * The list mixes two kinds of element: "scheme [token68]" starts a
 * challenge, "name=value" adds to the current one. A token followed by
 * '=' is a parameter; anything else begins the next challenge.
 */
int auth_parse_challenges(const char *text, size_t len, struct cs_auth_challenges *out)
{
	struct cursor c = { text, text + len };
	struct cs_auth_challenge *current = NULL;

	memset(out, 0, sizeof(*out));
	for (;;) {
		while (c.p < c.end && (*c.p == ' ' || *c.p == '\t' || *c.p == ','))
			c.p++;
		if (c.p == c.end)
			break;
		size_t n = token_length(&c);
		if (n == 0)
			goto bad;
		struct cursor after = { c.p + n, c.end };
		skip_space(&after);
		if (after.p < after.end && *after.p == '=') {
			if (!current || add_param(current, &c, n) < 0)
				goto bad;
		} else {
			current = add_challenge(out, &c, n);
			if (!current)
				goto bad;
		}
		skip_space(&c);
		if (c.p < c.end && *c.p != ',' && !is_tchar((unsigned char)*c.p))
			goto bad;
	}
	return out->count ? 0 : -1;
bad:
	auth_challenges_free(out);
	return -1;
}

void auth_challenges_free(struct cs_auth_challenges *c)
{
	for (size_t i = 0; i < c->count; i++) {
		struct cs_auth_challenge *ch = &c->items[i];
		for (size_t k = 0; k < ch->param_count; k++) {
			free(ch->params[k].name);
			free(ch->params[k].value);
		}
		free(ch->params);
		free(ch->scheme);
		free(ch->token68);
	}
	free(c->items);
	memset(c, 0, sizeof(*c));
}

const struct cs_auth_challenge *auth_find_challenge(const struct cs_auth_challenges *c,
						    const char *scheme)
{
	for (size_t i = 0; i < c->count; i++)
		if (strcasecmp(c->items[i].scheme, scheme) == 0)
			return &c->items[i];
	return NULL;
}

const char *auth_param(const struct cs_auth_challenge *c, const char *name)
{
	for (size_t i = 0; i < c->param_count; i++)
		if (strcasecmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}

/* ---- credentials ---- */

bool credentials_present(const struct cs_credentials *c)
{
	return c && ((c->username && c->password) || c->identity_token);
}

void secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void credentials_free(struct cs_credentials *c)
{
	secret_free(c->username);
	secret_free(c->password);
	secret_free(c->identity_token);
	memset(c, 0, sizeof(*c));
}

static void buf_wipe(struct cs_buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

char *auth_basic_header(const struct cs_credentials *c)
{
	struct cs_buf plain = CS_BUF_INIT, header = CS_BUF_INIT;

	if (!c || !c->username || !c->password)
		return NULL;
	buf_printf(&plain, "%s:%s", c->username, c->password);
	buf_adds(&header, "Basic ");
	base64_encode(&header, plain.data, plain.len);
	buf_wipe(&plain);
	char *text = xstrdup(header.data);
	buf_wipe(&header);
	return text;
}

void url_encode(struct cs_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || strchr("-._~", ch)) {
			buf_addc(out, (char)ch);
		} else {
			buf_addc(out, '%');
			buf_addc(out, hex[ch >> 4]);
			buf_addc(out, hex[ch & 15]);
		}
	}
}

/* ---- the token flow ---- */

static void add_query(struct cs_buf *q, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	if (q->len)
		buf_addc(q, '&');
	buf_adds(q, name);
	buf_addc(q, '=');
	url_encode(q, value);
}

static void add_scopes(struct cs_buf *q, const char *scope, const struct cs_auth_challenge *bearer)
{
	const char *theirs = auth_param(bearer, "scope");

	add_query(q, "scope", scope);
	if (theirs && (!scope || strcmp(theirs, scope) != 0))
		add_query(q, "scope", theirs);
}

/* A token goes into a header line: printable ASCII without spaces, or it is not one. */
static bool header_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

void auth_error_text(const struct cs_buf *body, char *out, size_t size)
{
	json_t *root = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
	json_t *first = json_array_get(json_object_get(root, "errors"), 0);
	const char *text = json_string_value(json_object_get(first, "message"));
	static const char *const fields[] = { "details", "error_description", "error", "message" };

	for (size_t i = 0; !text && i < sizeof(fields) / sizeof(fields[0]); i++)
		text = json_string_value(json_object_get(root, fields[i]));
	snprintf(out, size, "%.160s", text ? text : "");
	json_decref(root);
}

static int read_token(const struct cs_http_response *resp, const char *shown, char **token,
		      struct cs_error *err)
{
	json_t *root = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
	const char *text = json_string_value(json_object_get(root, "token"));
	int rc = 0;

	if (!text || !*text)
		text = json_string_value(json_object_get(root, "access_token"));
	if (!text || !header_safe(text))
		rc = cs_fail(err, "token from %s: the answer holds no usable token", shown);
	else
		*token = xstrdup(text);
	json_decref(root);
	return rc;
}

static int token_refused(const struct cs_http_response *resp, const char *shown, struct cs_error *err)
{
	char why[200];

	auth_error_text(&resp->body, why, sizeof(why));
	return cs_fail(err, "token from %s: %s%s%s", shown, http_status_text(resp->status),
		       why[0] ? ": " : "", why);
}

/* 1 when the realm has no OAuth2 endpoint (404/405): then GET is tried. */
static int token_by_oauth(struct cs_http *h, const char *realm, const char *shown,
			  const struct cs_auth_challenge *bearer, const char *scope,
			  const struct cs_credentials *cred, char **token, struct cs_error *err)
{
	struct cs_buf form = CS_BUF_INIT;
	struct cs_http_response resp;
	int rc;

	add_query(&form, "grant_type", "refresh_token");
	add_query(&form, "client_id", "cachescope");
	add_query(&form, "service", auth_param(bearer, "service"));
	add_scopes(&form, scope, bearer);
	add_query(&form, "refresh_token", cred->identity_token);
	struct cs_http_request req = {
		.method = "POST", .url = realm, .accept = "application/json",
		.content_type = "application/x-www-form-urlencoded",
		.body = form.data, .body_len = form.len, .max_size = 1 << 20,
	};
	rc = http_do(h, &req, &resp, err);
	buf_wipe(&form);
	if (rc < 0)
		return cs_fail_context(err, "token from %s", shown);
	if (resp.status == 404 || resp.status == 405)
		rc = 1;
	else if (resp.status != 200)
		rc = token_refused(&resp, shown, err);
	else
		rc = read_token(&resp, shown, token, err);
	buf_wipe(&resp.body);
	http_response_free(&resp);
	return rc;
}

static int token_by_get(struct cs_http *h, const char *realm, const char *shown,
			const struct cs_auth_challenge *bearer, const char *scope,
			const struct cs_credentials *cred, char **token, struct cs_error *err)
{
	struct cs_buf query = CS_BUF_INIT, url = CS_BUF_INIT;
	struct cs_http_response resp;
	char *basic = auth_basic_header(cred);
	int rc;

	add_query(&query, "service", auth_param(bearer, "service"));
	add_scopes(&query, scope, bearer);
	if (basic)
		add_query(&query, "account", cred->username);
	buf_printf(&url, "%s%s%s", realm, strchr(realm, '?') ? "&" : "?", query.data ? query.data : "");
	struct cs_http_request req = {
		.url = url.data, .accept = "application/json", .authorization = basic,
		.max_size = 1 << 20,
	};
	rc = http_do(h, &req, &resp, err);
	secret_free(basic);
	buf_free(&query);
	buf_free(&url);
	if (rc < 0)
		return cs_fail_context(err, "token from %s", shown);
	rc = resp.status == 200 ? read_token(&resp, shown, token, err) : token_refused(&resp, shown, err);
	buf_wipe(&resp.body);
	http_response_free(&resp);
	return rc;
}

int auth_fetch_token(struct cs_http *h, const struct cs_auth_challenge *bearer, const char *scope,
		     const struct cs_credentials *cred, char **token, struct cs_error *err)
{
	const char *realm = auth_param(bearer, "realm");
	char shown[300];
	int rc = 1;

	*token = NULL;
	if (!realm || !*realm)
		return cs_fail(err, "the registry asks for a token but names no realm to get it from");
	http_url_for_message(realm, shown, sizeof(shown));
	if (cred && cred->identity_token)
		rc = token_by_oauth(h, realm, shown, bearer, scope, cred, token, err);
	if (rc == 1)
		rc = token_by_get(h, realm, shown, bearer, scope, cred, token, err);
	return rc;
}
