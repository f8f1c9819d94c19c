/* trace_check.c - `raftsim check FILE`: feeds a trace file to a checker.
 *
 * Reads line by line with a bound on the line length, so no file can make
 * it allocate more than one line's buffer; each line goes through
 * trace_parse (trace_read.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "trace.h"

int trace_read_line(FILE *f, char *buf, size_t *len, const char **why)
{
	int ch;

	for (*len = 0; (ch = getc(f)) != EOF && ch != '\n';) {
		*why = ch == '\0'
			       ? "the line has a NUL byte"
			       : "the line is longer than " TRACE_LINE_MAX_TEXT
				 " bytes";
		if (ch == '\0' || *len == TRACE_LINE_MAX)
			return -1;
		buf[(*len)++] = (char)ch;
	}
	buf[*len] = '\0';
	*why = strerror(errno);
	if (ferror(f))
		return -2;
	if (ch == EOF && *len > 0) {
		*why = "the last line is cut short (no newline: the run was "
		       "killed while writing it); left out";
		return 2;
	}
	return ch == EOF;
}

struct check_run {
	uint64_t line, events, max_term;
	int nodes;
	bool ended;
	int64_t last_us;
	uint64_t end_violations, end_spurious; /* as the run recorded them */
	/* At the last resumed run's start line (schema 5): the counts before
	 * it, which that run's end line may leave out. */
	uint64_t resumed_violations, resumed_spurious;
};

/* Whether the end line's counts are the file's: the whole history's, or,
 * after a resume, those of the resumed run alone. */
static bool counts_agree(const struct check_run *run, uint64_t v, uint64_t s)
{
	return (run->end_violations == v && run->end_spurious == s) ||
	       (run->end_violations == v - run->resumed_violations &&
		run->end_spurious == s - run->resumed_spurious);
}

/* Parses and feeds every line; with feed_end, the end line too (held
 * back to the last). Returns 0, or 1 (malformed) or 2 (read error) after
 * a message on err. */
static int feed_lines(FILE *f, const char *path, char *buf, struct checker *c,
		      struct check_run *run, bool feed_end, FILE *err)
{
	struct trace_slots slots = {0};
	struct wev ev, end;
	char why[160];
	const char *bad = NULL;
	size_t len;
	int rv;

	while ((rv = trace_read_line(f, buf, &len, &bad)) != 1) {
		run->line++;
		if (rv == 2) { /* kill -9 mid-write: what came before stands */
			fprintf(err, "%s:%" PRIu64 ": note: %s\n", path,
				run->line, bad);
			break;
		}
		if (rv == 0 && strspn(buf, " \t\r") == len)
			continue; /* a blank line says nothing */
		if (rv == 0 && trace_parse(buf, &ev, &slots, run->nodes, why,
					   sizeof(why)) != 0)
			bad = why;
		else if (rv == 0 && run->ended &&
			 !(ev.type == WEV_START && ev.info->resume))
			bad = "an event after the end event";
		else if (rv == 0 && run->nodes != 0 && ev.type == WEV_START &&
			 !ev.info->resume)
			bad = "a second start event without \"resume\"";
		else if (rv == 0 && run->nodes != 0 && ev.type == WEV_START &&
			 ev.info->nodes != run->nodes)
			bad = "a resumed run of another cluster size";
		else if (rv == 0)
			bad = NULL;
		if (bad != NULL) {
			fprintf(err, "%s:%" PRIu64 ": %s: %s\n", path,
				run->line,
				rv == -2 ? "cannot read" : "malformed trace",
				bad);
			trace_slots_free(&slots);
			return rv == -2 ? 2 : 1;
		}
		if (ev.type == WEV_START)
			run->nodes = ev.info->nodes;
		if (ev.type == WEV_START && ev.info->resume) {
			run->resumed_violations = checker_violation_count(c);
			run->resumed_spurious = checker_spurious_elections(c);
		}
		run->ended = ev.type == WEV_END;
		run->end_violations = ev.violations;
		run->end_spurious = ev.spurious_elections;
		run->max_term = ev.term > run->max_term ? ev.term
							: run->max_term;
		run->last_us = ev.us;
		run->events++;
		/* An end line is held back: a resumed run may follow it. */
		if (ev.type == WEV_END)
			end = ev;
		else
			checker_feed(c, &ev);
	}
	if (run->ended && feed_end)
		checker_feed(c, &end);
	trace_slots_free(&slots);
	if (run->nodes == 0)
		fprintf(err, "%s: malformed trace: no start event\n", path);
	return run->nodes == 0;
}

static int feed_file(FILE *f, const char *path, char *buf, struct checker *c,
		     struct check_run *run, FILE *err)
{
	return feed_lines(f, path, buf, c, run, true, err);
}

/* A resumed run's prior trace: its end line, if any, is left out (the
 * resumed run's start line follows it). */
static int feed_prior(FILE *f, const char *path, char *buf, struct checker *c,
		      struct check_run *run, FILE *err)
{
	return feed_lines(f, path, buf, c, run, false, err);
}

int trace_feed_prior(struct checker *c, const char *path, uint64_t *events,
		     FILE *err)
{
	struct check_run run = {0};
	char *buf;
	FILE *f;
	int rv;

	*events = 0;
	f = fopen(path, "r");
	if (f == NULL && errno == ENOENT)
		return 0;
	if (f == NULL) {
		fprintf(err, "raftsim: --trace: cannot read %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	buf = malloc(TRACE_LINE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		fprintf(err, "raftsim: out of memory\n");
		return 2;
	}
	/* A run killed before its start line reached the file left it
	 * empty: nothing to feed. */
	if (fseek(f, 0, SEEK_END) == 0 && ftell(f) == 0)
		rv = 0;
	else if (fseek(f, 0, SEEK_SET) != 0)
		rv = 2;
	else
		rv = feed_prior(f, path, buf, c, &run, err);
	*events = run.events;
	free(buf);
	fclose(f);
	return rv;
}

int trace_check_file(const char *path, FILE *out, FILE *err)
{
	struct check_run run = {0};
	struct checker *c = NULL;
	char *buf = NULL;
	uint64_t v, s;
	FILE *f;
	int rv = 2;

	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(err, "raftsim check: cannot open %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	buf = malloc(TRACE_LINE_MAX + 1);
	c = checker_new();
	if (buf == NULL || c == NULL) {
		fprintf(err, "raftsim check: out of memory\n");
		goto err;
	}
	rv = feed_file(f, path, buf, c, &run, err);
	if (rv != 0)
		goto err;
	/* A trace cut short (a killed run) is checked as far as it goes: the
	 * end is where it stops, and only what it shows is judged. */
	checker_finish(c, run.last_us); /* a no-op after an end event */
	v = checker_violation_count(c);
	s = checker_spurious_elections(c);
	rv = v != 0 || (run.ended && !counts_agree(&run, v, s));
	/* What the run's own verdict would say (monitor_verdict): overload
	 * kept it from being judged, and it broke no safety rule. */
	if (checker_unjudged(c) && v == checker_overload(c).live_violations &&
	    (!run.ended || counts_agree(&run, v, s)))
		rv = 3;
	/* A history left undecided is no pass either. */
	if (rv == 0 && checker_clients_undecided(c))
		rv = 3;
	if (!run.ended)
		fprintf(out,
			"check: incomplete trace: no end event (the run "
			"was cut short?); checking the %" PRIu64 " events "
			"there are\n",
			run.events);
	fprintf(out,
		"check: %s (%" PRIu64 " events, %" PRIu64 " terms, %" PRIu64
		" violations, %" PRIu64 " spurious elections)\n",
		rv == 3 ? "CANNOT JUDGE"
		: rv    ? "FAIL"
			: "OK",
		run.events, run.max_term, v, s);
	checker_print_overload(c, out, "check", 0);
	checker_print_storage(c, out, "check");
	checker_print_clients(c, out, "check");
	checker_print(c, out);
	checker_print_lincheck_report(c, out);
	if (run.ended && !counts_agree(&run, v, s))
		fprintf(out,
			"check: the run recorded %" PRIu64 " violations "
			"and %" PRIu64
			" spurious elections; the file shows %" PRIu64
			" and %" PRIu64 "\n",
			run.end_violations, run.end_spurious, v, s);
err:
	checker_free(c);
	free(buf);
	fclose(f);
	return rv;
}
