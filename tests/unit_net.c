/*
 * Unit tests of the network layers' pure parts: image references and
 * Docker Hub's names, WWW-Authenticate challenges, docker's config.json
 * and credential helper answers, header lines and Retry-After, what the
 * progress line tells a listener. The
 * transports are tested end to end against servers in the shell tests.
 */
#include "core/buf.h"
#include "core/docker_config.h"
#include "core/graph.h"
#include "core/http.h"
#include "core/progress.h"
#include "core/registry.h"
#include "core/registry_auth.h"
#include "tests/tap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void reference_is(const char *text, const char *domain, const char *host, const char *path,
			 const char *tag, const char *digest)
{
	struct cs_reference r;
	struct cs_error err = { "" };

	if (reference_parse(text, &r, &err) < 0) {
		TAP_OK(0, "%s parses (%s)", text, err.msg);
		return;
	}
	TAP_OK(strcmp(r.domain, domain) == 0 && strcmp(r.host, host) == 0 && strcmp(r.path, path) == 0 &&
		       (tag ? r.tag && strcmp(r.tag, tag) == 0 : !r.tag) &&
		       (digest ? r.digest && strcmp(r.digest, digest) == 0 : !r.digest),
	       "%s is %s %s %s %s %s", text, domain, host, path, tag ? tag : "-", digest ? "@digest" : "");
	reference_free(&r);
}

static void reference_fails(const char *text, const char *why)
{
	struct cs_reference r;
	struct cs_error err = { "" };
	int rc = reference_parse(text, &r, &err);

	TAP_OK(rc < 0 && strstr(err.msg, why), "\"%s\" is refused: %s (got \"%s\")", text, why, err.msg);
	if (rc == 0)
		reference_free(&r);
}

static void test_references(void)
{
	const char *d = "sha256:8a5edab282632443219e051e4ade2d1d5bbc671c781051bf1437897cbdfea0f1";
	char with_digest[200];

	reference_is("ubuntu", "docker.io", "registry-1.docker.io", "library/ubuntu", "latest", NULL);
	reference_is("ubuntu:22.04", "docker.io", "registry-1.docker.io", "library/ubuntu", "22.04", NULL);
	reference_is("moby/buildkit", "docker.io", "registry-1.docker.io", "moby/buildkit", "latest", NULL);
	reference_is("docker.io/ubuntu", "docker.io", "registry-1.docker.io", "library/ubuntu", "latest", NULL);
	reference_is("index.docker.io/ubuntu", "docker.io", "registry-1.docker.io", "library/ubuntu", "latest", NULL);
	reference_is("ghcr.io/o/r:tag", "ghcr.io", "ghcr.io", "o/r", "tag", NULL);
	reference_is("localhost/cache", "localhost", "localhost", "cache", "latest", NULL);
	reference_is("localhost:5000/a/b/c:v1", "localhost:5000", "localhost:5000", "a/b/c", "v1", NULL);
	reference_is("127.0.0.1:5000/cache", "127.0.0.1:5000", "127.0.0.1:5000", "cache", "latest", NULL);
	reference_is("[::1]:5000/cache", "[::1]:5000", "[::1]:5000", "cache", "latest", NULL);
	reference_is("Registry/x", "Registry", "Registry", "x", "latest", NULL);
	reference_is("a__b-c--d/e.f_g", "docker.io", "registry-1.docker.io", "a__b-c--d/e.f_g", "latest", NULL);
	reference_fails("a__b.c/x", "not a registry host"); /* a dot makes it a host, as for docker */
	snprintf(with_digest, sizeof(with_digest), "ghcr.io/o/r@%s", d);
	reference_is(with_digest, "ghcr.io", "ghcr.io", "o/r", NULL, d);
	snprintf(with_digest, sizeof(with_digest), "ghcr.io/o/r:t@%s", d);
	reference_is(with_digest, "ghcr.io", "ghcr.io", "o/r", "t", d);

	reference_fails("", "empty");
	reference_fails("ghcr.io/O/r", "lower case");
	reference_fails("ghcr.io/o//r", "not a repository name");
	reference_fails("ghcr.io/o/r-", "not a repository name");
	reference_fails("ghcr.io/o/r:-x", "not a tag");
	reference_fails("ghcr.io/o/r:", "not a tag");
	reference_fails("ghcr.io/o/r@sha512:abcd", "only sha256");
	reference_fails("ghcr.io/o/r@sha256:abcd", "not a sha256 digest");
	reference_fails("host:99999/r", "not a registry host");
	reference_fails("-host.io/r", "not a registry host");
	reference_fails(":tag", "without a name");
	reference_fails("ghcr.io/", "not a repository name");
}

static void test_reference_round_trip(void)
{
	struct cs_reference r, again;
	struct cs_error err;
	char *text;

	reference_parse("ubuntu", &r, &err);
	text = reference_string(&r);
	TAP_STR_EQ(text, "docker.io/library/ubuntu:latest", "a Hub name prints in full");
	TAP_OK(reference_parse(text, &again, &err) == 0 && strcmp(again.path, r.path) == 0,
	       "and parses back to itself");
	reference_free(&again);
	reference_free(&r);
	free(text);
}

static void test_challenges(void)
{
	struct cs_auth_challenges c;
	const struct cs_auth_challenge *b;
	const char *hub = "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
			  "scope=\"repository:library/ubuntu:pull\"";

	TAP_OK(auth_parse_challenges(hub, strlen(hub), &c) == 0 && c.count == 1, "Docker Hub's challenge parses");
	b = auth_find_challenge(&c, "bearer");
	TAP_STR_EQ(b ? auth_param(b, "realm") : NULL, "https://auth.docker.io/token", "realm");
	TAP_STR_EQ(b ? auth_param(b, "SERVICE") : NULL, "registry.docker.io", "service, names in any case");
	TAP_STR_EQ(b ? auth_param(b, "scope") : NULL, "repository:library/ubuntu:pull", "scope");
	auth_challenges_free(&c);

	const char *several = "Basic realm=\"a, b\", Bearer realm=x , service=\"s\\\"q\", Negotiate dG9rZW4=";
	TAP_OK(auth_parse_challenges(several, strlen(several), &c) == 0 && c.count == 3,
	       "three challenges in one list");
	TAP_STR_EQ(c.count == 3 ? auth_param(&c.items[0], "realm") : NULL, "a, b", "a comma inside quotes");
	TAP_STR_EQ(c.count == 3 ? auth_param(&c.items[1], "realm") : NULL, "x", "a token value");
	TAP_STR_EQ(c.count == 3 ? auth_param(&c.items[1], "service") : NULL, "s\"q", "an escaped quote");
	TAP_STR_EQ(c.count == 3 ? c.items[2].token68 : NULL, "dG9rZW4=", "a token68 challenge");
	TAP_STR_EQ(c.count == 3 ? c.items[0].scheme : NULL, "basic", "schemes are lower-cased");
	auth_challenges_free(&c);

	TAP_OK(auth_parse_challenges("Bearer realm=\"open", 18, &c) < 0, "an unterminated quote is refused");
	TAP_OK(auth_parse_challenges("realm=x", 7, &c) < 0, "a parameter without a scheme is refused");
	TAP_OK(auth_parse_challenges("", 0, &c) < 0, "nothing is not a challenge");
	TAP_OK(auth_parse_challenges("Bearer realm=\"x\"\"y\"", 19, &c) < 0, "junk after a value is refused");
}

static void test_docker_config(void)
{
	struct cs_docker_auth a;
	struct cs_error err = { "" };
	const char *hub = "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"YWxpY2U6czNjcmV0\"}}}";
	const char *loose = "{\"auths\":{\"http://localhost:5000/v2/\":{\"auth\":\"Ym9iOnB3OmQ=\"}}}";
	const char *helpers = "{\"auths\":{\"ghcr.io\":{}},\"credHelpers\":{\"ghcr.io\":\"gh\"},"
			      "\"credsStore\":\"desktop\"}";

	TAP_OK(docker_config_find(hub, strlen(hub), "docker.io", &a, &err) == 0 && a.kind == DOCKER_AUTH_INLINE &&
		       strcmp(a.cred.username, "alice") == 0 && strcmp(a.cred.password, "s3cret") == 0,
	       "Docker Hub's credentials under https://index.docker.io/v1/");
	docker_auth_free(&a);
	TAP_OK(docker_config_find(hub, strlen(hub), "ghcr.io", &a, &err) == 0 && a.kind == DOCKER_AUTH_NONE,
	       "not for another registry");
	docker_auth_free(&a);
	TAP_OK(docker_config_find(loose, strlen(loose), "localhost:5000", &a, &err) == 0 &&
		       a.kind == DOCKER_AUTH_INLINE && strcmp(a.cred.password, "pw:d") == 0,
	       "a key with scheme and path matches its host; a password may hold ':'");
	docker_auth_free(&a);
	TAP_OK(docker_config_find(helpers, strlen(helpers), "ghcr.io", &a, &err) == 0 &&
		       a.kind == DOCKER_AUTH_HELPER && strcmp(a.helper, "gh") == 0 && strcmp(a.server, "ghcr.io") == 0,
	       "credHelpers wins for its registry");
	docker_auth_free(&a);
	TAP_OK(docker_config_find(helpers, strlen(helpers), "docker.io", &a, &err) == 0 &&
		       a.kind == DOCKER_AUTH_HELPER && strcmp(a.helper, "desktop") == 0 &&
		       strcmp(a.server, CS_DOCKER_HUB_SERVER) == 0,
	       "credsStore for the rest, asked with Hub's server address");
	docker_auth_free(&a);
	TAP_OK(docker_config_find("{\"credsStore\":\"a/b\"}", 19, "x.io", &a, &err) < 0,
	       "a helper name with a slash is refused");
	TAP_OK(docker_config_find("[]", 2, "x.io", &a, &err) < 0, "a config that is not an object is refused");

	struct cs_credentials c;
	const char *token = "{\"ServerURL\":\"x\",\"Username\":\"<token>\",\"Secret\":\"rt\"}";
	TAP_OK(docker_helper_parse(token, strlen(token), &c, &err) == 0 && c.identity_token &&
		       strcmp(c.identity_token, "rt") == 0 && !c.username,
	       "a helper's <token> answer is an identity token");
	credentials_free(&c);
	TAP_OK(docker_helper_parse("{}", 2, &c, &err) < 0, "a helper answer without a secret is refused");
}

static void test_http_helpers(void)
{
	struct cs_bytes name, value;
	const char *line = "WWW-Authenticate:  Bearer realm=\"x\" \r\n";
	struct cs_buf b = CS_BUF_INIT;

	TAP_OK(http_header_split(line, strlen(line), &name, &value) && cs_bytes_eq(name, "WWW-Authenticate") &&
		       cs_bytes_eq(value, "Bearer realm=\"x\""),
	       "a header line splits, blanks trimmed");
	TAP_OK(!http_header_split("HTTP/1.1 200 OK\r\n", 17, &name, &value), "a status line is not a header");
	TAP_OK(!http_header_split("Bad Name: x", 11, &name, &value), "a name with a space is not a header");
	TAP_OK(http_retry_after("120") == 120, "Retry-After in seconds");
	TAP_OK(http_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0, "Retry-After as a past date: now");
	TAP_OK(http_retry_after("soon") == -1, "an unreadable Retry-After");
	TAP_OK(http_host_is_local("localhost") && http_host_is_local("127.0.0.1") &&
		       http_host_is_local("127.1.2.3") && http_host_is_local("::1") && http_host_is_local("[::1]"),
	       "this machine's names");
	TAP_OK(!http_host_is_local("127.0.0.1.evil.example") && !http_host_is_local("10.0.0.1") &&
		       !http_host_is_local("localhost.example") && !http_host_is_local("127.0.0.256"),
	       "names that only look like it");
	url_encode(&b, "repository:o/r:pull a&b=c~");
	TAP_STR_EQ(b.data, "repository%3Ao%2Fr%3Apull%20a%26b%3Dc~", "query values are percent-encoded");
	buf_free(&b);

	struct cs_credentials c = { (char *)"alice", (char *)"s3cret", NULL };
	char *basic = auth_basic_header(&c);
	TAP_STR_EQ(basic, "Basic YWxpY2U6czNjcmV0", "Basic credentials");
	secret_free(basic);

	char shown[200];
	http_url_for_message("https://user:pw@storage.example/bucket/blob?X-Amz-Signature=abc#f", shown,
			     sizeof(shown));
	TAP_STR_EQ(shown, "https://storage.example:443/bucket/blob", "URLs in messages lose query and user info");
}

struct heard {
	int calls;
	char last[300];
};

static void listen_to(void *ctx, const char *line)
{
	struct heard *h = ctx;

	h->calls++;
	snprintf(h->last, sizeof(h->last), "%s", line);
}

static void pause_seconds(double s)
{
	struct timespec t = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	nanosleep(&t, NULL);
}

static void test_progress_listener(void)
{
	struct cs_progress *p = progress_new(false);
	struct heard h = { 0, "" };

	progress_listen(p, listen_to, &h);
	progress_begin(p, "r.example/x: blob \033]0;t\007");
	progress_update(p, 1, 20);
	TAP_OK(h.calls == 0, "a fetch that just began is not told (%d calls)", h.calls);
	pause_seconds(0.6);
	progress_update(p, 10, 20);
	TAP_STR_EQ(h.last, "r.example/x: blob \\x1b]0;t\\x07: 10 B of 20 B", "a slow one is, escaped");
	double started = cs_now();
	for (int i = 0; i < 1000; i++)
		progress_update(p, 10, 20);
	/* one call per 0.1 s at most, however slow the machine made the loop */
	int allowed = 1 + (int)((cs_now() - started) / 0.1);
	TAP_OK(h.calls <= allowed, "at most a few times a second (%d calls for 1000 updates, %d allowed)", h.calls,
	       allowed);
	int told = h.calls;
	progress_end(p);
	TAP_OK(h.calls == told + 1 && h.last[0] == '\0', "its end takes the line back");
	told = h.calls;
	progress_begin(p, "quick");
	progress_update(p, 1, 1);
	progress_end(p);
	TAP_OK(h.calls == told, "a quick fetch is never told, begun or ended (%d calls)", h.calls - told);
	progress_listen(p, NULL, NULL);
	progress_begin(p, "unheard");
	pause_seconds(0.6);
	progress_update(p, 1, 2);
	progress_end(p);
	TAP_OK(h.calls == told, "no listener, no calls");
	progress_free(p);
}

int main(void)
{
	test_references();
	test_reference_round_trip();
	test_challenges();
	test_docker_config();
	test_http_helpers();
	test_progress_listener();
	return tap_done();
}
