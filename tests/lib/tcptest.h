/* tcptest.h - what the tests of the TCP transport and of `raftsim node`
 * processes share: a transport endpoint on loopback that records what it
 * receives and logs, waits for a condition up to one generous deadline,
 * loopback ports and raw sockets, and raftsim processes with their output
 * in a file. Nothing here sleeps to synchronize: a wait polls a condition.
 */
#ifndef TCPTEST_H
#define TCPTEST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/tcp.h"

/* The bound of every wait: far more than a loaded 2-core machine needs. */
#define TCPTEST_DEADLINE_MS 20000
#define TCPTEST_MAX_NODES 3
#define TCPTEST_BODY_BYTES 256
#define TCPTEST_LOG_BYTES 16384

/* One transport under test and what it received and logged. Fill it with
 * tcptest_end_config; the fields below mu are read under mu. */
struct tcptest_end {
	struct tcp_transport *t;
	struct tcp_config cfg;
	struct tcp_addr addrs[TCPTEST_MAX_NODES];
	bool local[TCPTEST_MAX_NODES];
	pthread_mutex_t mu;
	int messages;
	struct raft_message last; /* its pointers dangle: read its scalars */
	uint32_t last_delay;
	uint8_t last_body[TCPTEST_BODY_BYTES]; /* a client message's body */
	uint32_t last_body_len;
	char log[TCPTEST_LOG_BYTES]; /* its log lines, cut when full */
	size_t log_len;
};

/* Node `local_node` of `nodes` (-1: none, a client; set cfg.client_id) in
 * cluster 1, every node on 127.0.0.1 at port 0 (the kernel's pick; set
 * addrs[i].port or tcp_set_port for a peer's), backoff from 2 to 100 ms.
 * Edit cfg or addrs before tcptest_end_open. */
void tcptest_end_config(struct tcptest_end *e, int nodes, int local_node);

/* tcp_open, its error on stderr: 0, or -1. */
int tcptest_end_open(struct tcptest_end *e);

/* tcptest_end_open, then tcp_start: 0, or -1. */
int tcptest_end_open_and_start(struct tcptest_end *e);

/* Closes the transport (if open) and the mutex. */
void tcptest_end_close(struct tcptest_end *e);

/* How many messages it has received. */
int tcptest_end_messages(struct tcptest_end *e);

/* How many times `text` stands in its log. */
int tcptest_end_log_count(struct tcptest_end *e, const char *text);

/* Polls cond(arg) every `every_ms` until it holds (true) or
 * TCPTEST_DEADLINE_MS have passed (false). */
bool tcptest_wait_every(long every_ms, bool (*cond)(void *arg), void *arg);

/* tcptest_wait_every, polling every millisecond. */
bool tcptest_wait(bool (*cond)(void *arg), void *arg);

/* Waits until e has received `want` messages or more. */
bool tcptest_wait_messages(struct tcptest_end *e, int want);

/* Waits until e has logged `text`; on the deadline, prints its log. */
bool tcptest_wait_log(struct tcptest_end *e, const char *text);

/* Waits until t's connection to `node` has finished its handshake. */
bool tcptest_wait_connected(struct tcp_transport *t, int node);

/* A TCP socket bound to 127.0.0.1 at the kernel's pick, the port in *port;
 * -1 if there is none. */
int tcptest_bind_loopback(uint16_t *port);

/* A loopback port nobody listens on now (bound, read back, closed), or 0.
 * Another process may take it before the test binds it. */
uint16_t tcptest_unused_port(void);

/* A plain socket connected to 127.0.0.1:port whose reads give up after
 * TCPTEST_DEADLINE_MS; -1 if it cannot connect. */
int tcptest_connect_raw(uint16_t port);

/* Starts raftsim (test_bin_dir()'s) with `args` (NULL-ended, without the
 * program's name), its stdout and stderr appended to out_path. Returns its
 * pid, or -1. */
pid_t tcptest_spawn_raftsim(const char *out_path, const char *const *args);

/* Sends pid SIGTERM and reaps it, its wait status in *status (if not
 * NULL): 0, or -1 if it cannot be reaped. */
int tcptest_stop_process(pid_t pid, int *status);

/* Whether the file at `path` holds `text` after its offset-th byte now. */
bool tcptest_file_has(const char *path, size_t offset, const char *text);

/* Waits until the file at `path` holds `text` after its offset-th byte,
 * reading it afresh every 20 ms. */
bool tcptest_wait_file_has(const char *path, size_t offset, const char *text);

/* Prints the file at `path` (its first 4000 bytes) under a label, for a
 * failed test. */
void tcptest_print_file(const char *label, const char *path);

#endif
