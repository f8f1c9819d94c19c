/* test_tcp_client_fake.c - `raftsim client` (client_main, in this process)
 * against two fake nodes behind a real TCP transport on loopback (port 0):
 * node 0 refuses with a hint to node 1, node 1 keeps one key. It checks
 * what only the wire shows: the words' key and values in the requests,
 * the session, the leader hint followed, and the history lines. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/tcp_commands.h"
#include "clitest.h"
#include "kv/kv.h"
#include "net/tcp.h"
#include "testhelp.h"
#include "testrun.h"

struct fake {
	struct tcp_transport *t;
	pthread_mutex_t mu;
	bool present;
	char value[64];
	uint32_t len;
	unsigned refused;   /* requests node 0 sent on to node 1 */
	unsigned requests;  /* operations node 1 executed */
	unsigned other_key; /* of those, on a key other than "key1" */
};

static void answer(struct fake *f, int node, const struct kv_cmd *cmd,
		   struct kv_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->client = cmd->client;
	rep->seq = cmd->seq;
	rep->leader_hint = -1;
	if (node == 0) {
		rep->status = KV_STATUS_NOT_LEADER;
		rep->leader_hint = 1;
		f->refused++;
		return;
	}
	rep->status = KV_STATUS_OK;
	if (cmd->op == KV_REGISTER) {
		rep->session = 7;
		return;
	}
	f->requests++;
	if (cmd->key.len != 4 || memcmp(cmd->key.data, "key1", 4) != 0)
		f->other_key++;
	if (cmd->op == KV_GET) {
		rep->found = f->present;
		rep->value.data = (const uint8_t *)f->value;
		rep->value.len = f->present ? f->len : 0;
	} else if (cmd->op == KV_PUT && cmd->value.len < sizeof(f->value)) {
		memcpy(f->value, cmd->value.data, cmd->value.len);
		f->len = cmd->value.len;
		f->present = true;
	} else if (cmd->op == KV_CAS) {
		rep->swapped = f->present && cmd->expect.len == f->len &&
			       memcmp(cmd->expect.data, f->value, f->len) ==
				       0 &&
			       cmd->value.len < sizeof(f->value);
		if (rep->swapped) {
			memcpy(f->value, cmd->value.data, cmd->value.len);
			f->len = cmd->value.len;
		}
	}
}

/* tcp.h's deliver, on the transport's loop thread. */
static void fake_deliver(void *ctx, const struct raft_message *m,
			 uint32_t delay_us, void *extra, size_t extra_bytes)
{
	struct fake *f = ctx;
	struct raft_message out;
	struct kv_reply rep;
	struct kv_cmd cmd;
	uint8_t buf[256];
	size_t len;

	(void)delay_us;
	(void)extra_bytes;
	if (m->type == RAFT_MSG_CLIENT &&
	    kv_cmd_decode(m->u.client.data, m->u.client.len, &cmd) == 0) {
		pthread_mutex_lock(&f->mu);
		answer(f, m->to, &cmd, &rep);
		len = kv_reply_encode(&rep, buf, sizeof(buf));
		pthread_mutex_unlock(&f->mu);
		memset(&out, 0, sizeof(out));
		out.type = RAFT_MSG_CLIENT;
		out.from = m->to;
		out.to = RAFT_CLIENT;
		out.u.client.data = buf;
		out.u.client.len = (uint32_t)len;
		if (len <= sizeof(buf))
			tcp_send(f->t, &out, 0, cmd.client);
	}
	free(extra);
}

static int fake_start(struct fake *f, char *peers, size_t cap)
{
	static const bool local[2] = {true, true};
	struct tcp_addr addrs[2];
	struct tcp_config cfg;
	char err[256];

	memset(addrs, 0, sizeof(addrs));
	snprintf(addrs[0].host, sizeof(addrs[0].host), "127.0.0.1");
	snprintf(addrs[1].host, sizeof(addrs[1].host), "127.0.0.1");
	memset(&cfg, 0, sizeof(cfg));
	cfg.cluster_id = 1;
	cfg.nodes = 2;
	cfg.addrs = addrs;
	cfg.local = local;
	cfg.client_id = -1;
	cfg.seed = 42;
	cfg.deliver = fake_deliver;
	cfg.ctx = f;
	pthread_mutex_init(&f->mu, NULL);
	if (tcp_open(&f->t, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "    tcp_open: %s\n", err);
		return -1;
	}
	snprintf(peers, cap, "0=127.0.0.1:%u,1=127.0.0.1:%u",
		 (unsigned)tcp_port(f->t, 0), (unsigned)tcp_port(f->t, 1));
	tcp_set_port(f->t, 0, tcp_port(f->t, 0));
	tcp_set_port(f->t, 1, tcp_port(f->t, 1));
	return tcp_start(f->t) == 0 ? 0 : -1;
}

/* Runs `raftsim client ... WORDS` in this process; stdout into out. */
static int client(const char *peers, const char *hist, const char *words,
		  char *out, size_t cap)
{
	char line[512];
	struct raftsim_options o;
	FILE *fo = tmpfile(), *fe = tmpfile();
	char *save = NULL, *w;
	int code;
	size_t n;

	snprintf(line, sizeof(line), "%s", words);
	options_default(&o);
	o.command = CMD_CLIENT;
	o.clients = 1;
	o.client_id = 1; /* a client starts at node 0: refused, hint 1 */
	o.client_timeout_us = 2000000;
	o.peers = peers;
	o.history_path = hist;
	o.cluster_id = 1;
	for (w = strtok_r(line, " ", &save);
	     w != NULL && o.client_word_count < 4;
	     w = strtok_r(NULL, " ", &save))
		o.client_words[o.client_word_count++] = w;
	if (fo == NULL || fe == NULL)
		return -1;
	code = client_main(&o, fo, fe);
	rewind(fo);
	n = fread(out, 1, cap - 1, fo);
	out[n] = '\0';
	fclose(fo);
	fclose(fe);
	return code;
}

static void the_client_sends_its_words_and_follows_the_leader_hint(void)
{
	struct fake f;
	char peers[128], hist[128], out[128];
	char *text;

	memset(&f, 0, sizeof(f));
	REQUIRE(fake_start(&f, peers, sizeof(peers)) == 0);
	test_tmp(hist, sizeof(hist), "fake-client.jsonl");
	remove(hist);
	CHECK_EQ(client(peers, hist, "get key1", out, sizeof(out)), 0);
	CHECK(strcmp(out, "(none)\n") == 0);
	CHECK_EQ(client(peers, hist, "put key1 hello", out, sizeof(out)), 0);
	CHECK(strcmp(out, "ok\n") == 0);
	CHECK(f.present && f.len == 5 && memcmp(f.value, "hello", 5) == 0);
	CHECK_EQ(client(peers, hist, "get key1", out, sizeof(out)), 0);
	CHECK(strcmp(out, "hello\n") == 0);
	CHECK_EQ(client(peers, hist, "cas key1 nope x", out, sizeof(out)), 0);
	CHECK(strcmp(out, "not swapped\n") == 0);
	CHECK_EQ(client(peers, hist, "cas key1 hello bye", out, sizeof(out)),
		 0);
	CHECK(strcmp(out, "swapped\n") == 0);
	CHECK_EQ(f.requests, 5);
	CHECK_EQ(f.other_key, 0);
	CHECK(f.refused >= 5); /* each registration went to node 0 first */
	text = test_slurp(hist, NULL);
	REQUIRE(text != NULL);
	CHECK(strstr(text,
		     "\"op\":\"put\",\"key\":\"key1\",\"value\":\"hello\"") !=
	      NULL);
	CHECK(strstr(text,
		     "\"op\":\"cas\",\"key\":\"key1\",\"expect\":\"hello\","
		     "\"value\":\"bye\"") != NULL);
	CHECK(strstr(text, "\"value\":\"hello\"}") != NULL); /* a get's ok */
	CHECK(strstr(text, "\"swapped\":true") != NULL);
	CHECK(strstr(text, "\"client\":1,") != NULL);
	free(text);
	remove(hist);
	tcp_close(f.t);
	pthread_mutex_destroy(&f.mu);
}

/* Nobody listens: the client gives up after its retries with exit 3 and
 * says so; nothing was invoked, so the history stays empty. */
CLI_TEST(a_client_that_reaches_no_node_exits_3_and_invokes_nothing)
{
	char hist[128];
	int port = 23000 + (int)(getpid() % 330) * 3;
	char *text;
	size_t len = 1;

	test_tmp(hist, sizeof(hist), "e2e-unreached.jsonl");
	remove(hist);
	REQUIRE(run_cmd(r,
			"%s/raftsim client --peers 0=127.0.0.1:%d "
			"--client-timeout-ms 50 --retries 1 --history %s "
			"put k v",
			test_bin_dir(), port + 2, hist) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->err, "no leader answered") != NULL);
	text = test_slurp(hist, &len);
	CHECK(text != NULL && len == 0);
	free(text);
	remove(hist);
	REQUIRE(run_cmd(r,
			"%s/raftsim bench --peers 0=127.0.0.1:%d "
			"--client-timeout-ms 50 --retries 1 --duration 5",
			test_bin_dir(), port + 2) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->err, "no operation completed") != NULL);
}

const struct test_case tcp_client_fake_tests[] = {
	{"client over TCP: the requests carry the words, follow the leader "
	 "hint, and the history says what was sent",
	 the_client_sends_its_words_and_follows_the_leader_hint},
	{"client over TCP: a client that reaches no node exits 3 and "
	 "invokes nothing; so does a bench",
	 a_client_that_reaches_no_node_exits_3_and_invokes_nothing},
	{NULL, NULL},
};
