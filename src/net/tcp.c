/* tcp.c - the TCP transport's calls from other threads (tcp.h): the send
 * queues tcp_send fills in the senders' steps, the reply routes to
 * clients, tcp_connected and the stats; and the helpers every file of
 * the transport uses. Set-up and the end are tcp_open.c's, the loop
 * thread tcp_loop.c's, a connection's life tcp_conn.c's.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcp_internal.h"

int64_t tcp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* splitmix64: backoff jitter needs spread, not secrecy (nonces come from
 * getrandom, this only when it fails: tcp_handshake.c). */
uint64_t tcp_rand(struct tcp_transport *t)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void tcp_logf(struct tcp_transport *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (t->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->cfg.log(t->cfg.ctx, line);
}

struct tcp_link *tcp_link_of(struct tcp_transport *t, int from, int to)
{
	int n = t->cfg.nodes;

	if (to < 0 || to >= n)
		return NULL;
	if (t->cfg.client_id >= 0)
		return from == RAFT_CLIENT || from < 0 ? t->link[to] : NULL;
	if (from < 0 || from >= n)
		return NULL;
	return t->link[from * n + to];
}

void tcp_frames_free(struct tcp_frame *f)
{
	struct tcp_frame *next;

	for (; f != NULL; f = next) {
		next = f->next;
		free(f);
	}
}

struct tcp_frame *tcp_frame_new(enum wire_type type, const uint8_t *payload,
				size_t len)
{
	struct tcp_frame *f = malloc(sizeof(*f) + WIRE_HEADER_BYTES + len);

	if (f == NULL)
		return NULL;
	f->next = NULL;
	f->len = WIRE_HEADER_BYTES + len;
	if (len > 0)
		memcpy(f->bytes + WIRE_HEADER_BYTES, payload, len);
	wire_put_header(f->bytes, type, f->bytes + WIRE_HEADER_BYTES,
			(uint32_t)len);
	return f;
}

int tcp_queue_init(struct tcp_queue *q)
{
	memset(q, 0, sizeof(*q));
	return pthread_mutex_init(&q->mu, NULL);
}

void tcp_queue_destroy(struct tcp_queue *q)
{
	tcp_frames_free(q->head);
	pthread_mutex_destroy(&q->mu);
}

struct tcp_frame *tcp_queue_take(struct tcp_queue *q)
{
	struct tcp_frame *f;

	pthread_mutex_lock(&q->mu);
	f = q->head;
	q->head = q->tail = NULL;
	q->frames = 0;
	q->bytes = 0;
	pthread_mutex_unlock(&q->mu);
	return f;
}

void tcp_wake(struct tcp_transport *t)
{
	ssize_t rv;

	if (atomic_exchange(&t->wake_pending, true))
		return; /* a byte is in the pipe already */
	do
		rv = write(t->wake[1], "w", 1);
	while (rv < 0 && errno == EINTR);
}

/* Appends f unless the queue is full (tcp.h). Returns 0 or -1 (f freed). */
static int queue_push(struct tcp_transport *t, struct tcp_queue *q,
		      struct tcp_frame *f)
{
	bool was_empty;

	pthread_mutex_lock(&q->mu);
	if (q->frames + 1 > t->cfg.queue_frames ||
	    q->bytes + f->len > t->cfg.queue_bytes) {
		pthread_mutex_unlock(&q->mu);
		free(f);
		return -1;
	}
	was_empty = q->head == NULL;
	if (was_empty)
		q->head = f;
	else
		q->tail->next = f;
	q->tail = f;
	q->frames++;
	q->bytes += f->len;
	pthread_mutex_unlock(&q->mu);
	if (was_empty)
		tcp_wake(t);
	return 0;
}

static struct tcp_frame *encode_message(const struct raft_message *msg,
					uint32_t delay_us)
{
	size_t size = wire_message_size(msg);
	struct tcp_frame *f;

	if (size > WIRE_MAX_PAYLOAD)
		return NULL;
	f = malloc(sizeof(*f) + WIRE_HEADER_BYTES + size);
	if (f == NULL)
		return NULL;
	f->next = NULL;
	f->len = WIRE_HEADER_BYTES + size;
	if (wire_encode_message(msg, delay_us, f->bytes + WIRE_HEADER_BYTES,
				size) != size) {
		free(f);
		return NULL;
	}
	wire_put_header(f->bytes, WIRE_RAFT, f->bytes + WIRE_HEADER_BYTES,
			(uint32_t)size);
	return f;
}

/* A reply to a client: on the connection its last request to msg->from
 * came in on. */
static int send_reply(struct tcp_transport *t, struct tcp_frame *f,
		      const struct raft_message *msg, int client)
{
	struct tcp_route *r;
	int rv = -1;

	pthread_mutex_lock(&t->routes_mu);
	r = tcp_route_find(t, msg->from, client);
	if (r != NULL && r->conn != NULL) {
		rv = queue_push(t, &r->q, f);
		f = NULL;
	}
	pthread_mutex_unlock(&t->routes_mu);
	free(f);
	return rv;
}

int tcp_send(struct tcp_transport *t, const struct raft_message *msg,
	     uint32_t delay_us, int client)
{
	struct tcp_frame *f = encode_message(msg, delay_us);
	struct tcp_link *l;
	int rv = -1;

	if (f == NULL)
		goto out;
	if (msg->to == RAFT_CLIENT) {
		rv = send_reply(t, f, msg, client);
		goto out;
	}
	l = tcp_link_of(t, msg->from, msg->to);
	if (l == NULL) {
		free(f);
		goto out;
	}
	rv = queue_push(t, &l->q, f);
out:
	if (rv != 0)
		atomic_fetch_add(&t->dropped_full, 1);
	return rv;
}

bool tcp_connected(struct tcp_transport *t, int node)
{
	struct tcp_link *l;
	int a;

	if (node < 0 || node >= t->cfg.nodes)
		return false;
	if (t->cfg.client_id >= 0)
		return atomic_load(&t->link[node]->ready);
	for (a = 0; a < t->cfg.nodes; a++) {
		l = a == node ? NULL : tcp_link_of(t, a, node);
		if (l != NULL && !atomic_load(&l->ready))
			return false;
	}
	return true;
}

void tcp_get_stats(struct tcp_transport *t, struct tcp_stats *out)
{
	out->frames_sent = atomic_load(&t->frames_sent);
	out->frames_received = atomic_load(&t->frames_received);
	out->bytes_sent = atomic_load(&t->bytes_sent);
	out->bytes_received = atomic_load(&t->bytes_received);
	out->dropped_full = atomic_load(&t->dropped_full);
	out->connects = atomic_load(&t->connects);
	out->disconnects = atomic_load(&t->disconnects);
	out->refused = atomic_load(&t->refused);
	out->bad_frames = atomic_load(&t->bad_frames);
}
