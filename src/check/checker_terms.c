/* checker_terms.c - the checker's per-term records: who led, who voted.
 *
 * Only the terms some node is in have a record, so there are at most as
 * many records as nodes, all allocated with the checker: no run is too long
 * and no spread of terms too wide to check.
 *
 * Why a term nobody is in can be forgotten: every event is checked to be in
 * its node's current term (checker.c), and terms never go back, so a vote
 * or a leader in term T comes from a node in T. A second leader of T would
 * need a vote from a node that voted for the first one (majorities
 * intersect), cast in T, so that node stayed in T between its two votes and
 * T's record was alive to catch "one vote" broken. A node that arrives at
 * T after everyone left it starts a fresh record, and every vote it can
 * still get is cast after that. What a fresh record of an old term cannot
 * know is who led it before: a heartbeat of that leader may still arrive
 * (delayed, or waiting in a paused node's mailbox). Its round was checked
 * when it was sent, by a leader then in T.
 */
#include <inttypes.h>
#include <string.h>

#include "checker_internal.h"

static void rec_clear(struct checker *c, int r, uint64_t term)
{
	int i;

	c->recs[r].term = term;
	c->recs[r].users = 0;
	c->recs[r].leader = RAFT_NONE;
	c->recs[r].whole = term > c->max_term || term == 0;
	for (i = 0; i < c->n; i++)
		c->votes[r][i] = RAFT_NONE;
}

/* Every node starts in term 0. */
void checker_terms_start(struct checker *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		rec_clear(c, i, 0);
		c->nodes[i].rec = 0;
	}
	c->recs[0].users = c->n;
}

/* Moves `node` to the record of `term`, leaving its old one (freed when
 * nobody else is in it). There is always a record to take: n nodes use
 * at most n records. */
void checker_enter_term(struct checker *c, int node, uint64_t term)
{
	struct node *st = &c->nodes[node];
	int r, free_rec = -1;

	c->recs[st->rec].users--;
	for (r = 0; r < c->n; r++) {
		if (c->recs[r].users > 0 && c->recs[r].term == term)
			break;
		if (c->recs[r].users == 0 && free_rec < 0)
			free_rec = r;
	}
	if (r == c->n) {
		r = free_rec;
		rec_clear(c, r, term);
	}
	c->recs[r].users++;
	st->rec = r;
	if (term > c->max_term)
		c->max_term = term;
}

void checker_become_leader(struct checker *c, int node, const struct wev *ev)
{
	int r = c->nodes[node].rec;
	struct term_rec *t = &c->recs[r];
	int need = c->n / 2 + 1, votes = 0, i;

	int other = t->leader;

	/* Clocks apart, the record may have been freed and made again
	 * between the two leaders (their voters' events out of order): the
	 * table of recent terms still has the first. */
	if (c->apart != NULL) {
		i = checker_apart_leader(c, ev->term, node);
		other = other != RAFT_NONE ? other : i;
	}
	if (other != RAFT_NONE && other != node)
		checker_violate(c, ev->us,
				"election safety: nodes %d and %d "
				"both became leader of term %" PRIu64,
				other, node, ev->term);
	if (t->leader == RAFT_NONE)
		t->leader = (int16_t)node;
	/* Clocks apart, the votes may come after the leader they made. */
	for (i = 0; c->apart == NULL && i < c->n; i++)
		votes += c->votes[r][i] == node;
	if (c->apart == NULL && votes < need)
		checker_violate(c, ev->us,
				"leader legitimacy: node %d became "
				"leader of term %" PRIu64
				" with %d of %d votes "
				"(a majority is %d)",
				node, ev->term, votes, c->n, need);
}

void checker_vote(struct checker *c, int node, const struct wev *ev)
{
	int16_t *v = &c->votes[c->nodes[node].rec][node];

	if (*v != RAFT_NONE)
		checker_violate(c, ev->us,
				"one vote: node %d voted twice in "
				"term %" PRIu64 " (for %d, then for %d)",
				node, ev->term, *v, ev->peer);
	*v = (int16_t)ev->peer;
}

/* A heartbeat accepted, or a round sent, in a term must come from the node
 * that became leader of that term (the event's node's term, checked). A
 * term whose record came back after everyone had left it may have had its
 * leader before: "no leader" is judged on whole records only. */
void checker_from_leader(struct checker *c, const struct wev *ev, int leader,
			 const char *what)
{
	const struct term_rec *t = &c->recs[c->nodes[ev->node].rec];

	if (t->leader == RAFT_NONE && t->whole && c->apart == NULL)
		checker_violate(c, ev->us,
				"heartbeat legitimacy: %s from "
				"node %d in term %" PRIu64 ", which has no "
				"leader",
				what, leader, ev->term);
	else if (t->leader != RAFT_NONE && t->leader != leader)
		checker_violate(c, ev->us,
				"heartbeat legitimacy: %s from "
				"node %d in term %" PRIu64 ", whose leader is "
				"node %d",
				what, leader, ev->term, t->leader);
}

int checker_apart_leader(struct checker *c, uint64_t term, int node)
{
	struct checker_apart *a = c->apart;
	int k, oldest = 0;

	for (k = 0; k < a->nleaders; k++) {
		if (a->leaders[k].term == term)
			return a->leaders[k].leader;
		if (a->leaders[k].term < a->leaders[oldest].term)
			oldest = k;
	}
	if (a->nleaders < CHECKER_LOG_TERMS)
		k = a->nleaders++;
	else if (a->leaders[oldest].term < term)
		k = oldest; /* forgets the oldest term's: loses a check */
	else
		return RAFT_NONE;
	a->leaders[k] = (struct term_leader){term, node};
	return RAFT_NONE;
}
