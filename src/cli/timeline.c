/* timeline.c - the timeline's canvas: run events into marks on a grid of
 * lanes and columns (see timeline.h). It follows each node's role and
 * faults to draw spans, and feeds every event, inside the window or not, to
 * a checker so that the violations appear where they happened.
 */
#include <stdlib.h>
#include <string.h>

#include "timeline_internal.h"

int timeline_col(const struct timeline_canvas *cv, int64_t us)
{
	uint64_t d = (uint64_t)(us - cv->from),
		 span = (uint64_t)(cv->to - cv->from);
	uint64_t col;

	/* Exact where it cannot overflow, so that pictures are the same on
	 * every machine; a span of centuries falls back to doubles. */
	if (d <= UINT64_MAX / (uint64_t)cv->cols)
		col = d * (uint64_t)cv->cols / span;
	else
		col = (uint64_t)((double)d * cv->cols / (double)span);
	return col >= (uint64_t)cv->cols ? cv->cols - 1 : (int)col;
}

static bool in_window(const struct timeline_canvas *cv, int64_t us)
{
	return us >= cv->from && us <= cv->to;
}

static uint8_t *cell(struct timeline_canvas *cv, int lane, int col)
{
	return &cv->cells[(size_t)lane * (size_t)cv->cols + (size_t)col];
}

static bool is_digit_mark(uint8_t m)
{
	return m >= TL_DIGIT0 && m < TL_DIGIT0 + 10;
}

/* Puts mark m on a cell unless a more important one is there. Covering a
 * term number wipes the whole number, which would otherwise read as
 * another term. */
static void raise_cell(struct timeline_canvas *cv, int lane, int col,
		       enum timeline_mark m)
{
	uint8_t *row = cell(cv, lane, 0);
	int c;

	if (row[col] >= m)
		return;
	if (is_digit_mark(row[col])) {
		for (c = col - 1; c >= 0 && is_digit_mark(row[c]); c--)
			row[c] = TL_NONE;
		for (c = col + 1; c < cv->cols && is_digit_mark(row[c]); c++)
			row[c] = TL_NONE;
	}
	row[col] = (uint8_t)m;
}

static void mark(struct timeline_canvas *cv, int lane, int64_t us,
		 enum timeline_mark m)
{
	if (!in_window(cv, us))
		return;
	raise_cell(cv, lane, timeline_col(cv, us), m);
	if (cv->sink != NULL)
		cv->sink->mark(cv->sink->ctx, lane, us, m, 0);
}

/* E, L or F, then the term in the columns after it when they hold nothing
 * more important than a heartbeat or a fault; else the letter alone. */
static void mark_term(struct timeline_canvas *cv, int lane, int64_t us,
		      enum timeline_mark m, uint64_t term)
{
	char digits[24];
	uint8_t *row = cell(cv, lane, 0);
	int col, len, i;

	if (!in_window(cv, us))
		return;
	col = timeline_col(cv, us);
	raise_cell(cv, lane, col, m);
	if (cv->sink != NULL)
		cv->sink->mark(cv->sink->ctx, lane, us, m, term);
	if (row[col] != m)
		return;
	len = snprintf(digits, sizeof(digits), "%llu",
		       (unsigned long long)term);
	if (col + len >= cv->cols)
		return;
	for (i = 1; i <= len; i++)
		if (row[col + i] >= TL_DIGIT0)
			return;
	for (i = 0; i < len; i++)
		row[col + 1 + i] = (uint8_t)(TL_DIGIT0 + (digits[i] - '0'));
}

/* Marks the columns of [from_us, to_us] that lie in the window. */
static void span(struct timeline_canvas *cv, int lane, int64_t from_us,
		 int64_t to_us, enum timeline_mark m)
{
	int c, last;

	if (to_us < cv->from || from_us > cv->to || to_us < from_us)
		return;
	if (cv->sink != NULL)
		cv->sink->span(cv->sink->ctx, lane,
			       from_us > cv->from ? from_us : cv->from,
			       to_us < cv->to ? to_us : cv->to, m);
	last = timeline_col(cv, to_us < cv->to ? to_us : cv->to);
	for (c = timeline_col(cv, from_us > cv->from ? from_us : cv->from);
	     c <= last; c++)
		raise_cell(cv, lane, c, m);
}

/* The role a node had since role_since ends at us. */
static void end_role(struct timeline_canvas *cv, int node, int64_t us)
{
	struct timeline_lane *l = &cv->lanes[node];

	if (l->role != RAFT_FOLLOWER)
		span(cv, node, l->role_since, us,
		     l->role == RAFT_LEADER ? TL_LEAD_FILL : TL_CAND_FILL);
}

static void set_role(struct timeline_canvas *cv, int node, enum raft_role role,
		     int64_t us)
{
	end_role(cv, node, us);
	cv->lanes[node].role = role;
	cv->lanes[node].role_since = us;
}

/* The partition in force ends at us (-1: it never healed). */
static void end_partition(struct timeline_canvas *cv, int64_t us)
{
	int64_t until = us < 0 ? cv->last_us : us;
	struct timeline_partition *p;

	if (!cv->partitioned)
		return;
	cv->partitioned = false;
	if (until < cv->from || cv->partitioned_since > cv->to)
		return;
	span(cv, cv->n, cv->partitioned_since, until, TL_PART);
	if (cv->npartitions++ >= TL_MAX_PARTITIONS)
		return;
	p = &cv->partitions[cv->npartitions - 1];
	p->from_us = cv->partitioned_since;
	p->to_us = us;
	memcpy(p->group_of, cv->group_of, (size_t)cv->n);
}

static void apply_fault(struct timeline_canvas *cv, const struct wev *ev)
{
	struct timeline_lane *l = &cv->lanes[ev->node >= 0 ? ev->node : 0];

	switch (ev->type) { /* lane_of(ev) is a node for the node faults */
	case WEV_PAUSE:
		if (!l->paused)
			l->paused_since = ev->us;
		l->paused = true;
		break;
	case WEV_RESUME:
		if (l->paused)
			span(cv, ev->node, l->paused_since, ev->us, TL_PAUSED);
		l->paused = false;
		break;
	case WEV_CRASH:
		/* A crashed node's volatile role is gone with it. */
		set_role(cv, ev->node, RAFT_FOLLOWER, ev->us);
		if (!l->crashed)
			l->crashed_since = ev->us;
		l->crashed = true;
		break;
	case WEV_LATE: /* in effect paused by the machine until now */
		if (!l->paused && !l->crashed)
			span(cv, ev->node, ev->us - ev->late_us, ev->us,
			     TL_PAUSED);
		break;
	case WEV_RESTART:
		if (l->crashed)
			span(cv, ev->node, l->crashed_since, ev->us,
			     TL_CRASHED);
		l->crashed = false;
		set_role(cv, ev->node, RAFT_FOLLOWER, ev->us);
		break;
	case WEV_PARTITION:
		end_partition(cv, ev->us);
		if (ev->group_of == NULL)
			break; /* the checker reports it */
		cv->partitioned = true;
		cv->partitioned_since = ev->us;
		memcpy(cv->group_of, ev->group_of, (size_t)cv->n);
		break;
	default: /* WEV_HEAL */
		end_partition(cv, ev->us);
		break;
	}
}

static void apply_core(struct timeline_canvas *cv, const struct wev *ev)
{
	int node = ev->node;
	enum raft_role was = cv->lanes[node].role;

	switch (ev->type) {
	case WEV_ROLE:
		set_role(cv, node, ev->role, ev->us);
		if (ev->role == RAFT_LEADER)
			mark_term(cv, node, ev->us, TL_LEADER, ev->term);
		else if (ev->role == RAFT_FOLLOWER && was != RAFT_FOLLOWER)
			mark_term(cv, node, ev->us, TL_FOLLOWER, ev->term);
		break; /* a candidate's election marks it */
	case WEV_HEARTBEAT:
		mark(cv, node, ev->us, TL_RESET);
		break;
	case WEV_ROUND:
		mark(cv, node, ev->us, TL_ROUND);
		break;
	case WEV_ELECTION:
		mark_term(cv, node, ev->us, TL_ELECTION, ev->term);
		break;
	case WEV_PREVOTE:
		mark(cv, node, ev->us, TL_PREVOTE);
		break;
	default: /* term, vote, saw_term: no mark of their own */
		break;
	}
}

/* The lane of the node an event is about, or -1 (not a node's event, or
 * a node the cluster does not have: the checker reports that). */
static int lane_of(const struct timeline_canvas *cv, const struct wev *ev)
{
	switch (ev->type) {
	case WEV_TERM:
	case WEV_ROLE:
	case WEV_VOTE:
	case WEV_HEARTBEAT:
	case WEV_ROUND:
	case WEV_ELECTION:
	case WEV_PREVOTE:
	case WEV_SAW_TERM:
	case WEV_PAUSE:
	case WEV_RESUME:
	case WEV_CRASH:
	case WEV_RESTART:
	case WEV_LOSS: /* the receiver */
	case WEV_LATE:
	case WEV_APPEND:
	case WEV_COMMIT:
	case WEV_APPLY:
	case WEV_TRUNCATE:
	case WEV_SNAPSHOT:
	case WEV_PROPOSE:
	case WEV_FENCED:
	case WEV_DUPLICATE:
	case WEV_PERSIST:
	case WEV_DISK:
		return ev->node >= 0 && ev->node < cv->n ? ev->node : -1;
	case WEV_INVOKE: /* a client's, not a node's */
	case WEV_OK:
	case WEV_FAIL:
	case WEV_INFO:
	case WEV_START:
	case WEV_PARTITION:
	case WEV_HEAL:
	case WEV_END:
	case WEV_TYPE_COUNT:
		break;
	}
	return -1;
}

/* Places the violations the checker found since it had `before`: in the
 * column of their time, and on the lane of the node whose event revealed
 * them when that event is what they happened at. */
static void note_violations(struct timeline_canvas *cv, uint64_t before,
			    const struct wev *ev)
{
	const struct checker_violation *reports;
	int nreports = checker_reports(cv->checker, &reports);
	uint64_t i, count = checker_violation_count(cv->checker);
	int lane = ev != NULL ? lane_of(cv, ev) : -1;
	int64_t us;

	for (i = before; i < count; i++) {
		us = i < (uint64_t)nreports
			     ? reports[i].us
			     : checker_last_violation_us(cv->checker);
		if (!in_window(cv, us))
			continue;
		cv->violations[timeline_col(cv, us)]++;
		cv->violations_in_window++;
		if (lane >= 0 && us == ev->us)
			raise_cell(cv, lane, timeline_col(cv, us),
				   TL_VIOLATION);
		if (cv->sink != NULL)
			cv->sink->violation(
				cv->sink->ctx,
				lane >= 0 && us == ev->us ? lane : -1, us, i);
	}
}

static int start(struct timeline_canvas *cv, const struct wev *ev)
{
	char label[32];
	int i;

	if (ev->type != WEV_START || ev->info == NULL || ev->info->nodes < 1 ||
	    ev->info->nodes > RAFT_MAX_NODES)
		return TIMELINE_BAD;
	cv->info = *ev->info;
	cv->n = ev->info->nodes;
	cv->label_w = snprintf(label, sizeof(label), "node-%d", cv->n - 1);
	cv->label_w = (cv->label_w < 7 ? 7 : cv->label_w) + 2; /* "checker" */
	cv->cols = cv->opts.width - cv->label_w;
	cv->cells = calloc((size_t)(cv->n + 1) * (size_t)cv->cols, 1);
	cv->violations = calloc((size_t)cv->cols, sizeof(*cv->violations));
	if (cv->cells == NULL || cv->violations == NULL)
		return TIMELINE_IO;
	for (i = 0; i < cv->n; i++)
		cv->lanes[i].role_since = ev->us;
	cv->started = true;
	return TIMELINE_DRAWN;
}

/* Schema 5: a resumed run's start line (the killed process took every
 * node down) and a failed or refused disk (its node) are crashes. */
static bool taken_down(struct timeline_canvas *cv, const struct wev *ev)
{
	struct wev crash = *ev;
	int i;

	crash.type = WEV_CRASH;
	if (ev->type == WEV_START && ev->info != NULL && ev->info->resume &&
	    ev->info->nodes == cv->n) {
		for (i = 0; i < cv->n; i++) {
			crash.node = i;
			if (!cv->lanes[i].crashed)
				apply_fault(cv, &crash);
		}
		return true;
	}
	if (ev->type == WEV_DISK && lane_of(cv, ev) >= 0 &&
	    (ev->disk_what == WEV_DISK_FAILED ||
	     ev->disk_what == WEV_DISK_REFUSED) &&
	    !cv->lanes[ev->node].crashed) {
		apply_fault(cv, &crash);
		return true;
	}
	return ev->type == WEV_START;
}

int timeline_canvas_add(struct timeline_canvas *cv, const struct wev *ev)
{
	uint64_t before = checker_violation_count(cv->checker);
	int rv;

	if (cv->ended)
		return TIMELINE_DRAWN; /* the run is over */
	if (!cv->started && (rv = start(cv, ev)) != TIMELINE_DRAWN)
		return rv;
	checker_feed(cv->checker, ev);
	if (cv->sink != NULL)
		cv->sink->event(cv->sink->ctx, ev);
	if (taken_down(cv, ev)) {
		note_violations(cv, before, ev);
		return TIMELINE_DRAWN;
	}
	if (ev->us > cv->last_us)
		cv->last_us = ev->us;
	if (ev->type == WEV_PARTITION || ev->type == WEV_HEAL ||
	    ((ev->type == WEV_PAUSE || ev->type == WEV_RESUME ||
	      ev->type == WEV_CRASH || ev->type == WEV_RESTART ||
	      ev->type == WEV_LATE) &&
	     lane_of(cv, ev) >= 0))
		apply_fault(cv, ev);
	else if (lane_of(cv, ev) >= 0)
		apply_core(cv, ev);
	cv->ended = ev->type == WEV_END;
	note_violations(cv, before, ev);
	return TIMELINE_DRAWN;
}

void timeline_canvas_finish(struct timeline_canvas *cv)
{
	uint64_t before = checker_violation_count(cv->checker);
	struct timeline_lane *l;
	int i;

	if (!cv->started)
		return;
	for (i = 0; i < cv->n; i++) {
		l = &cv->lanes[i];
		end_role(cv, i, cv->last_us);
		if (l->paused)
			span(cv, i, l->paused_since, cv->last_us, TL_PAUSED);
		if (l->crashed)
			span(cv, i, l->crashed_since, cv->last_us, TL_CRASHED);
	}
	end_partition(cv, -1);
	checker_finish(cv->checker, cv->last_us); /* no-op after the end */
	note_violations(cv, before, NULL);
}

struct timeline_canvas *timeline_canvas_new(const struct timeline_opts *t,
					    int64_t end_us)
{
	struct timeline_canvas *cv = calloc(1, sizeof(*cv));

	if (cv == NULL)
		return NULL;
	cv->opts = *t;
	if (cv->opts.width < TIMELINE_MIN_WIDTH)
		cv->opts.width = TIMELINE_MIN_WIDTH;
	if (cv->opts.width > TIMELINE_MAX_WIDTH)
		cv->opts.width = TIMELINE_MAX_WIDTH;
	cv->from = t->from_us;
	cv->to = t->to_us >= 0 ? t->to_us : end_us;
	if (cv->to <= cv->from)
		cv->to = cv->from + 1; /* a run that lasted no time at all */
	cv->checker = checker_new();
	if (cv->checker == NULL) {
		free(cv);
		return NULL;
	}
	return cv;
}

void timeline_canvas_free(struct timeline_canvas *cv)
{
	if (cv == NULL)
		return;
	checker_free(cv->checker);
	free(cv->cells);
	free(cv->violations);
	free(cv);
}

int timeline_render(const struct wev *ev, size_t n,
		    const struct timeline_opts *t, FILE *out)
{
	struct timeline_canvas *cv;
	int64_t end_us = 0;
	size_t i;
	int rv;

	if (n == 0 || ev[0].type != WEV_START || t->from_us < 0 ||
	    (t->to_us >= 0 && t->to_us <= t->from_us))
		return TIMELINE_BAD;
	for (i = 0; i < n; i++)
		if (ev[i].us > end_us)
			end_us = ev[i].us;
	cv = timeline_canvas_new(t, end_us);
	if (cv == NULL)
		return TIMELINE_IO;
	for (i = 0, rv = TIMELINE_DRAWN; i < n && rv == TIMELINE_DRAWN; i++)
		rv = timeline_canvas_add(cv, &ev[i]);
	if (rv == TIMELINE_DRAWN) {
		timeline_canvas_finish(cv);
		rv = timeline_canvas_print(cv, out);
	}
	timeline_canvas_free(cv);
	return rv;
}
