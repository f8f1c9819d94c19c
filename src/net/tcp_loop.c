/* tcp_loop.c - the TCP transport's one thread: a poll loop over the wake
 * pipe, the listeners and every connection. Each round it dials the links
 * whose backoff has passed, closes handshakes that took too long (and
 * clients silent too long), writes what the queues hold, then sleeps in
 * poll until a socket is ready, a sender wakes it (tcp_wake: a queue
 * went from empty to not) or the next timer (a dial, a deadline, the
 * listeners' rest) comes.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcp_internal.h"

void tcp_loop_backoff(struct tcp_transport *t, struct tcp_link *l, bool reset)
{
	int64_t b;
	int64_t wait;

	if (reset) {
		l->backoff_us = t->cfg.backoff_min_us;
		return;
	}
	/* Uniform in the upper half of the current bound, then double it:
	 * peers that lost each other together do not redial in step. */
	b = l->backoff_us;
	wait = b / 2 + (int64_t)(tcp_rand(t) % (uint64_t)(b / 2 + 1));
	l->redial_at = tcp_now_us() + wait;
	l->backoff_us = b * 2 < t->cfg.backoff_max_us ? b * 2
						      : t->cfg.backoff_max_us;
}

static void set_nodelay(int fd)
{
	int one = 1;

	/* Best effort: without it frames only wait longer. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* "HOST:PORT" ("[v6]:PORT") of a socket address. */
static void addr_name(const struct sockaddr *sa, socklen_t len, char *out,
		      size_t out_len)
{
	char host[INET6_ADDRSTRLEN];
	char port[8];

	if (getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, out_len, "an unknown address");
		return;
	}
	snprintf(out, out_len, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, port);
}

static void dial(struct tcp_transport *t, struct tcp_link *l)
{
	char name[80];
	char where[64];
	struct tcp_conn *c;
	int fd;
	int rv;

	addr_name((struct sockaddr *)&t->sa[l->to], t->sa_len[l->to], where,
		  sizeof(where));
	snprintf(name, sizeof(name), "node %d at %s", l->to, where);
	fd = tcp_socket_nonblock(t->sa[l->to].ss_family);
	if (fd < 0)
		goto err;
	set_nodelay(fd);
	do
		rv = connect(fd, (struct sockaddr *)&t->sa[l->to],
			     t->sa_len[l->to]);
	while (rv != 0 && errno == EINTR);
	if (rv != 0 && errno != EINPROGRESS)
		goto err_fd;
	c = tcp_conn_new(t, fd, true, name);
	if (c == NULL)
		goto err_fd;
	c->link = l;
	c->local = l->from;
	c->peer = l->to;
	l->conn = c;
	if (rv == 0)
		tcp_conn_connected(t, c);
	return;
err_fd:
	close(fd);
err:
	tcp_loop_backoff(t, l, false);
}

/* A non-blocking connect has finished, one way or the other. */
static void connect_done(struct tcp_transport *t, struct tcp_conn *c)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr == 0) {
		tcp_conn_connected(t, c);
		return;
	}
	/* A peer not up yet is the common case at start: no log line, the
	 * backoff dials again. */
	tcp_conn_close(t, c);
}

/* accept() is out of descriptors or memory: the connection stays in the
 * backlog and the listener readable, so the listeners rest a while
 * (build_fds) rather than wake poll at once, round after round. */
static void accept_rest(struct tcp_transport *t, int err)
{
	t->accept_rest_until = tcp_now_us() + TCP_ACCEPT_PAUSE_US;
	if (t->accept_failing)
		return;
	t->accept_failing = true;
	tcp_logf(t,
		 "cannot accept a connection: %s; trying again every %d ms "
		 "until it can",
		 strerror(err), TCP_ACCEPT_PAUSE_US / 1000);
}

static bool in_handshake(const struct tcp_conn *c)
{
	return !c->dialer &&
	       (c->state == CONN_WAIT_HELLO || c->state == CONN_WAIT_AUTH);
}

/* Room for one more accepted handshake: at TCP_MAX_HANDSHAKES, the
 * oldest is closed (logged once until below the cap again). */
static void handshake_room(struct tcp_transport *t)
{
	struct tcp_conn *oldest = NULL;
	int count = 0;
	int i;

	for (i = 0; i < t->conn_count; i++) {
		if (!in_handshake(t->conns[i]))
			continue;
		count++;
		if (oldest == NULL || t->conns[i]->deadline < oldest->deadline)
			oldest = t->conns[i];
	}
	if (count < TCP_MAX_HANDSHAKES) {
		t->handshakes_full = false;
		return;
	}
	if (!t->handshakes_full)
		tcp_logf(t,
			 "%d connections are in their handshake: the oldest "
			 "is closed for each new one",
			 count);
	t->handshakes_full = true;
	atomic_fetch_add(&t->refused, 1);
	tcp_conn_close(t, oldest);
}

static void accept_all(struct tcp_transport *t, int node)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char name[80];
	struct tcp_conn *c;
	int fd;

	for (;;) {
		len = sizeof(sa);
		fd = accept(t->listen_fd[node], (struct sockaddr *)&sa, &len);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
			       errno == ENOBUFS || errno == ENOMEM))
			accept_rest(t, errno);
		if (fd < 0)
			return; /* EAGAIN, or a connection that died queued */
		t->accept_failing = false;
		addr_name((struct sockaddr *)&sa, len, name, sizeof(name));
		if (tcp_set_nonblock(fd) != 0) {
			close(fd);
			continue;
		}
		set_nodelay(fd);
		handshake_room(t);
		c = tcp_conn_new(t, fd, false, name);
		if (c == NULL) {
			tcp_logf(t,
				 "refused %s: too many connections (or no "
				 "memory)",
				 name);
			atomic_fetch_add(&t->refused, 1);
			close(fd);
			continue;
		}
		c->local = node;
	}
}

static int link_count(const struct tcp_transport *t)
{
	return t->cfg.client_id >= 0 ? t->cfg.nodes
				     : t->cfg.nodes * t->cfg.nodes;
}

/* Dials what is due; returns the earliest dial still to come. */
static int64_t dial_due(struct tcp_transport *t, int64_t now)
{
	int64_t next = INT64_MAX;
	struct tcp_link *l;
	int i;

	for (i = 0; i < link_count(t); i++) {
		l = t->link[i];
		if (l == NULL || !l->dials || l->conn != NULL)
			continue;
		if (l->redial_at <= now)
			dial(t, l);
		else if (l->redial_at < next)
			next = l->redial_at;
	}
	return next;
}

/* Closes handshakes past their deadline, and accepted clients silent
 * for client_idle_us; returns the earliest deadline left. */
static int64_t expire_conns(struct tcp_transport *t, int64_t now)
{
	int64_t next = INT64_MAX;
	struct tcp_conn *c;
	int i;

	for (i = 0; i < t->conn_count; i++) {
		c = t->conns[i];
		if (c->state == CONN_CLOSED ||
		    (c->state == CONN_READY && !c->client))
			continue;
		if (c->deadline > now) {
			if (c->deadline < next)
				next = c->deadline;
			continue;
		}
		if (c->state == CONN_READY)
			tcp_logf(t,
				 "closed %s (client %d): nothing from it "
				 "in %lld ms",
				 c->name, c->peer,
				 (long long)(t->cfg.client_idle_us / 1000));
		else if (c->state != CONN_CONNECTING)
			tcp_logf(t, "closed %s: no handshake within %d s",
				 c->name, TCP_HANDSHAKE_US / 1000000);
		tcp_conn_close(t, c);
	}
	return next;
}

static void reap(struct tcp_transport *t)
{
	int i, j;

	for (i = j = 0; i < t->conn_count; i++) {
		if (t->conns[i]->state == CONN_CLOSED)
			tcp_conn_free(t->conns[i]);
		else
			t->conns[j++] = t->conns[i];
	}
	t->conn_count = j;
}

/* Empties the pipe, then lets senders write again. In that order: a
 * sender that finds the flag still set wrote nothing, and its frame,
 * queued before it looked, is taken by this round's flush; clearing the
 * flag first could swallow a later sender's byte and leave the flag set
 * with the pipe empty, and the loop asleep on a queue. */
static void drain_wake(struct tcp_transport *t)
{
	char buf[64];

	while (read(t->wake[0], buf, sizeof(buf)) > 0)
		;
	atomic_exchange(&t->wake_pending, false);
}

struct loop_fds {
	struct pollfd *pfd;
	int *node; /* listeners' nodes */
	int cap;
	int listeners;
	int conns; /* t->conns[0..conns) follow the listeners */
};

static int build_fds(struct tcp_transport *t, struct loop_fds *f)
{
	int need = 1 + t->cfg.nodes + t->conn_count;
	bool resting = t->accept_rest_until > tcp_now_us();
	struct tcp_conn *c;
	int i, k = 1;

	if (need > f->cap) {
		struct pollfd *p = realloc(f->pfd, (size_t)need * sizeof(*p));
		int *nd;

		if (p == NULL)
			return -1;
		f->pfd = p;
		nd = realloc(f->node, (size_t)need * sizeof(*nd));
		if (nd == NULL)
			return -1;
		f->node = nd;
		f->cap = need;
	}
	f->pfd[0] = (struct pollfd){.fd = t->wake[0], .events = POLLIN};
	for (i = 0; i < t->cfg.nodes; i++) {
		if (t->listen_fd[i] < 0 || resting)
			continue;
		f->node[k] = i;
		f->pfd[k++] = (struct pollfd){.fd = t->listen_fd[i],
					      .events = POLLIN};
	}
	f->listeners = k - 1;
	for (i = 0; i < t->conn_count; i++) {
		c = t->conns[i];
		f->pfd[k] = (struct pollfd){.fd = c->fd, .events = POLLIN};
		if (c->state == CONN_CONNECTING || c->out != NULL)
			f->pfd[k].events |= POLLOUT;
		k++;
	}
	f->conns = t->conn_count;
	return 0;
}

static void handle_events(struct tcp_transport *t, struct loop_fds *f)
{
	struct pollfd *p;
	struct tcp_conn *c;
	int i;

	if (f->pfd[0].revents != 0)
		drain_wake(t);
	for (i = 0; i < f->listeners; i++)
		if (f->pfd[1 + i].revents != 0)
			accept_all(t, f->node[1 + i]);
	for (i = 0; i < f->conns; i++) {
		p = &f->pfd[1 + f->listeners + i];
		c = t->conns[i];
		if (p->revents == 0 || c->state == CONN_CLOSED)
			continue;
		if (c->state == CONN_CONNECTING) {
			connect_done(t, c);
			continue;
		}
		if (p->revents & (POLLIN | POLLHUP | POLLERR))
			tcp_conn_read(t, c);
		if ((p->revents & POLLOUT) && c->state != CONN_CLOSED)
			tcp_conn_flush(t, c);
	}
}

/* One round's timers and writes; returns the poll timeout in ms. */
static int round_prepare(struct tcp_transport *t)
{
	int64_t now = tcp_now_us();
	int64_t next = dial_due(t, now);
	int64_t hs = expire_conns(t, now);
	int64_t wait;
	int i;

	if (hs < next)
		next = hs;
	if (t->accept_rest_until > now && t->accept_rest_until < next)
		next = t->accept_rest_until;
	for (i = 0; i < t->conn_count; i++)
		if (t->conns[i]->state != CONN_CONNECTING)
			tcp_conn_flush(t, t->conns[i]);
	reap(t);
	if (next == INT64_MAX)
		return -1;
	wait = (next - tcp_now_us() + 999) / 1000;
	if (wait < 0)
		return 0;
	return wait > 60000 ? 60000 : (int)wait;
}

void *tcp_loop_main(void *arg)
{
	struct tcp_transport *t = arg;
	struct loop_fds f = {0};
	int timeout;
	int rv;

	while (!atomic_load(&t->stop)) {
		timeout = round_prepare(t);
		if (build_fds(t, &f) != 0) {
			/* No memory for the poll set: try again shortly. */
			poll(NULL, 0, 10);
			continue;
		}
		rv = poll(f.pfd, (nfds_t)(1 + f.listeners + f.conns), timeout);
		if (rv < 0)
			continue; /* EINTR; nothing else is expected */
		if (rv > 0)
			handle_events(t, &f);
	}
	free(f.pfd);
	free(f.node);
	return NULL;
}
