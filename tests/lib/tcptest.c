/* tcptest.c - see tcptest.h. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tcptest.h"
#include "testrun.h"

/* tcp.h's deliver, on the transport's loop thread. */
static void end_deliver(void *ctx, const struct raft_message *m,
			uint32_t delay_us, void *extra, size_t extra_bytes)
{
	struct tcptest_end *e = ctx;

	(void)extra_bytes;
	pthread_mutex_lock(&e->mu);
	e->messages++;
	e->last = *m;
	e->last_delay = delay_us;
	e->last_body_len = 0;
	if (m->type == RAFT_MSG_CLIENT &&
	    m->u.client.len <= TCPTEST_BODY_BYTES) {
		memcpy(e->last_body, m->u.client.data, m->u.client.len);
		e->last_body_len = m->u.client.len;
	}
	pthread_mutex_unlock(&e->mu);
	free(extra);
}

static void end_log(void *ctx, const char *line)
{
	struct tcptest_end *e = ctx;
	size_t len = strlen(line);

	pthread_mutex_lock(&e->mu);
	if (e->log_len + len + 2 < TCPTEST_LOG_BYTES) {
		memcpy(e->log + e->log_len, line, len);
		e->log_len += len;
		e->log[e->log_len++] = '\n';
		e->log[e->log_len] = '\0';
	}
	pthread_mutex_unlock(&e->mu);
}

void tcptest_end_config(struct tcptest_end *e, int nodes, int local_node)
{
	int i;

	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->mu, NULL);
	for (i = 0; i < nodes && i < TCPTEST_MAX_NODES; i++) {
		snprintf(e->addrs[i].host, TCP_HOST_MAX, "127.0.0.1");
		e->local[i] = i == local_node;
	}
	e->cfg.cluster_id = 1;
	e->cfg.nodes = nodes;
	e->cfg.addrs = e->addrs;
	e->cfg.local = e->local;
	e->cfg.client_id = -1;
	e->cfg.backoff_min_us = 2000;
	e->cfg.backoff_max_us = 100000;
	e->cfg.seed = 42;
	e->cfg.deliver = end_deliver;
	e->cfg.log = end_log;
	e->cfg.ctx = e;
}

int tcptest_end_open(struct tcptest_end *e)
{
	char err[256];

	if (tcp_open(&e->t, &e->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "    tcp_open: %s\n", err);
		return -1;
	}
	return 0;
}

int tcptest_end_open_and_start(struct tcptest_end *e)
{
	if (tcptest_end_open(e) != 0)
		return -1;
	return tcp_start(e->t) == 0 ? 0 : -1;
}

void tcptest_end_close(struct tcptest_end *e)
{
	tcp_close(e->t);
	e->t = NULL;
	pthread_mutex_destroy(&e->mu);
}

int tcptest_end_messages(struct tcptest_end *e)
{
	int n;

	pthread_mutex_lock(&e->mu);
	n = e->messages;
	pthread_mutex_unlock(&e->mu);
	return n;
}

int tcptest_end_log_count(struct tcptest_end *e, const char *text)
{
	const char *p;
	int n = 0;

	pthread_mutex_lock(&e->mu);
	for (p = e->log; (p = strstr(p, text)) != NULL; p++)
		n++;
	pthread_mutex_unlock(&e->mu);
	return n;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool tcptest_wait_every(long every_ms, bool (*cond)(void *arg), void *arg)
{
	struct timespec pause = {every_ms / 1000, (every_ms % 1000) * 1000000L};
	int64_t end = now_ms() + TCPTEST_DEADLINE_MS;

	while (!cond(arg)) {
		if (now_ms() >= end)
			return false;
		nanosleep(&pause, NULL);
	}
	return true;
}

bool tcptest_wait(bool (*cond)(void *arg), void *arg)
{
	return tcptest_wait_every(1, cond, arg);
}

struct messages_goal {
	struct tcptest_end *e;
	int want;
};

static bool has_messages(void *arg)
{
	struct messages_goal *g = arg;

	return tcptest_end_messages(g->e) >= g->want;
}

bool tcptest_wait_messages(struct tcptest_end *e, int want)
{
	struct messages_goal g = {e, want};

	return tcptest_wait(has_messages, &g);
}

struct log_goal {
	struct tcptest_end *e;
	const char *text;
};

static bool has_logged(void *arg)
{
	struct log_goal *g = arg;

	return tcptest_end_log_count(g->e, g->text) > 0;
}

bool tcptest_wait_log(struct tcptest_end *e, const char *text)
{
	struct log_goal g = {e, text};

	if (tcptest_wait(has_logged, &g))
		return true;
	pthread_mutex_lock(&e->mu);
	fprintf(stderr, "    no '%s' in the log:\n%s", text, e->log);
	pthread_mutex_unlock(&e->mu);
	return false;
}

struct connected_goal {
	struct tcp_transport *t;
	int node;
};

static bool is_connected(void *arg)
{
	struct connected_goal *g = arg;

	return tcp_connected(g->t, g->node);
}

bool tcptest_wait_connected(struct tcp_transport *t, int node)
{
	struct connected_goal g = {t, node};

	return tcptest_wait(is_connected, &g);
}

static void loopback_address(struct sockaddr_in *sa, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

int tcptest_bind_loopback(uint16_t *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	loopback_address(&sa, 0);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

uint16_t tcptest_unused_port(void)
{
	uint16_t port = 0;
	int fd = tcptest_bind_loopback(&port);

	if (fd < 0)
		return 0;
	close(fd);
	return port;
}

int tcptest_connect_raw(uint16_t port)
{
	struct sockaddr_in sa;
	struct timeval tv = {TCPTEST_DEADLINE_MS / 1000, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	loopback_address(&sa, port);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

#define SPAWN_ARGS_MAX 32

pid_t tcptest_spawn_raftsim(const char *out_path, const char *const *args)
{
	char bin[512];
	char *argv[SPAWN_ARGS_MAX + 2];
	pid_t pid;
	int fd, n;

	snprintf(bin, sizeof(bin), "%s/raftsim", test_bin_dir());
	argv[0] = (char *)"raftsim";
	for (n = 0; args[n] != NULL; n++) {
		if (n == SPAWN_ARGS_MAX)
			return -1;
		argv[n + 1] = (char *)args[n];
	}
	argv[n + 1] = NULL;
	pid = fork();
	if (pid != 0)
		return pid;
	fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	if (fd > 2)
		close(fd);
	execv(bin, argv);
	_exit(127);
}

int tcptest_stop_process(pid_t pid, int *status)
{
	int ignored;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	return waitpid(pid, status != NULL ? status : &ignored, 0) == pid ? 0
									  : -1;
}

bool tcptest_file_has(const char *path, size_t offset, const char *text)
{
	size_t len = 0;
	char *all = test_slurp(path, &len);
	bool found = all != NULL && offset <= len &&
		     strstr(all + offset, text) != NULL;

	free(all);
	return found;
}

struct file_goal {
	const char *path;
	size_t offset;
	const char *text;
};

static bool file_has(void *arg)
{
	struct file_goal *g = arg;

	return tcptest_file_has(g->path, g->offset, g->text);
}

bool tcptest_wait_file_has(const char *path, size_t offset, const char *text)
{
	struct file_goal g = {path, offset, text};

	return tcptest_wait_every(20, file_has, &g);
}

void tcptest_print_file(const char *label, const char *path)
{
	char *text = test_slurp(path, NULL);

	fprintf(stderr, "    %s:\n%.4000s", label,
		text != NULL ? text : "(none)\n");
	free(text);
}
