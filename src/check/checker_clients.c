/* checker_clients.c - the clients' rules (checker.h, issue 11).
 *
 * The history goes into a lincheck as it comes, so that it is held once,
 * in lincheck's own compact form; it is decided at the end of the run, with
 * a time limit. Linearizability is judged whatever the liveness rule could
 * say: it holds or not of the operations recorded, however slowly they
 * went. The fenced store's and the stores' own events are judged at once.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checker_internal.h"
#include "lincheck/lincheck.h"

/* The first malformed event or memory failure stops the history's check:
 * what follows it cannot be matched any more. */
static bool hist_stopped(const struct checker_clients *cl)
{
	return cl->stats.lin == CHECKER_LIN_MALFORMED ||
	       cl->stats.lin == CHECKER_LIN_NOMEM;
}

static void add_hist(struct checker *c, const struct wev *ev)
{
	struct checker_clients *cl = &c->clients;
	struct hist_event h;
	char why[160];

	if (ev->type == WEV_INVOKE)
		cl->stats.operations++;
	if (hist_stopped(cl))
		return;
	if (ev->hist == NULL) {
		cl->stats.lin = CHECKER_LIN_MALFORMED;
		checker_violate(c, ev->us,
				"history: the %s event has no operation",
				wev_name(ev->type));
		return;
	}
	if (cl->lc == NULL && (cl->lc = lincheck_new()) == NULL) {
		cl->stats.lin = CHECKER_LIN_NOMEM;
		return;
	}
	/* The event's type and time are the trace line's (trace_format). */
	h = *ev->hist;
	h.type = (enum hist_type)wev_hist_type(ev->type);
	h.us = ev->us;
	why[0] = '\0';
	errno = 0;
	if (lincheck_add(cl->lc, &h, why, sizeof(why)) == 0)
		return;
	if (errno == ENOMEM) { /* lincheck_add's allocation failed */
		cl->stats.lin = CHECKER_LIN_NOMEM;
		return;
	}
	cl->stats.lin = CHECKER_LIN_MALFORMED;
	checker_violate(c, ev->us,
			"history: client %d's %s of operation %" PRIu64
			" does not fit the history: %s",
			h.client, hist_type_name(h.type), h.id,
			why[0] ? why : "(no reason given)");
}

void checker_clients_event(struct checker *c, const struct wev *ev)
{
	struct checker_clients_stats *st = &c->clients.stats;

	st->any = true;
	switch (ev->type) {
	case WEV_FENCED:
		if (!ev->accepted) {
			st->fenced_refused++;
			break;
		}
		st->fenced_accepted++;
		checker_violate(c, ev->us,
				"fencing: the fenced store accepted node %d's "
				"write with token %" PRIu64
				", below the highest it had seen (%" PRIu64 ")",
				ev->node, ev->token, ev->highest);
		break;
	case WEV_DUPLICATE:
		st->duplicates++;
		checker_violate(c, ev->us,
				"exactly-once: node %d executed client %d's "
				"request %" PRIu64 " a second time, at index "
				"%" PRIu64,
				ev->node, ev->client, ev->seq, ev->index);
		break;
	default:
		/* Clocks apart, the real-time order between two clients'
		 * operations is unknown: no history to judge. */
		if (c->apart != NULL)
			c->apart->hist_skipped++;
		else
			add_hist(c, ev);
		break;
	}
}

/* Runs lincheck on the whole history, keeping its report in memory for
 * checker_print_clients (the verdict comes first). */
static enum lincheck_verdict decide(struct checker_clients *cl)
{
	enum lincheck_verdict v;
	FILE *report;

	report = open_memstream(&cl->report, &cl->report_len);
	cl->stats.timeout_us = cl->timeout_us > 0 ? cl->timeout_us
						  : CHECKER_LINCHECK_TIMEOUT_US;
	v = lincheck_run(cl->lc, cl->stats.timeout_us, report);
	if (report != NULL && fclose(report) != 0) {
		free(cl->report); /* a report cut short is no report */
		cl->report = NULL;
	}
	return v;
}

void checker_clients_finish(struct checker *c, int64_t us)
{
	struct checker_clients *cl = &c->clients;
	struct lincheck_stats ls;
	enum lincheck_verdict v;

	if (cl->lc == NULL || hist_stopped(cl))
		goto out;
	v = decide(cl);
	lincheck_get_stats(cl->lc, &ls);
	cl->stats.keys = ls.keys;
	cl->stats.open = ls.open;
	cl->stats.failed = ls.failed;
	switch (v) {
	case LINCHECK_OK:
		cl->stats.lin = CHECKER_LIN_OK;
		break;
	case LINCHECK_ILLEGAL:
		cl->stats.lin = CHECKER_LIN_ILLEGAL;
		checker_violate(c, us,
				"linearizability: the history of %" PRIu64
				" operations is not linearizable (the "
				"smallest failing key's operations follow "
				"the verdict)",
				cl->stats.operations);
		break;
	case LINCHECK_BAD_INPUT:
		cl->stats.lin = CHECKER_LIN_MALFORMED;
		checker_violate(c, us,
				"history: the linearizability check found "
				"the history malformed");
		break;
	case LINCHECK_UNKNOWN:
		cl->stats.lin = CHECKER_LIN_UNDECIDED;
		break;
	case LINCHECK_NOMEM:
		cl->stats.lin = CHECKER_LIN_NOMEM;
		break;
	}
out:
	/* Its verdict and counts are kept: the rest is only memory. */
	lincheck_free(cl->lc);
	cl->lc = NULL;
}

void checker_clients_free(struct checker *c)
{
	lincheck_free(c->clients.lc);
	c->clients.lc = NULL;
	free(c->clients.report);
	c->clients.report = NULL;
}

struct checker_clients_stats checker_clients_stats(const struct checker *c)
{
	return c->clients.stats;
}

void checker_set_lincheck_timeout(struct checker *c, int64_t timeout_us)
{
	c->clients.timeout_us = timeout_us;
}

bool checker_clients_undecided(const struct checker *c)
{
	return c->clients.stats.lin == CHECKER_LIN_UNDECIDED ||
	       c->clients.stats.lin == CHECKER_LIN_NOMEM;
}

static const char *lin_text(enum checker_lin lin)
{
	switch (lin) {
	case CHECKER_LIN_NONE:
		return "no history";
	case CHECKER_LIN_OK:
		return "linearizable";
	case CHECKER_LIN_ILLEGAL:
		return "NOT linearizable";
	case CHECKER_LIN_MALFORMED:
		return "a malformed history, linearizability not checked";
	case CHECKER_LIN_UNDECIDED:
		return "linearizability undecided within the time limit";
	case CHECKER_LIN_NOMEM:
		return "linearizability not checked: out of memory";
	}
	return "?";
}

void checker_print_clients(const struct checker *c, FILE *out,
			   const char *prefix)
{
	const struct checker_clients_stats *st = &c->clients.stats;

	if (!st->any)
		return;
	fprintf(out,
		"%s: checked %" PRIu64 " client operations on %" PRIu64
		" key%s (%" PRIu64 " open, %" PRIu64 " failed): %s",
		prefix, st->operations, st->keys, st->keys == 1 ? "" : "s",
		st->open, st->failed, lin_text(st->lin));
	if (st->lin == CHECKER_LIN_UNDECIDED)
		fprintf(out, " (%g s)", (double)st->timeout_us / 1e6);
	fprintf(out,
		"; fencing: %" PRIu64 " stale write%s refused, %" PRIu64
		" accepted; exactly-once: %" PRIu64 " duplicate%s\n",
		st->fenced_refused, st->fenced_refused == 1 ? "" : "s",
		st->fenced_accepted, st->duplicates,
		st->duplicates == 1 ? "" : "s");
}

void checker_print_lincheck_report(const struct checker *c, FILE *out)
{
	const struct checker_clients *cl = &c->clients;

	if (cl->stats.lin != CHECKER_LIN_ILLEGAL)
		return;
	if (cl->report != NULL && cl->report_len > 0)
		fwrite(cl->report, 1, cl->report_len, out);
	else
		fprintf(out, "(lincheck's report was lost: out of memory)\n");
}
