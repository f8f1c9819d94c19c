/* runtime_clients.c - --clients on threads: one thread runs the run's
 * struct clients (client/clients.h) on absolute CLOCK_MONOTONIC deadlines,
 * as runtime_load.c runs the load. See runtime.c for the lock order.
 *
 * Requests leave through the harness's client path (harness_client_send:
 * a fate, then runtime_deliver into the node's mailbox, its lock alone;
 * the node is woken once the thread has sent what it had to send);
 * the history goes out through harness_client_history (the events lock,
 * as every event). Both are called with no lock held: struct clients is
 * this thread's alone, and the main thread reads it only after the join.
 *
 * Replies come the other way: a node's thread, in its step and under its
 * node lock, hands each copy to runtime_clients_deliver, which appends it
 * to the inbox under the inbox lock (a leaf); the node wakes the client
 * thread after its turn, with no lock held. The client thread swaps the
 * whole list out under that lock and handles it with no lock held. A
 * reply --reorder delays (ready later than now) waits in the thread's own
 * held list until it is ready. Neither side can miss a wake-up: the
 * sleeper tests the inbox (the mailbox) under its lock before it sleeps,
 * and every append is followed by a signal, deferred at most to the end
 * of the appender's turn or loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "runtime_internal.h"

/* A thread that queues several messages for another wakes it once, after
 * the last, or after every KICK_EVERY: a leader woken once for a whole
 * batch of requests proposes the writes among them together (one
 * AppendEntries), while a wake-up every few messages lets the two threads
 * overlap (one node answering 16 clients: 150 k ops/s waking once a batch,
 * 260 k waking every 6 or 8; 3 nodes: within the noise of this machine). */
#define KICK_EVERY 8

static void free_list(struct rreply *r)
{
	struct rreply *next;

	for (; r != NULL; r = next) {
		next = r->next;
		free(r);
	}
}

int runtime_clients_init(struct cluster *c)
{
	struct rclients *rc = &c->clients;
	struct client_config cfg;
	struct clients_io io;
	int rv;

	/* raftsim node's stores serve other processes' clients: no
	 * thread of clients here */
	rc->active = options_have_clients(c->o);
	if (!rc->active)
		return 0;
	harness_client_config(c->o, &cfg);
	harness_clients_io(&c->h, &io);
	if (clients_init(&rc->run, &cfg, &io) != 0) {
		rv = ENOMEM;
		goto err;
	}
	rc->kick = calloc((size_t)c->n, sizeof(*rc->kick));
	rc->kicked = calloc((size_t)c->n, sizeof(*rc->kicked));
	if (rc->kick == NULL || rc->kicked == NULL) {
		rv = ENOMEM;
		goto err_kick;
	}
	rv = pthread_mutex_init(&rc->mu, NULL);
	if (rv != 0)
		goto err_kick;
	rv = clock_cond_init(&rc->cond);
	if (rv != 0)
		goto err_mu;
	harness_attach_clients(&c->h, &rc->run);
	return 0;
err_mu:
	pthread_mutex_destroy(&rc->mu);
err_kick:
	free(rc->kick);
	free(rc->kicked);
	rc->kick = NULL;
	rc->kicked = NULL;
	clients_free(&rc->run);
err:
	rc->active = false;
	return rv;
}

void runtime_clients_destroy(struct cluster *c)
{
	struct rclients *rc = &c->clients;

	if (!rc->active)
		return;
	harness_attach_clients(&c->h, NULL);
	free_list(rc->head);
	free_list(rc->held);
	rc->head = rc->tail = rc->held = NULL;
	pthread_cond_destroy(&rc->cond);
	pthread_mutex_destroy(&rc->mu);
	free(rc->kick);
	free(rc->kicked);
	rc->kick = NULL;
	rc->kicked = NULL;
	clients_free(&rc->run);
	rc->active = false;
}

enum mailbox_push_result runtime_clients_request(struct cluster *c,
						 const struct raft_message *msg,
						 void *extra, size_t bytes,
						 int64_t now_us,
						 int64_t ready_us)
{
	struct rclients *rc = &c->clients;
	enum mailbox_push_result rv;

	rv = mailbox_push_quiet(&c->node[msg->to].mb, msg, extra, bytes, now_us,
				ready_us);
	if (rv != MAILBOX_OK)
		return rv;
	if (rc->kicked[msg->to] == 0)
		rc->kick[rc->kick_len++] = msg->to;
	if (++rc->kicked[msg->to] == KICK_EVERY) {
		mailbox_kick(&c->node[msg->to].mb);
		rc->kicked[msg->to] = 1; /* and once more at the end */
	}
	return rv;
}

/* Wakes each node the clients queued requests for since the last call
 * (or since the last KICK_EVERY): so that it takes them in one turn (and its
 * service proposes the writes among them as one batch). */
static void kick_nodes(struct cluster *c)
{
	struct rclients *rc = &c->clients;
	int i;

	for (i = 0; i < rc->kick_len; i++) {
		mailbox_kick(&c->node[rc->kick[i]].mb);
		rc->kicked[rc->kick[i]] = 0;
	}
	rc->kick_len = 0;
}

void runtime_clients_kick(struct cluster *c)
{
	pthread_cond_signal(&c->clients.cond);
}

int runtime_clients_deliver(struct cluster *c, const struct raft_message *msg,
			    int64_t ready_us)
{
	struct rclients *rc = &c->clients;
	struct rnode *from = &c->node[msg->from];
	struct rreply *r;
	bool was_empty;

	if (!rc->active)
		return -1;
	r = malloc(sizeof(*r) + msg->u.client.len);
	if (r == NULL)
		return -1; /* the client times out, as for a lost reply */
	r->next = NULL;
	r->ready_us = ready_us;
	r->len = msg->u.client.len;
	memcpy(r->bytes, msg->u.client.data, r->len);
	pthread_mutex_lock(&rc->mu);
	if (rc->stop) { /* the clients are gone: nobody reads it */
		pthread_mutex_unlock(&rc->mu);
		free(r);
		return 0;
	}
	was_empty = rc->head == NULL;
	if (was_empty)
		rc->head = r;
	else
		rc->tail->next = r;
	rc->tail = r;
	pthread_mutex_unlock(&rc->mu);
	/* In its own turn the node wakes the clients every KICK_EVERY
	 * replies and after the turn (runtime_node_main), so that they take
	 * its replies a few at a time. Otherwise (the observer replaying a
	 * node's ticks) at once. Either
	 * way after the unlock: the woken thread does not block on it. A
	 * non-empty inbox was signalled already, or is about to be, or is
	 * being swapped out by the thread, which tests it under the lock. */
	if (from->in_turn && ++from->kick_clients < KICK_EVERY)
		return 0;
	from->kick_clients = 0;
	if (from->in_turn || was_empty)
		runtime_clients_kick(c);
	return 0;
}

/* Hands the clients every reply ready by now, oldest first; the others
 * stay held. Returns the earliest held reply's ready time, or INT64_MAX. */
static int64_t receive_ready(struct cluster *c, struct rreply *list)
{
	struct rclients *rc = &c->clients;
	int64_t mono = clock_now_us();
	int64_t run_us = runtime_elapsed_us(c);
	int64_t earliest = INT64_MAX;
	struct rreply **link;
	struct rreply *r;

	/* The held ones first: they arrived before this list. */
	for (link = &rc->held; *link != NULL;)
		link = &(*link)->next;
	*link = list;
	for (link = &rc->held; (r = *link) != NULL;) {
		if (r->ready_us > mono) {
			if (r->ready_us < earliest)
				earliest = r->ready_us;
			link = &r->next;
			continue;
		}
		*link = r->next;
		clients_receive(&rc->run, r->bytes, r->len, run_us);
		free(r);
	}
	return earliest;
}

static void *clients_main(void *arg)
{
	struct cluster *c = arg;
	struct rclients *rc = &c->clients;
	int64_t deadline;
	int64_t held_at;
	int64_t timer;
	struct rreply *list;
	bool stop;

	clients_start(&rc->run, runtime_elapsed_us(c));
	for (;;) {
		/* Held replies first: what they make the clients send is
		 * then woken for at once. */
		held_at = receive_ready(c, NULL);
		kick_nodes(c);
		timer = clients_next_timer(&rc->run);
		deadline = timer == INT64_MAX ? INT64_MAX : c->start_us + timer;
		if (held_at < deadline)
			deadline = held_at;
		pthread_mutex_lock(&rc->mu);
		while (!rc->stop && rc->head == NULL &&
		       clock_now_us() < deadline)
			clock_cond_wait_until(&rc->cond, &rc->mu, deadline);
		stop = rc->stop;
		list = rc->head;
		rc->head = rc->tail = NULL;
		pthread_mutex_unlock(&rc->mu);
		if (stop) {
			free_list(list);
			break;
		}
		receive_ready(c, list);
		clients_timer(&rc->run, runtime_elapsed_us(c));
	}
	kick_nodes(c);
	/* What is outstanding stays open (an info without a line). */
	clients_stop(&rc->run);
	return NULL;
}

int runtime_clients_start(struct cluster *c)
{
	struct rclients *rc = &c->clients;
	int rv;

	if (!rc->active)
		return 0;
	rv = pthread_create(&rc->thread, NULL, clients_main, c);
	rc->started = rv == 0;
	return rv;
}

void runtime_clients_stop(struct cluster *c)
{
	struct rclients *rc = &c->clients;

	if (!rc->active)
		return;
	pthread_mutex_lock(&rc->mu);
	rc->stop = true;
	pthread_mutex_unlock(&rc->mu);
	pthread_cond_signal(&rc->cond);
	if (rc->started)
		pthread_join(rc->thread, NULL);
	rc->started = false;
}
