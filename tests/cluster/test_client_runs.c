/* test_client_runs.c - clients on threads (issue 11): whole threaded runs
 * with --clients in real time, and, driven by hand, the two things the
 * runtime asks of a node's client service: the writes of one drain of a
 * leader's mail leave as one proposal, and a node whose clock stood still
 * does not trust its lease.
 *
 * The real-time runs follow test_cluster.c: a tick of test_tick_ms(),
 * fixed seeds, bounds that a loaded 2-core machine or ThreadSanitizer
 * cannot break, and no sleeps: each run ends when its ticks are over.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "client/service.h"
#include "kv/kv.h"
#include "runtime/runtime.h"
#include "testhelp.h"
#include "testnet.h"
#include "testrun.h"

/* One threaded run: its options, figures, what its tap counted, and its
 * verdict text. */
struct client_fixture {
	struct raftsim_options opts;
	struct runtime_result result;
	uint64_t oks;            /* ok events in the history */
	uint64_t fenced_refused; /* fenced events, refused */
	uint64_t fenced_stale;   /* fenced events, accepted stale */
	uint64_t late;           /* late events */
	int code;
	char out[TESTRUN_OUT];
};

static void fixture_tap(void *ctx, const struct wev *ev)
{
	struct client_fixture *f = ctx;

	switch (ev->type) {
	case WEV_OK:
		f->oks++;
		break;
	case WEV_FENCED:
		if (ev->accepted)
			f->fenced_stale++;
		else
			f->fenced_refused++;
		break;
	case WEV_LATE:
		f->late++;
		break;
	default:
		break;
	}
}

static void configure(struct client_fixture *f, uint64_t ticks, uint64_t seed)
{
	options_default(&f->opts);
	f->opts.nodes = 3;
	f->opts.ticks = ticks;
	f->opts.tick_us = (uint64_t)test_tick_ms() * 1000;
	f->opts.seed = seed;
	f->opts.seed_given = true;
	f->opts.quiet = true;
	f->opts.clients = 4;
}

/* Runs the fixture's options on threads; keeps stdout (the verdict). */
static void run(struct client_fixture *f)
{
	struct harness_tap tap = {fixture_tap, f};
	FILE *out = tmpfile();
	FILE *err = tmpfile();
	size_t len;

	f->code = -1;
	f->out[0] = '\0';
	if (out == NULL || err == NULL) {
		CHECK(!"tmpfile");
		goto done;
	}
	f->code = runtime_run_with(&f->opts, out, err, &tap, &f->result);
	rewind(out);
	len = fread(f->out, 1, sizeof(f->out) - 1, out);
	f->out[len] = '\0';
	if (f->code != EXIT_PASS) {
		char text[4096];

		rewind(err);
		len = fread(text, 1, sizeof(text) - 1, err);
		text[len] = '\0';
		fprintf(stderr, "    exit %d\n%s%s", f->code, f->out, text);
	}
done:
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
}

static struct client_fixture *new_fixture(void)
{
	return calloc(1, sizeof(struct client_fixture));
}

/* What every clean client run shows: PASS with the history checked and
 * found linearizable, operations completed, none executed twice. */
static void check_clean(const struct client_fixture *f)
{
	CHECK_EQ(f->code, EXIT_PASS);
	CHECK_EQ(f->result.violations, 0);
	CHECK(f->result.clients.ok > 0);
	CHECK_EQ(f->oks, f->result.clients.ok);
	CHECK(strstr(f->out, "): linearizable;") != NULL);
	CHECK_EQ(f->result.stores.reexecuted, 0);
}

static uint64_t sum_service(const struct client_fixture *f, size_t offset)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < f->result.nodes; i++)
		sum += *(const uint64_t *)((const char *)&f->result.node[i]
						   .service +
					   offset);
	return sum;
}

#define SERVICE_SUM(f, field)                                                  \
	sum_service(f, offsetof(struct service_stats, field))

static void four_clients_on_threads_pass_linearizable(void)
{
	struct client_fixture *f = new_fixture();

	REQUIRE(f != NULL);
	configure(f, 100, 21);
	run(f);
	check_clean(f);
	/* Reads and writes both went through the log, some in batches. */
	CHECK(SERVICE_SUM(f, proposed) >= f->result.clients.ok);
	CHECK(SERVICE_SUM(f, batches) > 0);
	CHECK_EQ(SERVICE_SUM(f, reads_index), 0);
	free(f);
}

static void readindex_reads_on_threads_pass_linearizable(void)
{
	struct client_fixture *f = new_fixture();

	REQUIRE(f != NULL);
	configure(f, 100, 22);
	f->opts.reads = READS_READINDEX;
	run(f);
	check_clean(f);
	CHECK(SERVICE_SUM(f, reads_index) > 0);
	CHECK_EQ(SERVICE_SUM(f, reads_lease), 0);
	free(f);
}

static void lease_reads_on_threads_pass_linearizable(void)
{
	struct client_fixture *f = new_fixture();

	REQUIRE(f != NULL);
	configure(f, 100, 23);
	f->opts.reads = READS_LEASE;
	f->opts.check_quorum = true;
	run(f);
	check_clean(f);
	CHECK(SERVICE_SUM(f, reads_lease) > 0);
	free(f);
}

/* Lesson L05 on threads: the leader is frozen past the election timeout
 * and resumes. Its writes waiting for the fenced store then carry an old
 * term: refused, never accepted. Its reads go under the lease: the resume
 * clears it (its clock stood still), and the history stays linearizable. */
static void a_paused_leader_never_gets_a_stale_write_accepted(void)
{
	struct client_fixture *f = new_fixture();

	REQUIRE(f != NULL);
	configure(f, 120, 24);
	f->opts.fenced_store = true;
	f->opts.reads = READS_LEASE;
	f->opts.check_quorum = true;
	f->opts.pauses[0] = (struct fault_window){WHO_LEADER, 50, 40};
	f->opts.pause_count = 1;
	run(f);
	check_clean(f);
	CHECK_EQ(f->fenced_stale, 0);
	CHECK_EQ(f->result.stores.fenced.stats.stale_accepted, 0);
	CHECK_EQ(f->result.stores.fenced.stats.refused, f->fenced_refused);
	CHECK(f->result.stores.fenced.stats.accepted > 0);
	CHECK(f->result.stores.fenced.highest > 1); /* a new leader wrote */
	free(f);
}

/* A node's service by hand: node 0 of a testnet, with a kv store and a
 * reply counter. */
struct hand_service {
	struct testnet net;
	struct kv kv;
	struct service sv;
	unsigned replies;
};

static void count_reply(void *ctx, const uint8_t *bytes, size_t len)
{
	struct hand_service *hs = ctx;

	(void)bytes;
	(void)len;
	hs->replies++;
}

static int hand_service_init(struct hand_service *hs, unsigned clients,
			     enum service_reads reads,
			     void (*tweak)(struct raft_config *cfg))
{
	struct service_config cfg = {
		.node = 0, .reads = reads, .max_pending = clients};
	struct service_io io = {.ctx = hs, .reply = count_reply};
	struct kv_config kc;
	struct kv_hooks hooks;

	testnet_init(&hs->net, 3, 40, tweak);
	testnet_attach(&hs->net);
	testnet_elect(&hs->net, 0);
	testnet_settle(&hs->net);
	if (hs->net.nodes[0].role != RAFT_LEADER)
		return -1;
	if (service_init(&hs->sv, &cfg, &io, &hs->net.nodes[0], &hs->kv) != 0)
		return -1;
	kv_config_default(&kc);
	hooks = service_kv_hooks(&hs->sv);
	return kv_init(&hs->kv, &kc, &hooks);
}

static void hand_service_free(struct hand_service *hs)
{
	service_free(&hs->sv);
	kv_free(&hs->kv);
	testnet_free(&hs->net);
}

/* Client `client`'s request: a put, or a get. */
static size_t encode_request(uint8_t *buf, size_t cap, int client,
			     enum kv_op op)
{
	struct kv_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.op = (uint8_t)op;
	cmd.client = client;
	cmd.session = 1;
	cmd.seq = 1;
	cmd.lowest_unacked = 1;
	cmd.key.data = (const uint8_t *)"k1";
	cmd.key.len = 2;
	if (op == KV_PUT) {
		cmd.value.data = (const uint8_t *)"c0i1............";
		cmd.value.len = 16;
	}
	return kv_cmd_encode(&cmd, buf, cap);
}

/* The runtime hands a node the requests of one drain of its mailbox
 * (harness_node_take) and then says the drain is over
 * (harness_node_drained): the writes go to the core as one proposal, so
 * each follower gets one AppendEntries for them all. */
static void one_drains_writes_leave_in_one_append_entries(void)
{
	struct hand_service *hs = calloc(1, sizeof(*hs));
	uint8_t req[3][128];
	size_t len[3];
	uint64_t last;
	int i;

	REQUIRE(hs != NULL);
	REQUIRE(hand_service_init(hs, 3, SERVICE_READS_LOG, NULL) == 0);
	last = hs->net.nodes[0].last_log_index;
	for (i = 0; i < 3; i++) {
		len[i] = encode_request(req[i], sizeof(req[i]), i, KV_PUT);
		service_receive(&hs->sv, req[i], len[i]);
	}
	/* Staged, not yet proposed: nothing has left. */
	CHECK_EQ(hs->net.nodes[0].last_log_index, last);
	CHECK_EQ(testnet_count(&hs->net, RAFT_MSG_APPEND_ENTRIES, 0), 0);
	service_drain(&hs->sv);
	CHECK_EQ(hs->net.nodes[0].last_log_index, last + 3);
	CHECK_EQ(testnet_count(&hs->net, RAFT_MSG_APPEND_ENTRIES, 0), 2);
	CHECK_EQ(hs->sv.stats.proposed, 3);
	CHECK_EQ(hs->sv.stats.batches, 1);
	CHECK_EQ(hs->sv.pending_len, 3); /* each waits for its apply */
	/* One at a time (the simulator's step: a drain per message), each
	 * write is an AppendEntries of its own to each follower. */
	testnet_clear(&hs->net);
	for (i = 0; i < 3; i++) {
		service_receive(&hs->sv, req[i], len[i]);
		service_drain(&hs->sv);
	}
	CHECK_EQ(testnet_count(&hs->net, RAFT_MSG_APPEND_ENTRIES, 0), 6);
	CHECK_EQ(hs->sv.stats.batches, 4);
	hand_service_free(hs);
	free(hs);
}

/* A deposed leader's staged writes are answered NOT_LEADER at the drain,
 * not proposed. */
static void staged_writes_of_a_deposed_leader_are_refused_at_the_drain(void)
{
	struct hand_service *hs = calloc(1, sizeof(*hs));
	struct raft_message m;
	uint8_t req[128];
	uint64_t last;
	size_t len;

	REQUIRE(hs != NULL);
	REQUIRE(hand_service_init(hs, 2, SERVICE_READS_LOG, NULL) == 0);
	last = hs->net.nodes[0].last_log_index;
	len = encode_request(req, sizeof(req), 0, KV_PUT);
	service_receive(&hs->sv, req, len);
	/* A higher term arrives in the same drain: it steps down. */
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 1, 0,
			hs->net.nodes[0].current_term + 1);
	raft_step(&hs->net.nodes[0], &m);
	service_poll(&hs->sv);
	REQUIRE(hs->net.nodes[0].role == RAFT_FOLLOWER);
	hs->replies = 0;
	service_drain(&hs->sv);
	CHECK_EQ(hs->net.nodes[0].last_log_index, last);
	CHECK_EQ(hs->replies, 1);
	CHECK_EQ(hs->sv.stats.not_leader, 1);
	CHECK_EQ(hs->sv.pending_len, 0);
	hand_service_free(hs);
	free(hs);
}

static void with_check_quorum(struct raft_config *cfg)
{
	cfg->check_quorum = true;
}

/* One heartbeat round, acknowledged: ticks node 0 to its next round and
 * settles; every node ticks, so the followers hear it in time. */
static void heartbeat_round(struct hand_service *hs, uint64_t *tick)
{
	unsigned i;

	for (i = 0; i < hs->net.nodes[0].config.heartbeat_interval; i++) {
		(*tick)++;
		service_flush(&hs->sv, *tick);
		testnet_tick(&hs->net);
		testnet_settle(&hs->net);
	}
}

/* A leader thread that ran a tick or more late, or resumed from a pause,
 * counted fewer ticks than passed: a lease acknowledged before may have
 * run out unseen. The runtime (a late turn) and the harness (a resume)
 * clear its lease; its gets then go by ReadIndex until a majority has
 * acknowledged a later send. */
static void a_cleared_lease_sends_reads_by_readindex_until_acknowledged(void)
{
	struct hand_service *hs = calloc(1, sizeof(*hs));
	uint64_t tick = 0;
	uint8_t get[128];
	size_t len;

	REQUIRE(hs != NULL);
	REQUIRE(hand_service_init(hs, 2, SERVICE_READS_LEASE,
				  with_check_quorum) == 0);
	len = encode_request(get, sizeof(get), 0, KV_GET);
	heartbeat_round(hs, &tick);
	REQUIRE(raft_lease_valid(&hs->net.nodes[0]));
	service_receive(&hs->sv, get, len);
	CHECK_EQ(hs->sv.stats.reads_lease, 1);
	raft_lease_clear(&hs->net.nodes[0]);
	service_receive(&hs->sv, get, len);
	CHECK_EQ(hs->sv.stats.reads_lease, 1); /* by ReadIndex instead */
	CHECK_EQ(hs->sv.pending_len, 1);
	testnet_settle(&hs->net); /* its read round is acknowledged */
	service_poll(&hs->sv);
	CHECK_EQ(hs->sv.stats.reads_index, 1);
	heartbeat_round(hs, &tick);
	REQUIRE(raft_lease_valid(&hs->net.nodes[0]));
	service_receive(&hs->sv, get, len);
	CHECK_EQ(hs->sv.stats.reads_lease, 2);
	hand_service_free(hs);
	free(hs);
}

const struct test_case client_run_tests[] = {
	{"cluster: clients on threads: 4 clients PASS with operations "
	 "completed and a linearizable history",
	 four_clients_on_threads_pass_linearizable},
	{"cluster: clients on threads: --reads readindex (thesis §6.4) PASSes "
	 "linearizable, reads served by ReadIndex",
	 readindex_reads_on_threads_pass_linearizable},
	{"cluster: clients on threads: --reads lease with --check-quorum "
	 "(§6.4.1) PASSes linearizable, reads served under the lease",
	 lease_reads_on_threads_pass_linearizable},
	{"cluster: clients on threads: L05 a leader paused past the election "
	 "timeout never gets a stale write accepted by the fenced store, and "
	 "does not trust its lease after it resumes",
	 a_paused_leader_never_gets_a_stale_write_accepted},
	{"service: the writes of one drain of a leader's mail leave as one "
	 "proposal, one AppendEntries a follower",
	 one_drains_writes_leave_in_one_append_entries},
	{"service: the staged writes of a leader deposed within the drain are "
	 "answered not-leader, never proposed",
	 staged_writes_of_a_deposed_leader_are_refused_at_the_drain},
	{"service: §6.4.1 a leader whose lease was cleared (its clock stood "
	 "still) serves gets by ReadIndex until a later send is acknowledged",
	 a_cleared_lease_sends_reads_by_readindex_until_acknowledged},
	{NULL, NULL},
};
