/* checker_log_model.c - the log model under checker_log.c: runs of terms
 * above a base entry (struct node_log, the committed log), read and cut.
 */
#include <string.h>

#include "checker_internal.h"

/* The term at index i of runs above (base, base_term) ending at last. */
enum at log_runs_term_at(const struct log_run *runs, int nruns, uint64_t base,
			 uint64_t base_term, bool base_known, uint64_t last,
			 uint64_t i, uint64_t *term)
{
	int k;

	if (i > last)
		return AT_NONE;
	if (i < base || (i == base && !base_known))
		return AT_UNKNOWN;
	if (i == base) {
		*term = base_term;
		return AT_TERM;
	}
	if (nruns == 0) /* cannot be: entries above base are in runs */
		return AT_UNKNOWN;
	for (k = nruns - 1; k > 0 && runs[k].first > i; k--)
		;
	*term = runs[k].term;
	return AT_TERM;
}

enum at log_term_at(const struct node_log *l, uint64_t i, uint64_t *term)
{
	return log_runs_term_at(l->runs, l->nruns, l->base, l->base_term,
				l->base_known, l->last, i, term);
}

enum at log_committed_term_at(const struct checker_log *g, uint64_t i,
			      uint64_t *term)
{
	return log_runs_term_at(g->cruns, g->ncruns, g->cbase, g->cbase_term,
				true, g->committed, i, term);
}

/* The term of the last entry, if known. */
bool log_last_term(const struct node_log *l, uint64_t *term)
{
	return log_term_at(l, l->last, term) == AT_TERM;
}

/* Appends (first, term) to runs, forgetting the oldest when full. */
void log_push_run(struct log_run *runs, int *nruns, uint64_t *base,
		  uint64_t *base_term, uint64_t first, uint64_t term)
{
	if (*nruns == CHECKER_LOG_RUNS) {
		*base = runs[1].first - 1;
		*base_term = runs[0].term;
		memmove(runs, runs + 1, (CHECKER_LOG_RUNS - 1) * sizeof(*runs));
		(*nruns)--;
	}
	runs[*nruns].first = first;
	runs[*nruns].term = term;
	(*nruns)++;
}

/* Drops the entries from index `from` on (from > base). */
void log_cut(struct node_log *l, uint64_t from)
{
	while (l->nruns > 0 && l->runs[l->nruns - 1].first >= from)
		l->nruns--;
	if (from <= l->last)
		l->last = from - 1;
}

/* Forgets everything at or below `index`, which becomes the base. */
void log_rebase(struct node_log *l, uint64_t index, uint64_t term, bool known)
{
	int k = 0;

	while (k < l->nruns &&
	       (k + 1 == l->nruns ? l->last <= index
				  : l->runs[k + 1].first <= index + 1))
		k++;
	memmove(l->runs, l->runs + k,
		(size_t)(l->nruns - k) * sizeof(*l->runs));
	l->nruns -= k;
	if (l->nruns > 0 && l->runs[0].first <= index)
		l->runs[0].first = index + 1;
	l->base = index;
	l->base_term = term;
	l->base_known = known;
	if (l->last < index)
		l->last = index;
}

/* The model lost track: nothing known at or below index, the log's end. */
void log_reset_at(struct node_log *l, uint64_t index)
{
	l->nruns = 0;
	l->base = index;
	l->last = index;
	l->base_known = false;
}

/* A recovered log: the snapshot is the base; the runs' entries at or
 * below it are in it; a run of the term before it continues it. */
void log_replace(struct node_log *l, uint64_t snap, uint64_t snap_term,
		 const uint64_t *runs, int nruns, uint64_t last)
{
	uint64_t first;
	int k;

	l->nruns = 0;
	l->base = snap;
	l->base_term = snap_term;
	l->base_known = true;
	l->last = last;
	l->snapshot = snap;
	for (k = 0; k < nruns; k++) {
		if (k + 1 < nruns && runs[2 * k + 2] <= snap + 1)
			continue; /* ends at or below the snapshot */
		first = runs[2 * k] > snap ? runs[2 * k] : snap + 1;
		if (first > last)
			break;
		if (l->nruns > 0 &&
		    l->runs[l->nruns - 1].term == runs[2 * k + 1])
			continue;
		log_push_run(l->runs, &l->nruns, &l->base, &l->base_term, first,
			     runs[2 * k + 1]);
	}
}
