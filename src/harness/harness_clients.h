/* harness_clients.h - what harness.c asks of harness_clients.c (the
 * client path, harness.h's top): internal to the harness. */
#ifndef HARNESS_CLIENTS_H
#define HARNESS_CLIENTS_H

#include "harness.h"

/* The clients' fate generator and the fenced store (harness_init). */
void harness_clients_init(struct harness *h);
/* Every node's store and service (harness_close). */
void harness_clients_close(struct harness *h);

/* At every boot of a node with clients: a fresh kv store as its state
 * machine (*fsm), and its service (set up at the first boot, its volatile
 * state reset at the others). Returns a RAFT_* code. */
int harness_node_clients_attach(struct harness_node *n, struct raft_fsm *fsm);
/* A crash: the service loses what it held in memory. */
void harness_node_clients_crash(struct harness_node *n);

#endif
