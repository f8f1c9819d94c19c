/* runtime_remote.c - raftsim node on threads: the runtime with one local
 * node (its --id) whose peers are other processes, all reached over TCP
 * (runtime_tcp.c's transport, as with --transport tcp). Here: where the
 * transport listens and dials (--peers, --listen), and how a reply of the
 * node's client service reaches a client process (it goes back on the
 * connection its request came in on: tcp.h's routes, which hold a client
 * only to the id it shook hands with).
 */
#include <stdlib.h>
#include <string.h>

#include "kv/kv.h"
#include "runtime_internal.h"

int runtime_remote_addrs(struct cluster *c, struct tcp_addr *addrs, bool *local,
			 FILE *err)
{
	const struct raftsim_options *o = c->o;
	char why[512];
	int count = 0;

	/* node_main.c checked both already: these cannot fail now */
	if (tcp_parse_peers(o->peers, addrs, c->n, &count, why, sizeof(why)) !=
		    0 ||
	    count != c->n) {
		fprintf(err, "raftsim: --peers: %s\n", why);
		return -1;
	}
	/* The others dial its --peers entry; it listens where --listen
	 * says (0.0.0.0:PORT behind a name, say). */
	if (o->listen != NULL && tcp_parse_addr(o->listen, &addrs[o->node_id],
						why, sizeof(why)) != 0) {
		fprintf(err, "raftsim: --listen: %s\n", why);
		return -1;
	}
	memset(local, 0, (size_t)c->n * sizeof(*local));
	local[o->node_id] = true;
	return 0;
}

int runtime_remote_reply(struct cluster *c, const struct raft_message *msg,
			 uint64_t extra_us)
{
	uint32_t delay = extra_us > UINT32_MAX ? UINT32_MAX
					       : (uint32_t)extra_us;
	struct kv_reply reply;

	/* The service encoded it: a reply that does not decode is a bug,
	 * but costs only this reply (the client retries). */
	if (c->tcp == NULL ||
	    kv_reply_decode(msg->u.client.data, msg->u.client.len, &reply) != 0)
		return -1;
	return tcp_send(c->tcp, msg, delay, reply.client);
}

/* The transport's loop thread, no lock: decoding touches nothing shared.
 * A body that does not decode names no client (-1): the transport
 * refuses it, as it does a body naming someone else. */
int runtime_remote_request_client(void *ctx, const struct raft_message *m)
{
	struct kv_cmd cmd;

	(void)ctx;
	if (kv_cmd_decode(m->u.client.data, m->u.client.len, &cmd) != 0)
		return -1;
	return cmd.client;
}
