/* monitor.c - see monitor.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "cli/options.h"
#include "check/trace.h"

/* Large enough for a partition of every node (up to 4 digits and a
 * separator each); a longer line fails the trace. */
#define LINE_MAX_LEN (2048 + 5 * RAFT_MAX_NODES)

static void write_trace(struct monitor *m, const struct wev *ev)
{
	char line[LINE_MAX_LEN];
	int len;

	if (m->trace == NULL)
		return;
	len = trace_format(line, sizeof(line), ev, m->info.nodes);
	if (len < 0 || fwrite(line, 1, (size_t)len, m->trace) != (size_t)len)
		m->trace_failed = 1;
}

void run_info_from_options(struct run_info *info,
			   const struct raftsim_options *o, const char *mode)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->mode, sizeof(info->mode), "%s", mode);
	info->nodes = o->nodes;
	info->seed = o->seed;
	info->tick_us = o->tick_us;
	info->heartbeat_ticks = o->heartbeat_ticks;
	info->election_min = (unsigned)o->election.min;
	info->election_max = (unsigned)o->election.max;
	info->drop = o->drop;
	info->dup = o->dup;
	info->reorder = o->reorder;
	info->random_faults = o->pause_prob > 0 || o->crash_prob > 0 ||
			      o->partition_prob > 0;
	info->prevote = o->prevote;
	info->check_quorum = o->check_quorum;
	info->ranked_timeouts = o->ranked_timeouts;
	info->mistakes = o->mistakes;
}

/* Microseconds as milliseconds: "10", or "0.1" for a tick under 1 ms. */
static const char *ms_text(uint64_t us, char *buf, size_t size)
{
	if (us % 1000 == 0)
		snprintf(buf, size, "%" PRIu64, us / 1000);
	else
		snprintf(buf, size, "%g", (double)us / 1000.0);
	return buf;
}

int monitor_init(struct monitor *m, const struct run_info *info, FILE *trace,
		 FILE *console)
{
	char tick[32];
	struct wev start;

	memset(m, 0, sizeof(*m));
	m->info = *info;
	m->trace = trace;
	m->console = console;
	m->checker = checker_new();
	if (m->checker == NULL)
		return -1;
	memset(&start, 0, sizeof(start));
	start.type = WEV_START;
	start.info = &m->info;
	monitor_event(m, &start);
	if (console != NULL)
		fprintf(console,
			"raftsim: %d nodes, tick %s ms, heartbeat %u ticks, "
			"election %u-%u ticks, seed %" PRIu64 " (%s)\n",
			info->nodes, ms_text(info->tick_us, tick, sizeof(tick)),
			info->heartbeat_ticks,
			info->election_min, info->election_max, info->seed,
			info->mode);
	return 0;
}

void monitor_free(struct monitor *m)
{
	checker_free(m->checker);
	m->checker = NULL;
}

struct wev wev_from_raft(const struct raft_event *ev, int64_t us,
			 uint64_t tick)
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
	};
	/* Every field set once, no memset: this runs for every heartbeat. */
	struct wev w = {
		.type = types[ev->type],
		.us = us,
		.tick = tick,
		.node = ev->node,
		.term = ev->term,
		.role = ev->role,
		.peer = ev->peer,
		.seen_term = ev->seen_term,
		.count = ev->count,
		.group_of = NULL,
		.info = NULL,
		.violations = 0,
		.spurious_elections = 0,
	};

	return w;
}

static void print_console(struct monitor *m, const struct wev *ev)
{
	FILE *c = m->console;

	if (c == NULL)
		return;
	switch (ev->type) {
	case WEV_ROLE:
		if (ev->role == RAFT_LEADER)
			fprintf(c, "node-%d: leader for term=%" PRIu64
				   ", sending heartbeats\n",
				ev->node, ev->term);
		else if (ev->role == RAFT_FOLLOWER)
			fprintf(c, "node-%d: steps down to follower, term=%" PRIu64
				   "\n",
				ev->node, ev->term);
		break;
	case WEV_ROUND:
		fprintf(c, "tick %" PRIu64 ": heartbeat sent to %d followers\n",
			ev->tick, ev->count);
		break;
	case WEV_ELECTION:
		fprintf(c, "node-%d: election timeout at tick %" PRIu64
			   ", starting election for term=%" PRIu64 "\n",
			ev->node, ev->tick, ev->term);
		break;
	case WEV_PREVOTE:
		fprintf(c, "node-%d: pre-vote for term=%" PRIu64 "\n", ev->node,
			ev->term + 1);
		break;
	case WEV_PAUSE:
	case WEV_RESUME:
	case WEV_CRASH:
	case WEV_RESTART:
		fprintf(c, "node-%d: %s at tick %" PRIu64 "\n", ev->node,
			ev->type == WEV_PAUSE    ? "paused"
			: ev->type == WEV_RESUME ? "resumed"
			: ev->type == WEV_CRASH  ? "crashed"
						 : "restarted (durable term and "
						   "vote kept)",
			ev->tick);
		break;
	case WEV_PARTITION:
	case WEV_HEAL:
		fprintf(c, "network: %s at tick %" PRIu64 "\n",
			ev->type == WEV_PARTITION ? "partitioned" : "healed",
			ev->tick);
		break;
	default:
		break;
	}
}

void monitor_event(struct monitor *m, const struct wev *ev)
{
	if (ev->us > m->last_us)
		m->last_us = ev->us;
	m->events++;
	if (ev->type == WEV_ELECTION)
		m->elections++;
	if (ev->type == WEV_ROLE && ev->role == RAFT_LEADER)
		m->leaders_elected++;
	write_trace(m, ev);
	print_console(m, ev);
	checker_feed(m->checker, ev);
}

void monitor_end(struct monitor *m, int64_t us, uint64_t ticks)
{
	struct wev end;

	if (m->ended)
		return;
	m->ended = 1;
	checker_finish(m->checker, us);
	memset(&end, 0, sizeof(end));
	end.type = WEV_END;
	end.us = us;
	end.tick = ticks;
	end.violations = checker_violation_count(m->checker);
	end.spurious_elections = checker_spurious_elections(m->checker);
	write_trace(m, &end);
	if (m->trace != NULL && fflush(m->trace) != 0)
		m->trace_failed = 1;
}

int monitor_verdict(struct monitor *m, const struct node_summary *nodes,
		    int n, FILE *out, FILE *err)
{
	uint64_t violations = checker_violation_count(m->checker);
	uint64_t spurious = checker_spurious_elections(m->checker);
	const struct checker_violation *reports;
	int i;

	for (i = 0; i < n; i++)
		fprintf(out,
			"node-%d: %s%s, term=%" PRIu64 ", timeout reset %" PRIu64
			" times, elections started %" PRIu64 "\n",
			i, raft_role_name(nodes[i].role),
			nodes[i].up ? "" : " (down)", nodes[i].term,
			nodes[i].timeout_resets, nodes[i].elections_started);
	if (violations == 0) {
		fprintf(out,
			"raftsim: PASS (%d nodes, %" PRIu64 " election%s, %" PRIu64
			" spurious, 0 violations, seed %" PRIu64 ")\n",
			m->info.nodes, m->elections,
			m->elections == 1 ? "" : "s", spurious, m->info.seed);
		return EXIT_PASS;
	}
	checker_reports(m->checker, &reports);
	fprintf(out,
		"raftsim: FAIL (%" PRIu64 " violation%s, first at %" PRId64
		".%03" PRId64 " ms: %s; seed %" PRIu64 ")\n",
		violations, violations == 1 ? "" : "s", reports[0].us / 1000,
		reports[0].us % 1000, reports[0].what, m->info.seed);
	checker_print(m->checker, err);
	return EXIT_VIOLATION;
}
