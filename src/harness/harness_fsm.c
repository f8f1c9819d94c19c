/* harness_fsm.c - see harness_fsm.h. */
#include <stdatomic.h>
#include <string.h>

#include "harness_fsm.h"

/* The load's payload: a sequence number, then its submit time (load.h). */
static int64_t submit_us_of(const struct raft_entry *e)
{
	int64_t us;

	memcpy(&us, e->data + 8, sizeof(us));
	return us;
}

/* The state machine as the core sees it: digest_fsm's, and, on the
 * leader, each load entry's commit latency. Its step, node lock held. */
static uint64_t node_fsm_apply(void *ctx, const struct raft_entry *entries,
			       unsigned count)
{
	struct harness_node *n = ctx;
	struct harness *h = n->h;
	struct raft_fsm fsm = digest_fsm_ops(&n->fsm);
	uint64_t digest = fsm.apply(fsm.ctx, entries, count);
	uint64_t load = 0;
	int64_t now;
	unsigned i;

	if (n->raft.role != RAFT_LEADER || !options_have_load(h->opt))
		return digest;
	now = h->ops.now_us(h->ops.ctx);
	for (i = 0; i < count; i++) {
		if (entries[i].type != RAFT_ENTRY_COMMAND ||
		    entries[i].len < OPT_MIN_PAYLOAD)
			continue;
		lathist_add(&n->latency, now - submit_us_of(&entries[i]));
		load++;
	}
	if (load > 0) {
		atomic_fetch_add_explicit(&h->load_applied, load,
					  memory_order_relaxed);
		if (h->ops.load_applied != NULL)
			h->ops.load_applied(h->ops.ctx, n->id, load);
	}
	return digest;
}

static int node_fsm_snapshot(void *ctx, const uint8_t **data, size_t *len)
{
	struct harness_node *n = ctx;
	struct raft_fsm fsm = digest_fsm_ops(&n->fsm);

	return fsm.snapshot(fsm.ctx, data, len);
}

static int node_fsm_restore(void *ctx, const uint8_t *data, size_t len)
{
	struct harness_node *n = ctx;
	struct raft_fsm fsm = digest_fsm_ops(&n->fsm);

	return fsm.restore(fsm.ctx, data, len);
}

static uint64_t node_fsm_digest(void *ctx)
{
	struct harness_node *n = ctx;
	struct raft_fsm fsm = digest_fsm_ops(&n->fsm);

	return fsm.digest(fsm.ctx);
}

struct raft_fsm harness_node_fsm(struct harness_node *n)
{
	struct raft_fsm fsm = {n, node_fsm_apply, node_fsm_snapshot,
			       node_fsm_restore, node_fsm_digest};

	return fsm;
}
