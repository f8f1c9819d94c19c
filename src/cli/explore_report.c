/* explore_report.c - explore's report, made from a tally alone (see
 * explore_internal.h): a single exploration and --merge print it alike. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explore_internal.h"

char *explore_keep_failure(struct explore_tally *t, const struct failure *f)
{
	int i = t->failures_kept;
	char *dropped = NULL;

	if (i == EXPLORE_FAILURES_KEPT) {
		if (t->failures[i - 1].index < f->index)
			return f->command; /* twenty lower ones are kept */
		i--;                       /* the highest kept makes room */
		dropped = t->failures[i].command;
	} else {
		t->failures_kept++;
	}
	while (i > 0 && t->failures[i - 1].index > f->index) {
		t->failures[i] = t->failures[i - 1];
		i--;
	}
	t->failures[i] = *f;
	return dropped;
}

void explore_keep_undecided(struct explore_tally *t, const struct failure *f)
{
	struct failure *u = &t->undecided_first;

	if (t->undecided++ == 0 || f->index < u->index) {
		free(u->command);
		*u = *f;
	} else {
		free(f->command);
	}
}

void explore_tally_free(struct explore_tally *t)
{
	int i;

	for (i = 0; i < t->failures_kept; i++)
		free(t->failures[i].command);
	t->failures_kept = 0;
	free(t->undecided_first.command);
	t->undecided_first.command = NULL;
}

void explore_print_header(FILE *out, const struct raftsim_options *o)
{
	fprintf(out,
		"explore: %" PRIu64 " runs of %d nodes x %" PRIu64
		" ticks, base seed %" PRIu64 "\n",
		o->runs, o->nodes, o->ticks, o->seed);
}

void explore_print_report(FILE *out, const struct explore_tally *t,
			  const struct raftsim_options *o, uint64_t planned)
{
	double virtual_s = (double)t->ticks * (double)o->tick_us / 1e6;
	/* Hours for long explorations, minutes for short ones. */
	const char *virtual_unit = virtual_s >= 3600 ? "hours" : "minutes";
	int i;

	virtual_s /= virtual_s >= 3600 ? 3600.0 : 60.0;
	for (i = 0; i < t->failures_kept; i++)
		fprintf(out, "FAIL run %" PRIu64 ": %s\n  replay: %s\n",
			t->failures[i].index, t->failures[i].what,
			t->failures[i].command != NULL ? t->failures[i].command
						       : "(out of memory)");
	if (t->failed > (uint64_t)t->failures_kept)
		fprintf(out, "(%" PRIu64 " more failures not shown)\n",
			t->failed - (uint64_t)t->failures_kept);
	fprintf(out,
		"explore: %" PRIu64 " runs, %.1f virtual %s, %" PRIu64
		" elections, %" PRIu64 " faults, %" PRIu64
		" runs with violations\n",
		t->done, virtual_s, virtual_unit, t->elections, t->faults,
		t->failed);
	if (t->undecided > 0)
		fprintf(out,
			"explore: %" PRIu64 " runs could not be judged: "
			"their client history was not decided within "
			"lincheck's time and memory; the first, run %" PRIu64
			"\n  replay: %s\n",
			t->undecided, t->undecided_first.index,
			t->undecided_first.command != NULL
				? t->undecided_first.command
				: "(out of memory)");
	if (t->not_run > 0)
		fprintf(out,
			"explore: interrupted: %" PRIu64 " of %" PRIu64
			" runs not run (the totals above are of the runs "
			"that finished)\n",
			t->not_run, planned);
}

int explore_exit_code(const struct explore_tally *t, FILE *err)
{
	int code = t->failed > 0      ? EXIT_VIOLATION
		   : t->undecided > 0 ? EXIT_RUN_FAILED
				      : EXIT_PASS;

	if (t->out_of_memory) {
		fprintf(err, "raftsim: explore: some runs could not be carried "
			     "out (out of memory, or too many messages in "
			     "flight)\n");
		code = EXIT_RUN_FAILED;
	}
	return code;
}

void explore_rule_of(const char *what, char *rule, size_t size)
{
	size_t len = strcspn(what, ":");

	if (what[len] != ':' || len == 0)
		len = strlen(what); /* no rule named: the whole text */
	if (len >= size)
		len = size - 1;
	memcpy(rule, what, len);
	rule[len] = '\0';
}
