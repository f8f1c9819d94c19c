/* test_flags.c - the flag table (src/cli/options_table.c) and what is made
 * from it: the parser refuses a flag where it does not take effect, --help,
 * the README and the man page list exactly the table's flags, and the replay
 * command always fits (issue 9 "Flags in one table", issue 8's parsing
 * defects). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options_internal.h"
#include "clitest.h"

/* A text that a generator writes, in memory. */
struct doc {
	char *text;
	size_t len;
	FILE *f;
};

static FILE *doc_open(struct doc *d)
{
	memset(d, 0, sizeof(*d));
	d->f = open_memstream(&d->text, &d->len);
	return d->f;
}

static void doc_close(struct doc *d)
{
	if (d->f != NULL)
		fclose(d->f);
	d->f = NULL;
}

/* The command-line words that put the parser in one mode. */
static const char *const mode_words[IN_MODES][3] = {
	{NULL},                 /* IN_THREADS */
	{"run", "--sim", NULL}, /* IN_SIM */
	{"check", NULL},        /* IN_CHECK: FILE is added at the end */
	{"explore", NULL},      /* IN_EXPLORE */
	{"failover", NULL},     /* IN_FAILOVER */
	{"failover", "--threads", NULL}, /* IN_FAILOVER_THREADS */
	{"timeline", NULL},              /* IN_TIMELINE */
	{"figure8", NULL},               /* IN_FIGURE8 */
	{"report", NULL},                /* IN_REPORT */
	{"node", NULL},                  /* IN_NODE */
	{"client", NULL},                /* IN_CLIENT: words come later */
	{"bench", NULL},                 /* IN_BENCH */
};

/* A value each flag accepts, whatever the mode. */
static const char *sample_value(const struct opt_flag *f)
{
	static const char *const custom[][2] = {
		{"pause", "0@1:1"},
		{"crash", "0@1:1"},
		{"partition", "1:1:0|1"},
		{"mistake", "no-reset"},
		{"election-ms", "150-300"},
		{"first-ranked", "down"},
		{"load", "100"},
		{"slow", "1:10"},
		{"reads", "readindex"},
		{"speed", "2"},
		{"duration", "1"},
		{"transport", "mailbox"},
		{"shard", "0/2"},
	};
	size_t i;

	switch (f->kind) {
	case OPT_BOOL:
		return NULL;
	case OPT_COUNT:
		if (strcmp(f->name, "payload") == 0 ||
		    strcmp(f->name, "value-bytes") == 0)
			return "16";
		if (strcmp(f->name, "wal-segment-bytes") == 0)
			return "65536";
		return strcmp(f->name, "nodes") == 0 ? "5" : "1";
	case OPT_MS:
	case OPT_MS_DECIMAL:
		return "1";
	case OPT_TICK_RANGE:
		return strcmp(f->name, "election-ticks") == 0 ? "10-20" : "1-2";
	case OPT_MS_RANGE:
		return "1-2";
	case OPT_PROB:
		/* the clients' four ratios sum to at most 1 */
		return strstr(f->name, "-ratio") != NULL ? "0.2" : "0.5";
	case OPT_PATH:
		return "/nonexistent/x";
	case OPT_CUSTOM:
		for (i = 0; i < sizeof(custom) / sizeof(custom[0]); i++)
			if (strcmp(custom[i][0], f->name) == 0)
				return custom[i][1];
	}
	return "?";
}

/* Parses "raftsim <mode words> --flag [value] [FILE]" in this process.
 * Returns options_parse's result; err receives its messages. */
static int parse_in_mode(int mode, const struct opt_flag *f, FILE *err,
			 struct raftsim_options *o)
{
	char flag[64];
	char *argv[10];
	int argc = 0;
	int i;

	snprintf(flag, sizeof(flag), "--%s", f->name);
	argv[argc++] = (char *)"raftsim";
	for (i = 0; mode_words[mode][i] != NULL; i++)
		argv[argc++] = (char *)mode_words[mode][i];
	argv[argc++] = flag;
	if (sample_value(f) != NULL)
		argv[argc++] = (char *)sample_value(f);
	if ((1u << mode) & (IN_CHECK | IN_TIMELINE | IN_REPORT))
		argv[argc++] = (char *)"trace.jsonl";
	/* A report needs its page. */
	if (((1u << mode) & IN_REPORT) && strcmp(f->name, "html") != 0) {
		argv[argc++] = (char *)"--html";
		argv[argc++] = (char *)"out.html";
	}
	/* A run's timeline window needs the timeline itself. */
	if (((1u << mode) & IN_RUN) && (f->modes & IN_TIMELINE))
		argv[argc++] = (char *)"--timeline";
	/* A closed loop's window needs the closed loop. */
	if (((1u << mode) & f->modes) && strcmp(f->name, "outstanding") == 0) {
		argv[argc++] = (char *)"--load";
		argv[argc++] = (char *)"max";
	}
	/* The clients' flags need clients (client has its one). */
	if (((1u << mode) & f->modes) && f->section == SEC_CLIENTS &&
	    strcmp(f->name, "clients") != 0 &&
	    ((1u << mode) & options_find("clients")->modes)) {
		argv[argc++] = (char *)"--clients";
		argv[argc++] = (char *)"1";
	}
	/* --speed paces what --live shows. */
	if (((1u << mode) & f->modes) && strcmp(f->name, "speed") == 0)
		argv[argc++] = (char *)"--live";
	/* Shards share a --seed; --merge merges summaries. */
	if (((1u << mode) & f->modes) && strcmp(f->name, "shard") == 0) {
		argv[argc++] = (char *)"--seed";
		argv[argc++] = (char *)"1";
	}
	if (((1u << mode) & f->modes) && strcmp(f->name, "merge") == 0)
		argv[argc++] = (char *)"s0.jsonl";
	/* --resume goes on from a --data-dir. */
	if (((1u << mode) & f->modes) && strcmp(f->name, "resume") == 0) {
		argv[argc++] = (char *)"--data-dir";
		argv[argc++] = (char *)"dir";
	}
	argv[argc] = NULL;
	options_default(o);
	return options_parse(o, argc, argv, err);
}

/* Every row against every mode: taken where its row says, refused with
 * exit 2 and a message naming the flag and the mode everywhere else. Many
 * parses in one process: getopt's state must be reset each time. */
static void flags_are_taken_exactly_where_the_table_says(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct doc err;
	size_t i;
	int m, rv;

	REQUIRE(o != NULL);
	for (i = 0; i < options_table_len; i++) {
		const struct opt_flag *f = &options_table[i];
		char name[64];

		if (f->props & OPTF_HIDDEN || strcmp(f->name, "help") == 0 ||
		    strcmp(f->name, "version") == 0)
			continue;
		snprintf(name, sizeof(name), "--%s: ", f->name);
		for (m = 0; m < IN_MODES; m++) {
			/* --sim in a run, --threads in failover: they pick
			 * the mode rather than being given in it */
			if ((f->props & OPTF_MODE) &&
			    ((IN_RUN & f->modes && IN_RUN & (1u << m)) ||
			     (IN_FAILOVERS & f->modes &&
			      IN_FAILOVERS & (1u << m))))
				continue;
			REQUIRE(doc_open(&err) != NULL);
			rv = parse_in_mode(m, f, err.f, o);
			doc_close(&err);
			if (f->modes & (1u << m)) {
				if (rv != 0)
					TEST_FAIL_AT("%s in %s: refused: %s",
						     f->name,
						     options_mode_names[m],
						     err.text);
			} else if (rv != EXIT_USAGE ||
				   strstr(err.text, name) == NULL ||
				   strstr(err.text, options_mode_names[m]) ==
					   NULL) {
				TEST_FAIL_AT("%s in %s: exit %d, stderr '%s'",
					     f->name, options_mode_names[m], rv,
					     err.text);
			}
			free(err.text);
		}
	}
	free(o);
}

/* The rows agree with their kinds: what the parser stores fits the field. */
static void every_row_is_well_formed(void)
{
	size_t i, j;

	CHECK(options_table_len <= OPTIONS_TABLE_MAX);
	for (i = 0; i < options_table_len; i++) {
		const struct opt_flag *f = &options_table[i];

		CHECK(f->modes != 0 && (f->modes & ~(unsigned)IN_ALL) == 0);
		CHECK(f->help != NULL);
		CHECK((f->kind == OPT_BOOL) == (f->metavar == NULL));
		if (f->kind == OPT_CUSTOM)
			CHECK(f->parse != NULL && f->what != NULL &&
			      (f->replay != NULL || !(f->props & OPTF_REPLAY)));
		if (f->kind == OPT_COUNT || f->kind == OPT_MS ||
		    f->kind == OPT_MS_DECIMAL)
			CHECK(f->size == 4 || f->size == 8);
		if (f->kind == OPT_COUNT && f->size == 4)
			CHECK(f->max <= 0x7fffffff);
		if (f->kind == OPT_BOOL)
			CHECK(f->size == sizeof(bool));
		if (f->kind == OPT_TICK_RANGE || f->kind == OPT_MS_RANGE)
			CHECK(f->size == sizeof(struct tick_range));
		if (f->kind == OPT_PROB)
			CHECK(f->size == sizeof(double));
		for (j = 0; j < i; j++) {
			CHECK(strcmp(f->name, options_table[j].name) != 0);
			CHECK(f->short_name == 0 ||
			      f->short_name != options_table[j].short_name);
		}
	}
}

/* The flags a help text lists, one per line that starts with one. */
static int lists_flag(const char *text, const char *name)
{
	char want[64];
	const char *p;
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "--%s", name);
	for (p = text; (p = strstr(p, want)) != NULL; p += n) {
		const char *line = p;

		while (line > text && line[-1] != '\n')
			line--;
		if (strncmp(line, "  -", 3) != 0)
			continue;
		if (p[n] == ' ' || p[n] == '\n')
			return 1;
	}
	return 0;
}

static void help_lists_each_commands_flags(void)
{
	static const enum raftsim_command commands[] = {
		CMD_RUN,
		CMD_CHECK,
		CMD_EXPLORE,
		CMD_FAILOVER,
	};
	static const char *const words[] = {
		"run",
		"check",
		"explore",
		"failover",
	};
	struct raftsim_options o;
	struct doc help;
	size_t c, i;

	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		unsigned modes = options_command_modes(commands[c]);

		options_default_for(&o, commands[c]);
		REQUIRE(doc_open(&help) != NULL);
		CHECK_EQ(options_usage(&o, help.f), 0);
		doc_close(&help);
		for (i = 0; i < options_table_len; i++) {
			const struct opt_flag *f = &options_table[i];
			int want = (f->modes & modes) &&
				   !(f->props & OPTF_HIDDEN);

			if (lists_flag(help.text, f->name) != want)
				TEST_FAIL_AT("%s --help: --%s %s", words[c],
					     f->name,
					     want ? "missing" : "listed");
		}
		CHECK(strstr(help.text, "  3  the run could not be carried "
					"out") != NULL);
		free(help.text);
	}
}

/* README.md holds `raftsim --readme` between its markers, byte for byte. */
static void readme_flag_tables_are_the_tables(void)
{
	static const char end_marker[] = "<!-- flags:end -->\n";
	struct doc want;
	char *readme = NULL;
	const char *begin, *end;
	size_t len = 0, line = 1;
	FILE *f;

	REQUIRE(doc_open(&want) != NULL);
	CHECK_EQ(options_write_readme(want.f), 0);
	doc_close(&want);
	f = fopen("README.md", "r");
	REQUIRE(f != NULL);
	readme = calloc(1, 1 << 20);
	REQUIRE(readme != NULL);
	len = fread(readme, 1, (1 << 20) - 1, f);
	fclose(f);
	begin = strstr(readme, "<!-- flags:begin");
	end = begin ? strstr(begin, end_marker) : NULL;
	CHECK(begin != NULL && end != NULL && len > 0);
	if (begin != NULL && end != NULL) {
		size_t n = (size_t)(end - begin) + strlen(end_marker);
		size_t i;

		for (i = 0; i < n && i < want.len && begin[i] == want.text[i];
		     i++)
			line += begin[i] == '\n';
		if (i != n || n != want.len)
			TEST_FAIL_AT("README.md's flag tables differ from "
				     "`./raftsim --readme` at their line %zu",
				     line);
	}
	free(readme);
	free(want.text);
}

static void man_page_names_every_flag(void)
{
	struct doc man;
	char want[80];
	size_t i;

	REQUIRE(doc_open(&man) != NULL);
	CHECK_EQ(options_write_man(man.f), 0);
	doc_close(&man);
	CHECK(strncmp(man.text, ".TH RAFTSIM 1 ", 14) == 0);
	CHECK(strstr(man.text, "\n.SH EXIT STATUS\n") != NULL);
	for (i = 0; i < options_table_len; i++) {
		const struct opt_flag *f = &options_table[i];
		const char *p;
		size_t n = 0;

		if (f->props & OPTF_HIDDEN)
			continue;
		/* roff escapes every '-' of the name */
		n += (size_t)snprintf(want + n, sizeof(want) - n, "\\-\\-");
		for (p = f->name; *p != '\0' && n + 3 < sizeof(want); p++)
			n += (size_t)snprintf(want + n, sizeof(want) - n,
					      *p == '-' ? "\\-" : "%c", *p);
		if (strstr(man.text, want) == NULL)
			TEST_FAIL_AT("the man page does not name %s", want);
	}
	free(man.text);
}

/* The longest command options_format_command can be asked for: every
 * scheduled fault at its longest, a partition listing every node. */
static void the_longest_replay_command_fits(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	char *buf = malloc(OPTIONS_COMMAND_MAX);
	int i, j;

	REQUIRE(o != NULL && buf != NULL);
	options_default(o);
	o->sim = true;
	o->nodes = OPT_MAX_NODES;
	o->ticks = o->seed = UINT64_MAX;
	o->mistakes = ~0u;
	o->load_rate = OPT_MAX_LOAD;
	o->payload = (unsigned)OPT_MAX_PAYLOAD;
	o->snapshot_entries = o->max_inflight_bytes = UINT64_MAX;
	o->snapshot_chunk = o->max_inflight = o->max_batch_bytes = ~0u;
	o->outstanding = ~0u;
	o->slow_count = OPT_MAX_SCHEDULED;
	for (i = 0; i < OPT_MAX_SCHEDULED; i++) {
		o->slows[i].node = OPT_MAX_NODES - 1;
		o->slows[i].factor = (unsigned)OPT_MAX_SLOW_FACTOR;
	}
	o->drop = o->dup = o->reorder = 0.123456789012;
	o->pause_prob = o->crash_prob = o->partition_prob = 0.123456789012;
	o->latency_us.min = o->latency_us.max = OPT_MAX_LATENCY_MS * 1000 + 1;
	o->pause_count = o->crash_count = o->partition_count =
		OPT_MAX_SCHEDULED;
	for (i = 0; i < OPT_MAX_SCHEDULED; i++) {
		o->pauses[i].who = o->crashes[i].who = OPT_MAX_NODES - 1;
		o->pauses[i].tick = o->crashes[i].tick = UINT64_MAX;
		o->pauses[i].len = o->crashes[i].len = UINT64_MAX;
		o->partitions[i].tick = o->partitions[i].len = UINT64_MAX;
		for (j = 0; j < OPT_MAX_NODES; j++)
			o->partitions[i].group_of[j] = (uint8_t)(j % 2);
	}
	CHECK_EQ(options_format_command(o, buf, OPTIONS_COMMAND_MAX), 0);
	CHECK(strstr(buf, " --seed 18446744073709551615") != NULL);
	CHECK_EQ(options_format_command(o, buf, 100), -1);
	free(buf);
	free(o);
}

const struct test_case flags_tests[] = {
	{"flags: every row of the table is well formed",
	 every_row_is_well_formed},
	{"flags: each flag is taken by the modes its row names and refused "
	 "with exit 2 by every other",
	 flags_are_taken_exactly_where_the_table_says},
	{"flags: each command's --help lists exactly the flags it takes",
	 help_lists_each_commands_flags},
	{"flags: the README's flag tables are `raftsim --readme`",
	 readme_flag_tables_are_the_tables},
	{"flags: the man page names every flag", man_page_names_every_flag},
	{"flags: the longest replay command fits OPTIONS_COMMAND_MAX",
	 the_longest_replay_command_fits},
	{NULL, NULL},
};
