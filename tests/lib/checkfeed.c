/* checkfeed.c - hand-made event streams for the checker tests. */
#include <string.h>

#include "checkfeed.h"

struct checker *ck;
struct run_info info;
static int n; /* the cluster size of the stream being fed */

/* A fault-free run of `nodes`: 10 ms ticks, heartbeat 3, election 10-20,
 * so a spurious election needs a 200 ms old leader and liveness is judged
 * (2 * 20 + 3) * 10 = 430 ms after the faults end. Edit `info` and call
 * start() to change it. */
void setup(int nodes)
{
	memset(&info, 0, sizeof(info));
	strcpy(info.mode, "sim");
	info.nodes = n = nodes;
	info.tick_us = 10000;
	info.heartbeat_ticks = 3;
	info.election_min = 10;
	info.election_max = 20;
}

struct wev stream_event(enum wev_type type, int64_t us, int node,
			uint64_t term, int peer, const struct run_info *run)
{
	struct wev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.us = us;
	ev.node = node;
	ev.term = term;
	ev.peer = peer;
	ev.role = type == WEV_ROLE ? (enum raft_role)peer : RAFT_FOLLOWER;
	ev.info = run;
	return ev;
}

void feed(enum wev_type type, int64_t us, int node, uint64_t term,
	  int peer)
{
	struct wev ev = stream_event(type, us, node, term, peer, &info);

	checker_feed(ck, &ev);
}

void start(void)
{
	checker_free(ck);
	ck = checker_new();
	feed(WEV_START, 0, RAFT_NONE, 0, RAFT_NONE);
}

void begin(int nodes)
{
	setup(nodes);
	start();
}

void saw_term(int64_t us, int node, uint64_t term, uint64_t seen)
{
	struct wev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = WEV_SAW_TERM;
	ev.us = us;
	ev.node = node;
	ev.term = term;
	ev.role = RAFT_LEADER;
	ev.peer = (node + 1) % n;
	ev.seen_term = seen;
	checker_feed(ck, &ev);
}

void partition(int64_t us, const uint8_t *group_of)
{
	struct wev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = WEV_PARTITION;
	ev.us = us;
	ev.node = RAFT_NONE;
	ev.group_of = group_of;
	checker_feed(ck, &ev);
}

/* What the core reports when `node` times out into term t. */
void campaign(int64_t us, int node, uint64_t t)
{
	feed(WEV_TERM, us, node, t, RAFT_NONE);
	feed(WEV_ROLE, us, node, t, RAFT_CANDIDATE);
	feed(WEV_VOTE, us, node, t, node);
	feed(WEV_ELECTION, us, node, t, RAFT_NONE);
}

/* `leader` wins term t with the votes of nodes 0..voters-1 (itself among
 * them or not), then every other node accepts its first heartbeat. */
void elect(int64_t us, int leader, uint64_t t, int voters)
{
	int i;

	campaign(us, leader, t);
	for (i = 0; i < voters; i++) {
		if (i == leader)
			continue;
		feed(WEV_TERM, us, i, t, RAFT_NONE);
		feed(WEV_VOTE, us, i, t, leader);
	}
	feed(WEV_ROLE, us, leader, t, RAFT_LEADER);
	feed(WEV_ROUND, us, leader, t, RAFT_NONE);
	for (i = 0; i < n; i++)
		if (i != leader)
			feed(WEV_HEARTBEAT, us, i, t, leader);
}

/* Heartbeat rounds of `leader` every 30 ms in (from, to]. */
void lead(int64_t from, int64_t to, int leader, uint64_t t)
{
	int64_t us;
	int i;

	for (us = from + MS(30); us <= to; us += MS(30)) {
		feed(WEV_ROUND, us, leader, t, RAFT_NONE);
		for (i = 0; i < n; i++)
			if (i != leader)
				feed(WEV_HEARTBEAT, us, i, t, leader);
	}
}

uint64_t violations(void)
{
	return checker_violation_count(ck);
}

/* Whether some report contains `text`. */
int reported(const char *text)
{
	const struct checker_violation *v;
	int i, count = checker_reports(ck, &v);

	for (i = 0; i < count; i++)
		if (strstr(v[i].what, text) != NULL)
			return 1;
	return 0;
}
