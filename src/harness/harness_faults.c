/* harness_faults.c - fault actions applied to the nodes, on the schedule
 * (harness_advance) or outside it (harness_crash, restart, partition);
 * see harness.h. */
#include <assert.h>
#include <string.h>

#include "harness.h"
#include "harness_clients.h"
#include "harness_disk.h"
#include "harness_internal.h"

void harness_publish_fault(struct harness *h, enum wev_type type, int node)
{
	struct wev w;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.tick = h->tick;
	w.node = node;
	w.peer = RAFT_NONE;
	/* Only the applier writes the groups, and it is this thread. */
	if (type == WEV_PARTITION)
		w.group_of = h->faults.group_of;
	if (type == WEV_RESTART)
		harness_disk_describe(&h->node[node], &w);
	harness_publish(h, &w);
}

/* A node's part of an action, under its lock: the event comes out under
 * that lock too, so none of the node's own events can precede it. */
static void apply_to_node(struct harness *h, const struct fault_action *a)
{
	struct harness_node *n = &h->node[a->node];
	enum wev_type type = WEV_PAUSE;
	int rv;

	/* Another process's node (raftsim node): its faults are its own
	 * process's; node mode refuses them at parse time. */
	if (n->remote)
		return;
	harness_lock(h, HARNESS_LOCK_NODE, a->node);
	if (n->disk.refused) { /* it stays down: nothing happens to it */
		harness_unlock(h, HARNESS_LOCK_NODE, a->node);
		return;
	}
	switch (a->type) {
	case FAULT_PAUSE:
		n->status = NODE_PAUSED;
		break;
	case FAULT_RESUME:
		assert(n->status == NODE_PAUSED);
		type = WEV_RESUME;
		n->status = NODE_UP;
		/* Its clock stood still while real time went on: what it
		 * sent before the pause must not extend a lease now. */
		raft_lease_clear(&n->raft);
		break;
	case FAULT_CRASH:
		/* What a crash loses: all but the durable term and vote. */
		type = WEV_CRASH;
		n->durable = raft_durable_of(&n->raft);
		n->status = NODE_CRASHED;
		harness_node_clients_crash(n);
		harness_disk_crash(n);
		break;
	case FAULT_RESTART:
		assert(n->status == NODE_CRASHED);
		type = WEV_RESTART;
		n->restarts++;
		/* This configuration booted before: only memory can fail. The
		 * node then stays down, and the run cannot be judged. */
		rv = harness_node_boot(n, true);
		if (rv == RAFT_EIO && h->opt->sim_disk) {
			/* the simulated disk failed a sync of recovery's:
			 * down a while longer, then it tries again */
			n->status = NODE_CRASHED;
			harness_stay_down(h, n);
			harness_unlock(h, HARNESS_LOCK_NODE, a->node);
			return;
		}
		if (rv != RAFT_OK) {
			n->status = NODE_CRASHED;
			/* refused: said, and counted (harness_disk_refused) */
			if (!n->disk.refused)
				h->restart_failed = rv;
			harness_unlock(h, HARNESS_LOCK_NODE, a->node);
			return;
		}
		break;
	case FAULT_PARTITION:
	case FAULT_HEAL:
		assert(0);
		break;
	}
	harness_publish_fault(h, type, a->node);
	h->ops.status_changed(h->ops.ctx, a->node, n->status);
	harness_unlock(h, HARNESS_LOCK_NODE, a->node);
}

void harness_apply(struct harness *h, const struct fault_action *a)
{
	if (a->type == FAULT_PARTITION || a->type == FAULT_HEAL) {
		harness_publish_fault(h,
				      a->type == FAULT_PARTITION ? WEV_PARTITION
								 : WEV_HEAL,
				      RAFT_NONE);
		return;
	}
	apply_to_node(h, a);
}

void harness_advance(struct harness *h, uint64_t tick)
{
	int leader = RAFT_NONE;
	bool needs_leader;
	int count;
	int i;

	/* Looking up the leader visits every node: only for a tick that
	 * pauses or crashes "leader". The schedule is read under the net
	 * lock: a node thread whose disk failed writes it too (its restart,
	 * harness_disk.c). */
	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	needs_leader = faults_needs_leader(&h->faults, tick);
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	if (needs_leader)
		leader = harness_leader(h);
	h->tick = tick;
	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	count = faults_advance(&h->faults, tick, leader, h->actions);
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	for (i = 0; i < count; i++)
		harness_apply(h, &h->actions[i]);
}

uint64_t harness_next_fault_tick(struct harness *h, uint64_t limit)
{
	uint64_t next;
	uint64_t tick;

	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	next = faults_next_tick(&h->faults, h->tick);
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	if (!faults_random(&h->faults))
		return next <= limit ? next : limit + 1;
	/* Random faults draw on every tick: replay the draws on a copy (only
	 * this thread writes the schedule) until one of them acts. A tick
	 * that pauses or crashes "leader" counts as acting: the leader is
	 * known only then. */
	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	h->lookahead = h->faults;
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	for (tick = h->tick + 1; tick <= limit; tick++)
		if (faults_needs_leader(&h->lookahead, tick) ||
		    faults_advance(&h->lookahead, tick, RAFT_NONE, h->actions) >
			    0)
			return tick;
	return limit + 1;
}

/* An action outside the schedule: the schedule learns of it first. */
static void force(struct harness *h, enum fault_action_type type, int node,
		  enum node_status status)
{
	struct fault_action a = {type, node};

	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	faults_set_status(&h->faults, node, status, UINT64_MAX);
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	harness_apply(h, &a);
}

void harness_crash(struct harness *h, int node)
{
	force(h, FAULT_CRASH, node, NODE_CRASHED);
}

void harness_restart(struct harness *h, int node)
{
	force(h, FAULT_RESTART, node, NODE_UP);
}

void harness_pause(struct harness *h, int node)
{
	force(h, FAULT_PAUSE, node, NODE_PAUSED);
}

void harness_resume(struct harness *h, int node)
{
	force(h, FAULT_RESUME, node, NODE_UP);
}

void harness_partition(struct harness *h, const uint8_t *group_of)
{
	struct fault_action a = {group_of ? FAULT_PARTITION : FAULT_HEAL,
				 RAFT_NONE};

	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	faults_set_partition(&h->faults, group_of, UINT64_MAX);
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	harness_apply(h, &a);
}
