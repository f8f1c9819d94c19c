/* world.c - the run events' vocabulary (world.h): names and kinds of the
 * event types, and events built from the core's or the network's. */
#include <string.h>

#include "lincheck/history.h"
#include "world.h"

static const struct {
	const char *name;
	enum wev_kind kind;
} wev_types[WEV_TYPE_COUNT] = {
	[WEV_START] = {"start", WEV_KIND_RUN},
	[WEV_TERM] = {"term", WEV_KIND_CORE},
	[WEV_ROLE] = {"role", WEV_KIND_CORE},
	[WEV_VOTE] = {"vote", WEV_KIND_CORE},
	[WEV_HEARTBEAT] = {"heartbeat", WEV_KIND_CORE},
	[WEV_ROUND] = {"round", WEV_KIND_CORE},
	[WEV_ELECTION] = {"election", WEV_KIND_CORE},
	[WEV_PREVOTE] = {"prevote", WEV_KIND_CORE},
	[WEV_SAW_TERM] = {"saw_term", WEV_KIND_CORE},
	[WEV_PAUSE] = {"pause", WEV_KIND_NODE_FAULT},
	[WEV_RESUME] = {"resume", WEV_KIND_NODE_FAULT},
	[WEV_CRASH] = {"crash", WEV_KIND_NODE_FAULT},
	[WEV_RESTART] = {"restart", WEV_KIND_NODE_FAULT},
	[WEV_PARTITION] = {"partition", WEV_KIND_NET_FAULT},
	[WEV_HEAL] = {"heal", WEV_KIND_NET_FAULT},
	[WEV_LOSS] = {"loss", WEV_KIND_NET_FAULT},
	[WEV_LATE] = {"late", WEV_KIND_NODE_FAULT},
	[WEV_END] = {"end", WEV_KIND_RUN},
	[WEV_APPEND] = {"append", WEV_KIND_CORE},
	[WEV_COMMIT] = {"commit", WEV_KIND_CORE},
	[WEV_APPLY] = {"apply", WEV_KIND_CORE},
	[WEV_TRUNCATE] = {"truncate", WEV_KIND_CORE},
	[WEV_SNAPSHOT] = {"snapshot", WEV_KIND_CORE},
	[WEV_PROPOSE] = {"propose", WEV_KIND_CORE},
	[WEV_INVOKE] = {"invoke", WEV_KIND_CLIENT},
	[WEV_OK] = {"ok", WEV_KIND_CLIENT},
	[WEV_FAIL] = {"fail", WEV_KIND_CLIENT},
	[WEV_INFO] = {"info", WEV_KIND_CLIENT},
	[WEV_FENCED] = {"fenced", WEV_KIND_CLIENT},
	[WEV_DUPLICATE] = {"duplicate", WEV_KIND_CLIENT},
	[WEV_PERSIST] = {"persist", WEV_KIND_STORAGE},
	[WEV_DISK] = {"disk", WEV_KIND_STORAGE},
};

const char *wev_name(enum wev_type type)
{
	if ((unsigned)type >= WEV_TYPE_COUNT)
		return "?";
	return wev_types[type].name;
}

enum wev_kind wev_kind(enum wev_type type)
{
	if ((unsigned)type >= WEV_TYPE_COUNT)
		return WEV_KIND_NONE;
	return wev_types[type].kind;
}

int wev_from_name(const char *name)
{
	int i;

	for (i = 0; i < WEV_TYPE_COUNT; i++)
		if (strcmp(wev_types[i].name, name) == 0)
			return i;
	return -1;
}

bool wev_is_hist(enum wev_type type)
{
	return wev_hist_type(type) >= 0;
}

int wev_hist_type(enum wev_type type)
{
	switch (type) {
	case WEV_INVOKE:
		return HIST_INVOKE;
	case WEV_OK:
		return HIST_OK;
	case WEV_FAIL:
		return HIST_FAIL;
	case WEV_INFO:
		return HIST_INFO;
	default:
		return -1;
	}
}

struct wev wev_from_raft(const struct raft_event *ev, int64_t us, uint64_t tick)
{
	static const enum wev_type types[] = {
		[RAFT_EV_TERM] = WEV_TERM,
		[RAFT_EV_ROLE] = WEV_ROLE,
		[RAFT_EV_VOTE] = WEV_VOTE,
		[RAFT_EV_HEARTBEAT] = WEV_HEARTBEAT,
		[RAFT_EV_HEARTBEAT_ROUND] = WEV_ROUND,
		[RAFT_EV_ELECTION] = WEV_ELECTION,
		[RAFT_EV_SAW_TERM] = WEV_SAW_TERM,
		[RAFT_EV_PREVOTE] = WEV_PREVOTE,
		[RAFT_EV_APPEND] = WEV_APPEND,
		[RAFT_EV_COMMIT] = WEV_COMMIT,
		[RAFT_EV_APPLY] = WEV_APPLY,
		[RAFT_EV_TRUNCATE] = WEV_TRUNCATE,
		[RAFT_EV_SNAPSHOT] = WEV_SNAPSHOT,
		[RAFT_EV_PROPOSE] = WEV_PROPOSE,
	};
	/* Every field set once, no memset: this runs for every heartbeat. */
	struct wev w = {
		.type = types[ev->type],
		.us = us,
		.tick = tick,
		.now = ev->now,
		.node = ev->node,
		.term = ev->term,
		.role = ev->role,
		.peer = ev->peer,
		.seen_term = ev->seen_term,
		.count = ev->count,
		.late_us = 0,
		.index = ev->index,
		.last_index = ev->last_index,
		.entry_term = ev->entry_term,
		.digest = ev->digest,
		.installed = ev->count == 1,
		.group_of = NULL,
		.info = NULL,
		.violations = 0,
		.spurious_elections = 0,
		.interrupted = false,
	};

	return w;
}

/* An event about one node, every other field zero. */
static struct wev node_event(enum wev_type type, int64_t us, uint64_t tick,
			     int node)
{
	struct wev w;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.us = us;
	w.tick = tick;
	w.node = node;
	w.peer = RAFT_NONE;
	return w;
}

struct wev wev_loss(int64_t us, uint64_t tick, int from, int to)
{
	struct wev w = node_event(WEV_LOSS, us, tick, to);

	w.peer = from;
	return w;
}

struct wev wev_late(int64_t us, uint64_t tick, int node, int64_t late_us)
{
	struct wev w = node_event(WEV_LATE, us, tick, node);

	w.late_us = late_us;
	return w;
}

struct wev wev_from_hist(const struct hist_event *h)
{
	static const enum wev_type types[] = {
		[HIST_INVOKE] = WEV_INVOKE,
		[HIST_OK] = WEV_OK,
		[HIST_FAIL] = WEV_FAIL,
		[HIST_INFO] = WEV_INFO,
	};
	struct wev w = node_event(types[h->type], h->us, 0, RAFT_NONE);

	w.client = h->client;
	w.hist = h;
	return w;
}

static const char *const disk_names[] = {
	[WEV_DISK_TORN] = "torn",     [WEV_DISK_REFUSED] = "refused",
	[WEV_DISK_FAILED] = "failed", [WEV_DISK_SKIPPED] = "skipped",
	[WEV_DISK_LATENT] = "latent",
};

const char *wev_disk_name(enum wev_disk_what what)
{
	if ((unsigned)what >= sizeof(disk_names) / sizeof(disk_names[0]))
		return "?";
	return disk_names[what];
}

int wev_disk_from_name(const char *name)
{
	unsigned i;

	for (i = 0; i < sizeof(disk_names) / sizeof(disk_names[0]); i++)
		if (strcmp(disk_names[i], name) == 0)
			return (int)i;
	return -1;
}
