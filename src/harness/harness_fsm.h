/* harness_fsm.h - the state machine as a node's core sees it without
 * clients: digest_fsm's, and on the leader each load entry's commit
 * latency (internal to the harness). */
#ifndef HARNESS_FSM_H
#define HARNESS_FSM_H

#include "harness.h"

/* Node n's raft_fsm over its digest_fsm (n->fsm). */
struct raft_fsm harness_node_fsm(struct harness_node *n);

#endif
