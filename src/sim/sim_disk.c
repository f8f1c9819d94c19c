/* sim_disk.c - the simulated disks' syncs (--disk; harness_disk.h): a
 * node's sync starts when it has handled something and left state
 * unsynced, and completes --disk-ms later, one in flight per node (the
 * next starts when it ends, if the node is dirty again). Meanwhile its
 * records wait in the WAL's memory, and a crash loses them. Each node's
 * sync is a key in a second wake queue (wakeq.c), so runs without a disk
 * pay one comparison a turn. */
#include "sim_internal.h"

static void start_sync(struct sim *s, int i)
{
	struct harness_wal *hw = &s->h.node[i].disk;

	if (hw->syncing)
		return;
	hw->syncing = true;
	wakeq_set(&s->syncs, i, s->now + (int64_t)s->opt.disk_us);
}

static void after(struct sim *s, int i, enum harness_persist r)
{
	switch (r) {
	case HARNESS_PERSIST_CLEAN:
		break;
	case HARNESS_PERSIST_DIRTY:
		start_sync(s, i);
		break;
	case HARNESS_PERSIST_CRASHED:
		/* it restarts on a tick the schedule did not know of */
		sim_refresh_fault_tick(s);
		break;
	}
}

void sim_persist(struct sim *s, int i)
{
	if (s->h.node[i].disk.disk == NULL)
		return;
	after(s, i, harness_node_persist(&s->h.node[i], false));
}

void sim_sync_turn(struct sim *s, int i)
{
	struct harness_node *n = &s->h.node[i];

	wakeq_set(&s->syncs, i, INT64_MAX);
	n->disk.syncing = false;
	/* A paused node's process sees no sync end: its resume starts one
	 * (sim_persist from status_changed). */
	if (n->status != NODE_UP)
		return;
	sim_replay_due(s, i);
	n->tick = s->h.tick;
	after(s, i, harness_node_sync(n));
	sim_reschedule(s, i);
}

void sim_sync_cancel(struct sim *s, int i)
{
	s->h.node[i].disk.syncing = false;
	wakeq_set(&s->syncs, i, INT64_MAX);
}
