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

#endif
