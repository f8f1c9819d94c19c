/* trace_merge.c - `raftsim check A B C`: per-node traces (trace_node.h)
 * merged into one stream on one clock and judged by one checker.
 *
 * Each file is read side by side with the others, one event ahead; the
 * earliest head goes to the checker next, so memory is one line and one
 * parsed event per file, whatever the run's length. An event's time on the
 * merged clock is its segment's time 0 on the chosen clock (mono_us on one
 * host, unix_us across hosts), plus its "ms", minus the earliest time 0.
 *
 * What the processes did between their files' lines becomes events:
 *  - a node whose process starts after the earliest is down until then
 *    (a crash at 0, a restart when it starts);
 *  - a resume start line (the process killed and started again) is a crash
 *    at the node's last event before it, then its restart line (a plain
 *    restart at the start line, if it has none);
 *  - a file's end, with or without an end line, is a crash there: the
 *    process is gone, whatever the others go on doing.
 * So the checker sees each node's own events in its own order, and, on one
 * host, every event in real-time order: a message's receipt is written
 * after its sending, which is written after what caused it (the core emits
 * before it sends). Across hosts it does not: checker_set_clocks_apart.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "trace_merge.h"

static struct wev node_fault(enum wev_type type, int node, int64_t us)
{
	struct wev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.us = us;
	ev.node = node;
	ev.peer = RAFT_NONE;
	return ev;
}

static void queue(struct mfile *mf, enum wev_type type, int64_t us)
{
	mf->synth[mf->nsynth++] = node_fault(type, mf->first.node_id, us);
	mf->up = type == WEV_RESTART;
}

/* The next line's event into mf->raw. Returns 0, 1 at the end of the
 * file, or -1 (malformed: the file changed since the scan) after a
 * message. A start line sets the segment's time 0. */
static int next_raw(struct merge *m, struct mfile *mf)
{
	struct trace_node_start ns;
	const char *bad = NULL;
	char why[160];
	size_t len;
	int rv;

	do {
		rv = trace_read_line(mf->f, m->buf, &len, &bad);
		if (rv == 1 || rv == 2) /* the end, or a cut last line */
			return 1;
		mf->line++;
	} while (rv == 0 && strspn(m->buf, " \t\r") == len);
	if (rv == 0 && trace_parse(m->buf, &mf->raw, &mf->slots, mf->info.nodes,
				   why, sizeof(why)) != 0)
		bad = why;
	else if (rv == 0 && mf->raw.type == WEV_START &&
		 trace_node_start(m->buf, &ns, why, sizeof(why)) != 0)
		bad = why;
	else if (rv == 0)
		bad = NULL;
	if (bad != NULL) {
		fprintf(m->err, "%s:%" PRIu64 ": malformed trace: %s\n",
			mf->path, mf->line, bad);
		return -1;
	}
	if (mf->raw.type != WEV_START)
		return 0;
	/* A clock that went back (a wall clock stepped) may not take the
	 * node's events back behind its own earlier ones. */
	mf->base = merge_clock_of(m, &ns) - m->t0;
	if (mf->base + mf->raw.us < mf->last)
		mf->base = mf->last - mf->raw.us;
	return 0;
}

/* A start line: the node goes down (if a process ran before this one)
 * and comes up at its first event. */
static void start_segment(struct mfile *mf)
{
	if (mf->nseg++ > 0 && mf->up)
		queue(mf, WEV_CRASH, mf->last);
	mf->starting = true;
	mf->up_at = mf->base + mf->raw.us;
	if (mf->up_at > mf->last)
		mf->last = mf->up_at;
}

/* The segment's first event: the node is down until it (a crash at 0 for
 * a process that started late, or brings a restart line of its own) and
 * comes up with a restart, its own or one made here. */
static void first_of_segment(struct mfile *mf)
{
	bool restart = mf->raw.type == WEV_RESTART;

	mf->starting = false;
	if (mf->up && mf->nseg == 1 && (restart || mf->up_at > 0))
		queue(mf, WEV_CRASH, 0);
	if (!mf->up && !restart)
		queue(mf, WEV_RESTART, mf->up_at);
	mf->up = mf->up || restart;
}

/* Moves mf's head to its next event on the merged clock (mf->have false
 * after the last). Returns 0, or 1 (malformed) after a message. */
static int advance(struct merge *m, struct mfile *mf)
{
	int rv;

	mf->have = false;
	for (;;) {
		if (mf->nsynth > 0) {
			mf->head = mf->synth[0];
			memmove(mf->synth, mf->synth + 1,
				--mf->nsynth * sizeof(mf->synth[0]));
			mf->have = true;
			mf->made = true;
			return 0;
		}
		if (mf->held) {
			mf->held = false;
			mf->head = mf->raw;
			mf->head.us = mf->base + mf->raw.us;
			mf->last = mf->head.us > mf->last ? mf->head.us
							  : mf->last;
			mf->have = true;
			mf->made = false;
			return 0;
		}
		rv = next_raw(m, mf);
		if (rv < 0)
			return 1;
		if (rv == 1 && mf->up && mf->nseg > 0)
			queue(mf, WEV_CRASH,
			      mf->last); /* the process is gone */
		if (rv == 1 && mf->nsynth == 0)
			return 0;
		if (rv == 1)
			continue;
		if (mf->raw.type == WEV_START) {
			start_segment(mf);
			continue;
		}
		if (mf->raw.type == WEV_END) {
			if (mf->up)
				queue(mf, WEV_CRASH, mf->base + mf->raw.us);
			continue;
		}
		if (mf->starting)
			first_of_segment(mf);
		mf->held = true;
	}
}

/* The merged run's start line: the first file's settings, real time on
 * threads (checker_live.c's reading of late ticks), every file's
 * mistakes. */
static struct wev merged_start(const struct merge *m, struct run_info *info)
{
	struct wev ev;
	int i;

	*info = m->files[0].info;
	snprintf(info->mode, sizeof(info->mode), "threads");
	for (i = 1; i < m->count; i++)
		info->mistakes |= m->files[i].info.mistakes;
	memset(&ev, 0, sizeof(ev));
	ev.type = WEV_START;
	ev.info = info;
	return ev;
}

struct merged {
	uint64_t events, max_term;
	int64_t last_us;
};

/* Feeds the whole merged stream. Returns 0, 1 or 2 after a message. */
static int feed(struct merge *m, struct checker *c, struct merged *r)
{
	struct run_info info;
	struct wev start = merged_start(m, &info);
	struct mfile *mf, *next;
	int i;

	checker_feed(c, &start);
	for (i = 0; i < m->count; i++) {
		mf = &m->files[i];
		mf->up = true; /* every node is, at the checker's start */
		if (fseek(mf->f, 0, SEEK_SET) != 0) {
			fprintf(m->err, "raftsim check: cannot read %s: %s\n",
				mf->path, strerror(errno));
			return 2;
		}
		if (advance(m, mf) != 0)
			return 1;
	}
	for (;;) {
		next = NULL;
		for (i = 0; i < m->count; i++)
			if (m->files[i].have &&
			    (next == NULL ||
			     m->files[i].head.us < next->head.us))
				next = &m->files[i];
		if (next == NULL)
			return 0;
		checker_feed(c, &next->head);
		r->events += !next->made;
		if (next->head.term > r->max_term)
			r->max_term = next->head.term;
		if (next->head.us > r->last_us)
			r->last_us = next->head.us;
		if (advance(m, next) != 0)
			return 1;
	}
}

static void print_header(const struct merge *m, FILE *out)
{
	int i, id, printed = 0;

	fprintf(out, "check: merged %d traces (nodes ", m->count);
	for (id = 0; id < m->files[0].info.nodes; id++)
		for (i = 0; i < m->count; i++)
			if (m->files[i].first.node_id == id)
				fprintf(out, "%s%d", printed++ ? ", " : "", id);
	fprintf(out, "), clock: %s\n",
		m->clock == MERGE_MONOTONIC
			? "one host (monotonic)"
			: "several hosts (wall clocks, timing checks off)");
	if (m->clock == MERGE_WALL)
		fprintf(out,
			"check: %s: clocks not comparable; timing checks "
			"off\n",
			m->wall_why);
	for (i = 0; i < m->count; i++)
		if (!m->files[i].ended)
			fprintf(out,
				"check: %s has no end event (the process was "
				"killed?): checked as far as it goes\n",
				m->files[i].path);
}

/* The verdict, as trace_check_file's: 0, 1, or 3 (cannot judge). */
static int verdict(const struct merge *m, struct checker *c,
		   const struct merged *r)
{
	uint64_t v = checker_violation_count(c);
	uint64_t s = checker_spurious_elections(c);
	int rv = v != 0;

	if (checker_unjudged(c) && v == checker_overload(c).live_violations)
		rv = 3;
	if (rv == 0 && checker_clients_undecided(c))
		rv = 3;
	fprintf(m->out,
		"check: %s (%" PRIu64 " events, %" PRIu64 " terms, %" PRIu64
		" violations, %" PRIu64 " spurious elections)\n",
		rv == 3 ? "CANNOT JUDGE"
		: rv    ? "FAIL"
			: "OK",
		r->events, r->max_term, v, s);
	checker_print_unchecked(c, m->out, "check");
	checker_print_overload(c, m->out, "check", 0);
	checker_print_storage(c, m->out, "check");
	checker_print_clients(c, m->out, "check");
	checker_print(c, m->out);
	checker_print_lincheck_report(c, m->out);
	return rv;
}

static int check_merged(struct merge *m)
{
	struct merged r = {0};
	struct checker *c = NULL;
	int rv;

	rv = merge_scan(m);
	if (rv != 0)
		return rv;
	c = checker_new();
	if (c == NULL ||
	    (m->clock == MERGE_WALL && checker_set_clocks_apart(c) != 0)) {
		checker_free(c);
		fprintf(m->err, "raftsim check: out of memory\n");
		return 2;
	}
	print_header(m, m->out);
	rv = feed(m, c, &r);
	if (rv == 0) {
		checker_finish(c, r.last_us);
		rv = verdict(m, c, &r);
	}
	checker_free(c);
	return rv;
}

int trace_check_files(const char *const *paths, int count, FILE *out, FILE *err)
{
	struct merge m = {0};
	char mode[32];
	int i, rv;

	if (count == 1) {
		merge_peek_mode(paths[0], mode, sizeof(mode));
		if (strcmp(mode, "node") != 0)
			return trace_check_file(paths[0], out, err);
	}
	m.count = count;
	m.out = out;
	m.err = err;
	m.files = calloc((size_t)count, sizeof(*m.files));
	m.buf = malloc(TRACE_LINE_MAX + 1);
	if (m.files == NULL || m.buf == NULL) {
		fprintf(err, "raftsim check: out of memory\n");
		rv = 2;
		goto err;
	}
	for (i = 0; i < count; i++)
		m.files[i].path = paths[i];
	rv = check_merged(&m);
err:
	for (i = 0; m.files != NULL && i < count; i++) {
		if (m.files[i].f != NULL)
			fclose(m.files[i].f);
		trace_slots_free(&m.files[i].slots);
	}
	free(m.files);
	free(m.buf);
	return rv;
}
