/* sim_load.c - --load in virtual time: the generator (harness/load.h) looks
 * at the cluster at s->load_at, an event of the run's loop after the
 * messages of the same microsecond, and queues its proposals for the
 * leader at once (the client sits beside it); the leader serves them as
 * any mail (sim.c: service time). */
#include <stdlib.h>

#include "sim_internal.h"

int sim_load_init(struct sim *s)
{
	s->load_at = INT64_MAX;
	if (!options_have_load(&s->opt))
		return 0;
	if (load_init(&s->load, &s->opt) != 0)
		return -1;
	s->loading = true;
	s->load_at = load_next_us(&s->load, 0);
	return 0;
}

void sim_load_free(struct sim *s)
{
	if (s->loading)
		load_free(&s->load);
	s->loading = false;
}

void sim_load_turn(struct sim *s)
{
	struct raft_message msg;
	int leader = harness_leader(&s->h);
	uint64_t due;
	size_t bytes;
	void *extra;

	due = load_due(
		&s->load, s->now, leader,
		atomic_load_explicit(&s->h.load_applied, memory_order_relaxed));
	while (due > 0 && s->failure == SIM_OK &&
	       load_next(&s->load, &due, leader, s->now, &msg, &extra,
			 &bytes) == 0)
		sim_queue_copy(s, s->now, &msg, extra, bytes);
	s->load_at = load_next_us(&s->load, s->now);
	if (s->load_at > s->end_us)
		s->load_at = INT64_MAX;
}
