/* digest_fsm.h - issue 10's state machine: a running checksum of every
 * applied entry (index, term, type, payload), so that two nodes that
 * applied different entries end with different digests and divergence
 * cannot hide (State Machine Safety, §5.4.3).
 *
 * Each step maps (digest, one 64-bit word) through a bijection of the
 * digest xor the word: for the same digest before, two different words
 * always give different digests after, and the later steps keep them
 * apart. So two histories that differ only in one word (an entry's term,
 * or 8 bytes of a payload of the same length) never end with the same
 * digest; other differences collide with a chance of about 2^-64.
 */
#ifndef DIGEST_FSM_H
#define DIGEST_FSM_H

#include <stdint.h>

#include "raft_log.h"

#define DIGEST_FSM_SNAPSHOT_BYTES 16

struct digest_fsm {
	uint64_t digest;
	uint64_t applied; /* entries applied, no-ops included */
	/* The snapshot: digest then applied, little-endian. */
	uint8_t snapshot[DIGEST_FSM_SNAPSHOT_BYTES];
};

/* The state of a machine that applied nothing. */
void digest_fsm_init(struct digest_fsm *fsm);

/* The struct raft_fsm whose ctx is fsm. */
struct raft_fsm digest_fsm_ops(struct digest_fsm *fsm);

#endif
