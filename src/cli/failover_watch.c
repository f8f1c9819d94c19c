/* failover_watch.c - when every live node has heard the new leader: one
 * watch, fed by run events, for the simulated and the threaded trials
 * alike (failover.h). */
#include <string.h>

#include "failover.h"

void failover_watch_init(struct failover_watch *w, int nodes)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->nodes = nodes;
	w->absent = RAFT_NONE;
	w->crashed = RAFT_NONE;
	for (i = 0; i < nodes; i++) {
		w->up[i] = 1;
		w->heard_leader[i] = RAFT_NONE;
		w->round_us[i] = -1;
	}
}

/* Whether every live node but the leader has heard `leader` in `term`. */
static int everyone_heard(const struct failover_watch *w, int leader,
			  uint64_t term)
{
	int i;

	if (w->leader_term[leader] != term)
		return 0; /* no longer its leader */
	for (i = 0; i < w->nodes; i++) {
		if (i == leader || i == w->absent || !w->up[i])
			continue;
		if (w->heard_leader[i] != leader || w->heard_term[i] != term)
			return 0;
	}
	return 1;
}

static void crashed(struct failover_watch *w, const struct wev *ev)
{
	w->up[ev->node] = 0;
	if (w->crashed != RAFT_NONE)
		return; /* the first crash is the leader's */
	w->crashed = ev->node;
	w->crash_us = ev->us;
	w->old_term = w->term[ev->node];
	memcpy(w->at_crash, w->last, sizeof(w->at_crash));
}

/* The first election after the crash: the in-flight entries a survivor
 * was going to get have come by now (they travel faster than a timeout),
 * so its log is what the votes will compare. */
static void election(struct failover_watch *w)
{
	if (w->crashed == RAFT_NONE || w->election_seen)
		return;
	w->election_seen = 1;
	memcpy(w->at_vote, w->last, sizeof(w->at_vote));
}

static int survivor(const struct failover_watch *w, int i)
{
	return i != w->crashed && i != w->absent;
}

static int behind(const struct log_tail *a, const struct log_tail *b)
{
	return a->term < b->term || (a->term == b->term && a->index < b->index);
}

int failover_watch_stale(const struct failover_watch *w,
			 const struct log_tail *tails)
{
	const struct log_tail *best = NULL;
	int stale = 0, i;

	if (w->crashed == RAFT_NONE)
		return 0;
	for (i = 0; i < w->nodes; i++)
		if (survivor(w, i) && (best == NULL || behind(best, &tails[i])))
			best = &tails[i];
	for (i = 0; i < w->nodes; i++)
		stale += survivor(w, i) && behind(&tails[i], best);
	return stale;
}

static void heard(struct failover_watch *w, const struct wev *ev)
{
	w->heard_leader[ev->node] = ev->peer;
	w->heard_term[ev->node] = ev->term;
	if (w->crashed == RAFT_NONE || w->done || ev->term <= w->old_term ||
	    !everyone_heard(w, ev->peer, ev->term))
		return;
	w->done = 1;
	w->done_us = ev->us;
	w->new_term = ev->term;
}

void failover_watch_event(void *ctx, const struct wev *ev)
{
	struct failover_watch *w = ctx;

	switch (ev->type) {
	case WEV_TERM:
		w->term[ev->node] = ev->term;
		break;
	case WEV_ROLE:
		w->leader_term[ev->node] = ev->role == RAFT_LEADER ? ev->term
								   : 0;
		break;
	case WEV_ROUND:
		if (w->crashed == RAFT_NONE)
			w->round_us[ev->node] = ev->us;
		break;
	case WEV_PAUSE:
		w->up[ev->node] = 0;
		break;
	case WEV_RESUME:
	case WEV_RESTART:
		w->up[ev->node] = 1;
		break;
	case WEV_CRASH:
		crashed(w, ev);
		break;
	case WEV_HEARTBEAT:
		heard(w, ev);
		break;
	case WEV_APPEND: /* a leader's proposals are appends too */
		w->last[ev->node].index = ev->last_index;
		w->last[ev->node].term = ev->entry_term;
		break;
	case WEV_TRUNCATE: /* the append that follows says the term */
		w->last[ev->node].index = ev->index - 1;
		break;
	case WEV_SNAPSHOT: /* a leader's snapshot replaces the whole log */
		if (ev->installed) {
			w->last[ev->node].index = ev->index;
			w->last[ev->node].term = ev->entry_term;
		}
		break;
	case WEV_ELECTION:
	case WEV_PREVOTE:
		election(w);
		break;
	default:
		break;
	}
}
