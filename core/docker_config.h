#ifndef CS_DOCKER_CONFIG_H
#define CS_DOCKER_CONFIG_H

#include "error.h"
#include "registry_auth.h"

#include <stddef.h>

/*
 * Registry credentials where docker keeps them: $DOCKER_CONFIG/config.json
 * (else ~/.docker/config.json), read as the docker CLI reads it:
 *
 *   "credHelpers": {"<registry>": "NAME"}   this registry's helper
 *   "credsStore": "NAME"                    every other registry's helper
 *   "auths": {"<registry>": {"auth": base64("user:password")}}
 *            or {"username", "password"}, or {"identitytoken"}
 *
 * A helper is the program docker-credential-NAME, run without a shell as
 * `docker-credential-NAME get` with the server address on its standard
 * input; it answers {"ServerURL","Username","Secret"} (Username "<token>"
 * means Secret is an identity token). Docker Hub's server address is
 * "https://index.docker.io/v1/"; any other registry's is its host[:port].
 * An auths key matches when it is that address or, with any http(s)://
 * prefix and path removed, that host.
 */

#define CS_DOCKER_HUB_SERVER "https://index.docker.io/v1/"

enum cs_docker_auth_kind {
	DOCKER_AUTH_NONE,   /* nothing for this registry: go anonymous */
	DOCKER_AUTH_INLINE, /* credentials written in auths */
	DOCKER_AUTH_HELPER, /* ask docker-credential-HELPER */
};

struct cs_docker_auth {
	enum cs_docker_auth_kind kind;
	struct cs_credentials cred;   /* INLINE; also HELPER's fallback when auths has some */
	char *helper;                 /* HELPER: NAME */
	char *server;                 /* HELPER: the address to ask for */
};

/* The address docker files REGISTRY's credentials under ("docker.io" -> Hub's URL). */
const char *docker_server_address(const char *registry);

/*
 * What config.json TEXT says about REGISTRY (the reference's domain:
 * "docker.io", "ghcr.io", "localhost:5000"). Pure: reads nothing, runs
 * nothing. 0, or -1 when TEXT is not a config docker would read. Free OUT
 * with docker_auth_free.
 */
int docker_config_find(const char *text, size_t len, const char *registry,
		       struct cs_docker_auth *out, struct cs_error *err);
void docker_auth_free(struct cs_docker_auth *a);

/* A helper's answer to `get`. 0, or -1 when it is not one. */
int docker_helper_parse(const char *text, size_t len, struct cs_credentials *out,
			struct cs_error *err);

/* The config file's path: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
void docker_config_path(char *out, size_t size);

/*
 * All of it: 1 with OUT filled, 0 when there are no credentials for
 * REGISTRY (no config file is not an error), -1 on a broken config or a
 * failing helper. A helper gets TIMEOUT seconds (a keychain may be asking
 * its user), then it is killed. Errors never quote a secret or a helper's
 * output.
 */
int docker_credentials(const char *registry, double timeout, struct cs_credentials *out,
		       struct cs_error *err);

#endif
