/* options_internal.h - the flag table, and what the options_*.c files
 * share. One row per flag (options_table.c), in the spirit of redis's
 * standardConfig: its name, the kind of value, where the value is stored,
 * its bounds, the subcommands that take it, its default and its help. The
 * parser, --help, the README's flag table, the man page and the replay
 * command are all generated from the rows.
 */
#ifndef OPTIONS_INTERNAL_H
#define OPTIONS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "options.h"

/* Where a flag takes effect: a subcommand, and for run and failover the
 * mode within it. A flag given elsewhere is refused. */
enum {
	IN_THREADS = 1u << 0,          /* raftsim [run] */
	IN_SIM = 1u << 1,              /* raftsim [run] --sim */
	IN_CHECK = 1u << 2,            /* raftsim check FILE */
	IN_EXPLORE = 1u << 3,          /* raftsim explore */
	IN_FAILOVER = 1u << 4,         /* raftsim failover */
	IN_FAILOVER_THREADS = 1u << 5, /* raftsim failover --threads */
	IN_TIMELINE = 1u << 6,         /* raftsim timeline FILE */
	IN_FIGURE8 = 1u << 7,          /* raftsim figure8 */
	IN_REPORT = 1u << 8,           /* raftsim report FILE */
	IN_NODE = 1u << 9,             /* raftsim node (issue 13) */
	IN_CLIENT = 1u << 10,          /* raftsim client OP KEY ... */
	IN_BENCH = 1u << 11,           /* raftsim bench */
	IN_MODES = 12,
};
#define IN_RUN (IN_THREADS | IN_SIM)
#define IN_FAILOVERS (IN_FAILOVER | IN_FAILOVER_THREADS)
#define IN_CLUSTER (IN_RUN | IN_EXPLORE | IN_FAILOVERS)
#define IN_ALL ((1u << IN_MODES) - 1)

enum opt_kind {
	OPT_BOOL,       /* no value: sets a bool */
	OPT_COUNT,      /* a whole number in [min, max] */
	OPT_MS,         /* whole milliseconds in [min, max], stored in us */
	OPT_MS_DECIMAL, /* milliseconds such as 0.5, at most max, in us */
	OPT_TICK_RANGE, /* MIN-MAX ticks, min <= MIN <= MAX <= max */
	OPT_MS_RANGE,   /* MIN-MAX ms with decimals, in us; MAX <= max */
	OPT_PROB,       /* a probability, 0 to 1 */
	OPT_PATH,       /* a file name */
	OPT_CUSTOM,     /* its own parser and replay: windows, lists, names */
};

/* Help sections, in the order --help prints them. */
enum opt_section {
	SEC_CLUSTER,
	SEC_FAULTS,
	SEC_LOG,
	SEC_CLIENTS,
	SEC_STORAGE,
	SEC_EXPLORE,
	SEC_FAILOVER,
	SEC_NET,
	SEC_OUTPUT,
	SEC_COUNT,
};

/* Row properties. */
enum {
	OPTF_REPEAT = 1u << 0,        /* repeatable: each use adds one */
	OPTF_REPLAY = 1u << 1,        /* in the replay command if not default */
	OPTF_REPLAY_ALWAYS = 1u << 2, /* in the replay command, always */
	OPTF_HIDDEN = 1u << 3,        /* not in --help, README or man page */
	OPTF_MODE = 1u << 4,          /* it picks the mode (--sim, --threads) */
	OPTF_NEEDS_DASH = 1u << 5,    /* a range MIN-MAX: one number refused */
};

struct opt_flag;

/* A custom value: parses arg into *o, or prints why not and returns
 * EXIT_USAGE. */
typedef int (*opt_parse_fn)(struct raftsim_options *o, const struct opt_flag *f,
			    const char *arg, FILE *err);

/* Appends " --flag value" for each value o holds (replay command). */
struct opt_text;
typedef void (*opt_replay_fn)(const struct raftsim_options *o,
			      const struct opt_flag *f, struct opt_text *t);

struct opt_flag {
	const char *name; /* without its dashes: "nodes" */
	char short_name;  /* -q, or 0 */
	enum opt_kind kind;
	size_t offset;     /* of its field in struct raftsim_options */
	size_t size;       /* of that field */
	uint64_t min, max; /* bounds of numbers (OPT_MAX_* constants) */
	unsigned modes;    /* IN_* bits */
	unsigned props;    /* OPTF_* bits */
	enum opt_section section;
	const char *metavar;  /* "N", "MIN-MAX", ... or NULL */
	const char *what;     /* in errors: "'x' is not <what>" */
	const char *defaults; /* the default, when the field cannot say it */
	const char *help;     /* one line for --help */
	const char *doc;      /* more for the README and man page, or NULL */
	opt_parse_fn parse;   /* OPT_CUSTOM */
	opt_replay_fn replay; /* OPT_CUSTOM with OPTF_REPLAY */
};

/* options_table.c: the rows, and what the documentation says around
 * them. */
extern const struct opt_flag options_table[];
extern const size_t options_table_len;
extern const char *const options_mode_names[IN_MODES];
struct opt_section_doc {
	const char *title;
	const char *intro; /* README and man page, or NULL */
};
extern const struct opt_section_doc options_sections[SEC_COUNT];
struct opt_synopsis {
	unsigned modes; /* the command's, for its help */
	const char *usage;
	const char *what;
};
extern const struct opt_synopsis options_synopsis[];
extern const size_t options_synopsis_len;
struct opt_exit_code {
	int code;
	const char *meaning;
};
extern const struct opt_exit_code options_exit_codes[];
extern const size_t options_exit_codes_len;

/* options_values.c: the OPT_CUSTOM rows' parsers and replays. */
int options_parse_mistake(struct raftsim_options *o, const struct opt_flag *f,
			  const char *arg, FILE *err);
void options_replay_mistakes(const struct raftsim_options *o,
			     const struct opt_flag *f, struct opt_text *t);
int options_parse_speed(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err);
int options_parse_pause(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err);
void options_replay_pauses(const struct raftsim_options *o,
			   const struct opt_flag *f, struct opt_text *t);
int options_parse_crash(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err);
void options_replay_crashes(const struct raftsim_options *o,
			    const struct opt_flag *f, struct opt_text *t);
int options_parse_partition_flag(struct raftsim_options *o,
				 const struct opt_flag *f, const char *arg,
				 FILE *err);
void options_replay_partitions(const struct raftsim_options *o,
			       const struct opt_flag *f, struct opt_text *t);
int options_parse_election_ms(struct raftsim_options *o,
			      const struct opt_flag *f, const char *arg,
			      FILE *err);
int options_parse_first_ranked(struct raftsim_options *o,
			       const struct opt_flag *f, const char *arg,
			       FILE *err);
int options_parse_load(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err);
void options_replay_load(const struct raftsim_options *o,
			 const struct opt_flag *f, struct opt_text *t);
int options_parse_slow(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err);
void options_replay_slow(const struct raftsim_options *o,
			 const struct opt_flag *f, struct opt_text *t);
/* bench --duration S: seconds above 0, decimals allowed (client_main.c). */
int options_parse_duration(struct raftsim_options *o, const struct opt_flag *f,
			   const char *arg, FILE *err);
int options_parse_reads(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err);
void options_replay_reads(const struct raftsim_options *o,
			  const struct opt_flag *f, struct opt_text *t);
/* options_net.c */
int options_parse_transport(struct raftsim_options *o, const struct opt_flag *f,
			    const char *arg, FILE *err);
void options_replay_transport(const struct raftsim_options *o,
			      const struct opt_flag *f, struct opt_text *t);

/* options_explore.c: explore --shard K/N, and the checks of --shard,
 * --summary and --merge (called by options_validate). */
int options_parse_shard(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err);
int options_check_explore(const struct raftsim_options *o, const bool *given,
			  FILE *err);

/* options_flags.c: one flag's value into *o. Returns 0 or EXIT_USAGE. */
int options_apply_flag(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err);
/* The mode o is in (one IN_* bit), once the whole line is read. */
unsigned options_mode(const struct raftsim_options *o);
/* The modes of a command: IN_RUN for CMD_RUN, and so on. */
unsigned options_command_modes(enum raftsim_command command);
/* A field's bytes, for the generic kinds. */
void *options_field(struct raftsim_options *o, const struct opt_flag *f);
const void *options_field_c(const struct raftsim_options *o,
			    const struct opt_flag *f);
/* A whole number of 4 or 8 bytes, read from its field. */
uint64_t options_field_u64(const struct raftsim_options *o,
			   const struct opt_flag *f);

/* options.c: prints "raftsim: <why>" and a hint, with control bytes
 * shown as \xNN so that the message stays one clean line; returns
 * EXIT_USAGE. */
int options_usage_error(FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The defaults of a command: options_default, then what the command
 * changes (failover: 5 nodes, the paper's cluster). */
void options_default_for(struct raftsim_options *o,
			 enum raftsim_command command);
/* The row called name, or NULL. */
const struct opt_flag *options_find(const char *name);
/* The most rows the table may have (the parser's arrays). */
#define OPTIONS_TABLE_MAX 128

/* options_usage.c: "run, explore, failover": the modes in `modes`, a
 * subcommand named once when all its modes are in. Returns buf. */
const char *options_modes_text(unsigned modes, char *buf, size_t size);
/* The word that names a command on the command line: "failover". */
const char *options_command_word(enum raftsim_command command);
/* "--nodes N", "-q, --quiet". */
void options_flag_title(const struct opt_flag *f, char *buf, size_t size);
/* The defaults of f across the commands that take it: "3 (failover: 5)";
 * "" when there is none to tell. */
void options_all_defaults(const struct opt_flag *f, char *buf, size_t size);
/* The value of a flag as text, as the parser reads it
 * back ("10-20", "0.5", "on"). Returns buf. */
const char *options_value_text(const struct raftsim_options *o,
			       const struct opt_flag *f, char *buf,
			       size_t size);

/* options_replay.c: text that grows within a caller's buffer. */
struct opt_text {
	char *buf;
	size_t size;
	size_t len;
	bool ok; /* false once something did not fit */
};
void options_text_add(struct opt_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* options_check.c: the checks across flags (given[i]: table row i was on
 * the command line). Returns 0 or EXIT_USAGE after saying why. */
int options_validate(struct raftsim_options *o, const bool *given, FILE *err);

#endif
