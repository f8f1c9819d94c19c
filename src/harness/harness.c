/* harness.c - the layer around the core; see harness.h. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_clients.h"
#include "harness_fsm.h"
#include "harness_internal.h"

void harness_lock(struct harness *h, enum harness_lock which, int node)
{
	if (h->ops.lock != NULL)
		h->ops.lock(h->ops.ctx, which, node);
}

void harness_unlock(struct harness *h, enum harness_lock which, int node)
{
	if (h->ops.unlock != NULL)
		h->ops.unlock(h->ops.ctx, which, node);
}

bool harness_node_local(const struct harness *h, int node)
{
	assert(node >= 0 && node < h->nodes);
	return !h->node[node].remote;
}

/* raftsim node runs its --id alone: the others are other processes. */
static bool runs_here(const struct raftsim_options *opt, int node)
{
	return opt->command != CMD_NODE || node == opt->node_id;
}

int harness_init(struct harness *h, const struct raftsim_options *opt,
		 const struct harness_ops *ops, struct monitor *mon)
{
	int i;

	assert(opt->nodes >= 1 && opt->nodes <= OPT_MAX_NODES);
	assert(ops->deliver != NULL && ops->status_changed != NULL &&
	       ops->now_us != NULL);
	memset(h, 0, sizeof(*h));
	h->opt = opt;
	h->nodes = opt->nodes;
	h->ops = *ops;
	h->mon = mon;
	faults_init(&h->faults, opt, opt->seed);
	h->node = calloc((size_t)opt->nodes, sizeof(*h->node));
	if (h->node == NULL)
		return -1;
	for (i = 0; i < h->nodes; i++) {
		struct harness_node *n = &h->node[i];

		n->h = h;
		n->id = i;
		n->remote = !runs_here(opt, i);
		raft_rng_seed(
			&n->own_rng,
			raft_rng_derive(opt->seed, 0x6e6574 + (uint64_t)i));
		n->fate_rng = &n->own_rng;
		lathist_init(&n->latency);
	}
	harness_clients_init(h);
	return 0;
}

void harness_close(struct harness *h)
{
	int i;

	harness_clients_close(h);
	harness_disk_close(h);
	for (i = 0; h->node != NULL && i < h->nodes; i++)
		mem_storage_free(h->node[i].log);
	free(h->node);
	h->node = NULL;
}

void harness_share_fate_rng(struct harness *h, struct raft_rng *rng)
{
	int i;

	for (i = 0; i < h->nodes; i++)
		h->node[i].fate_rng = rng;
	h->client_fate_rng = rng;
}

int harness_copy_message(struct raft_message *dst,
			 const struct raft_message *src, void **extra,
			 size_t *bytes)
{
	size_t size = raft_message_extra_size(src);

	*dst = *src;
	*extra = NULL;
	*bytes = size;
	if (size == 0)
		return 0;
	*extra = malloc(size);
	if (*extra == NULL)
		return -1;
	raft_message_copy_extra(dst, src, *extra);
	return 0;
}

void harness_publish(struct harness *h, struct wev *w)
{
	harness_lock(h, HARNESS_LOCK_EVENTS, RAFT_NONE);
	/* Stamped under the lock, so trace lines never go back in time. */
	w->us = h->ops.now_us(h->ops.ctx);
	if (h->mon != NULL)
		monitor_event(h->mon, w);
	if (h->tap.event != NULL)
		h->tap.event(h->tap.ctx, w);
	harness_unlock(h, HARNESS_LOCK_EVENTS, RAFT_NONE);
}

void harness_report_loss(struct harness *h, int from, int to, uint64_t tick)
{
	struct wev w = wev_loss(0, tick, from, to);

	/* A client's request or reply (RAFT_CLIENT on one side): the
	 * client times out and retries, as for any lost message, and no
	 * Raft rule rests on it; the trace's loss events are between
	 * nodes. */
	if (from < 0 || to < 0)
		return;
	if (h->mon != NULL || h->tap.event != NULL)
		harness_publish(h, &w);
}

void harness_report_late(struct harness *h, int node, uint64_t tick,
			 int64_t late_us)
{
	struct wev w = wev_late(0, tick, node, late_us);

	if (h->mon != NULL || h->tap.event != NULL)
		harness_publish(h, &w);
}

/* The core's event sink: the node's own step, its lock held. */
static void node_emit(void *ctx, const struct raft_event *ev)
{
	struct harness_node *n = ctx;
	struct wev w;

	if (n->h->mon == NULL && n->h->tap.event == NULL)
		return; /* a failover trial: nobody reads the events */
	w = wev_from_raft(ev, 0, n->tick);
	harness_publish(n->h, &w);
}

int harness_node_send_now(struct harness_node *n,
			  const struct raft_message *msg)
{
	struct harness *h = n->h;
	struct msg_fate fate;
	bool connected;
	int handed = 0;
	int i;

	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	connected = faults_connected(&h->faults, msg->from, msg->to);
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	/* Nothing is drawn for a message the partition stops: a replayed run
	 * must draw exactly what it drew before. */
	if (!connected)
		goto lost;
	faults_message(h->opt, n->fate_rng, &fate);
	if (fate.copies == 0)
		goto lost;
	for (i = 0; i < fate.copies; i++)
		if (h->ops.deliver(h->ops.ctx, msg, fate.extra_us[i]) == 0)
			handed = 1;
	return handed ? 0 : -1;
lost:
	n->lost++;
	return -1;
}

/* The core's transport: the sender's own step, its lock held. A message
 * that promises what the node's disk does not hold yet waits for its sync
 * (harness_disk.h); whether the two are connected and what becomes of
 * the message is decided when it leaves, the same in both worlds; each
 * surviving copy goes to the driver. */
static int node_send(void *ctx, const struct raft_message *msg)
{
	struct harness_node *n = ctx;

	assert(msg->to >= 0 && msg->to < n->h->nodes && msg->to != n->id);
	n->sent++;
	if (harness_disk_hold(n, msg))
		return 0;
	return harness_node_send_now(n, msg);
}

/* Gives a booted core its log (its WAL's; or allocated at the first boot
 * and kept after) and a fresh state machine, which the core restores
 * from the log's snapshot. Returns a RAFT_* code. */
static int node_attach(struct harness_node *n)
{
	struct raft_fsm fsm = harness_node_fsm(n);
	struct raft_storage storage;

	if (n->disk.disk != NULL) {
		storage = harness_disk_storage(n);
	} else {
		if (n->log == NULL)
			n->log = mem_storage_new();
		if (n->log == NULL)
			return RAFT_ENOMEM;
		storage = mem_storage_ops(n->log);
	}
	if (harness_have_clients(n->h)) {
		int rv = harness_node_clients_attach(n, &fsm);

		if (rv != RAFT_OK)
			return rv;
	} else {
		digest_fsm_init(&n->fsm);
	}
	return raft_attach(&n->raft, &storage, &fsm);
}

/* Starts (or, from its durable term and vote and its log, restarts) a
 * node's core; with a WAL, both come from its files. Node lock held, or
 * no thread running yet. */
int harness_node_boot(struct harness_node *n, bool restart)
{
	struct raft_transport t = {node_send, n};
	struct raft_event_sink e = {node_emit, n};
	struct raft_stats kept = n->raft.stats;
	struct raft_durable *durable = restart ? &n->durable : NULL;
	struct raft_config cfg;
	bool fresh = true;
	int rv;

	if (n->disk.disk != NULL) {
		rv = harness_disk_open(n, &n->durable, &fresh);
		if (rv != RAFT_OK)
			return rv;
		/* a first boot from files a run left (--resume) restarts,
		 * fresh files too: the trace's resumed run begins with
		 * every node's restart */
		if (!restart && (!fresh || n->h->opt->resume))
			n->booted_from_files = true;
		durable = restart || n->booted_from_files ? &n->durable : NULL;
	}
	/* The restart count is in the seed: a restarted node draws fresh
	 * timeouts, not the ones it drew before. */
	options_node_config(n->h->opt, n->id, n->restarts, &cfg);
	rv = raft_init(&n->raft, &cfg, durable, t, e);
	if (rv == RAFT_OK)
		rv = node_attach(n);
	if (rv != RAFT_OK) {
		harness_disk_crash(n);
		return rv;
	}
	/* Counters are for the summary only; keep them across restarts. */
	if (restart)
		n->raft.stats = kept;
	n->status = NODE_UP;
	if (restart) /* a boot's waits for the clock: harness_announce */
		harness_disk_report_recovery(n);
	return RAFT_OK;
}

/* A node whose disk failed stays down for crash-ticks MAX ticks, as after
 * a failed sync (harness_disk.c), and then boots again. */
void harness_stay_down(struct harness *h, struct harness_node *n)
{
	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	faults_set_status(&h->faults, n->id, NODE_CRASHED,
			  h->tick + h->opt->crash_ticks.max);
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
}

int harness_boot(struct harness *h)
{
	int rv = RAFT_OK;
	int i;

	h->boot_exit = harness_disk_init(h, h->boot_msg, sizeof(h->boot_msg));
	if (h->boot_exit != 0)
		return RAFT_ESTORAGE;
	for (i = 0; i < h->nodes && rv == RAFT_OK; i++) {
		struct harness_node *n = &h->node[i];

		if (n->remote)
			continue;
		rv = harness_node_boot(n, false);
		if (rv == RAFT_EIO && h->opt->sim_disk) {
			/* its simulated disk failed its first sync: it starts
			 * crashed, and boots when its crash would end */
			n->status = NODE_CRASHED;
			harness_stay_down(h, n);
			harness_publish_fault(h, WEV_CRASH, i);
			rv = RAFT_OK;
		} else if (rv == RAFT_EIO) {
			h->boot_exit = EXIT_RUN_FAILED;
			snprintf(h->boot_msg, sizeof(h->boot_msg),
				 "node %d could not start: %s", i, n->disk.why);
		} else if (rv == RAFT_ESTORAGE && n->disk.refused) {
			h->boot_exit = EXIT_RUN_FAILED;
			snprintf(h->boot_msg, sizeof(h->boot_msg),
				 "node %d refused to start: %s", i,
				 n->disk.why);
		}
	}
	return rv;
}

void harness_announce(struct harness *h)
{
	struct wev w;
	int i;

	for (i = 0; i < h->nodes; i++) {
		struct harness_node *n = &h->node[i];

		if (!n->booted_from_files || n->disk.wal == NULL)
			continue;
		n->booted_from_files = false;
		harness_disk_report_recovery(n);
		memset(&w, 0, sizeof(w));
		w.type = WEV_RESTART;
		w.node = i;
		w.peer = RAFT_NONE;
		harness_disk_describe(n, &w);
		harness_publish(h, &w);
	}
}

int harness_leader(struct harness *h)
{
	uint64_t leader_term = 0;
	int leader = RAFT_NONE;
	int i;

	for (i = 0; i < h->nodes; i++) {
		const struct harness_node *n = &h->node[i];

		if (n->remote)
			continue;
		harness_lock(h, HARNESS_LOCK_NODE, i);
		if (n->status == NODE_UP && n->raft.role == RAFT_LEADER &&
		    (leader == RAFT_NONE ||
		     n->raft.current_term > leader_term)) {
			leader = i;
			leader_term = n->raft.current_term;
		}
		harness_unlock(h, HARNESS_LOCK_NODE, i);
	}
	return leader;
}

void harness_log_summary(struct harness *h, struct harness_log_summary *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->applied_everywhere = UINT64_MAX;
	lathist_init(&out->latency);
	for (i = 0; i < h->nodes; i++) {
		const struct harness_node *n = &h->node[i];

		if (n->remote)
			continue;
		harness_lock(h, HARNESS_LOCK_NODE, i);
		if (n->raft.commit_index > out->committed)
			out->committed = n->raft.commit_index;
		if (n->raft.last_applied < out->applied_everywhere)
			out->applied_everywhere = n->raft.last_applied;
		lathist_merge(&out->latency, &n->latency);
		harness_unlock(h, HARNESS_LOCK_NODE, i);
	}
}

void harness_summaries(struct harness *h, struct node_summary *out)
{
	int i;

	for (i = 0; i < h->nodes; i++) {
		const struct harness_node *n = &h->node[i];

		memset(&out[i], 0, sizeof(out[i]));
		out[i].remote = n->remote;
		if (n->remote)
			continue;
		harness_lock(h, HARNESS_LOCK_NODE, i);
		out[i].role = n->raft.role;
		out[i].term = n->raft.current_term;
		out[i].timeout_resets = n->raft.stats.timeout_resets;
		out[i].elections_started = n->raft.stats.elections_started;
		out[i].commit_index = n->raft.commit_index;
		out[i].last_applied = n->raft.last_applied;
		out[i].snapshots_sent = n->raft.stats.snapshots_sent;
		out[i].snapshots_installed = n->raft.stats.snapshots_installed;
		out[i].up = n->status == NODE_UP;
		harness_unlock(h, HARNESS_LOCK_NODE, i);
	}
}
