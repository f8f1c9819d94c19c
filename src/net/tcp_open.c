/* tcp_open.c - the TCP transport's set-up and end (tcp.h): the nodes'
 * addresses resolved, a listener for every local node, the links and
 * their queues, the wake pipe, the loop thread; and tcp_close.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tcp_internal.h"

#define DEFAULT_QUEUE_FRAMES 4096
#define DEFAULT_QUEUE_BYTES ((size_t)64 << 20)
#define DEFAULT_BACKOFF_MIN_US 10000
#define DEFAULT_BACKOFF_MAX_US 1000000

uint16_t tcp_port(const struct tcp_transport *t, int node)
{
	assert(node >= 0 && node < t->cfg.nodes);
	return t->addrs[node].port;
}

static void set_sa_port(struct sockaddr_storage *sa, uint16_t port)
{
	if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons(port);
}

void tcp_set_port(struct tcp_transport *t, int node, uint16_t port)
{
	assert(node >= 0 && node < t->cfg.nodes && !t->started);
	t->addrs[node].port = port;
	set_sa_port(&t->sa[node], port);
}

/* Resolves every node's host (numeric or by name). */
static int resolve_all(struct tcp_transport *t, char *err, size_t err_len)
{
	struct addrinfo hints, *res;
	int i;
	int rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	for (i = 0; i < t->cfg.nodes; i++) {
		rv = getaddrinfo(t->addrs[i].host, NULL, &hints, &res);
		if (rv != 0) {
			snprintf(err, err_len, "node %d's host '%s': %s", i,
				 t->addrs[i].host, gai_strerror(rv));
			return -1;
		}
		memcpy(&t->sa[i], res->ai_addr, res->ai_addrlen);
		t->sa_len[i] = res->ai_addrlen;
		freeaddrinfo(res);
		set_sa_port(&t->sa[i], t->addrs[i].port);
	}
	return 0;
}

int tcp_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int tcp_socket_nonblock(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd >= 0 && tcp_set_nonblock(fd) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int listen_on(struct tcp_transport *t, int node, char *err,
		     size_t err_len)
{
	struct sockaddr_storage bound;
	socklen_t len = sizeof(bound);
	int one = 1;
	int fd;

	fd = tcp_socket_nonblock(t->sa[node].ss_family);
	if (fd < 0)
		goto err;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&t->sa[node], t->sa_len[node]) != 0 ||
	    listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&bound, &len) != 0)
		goto err_fd;
	t->listen_fd[node] = fd;
	if (bound.ss_family == AF_INET6)
		tcp_set_port(t, node,
			     ntohs(((struct sockaddr_in6 *)&bound)->sin6_port));
	else
		tcp_set_port(t, node,
			     ntohs(((struct sockaddr_in *)&bound)->sin_port));
	return 0;
err_fd:
	close(fd);
err:
	snprintf(err, err_len, "node %d cannot listen on %s:%u: %s", node,
		 t->addrs[node].host, t->addrs[node].port, strerror(errno));
	return -1;
}

static int make_links(struct tcp_transport *t)
{
	int n = t->cfg.nodes;
	bool client = t->cfg.client_id >= 0;
	int count = client ? n : n * n;
	struct tcp_link *l;
	int i;

	t->link = calloc((size_t)count, sizeof(*t->link));
	if (t->link == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		int from = client ? -1 : i / n;
		int to = client ? i : i % n;

		if (!client && (from == to || !t->local[from]))
			continue;
		l = calloc(1, sizeof(*l));
		if (l == NULL)
			return -1;
		if (tcp_queue_init(&l->q) != 0) {
			free(l);
			return -1;
		}
		l->from = from;
		l->to = to;
		l->dials = client || from < to;
		l->backoff_us = t->cfg.backoff_min_us;
		t->link[i] = l;
	}
	return 0;
}

static void apply_defaults(struct tcp_config *cfg)
{
	if (cfg->queue_frames == 0)
		cfg->queue_frames = DEFAULT_QUEUE_FRAMES;
	if (cfg->queue_bytes == 0)
		cfg->queue_bytes = DEFAULT_QUEUE_BYTES;
	if (cfg->backoff_min_us <= 0)
		cfg->backoff_min_us = DEFAULT_BACKOFF_MIN_US;
	if (cfg->backoff_max_us <= 0)
		cfg->backoff_max_us = DEFAULT_BACKOFF_MAX_US;
	if (cfg->backoff_max_us < cfg->backoff_min_us)
		cfg->backoff_max_us = cfg->backoff_min_us;
	if (cfg->client_idle_us <= 0)
		cfg->client_idle_us = TCP_CLIENT_IDLE_US;
}

/* Best effort: every connection is a descriptor, and the usual soft limit
 * (1024) is below TCP_MAX_CONNS; the hard one is what the admin allows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0 || was >= 65536)
		return;
	/* An unlimited hard limit can be above the kernel's nr_open. */
	rl.rlim_cur = 65536;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

static int alloc_arrays(struct tcp_transport *t)
{
	size_t n = (size_t)t->cfg.nodes;
	size_t i;

	t->addrs = calloc(n, sizeof(*t->addrs));
	t->local = calloc(n, sizeof(*t->local));
	t->sa = calloc(n, sizeof(*t->sa));
	t->sa_len = calloc(n, sizeof(*t->sa_len));
	t->listen_fd = calloc(n, sizeof(*t->listen_fd));
	if (t->addrs == NULL || t->local == NULL || t->sa == NULL ||
	    t->sa_len == NULL || t->listen_fd == NULL)
		return -1;
	for (i = 0; i < n; i++)
		t->listen_fd[i] = -1;
	return 0;
}

int tcp_open(struct tcp_transport **out, const struct tcp_config *cfg,
	     char *err, size_t err_len)
{
	struct tcp_transport *t;
	int i;

	assert(cfg->nodes >= 1 && cfg->addrs != NULL);
	assert(cfg->deliver != NULL);
	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto err_nomem;
	t->wake[0] = t->wake[1] = -1;
	t->cfg = *cfg;
	apply_defaults(&t->cfg);
	raise_fd_limit();
	if (pthread_mutex_init(&t->routes_mu, NULL) != 0) {
		free(t);
		goto err_nomem;
	}
	if (alloc_arrays(t) != 0)
		goto err_free;
	for (i = 0; i < cfg->nodes; i++) {
		t->addrs[i] = cfg->addrs[i];
		t->local[i] = cfg->client_id < 0 && cfg->local != NULL &&
			      cfg->local[i];
	}
	t->cfg.addrs = t->addrs;
	t->cfg.local = t->local;
	if (cfg->secret != NULL && cfg->secret_len > 0) {
		if (cfg->secret_len > TCP_SECRET_MAX) {
			snprintf(err, err_len, "the secret is over %d bytes",
				 TCP_SECRET_MAX);
			goto err_close;
		}
		memcpy(t->secret, cfg->secret, cfg->secret_len);
		t->secret_len = cfg->secret_len;
		t->have_secret = true;
	}
	t->cfg.secret = NULL;
	t->rng = cfg->seed ^ (uint64_t)tcp_now_us() ^
		 ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)t;
	if (make_links(t) != 0)
		goto err_free;
	if (pipe(t->wake) != 0 || tcp_set_nonblock(t->wake[0]) != 0 ||
	    tcp_set_nonblock(t->wake[1]) != 0) {
		snprintf(err, err_len, "cannot make a pipe: %s",
			 strerror(errno));
		goto err_close;
	}
	if (resolve_all(t, err, err_len) != 0)
		goto err_close;
	for (i = 0; i < cfg->nodes; i++)
		if (t->local[i] && listen_on(t, i, err, err_len) != 0)
			goto err_close;
	*out = t;
	return 0;
err_free:
	snprintf(err, err_len, "out of memory");
err_close:
	tcp_close(t);
	return -1;
err_nomem:
	snprintf(err, err_len, "out of memory");
	return -1;
}

int tcp_start(struct tcp_transport *t)
{
	int rv;

	assert(!t->started);
	rv = pthread_create(&t->thread, NULL, tcp_loop_main, t);
	t->started = rv == 0;
	return rv;
}

static void free_links(struct tcp_transport *t)
{
	int count = t->cfg.client_id >= 0 ? t->cfg.nodes
					  : t->cfg.nodes * t->cfg.nodes;
	int i;

	for (i = 0; t->link != NULL && i < count; i++) {
		if (t->link[i] == NULL)
			continue;
		tcp_queue_destroy(&t->link[i]->q);
		free(t->link[i]);
	}
	free(t->link);
}

void tcp_close(struct tcp_transport *t)
{
	int i;

	if (t == NULL)
		return;
	if (t->started) {
		atomic_store(&t->stop, true);
		atomic_store(&t->wake_pending, false);
		tcp_wake(t);
		pthread_join(t->thread, NULL);
	}
	for (i = 0; i < t->conn_count; i++) {
		if (t->conns[i]->state != CONN_CLOSED)
			close(t->conns[i]->fd);
		tcp_conn_free(t->conns[i]);
	}
	free(t->conns);
	for (i = 0; t->listen_fd != NULL && i < t->cfg.nodes; i++)
		if (t->listen_fd[i] >= 0)
			close(t->listen_fd[i]);
	for (i = 0; i < 2; i++)
		if (t->wake[i] >= 0)
			close(t->wake[i]);
	free_links(t);
	tcp_routes_free(t);
	pthread_mutex_destroy(&t->routes_mu);
	free(t->addrs);
	free(t->local);
	free(t->sa);
	free(t->sa_len);
	free(t->listen_fd);
	free(t);
}
