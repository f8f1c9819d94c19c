/* sim.h - the deterministic simulator: the same core and the same harness
 * (lifecycle, send path, fault model, monitor) as the threaded runtime,
 * driven by one thread in virtual time. A run is a pure function of its
 * options and seed. sim.c's top comment follows a message from the
 * sender's transport to the receiver's raft_step.
 *
 * Every node ticks at k * tick_ms (virtual). A message leaves at the time
 * its sender handled something, and arrives after a latency drawn from
 * --latency-ms (plus --reorder's extra delay, plus --disk-ms for vote
 * traffic). A paused node's messages wait in its mailbox until it resumes;
 * a crashed node's are lost. With --clients the clients stand outside the
 * cluster: their requests and the nodes' replies take the same latency
 * and fates, never a partition (sim_clients.c).
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/options.h"
#include "harness/harness.h"
#include "raft.h"

struct sim;

/* Messages in flight at once, at most (about 100 bytes each). A run that
 * needs more (a latency far longer than the ticks it spans, on many
 * nodes) ends with SIM_FAILED_IN_FLIGHT rather than grow without bound. */
#define SIM_MAX_IN_FLIGHT (1u << 20)

/* Why a run ended before its last tick, other than a signal. The run
 * cannot be judged then: a message it could not queue was lost, and no
 * fault model chose to lose it. */
enum sim_failure {
	SIM_OK,
	SIM_FAILED_MEMORY,    /* a message could not be queued */
	SIM_FAILED_IN_FLIGHT, /* SIM_MAX_IN_FLIGHT reached */
};

/* Creates a cluster at virtual time 0. `mon` may be NULL (no trace, no
 * console, no checker). Returns 0 and the simulator in *out, or ENOMEM
 * (out of memory) or EINVAL (the configuration is refused). */
int sim_create(const struct raftsim_options *o, struct monitor *mon,
	       struct sim **out);
/* The same; NULL for either failure. */
struct sim *sim_new(const struct raftsim_options *o, struct monitor *mon);
void sim_free(struct sim *s);

/* Processes every event up to and including virtual time `until_us`, and
 * no further than the end of the run (o->ticks ticks). A run that fails
 * (sim_failure) or is interrupted (harness_stop.h, checked before each
 * cluster tick) halts: time stops there, sim_end_us becomes now, and
 * later calls return at once. */
void sim_run_until(struct sim *s, int64_t until_us);

/* Runs to the end: o->ticks ticks. */
void sim_run_all(struct sim *s);

/* SIM_OK, or why the run halted before its end. */
enum sim_failure sim_failure(const struct sim *s);
/* Whether a stop request halted it. */
bool sim_interrupted(const struct sim *s);
/* Says why it failed, on err (nothing for SIM_OK). */
void sim_print_failure(const struct sim *s, FILE *err);

int64_t sim_now(const struct sim *s);
uint64_t sim_tick(const struct sim *s);
int64_t sim_end_us(const struct sim *s);
const struct raft_state *sim_node(const struct sim *s, int id);
enum node_status sim_status(const struct sim *s, int id);
/* The up node that is leader of the highest term, or RAFT_NONE. */
int sim_leader(struct sim *s);
/* The most bytes of entries and snapshot chunks that were ever on their
 * way to node id at once (queued, or waiting for it to serve them). */
uint64_t sim_queued_peak(const struct sim *s, int id);
/* The run's clients (--clients), for their figures; NULL: none. */
struct clients;
const struct clients *sim_clients(const struct sim *s);

/* The harness it drives, for what both worlds do alike (the verdict). */
struct harness *sim_harness(struct sim *s);

/* Crashes a node now, outside the fault schedule (failover); it restarts
 * only through sim_restart. */
void sim_crash(struct sim *s, int id);
void sim_restart(struct sim *s, int id);

/* Splits the network now (group_of[i] for every node), or heals it
 * (NULL), outside the fault schedule. */
void sim_partition(struct sim *s, const uint8_t *group_of);

/* --live's keys (cli/live_sim.c) as scheduled faults: the run's own
 * options, whose windows (--pause, --crash, --partition) a caller may add
 * between sim_run_until calls, for a tick the run has not begun; then it
 * calls sim_schedule_changed. The schedule acts on them as on the command
 * line's, so options_format_command(sim_schedule(s)) replays the run. */
struct raftsim_options *sim_schedule(struct sim *s);
/* After the schedule changed; a window already open, of node `node` (its
 * pause or crash) or RAFT_NONE (the partition), now ends at tick `until`
 * (UINT64_MAX: leave them as they are). */
void sim_schedule_changed(struct sim *s, int node, uint64_t until);

/* Makes node id start an election now (the lesson's L01 logic), to get a
 * first leader without waiting for a timeout. */
void sim_campaign(struct sim *s, int id);

/* Shows every later event to `tap` after the monitor (NULL to stop). */
void sim_set_tap(struct sim *s, const struct harness_tap *tap);

/* `raftsim --sim`: runs the cluster, prints, returns the exit code. */
int sim_main(const struct raftsim_options *o, FILE *out, FILE *err);

/* What sim_main and --live --sim begin with: opens the outputs (console:
 * NULL for none) and creates the simulator. Returns EXIT_PASS; or, after
 * saying why on err and closing the outputs, EXIT_USAGE (configuration
 * refused) or EXIT_RUN_FAILED. */
int sim_open(const struct raftsim_options *o, FILE *console, FILE *err,
	     struct harness_output *output, struct sim **sim);

#endif
