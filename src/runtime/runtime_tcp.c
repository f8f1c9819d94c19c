/* runtime_tcp.c - `raftsim --transport tcp` on threads: every node is
 * local, each behind its own loopback listener (port 0), and a copy from
 * node to node goes over TCP (src/net/tcp.h) instead of straight into the
 * receiver's mailbox. The harness's send path still decides the copy's
 * fate at the sender; what survives is queued by tcp_send in the sender's
 * step, and the transport's loop thread pushes the decoded message into
 * the receiver's mailbox, "not before" now plus the sender's delay.
 * Clients' requests and replies stay in the process (runtime_clients.c).
 * See runtime.c for the locks the loop thread takes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "net/tcp.h"
#include "net/wire.h"
#include "runtime_internal.h"

/* The largest message the flags allow fits in a frame (wire.h). */
_Static_assert(WIRE_MAX_PAYLOAD >= OPT_MAX_BATCH_BYTES + OPT_MAX_PAYLOAD +
					   RAFT_ENTRY_OVERHEAD + 4096 &&
		       WIRE_MAX_PAYLOAD >= OPT_MAX_CHUNK + 4096,
	       "a batch or a snapshot chunk the flags allow would not fit "
	       "in one frame");

/* Every pair connected before the run's clock starts, within this. */
#define CONNECT_WAIT_US (30 * 1000000LL)

/* Whether the fault model connects `from` to `to` now (the net lock
 * alone: the loop thread holds nothing else). */
static bool peer_reachable(struct cluster *c, int from, int to)
{
	bool connected;

	harness_lock(&c->h, HARNESS_LOCK_NET, -1);
	connected = faults_connected(&c->h.faults, from, to);
	harness_unlock(&c->h, HARNESS_LOCK_NET, -1);
	return connected;
}

/* The delay a received message waits in the mailbox: what its sender
 * drew, but never more than the sender's fault model can draw (peers run
 * with the same flags), so that a peer cannot park messages in a mailbox
 * for an hour and fill it; a client's request, none (its sender has no
 * fault model here). */
static uint64_t delay_bound(const struct cluster *c,
			    const struct raft_message *m, uint32_t delay_us)
{
	uint64_t most;

	if (m->from == RAFT_CLIENT)
		return 0;
	most = faults_max_extra_us(c->o);
	return delay_us < most ? delay_us : most;
}

/* The loop thread, holding no lock: into the receiver's mailbox. A full
 * one loses the copy, said as the in-process path says it. */
static void tcp_deliver(void *ctx, const struct raft_message *m,
			uint32_t delay_us, void *extra, size_t extra_bytes)
{
	struct cluster *c = ctx;
	int64_t now = clock_now_us();
	enum mailbox_push_result rv;

	/* raftsim node --partition: each process cuts its own node's links
	 * both ways, so that a partition holds even while the processes'
	 * schedules are a few ms apart. */
	if (c->o->command == CMD_NODE && m->from != RAFT_CLIENT &&
	    !peer_reachable(c, m->from, m->to)) {
		free(extra);
		return;
	}
	rv = mailbox_push(&c->node[m->to].mb, m, extra, extra_bytes, now,
			  now + (int64_t)delay_bound(c, m, delay_us));
	if (rv == MAILBOX_FULL)
		harness_report_loss(&c->h, m->from, m->to,
				    atomic_load(&c->h.tick));
}

/* raftsim node: this process's trace is the only record of its node's
 * events, and the other nodes' traces record what its messages caused;
 * so a message leaves only after the events before it are in the kernel,
 * and a kill -9 cannot leave a follower's heartbeat from a leader whose
 * election it lost. The loop thread, holding no lock. */
static void trace_to_kernel(void *ctx)
{
	struct cluster *c = ctx;

	writer_sync(&c->h.mon->trace);
}

static void tcp_log(void *ctx, const char *line)
{
	struct cluster *c = ctx;

	fprintf(c->tcp_err, "raftsim: tcp: %s\n", line);
}

int runtime_tcp_send(struct cluster *c, const struct raft_message *msg,
		     uint64_t extra_us)
{
	uint32_t delay = extra_us > UINT32_MAX ? UINT32_MAX
					       : (uint32_t)extra_us;

	if (tcp_send(c->tcp, msg, delay, -1) == 0)
		return 0;
	harness_report_loss(&c->h, msg->from, msg->to,
			    c->h.node[msg->from].tick);
	return -1;
}

static bool all_connected(struct cluster *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!tcp_connected(c->tcp, i))
			return false;
	return true;
}

/* Waits until every pair has shaken hands, checking each millisecond. */
static int wait_connected(struct cluster *c)
{
	int64_t end = clock_now_us() + CONNECT_WAIT_US;
	struct timespec ms = {0, 1000000};

	while (!all_connected(c)) {
		if (clock_now_us() >= end)
			return -1;
		nanosleep(&ms, NULL);
	}
	return 0;
}

static int read_secret(const struct raftsim_options *o, uint8_t *secret,
		       size_t *len, FILE *err)
{
	char why[512];

	*len = 0;
	if (o->secret_path == NULL)
		return 0;
	if (tcp_read_secret(o->secret_path, secret, len, why, sizeof(why)) == 0)
		return 0;
	fprintf(err, "raftsim: %s\n", why);
	return -1;
}

int runtime_tcp_open(struct cluster *c, FILE *err)
{
	const struct raftsim_options *o = c->o;
	uint8_t secret[TCP_SECRET_MAX];
	struct tcp_config cfg;
	struct tcp_addr *addrs;
	bool *local;
	char why[512];
	size_t len;
	int code = EXIT_RUN_FAILED;
	int i;

	if (o->transport != TRANSPORT_TCP)
		return EXIT_PASS;
	if (read_secret(o, secret, &len, err) != 0)
		return EXIT_USAGE;
	addrs = calloc((size_t)c->n, sizeof(*addrs));
	local = calloc((size_t)c->n, sizeof(*local));
	if (addrs == NULL || local == NULL) {
		fprintf(err, "raftsim: tcp: out of memory\n");
		goto out;
	}
	for (i = 0; i < c->n && o->command != CMD_NODE; i++) {
		snprintf(addrs[i].host, sizeof(addrs[i].host), "127.0.0.1");
		local[i] = true;
	}
	/* raftsim node: one local node, its peers where --peers says */
	if (o->command == CMD_NODE &&
	    runtime_remote_addrs(c, addrs, local, err) != 0)
		goto out;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cluster_id = o->cluster_id;
	cfg.nodes = c->n;
	cfg.addrs = addrs;
	cfg.local = local;
	cfg.client_id = -1;
	cfg.secret = len > 0 ? secret : NULL;
	cfg.secret_len = len;
	cfg.seed = o->seed;
	cfg.deliver = tcp_deliver;
	cfg.log = tcp_log;
	if (o->command == CMD_NODE)
		cfg.request_client = runtime_remote_request_client;
	if (o->command == CMD_NODE && c->h.mon != NULL)
		cfg.before_write = trace_to_kernel;
	cfg.ctx = c;
	c->tcp_err = err;
	if (tcp_open(&c->tcp, &cfg, why, sizeof(why)) != 0) {
		fprintf(err, "raftsim: tcp: %s\n", why);
		goto out;
	}
	if ((i = tcp_start(c->tcp)) != 0) {
		fprintf(err, "raftsim: tcp: cannot start its thread: %s\n",
			strerror(i));
		goto out;
	}
	/* raftsim node: its peers come and go; Raft copes meanwhile */
	if (o->command != CMD_NODE && wait_connected(c) != 0) {
		fprintf(err,
			"raftsim: tcp: the %d nodes were not all connected "
			"after %lld s\n",
			c->n, CONNECT_WAIT_US / 1000000);
		goto out;
	}
	code = EXIT_PASS;
out:
	memset(secret, 0, sizeof(secret));
	free(addrs);
	free(local);
	return code;
}

void runtime_tcp_summary(struct cluster *c, FILE *out)
{
	struct tcp_stats st;

	if (!c->tcp_used)
		return;
	st = c->tcp_end;
	fprintf(out,
		"tcp: %" PRIu64 " frames sent, %" PRIu64 " received (%" PRIu64
		" / %" PRIu64 " bytes), %" PRIu64 " dropped (full queue), "
		"%" PRIu64 " connects, %" PRIu64 " disconnects, %" PRIu64
		" refused, %" PRIu64 " bad frames\n",
		st.frames_sent, st.frames_received, st.bytes_sent,
		st.bytes_received, st.dropped_full, st.connects, st.disconnects,
		st.refused, st.bad_frames);
}

void runtime_tcp_close(struct cluster *c)
{
	if (c->tcp == NULL)
		return;
	tcp_get_stats(c->tcp, &c->tcp_end);
	c->tcp_used = true;
	tcp_close(c->tcp);
	c->tcp = NULL;
}
