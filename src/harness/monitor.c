/* monitor.c - see monitor.h. */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/trace.h"
#include "cli/options.h"
#include "monitor.h"

/* Large enough for a partition of every node (up to 4 digits and a
 * separator each); a longer line fails the trace. */
#define LINE_MAX_LEN (2048 + 5 * RAFT_MAX_NODES)

/* A client history line, or a restart's with many term runs (schema 5),
 * that did not fit the stack's buffer: one heap
 * buffer, grown up to TRACE_LINE_MAX, kept for the next. Returns the
 * length, or -1 (too long, or out of memory). */
static int format_long(struct monitor *m, const struct wev *ev)
{
	size_t cap = m->long_cap > 0 ? m->long_cap : 2 * LINE_MAX_LEN;
	char *grown;
	int len;

	for (;;) {
		if (cap > m->long_cap) {
			grown = realloc(m->long_line, cap);
			if (grown == NULL)
				return -1;
			m->long_line = grown;
			m->long_cap = cap;
		}
		len = trace_format(m->long_line, m->long_cap, ev,
				   m->info.nodes);
		if (len >= 0 || cap > TRACE_LINE_MAX)
			return len > TRACE_LINE_MAX + 1 ? -1 : len;
		cap *= 2;
	}
}

static void write_trace(struct monitor *m, const struct wev *ev)
{
	char line[LINE_MAX_LEN];
	const char *text = line;
	int len;

	if (m->trace.f == NULL)
		return;
	len = trace_format(line, sizeof(line), ev, m->info.nodes);
	if (len < 0 && ((ev->hist != NULL && wev_is_hist(ev->type)) ||
			(ev->type == WEV_RESTART && ev->recovered))) {
		len = format_long(m, ev);
		text = m->long_line;
	}
	if (len < 0)
		m->trace_failed = 1;
	else
		writer_put(&m->trace, text, (size_t)len);
}

/* One console line, formatted here and handed to the console stream:
 * written at once (simulator) or queued for its thread (runtime). */
static void say(struct monitor *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct monitor *m, const char *fmt, ...)
{
	char line[256]; /* the longest is under 100 bytes */
	va_list ap;
	int len;

	if (m->console.f == NULL)
		return;
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len > 0 && (size_t)len < sizeof(line))
		writer_put(&m->console, line, (size_t)len);
}

/* The kernel's boot id (Linux): the same for every process exactly while
 * they share one CLOCK_MONOTONIC. Empty when it cannot be read. */
static void read_boot_id(char *out, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	size_t n = 0;

	out[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(out, (int)size, f) != NULL)
		n = strspn(out, "0123456789abcdef-");
	out[n] = '\0';
	fclose(f);
}

/* raftsim node's trace: whose it is, and where its time 0 is on this
 * host's clocks (world.h's run_info). The runtime takes mono_us as its
 * time 0, so that "ms" + mono_us is the monotonic clock exactly. */
static void node_clocks(struct run_info *info, int node_id)
{
	struct timespec mono, wall;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	info->one_node = true;
	info->node_id = node_id;
	info->mono_us = (int64_t)mono.tv_sec * 1000000 + mono.tv_nsec / 1000;
	info->unix_us = (int64_t)wall.tv_sec * 1000000 + wall.tv_nsec / 1000;
	if (gethostname(info->host, sizeof(info->host) - 1) != 0)
		snprintf(info->host, sizeof(info->host), "unknown");
	info->host[sizeof(info->host) - 1] = '\0';
	read_boot_id(info->boot_id, sizeof(info->boot_id));
}

void monitor_run_info(struct run_info *info, const struct raftsim_options *o,
		      const char *mode)
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
	info->resume = o->resume; /* appended to the killed run's trace */
	if (o->command == CMD_NODE)
		node_clocks(info, o->node_id);
	/* Only the simulator delays messages on purpose; a thread's mail
	 * waits for the scheduler alone. */
	if (strcmp(mode, "sim") == 0) {
		info->latency_min_us = o->latency_us.min;
		info->latency_max_us = o->latency_us.max;
	}
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

static int setup(struct monitor *m, const struct run_info *info, FILE *trace,
		 FILE *console)
{
	memset(m, 0, sizeof(*m));
	m->info = *info;
	writer_init(&m->trace, trace, WRITER_KEEP, WRITER_TRACE_RING);
	writer_init(&m->console, console, WRITER_DROP, WRITER_CONSOLE_RING);
	m->checker = checker_new();
	return m->checker == NULL ? -1 : 0;
}

static void begin(struct monitor *m)
{
	char tick[32];
	struct wev start;
	const struct run_info *info = &m->info;

	memset(&start, 0, sizeof(start));
	start.type = WEV_START;
	start.info = &m->info;
	monitor_event(m, &start);
	say(m,
	    "raftsim: %d nodes, tick %s ms, heartbeat %u ticks, "
	    "election %u-%u ticks, seed %" PRIu64 " (%s)\n",
	    info->nodes, ms_text(info->tick_us, tick, sizeof(tick)),
	    info->heartbeat_ticks, info->election_min, info->election_max,
	    info->seed, info->mode);
}

int monitor_init(struct monitor *m, const struct run_info *info, FILE *trace,
		 FILE *console)
{
	if (setup(m, info, trace, console) != 0)
		return -1;
	begin(m);
	return 0;
}

int monitor_init_resumed(struct monitor *m, const struct run_info *info,
			 FILE *trace, FILE *console, const char *prior,
			 FILE *err)
{
	uint64_t events = 0;
	int rv;

	if (setup(m, info, trace, console) != 0)
		return -1;
	if (prior != NULL && !info->one_node) {
		rv = trace_feed_prior(m->checker, prior, &events, err);
		if (rv != 0)
			return rv;
	}
	begin(m);
	if (events > 0)
		say(m,
		    "raftsim: resumed after %" PRIu64 " events of '%s': the "
		    "verdict judges them too\n",
		    events, prior);
	return 0;
}

void monitor_free(struct monitor *m)
{
	checker_free(m->checker);
	m->checker = NULL;
	free(m->long_line);
	m->long_line = NULL;
	m->long_cap = 0;
}

/* A restart from a WAL (schema 5): what the node came back with. */
static void say_recovered(struct monitor *m, const struct wev *ev)
{
	say(m,
	    "node-%d: restarted at tick %" PRIu64
	    " from its disk: term=%" PRIu64 ", log up to %" PRIu64
	    " (term %" PRIu64 "), snapshot at %" PRIu64 "\n",
	    ev->node, ev->tick, ev->term, ev->last_index, ev->last_term,
	    ev->index);
}

static void print_console(struct monitor *m, const struct wev *ev)
{
	if (m->console.f == NULL)
		return;
	switch (ev->type) {
	case WEV_ROLE:
		if (ev->role == RAFT_LEADER)
			say(m,
			    "node-%d: leader for term=%" PRIu64
			    ", sending heartbeats\n",
			    ev->node, ev->term);
		else if (ev->role == RAFT_FOLLOWER)
			say(m,
			    "node-%d: steps down to follower, term=%" PRIu64
			    "\n",
			    ev->node, ev->term);
		break;
	case WEV_ROUND:
		say(m, "tick %" PRIu64 ": heartbeat sent to %d followers\n",
		    ev->tick, ev->count);
		break;
	case WEV_ELECTION:
		say(m,
		    "node-%d: election timeout at tick %" PRIu64
		    ", starting election for term=%" PRIu64 "\n",
		    ev->node, ev->tick, ev->term);
		break;
	case WEV_PREVOTE:
		say(m, "node-%d: pre-vote for term=%" PRIu64 "\n", ev->node,
		    ev->term + 1);
		break;
	case WEV_DISK:
		say(m, "node-%d: disk %s: %s\n", ev->node,
		    wev_disk_name(ev->disk_what),
		    ev->text != NULL ? ev->text : "");
		break;
	case WEV_PAUSE:
	case WEV_RESUME:
	case WEV_CRASH:
	case WEV_RESTART:
		if (ev->type == WEV_RESTART && ev->recovered) {
			say_recovered(m, ev);
			break;
		}
		say(m, "node-%d: %s at tick %" PRIu64 "\n", ev->node,
		    ev->type == WEV_PAUSE    ? "paused"
		    : ev->type == WEV_RESUME ? "resumed"
		    : ev->type == WEV_CRASH  ? "crashed"
					     : "restarted (durable term and "
					       "vote kept)",
		    ev->tick);
		break;
	case WEV_LOSS:
		say(m,
		    "network: a message from node-%d to node-%d lost "
		    "(mailbox full) at tick %" PRIu64 "\n",
		    ev->peer, ev->node, ev->tick);
		break;
	case WEV_PARTITION:
	case WEV_HEAL:
		say(m, "network: %s at tick %" PRIu64 "\n",
		    ev->type == WEV_PARTITION ? "partitioned" : "healed",
		    ev->tick);
		break;
	case WEV_FENCED:
		say(m,
		    "fenced store: %s node-%d's write with token %" PRIu64
		    " (the highest seen is %" PRIu64 ")\n",
		    ev->accepted ? "ACCEPTED" : "refused", ev->node, ev->token,
		    ev->highest);
		break;
	case WEV_DUPLICATE:
		say(m,
		    "node-%d: executed client %d's request %" PRIu64
		    " a second time (index %" PRIu64 ")\n",
		    ev->node, ev->client, ev->seq, ev->index);
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
	/* One node's events (raftsim node) cannot show a majority's votes
	 * or the leader a heartbeat came from: the cluster is judged from
	 * every node's trace (raftsim check A B C), not here. */
	if (!m->info.one_node)
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
	end.interrupted = m->interrupted;
	write_trace(m, &end); /* written out by harness_verdict's stop */
}

/* The rules that a run's kept reports broke, by the name each report
 * starts with ("timer reset: ..."), in order of first appearance. */
static void broken_rules(const struct checker *c, char *buf, size_t size)
{
	const struct checker_violation *r;
	int i, j, count = checker_reports(c, &r);
	size_t len = 0, name;
	int n;

	buf[0] = '\0';
	for (i = 0; i < count; i++) {
		name = strcspn(r[i].what, ":");
		for (j = 0; j < i; j++)
			if (strncmp(r[j].what, r[i].what, name + 1) == 0)
				break;
		if (j < i || r[i].what[name] != ':')
			continue;
		n = snprintf(buf + len, size - len, "%s%.*s", len ? ", " : "",
			     (int)name, r[i].what);
		if (n < 0 || (size_t)n >= size - len)
			break; /* the list is cut; the reports follow anyway */
		len += (size_t)n;
	}
}

/* What the checker looked at, for the end-of-run text. */
static void print_checked(const struct monitor *m, FILE *out)
{
	struct checker_live_stats live = checker_live_stats(m->checker);

	fprintf(out,
		"raftsim: checked election safety, terms, votes, "
		"leader and heartbeat legitimacy, step-down, events, timer "
		"reset, heartbeat gap, log matching, leader append-only and "
		"completeness, commits, applies, state machine safety, ");
	if (live.skip == CHECKER_LIVE_DROP)
		fprintf(out, "not liveness (--drop)\n");
	else if (live.skip == CHECKER_LIVE_CROWDED)
		fprintf(out,
			"not liveness (%d nodes in a timeout spread of "
			"%u ticks split votes for long; it is judged when "
			"MAX-MIN+1 >= %d)\n",
			m->info.nodes,
			m->info.election_max - m->info.election_min + 1,
			(m->info.nodes + CHECKER_LIVE_NODES_PER_TICK - 1) /
				CHECKER_LIVE_NODES_PER_TICK);
	else
		fprintf(out,
			"liveness (window %" PRId64 " ms; %" PRIu64
			" leaderless wait%s, the longest %" PRId64 " ms)\n",
			live.window_us / 1000, live.judged,
			live.judged == 1 ? "" : "s", live.longest_us / 1000);
	checker_print_overload(m->checker, out, "raftsim", m->mailbox);
	checker_print_storage(m->checker, out, "raftsim");
	checker_print_clients(m->checker, out, "raftsim");
}

/* The run could not be judged (checker_unjudged) and broke no safety rule:
 * what it lacked, and its liveness reports, blamed on nothing. */
static int print_unjudged(const struct monitor *m, FILE *out, FILE *err)
{
	struct checker_overload o = checker_overload(m->checker);

	fprintf(out,
		"raftsim: CANNOT JUDGE (%d nodes: for %" PRId64 " of %" PRId64
		" ms a majority had no leader and only late ticks or "
		"lost messages kept liveness from being judged; 0 safety "
		"violations",
		m->info.nodes, o.excluded_us / 1000, o.run_us / 1000);
	if (o.live_violations > 0)
		fprintf(out,
			", %" PRIu64 " liveness report%s not blamed on "
			"Raft",
			o.live_violations, o.live_violations == 1 ? "" : "s");
	fprintf(out, "; seed %" PRIu64 ")\n", m->info.seed);
	checker_print(m->checker, err);
	return EXIT_RUN_FAILED;
}

/* The client history could not be decided (checker_clients_undecided)
 * and nothing else was wrong: no verdict but this one. */
static int print_undecided(const struct monitor *m, FILE *out)
{
	struct checker_clients_stats st = checker_clients_stats(m->checker);

	fprintf(out,
		"raftsim: CANNOT JUDGE (%d nodes, 0 violations, but the "
		"history of %" PRIu64 " client operations was not decided: ",
		m->info.nodes, st.operations);
	if (st.lin == CHECKER_LIN_UNDECIDED)
		fprintf(out,
			"the linearizability check ran past its limit of "
			"%g s",
			(double)st.timeout_us / 1e6);
	else
		fprintf(out, "the linearizability check ran out of memory");
	fprintf(out, "; seed %" PRIu64 ")\n", m->info.seed);
	return EXIT_RUN_FAILED;
}

/* raftsim node: its own node's line, and no verdict (monitor_event says
 * why). */
static int node_verdict(struct monitor *m, const struct node_summary *nodes,
			int n, FILE *out)
{
	int id = m->info.node_id;

	assert(id >= 0 && id < n);
	fprintf(out,
		"node-%d: %s%s, term=%" PRIu64 ", timeout reset %" PRIu64
		" times, elections started %" PRIu64 ", commit %" PRIu64
		", applied %" PRIu64 "\n",
		id, raft_role_name(nodes[id].role),
		nodes[id].up ? "" : " (down)", nodes[id].term,
		nodes[id].timeout_resets, nodes[id].elections_started,
		nodes[id].commit_index, nodes[id].last_applied);
	if (m->log_line != NULL)
		fputs(m->log_line, out);
	fprintf(out,
		"raftsim: not judged here: node %d's events only (a "
		"majority's votes and the leader's heartbeats are in the "
		"other nodes' traces); check the cluster with raftsim check "
		"A.jsonl B.jsonl C.jsonl, one trace per node (seed %" PRIu64
		")\n",
		id, m->info.seed);
	return EXIT_PASS;
}

int monitor_verdict(struct monitor *m, const struct node_summary *nodes, int n,
		    FILE *out, FILE *err)
{
	uint64_t violations = checker_violation_count(m->checker);
	uint64_t spurious = checker_spurious_elections(m->checker);
	const struct checker_violation *reports;
	char rules[160];
	int i;

	if (m->info.one_node)
		return node_verdict(m, nodes, n, out);
	for (i = 0; i < n; i++) {
		if (nodes[i].remote)
			continue;
		fprintf(out,
			"node-%d: %s%s, term=%" PRIu64
			", timeout reset %" PRIu64
			" times, elections started %" PRIu64,
			i, raft_role_name(nodes[i].role),
			nodes[i].up ? "" : " (down)", nodes[i].term,
			nodes[i].timeout_resets, nodes[i].elections_started);
		if (m->log_line != NULL && m->log_line[0] != '\0')
			fprintf(out,
				", commit %" PRIu64 ", applied %" PRIu64
				", snapshots sent %" PRIu64
				", installed %" PRIu64,
				nodes[i].commit_index, nodes[i].last_applied,
				nodes[i].snapshots_sent,
				nodes[i].snapshots_installed);
		fputc('\n', out);
	}
	if (m->log_line != NULL)
		fputs(m->log_line, out);
	print_checked(m, out);
	if (checker_unjudged(m->checker) &&
	    violations == checker_overload(m->checker).live_violations)
		return print_unjudged(m, out, err);
	if (violations == 0 && checker_clients_undecided(m->checker))
		return print_undecided(m, out);
	if (violations == 0) {
		fprintf(out,
			"raftsim: PASS (%d nodes, %" PRIu64
			" election%s, %" PRIu64
			" spurious, 0 violations, seed %" PRIu64 ")\n",
			m->info.nodes, m->elections,
			m->elections == 1 ? "" : "s", spurious, m->info.seed);
		return EXIT_PASS;
	}
	checker_reports(m->checker, &reports);
	broken_rules(m->checker, rules, sizeof(rules));
	fprintf(out,
		"raftsim: FAIL (%" PRIu64
		" violation%s of %s, first at %" PRId64 ".%03" PRId64
		" ms: %s; seed %" PRIu64 ")\n",
		violations, violations == 1 ? "" : "s", rules,
		reports[0].us / 1000, reports[0].us % 1000, reports[0].what,
		m->info.seed);
	checker_print_lincheck_report(m->checker, out);
	checker_print(m->checker, err);
	return EXIT_VIOLATION;
}
