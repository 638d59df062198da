#include "docker_config.h"
#include "base64.h"
#include "buf.h"
#include "graph.h"
#include "input.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CONFIG_SIZE (4 << 20)
#define MAX_HELPER_OUTPUT (1 << 20)

/* ---- reading config.json (pure) ---- */

const char *docker_server_address(const char *registry)
{
	if (strcasecmp(registry, "docker.io") == 0 || strcasecmp(registry, "index.docker.io") == 0 ||
	    strcasecmp(registry, "registry-1.docker.io") == 0)
		return CS_DOCKER_HUB_SERVER;
	return registry;
}

static bool is_docker_hub(const char *host, size_t len)
{
	static const char *const names[] = { "docker.io", "index.docker.io", "registry-1.docker.io" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == strlen(names[i]) && strncasecmp(host, names[i], len) == 0)
			return true;
	return false;
}

/* Docker's ConvertToHostname: "https://host:5000/v1/" -> "host:5000". */
static void key_hostname(const char *key, const char **host, size_t *len)
{
	if (strncasecmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncasecmp(key, "http://", 7) == 0)
		key += 7;
	*host = key;
	*len = strcspn(key, "/");
}

static bool key_matches(const char *key, const char *registry)
{
	const char *server = docker_server_address(registry), *host;
	size_t len;

	if (strcmp(key, server) == 0)
		return true;
	key_hostname(key, &host, &len);
	if (strcmp(server, CS_DOCKER_HUB_SERVER) == 0)
		return is_docker_hub(host, len);
	return len == strlen(registry) && strncasecmp(host, registry, len) == 0;
}

/* The member of OBJ whose key names REGISTRY: the exact address first, then any match. */
static json_t *find_entry(json_t *obj, const char *registry)
{
	const char *key;
	json_t *value;

	if (!json_is_object(obj))
		return NULL;
	value = json_object_get(obj, docker_server_address(registry));
	if (value)
		return value;
	json_object_foreach(obj, key, value)
		if (key_matches(key, registry))
			return value;
	return NULL;
}

static char *string_member(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);

	return json_is_string(v) && json_string_length(v) > 0 && !memchr(json_string_value(v), '\0', json_string_length(v))
		? xstrdup(json_string_value(v)) : NULL;
}

/* auths' "auth": base64 of "user:password". */
static int decode_auth(json_t *entry, struct cs_credentials *cred, struct cs_error *err)
{
	json_t *auth = json_object_get(entry, "auth");
	struct cs_buf plain = CS_BUF_INIT;
	char *colon;

	if (!json_is_string(auth) || json_string_length(auth) == 0)
		return 0;
	if (base64_decode(&plain, json_string_value(auth), json_string_length(auth)) < 0 ||
	    !plain.data || memchr(plain.data, '\0', plain.len) || !(colon = strchr(plain.data, ':'))) {
		if (plain.data)
			explicit_bzero(plain.data, plain.len);
		buf_free(&plain);
		return cs_fail(err, "auths: an \"auth\" that is not base64 of user:password");
	}
	*colon = '\0';
	if (plain.data[0] && colon[1]) {
		cred->username = xstrdup(plain.data);
		cred->password = xstrdup(colon + 1);
	}
	explicit_bzero(plain.data, plain.len);
	buf_free(&plain);
	return 0;
}

static int read_inline(json_t *entry, struct cs_credentials *cred, struct cs_error *err)
{
	if (!json_is_object(entry))
		return entry ? cs_fail(err, "auths: an entry that is not an object") : 0;
	if (decode_auth(entry, cred, err) < 0)
		return -1;
	if (!cred->username) {
		char *user = string_member(entry, "username"), *pass = string_member(entry, "password");
		if (user && pass) {
			cred->username = user;
			cred->password = pass;
		} else {
			secret_free(user);
			secret_free(pass);
		}
	}
	cred->identity_token = string_member(entry, "identitytoken");
	return 0;
}

/* Helper names become a file name: letters, digits and -._ only. */
static bool helper_name_ok(const char *name)
{
	if (!*name || name[0] == '.' || strlen(name) > 100)
		return false;
	for (const char *p = name; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

int docker_config_find(const char *text, size_t len, const char *registry,
		       struct cs_docker_auth *out, struct cs_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *helper;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(root)) {
		json_decref(root);
		return cs_fail(err, "not a JSON object%s%.100s", root ? "" : ": ", root ? "" : jerr.text);
	}
	if (read_inline(find_entry(json_object_get(root, "auths"), registry), &out->cred, err) < 0) {
		rc = -1;
		goto out;
	}
	helper = find_entry(json_object_get(root, "credHelpers"), registry);
	if (!helper)
		helper = json_object_get(root, "credsStore");
	if (helper && (!json_is_string(helper) || !helper_name_ok(json_string_value(helper)))) {
		rc = cs_fail(err, "a credential helper name that is not a plain name");
		goto out;
	}
	if (helper) {
		out->kind = DOCKER_AUTH_HELPER;
		out->helper = xstrdup(json_string_value(helper));
		out->server = xstrdup(docker_server_address(registry));
	} else if (credentials_present(&out->cred)) {
		out->kind = DOCKER_AUTH_INLINE;
	}
out:
	if (rc < 0)
		docker_auth_free(out);
	json_decref(root);
	return rc;
}

void docker_auth_free(struct cs_docker_auth *a)
{
	credentials_free(&a->cred);
	free(a->helper);
	free(a->server);
	memset(a, 0, sizeof(*a));
}

int docker_helper_parse(const char *text, size_t len, struct cs_credentials *out,
			struct cs_error *err)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	char *user = string_member(root, "Username"), *secret = string_member(root, "Secret");
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(root) || !secret) {
		rc = cs_fail(err, "its answer is not {\"Username\",\"Secret\"}");
	} else if (user && strcmp(user, "<token>") == 0) {
		out->identity_token = secret;
		secret = NULL;
	} else if (user) {
		out->username = user;
		out->password = secret;
		user = secret = NULL;
	} else {
		rc = cs_fail(err, "its answer has a secret but no user name");
	}
	secret_free(user);
	secret_free(secret);
	json_decref(root);
	return rc;
}

/* ---- the file and the helper ---- */

void docker_config_path(char *out, size_t size)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

	if (dir && *dir)
		snprintf(out, size, "%s/config.json", dir);
	else
		snprintf(out, size, "%s/.docker/config.json", home && *home ? home : ".");
}

/* Finds PROGRAM in $PATH as execvp would, before forking (the child may not allocate). */
static char *find_program(const char *program)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char *candidate = xasprintf("%.*s%s%s", (int)n, path, n ? "/" : "./", program);
		if (access(candidate, X_OK) == 0)
			return candidate;
		free(candidate);
		path += n;
		if (*path == ':')
			path++;
	}
	return NULL;
}

struct helper_run {
	pid_t pid;
	int io;          /* our end of the socket pair: stdin and stdout of the helper */
	int status;
	bool timed_out;
};

static int start_helper(const char *program_path, struct helper_run *run, struct cs_error *err)
{
	int pair[2], devnull;
	struct rlimit rl;
	int max_fd = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096 ? (int)rl.rlim_cur : 4096;

	/* a socket, not a pipe: writing to a helper that already exited is EPIPE, not SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return cs_fail(err, "cannot start a credential helper: %s", strerror(errno));
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	run->pid = fork();
	if (run->pid == 0) {
		/* only async-signal-safe calls from here to exec */
		dup2(pair[1], 0);
		dup2(pair[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2); /* its complaints could quote secrets: not on our stderr */
		for (int fd = 3; fd < max_fd; fd++)
			close(fd);
		execl(program_path, program_path, "get", (char *)NULL);
		_exit(127);
	}
	if (devnull >= 0)
		close(devnull);
	close(pair[1]);
	if (run->pid < 0) {
		close(pair[0]);
		return cs_fail(err, "cannot start a credential helper: %s", strerror(errno));
	}
	run->io = pair[0];
	return 0;
}

/* Sends SERVER, reads the answer until EOF or the deadline, and reaps the helper. */
static void talk_to_helper(struct helper_run *run, const char *server, double timeout,
			   struct cs_buf *answer)
{
	double deadline = cs_now() + timeout;

	if (send(run->io, server, strlen(server), MSG_NOSIGNAL) >= 0)
		shutdown(run->io, SHUT_WR);
	for (;;) {
		struct pollfd p = { run->io, POLLIN, 0 };
		double left = deadline - cs_now();
		char chunk[4096];
		if (left <= 0) {
			run->timed_out = true;
			break;
		}
		int ready = poll(&p, 1, (int)(left * 1000) + 1);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			continue;
		ssize_t n = read(run->io, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || answer->len + (size_t)n > MAX_HELPER_OUTPUT)
			break;
		buf_add(answer, chunk, (size_t)n);
	}
	close(run->io);
	if (run->timed_out)
		kill(run->pid, SIGKILL);
	while (waitpid(run->pid, &run->status, 0) < 0 && errno == EINTR)
		;
}

static bool says_not_found(const struct cs_buf *answer)
{
	return answer->data && strstr(answer->data, "credentials not found");
}

/* 1 found, 0 the helper has none, -1 error. */
static int ask_helper(const struct cs_docker_auth *a, double timeout, struct cs_credentials *out,
		      struct cs_error *err)
{
	char *program = xasprintf("docker-credential-%s", a->helper);
	char *path = find_program(program);
	struct helper_run run = { 0 };
	struct cs_buf answer = CS_BUF_INIT;
	int rc;

	if (!path) {
		rc = cs_fail(err, "credential helper %s is not in PATH", program);
		goto out;
	}
	if (start_helper(path, &run, err) < 0) {
		rc = -1;
		goto out;
	}
	talk_to_helper(&run, a->server, timeout, &answer);
	if (run.timed_out)
		rc = cs_fail(err, "credential helper %s did not answer within %.3g s (--timeout)", program,
			     timeout);
	else if (WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0)
		rc = docker_helper_parse(answer.data ? answer.data : "", answer.len, out, err) < 0
			? cs_fail_context(err, "credential helper %s", program) : 1;
	else if (says_not_found(&answer))
		rc = 0;
	else if (WIFEXITED(run.status))
		rc = cs_fail(err, "credential helper %s failed (exit status %d)", program,
			     WEXITSTATUS(run.status));
	else
		rc = cs_fail(err, "credential helper %s was killed by signal %d", program,
			     WTERMSIG(run.status));
out:
	if (answer.data)
		explicit_bzero(answer.data, answer.cap);
	buf_free(&answer);
	free(path);
	free(program);
	return rc;
}

int docker_credentials(const char *registry, double timeout, struct cs_credentials *out,
		       struct cs_error *err)
{
	char path[4096];
	struct cs_buf text = CS_BUF_INIT;
	struct cs_docker_auth a;
	int rc;

	memset(out, 0, sizeof(*out));
	docker_config_path(path, sizeof(path));
	rc = input_read_small(path, MAX_CONFIG_SIZE, &text, err);
	if (rc == 0 && docker_config_find(text.data, text.len, registry, &a, err) < 0)
		rc = cs_fail_context(err, "%s", path);
	if (text.data)
		explicit_bzero(text.data, text.cap);
	buf_free(&text);
	if (rc == INPUT_MISSING)
		return 0;
	if (rc < 0)
		return -1;
	if (a.kind == DOCKER_AUTH_HELPER) {
		rc = ask_helper(&a, timeout, out, err);
		/* a store that has nothing for us: what auths says, as docker falls back */
		if (rc == 0 && credentials_present(&a.cred)) {
			*out = a.cred;
			memset(&a.cred, 0, sizeof(a.cred));
			rc = 1;
		}
	} else if (a.kind == DOCKER_AUTH_INLINE) {
		*out = a.cred;
		memset(&a.cred, 0, sizeof(a.cred));
		rc = 1;
	}
	docker_auth_free(&a);
	return rc;
}
