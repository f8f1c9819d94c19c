/* load.h - the --load generator's arithmetic, the same in both worlds: how
 * many proposals are due, and the RAFT_MSG_PROPOSE that carries them to
 * whichever node leads. The simulator runs it as events in virtual time
 * (sim_load.c), the runtime on a thread of its own (runtime_load.c).
 *
 * Open loop (--load RATE): entry k is due at k / RATE seconds into the run,
 * whether or not the cluster keeps up; due entries that find no leader are
 * not proposed (a client without a server). Closed loop (--load max): a
 * window of --outstanding entries (and at most LOAD_MAX_OUTSTANDING_BYTES of
 * payload) in flight, refilled as the leaders apply
 * them (harness.load_applied). A new leader, or no progress for an election
 * timeout, forgets what was outstanding: proposals to a node that lost
 * leadership may never commit, and the core drops those that reach a
 * follower.
 *
 * Payload (--payload bytes): a sequence number, the submit time in run
 * microseconds, zeros; the leader's apply reads the time back
 * (harness.c: commit latency).
 */
#ifndef LOAD_H
#define LOAD_H

#include <stdint.h>

#include "cli/options.h"
#include "raft.h"

#define LOAD_BATCH_MAX 256 /* entries in one proposal message */
#define LOAD_PERIOD_US 100 /* a closed loop looks at least this often */
/* A closed loop keeps at most this many payload bytes outstanding too,
 * whatever --outstanding says: big payloads would fill memory first. */
#define LOAD_MAX_OUTSTANDING_BYTES (64u << 20)

struct load {
	const struct raftsim_options *o;
	uint64_t seq;          /* entries proposed (or due) so far */
	int target;            /* the leader last proposed to */
	uint64_t base_applied; /* closed loop: applied when last forgiven */
	uint64_t sent;         /* closed loop: proposed since then */
	uint64_t seen_applied; /* closed loop: applied at the last look */
	int64_t progress_us;   /* closed loop: when applied last grew */
	int64_t stall_us;      /* closed loop: no growth this long forgives */
};

/* Returns 0, or -1 when out of memory. */
int load_init(struct load *l, const struct raftsim_options *o);
void load_free(struct load *l);

/* How many entries to propose at run time now_us to `leader` (RAFT_NONE:
 * none leads), the leaders having applied `applied` of them. Open loop:
 * entries that come due with no leader are skipped. */
uint64_t load_due(struct load *l, int64_t now_us, int leader, uint64_t applied);

/* Builds the next proposal for `leader`: up to LOAD_BATCH_MAX of the *due
 * entries (taken off *due), submitted at now_us, into msg, whose entries
 * and payloads live in one malloc'd block, *extra (*bytes long), that the
 * queued copy owns from here on (as harness_copy_message's). Returns 0,
 * or -1 when out of memory (nothing built: a client's proposal that never
 * left, not a lost message). */
int load_next(struct load *l, uint64_t *due, int leader, int64_t now_us,
	      struct raft_message *msg, void **extra, size_t *bytes);

/* When the generator looks next after now_us: the next entry's due time
 * (open loop), or LOAD_PERIOD_US on (closed loop: a leader's apply may
 * also wake it sooner). */
int64_t load_next_us(const struct load *l, int64_t now_us);

#endif
