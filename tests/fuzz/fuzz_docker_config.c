/*
 * libFuzzer target: docker's config.json and a credential helper's answer,
 * the two texts on disk or from a program that registry credentials come
 * from. The input is read as a config for a few registries (Docker Hub, a
 * host, a host with a port) and as a helper's `get` answer.
 *
 * Checked beyond "no crash": a helper to run is a plain name (no '/', no
 * leading '.', only [A-Za-z0-9._-]), since it becomes part of a program
 * name; credentials found for INLINE are present; a helper answer gives
 * either a user and password or an identity token, never both, never
 * empty strings.
 */
#include "core/docker_config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_helper_name(const char *name)
{
	if (!name || !*name || name[0] == '.')
		__builtin_trap();
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			__builtin_trap();
}

static void check_config(const char *text, size_t len, const char *registry)
{
	struct cs_docker_auth a;
	struct cs_error err;

	if (docker_config_find(text, len, registry, &a, &err) < 0) {
		if (a.kind != DOCKER_AUTH_NONE || a.helper || a.cred.username || a.cred.identity_token)
			__builtin_trap();
		return;
	}
	if (a.kind == DOCKER_AUTH_HELPER) {
		check_helper_name(a.helper);
		if (!a.server || strcmp(a.server, docker_server_address(registry)) != 0)
			__builtin_trap();
	}
	if (a.kind == DOCKER_AUTH_INLINE && !credentials_present(&a.cred))
		__builtin_trap();
	if ((a.cred.username == NULL) != (a.cred.password == NULL))
		__builtin_trap();
	docker_auth_free(&a);
}

static void check_helper_answer(const char *text, size_t len)
{
	struct cs_credentials c;
	struct cs_error err;

	if (docker_helper_parse(text, len, &c, &err) < 0) {
		if (c.username || c.password || c.identity_token)
			__builtin_trap();
		return;
	}
	if (c.identity_token ? (c.username || c.password || !*c.identity_token)
			     : (!c.username || !c.password || !*c.username || !*c.password))
		__builtin_trap();
	credentials_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const registries[] = { "docker.io", "ghcr.io", "localhost:5000" };
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i < sizeof(registries) / sizeof(registries[0]); i++)
		check_config(text, size, registries[i]);
	check_helper_answer(text, size);
	free(text);
	return 0;
}
