/* checker_faults.c - what a fault event changes in the checker's view of
 * the nodes: who is up, paused or crashed, whom each node reaches, and
 * when each was last disturbed (the liveness and spurious-election rules
 * count from there). */
#include <string.h>

#include "checker_internal.h"

/* Partition (group_of) or heal (NULL): a node whose set of reachable peers
 * changed has had its links disturbed now. Per node rather than per pair,
 * which may miss a spurious election but never invents one. */
static void regroup(struct checker *c, const uint8_t *group_of, int64_t us)
{
	bool before, after;
	int i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->n; j++) {
			before = !c->partitioned ||
				 c->group_of[i] == c->group_of[j];
			after = group_of == NULL || group_of[i] == group_of[j];
			if (before != after) {
				c->nodes[i].reach_changed = us;
				c->nodes[i].touched = us;
				c->nodes[i].fault_touched = us;
				break;
			}
		}
	}
	c->partitioned = group_of != NULL;
	if (group_of != NULL)
		memcpy(c->group_of, group_of, (size_t)c->n);
}

/* A node is gone (crash) or back from nothing (restart): its volatile
 * state, clock included, is lost. */
static void lose_volatile(struct node *st)
{
	st->role = RAFT_FOLLOWER;
	st->hb_leader = RAFT_NONE;
	st->watch = 0; /* a step-down it can no longer finish */
	st->clock_known = false;
	st->hb_clock_known = false;
}

/* Pause, resume, crash, restart; a late tick. */
void checker_apply_node_fault(struct checker *c, const struct wev *ev)
{
	struct node *st = &c->nodes[ev->node];

	switch (ev->type) {
	case WEV_LATE:
		checker_late(c, ev);
		return;
	case WEV_PAUSE:
	case WEV_RESUME:
		if (ev->type == WEV_RESUME && st->paused)
			st->up_since = ev->us;
		st->paused = ev->type == WEV_PAUSE;
		break;
	case WEV_CRASH:
		st->crashed = true;
		lose_volatile(st);
		break;
	default: /* WEV_RESTART */
		st->crashed = false;
		lose_volatile(st);
		st->up_since = ev->us;
		break;
	}
	st->touched = ev->us;
	st->fault_touched = ev->us;
}

/* Partition, heal and loss. */
void checker_apply_net_fault(struct checker *c, const struct wev *ev)
{
	if (ev->type == WEV_LOSS) {
		/* Both ends of a lost message were disturbed (by the machine,
		 * not a fault proper: fault_touched stays). */
		c->over.lost++;
		c->nodes[ev->node].reach_changed = ev->us;
		c->nodes[ev->node].touched = ev->us;
		c->nodes[ev->peer].reach_changed = ev->us;
		c->nodes[ev->peer].touched = ev->us;
	} else if (ev->type == WEV_PARTITION && ev->group_of == NULL) {
		checker_violate(c, ev->us, "event: partition without groups");
	} else {
		regroup(c, ev->type == WEV_HEAL ? NULL : ev->group_of, ev->us);
	}
}

/* A crash ends a leadership's proposals unjudged; a restart starts the
 * node's commit and applied indexes over from its snapshot, and one from
 * a WAL comes back with what it recovered (checker_storage.c). */
void checker_node_fault(struct checker *c, const struct wev *ev)
{
	checker_apply_node_fault(c, ev);
	if (ev->type == WEV_CRASH || ev->type == WEV_RESTART)
		checker_propose_drop(c, ev->node);
	if (ev->type == WEV_RESTART && ev->recovered)
		checker_storage_restart(c, ev);
	if (ev->type == WEV_RESTART)
		checker_log_restart(c, ev->node);
}

/* Node `node` is down from now on, as if it had crashed at `us`: its disk
 * failed or refused, or the whole process was killed (a resume). */
void checker_crash_now(struct checker *c, int node, int64_t us)
{
	struct wev crash;

	memset(&crash, 0, sizeof(crash));
	crash.type = WEV_CRASH;
	crash.us = us;
	crash.node = node;
	crash.peer = RAFT_NONE;
	checker_node_fault(c, &crash);
}
