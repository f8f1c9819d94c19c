/* client_cli.h - what `raftsim client` and `raftsim bench` share
 * (tcp_commands.h): the operation words (client_words.c), the ids of a
 * process's clients, the history file (client_history.c) and the clients
 * driven over TCP (client_net.c).
 *
 * Exit codes (README "raftsim client"): 0 the operation completed ok; 2 bad
 * words or flags; 3 it did not: no leader reached (nothing invoked), a
 * fail (it certainly did not take effect) or an unknown outcome (info: a
 * write that may yet take effect), each said on stderr.
 */
#ifndef CLIENT_CLI_H
#define CLIENT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/clients.h"
#include "kv/kv.h"
#include "lincheck/history.h"
#include "net/tcp.h"

/* Keys and values given on the command line, at most (a request carries
 * them in one frame; the store takes any length). */
#define CLIENT_WORD_MAX 65536

/* The one operation of `raftsim client OP KEY [VALUE [NEW]]`. Strings
 * point into the words. */
struct client_op {
	uint8_t op; /* enum kv_op: get, put, append, cas, delete */
	struct kv_bytes key;
	struct kv_bytes value;  /* put, append: the value; cas: NEW */
	struct kv_bytes expect; /* cas: OLD */
};

/* Parses the words after `client`. Returns 0, or -1 after writing why
 * into err (an unknown operation, a missing or extra word, an empty key,
 * a word longer than CLIENT_WORD_MAX). */
int client_parse_words(const char *const *words, int count,
		       struct client_op *op, char *err, size_t err_len);

/* What the operation's completion says, as `raftsim client` prints it:
 * get: the value, or "(none)" when the key is absent; cas: "swapped" or
 * "not swapped"; put, append, delete: "ok". Only for an ok. Returns 0, or
 * -1 when out could not be written. */
int client_print_result(const struct client_op *op, const struct hist_event *ok,
			FILE *out);

/* The first of `count` (<= OPT_MAX_CLIENTS) client ids of a process that
 * was given none: bits 16..30 the pid (distinct among the processes that
 * run at once on a host whose pids stay below 2^15, as Linux's default),
 * bits 10..15 the clock's seconds (a pid used again later gets other ids
 * most of the time), bits 0..9 left to the process's clients. */
int client_ids_derive(uint64_t pid, uint64_t unix_s);

/* The history file (--history): lines appended in whole writes with
 * O_APPEND, so that several processes may share one file. Lines gather in
 * a buffer until client_hist_flush. */
struct client_hist {
	int fd; /* -1: none */
	char *buf;
	size_t len, cap;
	uint64_t lines;
	int error; /* errno of the first failed write, or 0 */
};

/* Opens (creates) path for appending. Returns 0, or -1 after writing why
 * into err. */
int client_hist_open(struct client_hist *h, const char *path, char *err,
		     size_t err_len);
/* Adds ev's line to the buffer. Returns 0, or -1 when out of memory. */
int client_hist_add(struct client_hist *h, const struct hist_event *ev);
/* Writes the buffered lines in one write. Returns 0, or -1 (h->error). */
int client_hist_flush(struct client_hist *h);
/* Flushes and closes. Returns 0, or -1 when a write or the close failed
 * (h->error). */
int client_hist_close(struct client_hist *h);

/* The clients of one process over TCP (client_net.c). */
struct client_net_config {
	uint64_t cluster_id;
	int nodes;
	const struct tcp_addr *addrs; /* nodes long */
	const uint8_t *secret;        /* NULL: none */
	size_t secret_len;
	uint64_t seed;
	struct client_config clients;  /* nodes, clients, client_base... */
	const struct client_op *fixed; /* every operation; NULL: workload */
	struct client_hist *history;   /* NULL: none */
	const char *who;               /* "client", "bench": log lines */
	FILE *err;
};

/* Why client_net_run returned. */
enum client_net_end {
	CLIENT_NET_DONE,        /* every client idle: max_ops reached */
	CLIENT_NET_TIME,        /* end_us came */
	CLIENT_NET_UNREACHED,   /* no session by register_by_us */
	CLIENT_NET_STOPPED,     /* SIGINT or SIGTERM (harness_stop.h) */
	CLIENT_NET_HIST_FAILED, /* the history could not be written */
};

struct client_net;

/* Sets up one transport per client (tcp.h routes a reply by the client id
 * its connection's handshake carries). Returns 0, or -1 after writing why
 * into err. */
int client_net_open(struct client_net **out,
		    const struct client_net_config *cfg, char *err,
		    size_t err_len);
/* Starts the transports and the clients (at CLOCK_MONOTONIC now). Returns
 * 0, or -1 after writing why into err. */
int client_net_start(struct client_net *cn, char *err, size_t err_len);
/* Drives the clients on monotonic deadlines until one of the ends. */
enum client_net_end client_net_run(struct client_net *cn, int64_t end_us,
				   int64_t register_by_us);
/* Stops invoking: the operations outstanding may still complete (run
 * again to let them). */
void client_net_finish(struct client_net *cn);
const struct clients_stats *client_net_stats(const struct client_net *cn);
/* The last completion (fail, info, ok) of client 0 of a fixed operation,
 * with its value; false when none came. */
bool client_net_result(const struct client_net *cn, struct hist_event *ev);
/* Connection log lines the transports wrote (some of them printed). */
uint64_t client_net_log_lines(const struct client_net *cn);
/* Stops the clients (what is outstanding stays open), then the
 * transports. The history is the caller's to close. NULL is a no-op. */
void client_net_close(struct client_net *cn);

#endif
