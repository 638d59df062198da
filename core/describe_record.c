/*
 * Naming a cache key from what its result says of itself, for the many
 * daemons that keep no plaintexts (Docker Engine's builder never does):
 * the record description BuildKit gives every result ("mount / from exec
 * /bin/sh -c make", "local source for context", "pulled from alpine"),
 * which metadata_v2.db keeps and remote caches export as
 * buildkit/description, or the image history line an inline cache's
 * layer was made by ("RUN /bin/sh -c make # buildkit"). The texts are
 * BuildKit's own (solver/llbsolver/ops/exec.go, the sources under source/) and
 * docker's; anything else is shown as it is.
 */
#include "describe.h"
#include "results.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool starts(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

static char *copy_trimmed(const char *text)
{
	size_t n = strlen(text);

	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	return xstrndup(text, n);
}

/* "mount / from exec /bin/sh -c make": the command, and the mount when it is not the root */
static void describe_exec_mount(const char *text, struct cs_description *out)
{
	const char *dest = text + strlen("mount "), *from = strstr(dest, " from exec ");

	out->kind = KIND_EXEC;
	if (!from) {
		out->summary = copy_trimmed(text);
		return;
	}
	const char *command = from + strlen(" from exec ");
	if (from - dest == 1 && dest[0] == '/')
		out->summary = copy_trimmed(command);
	else
		out->summary = xasprintf("%s  (mount %.*s)", command, (int)(from - dest), dest);
}

/* An image history line: "RUN /bin/sh -c make # buildkit", "COPY a /b # buildkit", "/bin/sh -c #(nop) ADD ..." */
static bool describe_history(const char *text, struct cs_description *out)
{
	static const struct {
		const char *instruction;
		enum cs_kind kind;
	} instructions[] = {
		{ "RUN ", KIND_EXEC },     { "COPY ", KIND_FILE }, { "ADD ", KIND_FILE },
		{ "WORKDIR ", KIND_FILE }, { "/bin/sh -c #(nop) ADD ", KIND_FILE },
		{ "/bin/sh -c #(nop) COPY ", KIND_FILE }, { "/bin/sh -c ", KIND_EXEC },
	};
	const char *end = strstr(text, " # buildkit");

	for (size_t i = 0; i < sizeof(instructions) / sizeof(instructions[0]); i++) {
		const char *instruction = instructions[i].instruction;
		if (!starts(text, instruction))
			continue;
		size_t len = end ? (size_t)(end - text) : strlen(text), skip = 0;
		out->kind = instructions[i].kind;
		/* a RUN is its command line; a file step keeps its verb */
		if (out->kind == KIND_EXEC && starts(text, "RUN "))
			skip = 4;
		else if (starts(text, "/bin/sh -c #(nop) "))
			skip = 18;
		/* " # buildkit" inside what is skipped marks nothing */
		if (len < skip)
			len = strlen(text);
		out->summary = xstrndup(text + skip, len - skip);
		return true;
	}
	return false;
}

void describe_record_text(const char *text, struct cs_description *out)
{
	static const struct {
		const char *prefix;
		enum cs_kind kind;
		const char *summary_prefix; /* put before what follows the prefix */
	} records[] = {
		{ "local source for ", KIND_LOCAL, "local context " },
		{ "pulled from ", KIND_IMAGE, "" },
		{ "from local ", KIND_IMAGE, "" },
		{ "blob ", KIND_SOURCE, "blob " },
		{ "git snapshot for ", KIND_GIT, "" },
		{ "git bundle checkout for ", KIND_GIT, "" },
		{ "shared git repo for ", KIND_GIT, "" },
		{ "http url ", KIND_HTTP, "" },
		{ "cached mount ", KIND_CACHE_MOUNT, "" },
		{ "diff ", KIND_DIFF, "diff " },
		{ "fileop target", KIND_FILE, "" },
	};

	out->kind = KIND_UNKNOWN;
	out->summary = NULL;
	out->summary_len = 0;
	if (starts(text, "mount ") && strstr(text, " from exec ")) {
		describe_exec_mount(text, out);
	} else if (!describe_history(text, out)) {
		for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
			if (!starts(text, records[i].prefix))
				continue;
			const char *rest = text + strlen(records[i].prefix);
			out->kind = records[i].kind;
			if (records[i].kind == KIND_LOCAL)
				out->summary = xasprintf("local context \"%s\"", rest);
			else if (records[i].kind == KIND_FILE)
				out->summary = xstrdup("file operation");
			else if (records[i].kind == KIND_IMAGE && !*rest)
				out->summary = xstrdup("local image");
			else
				out->summary = xasprintf("%s%s", records[i].summary_prefix, rest);
			break;
		}
	}
	/* not one BuildKit writes (a merge or diff names its vertex): shown as it is */
	if (!out->summary)
		out->summary = copy_trimmed(text);
	out->summary_len = strlen(out->summary);
}

/*
 * A root with no result, not bound to a session, that feeds an op: a
 * content checksum of the files a COPY selects (output -1), whose
 * plaintext alone would list them.
 */
static bool is_content_root(const struct cs_graph *g, cs_node_id n, const struct cs_result_list *results)
{
	const struct cs_node *node = graph_node(g, n);

	/* only a source that keeps results (a store, a remote cache) says anything by having none */
	bool keeps_results = g->local_results || g->layer_count > 0;

	return keeps_results && node->digest != CS_DIG_NONE && !(node->flags & CS_NODE_RANDOM) &&
	       results->count == 0 && graph_child_count(g, n) > 0;
}

/*
 * "fileop target" names no action. A file op that takes a second input
 * copies from it (only a copy has one): say where from, the way a
 * Dockerfile would (COPY from the context, or --from an image or a stage).
 */
static int name_copy_source(const struct cs_graph *g, cs_node_id n, struct cs_description *out,
			    struct cs_error *err)
{
	cs_node_id from = CS_NONE;

	/* a local context beats the content checksum beside it: it says which context */
	for (uint32_t i = 0; i < graph_parent_count(g, n); i++) {
		const struct cs_link *l = graph_parent(g, n, i);
		if (l->input == 0)
			continue;
		if (from == CS_NONE || (graph_node(g, l->parent)->flags & CS_NODE_RANDOM))
			from = l->parent;
	}
	if (from == CS_NONE)
		return 0;
	if (graph_parent_count(g, from) > 0) {
		free(out->summary);
		out->summary = xasprintf("copy from the result of #%u", graph_id(g, from));
		return 0;
	}
	struct cs_description source = { KIND_UNKNOWN, NULL, 0 };
	if (describe_from_results(g, from, &source, err) < 0)
		return -1;
	free(out->summary);
	if (source.kind == KIND_LOCAL && source.summary && strncmp(source.summary, "local context \"", 15) == 0)
		out->summary = xasprintf("copy from %s", source.summary);
	else if (source.kind == KIND_LOCAL)
		out->summary = xstrdup("copy from a local context");
	else if (source.kind == KIND_CONTENT || !source.summary)
		out->summary = xstrdup("copy of checksummed files");
	else
		out->summary = xasprintf("copy from %s", source.summary);
	description_free(&source);
	return 0;
}

int describe_from_results(const struct cs_graph *g, cs_node_id n, struct cs_description *out,
			  struct cs_error *err)
{
	struct cs_result_list results;
	int rc;

	result_list_init(&results);
	/* a description, not sizes: the records below (a walk of the parent chain) are not read */
	results.skip_totals = true;
	rc = graph_node_results(g, n, &results, err);
	for (size_t i = 0; rc == 0 && i < results.count; i++) {
		const char *text = result_text(&results, results.items[i].description);
		if (text && *text) {
			describe_record_text(text, out);
			break;
		}
	}
	if (rc == 0 && !out->summary && is_content_root(g, n, &results)) {
		out->kind = KIND_CONTENT;
		out->summary = xstrdup("file content checksum");
	} else if (rc == 0 && !out->summary && (graph_node(g, n)->flags & CS_NODE_RANDOM)) {
		/* a session-bound root is a local context; its result goes when the context is synced again */
		out->kind = KIND_LOCAL;
		out->summary = xstrdup("local context (its result is gone)");
	} else if (rc == 0 && out->kind == KIND_FILE && graph_parent_count(g, n) > 0) {
		rc = name_copy_source(g, n, out, err);
	}
	if (out->summary)
		out->summary_len = strlen(out->summary);
	result_list_free(&results);
	return rc;
}
