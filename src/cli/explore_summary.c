/* explore_summary.c - a shard's JSONL summary: what --merge needs to print
 * the report of the whole exploration (README "Exploring on many
 * machines"). One header line with every setting the shards must share,
 * one line per run that found something, in the order the runs finished,
 * then a totals line. A shard interrupted by Ctrl-C still ends with its
 * totals, marked "interrupted":true. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "explore_internal.h"
#include "harness/harness_stop.h"

uint64_t explore_shard_runs(const struct raftsim_options *o)
{
	if (o->shard_count == 0)
		return o->runs;
	if (o->shard_index >= o->runs)
		return 0;
	return (o->runs - o->shard_index + o->shard_count - 1) / o->shard_count;
}

int explore_settings_text(const struct raftsim_options *o, char *buf,
			  size_t size)
{
	struct raftsim_options *run = malloc(sizeof(*run));
	int rv;

	if (run == NULL)
		return -1;
	/* What explore_plan_run starts every run from, before its faults:
	 * all of it shows in the replay command of a simulated run. */
	*run = *o;
	run->command = CMD_RUN;
	run->sim = true;
	run->quiet = true;
	run->trace_path = NULL;
	rv = options_format_command(run, buf, size);
	free(run);
	return rv;
}

/* A JSON string: quotes, backslashes and control bytes escaped; other
 * bytes (UTF-8 in a rule's text: "§5.6") as they are. */
static void put_string(FILE *f, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

int explore_summary_open(struct explore_summary *s,
			 const struct raftsim_options *o, FILE *out, FILE *err)
{
	char *settings = malloc(OPTIONS_COMMAND_MAX);

	memset(s, 0, sizeof(*s));
	s->base = o;
	if (settings == NULL ||
	    explore_settings_text(o, settings, OPTIONS_COMMAND_MAX) != 0) {
		fprintf(err, "raftsim: explore: out of memory\n");
		free(settings);
		return EXIT_RUN_FAILED;
	}
	s->f = out;
	if (o->summary_path != NULL) {
		s->f = fopen(o->summary_path, "w");
		s->owned = 1;
	}
	if (s->f == NULL) {
		fprintf(err, "raftsim: explore: --summary %s: %s\n",
			o->summary_path, strerror(errno));
		free(settings);
		return EXIT_RUN_FAILED;
	}
	fprintf(s->f,
		"{\"summary\":\"raftsim explore\",\"schema\":%d,"
		"\"version\":\"%s\",\"shard\":%" PRIu64 ",\"shards\":%" PRIu64
		",\"runs\":%" PRIu64 ",\"nodes\":%d,\"ticks\":%" PRIu64
		",\"tick_us\":%" PRIu64 ",\"seed\":%" PRIu64 ",\"settings\":",
		EXPLORE_SUMMARY_SCHEMA, RAFTSIM_VERSION, o->shard_index,
		o->shard_count > 0 ? o->shard_count : 1, o->runs, o->nodes,
		o->ticks, o->tick_us, o->seed);
	put_string(s->f, settings);
	fputs("}\n", s->f);
	free(settings);
	return 0;
}

static void count_rule(struct explore_summary *s, const char *what)
{
	char rule[sizeof(s->rules[0].rule)];
	int i;

	explore_rule_of(what, rule, sizeof(rule));
	for (i = 0; i < s->rule_count; i++) {
		if (strcmp(s->rules[i].rule, rule) == 0) {
			s->rules[i].count++;
			return;
		}
	}
	if (s->rule_count == EXPLORE_RULES_MAX) {
		s->other_rules++;
		return;
	}
	memcpy(s->rules[i].rule, rule, sizeof(rule));
	s->rules[i].count = 1;
	s->rule_count++;
}

/* A run that could not be carried out has no replay command yet: it is
 * planned again to make one. */
static void put_plan(struct explore_summary *s, uint64_t index)
{
	struct raftsim_options *run = malloc(sizeof(*run));
	char *command = malloc(OPTIONS_COMMAND_MAX);

	if (run != NULL && command != NULL) {
		explore_plan_run(s->base, index, run);
		if (options_format_command(run, command, OPTIONS_COMMAND_MAX) ==
		    0) {
			put_string(s->f, command);
			goto out;
		}
	}
	fputs("null", s->f);
out:
	free(run);
	free(command);
}

void explore_summary_run(struct explore_summary *s, enum run_result result,
			 uint64_t index, const struct failure *f)
{
	char rule[sizeof(s->rules[0].rule)];

	if (result == RUN_PASSED || result == RUN_INTERRUPTED)
		return;
	fprintf(s->f, "{\"run\":%" PRIu64 ",\"result\":", index);
	if (result == RUN_NOT_CARRIED_OUT) {
		s->not_carried_out++;
		fputs("\"not-carried-out\",\"replay\":", s->f);
		put_plan(s, index);
		fputs("}\n", s->f);
		return;
	}
	if (result == RUN_FAILED) {
		count_rule(s, f->what);
		explore_rule_of(f->what, rule, sizeof(rule));
		fputs("\"violation\",\"rule\":", s->f);
		put_string(s->f, rule);
	} else {
		fputs("\"undecided\"", s->f);
	}
	fputs(",\"what\":", s->f);
	put_string(s->f, f->what);
	fputs(",\"replay\":", s->f);
	if (f->command != NULL)
		put_string(s->f, f->command);
	else
		fputs("null", s->f);
	fputs("}\n", s->f);
}

static void put_rules(const struct explore_summary *s)
{
	int i;

	fputs(",\"by_rule\":{", s->f);
	for (i = 0; i < s->rule_count; i++) {
		if (i > 0)
			fputc(',', s->f);
		put_string(s->f, s->rules[i].rule);
		fprintf(s->f, ":%" PRIu64, s->rules[i].count);
	}
	if (s->other_rules > 0)
		fprintf(s->f, "%s\"(other rules)\":%" PRIu64,
			s->rule_count > 0 ? "," : "", s->other_rules);
	fputc('}', s->f);
}

int explore_summary_close(struct explore_summary *s,
			  const struct raftsim_options *o,
			  const struct explore_tally *t, double wall, FILE *err)
{
	uint64_t passed = t->done - t->failed - t->undecided -
			  s->not_carried_out;
	int failed;

	fprintf(s->f,
		"{\"totals\":true,\"planned\":%" PRIu64 ",\"done\":%" PRIu64
		",\"passed\":%" PRIu64 ",\"violations\":%" PRIu64
		",\"undecided\":%" PRIu64 ",\"not_carried_out\":%" PRIu64
		",\"not_run\":%" PRIu64 ",\"elections\":%" PRIu64
		",\"faults\":%" PRIu64,
		explore_shard_runs(o), t->done, passed, t->failed, t->undecided,
		s->not_carried_out, t->not_run, t->elections, t->faults);
	put_rules(s);
	fprintf(s->f,
		",\"jobs\":%d,\"wall_s\":%.3f,\"runs_per_min\":%.0f,"
		"\"interrupted\":%s}\n",
		o->jobs, wall, wall > 0 ? (double)t->done * 60.0 / wall : 0.0,
		t->not_run > 0 || harness_stop_requested() ? "true" : "false");
	failed = fflush(s->f) != 0 || ferror(s->f);
	if (s->owned && fclose(s->f) != 0)
		failed = 1;
	if (failed)
		fprintf(err,
			"raftsim: explore: %s: the summary could not be "
			"written\n",
			o->summary_path != NULL ? o->summary_path
						: "standard output");
	return failed ? EXIT_RUN_FAILED : 0;
}
