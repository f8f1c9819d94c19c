/* recorder.c - see recorder.h. */
#include <stdlib.h>

#include "recorder.h"

int recorder_init(struct recorder *r, int cap)
{
	r->ev = calloc((size_t)cap, sizeof(*r->ev));
	r->cap = r->ev != NULL ? cap : 0;
	recorder_clear(r);
	return r->ev != NULL ? 0 : -1;
}

void recorder_free(struct recorder *r)
{
	free(r->ev);
	r->ev = NULL;
	r->cap = 0;
}

void recorder_clear(struct recorder *r)
{
	r->n = 0;
	r->overflow = 0;
}

static void record(void *ctx, const struct wev *w)
{
	struct recorder *r = ctx;
	struct rec_ev *e;

	if (r->n == r->cap) {
		r->overflow = 1;
		return;
	}
	e = &r->ev[r->n++];
	e->type = w->type;
	e->us = w->us;
	e->tick = w->tick;
	e->node = w->node;
	e->term = w->term;
	e->role = w->role;
	e->peer = w->peer;
}

struct harness_tap recorder_tap(struct recorder *r)
{
	struct harness_tap tap = {record, r};

	return tap;
}

int recorder_find(const struct recorder *r, int from, enum wev_type type,
		  int node)
{
	int i;

	for (i = from < 0 ? 0 : from; i < r->n; i++)
		if (r->ev[i].type == type &&
		    (node < 0 || r->ev[i].node == node))
			return i;
	return -1;
}

int recorder_find_role(const struct recorder *r, int from, int node,
		       enum raft_role role, int not_node)
{
	int i = from;

	while ((i = recorder_find(r, i, WEV_ROLE, node)) >= 0) {
		if (r->ev[i].role == role && r->ev[i].node != not_node)
			return i;
		i++;
	}
	return -1;
}

int recorder_count(const struct recorder *r, enum wev_type type, int node)
{
	int count = 0;
	int i = 0;

	while ((i = recorder_find(r, i, type, node)) >= 0) {
		count++;
		i++;
	}
	return count;
}
