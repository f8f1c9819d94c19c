/* raft_read.c - reads that skip the log: ReadIndex and the leader lease
 * (thesis §6.4, §6.4.1; the contract is in raft_state.h).
 *
 * ReadIndex. A read is linearizable if the leader's commit index when it
 * arrived is applied before it is answered, and the leader was still
 * leader after it arrived. The second is shown by a majority answering
 * an AppendEntries sent after the read arrived: a leader of a higher
 * term needs a majority in that term, and the two majorities share a
 * node, which would have answered with the higher term instead. Rounds
 * name "sent after": every AppendEntries carries read_round, every reply
 * in the same term echoes it, and a read registered while round r is the
 * current one waits for r + 1 (or for r if it began r itself), which no
 * message carried before. The counter only grows, so a round that a
 * node registered in an earlier leadership is below read_round_first and
 * never ready: regaining leadership later says nothing about the time in
 * between, in which another leader may have committed.
 *
 * Batching: a read begins a round at once only when none is outstanding.
 * Reads arriving while one is unanswered wait for the next, which begins
 * when it is acknowledged or with the next heartbeat round, whichever is
 * first; at most two are outstanding (then the heartbeats carry the newer
 * again, in case its messages were lost). So reads add at most one
 * broadcast per round trip, however many there are.
 */
#include <assert.h>

#include "raft_internal.h"

/* Rounds begun and not yet acknowledged by a majority: 0, 1 or 2. */
static uint64_t outstanding(const struct raft_state *s)
{
	return s->read_round - s->read_confirmed;
}

static void round_check(struct raft_state *s);

/* Begins round read_round + 1 for the reads waiting; its messages are
 * the caller's (a broadcast, or the heartbeat round being sent). */
static void round_begin(struct raft_state *s)
{
	assert(outstanding(s) <= 1);
	if (outstanding(s) == 0)
		s->read_acks = 0; /* the new round is the one counted */
	s->read_round++;
	s->reads_previous = s->reads_current;
	s->reads_current = s->reads_waiting;
	s->reads_waiting = 0;
	s->stats.read_rounds++;
}

/* A round for reads, at once: an empty AppendEntries to every peer, with
 * prev at what it is known to hold (raft_heartbeat_to), whatever state
 * its progress is in, so that a peer receiving a snapshot answers too. */
static void round_start(struct raft_state *s)
{
	int i;

	round_begin(s);
	for (i = 0; i < s->config.node_count; i++)
		if (i != s->config.id)
			raft_heartbeat_to(s, i);
	round_check(s);
}

/* Peers that echoed at least `round`. */
static int acks_for(const struct raft_state *s, uint64_t round)
{
	int count = 0;
	int i;

	for (i = 0; i < s->config.node_count; i++)
		if (i != s->config.id && s->progress[i].read_acked >= round)
			count++;
	return count;
}

/* Confirms the oldest outstanding round while a majority (this node
 * included) echoed it; read_acks counts the peers for that one, and is
 * counted afresh (once a round) when the next becomes the oldest. With
 * none left, reads waiting get their round at once. */
static void round_check(struct raft_state *s)
{
	while (outstanding(s) > 0 && s->read_acks + 1 >= raft_majority(s)) {
		if (outstanding(s) == 2) {
			s->stats.reads_confirmed += s->reads_previous;
			s->reads_previous = 0;
		} else {
			s->stats.reads_confirmed += s->reads_current;
			s->reads_current = 0;
		}
		s->read_confirmed++;
		s->read_acks = acks_for(s, s->read_confirmed + 1);
	}
	if (outstanding(s) == 0 && s->reads_waiting > 0)
		round_start(s);
}

void raft_read_reset(struct raft_state *s)
{
	int i;

	assert(s->role == RAFT_LEADER);
	s->read_round++;
	s->read_round_first = s->read_round;
	s->read_confirmed = s->read_round - 1;
	s->read_acks = 0;
	s->reads_waiting = 0;
	s->reads_current = 0;
	s->reads_previous = 0;
	s->lease_floor = s->now;
	for (i = 0; i < s->config.node_count; i++) {
		s->progress[i].read_acked = 0;
		s->progress[i].lease_acked = 0;
	}
	round_check(s); /* a single node confirms its own rounds */
}

void raft_read_stamp(const struct raft_state *s, struct append_entries_msg *ae)
{
	ae->read_round = s->read_round;
	ae->sent_at = s->now;
}

/* At most two rounds are outstanding: when both are, the heartbeat
 * carries the newer again (its messages may be the lost ones) and the
 * reads keep waiting. */
void raft_read_heartbeat(struct raft_state *s)
{
	if (s->reads_waiting > 0 && outstanding(s) <= 1)
		round_begin(s);
}

void raft_read_ack(struct raft_state *s, const struct raft_message *m)
{
	const struct append_entries_reply *r = &m->u.ae_reply;
	struct raft_progress *pr = &s->progress[m->from];
	uint64_t oldest = s->read_confirmed + 1;

	assert(s->role == RAFT_LEADER && m->term == s->current_term);
	/* Not an echo of this leadership's (a leader's own refusal, or
	 * nonsense): nothing to learn. */
	if (r->read_round < s->read_round_first ||
	    r->read_round > s->read_round || r->sent_at > s->now)
		return;
	if (r->sent_at > pr->lease_acked)
		pr->lease_acked = r->sent_at;
	if (r->read_round <= pr->read_acked)
		return;
	if (pr->read_acked < oldest && r->read_round >= oldest)
		s->read_acks++;
	pr->read_acked = r->read_round;
	round_check(s);
}

/* §6.4 step 1: a new leader's commit index may lag its predecessor's
 * until it commits an entry of its own term (its no-op). */
static bool committed_own_term(const struct raft_state *s)
{
	return s->has_log && s->commit_index > 0 &&
	       raft_term_at(s, s->commit_index) == s->current_term;
}

int raft_read_index(struct raft_state *s, uint64_t *read_index, uint64_t *round)
{
	if (s->role != RAFT_LEADER)
		return RAFT_ENOTLEADER;
	if (!s->has_log)
		return RAFT_ENOLOG;
	if (!committed_own_term(s))
		return RAFT_EBUSY;
	*read_index = s->commit_index;
	s->reads_waiting++;
	if (s->read_confirmed >= s->read_round) {
		round_start(s); /* nothing outstanding: ask at once */
		*round = s->read_round;
	} else {
		*round = s->read_round + 1;
	}
	return RAFT_OK;
}

bool raft_read_ready(const struct raft_state *s, uint64_t round)
{
	return s->role == RAFT_LEADER && round >= s->read_round_first &&
	       round <= s->read_confirmed;
}

/* How long a lease lasts past the send a majority acknowledged, in this
 * leader's ticks.
 *
 * A follower that takes an AppendEntries at real time h restarts its
 * election timer and, with check_quorum, ignores vote requests until its
 * election_min-th tick after h (raft_step.c's in_leader_lease); it also
 * cannot time out before then. Its ticks come every d_f, at a phase of its
 * own (the simulator offsets node i by i/n of a tick; threads tick
 * independently), so the first may fall at once after h: it grants no
 * vote before h + (election_min - 1) d_f. Ticks never run early (a late
 * thread replays them after their deadlines), which only delays that.
 * h is after the leader sent at its tick t, so after the real time T_t of
 * that tick. A majority that acknowledged it (this leader, which votes
 * for nobody while it leads, included) meets every other leader's
 * majority, so none is elected before T_t + (election_min - 1) d_f.
 *
 * The leader serves a read while now = N, so before its tick N + 1 at
 * T_t + (N + 1 - t) d_l (its clock current, raft_state.h). Safe when
 * (N + 1 - t) d_l <= (election_min - 1) d_f. With d_f >= 7/8 d_l (no
 * tick shorter than 7/8 of another's), N + 1 - t <= floor((election_min -
 * 1) * 7/8) suffices: now - t < lease_ticks. With election_min 10 that
 * is 7 ticks of 10: the lease ends 3 ticks before a follower may vote.
 *
 * CheckQuorum never cuts a lease short: the replies that made it came
 * after sends at t or later, so a majority was heard less than
 * election_min ago while it holds. A leader that stepped down, by
 * CheckQuorum or a higher term, holds none (the role is checked first),
 * and may then vote at once; only its own reads depended on it. A paused
 * leader's now stands still while real time goes on: raft_state.h says
 * what the driver does about it (raft_lease_clear). */
static uint64_t lease_ticks(const struct raft_state *s)
{
	return (uint64_t)(s->config.election_min - 1) * 7 / 8;
}

/* The latest tick t at which this leader sent AppendEntries that a
 * majority (itself included, at now) acknowledged in this leadership and
 * since lease_floor; false when there is none. */
static bool lease_start(const struct raft_state *s, uint64_t *t)
{
	uint64_t acked[RAFT_MAX_NODES];
	int need = raft_majority(s) - 1;
	int n = 0;
	int i;

	for (i = 0; i < s->config.node_count; i++) {
		const struct raft_progress *pr = &s->progress[i];

		if (i != s->config.id &&
		    pr->read_acked >= s->read_round_first &&
		    pr->lease_acked >= s->lease_floor)
			acked[n++] = pr->lease_acked;
	}
	if (need == 0) {
		*t = s->now;
		return true;
	}
	if (n < need)
		return false;
	*t = raft_kth_largest(acked, n, need);
	return true;
}

bool raft_lease_valid(const struct raft_state *s)
{
	uint64_t t;

	if (!s->config.check_quorum || s->role != RAFT_LEADER ||
	    !committed_own_term(s) || !lease_start(s, &t))
		return false;
	return s->now - t < lease_ticks(s);
}

void raft_lease_clear(struct raft_state *s)
{
	/* A send at `now` may have come before the clock fell behind. */
	s->lease_floor = s->now + 1;
}
