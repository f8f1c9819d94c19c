/* tcp_internal.h - what the transport's files share (tcp.h is the
 * contract): tcp.c (the public calls and the send queues), tcp_loop.c
 * (the poll loop: listeners, dialing, timers), tcp_conn.c (a connection:
 * its bytes in and out), tcp_handshake.c (HELLO, CHALLENGE, AUTH),
 * tcp_open.c (set-up and the end), tcp_parse.c (the command line's),
 * tcp_route.c (the reply routes to clients).
 *
 * Who touches what: a send queue under its own lock (any thread); the
 * routes table under the routes lock (tcp_send, and the loop when a
 * client's connection comes or goes); a link's `ready` flag is atomic;
 * everything else (connections, timers, the generator) is the loop
 * thread's alone. Order: routes lock -> queue lock, both leaves under
 * whatever the caller of tcp_send holds.
 */
#ifndef NET_TCP_INTERNAL_H
#define NET_TCP_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "tcp.h"
#include "wire.h"

/* A handshake not finished in this long closes its connection: a peer
 * that connects and says nothing holds no slot for ever. */
#define TCP_HANDSHAKE_US 5000000
/* Accepted connections in their handshake at once: beyond it the oldest
 * is closed, so that silent sockets cannot take every descriptor from
 * the node's peers (a real handshake takes a round trip, a flood must
 * outpace that). */
#define TCP_MAX_HANDSHAKES 64
/* accept() out of descriptors (or memory): the listeners rest this long
 * before the next try, instead of polling a readable listener in a spin. */
#define TCP_ACCEPT_PAUSE_US 100000
#define TCP_CLIENT_IDLE_US 60000000
/* Connections at once (accepted clients included); one more is accepted
 * and closed at once, with a log line. */
#define TCP_MAX_CONNS 4096
/* Client routes at once (one per client connection): a handshake beyond
 * it is refused with a log line. */
#define TCP_MAX_ROUTES 4096
#define TCP_ROUTE_BUCKETS 1024 /* a power of two */

/* One encoded frame, header and payload in one block. */
struct tcp_frame {
	struct tcp_frame *next;
	size_t len;
	uint8_t bytes[];
};

/* A bounded send queue (tcp.h: "Send queues"). */
struct tcp_queue {
	pthread_mutex_t mu;
	struct tcp_frame *head;
	struct tcp_frame *tail;
	unsigned frames;
	size_t bytes;
};

/* One direction a local endpoint (a node, or the client process) talks
 * to one node on: node a's link to b, or the client's link to b. The
 * connection it is served by belongs to the loop. */
struct tcp_link {
	int from;   /* the local node, or -1 for the client process */
	int to;     /* the remote node */
	bool dials; /* the lower id (or a client) dials */
	struct tcp_queue q;
	atomic_bool ready;     /* a handshake completed on conn */
	struct tcp_conn *conn; /* loop only */
	int64_t redial_at;     /* loop only: dials no earlier */
	int64_t backoff_us;    /* loop only: the current upper bound */
};

/* A reply path to a client: its connection to local node `node` (the
 * newest: a client that connects again closes the old one). It lives as
 * long as that connection. Under the routes lock; conn is written only
 * by the loop thread, which may read it without the lock. */
struct tcp_route {
	int node;
	int client;
	struct tcp_conn *conn;
	struct tcp_queue q;
	struct tcp_route *next; /* in its hash bucket */
};

enum tcp_conn_state {
	CONN_CONNECTING,     /* dialer: non-blocking connect under way */
	CONN_WAIT_CHALLENGE, /* dialer: HELLO sent */
	CONN_WAIT_HELLO,     /* acceptor */
	CONN_WAIT_AUTH,      /* acceptor: CHALLENGE sent */
	CONN_READY,
	CONN_CLOSED, /* freed by the loop at the end of its round */
};

struct tcp_conn {
	int fd;
	enum tcp_conn_state state;
	bool dialer;
	int local;   /* the local node (acceptor: its listener's), -1 client */
	int peer;    /* the remote node, or (client conn) the client id */
	bool client; /* acceptor: the dialer is a client */
	struct tcp_link *link;   /* node links, and the client process's */
	struct tcp_route *route; /* an accepted client's, once ready */
	char name[80];           /* the peer's address, for log lines */
	/* The handshake's end; then, for an accepted client, when its
	 * silence closes it (client_idle_us after its last bytes). */
	int64_t deadline;
	uint8_t nonce_mine[WIRE_NONCE_BYTES];
	uint8_t nonce_peer[WIRE_NONCE_BYTES];
	struct wire_hello hello; /* as sent or received: the MACs cover it */
	/* In: bytes read, not yet a whole frame. */
	uint8_t *in;
	size_t in_len;
	size_t in_cap;
	/* Out: frames taken from the queue (or the handshake's), the first
	 * written up to out_off. */
	struct tcp_frame *out;
	struct tcp_frame *out_tail;
	size_t out_off;
};

struct tcp_transport {
	struct tcp_config cfg;
	struct tcp_addr *addrs; /* nodes long: a copy */
	bool *local;            /* nodes long: a copy (all false: client) */
	uint8_t secret[TCP_SECRET_MAX];
	size_t secret_len;
	bool have_secret;
	struct sockaddr_storage *sa; /* nodes long: resolved */
	socklen_t *sa_len;
	int *listen_fd;         /* nodes long, -1 where none */
	struct tcp_link **link; /* client: nodes long; else nodes * nodes */
	int wake[2];            /* self-pipe: [0] polled, [1] written */
	atomic_bool wake_pending;
	atomic_bool stop;
	pthread_t thread;
	bool started;
	uint64_t rng; /* loop only (splitmix64) */

	pthread_mutex_t routes_mu;
	struct tcp_route *route_bucket[TCP_ROUTE_BUCKETS];
	int route_count;

	/* Loop only. */
	struct tcp_conn **conns;
	int conn_count;
	int conn_cap;
	int64_t accept_rest_until; /* listeners not polled before */
	bool accept_failing;       /* logged; until an accept() succeeds */
	bool handshakes_full;      /* logged; until below the cap again */

	_Atomic uint64_t frames_sent;
	_Atomic uint64_t frames_received;
	_Atomic uint64_t bytes_sent;
	_Atomic uint64_t bytes_received;
	_Atomic uint64_t dropped_full;
	_Atomic uint64_t connects;
	_Atomic uint64_t disconnects;
	_Atomic uint64_t refused;
	_Atomic uint64_t bad_frames;
};

/* tcp.c, tcp_open.c */
int64_t tcp_now_us(void);
struct tcp_link *tcp_link_of(struct tcp_transport *t, int from, int to);
int tcp_queue_init(struct tcp_queue *q);
void tcp_queue_destroy(struct tcp_queue *q);
/* Moves every queued frame out (oldest first) and empties the queue. */
struct tcp_frame *tcp_queue_take(struct tcp_queue *q);
void tcp_frames_free(struct tcp_frame *f);
void tcp_wake(struct tcp_transport *t);
/* A frame of `type` around `payload`; NULL when out of memory. */
struct tcp_frame *tcp_frame_new(enum wire_type type, const uint8_t *payload,
				size_t len);
uint64_t tcp_rand(struct tcp_transport *t);
/* Non-blocking, close-on-exec; a socket's, with TCP_NODELAY. -1: errno. */
int tcp_set_nonblock(int fd);
int tcp_socket_nonblock(int family);

/* tcp_route.c, the routes lock held. find: NULL when there is none. add:
 * a new empty route (none may exist for the pair); NULL at
 * TCP_MAX_ROUTES or out of memory. drop: unlinks and frees r and what
 * its queue holds. */
struct tcp_route *tcp_route_find(struct tcp_transport *t, int node, int client);
struct tcp_route *tcp_route_add(struct tcp_transport *t, int node, int client);
void tcp_route_drop(struct tcp_transport *t, struct tcp_route *r);
/* At the end, the loop stopped: every route. */
void tcp_routes_free(struct tcp_transport *t);
void tcp_logf(struct tcp_transport *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* tcp_conn.c */
struct tcp_conn *tcp_conn_new(struct tcp_transport *t, int fd, bool dialer,
			      const char *name);
/* Both sides: the dialer once connected (sends HELLO). */
int tcp_conn_connected(struct tcp_transport *t, struct tcp_conn *c);
/* Reads what is there and handles every whole frame; closes c on EOF, an
 * error, a refusal or a bad frame. */
void tcp_conn_read(struct tcp_transport *t, struct tcp_conn *c);
/* Writes what it can: the handshake's frames, then (ready) the link's or
 * route's queue. Closes c on an error. Returns whether bytes still wait. */
bool tcp_conn_flush(struct tcp_transport *t, struct tcp_conn *c);
/* Closes and detaches c (state CLOSED; the loop frees it). `lost`: it
 * was ready, a disconnect to count. */
void tcp_conn_close(struct tcp_transport *t, struct tcp_conn *c);
void tcp_conn_free(struct tcp_conn *c);
/* Queues one frame to write; closes c when out of memory (-1). */
int tcp_conn_send_frame(struct tcp_transport *t, struct tcp_conn *c,
			enum wire_type type, const uint8_t *payload,
			size_t len);
/* Closes c after a frame that cannot be trusted, with a log line. */
void tcp_conn_bad_frame(struct tcp_transport *t, struct tcp_conn *c,
			const char *why);

/* tcp_handshake.c: each handshake frame, its CRC checked, in its turn
 * (tcp_conn_connected, above, sends the dialer's HELLO). */
void tcp_hs_hello(struct tcp_transport *t, struct tcp_conn *c, const uint8_t *p,
		  uint32_t len);
void tcp_hs_challenge(struct tcp_transport *t, struct tcp_conn *c,
		      const uint8_t *p, uint32_t len);
void tcp_hs_auth(struct tcp_transport *t, struct tcp_conn *c, const uint8_t *p,
		 uint32_t len);

/* tcp_loop.c */
void *tcp_loop_main(void *arg);
/* Sets a link's next dial after a failure or a loss (backoff, jitter). */
void tcp_loop_backoff(struct tcp_transport *t, struct tcp_link *l, bool reset);

#endif
