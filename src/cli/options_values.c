/* options_values.c - the parsers (and replays) of the flags whose value
 * is not a number, a range, a probability or a path: --mistake, --pause,
 * --crash, --partition, --election-ms, --first-ranked, --load, --slow,
 * --reads.
 * Their rows are in options_table.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "options_internal.h"
#include "parse.h"
static const struct {
	const char *name;
	enum raft_mistake bit;
} mistakes[] = {
	{"long-heartbeat", RAFT_MISTAKE_LONG_HEARTBEAT},
	{"no-reset", RAFT_MISTAKE_NO_RESET},
	{"fixed-timeout", RAFT_MISTAKE_FIXED_TIMEOUT},
	{"no-stepdown", RAFT_MISTAKE_NO_STEPDOWN},
	{"double-vote", RAFT_MISTAKE_DOUBLE_VOTE},
	{"commit-old-term", RAFT_MISTAKE_COMMIT_OLD_TERM},
	{"vote-any-log", RAFT_MISTAKE_VOTE_ANY_LOG},
	{"no-truncate", RAFT_MISTAKE_NO_TRUNCATE},
	{"apply-uncommitted", RAFT_MISTAKE_APPLY_UNCOMMITTED},
	{"no-dedup", RAFT_MISTAKE_NO_DEDUP},
	{"stale-read", RAFT_MISTAKE_STALE_READ},
	{"no-fencing", RAFT_MISTAKE_NO_FENCING},
	{"no-fsync", RAFT_MISTAKE_NO_FSYNC},
	{"vote-before-persist", RAFT_MISTAKE_VOTE_BEFORE_PERSIST},
	{"skip-bad-record", RAFT_MISTAKE_SKIP_BAD_RECORD},
};
#define MISTAKE_COUNT (sizeof(mistakes) / sizeof(mistakes[0]))

const char *options_mistake_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < MISTAKE_COUNT; i++)
		if ((unsigned)mistakes[i].bit == bit)
			return mistakes[i].name;
	return "?";
}

int options_parse_mistake(struct raftsim_options *o, const struct opt_flag *f,
			  const char *arg, FILE *err)
{
	size_t i;

	for (i = 0; i < MISTAKE_COUNT; i++) {
		if (strcmp(arg, mistakes[i].name) == 0) {
			o->mistakes |= (unsigned)mistakes[i].bit;
			return 0;
		}
	}
	return options_usage_error(err, "--%s: '%s' is not %s", f->name, arg,
				   f->what);
}

void options_replay_mistakes(const struct raftsim_options *o,
			     const struct opt_flag *f, struct opt_text *t)
{
	size_t i;

	for (i = 0; i < MISTAKE_COUNT; i++)
		if (o->mistakes & (unsigned)mistakes[i].bit)
			options_text_add(t, " --%s %s", f->name,
					 mistakes[i].name);
}

/* --pause and --crash: WHO@TICK:LEN, up to OPT_MAX_SCHEDULED of each. */
static int add_window(struct fault_window *list, int *count,
		      const struct opt_flag *f, const char *arg, FILE *err)
{
	if (*count >= OPT_MAX_SCHEDULED)
		return options_usage_error(err, "--%s: at most %d of them",
					   f->name, OPT_MAX_SCHEDULED);
	if (parse_window(arg, &list[*count]) != 0 ||
	    list[*count].tick > OPT_MAX_TICKS ||
	    list[*count].len > OPT_MAX_TICKS)
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	(*count)++;
	return 0;
}

int options_parse_pause(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err)
{
	return add_window(o->pauses, &o->pause_count, f, arg, err);
}

/* --crash also takes `all`: the whole cluster at once (--pause does not:
 * a frozen cluster is only a slower one). */
int options_parse_crash(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err)
{
	struct fault_window *w = &o->crashes[o->crash_count];
	char buf[64];

	if (strncmp(arg, "all@", 4) != 0 || o->crash_count >= OPT_MAX_SCHEDULED)
		return add_window(o->crashes, &o->crash_count, f, arg, err);
	/* parsed as node 0's window, then made the cluster's */
	if (snprintf(buf, sizeof(buf), "0%s", arg + 3) >= (int)sizeof(buf) ||
	    parse_window(buf, w) != 0 || w->tick > OPT_MAX_TICKS ||
	    w->len > OPT_MAX_TICKS)
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	w->who = WHO_ALL;
	o->crash_count++;
	return 0;
}

static void replay_windows(const struct opt_flag *f,
			   const struct fault_window *w, int count,
			   struct opt_text *t)
{
	int i;

	for (i = 0; i < count; i++) {
		if (w[i].who == WHO_LEADER)
			options_text_add(t, " --%s leader", f->name);
		else if (w[i].who == WHO_ALL)
			options_text_add(t, " --%s all", f->name);
		else
			options_text_add(t, " --%s %d", f->name, w[i].who);
		options_text_add(t, "@%" PRIu64 ":%" PRIu64, w[i].tick,
				 w[i].len);
	}
}

void options_replay_pauses(const struct raftsim_options *o,
			   const struct opt_flag *f, struct opt_text *t)
{
	replay_windows(f, o->pauses, o->pause_count, t);
}

void options_replay_crashes(const struct raftsim_options *o,
			    const struct opt_flag *f, struct opt_text *t)
{
	replay_windows(f, o->crashes, o->crash_count, t);
}

int options_parse_partition_flag(struct raftsim_options *o,
				 const struct opt_flag *f, const char *arg,
				 FILE *err)
{
	struct partition_window *p = &o->partitions[o->partition_count];

	if (o->partition_count >= OPT_MAX_SCHEDULED)
		return options_usage_error(err, "--%s: at most %d of them",
					   f->name, OPT_MAX_SCHEDULED);
	if (parse_partition(arg, p) != 0 || p->tick > OPT_MAX_TICKS ||
	    p->len > OPT_MAX_TICKS)
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	o->partition_count++;
	return 0;
}

/* Each group in turn, quoted: '|' means a pipe to the shell. */
void options_replay_partitions(const struct raftsim_options *o,
			       const struct opt_flag *f, struct opt_text *t)
{
	int i, j, g, n;

	for (i = 0; i < o->partition_count; i++) {
		const struct partition_window *p = &o->partitions[i];

		options_text_add(t, " --%s '%" PRIu64 ":%" PRIu64 ":", f->name,
				 p->tick, p->len);
		for (g = 0, n = 0; n < o->nodes; g++) {
			int first = 1;

			for (j = 0; j < o->nodes; j++) {
				if (p->group_of[j] != g)
					continue;
				options_text_add(
					t, "%s%d",
					first ? (g > 0 && n > 0 ? "|" : "")
					      : ",",
					j);
				first = 0;
				n++;
			}
		}
		options_text_add(t, "'");
	}
}

int options_parse_election_ms(struct raftsim_options *o,
			      const struct opt_flag *f, const char *arg,
			      FILE *err)
{
	if (parse_range_list(arg, o->election_ms, OPT_MAX_RANGES,
			     OPT_MAX_TIMEOUT_MS, &o->election_ms_count) != 0)
		return options_usage_error(err,
					   "--%s: '%s' is not %s (at most "
					   "%d, each from 1 to %llu ms)",
					   f->name, arg, f->what,
					   OPT_MAX_RANGES, OPT_MAX_TIMEOUT_MS);
	return 0;
}

int options_parse_first_ranked(struct raftsim_options *o,
			       const struct opt_flag *f, const char *arg,
			       FILE *err)
{
	if (strcmp(arg, "up") == 0)
		o->first_ranked = FIRST_RANKED_UP;
	else if (strcmp(arg, "down") == 0)
		o->first_ranked = FIRST_RANKED_DOWN;
	else if (strcmp(arg, "cut") == 0)
		o->first_ranked = FIRST_RANKED_CUT;
	else
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	return 0;
}

/* --load RATE|max: proposals per second (open loop), or as many as the
 * cluster takes (closed loop). */
int options_parse_load(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err)
{
	uint64_t rate;

	if (strcmp(arg, "max") == 0) {
		o->load_max = true;
		o->load_rate = 0;
		return 0;
	}
	if (parse_u64(arg, &rate) != 0 || rate < 1 || rate > OPT_MAX_LOAD)
		return options_usage_error(err,
					   "--%s: '%s' is not %s (1 to %llu)",
					   f->name, arg, f->what, OPT_MAX_LOAD);
	o->load_max = false;
	o->load_rate = rate;
	return 0;
}

void options_replay_load(const struct raftsim_options *o,
			 const struct opt_flag *f, struct opt_text *t)
{
	if (o->load_max)
		options_text_add(t, " --%s max", f->name);
	else if (o->load_rate > 0)
		options_text_add(t, " --%s %" PRIu64, f->name, o->load_rate);
}

/* --slow NODE:FACTOR, up to OPT_MAX_SCHEDULED nodes; whether NODE exists
 * is checked once --nodes is known (options_check.c). */
int options_parse_slow(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err)
{
	const char *colon = strchr(arg, ':');
	char node[16];
	uint64_t id, factor;
	size_t len = colon != NULL ? (size_t)(colon - arg) : 0;

	if (o->slow_count >= OPT_MAX_SCHEDULED)
		return options_usage_error(err, "--%s: at most %d of them",
					   f->name, OPT_MAX_SCHEDULED);
	if (colon == NULL || len == 0 || len >= sizeof(node))
		goto bad;
	memcpy(node, arg, len);
	node[len] = '\0';
	if (parse_u64(node, &id) != 0 || id >= OPT_MAX_NODES ||
	    parse_u64(colon + 1, &factor) != 0 || factor < 1 ||
	    factor > OPT_MAX_SLOW_FACTOR)
		goto bad;
	o->slows[o->slow_count].node = (int)id;
	o->slows[o->slow_count].factor = (unsigned)factor;
	o->slow_count++;
	return 0;
bad:
	return options_usage_error(err, "--%s: '%s' is not %s", f->name, arg,
				   f->what);
}

void options_replay_slow(const struct raftsim_options *o,
			 const struct opt_flag *f, struct opt_text *t)
{
	int i;

	for (i = 0; i < o->slow_count; i++)
		options_text_add(t, " --%s %d:%u", f->name, o->slows[i].node,
				 o->slows[i].factor);
}

static const char *const reads_names[] = {
	[READS_LOG] = "log",
	[READS_READINDEX] = "readindex",
	[READS_LEASE] = "lease",
};

/* --reads log|readindex|lease; lease needs --check-quorum
 * (options_check.c). */
int options_parse_reads(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err)
{
	int i;

	for (i = 0; i < (int)(sizeof(reads_names) / sizeof(reads_names[0]));
	     i++) {
		if (strcmp(arg, reads_names[i]) == 0) {
			o->reads = i;
			return 0;
		}
	}
	return options_usage_error(err, "--%s: '%s' is not %s", f->name, arg,
				   f->what);
}

void options_replay_reads(const struct raftsim_options *o,
			  const struct opt_flag *f, struct opt_text *t)
{
	if (o->reads != READS_LOG)
		options_text_add(t, " --%s %s", f->name, reads_names[o->reads]);
}

/* --speed X: a positive decimal, at most OPT_MAX_SPEED. */
int options_parse_speed(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err)
{
	double x;

	if (parse_decimal(arg, &x) != 0 || !(x > 0) || x > OPT_MAX_SPEED)
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	o->speed = x;
	return 0;
}
