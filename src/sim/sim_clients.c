/* sim_clients.c - --clients in virtual time: the run's struct clients
 * (client/clients.h) gets its requests out through the harness's client
 * path (harness_client_send: a fate, then sim_deliver's latency, then the
 * node's service slot like any mail), its replies from sim_arrive, and
 * its timers as an event of the run's loop at s->clients_at, after the
 * messages and the load of the same microsecond. */
#include <string.h>

#include "sim_internal.h"

/* The clients' next timer, as the loop's next look; INT64_MAX: none
 * before the end. */
static void rearm(struct sim *s)
{
	int64_t at = clients_next_timer(&s->clients);

	s->clients_at = at <= s->end_us ? at : INT64_MAX;
}

int sim_clients_init(struct sim *s)
{
	const struct raftsim_options *o = &s->opt;
	struct client_config cfg;
	struct clients_io io;

	s->clients_at = INT64_MAX;
	if (!options_have_clients(o))
		return 0;
	harness_client_config(o, &cfg);
	harness_clients_io(&s->h, &io);
	if (clients_init(&s->clients, &cfg, &io) != 0)
		return -1;
	s->have_clients = true;
	harness_attach_clients(&s->h, &s->clients);
	return 0;
}

void sim_clients_start(struct sim *s)
{
	if (!s->have_clients)
		return;
	clients_start(&s->clients, s->now);
	rearm(s);
}

void sim_clients_free(struct sim *s)
{
	if (s->have_clients)
		clients_free(&s->clients);
	s->have_clients = false;
}

void sim_clients_turn(struct sim *s)
{
	clients_timer(&s->clients, s->now);
	rearm(s);
}

void sim_clients_receive(struct sim *s, const struct raft_message *m)
{
	if (!s->have_clients)
		return;
	clients_receive(&s->clients, m->u.client.data, m->u.client.len, s->now);
	rearm(s);
}

const struct clients *sim_clients(const struct sim *s)
{
	return s->have_clients ? &s->clients : NULL;
}
