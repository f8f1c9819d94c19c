/* tcp_conn.c - one connection of the TCP transport: its bytes in (frames
 * decoded and checked, wire.h; the handshake's go to tcp_handshake.c, a
 * ready connection's messages to cfg.deliver) and out (the handshake's
 * frames, then its link's or route's queue). The loop thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tcp_internal.h"

#define IN_MIN_CAP (64u << 10)
/* A frame before the handshake is done is small: a bigger length from a
 * peer nobody has checked yet is refused before any allocation. */
#define HANDSHAKE_MAX_PAYLOAD 4096u
#define WRITE_IOV 64
#define READS_PER_TURN 8

struct tcp_conn *tcp_conn_new(struct tcp_transport *t, int fd, bool dialer,
			      const char *name)
{
	struct tcp_conn *c;
	struct tcp_conn **grown;

	if (t->conn_count == TCP_MAX_CONNS)
		return NULL;
	if (t->conn_count == t->conn_cap) {
		int cap = t->conn_cap ? 2 * t->conn_cap : 16;

		grown = realloc(t->conns, (size_t)cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		t->conns = grown;
		t->conn_cap = cap;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->dialer = dialer;
	c->state = dialer ? CONN_CONNECTING : CONN_WAIT_HELLO;
	c->local = -1;
	c->peer = -1;
	c->deadline = tcp_now_us() + TCP_HANDSHAKE_US;
	snprintf(c->name, sizeof(c->name), "%s", name);
	t->conns[t->conn_count++] = c;
	return c;
}

void tcp_conn_free(struct tcp_conn *c)
{
	tcp_frames_free(c->out);
	free(c->in);
	free(c);
}

void tcp_conn_close(struct tcp_transport *t, struct tcp_conn *c)
{
	struct tcp_link *l = c->link;

	if (c->state == CONN_CLOSED)
		return;
	close(c->fd);
	if (c->state == CONN_READY)
		atomic_fetch_add(&t->disconnects, 1);
	c->state = CONN_CLOSED;
	if (l != NULL && l->conn == c) {
		l->conn = NULL;
		atomic_store(&l->ready, false);
		if (l->dials)
			tcp_loop_backoff(t, l, false);
	}
	if (c->route != NULL) {
		/* Its replies have nowhere to go: the route and what it
		 * queued go with it (the client retries elsewhere). */
		pthread_mutex_lock(&t->routes_mu);
		if (c->route->conn == c)
			tcp_route_drop(t, c->route);
		pthread_mutex_unlock(&t->routes_mu);
		c->route = NULL;
	}
	tcp_frames_free(c->out);
	c->out = c->out_tail = NULL;
	c->out_off = 0;
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = 0;
}

/* A frame that cannot be trusted: nothing after it can be framed. */
void tcp_conn_bad_frame(struct tcp_transport *t, struct tcp_conn *c,
			const char *why)
{
	tcp_logf(t, "closed %s: %s", c->name, why);
	atomic_fetch_add(&t->bad_frames, 1);
	tcp_conn_close(t, c);
}

static void out_append(struct tcp_conn *c, struct tcp_frame *f)
{
	if (c->out == NULL)
		c->out = f;
	else
		c->out_tail->next = f;
	c->out_tail = f;
	while (c->out_tail->next != NULL)
		c->out_tail = c->out_tail->next;
}

int tcp_conn_send_frame(struct tcp_transport *t, struct tcp_conn *c,
			enum wire_type type, const uint8_t *payload, size_t len)
{
	struct tcp_frame *f = tcp_frame_new(type, payload, len);

	if (f == NULL) {
		tcp_logf(t, "closed %s: out of memory", c->name);
		tcp_conn_close(t, c);
		return -1;
	}
	out_append(c, f);
	return 0;
}

/* Whether a decoded message may come on c: between the two ends the
 * handshake named, and of a kind that end may send. */
static bool message_fits(const struct tcp_transport *t,
			 const struct tcp_conn *c, const struct raft_message *m)
{
	bool client_msg = m->type == RAFT_MSG_CLIENT;

	if (t->cfg.client_id >= 0) /* we are the client: a node's reply */
		return client_msg && m->from == c->link->to &&
		       m->to == RAFT_CLIENT;
	if (c->client) /* a client's request */
		return client_msg && m->from == RAFT_CLIENT &&
		       m->to == c->local;
	return !client_msg && m->type != RAFT_MSG_PROPOSE &&
	       m->from == c->peer && m->to == c->local;
}

static void on_message(struct tcp_transport *t, struct tcp_conn *c,
		       const uint8_t *p, uint32_t len)
{
	struct raft_message m;
	uint32_t delay_us;
	size_t extra_bytes;
	void *extra;
	char why[160];
	int named;
	int rv;

	rv = wire_decode_message(p, len, t->cfg.nodes, &m, &delay_us, &extra,
				 &extra_bytes);
	if (rv != WIRE_OK) {
		snprintf(why, sizeof(why), "a message that does not decode: %s",
			 wire_error_name(rv));
		tcp_conn_bad_frame(t, c, why);
		return;
	}
	if (!message_fits(t, c, &m)) {
		free(extra);
		snprintf(why, sizeof(why),
			 "a message of type %d from %d to %d does not belong "
			 "on this connection",
			 (int)m.type, m.from, m.to);
		tcp_conn_bad_frame(t, c, why);
		return;
	}
	if (c->client && t->cfg.request_client != NULL &&
	    (named = t->cfg.request_client(t->cfg.ctx, &m)) != c->peer) {
		free(extra);
		snprintf(why, sizeof(why),
			 "a request that names client %d; it shook hands as "
			 "client %d",
			 named, c->peer);
		tcp_conn_bad_frame(t, c, why);
		return;
	}
	t->cfg.deliver(t->cfg.ctx, &m, delay_us, extra, extra_bytes);
}

/* One whole frame, its CRC checked. */
static void on_frame(struct tcp_transport *t, struct tcp_conn *c, uint8_t type,
		     const uint8_t *p, uint32_t len)
{
	static const uint8_t expect[] = {
		[CONN_WAIT_HELLO] = WIRE_HELLO,
		[CONN_WAIT_CHALLENGE] = WIRE_CHALLENGE,
		[CONN_WAIT_AUTH] = WIRE_AUTH,
		[CONN_READY] = WIRE_RAFT,
	};
	char why[80];

	if (c->state >= sizeof(expect) || expect[c->state] != type) {
		snprintf(why, sizeof(why), "a frame of type %u out of turn",
			 (unsigned)type);
		tcp_conn_bad_frame(t, c, why);
		return;
	}
	switch (type) {
	case WIRE_HELLO:
		tcp_hs_hello(t, c, p, len);
		break;
	case WIRE_CHALLENGE:
		tcp_hs_challenge(t, c, p, len);
		break;
	case WIRE_AUTH:
		tcp_hs_auth(t, c, p, len);
		break;
	default:
		on_message(t, c, p, len);
		break;
	}
}

static int in_reserve(struct tcp_conn *c, size_t need)
{
	size_t cap = c->in_cap ? c->in_cap : IN_MIN_CAP;
	uint8_t *grown;

	if (need <= c->in_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	grown = realloc(c->in, cap);
	if (grown == NULL)
		return -1;
	c->in = grown;
	c->in_cap = cap;
	return 0;
}

/* Handles the whole frames in c->in. Returns how many bytes they took;
 * *need: the size of the frame after them, once its header is in. */
static size_t handle_frames(struct tcp_transport *t, struct tcp_conn *c,
			    size_t *need)
{
	struct wire_header hdr;
	size_t off = 0;
	char why[80];
	int rv;

	*need = WIRE_HEADER_BYTES;
	while (c->state != CONN_CLOSED &&
	       c->in_len - off >= WIRE_HEADER_BYTES) {
		const uint8_t *h = c->in + off;

		rv = wire_get_header(h, &hdr);
		if (rv == WIRE_OK && c->state != CONN_READY &&
		    hdr.length > HANDSHAKE_MAX_PAYLOAD)
			rv = WIRE_ELENGTH;
		if (rv != WIRE_OK) {
			snprintf(why, sizeof(why), "a bad frame header: %s",
				 wire_error_name(rv));
			tcp_conn_bad_frame(t, c, why);
			break;
		}
		*need = WIRE_HEADER_BYTES + (size_t)hdr.length;
		if (c->in_len - off < *need)
			break;
		if (wire_check_crc(h, h + WIRE_HEADER_BYTES, hdr.length) !=
		    WIRE_OK) {
			tcp_conn_bad_frame(t, c,
					   "a frame whose CRC does not match");
			break;
		}
		atomic_fetch_add(&t->frames_received, 1);
		on_frame(t, c, hdr.type, h + WIRE_HEADER_BYTES, hdr.length);
		off += *need;
		*need = WIRE_HEADER_BYTES;
	}
	return off;
}

/* After a large frame, the buffer goes back to its usual size. */
static void in_shrink(struct tcp_conn *c)
{
	uint8_t *smaller;

	if (c->in_cap <= 16 * IN_MIN_CAP || c->in_len > IN_MIN_CAP)
		return;
	smaller = realloc(c->in, IN_MIN_CAP);
	if (smaller == NULL)
		return;
	c->in = smaller;
	c->in_cap = IN_MIN_CAP;
}

static void read_ended(struct tcp_transport *t, struct tcp_conn *c)
{
	char why[96];

	if (c->in_len == 0) {
		tcp_logf(t, "%s closed the connection", c->name);
		tcp_conn_close(t, c);
		return;
	}
	snprintf(why, sizeof(why),
		 "a truncated frame (%zu bytes, then the end of the stream)",
		 c->in_len);
	tcp_conn_bad_frame(t, c, why);
}

/* Reads a turn's worth: a peer that floods still lets others have
 * theirs. */
void tcp_conn_read(struct tcp_transport *t, struct tcp_conn *c)
{
	size_t need = WIRE_HEADER_BYTES; /* the frame at c->in, whole */
	size_t want;
	size_t used;
	ssize_t n;
	int i;

	for (i = 0; i < READS_PER_TURN && c->state != CONN_CLOSED; i++) {
		want = c->in_len + IN_MIN_CAP / 4;
		if (in_reserve(c, want > need ? want : need) != 0) {
			tcp_logf(t, "closed %s: out of memory", c->name);
			tcp_conn_close(t, c);
			return;
		}
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			tcp_logf(t, "closed %s: %s", c->name, strerror(errno));
			tcp_conn_close(t, c);
			return;
		}
		if (n == 0) {
			read_ended(t, c);
			return;
		}
		atomic_fetch_add(&t->bytes_received, (uint64_t)n);
		if (c->client && c->state == CONN_READY)
			c->deadline = tcp_now_us() + t->cfg.client_idle_us;
		c->in_len += (size_t)n;
		used = handle_frames(t, c, &need);
		if (c->state == CONN_CLOSED)
			return;
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		in_shrink(c);
	}
}

/* Frames the connection may send now: the handshake's, and once ready
 * its queue's. */
static void take_queued(struct tcp_transport *t, struct tcp_conn *c)
{
	struct tcp_queue *q = NULL;
	struct tcp_frame *f;

	if (c->state != CONN_READY || c->out != NULL)
		return;
	/* Only the route's own connection drains it (the loop alone
	 * writes r->conn, so it reads it without the lock). */
	if (c->route != NULL && c->route->conn == c)
		q = &c->route->q;
	else if (c->link != NULL)
		q = &c->link->q;
	if (q == NULL || (f = tcp_queue_take(q)) == NULL)
		return;
	out_append(c, f);
	/* What the node recorded before it queued these frames reaches the
	 * kernel before they leave (raftsim node's trace: a kill -9 must
	 * not keep a message while losing the event that caused it). */
	if (t->cfg.before_write != NULL)
		t->cfg.before_write(t->cfg.ctx);
}

/* Frames written in full by n bytes leave the list. */
static void advance(struct tcp_transport *t, struct tcp_conn *c, size_t n)
{
	struct tcp_frame *f;

	while (n > 0) {
		f = c->out;
		if (n < f->len - c->out_off) {
			c->out_off += n;
			return;
		}
		n -= f->len - c->out_off;
		c->out = f->next;
		c->out_off = 0;
		free(f);
		atomic_fetch_add(&t->frames_sent, 1);
	}
	if (c->out == NULL)
		c->out_tail = NULL;
}

bool tcp_conn_flush(struct tcp_transport *t, struct tcp_conn *c)
{
	struct iovec iov[WRITE_IOV];
	struct tcp_frame *f;
	struct msghdr mh;
	size_t total;
	ssize_t n;
	int cnt;

	while (c->state != CONN_CLOSED && c->state != CONN_CONNECTING) {
		take_queued(t, c);
		if (c->out == NULL)
			return false;
		total = 0;
		for (cnt = 0, f = c->out; f != NULL && cnt < WRITE_IOV;
		     f = f->next, cnt++) {
			size_t off = cnt == 0 ? c->out_off : 0;

			iov[cnt].iov_base = f->bytes + off;
			iov[cnt].iov_len = f->len - off;
			total += f->len - off;
		}
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)cnt;
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n < 0) {
			tcp_logf(t, "closed %s: %s", c->name, strerror(errno));
			tcp_conn_close(t, c);
			return false;
		}
		atomic_fetch_add(&t->bytes_sent, (uint64_t)n);
		advance(t, c, (size_t)n);
		if ((size_t)n < total)
			return true; /* the socket is full */
	}
	return false;
}
