/* tcp_handshake.c - the TCP transport's handshake (wire.h), both sides:
 *
 *   dialer                          acceptor
 *   HELLO  (cluster, kind, ids, Nd)  ->  checks cluster, kind, ids, flags
 *          <-  CHALLENGE (cluster, id, Na, MAC_a)
 *   checks id and MAC_a
 *   AUTH (MAC_d)                     ->  checks MAC_d
 *   ready                                ready
 *
 * MAC_a = HMAC(secret, "raftsim acceptor" | HELLO | id | Na) and MAC_d
 * the same under "raftsim dialer": both nonces and both ids are inside,
 * so neither MAC proves anything on another connection. Without --secret
 * both are zero. The loop thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "sha256.h"
#include "tcp_internal.h"

/* A handshake refused: the peer is not one of ours, or not who it says. */
static void refuse(struct tcp_transport *t, struct tcp_conn *c, const char *why)
{
	tcp_logf(t, "refused %s: %s", c->name, why);
	atomic_fetch_add(&t->refused, 1);
	tcp_conn_close(t, c);
}

/* From the kernel's generator: one nonce then says nothing of the next.
 * Should it fail (an old kernel, no entropy yet), the transport's own
 * generator: a nonce still differs each time, which is all the MACs need
 * (both nonces are inside both). */
static void make_nonce(struct tcp_transport *t, uint8_t *nonce)
{
	uint64_t a, b;
	ssize_t n;

	do
		n = getrandom(nonce, WIRE_NONCE_BYTES, GRND_NONBLOCK);
	while (n < 0 && errno == EINTR);
	if (n == WIRE_NONCE_BYTES)
		return;
	a = tcp_rand(t) ^ (uint64_t)tcp_now_us();
	b = tcp_rand(t);
	memcpy(nonce, &a, 8);
	memcpy(nonce + 8, &b, 8);
}

static void compute_mac(const struct tcp_transport *t, const struct tcp_conn *c,
			const char *label, uint8_t out[WIRE_MAC_BYTES])
{
	const uint8_t *nonce_a = c->dialer ? c->nonce_peer : c->nonce_mine;
	uint8_t msg[256];
	size_t len = strlen(label) + 1;
	uint32_t id = (uint32_t)c->hello.to;
	int i;

	if (!t->have_secret) {
		memset(out, 0, WIRE_MAC_BYTES);
		return;
	}
	memcpy(msg, label, len);
	len += wire_encode_hello(&c->hello, msg + len, sizeof(msg) - len - 20);
	for (i = 0; i < 4; i++)
		msg[len++] = (uint8_t)(id >> (8 * i));
	memcpy(msg + len, nonce_a, WIRE_NONCE_BYTES);
	len += WIRE_NONCE_BYTES;
	hmac_sha256(t->secret, t->secret_len, msg, len, out);
}

int tcp_conn_connected(struct tcp_transport *t, struct tcp_conn *c)
{
	struct tcp_link *l = c->link;
	uint8_t buf[128];
	size_t len;

	memset(&c->hello, 0, sizeof(c->hello));
	c->hello.cluster_id = t->cfg.cluster_id;
	c->hello.kind = t->cfg.client_id >= 0 ? WIRE_KIND_CLIENT
					      : WIRE_KIND_NODE;
	c->hello.flags = t->have_secret ? WIRE_FLAG_SECRET : 0;
	c->hello.from = t->cfg.client_id >= 0 ? t->cfg.client_id : l->from;
	c->hello.to = l->to;
	make_nonce(t, c->nonce_mine);
	memcpy(c->hello.nonce, c->nonce_mine, WIRE_NONCE_BYTES);
	len = wire_encode_hello(&c->hello, buf, sizeof(buf));
	c->state = CONN_WAIT_CHALLENGE;
	return tcp_conn_send_frame(t, c, WIRE_HELLO, buf, len);
}

static const char *secret_mismatch(const struct tcp_transport *t,
				   uint32_t flags)
{
	bool theirs = (flags & WIRE_FLAG_SECRET) != 0;

	if (theirs == t->have_secret)
		return NULL;
	return theirs ? "it authenticates with --secret, we have none"
		      : "it has no --secret, we authenticate with one";
}

/* The acceptor's checks of a HELLO, in the order a log reader wants
 * them: whose cluster, then who. Returns why it is refused, or NULL. */
static const char *check_hello(struct tcp_transport *t, struct tcp_conn *c,
			       const struct wire_hello *h, char *why,
			       size_t why_len)
{
	const char *secret = secret_mismatch(t, h->flags);

	if (h->cluster_id != t->cfg.cluster_id) {
		snprintf(why, why_len, "cluster id %llu, ours %llu",
			 (unsigned long long)h->cluster_id,
			 (unsigned long long)t->cfg.cluster_id);
		return why;
	}
	if (secret != NULL)
		return secret;
	if (h->to != c->local) {
		snprintf(why, why_len, "it asked for node %d, this is node %d",
			 (int)h->to, c->local);
		return why;
	}
	if (h->kind == WIRE_KIND_CLIENT)
		return h->from >= 0 ? NULL : "a negative client id";
	if (h->kind != WIRE_KIND_NODE)
		return "an unknown kind of peer";
	if (h->from < 0 || h->from >= t->cfg.nodes) {
		snprintf(why, why_len,
			 "node id %d is outside the configuration (0..%d)",
			 (int)h->from, t->cfg.nodes - 1);
		return why;
	}
	if (h->from >= c->local) {
		snprintf(why, why_len,
			 "node %d dialed node %d: the lower id dials",
			 (int)h->from, c->local);
		return why;
	}
	return NULL;
}

void tcp_hs_hello(struct tcp_transport *t, struct tcp_conn *c, const uint8_t *p,
		  uint32_t len)
{
	struct wire_challenge ch;
	const char *reason;
	uint8_t buf[256];
	char why[160];
	int rv;

	rv = wire_decode_hello(p, len, &c->hello);
	if (rv != WIRE_OK) {
		tcp_conn_bad_frame(t, c, wire_error_name(rv));
		return;
	}
	reason = check_hello(t, c, &c->hello, why, sizeof(why));
	if (reason != NULL) {
		refuse(t, c, reason);
		return;
	}
	c->client = c->hello.kind == WIRE_KIND_CLIENT;
	c->peer = c->hello.from;
	memcpy(c->nonce_peer, c->hello.nonce, WIRE_NONCE_BYTES);
	make_nonce(t, c->nonce_mine);
	memset(&ch, 0, sizeof(ch));
	ch.cluster_id = t->cfg.cluster_id;
	ch.flags = t->have_secret ? WIRE_FLAG_SECRET : 0;
	ch.id = c->local;
	memcpy(ch.nonce, c->nonce_mine, WIRE_NONCE_BYTES);
	compute_mac(t, c, "raftsim acceptor", ch.mac);
	c->state = CONN_WAIT_AUTH;
	tcp_conn_send_frame(t, c, WIRE_CHALLENGE, buf,
			    wire_encode_challenge(&ch, buf, sizeof(buf)));
}

/* Both sides, the handshake done. */
static void became_ready(struct tcp_transport *t, struct tcp_conn *c)
{
	struct tcp_link *l = c->link;

	c->state = CONN_READY;
	atomic_fetch_add(&t->connects, 1);
	if (l != NULL) {
		if (l->conn != NULL && l->conn != c) {
			tcp_logf(t,
				 "node %d reconnected from %s: the old "
				 "connection is closed",
				 l->to, c->name);
			tcp_conn_close(t, l->conn);
		}
		l->conn = c;
		atomic_store(&l->ready, true);
		if (l->dials)
			tcp_loop_backoff(t, l, true);
	}
}

void tcp_hs_challenge(struct tcp_transport *t, struct tcp_conn *c,
		      const uint8_t *p, uint32_t len)
{
	struct wire_challenge ch;
	struct wire_auth auth;
	uint8_t mac[WIRE_MAC_BYTES];
	const char *secret;
	uint8_t buf[128];
	char why[160];
	int rv;

	rv = wire_decode_challenge(p, len, &ch);
	if (rv != WIRE_OK) {
		tcp_conn_bad_frame(t, c, wire_error_name(rv));
		return;
	}
	secret = secret_mismatch(t, ch.flags);
	if (ch.cluster_id != t->cfg.cluster_id) {
		snprintf(why, sizeof(why), "cluster id %llu, ours %llu",
			 (unsigned long long)ch.cluster_id,
			 (unsigned long long)t->cfg.cluster_id);
		refuse(t, c, why);
		return;
	}
	if (secret != NULL) {
		refuse(t, c, secret);
		return;
	}
	if (ch.id != c->hello.to) {
		snprintf(why, sizeof(why), "it is node %d, we dialed node %d",
			 (int)ch.id, (int)c->hello.to);
		refuse(t, c, why);
		return;
	}
	memcpy(c->nonce_peer, ch.nonce, WIRE_NONCE_BYTES);
	compute_mac(t, c, "raftsim acceptor", mac);
	if (!mac_equal(mac, ch.mac, WIRE_MAC_BYTES)) {
		refuse(t, c, "wrong MAC: it does not hold our --secret");
		return;
	}
	compute_mac(t, c, "raftsim dialer", auth.mac);
	if (tcp_conn_send_frame(t, c, WIRE_AUTH, buf,
				wire_encode_auth(&auth, buf, sizeof(buf))) == 0)
		became_ready(t, c);
}

/* An accepted client, authenticated: its replies go back on this, its
 * newest connection; an older one to the same node is closed (a client
 * has one at a time; two would share one queue). */
static void client_ready(struct tcp_transport *t, struct tcp_conn *c)
{
	struct tcp_conn *old = NULL;
	struct tcp_route *r;
	bool full;

	pthread_mutex_lock(&t->routes_mu);
	r = tcp_route_find(t, c->local, c->peer);
	if (r != NULL)
		old = r->conn;
	else
		r = tcp_route_add(t, c->local, c->peer);
	if (r != NULL)
		r->conn = c;
	full = t->route_count >= TCP_MAX_ROUTES;
	pthread_mutex_unlock(&t->routes_mu);
	if (r == NULL) {
		refuse(t, c,
		       full ? "too many clients connected (TCP_MAX_ROUTES)"
			    : "out of memory");
		return;
	}
	c->route = r;
	c->deadline = tcp_now_us() + t->cfg.client_idle_us;
	if (old != NULL && old != c) {
		tcp_logf(t,
			 "client %d reconnected from %s: the old connection "
			 "is closed",
			 c->peer, c->name);
		old->route = NULL;
		tcp_conn_close(t, old);
	}
	became_ready(t, c);
}

void tcp_hs_auth(struct tcp_transport *t, struct tcp_conn *c, const uint8_t *p,
		 uint32_t len)
{
	struct wire_auth auth;
	uint8_t mac[WIRE_MAC_BYTES];
	int rv;

	rv = wire_decode_auth(p, len, &auth);
	if (rv != WIRE_OK) {
		tcp_conn_bad_frame(t, c, wire_error_name(rv));
		return;
	}
	compute_mac(t, c, "raftsim dialer", mac);
	if (!mac_equal(mac, auth.mac, WIRE_MAC_BYTES)) {
		refuse(t, c, "wrong MAC: it does not hold our --secret");
		return;
	}
	if (!c->client) {
		c->link = tcp_link_of(t, c->local, c->peer);
		became_ready(t, c);
		return;
	}
	client_ready(t, c);
}
