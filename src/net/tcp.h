/* tcp.h - the TCP transport: the nodes of one process (all of them with
 * `--transport tcp`, one with `raftsim node`, none for `raftsim client`
 * and `bench`) talking to every other node over TCP. The harness's send
 * path decides a message's fate (drop, delay, partition) at the sender,
 * as with mailboxes; what survives is handed to tcp_send, which only
 * queues it. One thread per process (tcp.c's loop) does all socket work.
 *
 * Connections: one per pair of nodes, dialed by the lower id (so the pair
 * never races to two connections), and one from each client process to
 * each node. Every socket is non-blocking with TCP_NODELAY, served by one
 * poll loop. A connection that breaks is dialed again after an exponential
 * backoff with jitter (backoff_min_us doubling up to backoff_max_us, each
 * wait drawn uniformly from its upper half, from the transport's seeded
 * generator). The handshake (wire.h) carries the cluster id and both ids;
 * a dialer from another cluster, a node id outside the configuration or a
 * wrong MAC is refused, and the refusal is logged. A frame that does not
 * decode (wire.h's errors) closes its connection with a log line; nothing
 * a peer sends can crash the process.
 *
 * Send queues: one per peer, bounded (queue_frames frames, queue_bytes
 * bytes). tcp_send never blocks: when the queue is full, or the peer is
 * not connected and its queue is full, the message is dropped and counted,
 * like a full mailbox. A message waits in the queue while its peer
 * reconnects; a connection that breaks loses the frames it had taken.
 *
 * Guards: a handshake must finish within 5 s, a client's connection closes
 * after client_idle_us of silence, at most 64 accepted connections are in
 * their handshake at once (the oldest goes for a new one), and when
 * accept() runs out of descriptors the listeners rest 100 ms at a time
 * (logged once) instead of spinning. tcp_open raises RLIMIT_NOFILE's soft
 * limit to the hard one.
 *
 * Locks: tcp_send takes the peer's queue lock, a leaf (it is called in the
 * sender's step under its node lock: node -> tcp queue); the loop thread
 * never takes a node lock: it hands each decoded message to cfg.deliver
 * holding no lock of its own.
 */
#ifndef NET_TCP_H
#define NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft_msg.h"

#define TCP_HOST_MAX 256
#define TCP_SECRET_MAX 1024

/* Where a node listens. port 0 with --transport tcp: an ephemeral port on
 * loopback, chosen at tcp_open (tcp_port tells which). */
struct tcp_addr {
	char host[TCP_HOST_MAX];
	uint16_t port;
};

/* Counters, summed over peers. */
struct tcp_stats {
	uint64_t frames_sent;
	uint64_t frames_received;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t dropped_full; /* a full send queue */
	uint64_t connects;     /* handshakes completed */
	uint64_t disconnects;  /* connections lost after a handshake */
	uint64_t refused;      /* handshakes refused (cluster, id, MAC) */
	uint64_t bad_frames;   /* connections closed on a bad frame */
};

struct tcp_config {
	uint64_t cluster_id;
	int nodes;
	const struct tcp_addr *addrs; /* nodes long */
	const bool *local;            /* nodes long: served by this process */
	/* A client process (no local node): the client id it dials as; -1
	 * otherwise. It dials every node and never listens. */
	int client_id;
	const uint8_t *secret; /* NULL: no authentication */
	size_t secret_len;
	unsigned queue_frames;  /* per peer; 0: 4096 */
	size_t queue_bytes;     /* per peer; 0: 64 MiB */
	int64_t backoff_min_us; /* 0: 10 ms */
	int64_t backoff_max_us; /* 0: 1 s */
	uint64_t seed;          /* nonces and backoff jitter */
	/* A client's connection that has sent nothing for this long is
	 * closed (its client dials again when it needs to); 0: 60 s. */
	int64_t client_idle_us;
	/* A decoded message for a local node (m->to), or for the client
	 * process (m->to == RAFT_CLIENT); delay_us as its sender drew it.
	 * The callee owns `extra` (free() it). The loop thread, no lock. */
	void (*deliver)(void *ctx, const struct raft_message *m,
			uint32_t delay_us, void *extra, size_t extra_bytes);
	/* The client a client's request (a RAFT_MSG_CLIENT body) says it
	 * comes from, or -1. A request naming another client than its
	 * connection's handshake closes that connection with a log line:
	 * a reply goes to the client the body names, so it may not name
	 * someone else's. The loop thread, no lock. May be NULL (not
	 * checked). */
	int (*request_client)(void *ctx, const struct raft_message *m);
	/* One line about a connection (refused, closed on a bad frame,
	 * reconnected), without a newline. The loop thread, no lock. May be
	 * NULL. */
	void (*log)(void *ctx, const char *line);
	/* Called by the loop thread after it takes frames off a queue and
	 * before it writes them, holding no lock: raftsim node hands its
	 * trace to the kernel there (writer_sync). May be NULL. */
	void (*before_write)(void *ctx);
	void *ctx;
};

struct tcp_transport;

/* Binds a listener for every local node (SO_REUSEADDR) and sets up the
 * queues; no thread yet. Returns 0, or -1 after writing why into err (a
 * port in use, a host that does not resolve, no memory). */
int tcp_open(struct tcp_transport **out, const struct tcp_config *cfg,
	     char *err, size_t err_len);

/* The port local node `node` listens on (its ephemeral one if asked for
 * port 0). For --transport tcp the caller then tells every node where the
 * others are (tcp_set_port) before tcp_start. */
uint16_t tcp_port(const struct tcp_transport *t, int node);
void tcp_set_port(struct tcp_transport *t, int node, uint16_t port);

/* Starts the loop thread; it dials every peer it must. Returns 0 or an
 * errno value. */
int tcp_start(struct tcp_transport *t);

/* Queues msg (from a local node, or from the client process) for msg->to;
 * to == RAFT_CLIENT: a reply for client `client`, sent on the connection
 * that client's last request came in on. Never blocks. Returns 0, or -1
 * when the message was dropped (a full queue; no route to that client;
 * no memory), counted in tcp_stats. */
int tcp_send(struct tcp_transport *t, const struct raft_message *msg,
	     uint32_t delay_us, int client);

/* Whether local (or client) side has a completed handshake with node
 * `node` now. For tests and `raftsim client`'s first contact. */
bool tcp_connected(struct tcp_transport *t, int node);

void tcp_get_stats(struct tcp_transport *t, struct tcp_stats *out);

/* Stops the loop thread and closes every socket (queued frames are lost:
 * the run is over). Then frees. NULL is a no-op. */
void tcp_close(struct tcp_transport *t);

/* Parsers for the command line: "HOST:PORT" ("[v6]:PORT" too) and the
 * peer list "0=HOST:PORT,1=HOST:PORT,..." (ids 0..n-1, each once, in any
 * order). Return 0, or -1 after writing why into err. */
int tcp_parse_addr(const char *text, struct tcp_addr *out, char *err,
		   size_t err_len);
int tcp_parse_peers(const char *text, struct tcp_addr *addrs, int max,
		    int *count, char *err, size_t err_len);

/* Reads --secret FILE: its bytes, a trailing newline dropped; refused
 * when empty, shorter than 16 bytes, longer than TCP_SECRET_MAX, or
 * readable by others (mode & 077, as ssh does for keys). Returns 0, or -1
 * after writing why into err. */
int tcp_read_secret(const char *path, uint8_t *out, size_t *len, char *err,
		    size_t err_len);

#endif
