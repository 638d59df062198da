/*
 * cachescope: see inside BuildKit's build cache.
 *
 * This file only reads the command line and hands off: loading lives in
 * core/source.c, the commands in core/dump_*.c and core/stats.c, the
 * browser in tui/.
 */
#include "config.h"

#include "core/buf.h"
#include "core/diff.h"
#include "core/discover.h"
#include "core/disk_usage.h"
#include "core/dot.h"
#include "core/dump.h"
#include "core/escape.h"
#include "core/results.h"
#include "core/search.h"
#include "core/progress.h"
#include "core/source.h"
#include "core/stats.h"
#include "core/units.h"
#include "core/why.h"
#include "core/xalloc.h"
#include "tui/tui.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum command { CMD_BROWSE, CMD_DUMP, CMD_STATS, CMD_DIFF, CMD_DU, CMD_WHY };

struct cli {
	enum command command;
	bool json;
	const char *since;     /* why --since */
	bool dot;
	const char *around; /* dump --format dot: a neighbourhood (ID or digest prefix) */
	uint32_t depth;
	bool depth_given;
	struct cs_load_options load;
	const char *sources[2];
	int source_count;
};

static const char usage_text[] =
	"usage: cachescope [OPTIONS] [SOURCE]        browse a cache\n"
	"       cachescope [OPTIONS] A B             two caches side by side\n"
	"       cachescope dump [--format text|json|dot] [--around ID|DIGEST [--depth N]] [SOURCE]\n"
	"                                            every record, as the daemon's debug endpoint\n"
	"       cachescope stats [SOURCE]            counts, disk usage, load times\n"
	"       cachescope du [--format text|json] [SOURCE]\n"
	"                                            what the cache holds on disk, record by record\n"
	"       cachescope why [--format text|json] [--since TIME] [SOURCE]\n"
	"                                            why the latest build missed the cache\n"
	"       cachescope diff [--format text|json|dot] A B\n"
	"                                            why B misses A's cache\n"
	"\n"
	"SOURCE is a daemon root or its cache.db, an OCI layout directory or\n"
	"type=local,src=DIR[,tag=T][,digest=D], a remote cache config, an\n"
	"image's inline cache (a docker save archive, or its image config),\n"
	"a /debug/cache/store or /debug/cache/load answer (JSON or text), - for\n"
	"standard input, type=registry,ref=REF for a cache in a registry, or a\n"
	"live daemon's debug address (http://HOST:PORT, unix:///PATH). Without\n"
	"SOURCE, this host's newest daemon root (stats lists every one found).\n"
	"\n"
	"Options may come anywhere on the line, before or after the command and\n"
	"the sources; -- ends them.\n"
	"\n"
	"Options:\n"
	"  --format FORMAT      text (default) or json for dump, diff, du, why; dot\n"
	"                       (Graphviz) for dump, diff: ... | dot -Tsvg >graph.svg\n"
	"  --around ID|DIGEST   dump --format dot: only this node's neighbourhood\n"
	"  --depth N            link steps up and down from --around (default 2)\n"
	"  --debug-db FILE      resolve plaintexts from a cache-debug.db\n"
	"  --metadata FILE      a worker's metadata_v2.db for a bare cache.db\n"
	"  --since TIME         why: the latest build is what was made since TIME\n"
	"                       (2026-12-06T04:00:00Z, or how long ago: 90m, 2h, 3d)\n"
	"  --addr URL           resolve plaintexts with a daemon's debug address\n"
	"  --cacert FILE        trust the CAs in FILE (instead of the system's)\n"
	"  --plain-http         allow http:// registries beyond this machine\n"
	"  --max-size BYTES     largest manifest or config to fetch (default 64M)\n"
	"  --timeout SECONDS    limit for each network request (default 60)\n"
	"  -h, --help           show this help\n"
	"  --version            show the version\n";

/* Errors end here: one line, untrusted bytes made visible, exit status 2. */
static int fail(const char *msg)
{
	struct cs_buf line = CS_BUF_INIT;

	escape_append(&line, msg, strlen(msg), 0);
	fprintf(stderr, "cachescope: %s\n", line.data ? line.data : "");
	buf_free(&line);
	return 2;
}

/* "1048576", "64M", "2G": bytes, the suffixes binary. */
static int parse_size(const char *text, int64_t *out)
{
	char *end;
	unsigned long long n;
	int shift = 0;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (end == text || errno || text[0] == '-')
		return -1;
	if (*end && strchr("kK", *end))
		shift = 10;
	else if (*end && strchr("mM", *end))
		shift = 20;
	else if (*end && strchr("gG", *end))
		shift = 30;
	if (shift)
		end++;
	if (*end || n == 0 || n > (1ULL << (62 - shift)))
		return -1;
	*out = (int64_t)(n << shift);
	return 0;
}

static int parse_seconds(const char *text, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || *end || errno || !(v > 0) || v > 1e6)
		return -1;
	*out = v;
	return 0;
}

static int parse_depth(const char *text, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (end == text || *end || errno || text[0] == '-' || text[0] == '+' || v > 1000000)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* What each command takes: how many sources and which --format values. */
struct command_spec {
	const char *name;       /* NULL: the browser (no command word) */
	enum command command;
	int min_sources, max_sources;
	const char *formats;    /* "text json": --format values it accepts, NULL: none */
};

static const struct command_spec commands[] = {
	{ NULL, CMD_BROWSE, 0, 2, NULL },
	{ "dump", CMD_DUMP, 0, 1, "text json dot" },
	{ "stats", CMD_STATS, 0, 1, NULL },
	{ "diff", CMD_DIFF, 2, 2, "text json dot" },
	{ "du", CMD_DU, 0, 1, "text json" },
	{ "why", CMD_WHY, 0, 1, "text json" },
};

static const struct command_spec *command_named(const char *word)
{
	for (size_t i = 1; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(word, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* Is WORD one of the space-separated words of LIST? */
static bool word_in(const char *word, const char *list)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p; p += strcspn(p, " "), p += strspn(p, " "))
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0') && n)
			return true;
	return false;
}

/*
 * GNU style: options may come anywhere, before or after the command and
 * the sources, and "--" ends them (a source named "-x" follows it). The
 * command is the first operand when it names one and comes before "--".
 */
static int parse_args(int argc, char **argv, struct cli *cli)
{
	enum { OPT_FORMAT = 256, OPT_DEBUG_DB, OPT_VERSION, OPT_ADDR, OPT_CACERT, OPT_PLAIN_HTTP,
	       OPT_MAX_SIZE, OPT_TIMEOUT, OPT_METADATA, OPT_SINCE, OPT_AROUND, OPT_DEPTH };
	static const struct option options[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "debug-db", required_argument, NULL, OPT_DEBUG_DB },
		{ "metadata", required_argument, NULL, OPT_METADATA },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "addr", required_argument, NULL, OPT_ADDR },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "around", required_argument, NULL, OPT_AROUND },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	/* getopt permutes argv; where "--" stood is read from a copy */
	char **original = xmalloc(((size_t)argc + 1) * sizeof(*original));
	const struct command_spec *spec = &commands[0];
	const char *format = NULL;
	int c, first = 0, rc = 0;

	memcpy(original, argv, ((size_t)argc + 1) * sizeof(*original));
	memset(cli, 0, sizeof(*cli));
	opterr = 0; /* our own one-line message instead of getopt's */
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_DEBUG_DB:
			cli->load.debug_db = optarg;
			break;
		case OPT_SINCE:
			cli->since = optarg;
			break;
		case OPT_METADATA:
			cli->load.metadata = optarg;
			break;
		case OPT_ADDR:
			cli->load.addr = optarg;
			break;
		case OPT_CACERT:
			cli->load.cacert = optarg;
			break;
		case OPT_PLAIN_HTTP:
			cli->load.plain_http = true;
			break;
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &cli->load.max_size) < 0)
				rc = fail("--max-size: want a number of bytes (K, M, G allowed)");
			break;
		case OPT_TIMEOUT:
			if (parse_seconds(optarg, &cli->load.timeout) < 0)
				rc = fail("--timeout: want a number of seconds");
			break;
		case OPT_AROUND:
			cli->around = optarg;
			break;
		case OPT_DEPTH:
			if (parse_depth(optarg, &cli->depth) < 0)
				rc = fail("--depth: want a number of link steps, 0 to 1000000");
			cli->depth_given = true;
			break;
		case 'h':
			free(original);
			fputs(usage_text, stdout);
			exit(0);
		case OPT_VERSION:
			free(original);
			puts(PACKAGE_STRING);
			exit(0);
		default: {
			char msg[160];
			if (optopt > 32 && optopt < 127)
				snprintf(msg, sizeof(msg), "bad usage: -%c (see cachescope --help)", optopt);
			else
				snprintf(msg, sizeof(msg), "bad usage: %.100s (see cachescope --help)", argv[optind - 1]);
			rc = fail(msg);
		}
		}
	}
	if (rc == 0 && optind < argc) {
		int at = 0, dashes = argc;
		for (int i = 1; i < argc; i++) {
			if (original[i] == argv[optind])
				at = i;
			if (dashes == argc && strcmp(original[i], "--") == 0)
				dashes = i;
		}
		if (at < dashes && command_named(argv[optind])) {
			spec = command_named(argv[optind]);
			first = 1;
		}
	}
	free(original);
	if (rc)
		return rc;
	cli->command = spec->command;
	if (cli->since && cli->command != CMD_WHY)
		return fail("--since goes with why");
	if (format) {
		char msg[160];
		if (!spec->formats) {
			struct cs_buf with = CS_BUF_INIT;
			for (size_t i = 1; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (commands[i].formats)
					buf_printf(&with, "%s%s", with.len ? ", " : "", commands[i].name);
			snprintf(msg, sizeof(msg), "--format goes with %s", with.data);
			buf_free(&with);
			return fail(msg);
		}
		if (!word_in(format, spec->formats)) {
			/* "text json dot" said as "text, json or dot" */
			const char *last = strrchr(spec->formats, ' ');
			struct cs_buf list = CS_BUF_INIT;
			for (const char *p = spec->formats; *p; p++)
				if (*p != ' ')
					buf_addc(&list, *p);
				else
					buf_adds(&list, p == last ? " or " : ", ");
			snprintf(msg, sizeof(msg), "--format: want %s", list.data);
			buf_free(&list);
			return fail(msg);
		}
		cli->json = strcmp(format, "json") == 0;
		cli->dot = strcmp(format, "dot") == 0;
	}
	if ((cli->around || cli->depth_given) && !(spec->command == CMD_DUMP && cli->dot))
		return fail(cli->around ? "--around goes with dump --format dot" : "--depth goes with dump --format dot");
	if (cli->depth_given && !cli->around)
		return fail("--depth goes with --around");
	if (!cli->depth_given)
		cli->depth = DOT_DEFAULT_DEPTH;
	for (int i = optind + first; i < argc; i++) {
		if (cli->source_count == spec->max_sources)
			return fail(spec->command == CMD_DIFF ? "diff takes two sources, A and B"
							      : "one SOURCE at a time (see cachescope --help)");
		cli->sources[cli->source_count++] = argv[i];
	}
	if (cli->source_count < spec->min_sources)
		return fail("diff takes two sources, A and B");
	return 0;
}

/* A line on standard error that is no error: "cachescope: TEXT", escaped. */
static void print_note(const char *text)
{
	struct cs_buf line = CS_BUF_INIT;

	escape_append(&line, text, strlen(text), 0);
	fprintf(stderr, "cachescope: %s\n", line.data);
	buf_free(&line);
}

/* Several daemon roots and none named: say which one this is (stats lists them all; the browser says it itself). */
static void print_discovery_note(const struct cs_graph *g)
{
	struct cs_buf note = CS_BUF_INIT;

	discovery_note(g->found, &note);
	if (note.len)
		print_note(note.data);
	buf_free(&note);
}

/* du: every record the cache holds on disk, biggest first. */
static int print_disk_usage(const struct cs_graph *g, bool json, struct cs_error *err)
{
	struct cs_disk_usage du;
	int rc;

	if (disk_usage_collect(g, &du, err) < 0)
		return -1;
	rc = json ? disk_usage_print_json(&du, isatty(STDOUT_FILENO), stdout, err)
		  : disk_usage_print_text(g, &du, stdout, err);
	disk_usage_free(&du);
	if (graph_warning(g))
		print_note(graph_warning(g));
	return rc;
}

/* why: 1 when the latest build's misses are explained, 0 when nothing missed or compares, -1 on error. */
static int run_why(const struct cs_graph *g, const struct cli *cli, struct cs_error *err)
{
	struct cs_why_options opt = { .has_since = cli->since != NULL };
	struct cs_why *w;
	int rc;

	if (cli->since && why_parse_since(cli->since, unix_now_ns(), &opt.since, err) < 0)
		return -1;
	if (why_find(g, &opt, &w, err) < 0)
		return -1;
	rc = cli->json ? why_report_json(w, stdout, err) : why_report_text(w, stdout, isatty(STDOUT_FILENO), err);
	if (rc == 0)
		rc = why_status(w);
	why_free(w);
	return rc;
}

/* dump --format dot: the graph, or the neighbourhood --around names. */
static int print_dot(const struct cs_graph *g, const struct cli *cli, struct cs_error *err)
{
	struct dot_options o = { CS_NONE, cli->depth };
	uint32_t drawn;

	if (cli->around && (o.around = search_goto(g, cli->around)) == CS_NONE)
		return cs_fail(err, "--around %s: no node has that ID or digest (IDs 1-%u)", cli->around,
			       g->node_count);
	if (dump_dot(g, &o, stdout, &drawn, err) < 0)
		return -1;
	if (drawn > DOT_MANY_NODES) {
		char note[160];
		snprintf(note, sizeof(note), "%u nodes take Graphviz long to lay out: "
			 "--around ID --depth N draws a neighbourhood", drawn);
		print_note(note);
	}
	return 0;
}

/* Loads A and B (in parallel) and compares them; on failure nothing is left to free. */
static int load_and_diff(const struct cli *cli, struct cs_graph **a, struct cs_graph **b, struct cs_diff **d,
			 struct cs_error *err)
{
	if (source_load_pair(cli->sources[0], cli->sources[1], &cli->load, a, b, err) < 0)
		return -1;
	if (diff_graphs(*a, *b, d, err) < 0) {
		graph_free(*a);
		graph_free(*b);
		return -1;
	}
	return 0;
}

/* Two sources in the browser: side by side (the browser frees the diff). */
static int browse_two(const struct cli *cli, double started)
{
	struct cs_error err = { "" };
	struct cs_graph *a, *b;
	struct cs_diff *d;

	if (load_and_diff(cli, &a, &b, &d, &err) < 0)
		return fail(err.msg);
	progress_to_stderr(cli->load.progress, false);
	int rc = browser_run_diff(a, b, d, &cli->load, started, &err);
	graph_free(a);
	graph_free(b);
	return rc < 0 ? fail(err.msg) : 0;
}

/* diff: exit 0 when the caches match, 1 when they differ, 2 on error. */
static int run_diff(const struct cli *cli)
{
	struct cs_error err = { "" };
	struct cs_graph *a, *b;
	struct cs_diff *d;
	int rc;

	if (load_and_diff(cli, &a, &b, &d, &err) < 0)
		return fail(err.msg);
	rc = cli->dot	 ? diff_report_dot(d, stdout, &err)
	     : cli->json ? diff_report_json(d, stdout, &err)
			 : diff_report_text(d, stdout, isatty(STDOUT_FILENO), DIFF_TEXT_MAX_LISTED, &err);
	if (rc == 0 && fflush(stdout) != 0)
		rc = cs_fail(&err, "write error");
	if (rc == 0)
		rc = diff_same(d) ? 0 : 1;
	diff_free(d);
	graph_free(a);
	graph_free(b);
	return rc < 0 ? fail(err.msg) : rc;
}

static int run_command(int argc, char **argv, struct cs_progress *progress)
{
	double started = cs_now();
	struct cli cli;
	struct cs_error err = { "" };
	struct cs_graph *g;
	int rc;

	/* character classes only: numbers keep printing the C way */
	setlocale(LC_CTYPE, "");
	if ((rc = parse_args(argc, argv, &cli)) != 0)
		return rc;
	cli.load.progress = progress;
	cli.load.count_plaintexts = cli.command == CMD_STATS;
	/* stats prints counts: a local store's records need no IDs */
	cli.load.counts_only = cli.command == CMD_STATS;
	/* only stats and dump show _result's own entries; the others read them when asked */
	cli.load.skip_local_results = cli.command != CMD_STATS && cli.command != CMD_DUMP;
	if (cli.command == CMD_DIFF)
		return run_diff(&cli);
	if (cli.command == CMD_BROWSE && cli.source_count == 2)
		return browse_two(&cli, started);
	struct cs_pending *pending = NULL;
	/* the browser shows a big store's first rows while the rest loads */
	if (cli.command == CMD_BROWSE && isatty(STDOUT_FILENO)) {
		if (source_load_early(cli.source_count ? cli.sources[0] : NULL, &cli.load, browser_prefix_rows(), &g,
				      &pending, &err) < 0)
			return fail(err.msg);
	} else if (source_load(cli.source_count ? cli.sources[0] : NULL, &cli.load, &g, &err) < 0) {
		return fail(err.msg);
	}
	if (cli.command == CMD_DUMP || cli.command == CMD_DU || cli.command == CMD_WHY)
		print_discovery_note(g);
	switch (cli.command) {
	case CMD_STATS:
		rc = stats_print(g, stdout, &err);
		break;
	case CMD_BROWSE:
		progress_to_stderr(progress, false);
		rc = browser_run(&g, pending, &cli.load, started, &err);
		break;
	case CMD_DU:
		rc = print_disk_usage(g, cli.json, &err);
		break;
	case CMD_WHY:
		rc = run_why(g, &cli, &err);
		break;
	case CMD_DIFF: /* handled above: it loads two sources */
	case CMD_DUMP:
		rc = cli.dot	? print_dot(g, &cli, &err)
		     : cli.json ? dump_json_escaped(g, isatty(STDOUT_FILENO), stdout, &err)
				: dump_text(g, isatty(STDOUT_FILENO), stdout, &err);
		break;
	}
	if (rc >= 0 && fflush(stdout) != 0)
		rc = cs_fail(&err, "write error");
	graph_free(g);
	/* why, as diff: 1 when it explains a miss */
	return rc < 0 ? fail(err.msg) : rc;
}

int main(int argc, char **argv)
{
	struct cs_progress *progress;
	int rc;

	/* once, before any thread: diff loads its two sources on two */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	progress = progress_new(isatty(STDERR_FILENO));
	rc = run_command(argc, argv, progress);
	progress_free(progress);
	curl_global_cleanup();
	return rc;
}
