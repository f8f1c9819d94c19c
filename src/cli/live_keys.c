/* live_keys.c - keys to commands for --live (live_view.h): "p", "p 3",
 * "k2", "x", "h", "+", "-", space, "q". Pure: the caller says what time it
 * is. */
#include <assert.h>
#include <stdio.h>

#include "live_view.h"

void live_keys_init(struct live_keys *k, int nodes)
{
	assert(nodes >= 1);
	k->nodes = nodes;
	k->verb = 0;
	k->node = -1;
	k->since_us = 0;
}

/* The pending command as it stands: its number, or the leader's. */
static struct live_cmd complete(struct live_keys *k)
{
	struct live_cmd c;

	c.type = k->verb == 'p' ? LIVE_PAUSE : LIVE_CRASH;
	c.node = k->node >= 0 ? k->node : RAFT_NONE;
	k->verb = 0;
	k->node = -1;
	return c;
}

/* A key outside a pending command: its own command, or none. */
static int single(int key, struct live_cmd *out)
{
	out->node = RAFT_NONE;
	switch (key) {
	case 'x':
		out->type = LIVE_ISOLATE;
		return 1;
	case 'h':
		out->type = LIVE_HEAL;
		return 1;
	case '+':
	case '=': /* + without shift */
		out->type = LIVE_FASTER;
		return 1;
	case '-':
		out->type = LIVE_SLOWER;
		return 1;
	case ' ':
		out->type = LIVE_FREEZE;
		return 1;
	case 'q':
	case 'Q':
		out->type = LIVE_QUIT;
		return 1;
	default:
		return 0;
	}
}

/* A digit typed after p or k. Returns 1 when it completes the number. */
static int digit(struct live_keys *k, int d, struct live_cmd *out)
{
	int next = (k->node < 0 ? 0 : k->node) * 10 + d;

	if (next >= k->nodes) /* no such node: what was typed is dropped */
		return 0;
	k->node = next;
	if (next * 10 >= k->nodes) { /* another digit could not fit */
		*out = complete(k);
		return 1;
	}
	return 0;
}

int live_keys_feed(struct live_keys *k, int key, int64_t now_us,
		   struct live_cmd out[2])
{
	int n = 0;

	if (k->verb != 0) {
		if (key >= '0' && key <= '9')
			return digit(k, key - '0', &out[0]);
		if (key == ' ' && k->node < 0)
			return 0; /* "p 3": the space between */
		out[n++] = complete(k);
		if (key == '\r' || key == '\n')
			return n;
	}
	if (key == 'p' || key == 'P' || key == 'k' || key == 'K') {
		k->verb = (char)(key | 0x20);
		k->node = -1;
		k->since_us = now_us;
		return n;
	}
	return n + single(key, &out[n]);
}

int live_keys_expire(struct live_keys *k, int64_t now_us, struct live_cmd *out)
{
	if (k->verb == 0 || now_us - k->since_us < LIVE_KEY_WAIT_US)
		return 0;
	*out = complete(k);
	return 1;
}

void live_keys_pending(const struct live_keys *k, char *out, size_t cap)
{
	if (k->verb == 0)
		snprintf(out, cap, "%s", "");
	else if (k->node < 0)
		snprintf(out, cap, "%c _  (a node's id, or wait: the leader)",
			 k->verb);
	else
		snprintf(out, cap, "%c %d_", k->verb, k->node);
}
