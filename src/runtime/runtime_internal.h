/* runtime_internal.h - what runtime.c, runtime_node.c and runtime_observer.c
 * share. The lock order and what each lock guards are at the top of
 * runtime.c; the comments here only say which lock a field belongs to.
 */
#ifndef RUNTIME_INTERNAL_H
#define RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/harness.h"
#include "harness/lathist.h"
#include "harness/load.h"
#include "mailbox.h"
#include "net/tcp.h"
#include "runtime.h"

struct cluster;

/* What the runtime keeps of a node beside the harness's c->h.node[id]. */
struct rnode {
	struct cluster *c;
	int id;
	pthread_t thread;
	bool started; /* main thread only */

	pthread_mutex_t mu;    /* the node lock: c->h.node[id], and below */
	uint64_t next_tick;    /* the tick whose deadline it waits for */
	unsigned slow;         /* --slow's factor, 1 if not slow */
	int64_t slow_until;    /* --slow: it handles nothing before this */
	bool resync;           /* resumed or restarted: skip to the present */
	uint64_t lease_clears; /* late turns: raft_lease_clear */
	bool in_turn;          /* its thread is in node_turn */
	unsigned kick_clients; /* replies queued in that turn, not woken */
	struct lathist tick_late;
	struct lathist mail_wait;

	struct mailbox mb; /* its own lock */
};

/* The observer's state: touched only by the observer (the main thread). */
struct observer {
	uint64_t ticks;
	struct lathist late;
	pthread_mutex_t wait_mu; /* only for timed waits */
	pthread_cond_t wait_cond;
};

/* The --load thread (runtime_load.c). */
struct rload {
	bool active; /* --load given; the rest is set up */
	bool started;
	struct load gen; /* its thread only */
	pthread_t thread;
	pthread_mutex_t mu; /* stop, kick, and its sleep */
	pthread_cond_t cond;
	bool stop;
	bool kick; /* a leader applied load entries */
};

/* A reply on its way to the clients, in the inbox (runtime_clients.c). */
struct rreply {
	struct rreply *next;
	int64_t ready_us; /* monotonic: --reorder may hold it back */
	uint32_t len;
	uint8_t bytes[];
};

/* The --clients thread (runtime_clients.c). Its struct clients is its
 * thread's alone (read by the main thread only after the join). */
struct rclients {
	bool active; /* --clients given; the rest is set up */
	bool started;
	struct clients run;  /* its thread only */
	struct rreply *held; /* its thread only: replies not yet ready */
	int *kick;           /* its thread only: nodes it queued requests */
	int kick_len;        /* for, to wake once (mailbox_kick) */
	unsigned *kicked;    /* nodes long: queued since woken; in kick */
	pthread_t thread;
	pthread_mutex_t mu; /* the inbox lock: below, and its sleep */
	pthread_cond_t cond;
	struct rreply *head; /* the inbox, oldest first */
	struct rreply *tail;
	bool stop;
};

struct cluster {
	const struct raftsim_options *o;
	int n;
	int64_t tick_us;
	int64_t start_us; /* written before the gate opens, then read-only */

	pthread_mutex_t gate_mu; /* node threads wait here for start_us */
	pthread_cond_t gate_cond;
	bool gate_open;

	pthread_mutex_t net_mu;    /* the net lock: h.faults */
	pthread_mutex_t mon_mu;    /* the monitor lock: h.mon, h.tap */
	pthread_mutex_t fenced_mu; /* the fenced store lock: h.fenced */
	struct harness h;          /* the nodes, the faults, where events go */

	struct observer obs;
	const struct runtime_control *ctl; /* NULL, or the observer's */
	struct rload load;
	struct rclients clients;
	/* --transport tcp (runtime_tcp.c): NULL with mailboxes. */
	struct tcp_transport *tcp;
	FILE *tcp_err;            /* its log lines */
	struct tcp_stats tcp_end; /* its figures, kept at close */
	bool tcp_used;
	struct rnode node[];
};

/* runtime_node.c */
void *runtime_node_main(void *arg);
/* What the runtime supplies to the harness: mailboxes, the clock, locks. */
struct harness_ops runtime_node_ops(struct cluster *c);
/* After the threads stopped: reports each node whose thread was a tick or
 * more late for its action when the run ended, which it never ran. */
void runtime_report_stuck(struct cluster *c);
/* Microseconds since the run started. */
int64_t runtime_elapsed_us(const struct cluster *c);

/* runtime_load.c; init and destroy return or take nothing without
 * --load. */
int runtime_load_init(struct cluster *c);
void runtime_load_destroy(struct cluster *c);
int runtime_load_start(struct cluster *c);
void runtime_load_stop(struct cluster *c);
void runtime_load_kick(struct cluster *c);

/* runtime_clients.c; init and destroy return or take nothing without
 * --clients. deliver: a node's reply (to RAFT_CLIENT), from its thread
 * under its node lock; returns 0, or -1 when it was lost (no memory). */
int runtime_clients_init(struct cluster *c);
void runtime_clients_destroy(struct cluster *c);
int runtime_clients_start(struct cluster *c);
void runtime_clients_stop(struct cluster *c);
int runtime_clients_deliver(struct cluster *c, const struct raft_message *msg,
			    int64_t ready_us);
/* A client's request (from RAFT_CLIENT): pushed into the node's mailbox
 * by the client thread, which wakes the node once it has sent all it had
 * to send (or every few requests: KICK_EVERY). Returns what
 * mailbox_push_quiet returned. */
enum mailbox_push_result runtime_clients_request(struct cluster *c,
						 const struct raft_message *msg,
						 void *extra, size_t bytes,
						 int64_t now_us,
						 int64_t ready_us);
/* Wakes the clients (a node queued replies in its turn). */
void runtime_clients_kick(struct cluster *c);

/* runtime_tcp.c, --transport tcp. open: the transport, every node's
 * listener, and every pair connected (without --transport tcp: nothing);
 * returns EXIT_PASS, or EXIT_USAGE (--secret) or EXIT_RUN_FAILED after
 * saying why on err. close (NULL-safe): after the node threads, before
 * the verdict, so that nothing arrives after the end; keeps the figures
 * for summary. send: a node's copy for another node, from
 * runtime_deliver (the sender's step, its node lock held); a copy lost
 * to a full queue is reported like a full mailbox's. summary: the "tcp:"
 * line. */
int runtime_tcp_open(struct cluster *c, FILE *err);
int runtime_tcp_send(struct cluster *c, const struct raft_message *msg,
		     uint64_t extra_us);
void runtime_tcp_summary(struct cluster *c, FILE *out);
void runtime_tcp_close(struct cluster *c);

/* runtime_remote.c, raftsim node (its one node local, the rest other
 * processes). addrs: every node's address from --peers, its own where
 * --listen says, and local[] true for --id only; returns 0, or -1 after
 * saying why on err. reply: a reply of the node's service, to the client
 * process its request came from (the sender's step, its node lock held);
 * returns 0, or -1 when lost (tcp_send's drops). request_client: the
 * client a request's body names (tcp.h's request_client). */
int runtime_remote_addrs(struct cluster *c, struct tcp_addr *addrs, bool *local,
			 FILE *err);
int runtime_remote_reply(struct cluster *c, const struct raft_message *msg,
			 uint64_t extra_us);
int runtime_remote_request_client(void *ctx, const struct raft_message *m);

/* runtime_observer.c */
int runtime_observer_init(struct cluster *c);
void runtime_observer_destroy(struct cluster *c);
/* Runs ticks 1..o->ticks; returns when the last one has been observed. */
void runtime_observer_run(struct cluster *c);

#endif
