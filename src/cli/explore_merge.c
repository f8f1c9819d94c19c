/* explore_merge.c - `raftsim explore --merge FILE...`: the summaries of
 * shards 0/N to N-1/N become the report one `raftsim explore` with their
 * settings prints, line for line, with its exit code.
 *
 * Every summary must carry the first one's settings, every shard must be
 * there once, and every summary must end with its totals, which must agree
 * with its run lines: anything else is refused with exit 2, naming the
 * file, rather than merged into a report that would not be the whole
 * exploration's. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "explore_internal.h"

/* Longer lines are no summary's: a replay command, escaped. */
#define LINE_MAX_BYTES (4 * (size_t)OPTIONS_COMMAND_MAX)

struct merge {
	const struct raftsim_options *o;
	FILE *err;
	struct summary_line line;
	struct summary_line first; /* the first file's header */
	char *first_settings;
	const char *first_path;
	int *file_of_shard; /* shards' entries: index into o->merge_paths */
	/* The first header's settings, as explore's options: the report
	 * prints them, and give each shard's number of runs. */
	struct raftsim_options *report_options;
	struct explore_tally tally;
	double wall;
	int interrupted_file; /* -1: none */
};

/* The run lines' counts in one file, to check its totals against. */
struct file_counts {
	uint64_t violations;
	uint64_t undecided;
	uint64_t not_carried_out;
};

static int refuse(struct merge *m, const char *path, uint64_t line_no,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse(struct merge *m, const char *path, uint64_t line_no,
		  const char *fmt, ...)
{
	va_list ap;

	fprintf(m->err, "raftsim: explore --merge: %s", path);
	if (line_no > 0)
		fprintf(m->err, " line %" PRIu64, line_no);
	fputs(": ", m->err);
	va_start(ap, fmt);
	vfprintf(m->err, fmt, ap);
	va_end(ap);
	fputc('\n', m->err);
	return EXIT_USAGE;
}

/* The flag of a replay command at p ("--nodes 5 --ticks ..."): its length
 * up to the next " --" or the end. */
static size_t flag_length(const char *p)
{
	const char *next = strstr(p, " --");

	return next != NULL ? (size_t)(next - p) : strlen(p);
}

/* Whether the command holds the flag (len bytes at flag) whole. */
static bool has_flag(const char *command, const char *flag, size_t len)
{
	const char *p = strstr(command, " --");

	for (; p != NULL; p = strstr(p + 1, " --"))
		if (flag_length(p + 1) == len && memcmp(p + 1, flag, len) == 0)
			return true;
	return false;
}

/* Names the first flag of a that b lacks (its value in b too, if b has
 * the flag with another). Returns 0 if there is none. */
static int name_difference(struct merge *m, const char *path, const char *a,
			   const char *a_path, const char *b,
			   const char *b_path)
{
	const char *p = strstr(a, " --");
	const char *q;
	size_t len, name;

	for (; p != NULL; p = strstr(p + 1, " --")) {
		len = flag_length(p + 1);
		if (has_flag(b, p + 1, len))
			continue;
		name = strcspn(p + 1, " ");
		name = name < len ? name : len;
		for (q = strstr(b, " --"); q != NULL; q = strstr(q + 1, " --"))
			if (strncmp(q + 1, p + 1, name) == 0 &&
			    (q[1 + name] == ' ' || q[1 + name] == '\0'))
				break;
		if (q == NULL)
			return refuse(m, path, 1,
				      "settings differ: '%.*s' in %s, no %.*s "
				      "in %s",
				      (int)len, p + 1, a_path, (int)name, p + 1,
				      b_path);
		return refuse(m, path, 1,
			      "settings differ: '%.*s' in %s, '%.*s' in %s",
			      (int)len, p + 1, a_path, (int)flag_length(q + 1),
			      q + 1, b_path);
	}
	return 0;
}

/* Every shard's header must match the first file's. */
static int check_same_settings(struct merge *m, const char *path)
{
	static const struct {
		enum summary_key key;
		const char *name;
	} fields[] = {
		{SK_SHARDS, "shards"},   {SK_RUNS, "runs"},
		{SK_NODES, "nodes"},     {SK_TICKS, "ticks"},
		{SK_TICK_US, "tick_us"}, {SK_SEED, "seed"},
	};
	const struct summary_line *l = &m->line;
	size_t i;
	int rv;

	if (strcmp(l->version, m->first.version) != 0)
		return refuse(m, path, 1,
			      "written by raftsim %s, %s by raftsim %s: "
			      "their runs may differ",
			      l->version, m->first_path, m->first.version);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (l->num[fields[i].key] != m->first.num[fields[i].key])
			return refuse(m, path, 1,
				      "%s %" PRIu64 ", but %" PRIu64 " in %s",
				      fields[i].name, l->num[fields[i].key],
				      m->first.num[fields[i].key],
				      m->first_path);
	if (strcmp(l->long_text, m->first_settings) == 0)
		return 0;
	rv = name_difference(m, path, l->long_text, path, m->first_settings,
			     m->first_path);
	if (rv == 0)
		rv = name_difference(m, path, m->first_settings, m->first_path,
				     l->long_text, path);
	if (rv == 0) /* the same flags in another order */
		rv = refuse(m, path, 1, "settings differ from %s's",
			    m->first_path);
	return rv;
}

static bool has_all(const struct summary_line *l, const enum summary_key *keys,
		    size_t n, const char **missing)
{
	static const char *const names[SK_COUNT] = {
		[SK_SUMMARY] = "summary",
		[SK_SCHEMA] = "schema",
		[SK_VERSION] = "version",
		[SK_SHARD] = "shard",
		[SK_SHARDS] = "shards",
		[SK_RUNS] = "runs",
		[SK_NODES] = "nodes",
		[SK_TICKS] = "ticks",
		[SK_TICK_US] = "tick_us",
		[SK_SEED] = "seed",
		[SK_SETTINGS] = "settings",
		[SK_RUN] = "run",
		[SK_RESULT] = "result",
		[SK_WHAT] = "what",
		[SK_REPLAY] = "replay",
		[SK_PLANNED] = "planned",
		[SK_DONE] = "done",
		[SK_VIOLATIONS] = "violations",
		[SK_UNDECIDED] = "undecided",
		[SK_NOT_CARRIED_OUT] = "not_carried_out",
		[SK_NOT_RUN] = "not_run",
		[SK_ELECTIONS] = "elections",
		[SK_FAULTS] = "faults",
	};
	size_t i;

	for (i = 0; i < n; i++) {
		if (!SUMMARY_HAS(l, keys[i])) {
			*missing = names[keys[i]];
			return false;
		}
	}
	return true;
}

static void set_report_options(struct raftsim_options *r,
			       const struct summary_line *l)
{
	options_default(r);
	r->runs = l->num[SK_RUNS];
	r->nodes = (int)l->num[SK_NODES];
	r->ticks = l->num[SK_TICKS];
	r->tick_us = l->num[SK_TICK_US];
	r->seed = l->num[SK_SEED];
	r->shard_count = l->num[SK_SHARDS];
}

/* The first line of a file; *k its shard. */
static int read_header(struct merge *m, int file, uint64_t *k_out)
{
	static const enum summary_key needed[] = {
		SK_SCHEMA, SK_VERSION, SK_SHARD,   SK_SHARDS, SK_RUNS,
		SK_NODES,  SK_TICKS,   SK_TICK_US, SK_SEED,   SK_SETTINGS,
	};
	const char *path = m->o->merge_paths[file];
	struct summary_line *l = &m->line;
	const char *missing;
	uint64_t k = l->num[SK_SHARD], n = l->num[SK_SHARDS];
	size_t i;
	int rv;

	if (strcmp(l->summary, "raftsim explore") != 0)
		return refuse(m, path, 1,
			      "not an explore summary (its first "
			      "line is no header)");
	if (l->num[SK_SCHEMA] != EXPLORE_SUMMARY_SCHEMA)
		return refuse(m, path, 1,
			      "summary schema %" PRIu64 ": this raftsim reads "
			      "schema %d",
			      l->num[SK_SCHEMA], EXPLORE_SUMMARY_SCHEMA);
	if (!has_all(l, needed, sizeof(needed) / sizeof(needed[0]), &missing) ||
	    l->long_null)
		return refuse(m, path, 1, "the header has no \"%s\"",
			      l->long_null ? "settings" : missing);
	if (n == 0 || n > OPT_MAX_MERGE || k >= n || l->num[SK_NODES] == 0 ||
	    l->num[SK_NODES] > OPT_MAX_NODES)
		return refuse(m, path, 1,
			      "shard %" PRIu64 "/%" PRIu64 " or %" PRIu64
			      " nodes out of range",
			      k, n, l->num[SK_NODES]);
	if (file == 0) {
		m->first = *l;
		m->first.long_text = NULL;
		m->first_path = path;
		m->first_settings = strdup(l->long_text);
		m->file_of_shard = malloc(n * sizeof(*m->file_of_shard));
		m->report_options = malloc(sizeof(*m->report_options));
		if (m->first_settings == NULL || m->file_of_shard == NULL ||
		    m->report_options == NULL) {
			fprintf(m->err, "raftsim: explore --merge: out of "
					"memory\n");
			return EXIT_RUN_FAILED;
		}
		for (i = 0; i < n; i++)
			m->file_of_shard[i] = -1;
		set_report_options(m->report_options, l);
	} else {
		rv = check_same_settings(m, path);
		if (rv != 0)
			return rv;
	}
	if (m->file_of_shard[k] >= 0)
		return refuse(m, path, 1,
			      "shard %" PRIu64 "/%" PRIu64 " again (%s has it)",
			      k, n, m->o->merge_paths[m->file_of_shard[k]]);
	m->file_of_shard[k] = file;
	*k_out = k;
	return 0;
}

/* A run line of shard k's file. */
static int read_run(struct merge *m, const char *path, uint64_t line_no,
		    uint64_t k, struct file_counts *c)
{
	static const enum summary_key needed[] = {SK_RUN, SK_RESULT};
	const struct summary_line *l = &m->line;
	struct failure f = {.index = l->num[SK_RUN]};
	uint64_t n = m->first.num[SK_SHARDS];
	const char *missing;

	if (!has_all(l, needed, 2, &missing))
		return refuse(m, path, line_no, "no \"%s\"", missing);
	if (f.index >= m->first.num[SK_RUNS] || f.index % n != k)
		return refuse(m, path, line_no,
			      "run %" PRIu64 " is not one of shard %" PRIu64
			      "/%" PRIu64 "'s",
			      f.index, k, n);
	if (strcmp(l->result, "not-carried-out") == 0) {
		c->not_carried_out++;
		m->tally.out_of_memory = 1;
		return 0;
	}
	if (!SUMMARY_HAS(l, SK_WHAT) || !SUMMARY_HAS(l, SK_REPLAY))
		return refuse(m, path, line_no,
			      "a run without its \"what\" "
			      "or \"replay\"");
	snprintf(f.what, sizeof(f.what), "%s", l->what);
	f.command = l->long_null ? NULL : strdup(l->long_text);
	if (strcmp(l->result, "violation") == 0) {
		c->violations++;
		free(explore_keep_failure(&m->tally, &f));
	} else if (strcmp(l->result, "undecided") == 0) {
		c->undecided++;
		explore_keep_undecided(&m->tally, &f);
	} else {
		free(f.command);
		return refuse(m, path, line_no, "unknown result '%s'",
			      l->result);
	}
	return 0;
}

/* The totals line of shard k's file, checked against its run lines. */
static int read_totals(struct merge *m, const char *path, uint64_t line_no,
		       uint64_t k, int file, const struct file_counts *c)
{
	static const enum summary_key needed[] = {
		SK_PLANNED,         SK_DONE,    SK_VIOLATIONS, SK_UNDECIDED,
		SK_NOT_CARRIED_OUT, SK_NOT_RUN, SK_ELECTIONS,  SK_FAULTS,
	};
	const struct summary_line *l = &m->line;
	struct raftsim_options *shard = m->report_options;
	struct explore_tally *t = &m->tally;
	const char *missing;

	if (!has_all(l, needed, sizeof(needed) / sizeof(needed[0]), &missing))
		return refuse(m, path, line_no, "the totals have no \"%s\"",
			      missing);
	shard->shard_index = k;
	if (l->num[SK_PLANNED] != explore_shard_runs(shard) ||
	    l->num[SK_DONE] + l->num[SK_NOT_RUN] != l->num[SK_PLANNED])
		return refuse(m, path, line_no,
			      "the totals count %" PRIu64
			      " runs done and %" PRIu64 " not run of %" PRIu64
			      ": shard %" PRIu64 "/%" PRIu64 " has %" PRIu64,
			      l->num[SK_DONE], l->num[SK_NOT_RUN],
			      l->num[SK_PLANNED], k, shard->shard_count,
			      explore_shard_runs(shard));
	if (l->num[SK_VIOLATIONS] != c->violations ||
	    l->num[SK_UNDECIDED] != c->undecided ||
	    l->num[SK_NOT_CARRIED_OUT] != c->not_carried_out)
		return refuse(m, path, line_no,
			      "the totals do not match the run lines above "
			      "them (%" PRIu64 " violations, %" PRIu64
			      " lines of them)",
			      l->num[SK_VIOLATIONS], c->violations);
	t->done += l->num[SK_DONE];
	t->failed += l->num[SK_VIOLATIONS];
	t->elections += l->num[SK_ELECTIONS];
	t->faults += l->num[SK_FAULTS];
	t->ticks += l->num[SK_DONE] * shard->ticks;
	t->not_run += l->num[SK_NOT_RUN];
	m->wall += SUMMARY_HAS(l, SK_WALL_S) ? l->wall_s : 0;
	if ((l->interrupted || l->num[SK_NOT_RUN] > 0) &&
	    m->interrupted_file < 0)
		m->interrupted_file = file;
	return 0;
}

/* One line of a file, after its header. */
static int read_body_line(struct merge *m, const char *path, uint64_t line_no,
			  uint64_t k, int file, struct file_counts *c,
			  bool *totals_seen)
{
	if (*totals_seen)
		return refuse(m, path, line_no, "a line after the totals");
	if (m->line.totals) {
		*totals_seen = true;
		return read_totals(m, path, line_no, k, file, c);
	}
	if (SUMMARY_HAS(&m->line, SK_RUN))
		return read_run(m, path, line_no, k, c);
	return refuse(m, path, line_no, "neither a run nor the totals");
}

static int read_file(struct merge *m, int file)
{
	const char *path = m->o->merge_paths[file];
	struct file_counts c = {0, 0, 0};
	FILE *f = fopen(path, "r");
	char *text = NULL, why[160];
	size_t cap = 0;
	ssize_t len;
	uint64_t line_no = 0, k = 0;
	bool totals_seen = false;
	int rv = 0;

	if (f == NULL)
		return refuse(m, path, 0, "%s", strerror(errno));
	while (rv == 0 && (len = getline(&text, &cap, f)) >= 0) {
		line_no++;
		if (len > 0 && text[len - 1] == '\n')
			text[--len] = '\0';
		if ((size_t)len > LINE_MAX_BYTES)
			rv = refuse(m, path, line_no, "line too long");
		else if (explore_summary_read_line(text, &m->line, why,
						   sizeof(why)) != 0)
			rv = refuse(m, path, line_no, "%s", why);
		else if (line_no == 1)
			rv = read_header(m, file, &k);
		else
			rv = read_body_line(m, path, line_no, k, file, &c,
					    &totals_seen);
	}
	if (rv == 0 && ferror(f))
		rv = refuse(m, path, 0, "%s", strerror(errno));
	else if (rv == 0 && line_no == 0)
		rv = refuse(m, path, 0, "empty: not an explore summary");
	else if (rv == 0 && !totals_seen)
		rv = refuse(m, path, 0,
			    "ends before its totals line: the shard did not "
			    "finish writing it (run it again)");
	free(text);
	fclose(f);
	return rv;
}

/* Every shard must be there: names the first missing ones. */
static int check_all_shards(struct merge *m)
{
	uint64_t n = m->first.num[SK_SHARDS], k, missing = 0;

	for (k = 0; k < n; k++) {
		if (m->file_of_shard[k] >= 0)
			continue;
		if (missing++ < 10)
			fprintf(m->err,
				"raftsim: explore --merge: shard %" PRIu64
				"/%" PRIu64 " missing\n",
				k, n);
	}
	if (missing == 0)
		return 0;
	fprintf(m->err,
		"raftsim: explore --merge: %" PRIu64 " of the %" PRIu64
		" shards missing: the report would not be the whole "
		"exploration's\n",
		missing, n);
	return EXIT_USAGE;
}

static int report(struct merge *m, FILE *out)
{
	const struct raftsim_options *r = m->report_options;
	int code;

	explore_print_header(out, r);
	explore_print_report(out, &m->tally, r, r->runs);
	/* As explore's wall-time line, on stderr: it differs run to run. */
	fprintf(m->err,
		"explore: %" PRIu64 " shard%s merged, %.2f s wall in all "
		"(%.0f runs/min per shard)\n",
		r->shard_count, r->shard_count == 1 ? "" : "s", m->wall,
		m->wall > 0 ? (double)m->tally.done * 60.0 / m->wall : 0.0);
	code = explore_exit_code(&m->tally, m->err);
	if (m->interrupted_file >= 0) {
		fprintf(m->err,
			"raftsim: explore --merge: %s: the shard was "
			"interrupted: the report is partial\n",
			m->o->merge_paths[m->interrupted_file]);
		if (code == EXIT_PASS)
			code = EXIT_RUN_FAILED;
	}
	return code;
}

int explore_merge_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct merge *m = calloc(1, sizeof(*m));
	int rv = 0;
	int i;

	if (m == NULL) {
		fprintf(err, "raftsim: explore --merge: out of memory\n");
		return EXIT_RUN_FAILED;
	}
	m->o = o;
	m->err = err;
	m->interrupted_file = -1;
	for (i = 0; rv == 0 && i < o->merge_count; i++)
		rv = read_file(m, i);
	if (rv == 0)
		rv = check_all_shards(m);
	if (rv == 0)
		rv = report(m, out);
	explore_tally_free(&m->tally);
	free(m->line.long_text);
	free(m->first_settings);
	free(m->file_of_shard);
	free(m->report_options);
	free(m);
	return rv;
}
