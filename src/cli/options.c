/* options.c - parses the command line into struct raftsim_options.
 *
 * Every error names the flag and the value and exits with EXIT_USAGE; no
 * input can crash the parser (values are checked character by character
 * before they are converted, and every list has a bound). Here: the command
 * word, the getopt loop over the table's flags, the refusal of a flag the
 * subcommand does not take, and the checks across flags; each flag's own
 * value is parsed in options_flags.c.
 */
#include <assert.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options_internal.h"

/* getopt_long's value for table row i; short flags return their letter. */
#define FLAG_ID_BASE 256

void options_default(struct raftsim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->command = CMD_RUN;
	o->nodes = 3;
	o->ticks = 100;
	o->tick_us = 10000;
	o->heartbeat_ticks = 3;
	o->election.min = 10;
	o->election.max = 20;
	o->mailbox = OPT_DEFAULT_MAILBOX;
	o->pause_ticks.min = 10;
	o->pause_ticks.max = 40;
	o->crash_ticks.min = 10;
	o->crash_ticks.max = 40;
	o->partition_ticks.min = 10;
	o->partition_ticks.max = 50;
	o->latency_us.min = 1000;
	o->latency_us.max = 5000;
	o->runs = 100;
	o->jobs = 2;
	o->trials = 100;
	o->payload = OPT_MIN_PAYLOAD;
	o->outstanding = OPT_DEFAULT_OUTSTANDING;
	o->snapshot_entries = 10000;
	o->snapshot_chunk = 64 << 10;
	o->max_inflight = 64;
	o->max_inflight_bytes = 4 << 20;
	o->max_batch_bytes = 64 << 10;
	o->keys = 100;
	o->read_ratio = 0.5;
	o->cas_ratio = 0.1;
	o->append_ratio = 0.1;
	o->delete_ratio = 0.05;
	o->value_bytes = OPT_MIN_VALUE_BYTES;
	o->retries = 5;
	o->reads = READS_LOG;
	o->session_max = 4096;
	o->session_expiry = OPT_DEFAULT_SESSION_EXPIRY;
	o->wal_segment_bytes = 64ULL << 20;
	o->client_id = OPT_CLIENT_ID_AUTO;
	o->cluster_id = 1;
}

/* What a command changes in the defaults. */
static void set_command(struct raftsim_options *o, enum raftsim_command command)
{
	o->command = command;
	if (command == CMD_FAILOVER)
		o->nodes = 5; /* the paper's cluster */
	if (command == CMD_CLIENT || command == CMD_BENCH)
		o->clients = 1; /* client: its one; bench: the default */
	if (command == CMD_NODE) {
		o->ticks = 0;    /* until SIGTERM or SIGINT */
		o->node_id = -1; /* --id is required */
		o->transport = TRANSPORT_TCP;
	}
}

void options_default_for(struct raftsim_options *o,
			 enum raftsim_command command)
{
	options_default(o);
	set_command(o, command);
}

/* "raftsim: <msg>\n", control bytes shown as \xNN. */
static void error_line(FILE *err, const char *fmt, va_list ap)
{
	char msg[512];
	const unsigned char *p;
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs("raftsim: ", err);
	for (p = (const unsigned char *)msg; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(err, "\\x%02x", *p);
		else
			fputc(*p, err);
	}
	fputs(n >= (int)sizeof(msg) ? "...\n" : "\n", err);
}

static void usage_line(FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void usage_line(FILE *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_line(err, fmt, ap);
	va_end(ap);
}

int options_usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_line(err, fmt, ap);
	va_end(ap);
	fputs("Try 'raftsim --help' for more information.\n", err);
	return EXIT_USAGE;
}

const struct opt_flag *options_find(const char *name)
{
	size_t i;

	for (i = 0; i < options_table_len; i++)
		if (strcmp(options_table[i].name, name) == 0)
			return &options_table[i];
	return NULL;
}

/* The words after the flags: check's further traces (merged, one per
 * node process), client's operation, explore --merge's summaries. */
static int take_positional(struct raftsim_options *o, int argc, char **argv,
			   FILE *err)
{
	o->check_paths[0] = o->check_path;
	o->check_count = o->check_path != NULL;
	for (; optind < argc; optind++) {
		const char *word = argv[optind];

		if (o->command == CMD_CHECK && o->check_count < OPT_MAX_TRACES)
			o->check_paths[o->check_count++] = word;
		else if (o->command == CMD_CLIENT && o->client_word_count < 4)
			o->client_words[o->client_word_count++] = word;
		else if (o->command == CMD_EXPLORE &&
			 o->merge_count < OPT_MAX_MERGE)
			o->merge_paths[o->merge_count++] = word;
		else
			return options_usage_error(
				err, "'%s': unexpected argument", word);
	}
	return 0;
}

static int parse_command(struct raftsim_options *o, const char *word)
{
	static const struct {
		const char *word;
		enum raftsim_command command;
	} commands[] = {
		{"run", CMD_RUN},           {"check", CMD_CHECK},
		{"explore", CMD_EXPLORE},   {"failover", CMD_FAILOVER},
		{"timeline", CMD_TIMELINE}, {"figure8", CMD_FIGURE8},
		{"report", CMD_REPORT},     {"node", CMD_NODE},
		{"client", CMD_CLIENT},     {"bench", CMD_BENCH},
	};
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(word, commands[i].word) == 0) {
			set_command(o, commands[i].command);
			return 0;
		}
	}
	return -1;
}

/* getopt_long's arrays, made from the table: every row a long flag whose
 * value is FLAG_ID_BASE + its index, and the rows with a letter a short
 * one. */
static void getopt_arrays(struct option *longs, char *shorts)
{
	size_t i;
	size_t n = 0;

	assert(options_table_len <= OPTIONS_TABLE_MAX);
	shorts[n++] = ':'; /* a missing value returns ':' */
	for (i = 0; i < options_table_len; i++) {
		const struct opt_flag *f = &options_table[i];

		longs[i].name = f->name;
		longs[i].has_arg = f->kind == OPT_BOOL ? no_argument
						       : required_argument;
		longs[i].flag = NULL;
		longs[i].val = FLAG_ID_BASE + (int)i;
		if (f->short_name != 0) {
			assert(f->kind == OPT_BOOL);
			shorts[n++] = f->short_name;
		}
	}
	memset(&longs[i], 0, sizeof(longs[i]));
	shorts[n] = '\0';
}

/* The row getopt_long's return value c stands for, or NULL. */
static const struct opt_flag *flag_of(int c)
{
	size_t i;

	if (c >= FLAG_ID_BASE && (size_t)(c - FLAG_ID_BASE) < options_table_len)
		return &options_table[c - FLAG_ID_BASE];
	for (i = 0; i < options_table_len; i++)
		if (options_table[i].short_name != 0 &&
		    options_table[i].short_name == c)
			return &options_table[i];
	return NULL;
}

/* getopt_long said '?': a short flag it does not know, a value given to a
 * flag that takes none (--sim=1), or a long flag it does not know or
 * cannot tell from others by the prefix given (--p). */
static int unknown_flag(const char *word, FILE *err)
{
	const struct opt_flag *f = flag_of(optopt);
	char list[512];
	size_t prefix, len = 0;
	int matches = 0;
	size_t i;

	if (f != NULL && optopt >= FLAG_ID_BASE)
		return options_usage_error(err,
					   "--%s: takes no value (in "
					   "'%s')",
					   f->name, word);
	if (optopt != 0)
		return options_usage_error(err, "-%c: unknown flag", optopt);
	if (strncmp(word, "--", 2) != 0)
		return options_usage_error(err, "%s: unknown flag", word);
	prefix = strcspn(word + 2, "=");
	list[0] = '\0';
	for (i = 0; i < options_table_len && prefix > 0; i++) {
		const struct opt_flag *c = &options_table[i];
		int n;

		if (strncmp(c->name, word + 2, prefix) != 0)
			continue;
		n = snprintf(list + len, sizeof(list) - len, "%s--%s",
			     matches > 0 ? ", " : "", c->name);
		if (n > 0 && (size_t)n < sizeof(list) - len)
			len += (size_t)n;
		matches++;
	}
	if (matches > 1)
		return options_usage_error(err,
					   "--%.*s: ambiguous: it could "
					   "be %s",
					   (int)prefix, word + 2, list);
	return options_usage_error(err, "--%.*s: unknown flag", (int)prefix,
				   word + 2);
}

/* A flag the subcommand (or its mode) does not take is refused, rather
 * than ignored: the user asked for something that would not happen. Each
 * such flag is named, in the table's order. */
static int refuse_foreign(const struct raftsim_options *o, const bool *given,
			  FILE *err)
{
	unsigned mode = options_mode(o);
	char modes[256];
	int refused = 0;
	size_t i;
	int m;

	for (m = 0; m < IN_MODES && !(mode & (1u << m)); m++)
		;
	for (i = 0; i < options_table_len; i++) {
		const struct opt_flag *f = &options_table[i];

		if (!given[i] || (f->modes & mode))
			continue;
		usage_line(err, "--%s: not taken by %s (only by %s)", f->name,
			   options_mode_names[m],
			   options_modes_text(f->modes, modes, sizeof(modes)));
		if (strcmp(f->name, "data-dir") == 0 && mode == IN_SIM)
			usage_line(err, "--data-dir: use --disk in the "
					"simulator");
		refused++;
	}
	if (refused == 0)
		return 0;
	fprintf(err, "Try 'raftsim %s --help' for the flags it takes.\n",
		options_command_word(o->command));
	return EXIT_USAGE;
}

int options_parse(struct raftsim_options *o, int argc, char **argv, FILE *err)
{
	struct option longs[OPTIONS_TABLE_MAX + 1];
	char shorts[OPTIONS_TABLE_MAX + 2];
	bool given[OPTIONS_TABLE_MAX] = {false};
	const struct opt_flag *f;
	int skip = 0; /* the command word */
	int c;
	int rv;

	if (argc > 1 && argv[1][0] != '-') {
		if (parse_command(o, argv[1]) != 0)
			return options_usage_error(err,
						   "'%s' is not a command "
						   "(run, check, explore, "
						   "failover)",
						   argv[1]);
		skip = 1;
	}
	/* getopt_long sees the command word as its program name. optind = 0
	 * is glibc's full reset, for a parser that may run more than once. */
	argc -= skip;
	argv += skip;
	getopt_arrays(longs, shorts);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == ':') {
			f = flag_of(optopt);
			if (f != NULL)
				return options_usage_error(err,
							   "--%s: needs "
							   "a value",
							   f->name);
			return options_usage_error(err, "%s: needs a value",
						   argv[optind - 1]);
		}
		f = flag_of(c);
		if (c == '?' || f == NULL)
			return unknown_flag(argv[optind - 1], err);
		given[f - options_table] = true;
		rv = options_apply_flag(o, f, optarg, err);
		if (rv != 0)
			return rv;
	}
	if (o->help || o->version || o->man || o->readme)
		return 0;
	if ((o->command == CMD_CHECK || o->command == CMD_TIMELINE ||
	     o->command == CMD_REPORT) &&
	    optind < argc)
		o->check_path = argv[optind++];
	rv = take_positional(o, argc, argv, err);
	if (rv != 0)
		return rv;
	if (optind < argc)
		return options_usage_error(err, "'%s': unexpected argument",
					   argv[optind]);
	rv = refuse_foreign(o, given, err);
	if (rv != 0)
		return rv;
	o->seed_given = given[options_find("seed") - options_table];
	return options_validate(o, given, err);
}
unsigned options_slow_factor(const struct raftsim_options *o, int id)
{
	int i;

	for (i = 0; i < o->slow_count; i++)
		if (o->slows[i].node == id)
			return o->slows[i].factor;
	return 1;
}

bool options_have_load(const struct raftsim_options *o)
{
	return o->load_max || o->load_rate > 0;
}

bool options_have_clients(const struct raftsim_options *o)
{
	return o->clients > 0;
}

uint64_t options_client_timeout_us(const struct raftsim_options *o)
{
	if (o->client_timeout_us > 0)
		return o->client_timeout_us;
	return 2 * o->election.max * o->tick_us;
}

bool options_have_faults(const struct raftsim_options *o)
{
	return o->pause_count > 0 || o->crash_count > 0 ||
	       o->partition_count > 0 || o->pause_prob > 0 ||
	       o->crash_prob > 0 || o->partition_prob > 0 || o->drop > 0 ||
	       o->dup > 0 || o->reorder > 0 || o->slow_count > 0;
}

void options_node_config(const struct raftsim_options *o, int id,
			 uint64_t restarts, struct raft_config *cfg)
{
	/* id < RAFT_MAX_NODES: every (id, restarts) has a stream of its
	 * own, and no restarted node draws another node's timeouts. */
	raft_config_default(
		cfg, id, o->nodes,
		raft_rng_derive(o->seed,
				(uint64_t)id + RAFT_MAX_NODES * restarts));
	cfg->heartbeat_interval = o->heartbeat_ticks;
	cfg->election_min = (unsigned)o->election.min;
	cfg->election_max = (unsigned)o->election.max;
	cfg->prevote = o->prevote;
	cfg->check_quorum = o->check_quorum;
	cfg->ranked_timeouts = o->ranked_timeouts;
	/* The clients' mistakes are their drivers', not the core's. */
	cfg->mistakes = o->mistakes & ~(unsigned)(RAFT_MISTAKE_NO_DEDUP |
						  RAFT_MISTAKE_STALE_READ |
						  RAFT_MISTAKE_NO_FENCING);
	cfg->max_batch_bytes = o->max_batch_bytes;
	cfg->max_inflight_msgs = o->max_inflight;
	cfg->max_inflight_bytes = o->max_inflight_bytes;
	cfg->snapshot_entries = o->snapshot_entries;
	cfg->snapshot_chunk_bytes = o->snapshot_chunk;
}
