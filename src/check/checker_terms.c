/* checker_terms.c - the checker's per-term records: who led, who voted.
 *
 * A window of terms from c->base, grown only when a new term appears. A term
 * below every node's current term can never be named again by a correct
 * node, so the window moves past it: the state is bounded by the spread of
 * terms in the cluster, not by the length of the run.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checker_internal.h"

/* The most int16_t term slots the checker keeps (64 MiB). */
#define MAX_SLOTS ((size_t)1 << 25)

/* The slots of `term`: its leader, then each node's vote (RAFT_NONE for
 * none). NULL for a term already dropped, or past what memory allows. */
static int16_t *term_slots(struct checker *c, uint64_t term, int64_t us)
{
	size_t w = (size_t)c->n + 1, cap = c->cap ? c->cap : 16, i;
	int16_t *t;

	if (term < c->base || c->oom)
		return NULL;
	while (cap <= term - c->base && cap <= MAX_SLOTS / w)
		cap *= 2;
	if (cap > c->cap) {
		t = cap <= MAX_SLOTS / w
			    ? realloc(c->slots, cap * w * sizeof(*t))
			    : NULL;
		if (t == NULL) {
			checker_violate(c, us, "checker cannot keep term %"
					PRIu64 " (%" PRIu64 " terms after the "
					"oldest one in use, or out of memory): "
					"later checks are incomplete", term,
					term - c->base);
			c->oom = true;
			return NULL;
		}
		for (i = c->cap * w; i < cap * w; i++)
			t[i] = RAFT_NONE;
		c->slots = t;
		c->cap = cap;
	}
	return &c->slots[(term - c->base) * w];
}

/* Drops the terms that every node has left behind. */
void checker_prune(struct checker *c)
{
	uint64_t min = c->nodes[0].term, drop;
	size_t w = (size_t)c->n + 1, i;
	int k;

	for (k = 1; k < c->n; k++)
		if (c->nodes[k].term < min)
			min = c->nodes[k].term;
	if (min <= c->base)
		return;
	drop = min - c->base < c->cap ? min - c->base : c->cap;
	if (c->slots != NULL)
		memmove(c->slots, c->slots + drop * w,
			(c->cap - drop) * w * sizeof(*c->slots));
	for (i = (c->cap - drop) * w; i < c->cap * w; i++)
		c->slots[i] = RAFT_NONE;
	c->base = min;
}

void checker_become_leader(struct checker *c, int node, const struct wev *ev)
{
	int16_t *t = term_slots(c, ev->term, ev->us);
	int need = c->n / 2 + 1, votes = 0, i;

	c->nodes[node].leader_since = ev->us;
	if (t == NULL)
		return;
	if (t[0] != RAFT_NONE && t[0] != node)
		checker_violate(c, ev->us, "nodes %d and %d both became "
				"leader of term %" PRIu64, t[0], node,
				ev->term);
	else
		t[0] = (int16_t)node;
	for (i = 0; i < c->n; i++)
		votes += t[1 + i] == node;
	if (votes < need)
		checker_violate(c, ev->us, "node %d became leader of term %"
				PRIu64 " with %d of %d votes (a majority "
				"is %d)", node, ev->term, votes, c->n, need);
}

void checker_vote(struct checker *c, int node, const struct wev *ev)
{
	int16_t *t = term_slots(c, ev->term, ev->us);

	if (t != NULL && t[1 + node] != RAFT_NONE)
		checker_violate(c, ev->us, "node %d voted twice in term %"
				PRIu64 " (for %d, then for %d)", node,
				ev->term, t[1 + node], ev->peer);
	if (t != NULL)
		t[1 + node] = (int16_t)ev->peer;
}

/* A heartbeat accepted, or a round sent, in a term must come from the node
 * that became leader of that term. */
void checker_from_leader(struct checker *c, const struct wev *ev, int leader,
			 const char *what)
{
	const int16_t *t = term_slots(c, ev->term, ev->us);

	if (t != NULL && t[0] == RAFT_NONE)
		checker_violate(c, ev->us, "%s from node %d in term %" PRIu64
				", which has no leader", what, leader,
				ev->term);
	else if (t != NULL && t[0] != leader)
		checker_violate(c, ev->us, "%s from node %d in term %" PRIu64
				", whose leader is node %d", what, leader,
				ev->term, t[0]);
}
