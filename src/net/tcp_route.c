/* tcp_route.c - the reply routes of the TCP transport (tcp_internal.h):
 * one per client connection that finished its handshake, found by
 * (node, client) in a small chained hash, so that a reply (tcp_send, in
 * the node's step under its node lock) costs a few compares however many
 * clients came and went. A route lives exactly as long as its connection
 * (tcp_conn_close drops it), and there are at most TCP_MAX_ROUTES. All
 * under the routes lock.
 */
#include <stdlib.h>

#include "tcp_internal.h"

static unsigned bucket_of(int node, int client)
{
	uint32_t h = (uint32_t)client * 2654435761u ^ (uint32_t)node;

	return (h ^ (h >> 16)) & (TCP_ROUTE_BUCKETS - 1);
}

struct tcp_route *tcp_route_find(struct tcp_transport *t, int node, int client)
{
	struct tcp_route *r = t->route_bucket[bucket_of(node, client)];

	for (; r != NULL; r = r->next)
		if (r->node == node && r->client == client)
			return r;
	return NULL;
}

struct tcp_route *tcp_route_add(struct tcp_transport *t, int node, int client)
{
	unsigned b = bucket_of(node, client);
	struct tcp_route *r;

	if (t->route_count >= TCP_MAX_ROUTES)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	if (tcp_queue_init(&r->q) != 0) {
		free(r);
		return NULL;
	}
	r->node = node;
	r->client = client;
	r->next = t->route_bucket[b];
	t->route_bucket[b] = r;
	t->route_count++;
	return r;
}

void tcp_route_drop(struct tcp_transport *t, struct tcp_route *r)
{
	struct tcp_route **p = &t->route_bucket[bucket_of(r->node, r->client)];

	while (*p != NULL && *p != r)
		p = &(*p)->next;
	if (*p == NULL)
		return;
	*p = r->next;
	t->route_count--;
	tcp_queue_destroy(&r->q);
	free(r);
}

void tcp_routes_free(struct tcp_transport *t)
{
	struct tcp_route *r, *next;
	unsigned b;

	for (b = 0; b < TCP_ROUTE_BUCKETS; b++) {
		for (r = t->route_bucket[b]; r != NULL; r = next) {
			next = r->next;
			tcp_queue_destroy(&r->q);
			free(r);
		}
		t->route_bucket[b] = NULL;
	}
	t->route_count = 0;
}
