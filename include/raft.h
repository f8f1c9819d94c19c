/* raft.h - the pure Raft core: one entry point for messages, one for time.
 *
 * Contract (Raft paper, Figure 2 "Rules for Servers"):
 *  - raft_step is the only way a message enters a node. It checks the term
 *    first: a higher term makes the node adopt it, clear its vote and become
 *    a follower (§5.1); a lower term is refused (§5.1). Only then does it
 *    dispatch on the role, as etcd's Step() does.
 *  - raft_tick is the only way time passes: the leader sends heartbeats every
 *    heartbeat_interval ticks; a follower or candidate whose election timer
 *    runs out starts an election (§5.2).
 *  - Neither allocates, blocks, nor reads a clock.
 */
#ifndef RAFT_H
#define RAFT_H

#include "raft_election.h"
#include "raft_heartbeat.h"
#include "raft_msg.h"
#include "raft_state.h"

/* Delivers one message. Any reply leaves through the transport.
 * Precondition: msg->to == s->config.id. */
void raft_step(struct raft_state *s, const struct raft_message *msg);

/* Advances the node by one tick. */
void raft_tick(struct raft_state *s);

/* How many ticks remain until the node acts on its own, counting the tick
 * that acts: N >= 1 such that, if no message arrives meanwhile, N - 1 calls
 * of raft_tick send nothing, emit nothing and change no role or term, and
 * the Nth does (Figure 2: a leader's next heartbeat round, §5.2: a
 * follower's or candidate's election timeout, thesis §9.6: a pre-vote
 * round's, §6.2: a CheckQuorum step-down). Exact for every configuration
 * and mistake; ranked timeouts are drawn into election_timeout. A driver
 * may therefore sleep through the silent ticks and replay them (raft_tick
 * each) when it wakes, before it hands the node a message. Any raft_step
 * may change the answer. Pure: reads the state only. */
unsigned raft_ticks_until_action(const struct raft_state *s);

#endif
