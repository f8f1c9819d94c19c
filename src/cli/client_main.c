/* client_main.c - `raftsim client` and `raftsim bench` (tcp_commands.h):
 * clients of a cluster of `raftsim node` processes, over TCP.
 *
 * client: one client (struct clients with one operation: the words force
 * its kind, and client_net.c puts the words' key and values into its
 * requests and history) registers a session, follows leader hints and
 * retries as the clients of a run do, and prints the result. Exit codes:
 * client_cli.h.
 *
 * bench: --clients N such clients drawing the workload of --keys and the
 * ratios, closed loop, for --duration; then they stop invoking and wait
 * (one --client-timeout-ms at most) for what is outstanding. Prints
 * ops/s and the latency; exits 0, or 3 when no operation completed (the
 * cluster could not be reached) or the history could not be written;
 * SIGINT and SIGTERM end it early with its results (130, 143).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_cli.h"
#include "harness/harness.h"
#include "options_internal.h"
#include "parse.h"
#include "raft_rng.h"
#include "runtime/clock.h"
#include "tcp_commands.h"

#define BENCH_DEFAULT_US (10 * 1000000LL)
#define BENCH_MAX_SECONDS (366.0 * 86400.0)

int options_parse_duration(struct raftsim_options *o, const struct opt_flag *f,
			   const char *arg, FILE *err)
{
	double s;

	if (parse_decimal(arg, &s) != 0 || !(s > 0) || s > BENCH_MAX_SECONDS ||
	    llround(s * 1e6) < 1)
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	o->duration_us = (uint64_t)llround(s * 1e6);
	return 0;
}

/* What both commands read from their flags. */
struct net_setup {
	int nodes;
	struct tcp_addr *addrs; /* OPT_MAX_NODES */
	uint8_t secret[TCP_SECRET_MAX];
	size_t secret_len;
	bool have_secret;
	int base;
	uint64_t seed;
};

static int setup_read(const struct raftsim_options *o, struct net_setup *s,
		      FILE *err)
{
	char why[256];
	struct timespec ts;

	memset(s, 0, sizeof(*s));
	if (o->peers == NULL)
		return options_usage_error(err, "--peers: required: every "
						"node, 0=HOST:PORT,1=...");
	s->addrs = calloc(OPT_MAX_NODES, sizeof(*s->addrs));
	if (s->addrs == NULL) {
		fprintf(err, "raftsim: out of memory\n");
		return EXIT_RUN_FAILED;
	}
	if (tcp_parse_peers(o->peers, s->addrs, OPT_MAX_NODES, &s->nodes, why,
			    sizeof(why)) != 0)
		return options_usage_error(err, "--peers: %s", why);
	if (o->secret_path != NULL) {
		if (tcp_read_secret(o->secret_path, s->secret, &s->secret_len,
				    why, sizeof(why)) != 0)
			return options_usage_error(err, "--secret: %s", why);
		s->have_secret = true;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	s->base = o->client_id != OPT_CLIENT_ID_AUTO
			  ? (int)o->client_id
			  : client_ids_derive((uint64_t)getpid(),
					      (uint64_t)ts.tv_sec);
	s->seed = raft_rng_derive((uint64_t)ts.tv_sec * 1000000000ULL +
					  (uint64_t)ts.tv_nsec,
				  (uint64_t)getpid());
	return 0;
}

static void setup_free(struct net_setup *s)
{
	free(s->addrs);
	s->addrs = NULL;
}

static void config_of(const struct raftsim_options *o,
		      const struct net_setup *s, struct client_config *cfg)
{
	/* The in-process clients' settings, but this process's cluster
	 * size, seed and ids. */
	harness_client_config(o, cfg);
	cfg->nodes = s->nodes;
	cfg->seed = raft_rng_derive(s->seed, 0xc11e47);
	cfg->client_base = s->base;
}

/* The workload that draws nothing but op (client_net.c then puts the
 * words into it). */
static void force_op(struct client_config *cfg, uint8_t op)
{
	cfg->clients = 1;
	cfg->keys = 1;
	cfg->max_ops = 1;
	cfg->read_ratio = op == KV_GET;
	cfg->cas_ratio = op == KV_CAS;
	cfg->append_ratio = op == KV_APPEND;
	cfg->delete_ratio = op == KV_DELETE;
}

/* Opens --history and the clients. Returns 0 or an exit code. */
static int open_net(const struct raftsim_options *o, struct net_setup *s,
		    struct client_net_config *nc, struct client_hist *hist,
		    struct client_net **cn, FILE *err)
{
	char why[512];

	hist->fd = -1;
	nc->cluster_id = o->cluster_id;
	nc->nodes = s->nodes;
	nc->addrs = s->addrs;
	nc->secret = s->have_secret ? s->secret : NULL;
	nc->secret_len = s->secret_len;
	nc->seed = s->seed;
	nc->err = err;
	if (o->history_path != NULL) {
		if (client_hist_open(hist, o->history_path, why, sizeof(why)) !=
		    0)
			goto err;
		nc->history = hist;
	}
	if (client_net_open(cn, nc, why, sizeof(why)) != 0 ||
	    client_net_start(*cn, why, sizeof(why)) != 0)
		goto err;
	return 0;
err:
	fprintf(err, "raftsim %s: %s\n", nc->who, why);
	return EXIT_RUN_FAILED;
}

/* Closes both; a history that could not be written makes it 3. */
static int close_net(struct client_net *cn, struct client_hist *hist,
		     const char *path, const char *who, int code, FILE *err)
{
	client_net_close(cn);
	if (hist->fd >= 0 && client_hist_close(hist) != 0) {
		fprintf(err, "raftsim %s: --history: %s: %s\n", who, path,
			strerror(hist->error));
		return EXIT_RUN_FAILED;
	}
	return code;
}

/* What became of the one operation. Returns the exit code. */
static int client_outcome(const struct client_op *op, struct client_net *cn,
			  enum client_net_end end, FILE *out, FILE *err)
{
	const char *name = kv_op_name((enum kv_op)op->op);
	struct hist_event ev;

	if (end == CLIENT_NET_HIST_FAILED)
		return EXIT_RUN_FAILED; /* close_net says why */
	if (end == CLIENT_NET_UNREACHED) {
		fprintf(err,
			"raftsim client: no leader answered within the "
			"retries (--peers, --client-timeout-ms, --retries); "
			"the %s was not sent\n",
			name);
		return EXIT_RUN_FAILED;
	}
	if (!client_net_result(cn, &ev)) {
		fprintf(err,
			"raftsim client: %s: no answer in time: its outcome "
			"is unknown (it may still take effect)\n",
			name);
		return EXIT_RUN_FAILED;
	}
	if (ev.type == HIST_FAIL) {
		fprintf(err,
			"raftsim client: %s failed: no node took it (it did "
			"not take effect)\n",
			name);
		return EXIT_RUN_FAILED;
	}
	if (ev.type == HIST_INFO) {
		fprintf(err,
			"raftsim client: %s: its outcome is unknown: no "
			"answer after every retry (it may still take "
			"effect)\n",
			name);
		return EXIT_RUN_FAILED;
	}
	if (client_print_result(op, &ev, out) != 0) {
		fprintf(err, "raftsim client: cannot write the result\n");
		return EXIT_RUN_FAILED;
	}
	return EXIT_PASS;
}

int client_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct client_net_config nc = {.who = "client"};
	struct client_hist hist = {.fd = -1};
	struct client_net *cn = NULL;
	struct client_op op;
	struct net_setup s;
	enum client_net_end end;
	int64_t t0, wait, register_by;
	char why[256];
	int code;

	if (client_parse_words(o->client_words, o->client_word_count, &op, why,
			       sizeof(why)) != 0)
		return options_usage_error(err, "client: %s", why);
	code = setup_read(o, &s, err);
	if (code != 0)
		goto out;
	config_of(o, &s, &nc.clients);
	force_op(&nc.clients, op.op);
	nc.fixed = &op;
	code = open_net(o, &s, &nc, &hist, &cn, err);
	if (code != 0)
		goto close;
	/* A session within (1 + retries) timeouts, then the operation's
	 * own retries; twice that bounds the refusals' pauses too. */
	t0 = clock_now_us();
	wait = nc.clients.timeout_us * (int64_t)(nc.clients.retries + 1);
	register_by = t0 + wait;
	end = client_net_run(cn, register_by + 2 * wait, register_by);
	code = client_outcome(&op, cn, end, out, err);
close:
	code = close_net(cn, &hist, o->history_path, "client", code, err);
out:
	setup_free(&s);
	return code;
}

static double ms_of(int64_t us)
{
	return (double)us / 1000.0;
}

static void bench_report(const struct raftsim_options *o,
			 const struct net_setup *s, struct client_net *cn,
			 int64_t elapsed_us, uint64_t lines, FILE *out)
{
	const struct clients_stats *st = client_net_stats(cn);
	uint64_t done = st->ok + st->failed + st->info;
	double secs = (double)elapsed_us / 1e6;

	fprintf(out, "bench: %d nodes, %u clients (ids %d..%d), %.2f s\n",
		s->nodes, o->clients, s->base, s->base + (int)o->clients - 1,
		secs);
	fprintf(out,
		"bench: %" PRIu64 " operations: %" PRIu64 " ok, %" PRIu64
		" fail, %" PRIu64 " info, %" PRIu64 " open; %.1f ok/s\n",
		st->invoked, st->ok, st->failed, st->info, st->invoked - done,
		secs > 0 ? (double)st->ok / secs : 0.0);
	fprintf(out,
		"bench: latency (invoke to ok) p50 %.3f ms, p99 %.3f ms, "
		"max %.3f ms\n",
		ms_of(lathist_quantile(&st->latency, 0.5)),
		ms_of(lathist_quantile(&st->latency, 0.99)),
		ms_of(st->latency.max_us));
	fprintf(out,
		"bench: %" PRIu64 " requests: %" PRIu64 " timeouts, %" PRIu64
		" redirects, %" PRIu64 " expired; %" PRIu64 " sessions\n",
		st->attempts, st->timeouts, st->redirects, st->expired,
		st->sessions);
	if (o->history_path != NULL)
		fprintf(out, "bench: history %s (%" PRIu64 " lines)\n",
			o->history_path, lines);
	fflush(out);
}

/* The run, then the wait for what is outstanding. */
static enum client_net_end bench_run(struct client_net *cn, int64_t t0,
				     int64_t duration_us, int64_t timeout_us,
				     int64_t register_by)
{
	enum client_net_end end;

	end = client_net_run(cn, t0 + duration_us, register_by);
	if (end != CLIENT_NET_TIME && end != CLIENT_NET_DONE)
		return end;
	client_net_finish(cn);
	end = client_net_run(cn, clock_now_us() + timeout_us, register_by);
	return end == CLIENT_NET_UNREACHED ? CLIENT_NET_TIME : end;
}

int bench_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct client_net_config nc = {.who = "bench"};
	struct client_hist hist = {.fd = -1};
	struct client_net *cn = NULL;
	struct net_setup s;
	enum client_net_end end;
	int64_t t0, duration, register_by;
	int code;

	if (o->clients == 0)
		return options_usage_error(err, "--clients: bench needs at "
						"least 1");
	duration = o->duration_us > 0 ? (int64_t)o->duration_us
				      : BENCH_DEFAULT_US;
	code = setup_read(o, &s, err);
	if (code != 0)
		goto out;
	config_of(o, &s, &nc.clients);
	code = open_net(o, &s, &nc, &hist, &cn, err);
	if (code != 0)
		goto close;
	t0 = clock_now_us();
	register_by = t0 +
		      nc.clients.timeout_us * (int64_t)(nc.clients.retries + 1);
	end = bench_run(cn, t0, duration, nc.clients.timeout_us, register_by);
	bench_report(o, &s, cn, clock_now_us() - t0, hist.lines, out);
	if (end == CLIENT_NET_UNREACHED ||
	    (end != CLIENT_NET_STOPPED && client_net_stats(cn)->ok == 0)) {
		fprintf(err, "raftsim bench: no operation completed: the "
			     "cluster could not be reached (--peers) or had "
			     "no leader\n");
		code = EXIT_RUN_FAILED;
	}
	if (end == CLIENT_NET_HIST_FAILED)
		code = EXIT_RUN_FAILED;
close:
	code = close_net(cn, &hist, o->history_path, "bench", code, err);
out:
	setup_free(&s);
	return code;
}
