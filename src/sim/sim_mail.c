/* sim_mail.c - the simulator's messages, from the send path to the
 * receiver's raft_step (sim.c's top tells the whole path): each copy owns
 * its block (harness_copy_message) until it dies; a link delivers in the
 * order it was given mail (--reorder is the fault that breaks that); a
 * receiver serves its mail one message at a time (service time, --slow).
 */
#include <stdlib.h>

#include "sim_internal.h"

/* A copy that cannot be queued is not a lost message: losing it silently
 * would let the checker blame Raft for it. The run ends instead. */
int sim_fail(struct sim *s, enum sim_failure why)
{
	if (s->failure == SIM_OK)
		s->failure = why;
	sim_halt(s);
	return -1;
}

/* A copy's end (handled, lost, crashed, left over): its block goes, and
 * no longer counts against its receiver. */
void sim_drop_copy(struct sim *s, struct sim_event *ev)
{
	if (ev->msg.to != RAFT_CLIENT)
		s->node[ev->msg.to].queued_bytes -= ev->bytes;
	free(ev->extra);
	ev->extra = NULL;
}

/* Queues a copy that owns its block (harness_copy_message) for `at`:
 * from the send path, and the load's proposals (sim_load.c). Returns 0,
 * or -1 when it could not (the block is freed). */
int sim_queue_copy(struct sim *s, int64_t at, const struct raft_message *copy,
		   void *extra, size_t bytes)
{
	struct sim_node *to = copy->to != RAFT_CLIENT ? &s->node[copy->to]
						      : NULL;

	if (s->queue.len >= SIM_MAX_IN_FLIGHT) {
		free(extra);
		return sim_fail(s, SIM_FAILED_IN_FLIGHT);
	}
	if (eventq_push_msg(&s->queue, at, copy, extra, bytes) != 0) {
		free(extra);
		return sim_fail(s, SIM_FAILED_MEMORY);
	}
	if (to == NULL) /* a reply, on its way to the clients */
		return 0;
	to->queued_bytes += bytes;
	if (to->queued_bytes > to->queued_peak)
		to->queued_peak = to->queued_bytes;
	return 0;
}

/* When a copy given to the link from -> to now, `latency` on its way,
 * arrives. A link keeps its order, as a connection would: a copy that
 * would overtake the one before it arrives just after it instead (same
 * time, queued later). A copy --reorder delays (extra_us) leaves the
 * order: later ones overtake it, which is that fault. */
static int64_t arrival(struct sim *s, const struct raft_message *msg,
		       int64_t latency, uint64_t extra_us)
{
	int64_t *last;
	int64_t at = s->now + latency;

	if (extra_us > 0)
		return at + (int64_t)extra_us;
	/* Clients keep no connection: each request and reply on its own. */
	if (msg->from == RAFT_CLIENT || msg->to == RAFT_CLIENT)
		return at;
	last = &s->link_at[msg->from * s->opt.nodes + msg->to];
	if (at < *last)
		at = *last;
	*last = at;
	return at;
}

/* The harness's send path hands each copy of a message here. */
int sim_deliver(void *ctx, const struct raft_message *msg, uint64_t extra_us)
{
	struct sim *s = ctx;
	int64_t latency = (int64_t)s->opt.latency_us.min;
	struct raft_message copy;
	size_t bytes;
	void *extra;

	if (s->opt.latency_us.max > s->opt.latency_us.min)
		latency = (int64_t)raft_rng_range(
			&s->rng, s->opt.latency_us.min, s->opt.latency_us.max);
	/* persisted before it leaves (failover's model; with --disk the
	 * node's syncs take the time instead: sim_disk.c) */
	if (!s->opt.sim_disk &&
	    (msg->type == RAFT_MSG_REQUEST_VOTE_REPLY ||
	     (msg->type == RAFT_MSG_REQUEST_VOTE && !s->opt.disk_parallel)))
		latency += s->opt.disk_us;
	if (s->failure != SIM_OK)
		return -1; /* halted in this same step: nothing is queued */
	if (harness_copy_message(&copy, msg, &extra, &bytes) != 0) {
		/* said like a full mailbox: the run asked for no loss */
		harness_report_loss(&s->h, msg->from, msg->to, s->h.tick);
		return -1;
	}
	return sim_queue_copy(s, arrival(s, msg, latency, extra_us), &copy,
			      extra, bytes);
}

/* How long node `to` takes to handle ev: every node serves its mail one
 * message at a time, SIM_SERVICE_BASE_NS plus a nanosecond a byte it
 * carries, times its --slow factor; rounded up to whole microseconds. */
static int64_t service_us(const struct sim *s, const struct sim_event *ev)
{
	uint64_t ns = (SIM_SERVICE_BASE_NS + ev->bytes) *
		      s->node[ev->msg.to].slow;

	return (int64_t)((ns + 999) / 1000);
}

/* Whether ev would have to wait behind --mailbox messages already
 * waiting for their service: a full mailbox, as on threads, where the
 * message is lost and the loss said (an overloaded node, --slow with more
 * load than it can serve, is then a fault the checker excludes rather
 * than a stall it judges). */
static bool service_full(const struct sim *s, const struct sim_event *ev)
{
	const struct sim_node *sn = &s->node[ev->msg.to];

	return sn->serve_until > s->now && sn->waiting >= s->opt.mailbox;
}

/* Books the receiver's next service slot for ev, first come first served.
 * Returns true when that slot starts later than now: ev then waits in the
 * queue until it (reserved: it is handled then without booking again). */
static bool wait_for_service(struct sim *s, struct sim_event *ev)
{
	struct sim_node *sn = &s->node[ev->msg.to];
	int64_t start = sn->serve_until > s->now ? sn->serve_until : s->now;

	sn->serve_until = start + service_us(s, ev);
	if (start == s->now)
		return false;
	ev->at = start;
	ev->reserved = true;
	ev->waiting = true;
	sn->waiting++;
	if (eventq_push(&s->queue, ev) != 0) {
		sim_drop_copy(s, ev);
		sim_fail(s, SIM_FAILED_MEMORY);
	}
	return true;
}

/* A message's arrival, at its virtual time. */
void sim_arrive(struct sim *s, struct sim_event *ev)
{
	const struct raft_message *m = &ev->msg;
	struct harness_node *n;
	struct sim_mailbox *mb;

	if (m->to == RAFT_CLIENT) {
		sim_clients_receive(s, m);
		sim_drop_copy(s, ev);
		return;
	}
	n = &s->h.node[m->to];
	mb = &s->node[m->to].mailbox;
	if (ev->waiting) { /* its slot has come, whatever became of it */
		ev->waiting = false;
		s->node[m->to].waiting--;
	}
	switch (n->status) {
	case NODE_CRASHED:
		break;
	case NODE_PAUSED:
		if (mb->len < s->opt.mailbox) {
			mb->mail[mb->len++] = *ev; /* with its block */
			return;
		}
		/* lost, and said: the run asked for no loss */
		harness_report_loss(&s->h, m->from, m->to, s->h.tick);
		break;
	case NODE_UP:
		if (!ev->reserved && service_full(s, ev)) {
			/* a client's proposal is the load's to lose (as on
			 * threads): no peer's message was lost */
			if (m->from != RAFT_CLIENT)
				harness_report_loss(&s->h, m->from, m->to,
						    s->h.tick);
			break;
		}
		if (!ev->reserved && wait_for_service(s, ev))
			return;
		sim_replay_due(s, m->to);
		n->tick = s->h.tick;
		harness_node_step(n, m);
		sim_reschedule(s, m->to);
		sim_persist(s, m->to);
		break;
	}
	sim_drop_copy(s, ev);
}
