/* harness.h - the layer around the core that both worlds share: the nodes'
 * lifecycle, the send path with its fault fate, applying fault actions,
 * the leader lookup, per-node summaries and where events go.
 *
 * The simulator (src/sim) and the threaded runtime (src/runtime) are two
 * drivers of this one harness. A driver supplies only what really differs
 * between them, through struct harness_ops: how a copy of a message is
 * delivered (an event queue in virtual time, a mailbox between threads;
 * later a socket), how a node is frozen, thawed or closed when its status
 * changes, what time it is, and, for a threaded driver, the locks.
 *
 * A message's path, in both worlds: the core calls its transport, which is
 * harness_send() below; it asks the fault model whether the two nodes are
 * connected and what becomes of the message (lost, doubled, delayed), and
 * hands each copy to ops.deliver. The driver takes it from there to the
 * receiver's raft_step (sim.c, runtime_node.c: each says how at its top).
 *
 * Locks (NULL ops.lock: one thread). The harness takes a node's lock
 * around whatever it changes or reads of that node, the net lock around
 * struct faults, and the events lock around stamping and recording one
 * event. It takes them in the runtime's order (runtime.c): node -> net,
 * node -> events, never two nodes, and nothing under net or events.
 * harness_send and the core's events run in the sender's own step, under
 * its node lock, which the driver holds. The fenced store has a lock of its
 * own, a leaf taken under a node lock (node -> fenced): nothing is taken
 * under it, and its event is published after it is released.
 *
 * Clients (issue 11), with --clients: every node's state machine is its kv
 * store (kv/kv.h) instead of digest_fsm, and every node has a client
 * service (client/service.h). A client's request is a RAFT_MSG_CLIENT from
 * RAFT_CLIENT to a node (harness_client_send), a node's reply one from the
 * node to RAFT_CLIENT (its service, through the node's send path); both
 * meet the fault model's fates (--drop, --dup, --reorder) but never a
 * partition: clients stand outside the cluster and reach every node. Each
 * copy goes to ops.deliver like any message (a reply with msg->to ==
 * RAFT_CLIENT, its bytes in msg->u.client). The driver then hands a
 * request to its node with harness_node_step, in the node's step like any
 * mail (a crashed node's are lost, a paused node's wait for it), and a
 * reply to its struct clients (clients_receive), whose time and thread
 * are the driver's. With --fenced-store the harness holds the fenced
 * store (client/fenced.h) that the nodes' services mirror writes to.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdatomic.h>
#include <stdint.h>

#include "cli/options.h"
#include "client/clients.h"
#include "client/fenced.h"
#include "client/service.h"
#include "faults.h"
#include "harness_disk.h"
#include "kv/kv.h"
#include "lathist.h"
#include "monitor.h"
#include "raft.h"
#include "storage/digest_fsm.h"
#include "storage/mem_storage.h"
#include "world.h"

/* Sees every event of a run, after the monitor. In the threaded runtime it
 * runs under the events lock: it must not block or call back in. */
struct harness_tap {
	void (*event)(void *ctx, const struct wev *ev);
	void *ctx;
};

enum harness_lock {
	HARNESS_LOCK_NODE,   /* one node's state; `node` says which */
	HARNESS_LOCK_NET,    /* struct faults */
	HARNESS_LOCK_EVENTS, /* the monitor, the tap, the event clock */
	HARNESS_LOCK_FENCED, /* the fenced store: a leaf (node -> fenced) */
};

/* What a driver supplies. Every function gets ops.ctx. */
struct harness_ops {
	void *ctx;
	/* Hands one copy of msg towards msg->to, extra_us later than it
	 * would go by itself (--reorder). Returns 0, or -1 if the copy was
	 * lost on the way (a full or closed inbox, no memory). */
	int (*deliver)(void *ctx, const struct raft_message *msg,
		       uint64_t extra_us);
	/* Node `node` has just become `status` (and published it): freeze
	 * its inbox (paused), thaw it (up: resumed or restarted), or empty
	 * and close it (crashed). Called under that node's lock. */
	void (*status_changed)(void *ctx, int node, enum node_status status);
	/* Microseconds since the run started, stamped on events. */
	int64_t (*now_us)(void *ctx);
	/* Both NULL in a single-threaded driver. */
	void (*lock)(void *ctx, enum harness_lock lock, int node);
	void (*unlock)(void *ctx, enum harness_lock lock, int node);
	/* May be NULL: the leader `node` just applied `count` entries of the
	 * load (its step, its node lock held: it must not block). */
	void (*load_applied)(void *ctx, int node, uint64_t count);
};

struct harness;

/* Takes (or releases) one of the driver's locks through ops; nothing in a
 * single-threaded driver. */
void harness_lock(struct harness *h, enum harness_lock which, int node);
void harness_unlock(struct harness *h, enum harness_lock which, int node);

/* One node as both worlds keep it. Guarded by its node lock. */
struct harness_node {
	struct harness *h;
	int id;
	/* Served by another process (raftsim node: every node but its
	 * own). Never booted; the leader lookup, the summaries and the
	 * faults pass it by. Set at harness_init, then read-only. */
	bool remote;
	enum node_status status;
	struct raft_durable durable; /* saved at a crash, read at restart */
	uint64_t restarts;
	/* Boot went on from a WAL (--resume): its restart event waits for
	 * harness_announce. */
	bool booted_from_files;
	uint64_t tick;             /* stamped on its core's events */
	struct raft_rng own_rng;   /* its message fates, unless shared */
	struct raft_rng *fate_rng; /* what draws its message fates */
	uint64_t sent;             /* handed to harness_send */
	uint64_t lost;             /* --drop or a partition */
	/* Its log, "as if on disk": kept across crashes like `durable`. Its
	 * state machine is not: reset at every (re)start and rebuilt by the
	 * core from the snapshot and the log (raft_attach). With --clients
	 * the state machine is kv (kv_ready: initialized), else fsm. */
	struct mem_storage *log;
	struct digest_fsm fsm;
	struct kv kv;
	bool kv_ready;
	/* With --clients: its client service (its volatile state is reset
	 * at every crash and restart), and the replies it sent and lost. */
	struct service service;
	bool service_ready;
	uint64_t replies_sent;
	uint64_t replies_lost;
	/* Commit latency of the load's entries this node applied as leader:
	 * submit time to its apply. */
	struct lathist latency;
	/* Its WAL, with --data-dir or --disk (harness_disk.h). */
	struct harness_wal disk;
	struct raft_state raft; /* last: its per-peer arrays are large */
};

struct harness {
	const struct raftsim_options *opt;
	int nodes;
	struct harness_ops ops;
	struct monitor *mon; /* NULL: no trace, console or checker */
	struct harness_tap tap;
	struct faults faults; /* net lock */
	/* The schedule's tick: the last begun. Atomic: the clients' thread
	 * stamps history events with it while the observer moves it on. */
	_Atomic uint64_t tick;
	/* Scratch for harness_advance and harness_next_fault_tick; only
	 * their one caller touches it. */
	struct fault_action actions[FAULT_MAX_ACTIONS];
	struct faults lookahead;
	/* The load's entries applied by whichever node was leader: the
	 * closed loop's window refills from it (any thread adds). */
	_Atomic uint64_t load_applied;
	/* A restart that could not attach the log (RAFT_ENOMEM): the node
	 * stays down and the run fails with exit 3 (harness_verdict). */
	int restart_failed;
	/* Commands a node's store could not apply for lack of memory, over
	 * every boot of every node (harness_kv_out_of_memory): that node's
	 * state then differs from the others', which is the machine's
	 * failure, not Raft's, so the run fails with exit 3. */
	uint64_t kv_out_of_memory;
	/* Clients: the fates of requests come from client_fate_rng (only
	 * the clients' thread sends), the run's clients are attached for the
	 * summary (harness_attach_clients), and --fenced-store's store sits
	 * under HARNESS_LOCK_FENCED (fenced_on: there is one). */
	struct raft_rng client_rng;
	struct raft_rng *client_fate_rng;
	uint64_t requests_sent;
	uint64_t requests_lost;
	const struct clients *clients;
	int64_t clients_last_us; /* the last completion (the clients' own) */
	struct fenced fenced;
	bool fenced_on;
	/* Durable storage (harness_disk.h): the simulated disks' shared
	 * fault atlas, the nodes that refused their files, and why boot
	 * failed (harness_boot's RAFT_ESTORAGE: boot_exit, boot_msg). */
	struct disk_sim_atlas atlas;
	int disk_refused;
	int boot_exit;
	char boot_msg[512];
	struct harness_node *node; /* nodes long */
};

/* Whether this process runs node `node` (raftsim node runs only its
 * --id; every other run, all of them). */
bool harness_node_local(const struct harness *h, int node);

/* Sets up `opt->nodes` nodes, not booted yet. `mon` may be NULL; `opt`
 * must outlive the harness. Returns 0, or -1 when out of memory. */
int harness_init(struct harness *h, const struct raftsim_options *opt,
		 const struct harness_ops *ops, struct monitor *mon);
void harness_close(struct harness *h);

/* One generator for every node's message fates, for a single-threaded
 * driver whose runs must replay draw for draw (the simulator). */
void harness_share_fate_rng(struct harness *h, struct raft_rng *rng);

/* Starts every local node's core as a fresh follower with an empty log and
 * state machine (with a WAL: from what its files hold). Returns a RAFT_*
 * code: RAFT_OK; RAFT_ENOMEM when a log could not be allocated;
 * RAFT_ESTORAGE when the storage could not be set up or a node refused
 * its files (boot_exit and boot_msg say what); otherwise the
 * configuration was refused. Before any thread runs. */
int harness_boot(struct harness *h);

/* After harness_boot, once the driver's clock runs (time 0 of the run):
 * each node that booted from its files (--resume) says what recovery cut
 * and what it recovered (a restart event), so that the trace's resumed
 * run begins with every node's restart. No thread runs yet. */
void harness_announce(struct harness *h);

/* Begins tick `tick` for the fault schedule: moves it on and applies what
 * it says, in order. One caller only, holding no lock. */
void harness_advance(struct harness *h, uint64_t tick);

/* For a tickless driver: the first tick after the last begun (h->tick), up
 * to `limit`, on which harness_advance would apply anything; limit + 1 if
 * none. Exact with random faults too: it replays their draws on a copy.
 * The ticks before it still have to be begun, each with harness_advance
 * and in order, since random faults draw on every one, but they may be
 * begun late and together: nothing happens on them. Without random faults
 * they need no call at all (faults_next_tick). harness_advance's caller
 * only, holding no lock. */
uint64_t harness_next_fault_tick(struct harness *h, uint64_t limit);

/* Applies one fault action now, as of the schedule's current tick: the
 * status change, its event, then ops.status_changed. A crash saves the
 * durable term and vote; a restart boots from them, keeps the node's
 * counters, and draws fresh timeouts. Holding no lock. */
void harness_apply(struct harness *h, const struct fault_action *a);

/* Outside the schedule (failover, --live's keys): crash a node until
 * harness_restart, restart it, pause an up node until harness_resume,
 * resume it, or split the network (group_of[i] for every node) until
 * healed (NULL). The schedule's one caller, holding no lock. */
void harness_crash(struct harness *h, int node);
void harness_restart(struct harness *h, int node);
void harness_pause(struct harness *h, int node);
void harness_resume(struct harness *h, int node);
void harness_partition(struct harness *h, const uint8_t *group_of);

/* A copy of msg for a driver to queue (the core keeps no pointer after
 * send): *dst = *src, made to point into *extra, one malloc'd block that
 * holds the entries and payloads or the snapshot chunk it carries (NULL,
 * and *bytes 0, when it carries none). The block goes wherever the copy
 * goes and is freed when it dies: after the receiver's raft_step, or
 * lost, dropped, crashed, or left over at the run's end. Returns 0, or -1
 * when the block cannot be allocated: the copy is then lost, and the
 * driver reports it as a full mailbox would (harness_report_loss). */
int harness_copy_message(struct raft_message *dst,
			 const struct raft_message *src, void **extra,
			 size_t *bytes);

/* The rest of the send path after harness_disk_hold let a message go, or
 * a held one is released: partition, fate, each copy to ops.deliver.
 * Returns 0, or -1 when every copy was lost. Sender's node lock held. */
int harness_node_send_now(struct harness_node *n,
			  const struct raft_message *msg);

/* Clients (see the top). Whether the run has them (--clients). */
bool harness_have_clients(const struct harness *h);

/* The clients_io for the run's struct clients: requests go out through
 * harness_client_send, the history through harness_client_history. */
void harness_clients_io(struct harness *h, struct clients_io *io);
/* Commands any node's store could not apply for lack of memory, this
 * run (every boot counted). After the threads have ended. */
uint64_t harness_kv_out_of_memory(const struct harness *h);
/* The clients' settings from the options, the same in both worlds (the
 * clients' seed derived from the run's). */
void harness_client_config(const struct raftsim_options *o,
			   struct client_config *cfg);

/* A request (kv_cmd_encode's bytes) from client `client` to node `node`:
 * its fate, then each copy to ops.deliver as a RAFT_MSG_CLIENT from
 * RAFT_CLIENT. Returns 0, or -1 when every copy was lost. The clients'
 * thread only (it draws on client_fate_rng), holding no lock. */
int harness_client_send(struct harness *h, int client, int node,
			const uint8_t *bytes, size_t len);

/* Publishes one history event (WEV_INVOKE, OK, FAIL or INFO), and notes
 * a completion's time (clients_last_us). The clients' thread, holding no
 * lock. */
void harness_client_history(struct harness *h, const struct hist_event *ev);

/* The run's clients, for the summary's "clients:" line; read by
 * harness_verdict, after the clients have stopped. NULL: none. */
void harness_attach_clients(struct harness *h, const struct clients *c);

/* What a driver does with a node's mail and acting ticks, so that clients
 * are served: harness_node_step hands msg to the node (a client's request
 * to its service, anything else to raft_step), harness_node_tick runs one
 * raft_tick; both first let the service's outbox leave when the node's
 * tick (n->tick, which the driver sets) has moved on, and poll the
 * service after. Node lock held. Without clients they are raft_step and
 * raft_tick. */
void harness_node_step(struct harness_node *n, const struct raft_message *m);
void harness_node_tick(struct harness_node *n);
/* harness_node_step in two halves, for a driver that hands a node several
 * messages in one drain of its mail: take each, then drained once, and
 * only then free the messages (a client's write is staged with its bytes,
 * and the writes of one drain are proposed as one batch: fewer
 * AppendEntries). Node lock held. */
void harness_node_take(struct harness_node *n, const struct raft_message *m);
void harness_node_drained(struct harness_node *n);

/* The stores' and the fenced store's figures, for the summary. */
struct harness_client_summary {
	uint64_t deduplicated; /* retries answered from a session's cache,
				  by every leader in the run */
	uint64_t reexecuted;   /* re-executions the most affected node saw
				  (exactly-once broken: no-dedup only) */
	uint64_t sessions;     /* open at the end, in the largest table */
	uint64_t dropped;      /* pending requests dropped, all nodes */
	struct fenced fenced;  /* a copy; fenced_on says whether it exists */
	bool fenced_on;
};
void harness_client_summary(struct harness *h,
			    struct harness_client_summary *out);

/* Stamps and records one run event: monitor, then tap. */
void harness_publish(struct harness *h, struct wev *w);

/* What the machine could not keep, said as run events (world.h) so that
 * the checker excludes what they touch and the verdict says so.
 * report_loss: a copy from `from` to `to` was lost to a full mailbox (not
 * a crashed receiver's: the crash is the fault), on the driver's tick
 * `tick`: the runtime in the sender's step (node lock held), the
 * simulator from its one thread. report_late: node `node` ran its acting
 * tick `tick` late_us after that tick's deadline, a tick or more; its
 * thread, under its node lock. Both take the events lock (node -> events,
 * as every event). */
void harness_report_loss(struct harness *h, int from, int to, uint64_t tick);
void harness_report_late(struct harness *h, int node, uint64_t tick,
			 int64_t late_us);

/* The up local node that is leader of the highest term, or RAFT_NONE. */
int harness_leader(struct harness *h);

/* The log: the highest commit index of any local node, the lowest index
 * every local node applied, and the load's entries the leaders applied with their
 * commit latencies (merged into *latency). Holding no lock. */
struct harness_log_summary {
	uint64_t committed;
	uint64_t applied_everywhere;
	struct lathist latency;
};
void harness_log_summary(struct harness *h, struct harness_log_summary *out);

/* One summary per node, for monitor_verdict (a remote one says only
 * that it is remote). */
void harness_summaries(struct harness *h, struct node_summary *out);

/* The end of a run, in both worlds: writes the end event (marked
 * interrupted after SIGINT or SIGTERM, harness_stop.h), writes out every
 * queued line, prints one line per node and the verdict, and says what
 * went wrong with the outputs: console lines dropped or not printed, a
 * trace that could not be written in full. Returns the exit code:
 * EXIT_PASS or EXIT_VIOLATION as the checker found; EXIT_RUN_FAILED when
 * the trace is not the whole run or stdout failed (not when its reader
 * went away: harness_stdio.h); 128 + the signal when interrupted. */
int harness_verdict(struct harness *h, int64_t end_us, uint64_t ticks,
		    FILE *out, FILE *err);

/* The outputs of one `raftsim` run: the --trace file and the monitor. */
struct harness_output {
	struct monitor mon;
	FILE *trace;
	const char *trace_path;
};

/* Opens --trace, starts the monitor (console: NULL for --quiet) and its
 * writers: threads for the trace, and on threads ("threads" mode) for the
 * console too (harness_output.c says why). Returns EXIT_PASS; EXIT_USAGE
 * when the trace cannot be opened, EXIT_RUN_FAILED when out of memory or
 * threads; either after saying why on err. */
int harness_output_open(struct harness_output *out,
			const struct raftsim_options *o, const char *mode,
			FILE *console, FILE *err);
/* Stops the writers (every line produced is written), the monitor, and
 * closes the trace; a trace that did not close fails the run with
 * EXIT_RUN_FAILED. Returns the exit code. */
int harness_output_close(struct harness_output *out, int code, FILE *err);

#endif
