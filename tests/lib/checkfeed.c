/* checkfeed.c - hand-made event streams for the checker tests. */
#include <string.h>

#include "checkfeed.h"

struct checker *ck;
struct run_info info;
static int n; /* the cluster size of the stream being fed */
/* Each node's term and role as the stream has told them, so that the
 * helpers below move a node into a term only when it is not there yet. */
static uint64_t term_of[RAFT_MAX_NODES];
static enum raft_role role_of[RAFT_MAX_NODES];

/* A fault-free run of `nodes`: 10 ms ticks, heartbeat 3, election 10-20,
 * no latency, so a spurious election needs a 200 ms old leader and the
 * liveness window is (4 * 20 + 3) * 10 = 830 ms. Edit `info` and call
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

struct wev stream_event(enum wev_type type, int64_t us, int node, uint64_t term,
			int peer, const struct run_info *run)
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
	/* Every node's clock runs with the run's ticks from time 0. */
	if (wev_kind(type) == WEV_KIND_CORE && run != NULL && run->tick_us)
		ev.now = (uint64_t)us / run->tick_us;
	return ev;
}

/* Feeds one event, keeping term_of and role_of. */
static void feed_event(const struct wev *ev)
{
	int node = ev->node;

	if (node >= 0 && node < RAFT_MAX_NODES && ev->type == WEV_TERM)
		term_of[node] = ev->term;
	if (node >= 0 && node < RAFT_MAX_NODES && ev->type == WEV_ROLE)
		role_of[node] = ev->role;
	if (node >= 0 && node < RAFT_MAX_NODES &&
	    (ev->type == WEV_CRASH || ev->type == WEV_RESTART))
		role_of[node] = RAFT_FOLLOWER;
	if (node >= 0 && node < RAFT_MAX_NODES && ev->type == WEV_RESTART &&
	    ev->recovered) /* its term is the one it recovered */
		term_of[node] = ev->term;
	checker_feed(ck, ev);
}

void feed(enum wev_type type, int64_t us, int node, uint64_t term, int peer)
{
	struct wev ev = stream_event(type, us, node, term, peer, &info);

	feed_event(&ev);
}

void feed_clock(enum wev_type type, int64_t us, uint64_t now, int node,
		uint64_t term, int peer)
{
	struct wev ev = stream_event(type, us, node, term, peer, &info);

	ev.now = now;
	feed_event(&ev);
}

void loss(int64_t us, int from, int to)
{
	struct wev ev = stream_event(WEV_LOSS, us, to, 0, from, &info);

	checker_feed(ck, &ev);
}

void late(int64_t us, int node, int64_t late_us)
{
	struct wev ev = stream_event(WEV_LATE, us, node, 0, RAFT_NONE, &info);

	ev.late_us = late_us;
	ev.tick = (uint64_t)(us - late_us) / info.tick_us;
	checker_feed(ck, &ev);
}

/* Moves `node` to term t unless it is there already. */
static void to_term(int64_t us, int node, uint64_t t)
{
	if (term_of[node] != t)
		feed(WEV_TERM, us, node, t, RAFT_NONE);
}

void start(void)
{
	memset(term_of, 0, sizeof(term_of));
	memset(role_of, 0, sizeof(role_of));
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
	ev.role = role_of[node];
	ev.peer = (node + 1) % n;
	ev.seen_term = seen;
	ev.now = (uint64_t)us / info.tick_us;
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
	to_term(us, node, t);
	feed(WEV_ROLE, us, node, t, RAFT_CANDIDATE);
	feed(WEV_VOTE, us, node, t, node);
	feed(WEV_ELECTION, us, node, t, RAFT_NONE);
}

/* `leader` wins term t with the votes of nodes 0..voters-1 (itself among
 * them or not), then every other node moves to t if it is not there yet,
 * steps down if it is not a follower, and accepts its first heartbeat. */
void elect(int64_t us, int leader, uint64_t t, int voters)
{
	int i;

	campaign(us, leader, t);
	for (i = 0; i < voters; i++) {
		if (i == leader)
			continue;
		to_term(us, i, t);
		feed(WEV_VOTE, us, i, t, leader);
	}
	feed(WEV_ROLE, us, leader, t, RAFT_LEADER);
	feed(WEV_ROUND, us, leader, t, RAFT_NONE);
	for (i = 0; i < n; i++) {
		if (i == leader)
			continue;
		to_term(us, i, t);
		if (role_of[i] != RAFT_FOLLOWER)
			feed(WEV_ROLE, us, i, t, RAFT_FOLLOWER);
		feed(WEV_HEARTBEAT, us, i, t, leader);
	}
}

/* Heartbeat rounds of `leader` every 30 ms in (from, to], which every
 * other node but `deaf` (RAFT_NONE: none) accepts. */
void lead_but(int64_t from, int64_t to, int leader, uint64_t t, int deaf)
{
	int64_t us;
	int i;

	for (us = from + MS(30); us <= to; us += MS(30)) {
		feed(WEV_ROUND, us, leader, t, RAFT_NONE);
		for (i = 0; i < n; i++)
			if (i != leader && i != deaf)
				feed(WEV_HEARTBEAT, us, i, t, leader);
	}
}

void lead(int64_t from, int64_t to, int leader, uint64_t t)
{
	lead_but(from, to, leader, t, RAFT_NONE);
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

/* Log events (issue 10), as the core would emit them. */
void log_event(enum wev_type type, int64_t us, int node, uint64_t term,
	       uint64_t first, uint64_t last, uint64_t entry_term)
{
	struct wev ev = stream_event(type, us, node, term, RAFT_NONE, &info);

	ev.index = first;
	ev.last_index = last;
	ev.entry_term = entry_term;
	/* The same entries give the same state on every node. */
	ev.digest = last * 0x9e3779b97f4a7c15ull ^ entry_term;
	checker_feed(ck, &ev);
}

void append(int64_t us, int node, uint64_t term, uint64_t first, uint64_t last,
	    uint64_t entry_term)
{
	log_event(WEV_APPEND, us, node, term, first, last, entry_term);
}

void commit(int64_t us, int node, uint64_t term, uint64_t index)
{
	log_event(WEV_COMMIT, us, node, term, index, 0, 0);
}

void apply(int64_t us, int node, uint64_t term, uint64_t first, uint64_t last,
	   uint64_t entry_term)
{
	log_event(WEV_APPLY, us, node, term, first, last, entry_term);
}

void truncate_from(int64_t us, int node, uint64_t term, uint64_t from)
{
	log_event(WEV_TRUNCATE, us, node, term, from, 0, 0);
}

void snapshot(int64_t us, int node, uint64_t term, uint64_t index,
	      uint64_t entry_term, int leader)
{
	struct wev ev = stream_event(WEV_SNAPSHOT, us, node, term, leader,
				     &info);

	ev.index = index;
	ev.entry_term = entry_term;
	ev.installed = leader != RAFT_NONE;
	checker_feed(ck, &ev);
}

/* Storage events (schema 5). */
void persist(int64_t us, int node, uint64_t term, int vote, uint64_t index,
	     uint64_t index_term)
{
	struct wev ev = stream_event(WEV_PERSIST, us, node, term, vote, &info);

	ev.index = index;
	ev.entry_term = index_term;
	feed_event(&ev);
}

void recover(int64_t us, int node, uint64_t term, int vote, uint64_t snap,
	     uint64_t snap_term, const uint64_t *runs, int nruns, uint64_t last,
	     uint64_t last_term)
{
	struct wev ev = stream_event(WEV_RESTART, us, node, term, vote, &info);

	ev.recovered = true;
	ev.index = snap;
	ev.entry_term = snap_term;
	ev.runs = runs;
	ev.run_count = nruns;
	ev.last_index = last;
	ev.last_term = last_term;
	feed_event(&ev);
}

void disk(int64_t us, int node, enum wev_disk_what what)
{
	struct wev ev = stream_event(WEV_DISK, us, node, 0, RAFT_NONE, &info);

	ev.disk_what = what;
	ev.text = "node-x/wal-0: offset 4096";
	feed_event(&ev);
}

void resume_at(int64_t us)
{
	struct run_info again = info;
	struct wev ev;
	int i;

	again.resume = true;
	ev = stream_event(WEV_START, us, RAFT_NONE, 0, RAFT_NONE, &again);
	for (i = 0; i < n; i++)
		role_of[i] = RAFT_FOLLOWER;
	checker_feed(ck, &ev);
}
