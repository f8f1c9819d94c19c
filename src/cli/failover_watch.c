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
	default:
		break;
	}
}
