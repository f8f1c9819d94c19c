/* test_clients.c - the sequential clients (src/client/clients.c) against a
 * fake cluster (fake_cluster.c), in virtual time: the life clients.h
 * describes, thesis §6.3.
 */
#include <stdio.h>
#include <string.h>

#include "failpoint.h"
#include "fake_cluster.h"
#include "testhelp.h"

#define FOREVER INT64_MAX

static struct fake_cluster fk;

static size_t sends_of(const struct fake_cluster *f, int client, uint64_t seq)
{
	size_t i, n = 0;

	for (i = 0; i < f->nsent; i++)
		if (f->sent[i].client == client &&
		    f->sent[i].op != KV_REGISTER && f->sent[i].seq == seq)
			n++;
	return n;
}

static const struct fake_sent *last_sent(const struct fake_cluster *f)
{
	return f->nsent > 0 ? &f->sent[f->nsent - 1] : NULL;
}

static void one_operation_outstanding(void)
{
	struct client_config cfg = fake_config(3, 4);
	uint64_t seq[4] = {0}, invokes[4] = {0};
	int open[4] = {0};
	size_t i;

	cfg.max_ops = 400;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fk.leader = fk.hint = 1;
	fk.dup_replies = true; /* every answer comes twice */
	fake_run(&fk, FOREVER);
	/* Per client: invoke, its completion, invoke, ... */
	for (i = 0; i < fk.nhist; i++) {
		const struct hist_event *ev = &fk.hist[i].ev;

		if (ev->type == HIST_INVOKE) {
			CHECK_EQ(open[ev->client], 0);
			open[ev->client] = 1;
			invokes[ev->client]++;
		} else {
			CHECK_EQ(open[ev->client], 1);
			open[ev->client] = 0;
		}
	}
	/* One seq at a time, acknowledging all before it. */
	for (i = 0; i < fk.nsent; i++) {
		const struct fake_sent *s = &fk.sent[i];

		if (s->op == KV_REGISTER)
			continue;
		CHECK_EQ(s->lowest_unacked, s->seq);
		CHECK(s->seq == seq[s->client] || s->seq == seq[s->client] + 1);
		seq[s->client] = s->seq;
	}
	for (i = 0; i < 4; i++)
		CHECK_EQ(seq[i], invokes[i]);
	CHECK_EQ(fk.clients.stats.invoked, 400);
	CHECK_EQ(fk.clients.stats.ok, 400);
	CHECK_EQ(fk.executed, 400); /* the second copies changed nothing */
	fake_free(&fk);
}

static void registers_before_its_first_invoke(void)
{
	struct client_config cfg = fake_config(3, 2);
	size_t i, first_op = 0, registrations = 0;
	int n;

	cfg.max_ops = 10;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	for (n = 0; n < 3; n++)
		fk.mode[n] = FAKE_SILENT;
	fake_run(&fk, 100000);
	CHECK_EQ(fake_count(&fk, -1), 0);
	for (i = 0; i < fk.nsent; i++) {
		CHECK_EQ(fk.sent[i].op, KV_REGISTER);
		CHECK(fk.sent[i].session == 0 && fk.sent[i].seq == 0);
		registrations += fk.sent[i].client == 0;
	}
	/* It keeps trying, backing off: 3 tries, 20 ms, 3 tries, 40 ms. */
	CHECK_EQ(registrations, 6);
	CHECK_EQ(fk.clients.stats.sessions, 0);

	for (n = 0; n < 3; n++)
		fk.mode[n] = FAKE_SERVE;
	fake_run(&fk, 400000);
	CHECK_EQ(fk.clients.stats.sessions, 2);
	REQUIRE(fake_count(&fk, HIST_INVOKE) > 0);
	for (i = 0; i < fk.nsent; i++)
		if (fk.sent[i].op != KV_REGISTER && first_op == 0)
			first_op = i;
	REQUIRE(first_op > 0);
	CHECK(fk.sent[first_op].session >= 1 && fk.sent[first_op].session <= 2);
	CHECK_EQ(fk.sent[first_op].seq, 1);
	fake_free(&fk);
}

static void not_leader_goes_to_the_hint_at_once(void)
{
	struct client_config cfg = fake_config(3, 1);

	cfg.max_ops = 3;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fk.leader = fk.hint = 2;
	fake_run(&fk, FOREVER);
	REQUIRE(fk.nsent >= 2);
	CHECK_EQ(fk.sent[0].node, 0); /* client 0 starts at node 0 */
	CHECK_EQ(fk.sent[1].node, 2);
	CHECK_EQ(fk.sent[1].us, 2 * FAKE_LATENCY_US); /* no pause */
	CHECK_EQ(fk.sent[1].op, KV_REGISTER);
	CHECK_EQ(fk.nsent, 2 + 3); /* then it stays with the leader */
	CHECK_EQ(fk.clients.stats.redirects, 1);
	CHECK_EQ(fk.clients.stats.ok, 3);
	fake_free(&fk);
}

static void without_a_hint_tries_the_next_node_after_a_pause(void)
{
	struct client_config cfg = fake_config(3, 1);

	cfg.max_ops = 1;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fk.leader = 1;
	fk.hint = -1;
	fake_run(&fk, FOREVER);
	REQUIRE(fk.nsent >= 2);
	CHECK_EQ(fk.sent[1].node, 1);
	CHECK(fk.sent[1].us >= 2 * FAKE_LATENCY_US + cfg.timeout_us / 10);
	CHECK(fk.sent[1].us <= 2 * FAKE_LATENCY_US + cfg.timeout_us / 5);
	CHECK_EQ(fk.clients.stats.ok, 1);
	fake_free(&fk);
}

static void a_timeout_retries_the_same_seq_at_another_node(void)
{
	struct client_config cfg = fake_only(KV_PUT, 3, 1);
	const struct fake_sent *first, *retry;

	cfg.max_ops = 1;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fake_run(&fk, 2 * FAKE_LATENCY_US); /* registered, op 1 sent */
	REQUIRE(fk.nsent == 2);
	fk.mode[0] = FAKE_EXEC_SILENT; /* executes it, the reply is lost */
	fake_run(&fk, 3 * FAKE_LATENCY_US);
	fk.mode[0] = FAKE_SERVE;
	fake_run(&fk, FOREVER);
	REQUIRE(fk.nsent >= 3);
	first = &fk.sent[1];
	retry = &fk.sent[2];
	CHECK_EQ(retry->us, first->us + cfg.timeout_us);
	CHECK_EQ(retry->node, 1);
	CHECK_EQ(retry->seq, first->seq);
	CHECK(retry->len == first->len &&
	      memcmp(retry->bytes, first->bytes, first->len) == 0);
	/* Node 1 sends it back to node 0, whose session answers it from
	 * its cache: executed once, ok. */
	CHECK_EQ(fk.executed, 1);
	CHECK_EQ(fk.clients.stats.ok, 1);
	CHECK_EQ(fk.clients.stats.timeouts, 1);
	fake_free(&fk);
}

/* Registers, then every node goes silent; one operation of `op`. */
static void run_unanswered(enum kv_op op, enum fake_mode leader_mode)
{
	struct client_config cfg = fake_only(op, 3, 1);
	int n;

	cfg.max_ops = 1;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fake_run(&fk, 2 * FAKE_LATENCY_US);
	for (n = 0; n < 3; n++)
		fk.mode[n] = FAKE_SILENT;
	fk.mode[0] = leader_mode;
	fake_run(&fk, FOREVER);
}

static void after_all_timeouts_a_write_is_info_and_a_get_fail(void)
{
	const struct hist_event *end;

	run_unanswered(KV_PUT, FAKE_EXEC_SILENT);
	CHECK_EQ(fk.executed, 1); /* it did take effect: info is the truth */
	CHECK_EQ(sends_of(&fk, 0, 1), 3); /* 1 + retries */
	REQUIRE(fk.nhist == 2);
	end = &fk.hist[1].ev;
	CHECK_EQ(end->type, HIST_INFO);
	CHECK_EQ(end->us, fk.hist[0].ev.us + 3 * 10000);
	CHECK(clients_done(&fk.clients));
	fake_free(&fk);

	run_unanswered(KV_GET, FAKE_SILENT);
	CHECK_EQ(sends_of(&fk, 0, 1), 3);
	REQUIRE(fk.nhist == 2);
	CHECK_EQ(fk.hist[1].ev.type, HIST_FAIL);
	CHECK_EQ(fk.clients.stats.failed, 1);
	fake_free(&fk);
}

/* Registers with node 0 leading, then the cluster refuses. */
static void run_refused(enum fake_mode mode, bool first_lost)
{
	struct client_config cfg = fake_only(KV_APPEND, 3, 1);
	int n;

	cfg.max_ops = 1;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fake_run(&fk, 2 * FAKE_LATENCY_US);
	fk.leader = fk.hint = -1;
	fk.dup_replies = true; /* a second refusal is the same refusal */
	for (n = 0; n < 3; n++)
		fk.mode[n] = mode;
	if (first_lost)
		fk.mode[0] = FAKE_EXEC_SILENT;
	fake_run(&fk, 3 * FAKE_LATENCY_US);
	fk.mode[0] = mode;
	fake_run(&fk, FOREVER);
}

static void a_write_refused_everywhere_is_fail(void)
{
	run_refused(FAKE_SERVE, false);   /* NOT_LEADER, no hint */
	CHECK_EQ(sends_of(&fk, 0, 1), 9); /* a tour per try */
	REQUIRE(fk.nhist == 2);
	CHECK_EQ(fk.hist[1].ev.type, HIST_FAIL);
	CHECK_EQ(fk.clients.stats.redirects, 9);
	fake_free(&fk);

	run_refused(FAKE_BUSY, false); /* RETRY */
	REQUIRE(fk.nhist == 2);
	CHECK_EQ(fk.hist[1].ev.type, HIST_FAIL);
	CHECK_EQ(fk.executed, 0);
	fake_free(&fk);
}

static void a_write_refused_after_a_timeout_is_info(void)
{
	run_refused(FAKE_SERVE, true);
	CHECK_EQ(fk.clients.stats.timeouts, 1);
	REQUIRE(fk.nhist == 2);
	CHECK_EQ(fk.hist[1].ev.type, HIST_INFO);
	fake_free(&fk);
}

static void a_reply_for_an_old_seq_is_ignored(void)
{
	struct client_config cfg = fake_only(KV_GET, 3, 1);
	struct kv_reply old = {.status = KV_STATUS_OK,
			       .client = 0,
			       .seq = 1,
			       .found = true,
			       .leader_hint = -1};
	size_t sent;

	cfg.max_ops = 2;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fake_run(&fk, 4 * FAKE_LATENCY_US); /* op 1 done, op 2 sent */
	REQUIRE(fk.nhist == 3);
	fk.mode[0] = FAKE_SILENT;
	old.value.data = (const uint8_t *)"c0i99";
	old.value.len = 5;
	fake_reply_later(&fk, &old);
	old.status = KV_STATUS_NOT_LEADER;
	old.leader_hint = 2;
	fake_reply_later(&fk, &old);
	old.seq = 0; /* a registration's */
	fake_reply_later(&fk, &old);
	sent = fk.nsent;
	fake_run(&fk, 4 * FAKE_LATENCY_US + cfg.timeout_us - 1);
	CHECK_EQ(fk.nhist, 3);    /* op 2 still open */
	CHECK_EQ(fk.nsent, sent); /* and not redirected */
	CHECK_EQ(fk.clients.stats.redirects, 0);
	old.seq = 2;
	old.status = KV_STATUS_OK;
	fake_reply_later(&fk, &old);
	fake_run(&fk, FOREVER);
	REQUIRE(fk.nhist == 4);
	CHECK_EQ(fk.hist[3].ev.type, HIST_OK);
	CHECK(fk.hist[3].ev.value.len == 5 &&
	      memcmp(fk.hist[3].ev.value.s, "c0i99", 5) == 0);
	fake_free(&fk);
}

/* Session expiry ends the operation, and the client registers again;
 * its seq keeps growing so old replies never match. timed_out: op 2's
 * first attempt is lost first. */
static void run_expired(bool timed_out)
{
	struct client_config cfg = fake_only(KV_PUT, 3, 1);

	cfg.max_ops = 3;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fake_run(&fk, 4 * FAKE_LATENCY_US); /* op 1 done, op 2 sent */
	fk.session[1].gone = true;
	if (timed_out) {
		fk.mode[0] = FAKE_SILENT;
		fake_run(&fk, 5 * FAKE_LATENCY_US);
		fk.mode[0] = FAKE_SERVE;
	}
	fake_run(&fk, FOREVER);
}

static void an_expired_session_ends_the_op_and_registers_again(void)
{
	const struct fake_sent *s;

	run_expired(false);
	REQUIRE(fk.nhist == 6);
	CHECK_EQ(fk.hist[3].ev.type, HIST_FAIL);
	CHECK_EQ(fk.hist[5].ev.type, HIST_OK);
	CHECK_EQ(fk.clients.stats.expired, 1);
	CHECK_EQ(fk.clients.stats.sessions, 2);
	s = last_sent(&fk);
	REQUIRE(s != NULL);
	CHECK_EQ(s->session, 2);
	CHECK_EQ(s->seq, 3);
	fake_free(&fk);

	run_expired(true);
	REQUIRE(fk.nhist == 6);
	CHECK_EQ(fk.hist[3].ev.type, HIST_INFO);
	fake_free(&fk);
}

/* Every 5 ms the leader changes (or there is none), hints may be wrong,
 * a node may go silent and a session may expire; 10% of the messages are
 * lost. */
static void run_chaos(uint64_t seed)
{
	struct client_config cfg = fake_config(3, 4);
	struct raft_rng rng;
	int64_t t;
	int n;

	cfg.seed = seed;
	cfg.max_ops = 1000;
	cfg.read_ratio = 0.2;
	raft_rng_seed(&rng, seed);
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fk.loss = 0.1;
	for (t = 5000; !clients_done(&fk.clients); t += 5000) {
		fake_run(&fk, t);
		fk.leader = (int)raft_rng_range(&rng, 0, 3) - 1;
		fk.hint = raft_rng_chance(&rng, 0.8)
				  ? fk.leader
				  : (int)raft_rng_range(&rng, 0, 3) - 1;
		for (n = 0; n < 3; n++)
			fk.mode[n] = raft_rng_chance(&rng, 0.1) ? FAKE_SILENT
								: FAKE_SERVE;
		if (fk.sessions > 0 && raft_rng_chance(&rng, 0.05))
			fk.session[raft_rng_range(&rng, 1, fk.sessions)].gone =
				true;
	}
}

static void fail_means_not_executed_and_ok_means_executed(void)
{
	uint64_t seed;
	size_t i, ended[3] = {0};

	for (seed = 1; seed <= 5; seed++) {
		run_chaos(seed);
		for (i = 0; i < fk.nhist; i++) {
			const struct hist_event *ev = &fk.hist[i].ev;
			/* a client's seq grows with its ids: seq == id */
			bool done = fk.done[ev->client][ev->id];

			if (ev->type == HIST_INVOKE || ev->op == HIST_GET)
				continue;
			if (ev->type == HIST_OK)
				CHECK(done);
			if (ev->type == HIST_FAIL)
				CHECK(!done);
			ended[ev->type - HIST_OK]++;
		}
		fake_free(&fk);
	}
	/* The faults did bite: each ending shows up. */
	CHECK(ended[0] > 1000 && ended[1] > 0 && ended[2] > 100);
}

static void max_ops_stops_invoking_and_then_clients_are_done(void)
{
	struct client_config cfg = fake_config(3, 4);

	cfg.max_ops = 37;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	CHECK(!clients_done(&fk.clients));
	fake_run(&fk, 1000); /* 4 clients, 200 us a round trip */
	CHECK(!clients_done(&fk.clients));
	fake_run(&fk, FOREVER);
	CHECK(clients_done(&fk.clients));
	CHECK_EQ(fk.clients.stats.invoked, 37);
	CHECK_EQ(fake_count(&fk, HIST_INVOKE), 37);
	CHECK_EQ(fake_count(&fk, -1), 74);
	CHECK_EQ(clients_next_timer(&fk.clients), FOREVER);
	CHECK_EQ(fk.msgs, 0);
	fake_free(&fk);
}

static void stop_leaves_the_outstanding_operations_open(void)
{
	struct client_config cfg = fake_config(3, 2);
	size_t n;

	REQUIRE(fake_start(&fk, &cfg) == 0);
	fake_run(&fk, 5000);
	clients_stop(&fk.clients);
	n = fk.nhist;
	CHECK(fake_count(&fk, HIST_INVOKE) > fake_count(&fk, HIST_OK));
	fake_run(&fk, FOREVER); /* the replies in flight change nothing */
	CHECK_EQ(fk.nhist, n);
	CHECK(clients_done(&fk.clients));
	CHECK_EQ(clients_next_timer(&fk.clients), FOREVER);
	fake_free(&fk);
}

static void init_without_memory_fails_and_leaks_nothing(void)
{
	struct client_config cfg = fake_config(3, 4);
	struct clients c;
	struct clients_io io;
	long k, failed = 0;
	int rv = -1;

	REQUIRE(fake_init(&fk, &cfg) == 0);
	io = fk.clients.io; /* nothing is sent before clients_start */
	for (k = 1; k < 20; k++) {
		failpoint_arm(k);
		rv = clients_init(&c, &cfg, &io);
		if (rv != 0)
			CHECK_EQ(failpoint_live(), 0);
		failpoint_disarm();
		if (rv == 0)
			break;
		failed++;
	}
	CHECK(failed >= 3);
	REQUIRE(rv == 0);
	clients_free(&c);
	fake_free(&fk);
}

const struct test_case clients_tests[] = {
	{"§6.3: a client has one operation outstanding, and ignores the "
	 "second copy of a reply",
	 one_operation_outstanding},
	{"§6.3: a client registers its session before its first invoke, and "
	 "keeps trying, backing off",
	 registers_before_its_first_invoke},
	{"clients: a NOT_LEADER reply sends the request to the hint at once",
	 not_leader_goes_to_the_hint_at_once},
	{"clients: NOT_LEADER without a hint: the next node, after a pause",
	 without_a_hint_tries_the_next_node_after_a_pause},
	{"§6.3: a client retries a timed-out request, same seq, at another "
	 "node; the session executes it once",
	 a_timeout_retries_the_same_seq_at_another_node},
	{"clients: after (1 + retries) timeouts a write records info and a "
	 "get fail",
	 after_all_timeouts_a_write_is_info_and_a_get_fail},
	{"clients: a write refused everywhere records fail",
	 a_write_refused_everywhere_is_fail},
	{"clients: a write refused after one of its attempts timed out "
	 "records info",
	 a_write_refused_after_a_timeout_is_info},
	{"clients: a reply for an old seq or a registration is ignored",
	 a_reply_for_an_old_seq_is_ignored},
	{"§6.3: an expired session ends the operation (fail, or info after a "
	 "timeout) and the client registers again",
	 an_expired_session_ends_the_op_and_registers_again},
	{"clients: under loss, leader changes and expiry, a write recorded "
	 "fail was never executed, one recorded ok was",
	 fail_means_not_executed_and_ok_means_executed},
	{"clients: max_ops stops invoking, then clients_done holds",
	 max_ops_stops_invoking_and_then_clients_are_done},
	{"clients: stop leaves the outstanding operations open",
	 stop_leaves_the_outstanding_operations_open},
	{"clients: init without memory fails and leaks nothing",
	 init_without_memory_fails_and_leaks_nothing},
	{NULL, NULL},
};
