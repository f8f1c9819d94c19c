/* trace_merge_scan.c - the first read of `raftsim check A B C`: every
 * file must be one node's trace (trace_node.h), every node of one cluster
 * must have exactly one, and the start lines decide the clock: one host's
 * monotonic clock when every process ran on one host that did not reboot,
 * else the wall clocks (timing checks off: trace_merge.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "trace_merge.h"

/* What set two clusters apart, or NULL: the settings every node of one
 * cluster shares. The seed may differ (each process draws its own); a
 * mistake may be injected into some nodes only. */
static const char *differs(const struct run_info *a, const struct run_info *b)
{
	if (a->nodes != b->nodes)
		return "nodes";
	if (a->tick_us != b->tick_us)
		return "tick_ms";
	if (a->heartbeat_ticks != b->heartbeat_ticks)
		return "heartbeat_ticks";
	if (a->election_min != b->election_min ||
	    a->election_max != b->election_max)
		return "election_ticks";
	if (a->drop != b->drop || a->dup != b->dup || a->reorder != b->reorder)
		return "drop, dup or reorder";
	if (a->prevote != b->prevote || a->check_quorum != b->check_quorum ||
	    a->ranked_timeouts != b->ranked_timeouts)
		return "prevote, check_quorum or ranked_timeouts";
	if (a->latency_min_us != b->latency_min_us ||
	    a->latency_max_us != b->latency_max_us)
		return "latency_ms";
	return NULL;
}

/* Whether an event of this type belongs to the node it names. */
static bool of_its_node(enum wev_type type)
{
	enum wev_kind kind = wev_kind(type);

	return kind == WEV_KIND_CORE || kind == WEV_KIND_NODE_FAULT ||
	       kind == WEV_KIND_STORAGE || type == WEV_FENCED ||
	       type == WEV_DUPLICATE;
}

/* Per file while it is scanned. */
struct scan {
	int nodes;
	bool ended;
	int64_t seg_mono; /* the segment's monotonic time 0 */
	int64_t last_us;  /* its last event's time */
};

/* A start line: the first says whose file it is, the others must agree.
 * Returns 0, 1 (malformed) or 2 (refused), after a message. */
static int scan_start(struct merge *m, struct mfile *mf, struct scan *s,
		      const struct wev *ev)
{
	struct trace_node_start ns;
	const char *missing;
	char why[160];

	if (trace_node_start(m->buf, &ns, why, sizeof(why)) != 0) {
		fprintf(m->err, "%s:%" PRIu64 ": malformed trace: %s\n",
			mf->path, mf->line, why);
		return 1;
	}
	if (strcmp(ns.mode, "node") != 0) {
		fprintf(m->err,
			"raftsim check: %s is a whole-cluster trace (mode "
			"\"%s\"), not one node's: check it alone\n",
			mf->path, ns.mode);
		return 2;
	}
	if ((missing = trace_node_missing(&ns)) != NULL) {
		fprintf(m->err,
			"raftsim check: %s:%" PRIu64 ": a node's start line "
			"without \"%s\": cannot place it on a clock\n",
			mf->path, mf->line, missing);
		return 2;
	}
	if (s->nodes == 0) {
		mf->first = ns;
		mf->info = *ev->info;
		mf->info.resume = false;
		s->nodes = ev->info->nodes;
		if (ns.node_id >= s->nodes) {
			fprintf(m->err,
				"raftsim check: %s: node %d of a %d-node "
				"cluster\n",
				mf->path, ns.node_id, s->nodes);
			return 2;
		}
	} else if (!ev->info->resume || ev->info->nodes != s->nodes ||
		   ns.node_id != mf->first.node_id) {
		fprintf(m->err, "%s:%" PRIu64 ": malformed trace: %s\n",
			mf->path, mf->line,
			!ev->info->resume ? "a second start event without "
					    "\"resume\""
			: ev->info->nodes != s->nodes
				? "a resumed run of another cluster size"
				: "a resumed run of another node");
		return 1;
	} else {
		mf->host_moved |= strcmp(ns.host, mf->first.host) != 0 ||
				  strcmp(ns.boot_id, mf->first.boot_id) != 0;
		mf->mono_back |= ns.mono_us < s->seg_mono + s->last_us;
	}
	s->seg_mono = ns.mono_us;
	s->last_us = 0;
	s->ended = false; /* a stopped node started again: a new segment */
	return 0;
}

/* One line. Returns 0, 1 or 2 as scan_start. */
static int scan_line(struct merge *m, struct mfile *mf, struct scan *s,
		     size_t len)
{
	struct wev ev;
	char why[160];

	if (strspn(m->buf, " \t\r") == len)
		return 0;
	if (trace_parse(m->buf, &ev, &mf->slots, s->nodes, why, sizeof(why)) !=
	    0) {
		fprintf(m->err, "%s:%" PRIu64 ": malformed trace: %s\n",
			mf->path, mf->line, why);
		return 1;
	}
	if (ev.type == WEV_START)
		return scan_start(m, mf, s, &ev);
	if (s->ended) {
		fprintf(m->err,
			"%s:%" PRIu64 ": malformed trace: an event after "
			"the end event\n",
			mf->path, mf->line);
		return 1;
	}
	if (of_its_node(ev.type) && ev.node != mf->first.node_id) {
		fprintf(m->err,
			"raftsim check: %s:%" PRIu64 ": an event of node %d "
			"in node %d's trace\n",
			mf->path, mf->line, ev.node, mf->first.node_id);
		return 2;
	}
	s->ended = ev.type == WEV_END;
	s->last_us = ev.us > s->last_us ? ev.us : s->last_us;
	mf->events += ev.type != WEV_END;
	return 0;
}

static int scan_file(struct merge *m, struct mfile *mf)
{
	struct scan s = {0};
	const char *why = NULL;
	size_t len;
	int rv;

	mf->f = fopen(mf->path, "r");
	if (mf->f == NULL) {
		fprintf(m->err, "raftsim check: cannot open %s: %s\n", mf->path,
			strerror(errno));
		return 2;
	}
	while ((rv = trace_read_line(mf->f, m->buf, &len, &why)) != 1) {
		mf->line++;
		if (rv == 2) { /* kill -9 mid-write: what came before stands */
			fprintf(m->err, "%s:%" PRIu64 ": note: %s\n", mf->path,
				mf->line, why);
			break;
		}
		if (rv < 0) {
			fprintf(m->err, "%s:%" PRIu64 ": %s: %s\n", mf->path,
				mf->line,
				rv == -2 ? "cannot read" : "malformed trace",
				why);
			return rv == -2 ? 2 : 1;
		}
		rv = scan_line(m, mf, &s, len);
		if (rv != 0)
			return rv;
	}
	if (s.nodes == 0) {
		fprintf(m->err, "%s: malformed trace: no start event\n",
			mf->path);
		return 1;
	}
	mf->ended = s.ended;
	return 0;
}

/* The files together: one per node of one cluster. */
static int scan_cluster(struct merge *m)
{
	const struct mfile *a = &m->files[0], *b;
	const char *what;
	int i, j, n = a->info.nodes;

	for (i = 1; i < m->count; i++) {
		b = &m->files[i];
		if ((what = differs(&a->info, &b->info)) != NULL) {
			fprintf(m->err,
				"raftsim check: %s and %s are traces of "
				"different clusters (%s differ)\n",
				a->path, b->path, what);
			return 2;
		}
		for (j = 0; j < i; j++) {
			if (m->files[j].first.node_id != b->first.node_id)
				continue;
			fprintf(m->err,
				"raftsim check: %s and %s are both node %d's "
				"trace: give one trace per node\n",
				m->files[j].path, b->path, b->first.node_id);
			return 2;
		}
	}
	/* Every node's events are needed: a missing node's votes, terms and
	 * leadership would leave rules to judge what they cannot see. */
	if (m->count != n) {
		for (j = 0; j < n; j++) {
			for (i = 0; i < m->count; i++)
				if (m->files[i].first.node_id == j)
					break;
			if (i == m->count)
				break;
		}
		fprintf(m->err,
			"raftsim check: no trace of node %d of the %d-node "
			"cluster: merging needs every node's trace\n",
			j, n);
		return 2;
	}
	return 0;
}

int64_t merge_clock_of(const struct merge *m, const struct trace_node_start *ns)
{
	return m->clock == MERGE_MONOTONIC ? ns->mono_us : ns->unix_us;
}

static void choose_clock(struct merge *m)
{
	const struct mfile *mf;
	int i;

	m->clock = MERGE_MONOTONIC;
	for (i = 0; i < m->count && m->clock == MERGE_MONOTONIC; i++) {
		mf = &m->files[i];
		if (strcmp(mf->first.host, m->files[0].first.host) != 0 ||
		    strcmp(mf->first.boot_id, m->files[0].first.boot_id) != 0 ||
		    mf->host_moved)
			m->wall_why = "hosts differ";
		else if (mf->first.boot_id[0] == '\0')
			m->wall_why = "no boot id to tell that the "
				      "monotonic clocks are one";
		else if (mf->mono_back)
			m->wall_why = "a host's monotonic clock went back "
				      "(rebooted?)";
		else
			continue;
		m->clock = MERGE_WALL;
	}
	m->t0 = INT64_MAX;
	for (i = 0; i < m->count; i++)
		if (merge_clock_of(m, &m->files[i].first) < m->t0)
			m->t0 = merge_clock_of(m, &m->files[i].first);
}

int merge_scan(struct merge *m)
{
	int i, rv;

	for (i = 0; i < m->count; i++) {
		rv = scan_file(m, &m->files[i]);
		if (rv != 0)
			return rv;
	}
	rv = scan_cluster(m);
	if (rv == 0)
		choose_clock(m);
	return rv;
}

void merge_peek_mode(const char *path, char *mode, size_t size)
{
	struct trace_node_start ns;
	char line[4096], why[8];
	FILE *f = fopen(path, "r");

	mode[0] = '\0';
	if (f == NULL)
		return;
	/* A start line is short; a longer first line is no node's. */
	while (fgets(line, sizeof(line), f) != NULL &&
	       strspn(line, " \t\r\n") == strlen(line))
		;
	line[strcspn(line, "\r\n")] = '\0';
	if (!ferror(f) && trace_node_start(line, &ns, why, sizeof(why)) == 0)
		snprintf(mode, size, "%s", ns.mode);
	fclose(f);
}
