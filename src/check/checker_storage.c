/* checker_storage.c - the storage rules (issue 12, trace schema 5).
 *
 * A node with a WAL says what it has promised: a persist event comes when
 * what waited for its disk is released (votes, acknowledgements), with its
 * term, vote and last entry. A restart says what it recovered. The rules:
 *  - "durable term": a node restarts in a term at least the one it
 *    promised last;
 *  - "durable vote": in that same term, with the vote it promised; and no
 *    node promises two different votes (or a vote, then none) in one term;
 *  - "durable log": its recovered log holds the last entry it promised
 *    (index, term), or a snapshot at or past that index.
 * What the node did not promise it may lose (an unsynced tail) or find
 * again (a truncation that never reached the disk): after each restart the
 * node's term, its votes and its log model are the recovered ones, so the
 * existing rules (checker_log.c: log matching, leader completeness,
 * committed entries never lost, state machine safety; one vote) judge what
 * follows, the way they judge any node.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "checker_internal.h"

/* A persist or restart event's vote names a node of the cluster, or none;
 * else it is an event violation (what: "promised", "recovered"). */
static bool vote_in_range(struct checker *c, const struct wev *ev,
			  const char *what)
{
	if (ev->peer == RAFT_NONE || (ev->peer >= 0 && ev->peer < c->n))
		return true;
	checker_violate(c, ev->us,
			"event: node %d %s a vote for %d of a %d-node cluster",
			ev->node, what, ev->peer, c->n);
	return false;
}

/* Two promises of one term must agree on the vote: a vote once promised
 * is never taken back or changed. */
static void persist(struct checker *c, const struct wev *ev)
{
	struct node *st = &c->nodes[ev->node];

	c->storage.any = true;
	c->storage.persists++;
	if (!vote_in_range(c, ev, "promised"))
		return;
	if (st->crashed) {
		checker_violate(c, ev->us,
				"event: node %d promised term %" PRIu64
				" and entry %" PRIu64 " while crashed",
				ev->node, ev->term, ev->index);
		return;
	}
	if (ev->term > st->term)
		checker_violate(c, ev->us,
				"event: node %d promised term %" PRIu64
				", above its term %" PRIu64,
				ev->node, ev->term, st->term);
	if (st->promised && st->p_term == ev->term && st->p_vote != RAFT_NONE &&
	    ev->peer != st->p_vote) {
		if (ev->peer == RAFT_NONE)
			checker_violate(c, ev->us,
					"durable vote: node %d promised its "
					"vote to %d in term %" PRIu64
					", then no vote",
					ev->node, st->p_vote, ev->term);
		else
			checker_violate(c, ev->us,
					"durable vote: node %d promised "
					"votes to %d and %d in term %" PRIu64,
					ev->node, st->p_vote, ev->peer,
					ev->term);
	} else {
		st->p_vote = ev->peer;
	}
	st->promised = true;
	st->p_term = ev->term;
	st->p_index = ev->index;
	st->p_index_term = ev->entry_term;
}

static bool disk(struct checker *c, const struct wev *ev)
{
	struct checker_storage_stats *s = &c->storage;
	struct node *st = &c->nodes[ev->node];

	s->any = true;
	switch (ev->disk_what) {
	case WEV_DISK_TORN:
		s->torn++;
		return false;
	case WEV_DISK_REFUSED: /* out for the rest of the run */
		s->refused++;
		st->refused = true;
		return !st->crashed;
	case WEV_DISK_FAILED: /* a crash: the crash event may follow */
		s->failed++;
		return !st->crashed;
	case WEV_DISK_SKIPPED: /* the consequences are judged */
		s->skipped++;
		return false;
	case WEV_DISK_LATENT:
		s->latent++;
		return false;
	}
	return false;
}

/* The term at index i of recovered runs above a snapshot at snap (whose
 * term is snap_term), ending at last; false if it has no entry there. */
static bool runs_term_at(const struct wev *ev, uint64_t i, uint64_t *term)
{
	int k;

	if (i > ev->last_index)
		return false;
	*term = ev->entry_term;
	if (i <= ev->index)
		return i == ev->index;
	for (k = 0; k < ev->run_count && ev->runs[2 * k] <= i; k++)
		*term = ev->runs[2 * k + 1];
	return k > 0;
}

/* Whether the recovered state describes a log: runs in order, none past
 * the end, the first at or before the entry after the snapshot, and the
 * end's term the last run's (the snapshot's when nothing follows it);
 * reports it if not. Runs may begin at or below the snapshot. */
static bool recovered_consistent(struct checker *c, const struct wev *ev)
{
	const uint64_t *r = ev->runs;
	int k, n = ev->run_count;
	bool ok = ev->last_index >= ev->index;

	for (k = 0; ok && k < n; k++)
		ok = r[2 * k] <= ev->last_index &&
		     (k == 0 || r[2 * k] > r[2 * k - 2]);
	if (ok && ev->last_index > ev->index)
		ok = n > 0 && r[0] <= ev->index + 1 &&
		     r[2 * n - 1] == ev->last_term;
	else if (ok)
		ok = ev->last_term == ev->entry_term;
	if (!ok)
		checker_violate(c, ev->us,
				"event: node %d's restart recovered a "
				"snapshot at %" PRIu64 " and a log to %" PRIu64
				" (term %" PRIu64 ") that its %d runs do not "
				"describe",
				ev->node, ev->index, ev->last_index,
				ev->last_term, n);
	return ok;
}

/* Whether the recovered log keeps the promised last entry: a snapshot at
 * or past it, the entry itself, or a later term in its place. That last
 * is a truncation that reached the disk after the last persist line the
 * trace shows (a kill -9 between the sync and the line): a later leader's
 * entries replaced it, as Raft lets them; whether it had been committed,
 * the log rules judge. A shorter log that ends in a later term is the
 * same. A lost entry leaves an older term there, or none. */
static bool keeps_promised_entry(const struct wev *ev, const struct node *st)
{
	uint64_t at = st->p_index < ev->last_index ? st->p_index
						   : ev->last_index;
	uint64_t t;

	if (ev->index >= st->p_index)
		return true;
	if (runs_term_at(ev, st->p_index, &t) && t == st->p_index_term)
		return true;
	return runs_term_at(ev, at, &t) && t > st->p_index_term;
}

/* The storage rules proper: the recovered state against the promise. */
static void judge_recovered(struct checker *c, const struct wev *ev)
{
	struct node *st = &c->nodes[ev->node];
	bool bad = false;

	if (!st->promised)
		return;
	if (ev->term < st->p_term) {
		bad = true;
		checker_violate(c, ev->us,
				"durable term: node %d restarted in term "
				"%" PRIu64 ", below term %" PRIu64
				" it had promised",
				ev->node, ev->term, st->p_term);
	} else if (ev->term == st->p_term && st->p_vote != RAFT_NONE &&
		   ev->peer != st->p_vote) {
		bad = true;
		checker_violate(
			c, ev->us,
			"durable vote: node %d restarted in term "
			"%" PRIu64 " with %s%d, having promised its "
			"vote to %d",
			ev->node, ev->term,
			ev->peer == RAFT_NONE ? "no vote" : "a vote for ",
			ev->peer == RAFT_NONE ? 0 : ev->peer, st->p_vote);
	}
	if (!keeps_promised_entry(ev, st)) {
		bad = true;
		checker_violate(c, ev->us,
				"durable log: node %d restarted without entry "
				"%" PRIu64 " (term %" PRIu64
				") it had acknowledged",
				ev->node, st->p_index, st->p_index_term);
	}
	if (!bad)
		return;
	/* Reported once: from now on the node has promised what it has. */
	st->p_term = ev->term;
	st->p_vote = ev->peer;
	st->p_index = ev->last_index;
	st->p_index_term = ev->last_term;
}

/* The node is in the recovered term with the recovered vote; the votes it
 * cast above that term (or in it, for no one it still has) were never
 * promised, so never left it: they are forgotten, lest a vote cast again
 * after the restart count as a second one. */
static void recovered_term(struct checker *c, const struct wev *ev)
{
	struct node *st = &c->nodes[ev->node];
	int r;

	/* Above its term too: a kill -9 may cut the trace's last lines. */
	if (ev->term != st->term) {
		st->prev_term = st->term;
		st->term = ev->term;
		checker_enter_term(c, ev->node, ev->term);
	}
	for (r = 0; r < c->n; r++)
		if (c->recs[r].term > ev->term)
			c->votes[r][ev->node] = RAFT_NONE;
	c->votes[st->rec][ev->node] = (int16_t)ev->peer;
}

/* Each recovered run that begins above the snapshot starts its term
 * there, after the term before it: log matching compares it with every
 * other log's start of that term. Terms never go down in a log. */
static void recovered_starts(struct checker *c, const struct wev *ev)
{
	const uint64_t *r = ev->runs;
	uint64_t first, term, prev;
	int k;

	for (k = 0; k < ev->run_count; k++) {
		first = r[2 * k];
		term = r[2 * k + 1];
		if (first <= ev->index)
			continue; /* its start is in the snapshot */
		prev = first == ev->index + 1 ? ev->entry_term : r[2 * k - 1];
		if (term < prev)
			checker_violate(c, ev->us,
					"durable log: node %d recovered term "
					"%" PRIu64 " at index %" PRIu64
					" after term %" PRIu64
					" (terms never go down in a log)",
					ev->node, term, first, prev);
		else if (term != prev)
			checker_log_term_start(c, ev->node, ev, first, term,
					       prev);
	}
}

void checker_storage_restart(struct checker *c, const struct wev *ev)
{
	struct node *st = &c->nodes[ev->node];

	c->storage.any = true;
	c->storage.recoveries++;
	if (st->refused)
		checker_violate(c, ev->us,
				"event: node %d restarted after its disk "
				"refused to recover",
				ev->node);
	if (!vote_in_range(c, ev, "recovered"))
		return;
	if (ev->run_count < 0 || (ev->run_count > 0 && ev->runs == NULL)) {
		checker_violate(c, ev->us,
				"event: node %d's restart has %d runs "
				"without their array",
				ev->node, ev->run_count);
		return;
	}
	judge_recovered(c, ev);
	recovered_term(c, ev);
	if (!recovered_consistent(c, ev)) {
		log_reset_at(&st->log, ev->last_index);
		st->log.snapshot = ev->index;
		return;
	}
	recovered_starts(c, ev);
	log_replace(&st->log, ev->index, ev->entry_term, ev->runs,
		    ev->run_count, ev->last_index);
}

/* A resumed run's start line (schema 5): the process that wrote the trace
 * so far was killed here, every node with it; the resumed run's events
 * follow, each node's beginning with its restart. */
void checker_resume(struct checker *c, const struct wev *ev)
{
	int i;

	c->storage.any = true;
	c->storage.resumes++;
	if (ev->info->nodes != c->n) {
		checker_violate(c, ev->us,
				"event: the resumed run has %d nodes, the "
				"run it resumes %d",
				ev->info->nodes, c->n);
		return;
	}
	for (i = 0; i < c->n; i++)
		if (!c->nodes[i].crashed)
			checker_crash_now(c, i, ev->us);
}

/* Storage events (schema 5), and what they change of who is up. */
void checker_storage_event(struct checker *c, const struct wev *ev)
{
	if (ev->type == WEV_PERSIST) {
		persist(c, ev);
		return;
	}
	if (disk(c, ev))
		checker_crash_now(c, ev->node, ev->us);
}

struct checker_storage_stats checker_storage_stats(const struct checker *c)
{
	return c->storage;
}

void checker_print_storage(const struct checker *c, FILE *out,
			   const char *prefix)
{
	const struct checker_storage_stats *s = &c->storage;

	if (!s->any)
		return;
	fprintf(out,
		"%s: checked storage: durable term, vote and log over "
		"%" PRIu64 " promise%s and %" PRIu64 " recover%s; disk: "
		"%" PRIu64 " torn tail%s, %" PRIu64 " refused, %" PRIu64
		" failed, %" PRIu64 " skipped, %" PRIu64 " latent",
		prefix, s->persists, s->persists == 1 ? "" : "s", s->recoveries,
		s->recoveries == 1 ? "y" : "ies", s->torn,
		s->torn == 1 ? "" : "s", s->refused, s->failed, s->skipped,
		s->latent);
	if (s->resumes > 0)
		fprintf(out, "; %" PRIu64 " resumed run%s", s->resumes,
			s->resumes == 1 ? "" : "s");
	fputc('\n', out);
}
