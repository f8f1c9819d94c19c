/* load.c - see load.h. */
#include <stdlib.h>
#include <string.h>

#include "load.h"

int load_init(struct load *l, const struct raftsim_options *o)
{
	memset(l, 0, sizeof(*l));
	l->o = o;
	l->target = RAFT_NONE;
	/* An election timeout at most: a leader is known again by then. */
	l->stall_us = (int64_t)(o->election.max * o->tick_us);
	return 0;
}

void load_free(struct load *l)
{
	(void)l; /* it holds no memory: each proposal owns its block */
}

/* Entries due by now_us at --load RATE. */
static uint64_t due_by(const struct load *l, int64_t now_us)
{
	if (now_us <= 0)
		return 0;
	return (uint64_t)((double)l->o->load_rate * (double)now_us / 1e6);
}

static uint64_t closed_due(struct load *l, int64_t now_us, int leader,
			   uint64_t applied)
{
	uint64_t window = l->o->outstanding;
	uint64_t by_bytes = LOAD_MAX_OUTSTANDING_BYTES / l->o->payload;
	uint64_t done;
	uint64_t outstanding;

	if (applied != l->seen_applied) {
		l->seen_applied = applied;
		l->progress_us = now_us;
	}
	if (leader != l->target ||
	    (l->sent > 0 && now_us - l->progress_us > l->stall_us)) {
		l->target = leader;
		l->base_applied = applied;
		l->sent = 0;
		l->progress_us = now_us;
	}
	if (leader == RAFT_NONE)
		return 0;
	if (window > by_bytes) /* big payloads: bytes bound the window */
		window = by_bytes > 0 ? by_bytes : 1;
	done = applied - l->base_applied;
	outstanding = l->sent > done ? l->sent - done : 0;
	return window - (outstanding < window ? outstanding : window);
}

uint64_t load_due(struct load *l, int64_t now_us, int leader, uint64_t applied)
{
	uint64_t due;

	if (l->o->load_max)
		return closed_due(l, now_us, leader, applied);
	due = due_by(l, now_us) - l->seq;
	if (leader == RAFT_NONE) {
		l->seq += due; /* nobody to take them: skipped */
		return 0;
	}
	return due;
}

int load_next(struct load *l, uint64_t *due, int leader, int64_t now_us,
	      struct raft_message *msg, void **extra, size_t *bytes)
{
	unsigned n = *due < LOAD_BATCH_MAX ? (unsigned)*due : LOAD_BATCH_MAX;
	size_t size = l->o->payload;
	/* One block, as a queued copy owns it: the entries (malloc aligns
	 * them), then their payloads (bytes: no alignment needed). */
	size_t head = (size_t)n * sizeof(struct raft_entry);
	struct raft_entry *entries;
	uint8_t *payloads;
	unsigned i;

	*bytes = head + (size_t)n * size;
	*extra = malloc(*bytes);
	if (*extra == NULL)
		return -1;
	entries = *extra;
	payloads = (uint8_t *)*extra + head;
	for (i = 0; i < n; i++) {
		uint8_t *p = payloads + (size_t)i * size;
		uint64_t seq = l->seq + i;

		memset(p, 0, size);
		memcpy(p, &seq, sizeof(seq));
		memcpy(p + 8, &now_us, sizeof(now_us));
		memset(&entries[i], 0, sizeof(entries[i]));
		entries[i].type = RAFT_ENTRY_COMMAND;
		entries[i].len = (uint32_t)size;
		entries[i].data = p;
	}
	l->seq += n;
	l->sent += n;
	*due -= n;
	memset(msg, 0, sizeof(*msg));
	msg->type = RAFT_MSG_PROPOSE;
	msg->from = RAFT_CLIENT;
	msg->to = leader;
	msg->term = 0; /* not a peer's: it moves no term */
	msg->u.prop.entries = entries;
	msg->u.prop.count = n;
	return 0;
}

int64_t load_next_us(const struct load *l, int64_t now_us)
{
	int64_t due;

	if (l->o->load_max)
		return now_us + LOAD_PERIOD_US;
	/* The time entry seq comes due, rounded up. Nothing is due before
	 * it, and a look in between would change nothing: an open loop
	 * neither waits for nor forgives anything. */
	due = (int64_t)(((double)l->seq + 1) * 1e6 / (double)l->o->load_rate);
	return due > now_us ? due : now_us + 1;
}
