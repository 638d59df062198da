/*
 * A local store's results, read when asked: cache.db's _result for the
 * keys on screen (the browser never walks it), each result joined to the
 * worker metadata its ID names. Both files are live; each read is checked
 * against the metas and repeated when a writer may have reused its pages.
 */
#include "local_results.h"
#include "bolt.h"
#include "buf.h"
#include "store_scan.h"
#include "strindex.h"
#include "units.h"
#include "xalloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ATTEMPTS 50
/* a cache.parent chain longer than this loops: BuildKit's are as long as an image has layers */
#define MAX_CHAIN 4096

struct worker {
	char *path;
	char *id;               /* NULL: any result ID may name its records */
	struct cs_metadata *md; /* opened on first use */
	bool failed;            /* could not be opened: said once, not tried again */
};

struct cs_local_results {
	char *db_path;          /* NULL: the graph holds the results (standard input) */
	struct bolt_file file;
	struct bolt_bucket results;
	bool has_results, attached;
	struct worker *workers;
	size_t worker_count, worker_cap;
	char *warning;
};

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void add_worker(struct cs_local_results *lr, char *path, char *id)
{
	XGROW(lr->workers, lr->worker_cap, lr->worker_count + 1);
	lr->workers[lr->worker_count++] = (struct worker){ path, id, NULL, false };
}

/* A worker folder's ID: the first line of its workerid file. */
static char *read_worker_id(const char *dir)
{
	char *path = xasprintf("%s/workerid", dir), line[256];
	FILE *f = fopen(path, "r");
	char *id = NULL;

	free(path);
	if (!f)
		return NULL;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line)
			id = xstrdup(line);
	}
	fclose(f);
	return id;
}

/* dockerd keeps its one worker's metadata beside cache.db; buildkitd one per worker folder. */
static void find_workers(struct cs_local_results *lr, const char *root)
{
	char *beside = xasprintf("%s/metadata_v2.db", root);
	DIR *d;
	struct dirent *e;

	if (is_file(beside))
		add_worker(lr, beside, NULL);
	else
		free(beside);
	if (!(d = opendir(root)))
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "runc-", 5) != 0 && strncmp(e->d_name, "containerd-", 11) != 0)
			continue;
		char *dir = xasprintf("%s/%s", root, e->d_name);
		char *path = xasprintf("%s/metadata_v2.db", dir);
		if (is_file(path))
			add_worker(lr, path, read_worker_id(dir));
		else
			free(path);
		free(dir);
	}
	closedir(d);
}

struct cs_local_results *local_results_new(const char *db_path, const char *metadata)
{
	struct cs_local_results *lr = xcalloc(1, sizeof(*lr));

	lr->file.fd = -1;
	lr->db_path = db_path ? xstrdup(db_path) : NULL;
	if (metadata) {
		add_worker(lr, xstrdup(metadata), NULL);
	} else if (db_path) {
		char *root = xstrdup(db_path), *slash = strrchr(root, '/');
		if (slash)
			*slash = '\0';
		find_workers(lr, slash ? root : ".");
		free(root);
	}
	return lr;
}

void local_results_free(struct cs_local_results *lr)
{
	if (!lr)
		return;
	bolt_close(&lr->file);
	for (size_t i = 0; i < lr->worker_count; i++) {
		metadata_close(lr->workers[i].md);
		free(lr->workers[i].path);
		free(lr->workers[i].id);
	}
	free(lr->workers);
	free(lr->db_path);
	free(lr->warning);
	free(lr);
}

size_t local_results_workers(const struct cs_local_results *lr)
{
	return lr->worker_count;
}

const char *local_results_warning(const struct cs_local_results *lr)
{
	return lr ? lr->warning : NULL;
}

/* A sidecar that failed: remembered, and said once (sizes show as unknown). */
static void warn(struct cs_local_results *lr, const struct cs_error *err)
{
	if (!lr->warning)
		lr->warning = xasprintf("%s (results shown without it)", err->msg);
}

static struct cs_metadata *worker_store(struct cs_local_results *lr, struct worker *w)
{
	struct cs_error err;

	if (!w->md && !w->failed && metadata_open(w->path, w->id, &w->md, &err) < 0) {
		w->failed = true;
		warn(lr, &err);
	}
	return w->md;
}

int local_results_check(struct cs_local_results *lr, bool named, struct cs_error *err)
{
	for (size_t i = 0; i < lr->worker_count; i++) {
		struct worker *w = &lr->workers[i];
		if (w->md || w->failed)
			continue;
		if (named && metadata_open(w->path, w->id, &w->md, err) < 0) {
			w->failed = true;
			return -1;
		}
		worker_store(lr, w);
	}
	return 0;
}

/* The worker whose records a result ID "<worker>::<record>" names; sets *RECORD to the record's ID. */
static struct worker *worker_of(struct cs_local_results *lr, const char *id, size_t len, struct cs_bytes *record)
{
	const char *sep = NULL;
	struct worker *any = NULL;

	for (size_t i = 0; i + 1 < len; i++)
		if (id[i] == ':' && id[i + 1] == ':') {
			sep = id + i;
			break;
		}
	if (!sep) {
		/* no worker named (our generated fixtures): any single store may hold it */
		*record = cs_bytes_of(id, len);
		for (size_t i = 0; i < lr->worker_count; i++)
			if (!lr->workers[i].id)
				return &lr->workers[i];
		return lr->worker_count == 1 ? &lr->workers[0] : NULL;
	}
	*record = cs_bytes_of(sep + 2, len - (size_t)(sep + 2 - id));
	for (size_t i = 0; i < lr->worker_count; i++) {
		struct worker *w = &lr->workers[i];
		if (w->id && strlen(w->id) == (size_t)(sep - id) && memcmp(w->id, id, (size_t)(sep - id)) == 0)
			return w;
		if (!w->id)
			any = w;
	}
	/* one store and no way to tell: dockerd's "moby", or a --metadata file */
	return any ? any : lr->worker_count == 1 ? &lr->workers[0] : NULL;
}

/* ---- cache.db's _result ---- */

static int attach(struct cs_local_results *lr, struct cs_error *err)
{
	int found = bolt_attach(&lr->file, lr->db_path, "_result", &lr->results, err);

	if (found < 0)
		return -1;
	lr->has_results = found;
	lr->attached = true;
	return 0;
}

struct result_ref {
	struct cs_buf id;
	struct cs_buf created;
};

struct collect {
	struct result_ref *refs;
	size_t count, cap;
};

static int collect_result(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct collect *c = ctx;
	struct cs_bytes id, created;

	if (item->is_bucket)
		return 0;
	if (scan_result_value(item, &id, &created, err) < 0)
		return -1;
	XGROW(c->refs, c->cap, c->count + 1);
	struct result_ref *r = &c->refs[c->count++];
	r->id = (struct cs_buf)CS_BUF_INIT;
	r->created = (struct cs_buf)CS_BUF_INIT;
	/* copied out: the daemon may reuse these pages as soon as we let go */
	buf_add(&r->id, id.ptr, id.len);
	buf_add(&r->created, created.ptr, created.len);
	return 0;
}

static void collect_free(struct collect *c)
{
	for (size_t i = 0; i < c->count; i++) {
		buf_free(&c->refs[i].id);
		buf_free(&c->refs[i].created);
	}
	free(c->refs);
	memset(c, 0, sizeof(*c));
}

/* The results _result/<KEY> lists, in key order. */
static int results_of_key(struct cs_local_results *lr, const char *key, struct collect *c, struct cs_error *err)
{
	if (!lr->attached && attach(lr, err) < 0)
		return -1;
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		struct bolt_item item;
		int found = 0, rc = 0;

		collect_free(c);
		bolt_walk_begin(&lr->file);
		if (lr->has_results)
			found = bolt_get(&lr->file, &lr->results, key, strlen(key), &item, err);
		if (found > 0 && item.is_bucket)
			rc = bolt_foreach(&lr->file, &item.bucket, collect_result, c, err);
		if (bolt_snapshot_intact(&lr->file)) {
			if (found < 0 || rc < 0) {
				collect_free(c);
				return cs_fail_context(err, "%s: _result/%.80s", lr->db_path, key);
			}
			return 0;
		}
		if (attach(lr, err) < 0)
			return -1;
	}
	return cs_fail(err, "%s: kept changing while being read", lr->db_path);
}

/* The results the graph holds for N (read with the graph: standard input, stats, dump). */
static void results_in_graph(const struct cs_graph *g, cs_node_id n, struct collect *c)
{
	for (uint32_t i = 0; i < graph_result_count(g, n); i++) {
		const struct cs_result *r = graph_result(g, n, i);
		const char *id = strings_at(&g->strings, r->id), *created = strings_at(&g->strings, r->created_at);
		XGROW(c->refs, c->cap, c->count + 1);
		struct result_ref *ref = &c->refs[c->count++];
		ref->id = (struct cs_buf)CS_BUF_INIT;
		ref->created = (struct cs_buf)CS_BUF_INIT;
		buf_adds(&ref->id, id ? id : "");
		if (created)
			buf_adds(&ref->created, created);
	}
}

/* ---- joining ---- */

static uint32_t copy_text(struct cs_result_list *out, const struct cs_record_set *set, uint32_t off)
{
	const char *text = record_text(set, off);

	return text ? strings_add(&out->strings, text, strlen(text)) : CS_STR_NONE;
}

/* The bytes under a record: its own and those of every cache.parent below, or -1 if any is unknown. */
static int64_t chain_size(struct cs_local_results *lr, struct cs_metadata *md, struct cs_record_set *set,
			  size_t at)
{
	int64_t total = 0;

	for (int steps = 0; steps < MAX_CHAIN; steps++) {
		const struct cs_record *r = &set->records[at];
		const char *parent = record_text(set, r->parent);
		struct cs_error err;
		if (r->size < 0)
			return -1;
		total += r->size;
		if (!parent)
			return total;
		int found = metadata_get(md, parent, strlen(parent), set, &at, &err);
		if (found < 0)
			warn(lr, &err);
		if (found <= 0)
			return -1;
	}
	return -1;
}

static void join_record(struct cs_local_results *lr, const struct result_ref *ref, struct cs_result_info *info,
			struct cs_result_list *out)
{
	struct cs_bytes record;
	struct worker *w = worker_of(lr, ref->id.data ? ref->id.data : "", ref->id.len, &record);
	struct cs_metadata *md = w ? worker_store(lr, w) : NULL;
	struct cs_record_set set;
	struct cs_error err;
	size_t at;

	if (!md)
		return;
	record_set_init(&set);
	int found = metadata_get(md, (const char *)record.ptr, record.len, &set, &at, &err);
	if (found < 0)
		warn(lr, &err);
	if (found > 0) {
		const struct cs_record *r = &set.records[at];
		info->description = copy_text(out, &set, r->description);
		info->record_type = strings_add(&out->strings, record_type_name(&set, r),
						strlen(record_type_name(&set, r)));
		info->parent = copy_text(out, &set, r->parent);
		info->size = r->size;
		if (r->created)
			info->created = r->created;
		info->last_used = r->last_used;
		info->usage_count = r->usage_count;
		if (!out->skip_totals)
			info->total_size = chain_size(lr, md, &set, at);
	}
	record_set_free(&set);
}

int local_results_of(struct cs_local_results *lr, const struct cs_graph *g, cs_node_id n,
		     struct cs_result_list *out, struct cs_error *err)
{
	struct collect c = { 0 };

	if (g->results_skipped && lr->db_path) {
		if (results_of_key(lr, graph_key(g, n), &c, err) < 0)
			return -1;
	} else {
		results_in_graph(g, n, &c);
	}
	for (size_t i = 0; i < c.count; i++) {
		struct cs_result_info *info = result_list_add(out);
		int64_t created;
		info->id = strings_add(&out->strings, c.refs[i].id.data ? c.refs[i].id.data : "", c.refs[i].id.len);
		if (c.refs[i].created.len &&
		    parse_rfc3339(c.refs[i].created.data, c.refs[i].created.len, &created) == 0)
			info->created = created;
		join_record(lr, &c.refs[i], info, out);
	}
	collect_free(&c);
	return 0;
}

/* ---- every record at once ---- */

/* Every worker's records into SET, worker after worker: worker I's are STARTS[I] .. STARTS[I + 1]. */
static void load_all(struct cs_local_results *lr, struct cs_record_set *set, size_t *starts)
{
	for (size_t i = 0; i < lr->worker_count; i++) {
		struct cs_metadata *md = worker_store(lr, &lr->workers[i]);
		struct cs_error err;
		starts[i] = set->count;
		if (md && metadata_load_all(md, set, &err) < 0)
			warn(lr, &err);
	}
	starts[lr->worker_count] = set->count;
}

/* Records of worker W by ID, an index per worker (IDs are only unique within one). */
static void index_records(const struct cs_record_set *set, const size_t *starts, size_t w, struct str_index *x)
{
	str_index_init(x, starts[w + 1] - starts[w]);
	for (size_t i = starts[w]; i < starts[w + 1]; i++) {
		const char *id = record_text(set, set->records[i].id);
		str_index_add(x, id, strlen(id), (uint32_t)i);
	}
}

struct result_walk {
	struct cs_local_results *lr;
	const struct cs_graph *g;
	struct str_index *nodes;     /* store ID -> node */
	struct str_index *records;   /* per worker: record ID -> index in set */
	cs_node_id node;             /* the key whose results come next */
	cs_node_id *node_of_record;  /* per record: first node it is a result of */
	const struct cs_node_usage *usage; /* per node, first result's */
	uint8_t *seen;               /* per node: its first result was met */
	const struct cs_record_set *set;
	cs_description_fn each;      /* every result's description */
	void *each_ctx;
};

static int walk_result(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct result_walk *w = ctx;
	struct cs_bytes id, created, record;

	if (item->is_bucket || w->node == CS_NONE)
		return 0;
	if (scan_result_value(item, &id, &created, err) < 0)
		return -1;
	/* usage wants a node's first result; its others only matter to the other walks */
	bool first = w->usage && !w->seen[w->node];
	if (w->usage)
		w->seen[w->node] = 1;
	if (first && w->usage->created) {
		int64_t ns;
		w->usage->created[w->node] =
			created.len && parse_rfc3339((const char *)created.ptr, created.len, &ns) == 0 ? ns : 0;
	}
	struct worker *worker = worker_of(w->lr, (const char *)id.ptr, id.len, &record);
	if (!worker)
		return 0;
	size_t wi = (size_t)(worker - w->lr->workers);
	uint32_t r = str_index_get(&w->records[wi], (const char *)record.ptr, record.len);
	if (r == UINT32_MAX)
		return 0;
	const struct cs_record *rec = &w->set->records[r];
	if (w->node_of_record && w->node_of_record[r] == CS_NONE)
		w->node_of_record[r] = w->node;
	if (w->each && record_text(w->set, rec->description))
		w->each(w->each_ctx, w->node, record_text(w->set, rec->description));
	if (first && w->usage->size)
		w->usage->size[w->node] = rec->size;
	if (first && w->usage->last_used)
		w->usage->last_used[w->node] = rec->last_used;
	/* the record's own time, when cache.db's was missing */
	if (first && w->usage->created && !w->usage->created[w->node])
		w->usage->created[w->node] = rec->created;
	return 0;
}

static int walk_key(void *ctx, const struct bolt_item *item, struct cs_error *err)
{
	struct result_walk *w = ctx;

	if (!item->is_bucket)
		return 0;
	w->node = str_index_get(w->nodes, (const char *)item->key.ptr, item->key.len);
	return bolt_foreach(&w->lr->file, &item->bucket, walk_result, w, err);
}

/* Walks all of _result, calling walk_result for every result of a known node. */
static int walk_all_results(struct result_walk *w, struct cs_error *err)
{
	struct cs_local_results *lr = w->lr;

	if (!lr->db_path)
		return 0;
	if (!lr->attached && attach(lr, err) < 0)
		return -1;
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		int rc = 0;
		if (w->usage) {
			for (cs_node_id n = 0; n < w->g->node_count; n++) {
				if (w->usage->size)
					w->usage->size[n] = -1;
				if (w->usage->created)
					w->usage->created[n] = 0;
				if (w->usage->last_used)
					w->usage->last_used[n] = 0;
			}
			memset(w->seen, 0, w->g->node_count);
		}
		if (w->node_of_record)
			memset(w->node_of_record, 0xff, w->set->count * sizeof(*w->node_of_record));
		bolt_walk_begin(&lr->file);
		if (lr->has_results)
			rc = bolt_foreach(&lr->file, &lr->results, walk_key, w, err);
		if (bolt_snapshot_intact(&lr->file))
			return rc < 0 ? cs_fail_context(err, "%s", lr->db_path) : 0;
		if (attach(lr, err) < 0)
			return -1;
	}
	return cs_fail(err, "%s: kept changing while being read", lr->db_path);
}

static void index_nodes(const struct cs_graph *g, struct str_index *x)
{
	str_index_init(x, g->node_count);
	for (cs_node_id n = 0; n < g->node_count; n++)
		str_index_add(x, graph_key(g, n), strlen(graph_key(g, n)), n);
}

/* Runs a whole-store walk of W's kind over SET's records (loaded per worker at STARTS). */
static int walk_with(struct cs_local_results *lr, const struct cs_graph *g, const struct cs_record_set *set,
		     const size_t *starts, struct result_walk *w, struct cs_error *err)
{
	struct str_index nodes, *records = xcalloc(lr->worker_count ? lr->worker_count : 1, sizeof(*records));
	int rc;

	w->lr = lr;
	w->g = g;
	w->nodes = &nodes;
	w->records = records;
	w->node = CS_NONE;
	w->set = set;
	index_nodes(g, &nodes);
	for (size_t i = 0; i < lr->worker_count; i++)
		index_records(set, starts, i, &records[i]);
	rc = walk_all_results(w, err);
	for (size_t i = 0; i < lr->worker_count; i++)
		str_index_free(&records[i]);
	free(records);
	str_index_free(&nodes);
	return rc;
}

int local_results_usage(struct cs_local_results *lr, const struct cs_graph *g, const struct cs_node_usage *out,
			struct cs_error *err)
{
	struct cs_record_set set;
	size_t *starts = xcalloc(lr->worker_count + 1, sizeof(*starts));
	struct result_walk w = { .usage = out, .seen = xcalloc(g->node_count ? g->node_count : 1, 1) };
	int rc;

	record_set_init(&set);
	load_all(lr, &set, starts);
	rc = walk_with(lr, g, &set, starts, &w, err);
	record_set_free(&set);
	free(w.seen);
	free(starts);
	return rc;
}

int local_results_each_description(struct cs_local_results *lr, const struct cs_graph *g, cs_description_fn fn,
				   void *ctx, struct cs_error *err)
{
	struct cs_record_set set;
	size_t *starts = xcalloc(lr->worker_count + 1, sizeof(*starts));
	struct result_walk w = { .each = fn, .each_ctx = ctx };
	int rc = 0;

	record_set_init(&set);
	load_all(lr, &set, starts);
	if (set.count)
		rc = walk_with(lr, g, &set, starts, &w, err);
	record_set_free(&set);
	free(starts);
	return rc;
}

/*
 * What BuildKit's DiskUsage leaves out: a record whose mutable twin
 * (cache.equalMutable) stands for it. The twin has no size of its own on
 * disk record; it takes the one it stands for.
 */
static void settle_twins(struct cs_record_set *set, const size_t *starts, size_t workers, bool *listed,
			 uint32_t *twin_of)
{
	for (size_t w = 0; w < workers; w++) {
		struct str_index x;
		index_records(set, starts, w, &x);
		for (size_t i = starts[w]; i < starts[w + 1]; i++) {
			struct cs_record *r = &set->records[i];
			const char *twin = record_text(set, r->equal_mutable);
			listed[i] = !twin;
			twin_of[i] = twin ? str_index_get(&x, twin, strlen(twin)) : UINT32_MAX;
			if (twin_of[i] != UINT32_MAX && set->records[twin_of[i]].size < 0)
				set->records[twin_of[i]].size = r->size;
		}
		str_index_free(&x);
	}
}

static uint32_t copy_record_text(struct cs_record_set *to, const struct cs_record_set *from, uint32_t off)
{
	const char *text = record_text(from, off);

	return text ? strings_add(&to->strings, text, strlen(text)) : CS_STR_NONE;
}

int local_results_records(struct cs_local_results *lr, const struct cs_graph *g,
			  struct cs_record_set *out, cs_node_id **nodes, struct cs_error *err)
{
	struct cs_record_set set;
	size_t *starts = xcalloc(lr->worker_count + 1, sizeof(*starts));
	cs_node_id *node_of = NULL;
	uint32_t *twin_of;
	bool *listed;
	int rc = 0;

	record_set_init(&set);
	load_all(lr, &set, starts);
	listed = xcalloc(set.count ? set.count : 1, sizeof(*listed));
	twin_of = xmalloc((set.count ? set.count : 1) * sizeof(*twin_of));
	settle_twins(&set, starts, lr->worker_count, listed, twin_of);
	if (nodes) {
		node_of = xmalloc((set.count ? set.count : 1) * sizeof(*node_of));
		memset(node_of, 0xff, set.count * sizeof(*node_of));
		struct result_walk w = { .node_of_record = node_of };
		rc = walk_with(lr, g, &set, starts, &w, err);
		/* a key's result is the record its twin stands for: the twin is listed, so it names the key */
		for (size_t i = 0; rc == 0 && i < set.count; i++)
			if (twin_of[i] != UINT32_MAX && node_of[twin_of[i]] == CS_NONE)
				node_of[twin_of[i]] = node_of[i];
	}
	if (rc == 0) {
		size_t listed_count = 0;
		cs_node_id *out_nodes = nodes ? xmalloc((set.count ? set.count : 1) * sizeof(*out_nodes)) : NULL;
		for (size_t i = 0; i < set.count; i++) {
			if (!listed[i])
				continue;
			struct cs_record r = set.records[i];
			r.id = copy_record_text(out, &set, r.id);
			r.description = copy_record_text(out, &set, r.description);
			r.record_type = copy_record_text(out, &set, r.record_type);
			r.parent = copy_record_text(out, &set, r.parent);
			r.equal_mutable = CS_STR_NONE;
			XGROW(out->records, out->cap, out->count + 1);
			out->records[out->count++] = r;
			if (out_nodes)
				out_nodes[listed_count] = node_of[i];
			listed_count++;
		}
		if (nodes)
			*nodes = out_nodes;
	}
	free(node_of);
	free(twin_of);
	free(listed);
	free(starts);
	record_set_free(&set);
	return rc;
}
