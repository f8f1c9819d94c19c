/* harness_internal.h - what harness.c and harness_faults.c share. */
#ifndef HARNESS_INTERNAL_H
#define HARNESS_INTERNAL_H

#include <stdbool.h>

#include "harness.h"

/* Starts or (restart) restarts node n's core; with a WAL, from its files.
 * Returns a RAFT_* code. Node lock held, or no thread running yet. */
int harness_node_boot(struct harness_node *n, bool restart);

/* A node whose disk failed stays down for crash-ticks MAX ticks, then
 * boots again. */
void harness_stay_down(struct harness *h, struct harness_node *n);

/* Publishes a fault event of `node` (type) at the schedule's tick. */
void harness_publish_fault(struct harness *h, enum wev_type type, int node);

#endif
