#include "source.h"
#include "cache_spec.h"
#include "discover.h"
#include "input.h"
#include "load_watch.h"
#include "local_results.h"
#include "plainstore.h"
#include "readers.h"
#include "remote.h"
#include "store_prefix.h"
#include "tar.h"
#include "xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOLT_MAGIC 0xED0CDAEDu

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/*
 * Adds the cache-debug.db at PATH: one the user named must open; one
 * merely found beside the store that cannot be used leaves the graph
 * without plaintexts, and a warning that says why.
 */
static int add_debug_db(struct cs_graph *g, const char *path, bool must_exist,
			struct cs_error *err)
{
	struct cs_plainstore *store;
	double start = cs_now();

	if (!must_exist && !is_file(path))
		return 0;
	if (plainstore_open_bolt(path, &store, err) < 0) {
		if (must_exist)
			return -1;
		if (!g->warning)
			g->warning = xasprintf("%s (plaintexts not shown)", err->msg);
		return 0;
	}
	graph_add_plainstore(g, store);
	graph_phase(g, "open cache-debug.db", start);
	return 0;
}

/*
 * What a local store's results are comes from its workers' metadata_v2.db
 * (beside cache.db, or named with --metadata), read when asked. A store
 * the user named must open now; one found beside warns when it fails.
 */
static int add_local_results(struct cs_graph *g, const char *db_path, const struct cs_load_options *opt,
			     struct cs_error *err)
{
	const char *named = opt ? opt->metadata : NULL;

	g->local_results = local_results_new(db_path, named);
	return named ? local_results_check(g->local_results, true, err) : 0;
}

/*
 * A daemon root: cache.db, and beside it the cache-debug.db if there is
 * one. When the caller will count plaintexts (stats), the second file is
 * opened first and counted on its own thread while cache.db loads; errors
 * still come in the usual order, cache.db's first.
 */
static int load_bolt_store(struct cs_graph *g, const char *db_path,
			   const struct cs_load_options *opt, struct cs_error *err)
{
	char *dir = xstrdup(db_path), *slash = strrchr(dir, '/');
	bool ahead = opt && opt->count_plaintexts;
	struct cs_error debug_err = { "" };
	int rc, debug_rc = 0;
	char *debug;

	g->kind = "local store";
	if (slash)
		slash[1] = '\0';
	debug = slash ? path_join(dir, "cache-debug.db") : xstrdup("cache-debug.db");
	if (ahead) {
		debug_rc = add_debug_db(g, debug, false, &debug_err);
		for (int i = 0; debug_rc == 0 && i < g->plain_count; i++)
			plainstore_count_ahead(g->plain[i]);
	}
	struct cs_store_read how = {
		.with_results = !(opt && opt->skip_local_results),
		.counts_only = opt && opt->counts_only,
		.watch = opt ? opt->watch : NULL,
	};
	rc = read_bolt_store(g, db_path, &how, err);
	if (rc == 0)
		rc = add_local_results(g, db_path, opt, err);
	if (rc == 0 && !ahead)
		rc = add_debug_db(g, debug, false, err);
	if (rc == 0 && debug_rc < 0) {
		*err = debug_err;
		rc = -1;
	}
	free(debug);
	free(dir);
	return rc;
}

static int load_directory(struct cs_graph *g, const char *dir, const struct cs_load_options *opt,
			  struct cs_error *err)
{
	char *db = path_join(dir, "cache.db");
	char *index = path_join(dir, "index.json");
	int rc;

	if (is_file(db))
		rc = load_bolt_store(g, db, opt, err);
	else if (is_file(index))
		rc = read_oci_layout(g, dir, NULL, NULL, err);
	else
		rc = cs_fail(err, "%s: neither a daemon root (no cache.db) nor an OCI layout (no index.json)", dir);
	free(db);
	free(index);
	return rc;
}

static bool looks_like_bolt(struct cs_bytes data)
{
	uint32_t magic;

	if (data.len < 16 + 4)
		return false;
	memcpy(&magic, data.ptr + 16, 4);
	return magic == BOLT_MAGIC;
}

/* Reads a file form by what its first bytes say it is. */
static int load_input(struct cs_graph *g, const char *path, const struct cs_load_options *opt,
		      struct cs_error *err)
{
	struct cs_input in;
	struct cs_stdin_head head = { .piped = false };
	size_t i = 0;

	/* a docker save archive through a pipe can be many GB: read as it comes, never whole */
	if (strcmp(path, "-") == 0 && input_stdin_head(&head, err) < 0)
		return -1;
	if (head.piped && tar_recognize(cs_bytes_of(head.bytes, head.len)))
		return read_image_archive_stream(g, "standard input", cs_bytes_of(head.bytes, head.len),
						 input_read_stdin, NULL, err);
	if (head.piped ? input_open_stdin_after(&in, &head, err) < 0 : input_open(&in, path, err) < 0)
		return -1;
	if (looks_like_bolt(in.data)) {
		int rc;
		if (strcmp(path, "-") != 0) {
			input_close(&in);
			return load_bolt_store(g, path, opt, err);
		}
		g->kind = "local store";
		rc = read_bolt_store_memory(g, in.data, err);
		if (rc == 0)
			rc = add_local_results(g, NULL, opt, err);
		/* the graph copies what it keeps; the bytes can go */
		input_close(&in);
		return rc;
	}
	if (tar_recognize(in.data)) {
		int rc = read_image_archive(g, in.name, in.data, err);
		input_close(&in);
		return rc;
	}
	if (in.data.len >= 3 && memcmp(in.data.ptr, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < in.data.len && strchr(" \t\r\n", in.data.ptr[i]))
		i++;
	if (i < in.data.len && in.data.ptr[i] == '[')
		return read_debug_json(g, &in, err);
	if (in.data.len - i >= 4 && memcmp(in.data.ptr + i, "ID: ", 4) == 0)
		return read_debug_text(g, &in, err);
	if (i < in.data.len && in.data.ptr[i] == '{') {
		int rc = read_json_object(g, in.name, in.data, err);
		input_close(&in);
		return rc;
	}
	cs_fail(err, "%s: not a cache store, cache config, image config, docker save archive, OCI layout or debug export", in.name);
	input_close(&in);
	return -1;
}

static int load_spec(struct cs_graph *g, const char *text, const struct cs_load_options *opt,
		     struct cs_error *err)
{
	struct cs_cache_spec spec;
	int rc;

	if (cache_spec_parse(text, &spec, err) < 0)
		return -1;
	if (spec.type == CACHE_LOCAL)
		rc = read_oci_layout(g, spec.src, spec.tag, spec.digest, err);
	else
		rc = read_registry(g, spec.ref, opt, err);
	cache_spec_free(&spec);
	return rc;
}

static int load_any(struct cs_graph *g, const char *source, const struct cs_load_options *opt,
		    struct cs_error *err)
{
	struct stat st;

	if (strcmp(source, "-") == 0)
		return load_input(g, source, opt, err);
	if (cache_spec_recognize(source))
		return load_spec(g, source, opt, err);
	if (daemon_is_address(source))
		return read_daemon(g, source, opt, err);
	if (stat(source, &st) < 0)
		return cs_fail(err, "%s: %s", source, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return load_directory(g, source, opt, err);
	return load_input(g, source, opt, err);
}

/*
 * --addr: a daemon resolves the plaintexts. A cache config file goes to it
 * whole (one POST); other sources ask digest by digest. Registry sources
 * have already posted the config they fetched.
 */
static int add_addr_plaintexts(struct cs_graph *g, const char *source,
			       const struct cs_load_options *opt, struct cs_error *err)
{
	struct cs_input in;
	int rc;

	if (g->kind && strcmp(g->kind, "cache config") == 0 && strcmp(source, "-") != 0 &&
	    input_open(&in, source, err) == 0) {
		rc = daemon_add_plaintexts(g, opt->addr, opt, in.data, err);
		input_close(&in);
		return rc;
	}
	return daemon_add_plaintexts(g, opt->addr, opt, cs_bytes_of(NULL, 0), err);
}

int source_load(const char *source, const struct cs_load_options *opt,
		struct cs_graph **out, struct cs_error *err)
{
	struct cs_discovery *found = NULL;
	struct cs_graph *g;

	if (!source) {
		found = xcalloc(1, sizeof(*found));
		if (discover_roots(found, err) < 0) {
			free(found);
			return -1;
		}
		source = found->roots[0].path;
	}
	g = graph_new(source, NULL);
	g->found = found;
	if (load_any(g, source, opt, err) < 0 ||
	    (opt && opt->metadata && !g->local_results &&
	     cs_fail(err, "--metadata goes with a local store (a daemon root or its cache.db)") < 0) ||
	    (opt && opt->debug_db && add_debug_db(g, opt->debug_db, true, err) < 0) ||
	    (opt && opt->addr && add_addr_plaintexts(g, source, opt, err) < 0)) {
		graph_free(g);
		return -1;
	}
	graph_compact(g);
	*out = g;
	return 0;
}

struct load_job {
	const char *source;
	const struct cs_load_options *opt;
	struct cs_graph *graph;
	struct cs_error err;
	int rc;
};

static void *load_job_run(void *arg)
{
	struct load_job *job = arg;

	job->rc = source_load(job->source, job->opt, &job->graph, &job->err);
	return NULL;
}

int source_load_pair(const char *a, const char *b, const struct cs_load_options *opt,
		     struct cs_graph **out_a, struct cs_graph **out_b, struct cs_error *err)
{
	struct load_job jobs[2] = { { .source = a, .opt = opt }, { .source = b, .opt = opt } };
	pthread_t thread;
	bool threaded = pthread_create(&thread, NULL, load_job_run, &jobs[1]) == 0;

	load_job_run(&jobs[0]);
	if (threaded)
		pthread_join(thread, NULL);
	else
		load_job_run(&jobs[1]);
	for (int i = 0; i < 2; i++) {
		if (jobs[i].rc == 0)
			continue;
		*err = jobs[i].err;
		for (int k = 0; k < 2; k++)
			if (jobs[k].rc == 0)
				graph_free(jobs[k].graph);
		return -1;
	}
	*out_a = jobs[0].graph;
	*out_b = jobs[1].graph;
	return 0;
}

/* ---- a big store's first rows now, the rest on a thread ---- */

/* Below this the whole load takes a few ms: a prefix would only add to it. */
#define EARLY_MIN_BYTES ((off_t)4 << 20)

struct cs_pending {
	pthread_t thread;
	bool started, threaded;
	char *source;
	struct cs_load_options opt;
	struct cs_load_watch watch;
	_Atomic bool done;
	struct cs_graph *graph;
	struct cs_error err;
	int rc;
};

/* The cache.db a source names, when it is a local store on disk (else NULL). */
static char *local_store_path(const char *source)
{
	struct stat st;
	char *db;

	if (!source || strcmp(source, "-") == 0 || cache_spec_recognize(source) ||
	    daemon_is_address(source) || stat(source, &st) < 0)
		return NULL;
	db = S_ISDIR(st.st_mode) ? path_join(source, "cache.db") : xstrdup(source);
	struct cs_input in;
	struct cs_error err;
	/* a file is a store by its content, as load_input decides */
	if (!is_file(db) || input_open(&in, db, &err) < 0) {
		free(db);
		return NULL;
	}
	bool bolt = looks_like_bolt(in.data);
	input_close(&in);
	if (!bolt) {
		free(db);
		return NULL;
	}
	return db;
}

int source_load_prefix(const char *source, const struct cs_load_options *opt, uint32_t rows,
		       struct cs_graph **out, struct cs_error *err)
{
	/* plaintexts from a daemon's lookups, or a named store, come with the whole load */
	if (opt && (opt->addr || opt->debug_db || opt->metadata))
		return 0;
	char *db = local_store_path(source);
	if (!db)
		return 0;
	struct cs_graph *g = graph_new(source, "local store");
	int rc = store_prefix_read(g, db, rows);
	if (rc > 0) {
		char *dir = xstrdup(db), *slash = strrchr(dir, '/');
		if (slash)
			slash[1] = '\0';
		char *debug = slash ? path_join(dir, "cache-debug.db") : xstrdup("cache-debug.db");
		rc = add_local_results(g, db, opt, err) == 0 && add_debug_db(g, debug, false, err) == 0;
		free(debug);
		free(dir);
	}
	free(db);
	if (rc <= 0) {
		graph_free(g);
		return 0;
	}
	*out = g;
	return 1;
}

static void *pending_run(void *arg)
{
	struct cs_pending *p = arg;

	p->rc = source_load(p->source, &p->opt, &p->graph, &p->err);
	atomic_store(&p->done, true);
	return NULL;
}

static struct cs_pending *pending_new(const char *source, const struct cs_load_options *opt)
{
	struct cs_pending *p = xcalloc(1, sizeof(*p));
	p->source = xstrdup(source);
	if (opt)
		p->opt = *opt;
	p->opt.watch = &p->watch;
	/* fetches report to the browser's status line, which only its own thread may draw */
	p->opt.progress = NULL;
	return p;
}

int source_load_early(const char *source, const struct cs_load_options *opt, uint32_t rows,
		      struct cs_graph **out, struct cs_pending **pending, struct cs_error *err)
{
	struct cs_discovery *found = NULL;

	*pending = NULL;
	/* no SOURCE: the newest daemon root found, the most common on a build host, opens early too */
	if (!source) {
		found = xcalloc(1, sizeof(*found));
		if (discover_roots(found, err) < 0) {
			free(found);
			return -1;
		}
		source = found->roots[0].path;
	}
	char *db = local_store_path(source);
	struct stat st;
	bool big = db && stat(db, &st) == 0 && st.st_size >= EARLY_MIN_BYTES;
	int rc = 0;

	free(db);
	if (!big || source_load_prefix(source, opt, rows, out, err) <= 0)
		rc = source_load(source, opt, out, err);
	else
		*pending = pending_new(source, opt);
	/* the first graph shown says what discovery found (discovery_note) */
	if (rc == 0) {
		(*out)->found = found;
	} else if (found) {
		discovery_free(found);
		free(found);
	}
	return rc;
}

void pending_start(struct cs_pending *p)
{
	if (!p || p->started)
		return;
	p->started = true;
	if (pthread_create(&p->thread, NULL, pending_run, p) != 0) {
		/* no thread: the load runs here and now */
		p->threaded = false;
		pending_run(p);
		return;
	}
	p->threaded = true;
}

uint64_t pending_keys_read(const struct cs_pending *p)
{
	return atomic_load_explicit(&p->watch.keys, memory_order_relaxed);
}

bool pending_done(const struct cs_pending *p)
{
	return atomic_load(&p->done);
}

int pending_finish(struct cs_pending *p, struct cs_graph **out, struct cs_error *err)
{
	int rc;

	pending_start(p);
	if (p->threaded)
		pthread_join(p->thread, NULL);
	rc = p->rc;
	if (rc == 0)
		*out = p->graph;
	else
		*err = p->err;
	free(p->source);
	free(p);
	return rc;
}

void pending_cancel(struct cs_pending *p)
{
	struct cs_graph *g = NULL;
	struct cs_error err;

	if (!p)
		return;
	if (!p->started) {
		free(p->source);
		free(p);
		return;
	}
	atomic_store(&p->watch.cancel, true);
	if (pending_finish(p, &g, &err) == 0)
		graph_free(g);
}
