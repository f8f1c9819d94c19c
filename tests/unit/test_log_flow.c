/* test_log_flow.c - the leader's flow control under a slow, reordering or
 * full follower (etcd's Progress and inflight limits, §5.3), the limit on
 * uncommitted proposals, and the refusal hint's cost. */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

/* Two nodes, leader 0 replicating to 1 one entry a message, at most 4 in
 * flight. */
static void one_entry_four_inflight(struct testnet *net, uint64_t seed)
{
	testnet_init(net, 2, seed, NULL);
	net->nodes[0].config.max_batch_bytes = 1;
	net->nodes[0].config.max_inflight_msgs = 4;
	testnet_attach(net);
	testnet_elect(net, 0);
	testnet_settle(net);
}

static void slow_follower_gets_nothing_twice(void)
{
	struct testnet net;
	struct raft_state *l;
	uint64_t sent0;
	int max_seen = 0;
	int c;
	int t;

	one_entry_four_inflight(&net, 16);
	l = &net.nodes[0];
	REQUIRE(l->progress[1].state == RAFT_PROGRESS_REPLICATE);
	sent0 = l->stats.heartbeats_sent;
	CHECK_EQ(testnet_propose(&net, 0, 40, 8), RAFT_OK);
	/* The follower's queue holds them for two heartbeat rounds. */
	for (t = 0; t < 6; t++)
		raft_tick(l);
	/* Then it works through its queue; replies flow back. */
	while (net.outbox_len > 0) {
		c = testnet_count_to(&net, RAFT_MSG_APPEND_ENTRIES, 1);
		if (c > max_seen)
			max_seen = c;
		testnet_deliver_at(&net, 0);
	}
	CHECK(max_seen <= 4 + 2); /* the limit, plus the two heartbeats */
	CHECK_EQ(l->stats.heartbeats_sent - sent0, 40 + 2);
	CHECK_EQ(net.nodes[1].last_log_index, 41);
	testnet_free(&net);
}

static void reordered_replies_keep_inflight_count(void)
{
	struct testnet net;
	struct raft_state *l;
	int i;
	int k;

	one_entry_four_inflight(&net, 16);
	l = &net.nodes[0];
	REQUIRE(l->progress[1].state == RAFT_PROGRESS_REPLICATE);
	testnet_propose(&net, 0, 40, 8); /* 4 in flight, 36 wait */
	for (k = 0; k < 3; k++) {
		/* Two AEs reach the follower; their replies swap. */
		REQUIRE(net.outbox[0].type == RAFT_MSG_APPEND_ENTRIES);
		testnet_deliver_at(&net, 0);
		testnet_deliver_at(&net, 0);
		REQUIRE(net.outbox[net.outbox_len - 1].type ==
			RAFT_MSG_APPEND_ENTRIES_REPLY);
		testnet_deliver_at(&net, net.outbox_len - 1);
		for (i = 0; i < net.outbox_len; i++)
			if (net.outbox[i].type == RAFT_MSG_APPEND_ENTRIES_REPLY)
				break;
		testnet_deliver_at(&net, i);
		CHECK_EQ(l->progress[1].inflight_msgs,
			 testnet_count_to(&net, RAFT_MSG_APPEND_ENTRIES, 1));
	}
	testnet_free(&net);
}

static int append_fails(void *ctx, const struct raft_entry *e, unsigned n)
{
	(void)ctx;
	(void)e;
	(void)n;
	return -1;
}

static void full_follower_is_retried_at_the_round(void)
{
	struct testnet net;
	struct raft_state *l;
	int (*append)(void *, const struct raft_entry *, unsigned);
	int t;

	testnet_init(&net, 2, 19, NULL);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	l = &net.nodes[0];
	append = net.nodes[1].storage.append;
	net.nodes[1].storage.append = append_fails; /* out of memory */
	CHECK_EQ(testnet_propose(&net, 0, 3, 8), RAFT_OK);
	testnet_deliver(&net, 2); /* the entries and the refusal */
	CHECK_EQ(net.nodes[1].stats.append_refused, 0); /* not a §5.3 one */
	CHECK_EQ(l->progress[1].state, RAFT_PROGRESS_PROBE);
	CHECK_EQ(l->progress[1].next_index, 2);
	CHECK_EQ(net.outbox_len, 0); /* no ping-pong */
	net.nodes[1].storage.append = append;
	for (t = 0; t < 3; t++)
		raft_tick(l); /* the round probes again */
	testnet_settle(&net);
	CHECK_EQ(net.nodes[1].last_log_index, 4);
	CHECK_EQ(l->commit_index, 4);
	testnet_free(&net);
}

static void cut_off_leader_bounds_uncommitted(void)
{
	struct testnet net;
	struct raft_state *l;
	uint64_t limit = 10 * (8 + RAFT_ENTRY_OVERHEAD);
	int accepted = 0;
	int rv = RAFT_OK;

	testnet_init(&net, 3, 20, NULL);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	l = &net.nodes[0];
	l->config.max_uncommitted_bytes = limit;
	net.cut[1] = net.cut[2] = 1;
	while (accepted < 100 && rv == RAFT_OK) {
		rv = testnet_propose(&net, 0, 1, 8);
		if (rv == RAFT_OK)
			accepted++;
	}
	CHECK_EQ(rv, RAFT_EBUSY);
	CHECK_EQ(accepted, 10);
	CHECK_EQ(l->last_log_index - l->commit_index, 10);
	net.cut[1] = net.cut[2] = 0;
	testnet_clear(&net);
	raft_tick(l);
	raft_tick(l);
	raft_tick(l);
	testnet_settle(&net);
	CHECK_EQ(l->commit_index, l->last_log_index);
	CHECK_EQ(testnet_propose(&net, 0, 1, 8), RAFT_OK);
	testnet_free(&net);
}

/* term_at, counted. */
static struct raft_storage counted_inner;
static int term_reads;

static uint64_t counted_term_at(void *ctx, uint64_t index)
{
	term_reads++;
	return counted_inner.term_at(ctx, index);
}

static void count_term_reads(struct raft_state *s)
{
	counted_inner = s->storage;
	s->storage.term_at = counted_term_at;
	term_reads = 0;
}

/* 10 entries of term 1, then 990 of term 2. */
static void two_terms(uint64_t *terms)
{
	int i;

	for (i = 0; i < 1000; i++)
		terms[i] = i < 10 ? 1 : 2;
}

static void follower_hint_reads_log_terms(void)
{
	static uint64_t terms[1000];
	struct testnet net;
	struct raft_message m;
	struct raft_message *r;

	two_terms(terms);
	testnet_init(&net, 2, 21, NULL);
	testnet_preload(&net, 1, 3, terms, 1000);
	testnet_attach(&net);
	count_term_reads(&net.nodes[1]);
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 0, 1, 3);
	m.u.ae.term = 3;
	m.u.ae.leader_id = 0;
	m.u.ae.prev_log_index = 1000;
	m.u.ae.prev_log_term = 3; /* it holds term 2 there */
	raft_step(&net.nodes[1], &m);
	REQUIRE(net.outbox_len == 1);
	r = &net.outbox[0];
	CHECK_EQ(r->u.ae_reply.success, 0);
	CHECK_EQ(r->u.ae_reply.conflict_term, 2);
	CHECK_EQ(r->u.ae_reply.conflict_index, 11);
	CHECK(term_reads <= 30); /* a binary search, not 990 steps */
	net.nodes[1].storage = counted_inner;
	testnet_free(&net);
}

static void leader_next_from_hint_reads_log_terms(void)
{
	static uint64_t terms[1000];
	struct testnet net;
	struct raft_message m;
	struct raft_state *l;

	two_terms(terms);
	testnet_init(&net, 2, 22, NULL);
	testnet_preload(&net, 0, 2, terms, 1000);
	testnet_attach(&net);
	testnet_elect(&net, 0); /* term 3, no-op at 1001 */
	testnet_clear(&net);
	l = &net.nodes[0];
	REQUIRE(l->role == RAFT_LEADER && l->last_log_index == 1001);
	l->progress[1].state = RAFT_PROGRESS_PROBE;
	l->progress[1].next_index = 1002;
	l->progress[1].match_index = 0;
	count_term_reads(l);
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES_REPLY, 1, 0, l->current_term);
	m.u.ae_reply.term = l->current_term;
	m.u.ae_reply.success = 0;
	m.u.ae_reply.rejected_index = 1001;
	m.u.ae_reply.conflict_term = 1; /* it holds term 1 there */
	m.u.ae_reply.conflict_index = 5;
	raft_step(l, &m);
	CHECK_EQ(l->progress[1].next_index, 11); /* after our last term 1 */
	CHECK(term_reads <= 40); /* a binary search, not 990 steps */
	l->storage = counted_inner;
	testnet_free(&net);
}

/* Leader 0 sends batches of 4 entries of 8 bytes, at most 8 batches'
 * bytes in flight, and no message limit to speak of. */
static void bytes_bound(struct raft_config *cfg)
{
	cfg->max_batch_bytes = 4 * (8 + RAFT_ENTRY_OVERHEAD);
	cfg->max_inflight_msgs = 1000;
	cfg->max_inflight_bytes = 8 * cfg->max_batch_bytes;
}

/* Entry bytes of the AppendEntries waiting in the outbox for node `to`. */
static uint64_t queued_bytes(const struct testnet *net, int to)
{
	const struct raft_message *m;
	uint64_t bytes = 0;
	int i;
	int k;

	for (i = 0; i < net->outbox_len; i++) {
		m = &net->outbox[i];
		if (m->type != RAFT_MSG_APPEND_ENTRIES || m->to != to)
			continue;
		for (k = 0; k < m->u.ae.entries_count; k++)
			bytes += m->u.ae.entries[k].len + RAFT_ENTRY_OVERHEAD;
	}
	return bytes;
}

/* Delivers, in order, everything but `keep` messages to node 2 (the
 * oldest ones of those go; the rest wait in order). */
static void deliver_all_but_to_2(struct testnet *net, int to_2)
{
	int i = 0;

	while (i < net->outbox_len) {
		if (net->outbox[i].to == 2 && to_2 == 0) {
			i++;
			continue;
		}
		if (net->outbox[i].to == 2)
			to_2--;
		testnet_deliver_at(net, i);
		i = 0;
	}
}

static int first_entries_to_2(const struct testnet *net)
{
	int i;

	for (i = 0; i < net->outbox_len; i++)
		if (net->outbox[i].type == RAFT_MSG_APPEND_ENTRIES &&
		    net->outbox[i].to == 2 &&
		    net->outbox[i].u.ae.entries_count > 0)
			return i;
	return -1;
}

static void queued_bytes_stay_within_inflight_limit(void)
{
	struct testnet net;
	struct raft_state *l;
	uint64_t limit;
	uint64_t most = 0;
	uint64_t q;
	int t;
	int i;

	testnet_init(&net, 3, 23, bytes_bound);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	l = &net.nodes[0];
	limit = l->config.max_inflight_bytes + l->config.max_batch_bytes;
	/* Node 2 handles nothing for 200 ticks, then 2 messages a tick and
	 * loses one now and then: its progress goes back to PROBE (lost
	 * messages, refusals) again and again. */
	for (t = 0; t < 400; t++) {
		CHECK_EQ(testnet_propose(&net, 0, 8, 8), RAFT_OK);
		raft_tick(l);
		if (t >= 200 && t % 10 == 0 &&
		    (i = first_entries_to_2(&net)) >= 0)
			testnet_drop_at(&net, i);
		deliver_all_but_to_2(&net, t < 200 ? 0 : 2);
		q = queued_bytes(&net, 2);
		if (q > most)
			most = q;
	}
	CHECK(most <= limit);
	CHECK(most >= l->config.max_inflight_bytes); /* it did fill up */
	/* Handled at full speed, it catches up. */
	for (t = 0; t < 20; t++) {
		raft_tick(l);
		testnet_settle(&net);
	}
	CHECK_EQ(net.nodes[2].last_log_index, l->last_log_index);
	CHECK_EQ(l->progress[2].match_index, l->last_log_index);
	testnet_free(&net);
}

const struct test_case log_flow_tests[] = {
	{"flow control: a follower slower than a heartbeat round is sent "
	 "nothing twice and never more than max_inflight_msgs entries "
	 "messages",
	 slow_follower_gets_nothing_twice},
	{"flow control: reordered replies leave the inflight count at the "
	 "messages really in flight",
	 reordered_replies_keep_inflight_count},
	{"flow control: a follower out of memory is tried again at the next "
	 "heartbeat round, not at once",
	 full_follower_is_retried_at_the_round},
	{"flow control: a leader cut off from its majority refuses proposals "
	 "past max_uncommitted_bytes (RAFT_EBUSY)",
	 cut_off_leader_bounds_uncommitted},
	{"thesis §5.3: a follower finds its conflict hint by binary search "
	 "over term_at",
	 follower_hint_reads_log_terms},
	{"thesis §5.3: a leader finds its next index from the hint by binary "
	 "search over term_at",
	 leader_next_from_hint_reads_log_terms},
	{"flow control: the entry bytes queued for a follower never pass "
	 "max_inflight_bytes plus one batch, whether it stalls, loses "
	 "messages or goes back to probing",
	 queued_bytes_stay_within_inflight_limit},
	{NULL, NULL},
};
