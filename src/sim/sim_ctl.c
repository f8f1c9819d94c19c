/* sim_ctl.c - what the simulator shows of a run, and how tests, explore
 * and failover reach into it outside the fault schedule (sim.h). */
#include <stdio.h>

#include "sim_internal.h"

enum sim_failure sim_failure(const struct sim *s)
{
	return s->failure;
}

bool sim_interrupted(const struct sim *s)
{
	return s->interrupted;
}

void sim_print_failure(const struct sim *s, FILE *err)
{
	double ms = (double)s->now / 1000.0;

	switch (s->failure) {
	case SIM_OK:
		break;
	case SIM_FAILED_MEMORY:
		fprintf(err,
			"raftsim: out of memory at %.3f ms (virtual): the "
			"simulator could not queue a message, and a run "
			"that loses one cannot be judged\n",
			ms);
		break;
	case SIM_FAILED_IN_FLIGHT:
		fprintf(err,
			"raftsim: %u messages in flight at %.3f ms "
			"(virtual), the simulator's limit: a latency of up "
			"to %.3f ms (--latency-ms) keeps them in flight "
			"for that long; the run cannot go on\n",
			SIM_MAX_IN_FLIGHT, ms,
			(double)s->opt.latency_us.max / 1000.0);
		break;
	}
}

int64_t sim_now(const struct sim *s)
{
	return s->now;
}

uint64_t sim_tick(const struct sim *s)
{
	return s->h.tick;
}

int64_t sim_end_us(const struct sim *s)
{
	return s->end_us;
}

struct harness *sim_harness(struct sim *s)
{
	return &s->h;
}

const struct raft_state *sim_node(const struct sim *s, int id)
{
	return &s->h.node[id].raft;
}

enum node_status sim_status(const struct sim *s, int id)
{
	return s->h.node[id].status;
}

uint64_t sim_queued_peak(const struct sim *s, int id)
{
	return s->node[id].queued_peak;
}

int sim_leader(struct sim *s)
{
	return harness_leader(&s->h);
}

/* After a change outside the schedule: when it may act next. */
void sim_refresh_fault_tick(struct sim *s)
{
	s->fault_tick = faults_next_tick(&s->h.faults, s->h.tick);
}

void sim_crash(struct sim *s, int id)
{
	harness_crash(&s->h, id);
	sim_refresh_fault_tick(s);
}

void sim_restart(struct sim *s, int id)
{
	harness_restart(&s->h, id);
	sim_refresh_fault_tick(s);
}

void sim_partition(struct sim *s, const uint8_t *group_of)
{
	harness_partition(&s->h, group_of);
	sim_refresh_fault_tick(s);
}

struct raftsim_options *sim_schedule(struct sim *s)
{
	return &s->opt;
}

void sim_schedule_changed(struct sim *s, int node, uint64_t until)
{
	if (until != UINT64_MAX && node == RAFT_NONE)
		s->h.faults.partition_until = until;
	else if (until != UINT64_MAX)
		s->h.faults.until[node] = until;
	sim_refresh_fault_tick(s);
}

void sim_set_tap(struct sim *s, const struct harness_tap *tap)
{
	static const struct harness_tap none = {NULL, NULL};

	s->h.tap = tap != NULL ? *tap : none;
}

void sim_campaign(struct sim *s, int id)
{
	struct harness_node *n = &s->h.node[id];

	if (n->status != NODE_UP || n->raft.role == RAFT_LEADER)
		return;
	sim_replay_due(s, id);
	n->tick = s->h.tick;
	raft_start_election(&n->raft);
	sim_reschedule(s, id);
	sim_persist(s, id);
}
