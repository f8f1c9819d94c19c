/* checker_log.c - Raft's log safety properties (Figure 3) over the log
 * events; see checker.h for the rules' names.
 *
 * Each node's log is modelled as runs of terms (first index, term) above
 * a base entry (its snapshot point, or the last one forgotten), with its
 * commit and applied indexes. Terms in a log never go down, so a log of a
 * million entries is a handful of runs. The rules:
 *  - log matching: terms strictly increase from run to run, and every log's
 *    run of term T starts at the same index f_T with the same term before
 *    it (the leader of T appended T's first entry there): with Log Matching
 *    by induction, two logs that share an (index, term) share the prefix.
 *  - leader append-only: a leader never deletes entries.
 *  - leader completeness: a leader of term V holds every entry committed
 *    in a term below V, checked when it is elected and when a commit of an
 *    earlier term is seen after its election.
 *  - committed entry lost: the committed entries form one log; a commit
 *    that disagrees with it, or a truncate that deletes from it, loses one.
 *  - commit: a node's commit index never goes back within an incarnation
 *    and never passes its log's end.
 *  - apply: entries are applied in order, once per incarnation, only when
 *    committed; state machine safety compares what nodes applied.
 *
 * Bounded: CHECKER_LOG_RUNS per node and for the committed log (the oldest
 * run is forgotten, becoming the base), CHECKER_LOG_TERMS term starts (the
 * oldest term's goes), CHECKER_LOG_POINTS commit points and a window of
 * CHECKER_APPLY_WINDOW applied indexes. Forgetting loses checks, never
 * invents a violation: every fact kept is one correct Raft guarantees.
 */
#include <inttypes.h>
#include <string.h>

#include "checker_internal.h"

void checker_log_start(struct checker *c)
{
	int i;

	memset(&c->log, 0, sizeof(c->log));
	for (i = 0; i < c->n; i++)
		c->nodes[i].log.base_known = true; /* (0, 0): the empty log */
}

/* The term's first run, seen at `first` after prev_term on `node`: the
 * same everywhere, or Log Matching is broken. Keeps the newest terms. */
static void term_start(struct checker *c, int node, const struct wev *ev,
		       uint64_t first, uint64_t term, uint64_t prev_term)
{
	struct checker_log *g = &c->log;
	struct term_start *s;
	int k, oldest = 0;

	for (k = 0; k < g->nstarts; k++) {
		s = &g->starts[k];
		if (s->term == term)
			break;
		if (s->term < g->starts[oldest].term)
			oldest = k;
	}
	if (k < g->nstarts && s->first != first)
		checker_violate(c, ev->us,
				"log matching: node %d's entries of term "
				"%" PRIu64 " start at index %" PRIu64
				", node %d's at %" PRIu64,
				node, term, first, s->node, s->first);
	else if (k < g->nstarts && s->prev_term != prev_term)
		checker_violate(
			c, ev->us,
			"log matching: before term %" PRIu64
			"'s first entry %" PRIu64 " node %d has term %" PRIu64
			", node %d term %" PRIu64,
			term, first, node, prev_term, s->node, s->prev_term);
	if (k < g->nstarts)
		return;
	k = g->nstarts < CHECKER_LOG_TERMS ? g->nstarts++ : oldest;
	g->starts[k] = (struct term_start){term, first, prev_term, node};
}

void checker_log_term_start(struct checker *c, int node, const struct wev *ev,
			    uint64_t first, uint64_t term, uint64_t prev_term)
{
	term_start(c, node, ev, first, term, prev_term);
}

static void append(struct checker *c, int node, const struct wev *ev)
{
	struct node_log *l = &c->nodes[node].log;
	uint64_t prev, first = ev->index, term = ev->entry_term;
	bool known;

	if (first == 0 || first > ev->last_index) {
		checker_violate(c, ev->us,
				"event: node %d appended entries %" PRIu64
				"..%" PRIu64,
				node, first, ev->last_index);
		return;
	}
	if (first <= l->last) {
		checker_violate(c, ev->us,
				"log matching: node %d appended index "
				"%" PRIu64 " over its log ending at %" PRIu64
				" without deleting it first",
				node, first, l->last);
		if (first > l->base)
			log_cut(l, first);
		else
			log_reset_at(l, first - 1);
	} else if (first > l->last + 1) {
		checker_violate(c, ev->us,
				"event: node %d appended from index %" PRIu64
				", past its last entry %" PRIu64,
				node, first, l->last);
		log_reset_at(l, first - 1);
	}
	known = log_last_term(l, &prev);
	if (known && term < prev)
		checker_violate(c, ev->us,
				"log matching: node %d appended term %" PRIu64
				" at index %" PRIu64 " after term %" PRIu64
				" (terms never go down in a log)",
				node, term, first, prev);
	if (known && term != prev)
		term_start(c, node, ev, first, term, prev);
	if (!known || term != prev || l->nruns == 0)
		log_push_run(l->runs, &l->nruns, &l->base, &l->base_term, first,
			     term);
	l->last = ev->last_index;
}

/* Whether the log of node, leader of term, lacks the committed entry
 * (index, term); reports it as a leader completeness violation. */
static void log_holds_committed(struct checker *c, int node, uint64_t term,
				const struct node_log *log, int64_t us,
				const struct commit_point *p)
{
	uint64_t t = 0;
	enum at at = log_term_at(log, p->index, &t);

	if (at == AT_UNKNOWN || (at == AT_TERM && t == p->term))
		return;
	checker_violate(c, us,
			"leader completeness: node %d leads term %" PRIu64
			" without entry %" PRIu64 " of term %" PRIu64
			", committed in term %" PRIu64,
			node, term, p->index, p->term, p->in_term);
}

static void holds_committed(struct checker *c, int node, int64_t us,
			    const struct commit_point *p)
{
	const struct node *st = &c->nodes[node];

	log_holds_committed(c, node, st->term, &st->log, us, p);
}

/* The last commit point of a term below `term`, or NULL. Points are kept
 * in increasing in_term and index: it implies the earlier ones. */
static const struct commit_point *committed_before(const struct checker_log *g,
						   uint64_t term)
{
	const struct commit_point *best = NULL;
	int k;

	for (k = 0; k < g->npoints && g->points[k].in_term < term; k++)
		best = &g->points[k];
	return best;
}

void checker_log_leader(struct checker *c, int node, const struct wev *ev)
{
	const struct commit_point *best = committed_before(&c->log, ev->term);

	if (best != NULL)
		holds_committed(c, node, ev->us, best);
	/* Clocks apart, a commit of an earlier term may come after this
	 * leader's time is over: its log at the election is kept for it. */
	if (c->apart != NULL) {
		c->apart->led_term[node] = ev->term;
		c->apart->led_log[node] = c->nodes[node].log;
	}
}

/* Records that (index, term) was committed in term in_term; checks the
 * leaders of later terms elected already. A point implied by another
 * (an earlier term's with a higher index) is not kept. */
static void commit_point(struct checker *c, int64_t us, uint64_t index,
			 uint64_t term, uint64_t in_term)
{
	struct checker_log *g = &c->log;
	struct commit_point p = {index, term, in_term};
	int k, w = 0, i;

	/* Clocks apart: every node's log at its last election (a leader's
	 * holds the committed entries of earlier terms from then on). */
	for (i = 0; c->apart != NULL && i < c->n; i++)
		if (c->apart->led_term[i] > in_term)
			log_holds_committed(c, i, c->apart->led_term[i],
					    &c->apart->led_log[i], us, &p);
	for (i = 0; c->apart == NULL && i < c->n; i++)
		if (c->nodes[i].role == RAFT_LEADER &&
		    c->nodes[i].term > in_term)
			holds_committed(c, i, us, &p);
	for (k = 0; k < g->npoints; k++)
		if (g->points[k].in_term <= in_term &&
		    g->points[k].index >= index)
			return;
	for (k = 0; k < g->npoints; k++)
		if (!(g->points[k].in_term >= in_term &&
		      g->points[k].index <= index))
			g->points[w++] = g->points[k];
	g->npoints = w;
	if (g->npoints == CHECKER_LOG_POINTS) { /* loses the oldest check */
		memmove(g->points, g->points + 1,
			(CHECKER_LOG_POINTS - 1) * sizeof(p));
		g->npoints--;
	}
	for (k = g->npoints; k > 0 && g->points[k - 1].in_term > in_term; k--)
		g->points[k] = g->points[k - 1];
	g->points[k] = p;
	g->npoints++;
}

static void lost(struct checker *c, int node, int64_t us, uint64_t index,
		 uint64_t term, uint64_t was)
{
	checker_violate(c, us,
			"committed entry lost: node %d committed index "
			"%" PRIu64 " of term %" PRIu64
			", committed before with term %" PRIu64,
			node, index, term, was);
}

/* Extends the committed log with node's entries up to index. */
static void extend_committed(struct checker *c, int node, uint64_t index)
{
	struct checker_log *g = &c->log;
	const struct node_log *l = &c->nodes[node].log;
	uint64_t from = g->committed + 1, t, end;
	int k;

	if (from <= l->base) { /* the node cannot tell: start over there */
		g->ncruns = 0;
		g->cbase = index;
		(void)log_term_at(l, index, &g->cbase_term);
		g->committed = index;
		return;
	}
	for (k = 0; k < l->nruns; k++) {
		end = k + 1 < l->nruns ? l->runs[k + 1].first - 1 : l->last;
		if (end < from || l->runs[k].first > index)
			continue;
		t = l->runs[k].term;
		if (g->ncruns == 0 || g->cruns[g->ncruns - 1].term != t)
			log_push_run(g->cruns, &g->ncruns, &g->cbase,
				     &g->cbase_term,
				     l->runs[k].first > from ? l->runs[k].first
							     : from,
				     t);
	}
	g->committed = index;
}

/* Node committed up to (index, term) in term in_term: the committed log
 * must agree at index, and where it ends (Log Matching does the rest). */
static void committed(struct checker *c, int node, int64_t us, uint64_t index,
		      uint64_t term, uint64_t in_term)
{
	struct checker_log *g = &c->log;
	const struct node_log *l = &c->nodes[node].log;
	uint64_t was, mine;

	if (index <= g->committed) {
		if (log_committed_term_at(g, index, &was) == AT_TERM &&
		    was != term)
			lost(c, node, us, index, term, was);
	} else {
		if (log_committed_term_at(g, g->committed, &was) == AT_TERM &&
		    log_term_at(l, g->committed, &mine) == AT_TERM &&
		    was != mine)
			lost(c, node, us, g->committed, mine, was);
		extend_committed(c, node, index);
	}
	commit_point(c, us, index, term, in_term);
}

static void commit(struct checker *c, int node, const struct wev *ev)
{
	struct node_log *l = &c->nodes[node].log;
	uint64_t t;

	if (ev->index < l->commit)
		checker_violate(c, ev->us,
				"commit: node %d's commit index went back "
				"from %" PRIu64 " to %" PRIu64,
				node, l->commit, ev->index);
	else if (ev->index > l->last)
		checker_violate(c, ev->us,
				"commit: node %d committed index %" PRIu64
				" beyond its last entry %" PRIu64,
				node, ev->index, l->last);
	else if (log_term_at(l, ev->index, &t) == AT_TERM)
		committed(c, node, ev->us, ev->index, t, ev->term);
	if (ev->index > l->commit)
		l->commit = ev->index;
	checker_propose_commit(c, node, ev);
}

static void truncate_log(struct checker *c, int node, const struct wev *ev)
{
	struct node *st = &c->nodes[node];
	struct node_log *l = &st->log;
	const struct commit_point *p;
	uint64_t from = ev->index, mine, was;

	if (st->role == RAFT_LEADER)
		checker_violate(c, ev->us,
				"leader append-only: leader %d of term "
				"%" PRIu64 " deleted its entries from index "
				"%" PRIu64,
				node, st->term, from);
	if (from == 0 || from <= l->commit)
		checker_violate(c, ev->us,
				"committed entry lost: node %d deleted its "
				"entries from index %" PRIu64
				", at or below its commit index %" PRIu64,
				node, from, l->commit);
	/* A follower takes the entries of the leader of its term (ev->term),
	 * which holds every entry committed in an earlier term (leader
	 * completeness). One committed only in that term or later it may
	 * lose: a deposed leader's late AppendEntries replaces it on a node
	 * that was not among the majority that stored it, and the leader of
	 * the later term brings it back. */
	else if ((p = committed_before(&c->log, ev->term)) != NULL &&
		 from <= p->index && log_term_at(l, from, &mine) == AT_TERM &&
		 log_committed_term_at(&c->log, from, &was) == AT_TERM &&
		 mine == was)
		checker_violate(c, ev->us,
				"committed entry lost: node %d deleted entry "
				"%" PRIu64 " of term %" PRIu64 ", committed",
				node, from, mine);
	if (from == 0 || from > l->last)
		return;
	if (from > l->base)
		log_cut(l, from);
	else
		log_reset_at(l, from - 1);
}

/* State Machine Safety: nodes that applied up to one index applied the
 * same entry there and hold the same state. Compared in a window of the
 * latest indexes (slot index % CHECKER_APPLY_WINDOW): the digest runs over
 * every entry applied, so a divergence shows again at every later index
 * two nodes both stop at, and a node far behind is compared once it
 * catches up to where the others were less than a window before. */
static void same_state(struct checker *c, int node, const struct wev *ev)
{
	struct apply_slot *s =
		&c->log.applied[ev->last_index % CHECKER_APPLY_WINDOW];

	if (s->index == ev->last_index &&
	    (s->term != ev->entry_term || s->digest != ev->digest)) {
		checker_violate(c, ev->us,
				"state machine safety: at index %" PRIu64
				" node %d applied term %" PRIu64
				" (state %016" PRIx64 "), node %d term "
				"%" PRIu64 " (state %016" PRIx64 ")",
				ev->last_index, node, ev->entry_term,
				ev->digest, s->node, s->term, s->digest);
		return; /* keep the first: one report per divergence */
	}
	*s = (struct apply_slot){ev->last_index, ev->entry_term, ev->digest,
				 node};
}

static void apply(struct checker *c, int node, const struct wev *ev)
{
	struct node_log *l = &c->nodes[node].log;
	uint64_t t;

	if (ev->index != l->applied + 1 || ev->last_index < ev->index)
		checker_violate(c, ev->us,
				"apply: node %d applied %" PRIu64 "..%" PRIu64
				" after index %" PRIu64
				" (in order, each once)",
				node, ev->index, ev->last_index, l->applied);
	else if (ev->last_index > l->commit)
		checker_violate(c, ev->us,
				"apply: node %d applied up to index %" PRIu64
				", beyond its commit index %" PRIu64,
				node, ev->last_index, l->commit);
	else if (log_term_at(l, ev->last_index, &t) == AT_TERM &&
		 t != ev->entry_term)
		checker_violate(c, ev->us,
				"apply: node %d applied index %" PRIu64
				" as term %" PRIu64 "; its log has term "
				"%" PRIu64,
				node, ev->last_index, ev->entry_term, t);
	same_state(c, node, ev);
	if (ev->last_index > l->applied)
		l->applied = ev->last_index;
}

/* Taken (compacts what it applied) or installed from a leader (then it
 * is committed, and the log keeps a suffix only if it holds the
 * snapshot's last entry, §7). */
static void snapshot(struct checker *c, int node, const struct wev *ev)
{
	struct node_log *l = &c->nodes[node].log;
	uint64_t t;
	bool holds = log_term_at(l, ev->index, &t) == AT_TERM &&
		     t == ev->entry_term;

	if (ev->index == 0 || ev->entry_term == 0 ||
	    (ev->installed && ev->peer == node)) {
		checker_violate(c, ev->us,
				"event: node %d's snapshot at index %" PRIu64
				" of term %" PRIu64 "%s",
				node, ev->index, ev->entry_term,
				ev->installed && ev->peer == node
					? " came from itself"
					: " covers no entry");
		return;
	}
	if (!ev->installed && ev->index > l->applied)
		checker_violate(c, ev->us,
				"apply: node %d took a snapshot at index "
				"%" PRIu64
				", beyond its applied index %" PRIu64,
				node, ev->index, l->applied);
	if (ev->installed) {
		committed(c, node, ev->us, ev->index, ev->entry_term, ev->term);
		if (!holds) {
			l->nruns = 0;
			l->last = ev->index;
		}
		if (ev->index > l->commit)
			l->commit = ev->index;
		if (ev->index > l->applied)
			l->applied = ev->index;
	}
	if (ev->index >= l->base)
		log_rebase(l, ev->index, ev->entry_term, true);
	l->snapshot = ev->index;
}

void checker_log_event(struct checker *c, int node, const struct wev *ev)
{
	switch (ev->type) {
	case WEV_APPEND:
		append(c, node, ev);
		checker_propose_progress(c, node, ev->us);
		break;
	case WEV_COMMIT:
		commit(c, node, ev);
		break;
	case WEV_APPLY:
		apply(c, node, ev);
		break;
	case WEV_TRUNCATE:
		truncate_log(c, node, ev);
		break;
	case WEV_SNAPSHOT:
		snapshot(c, node, ev);
		checker_propose_progress(c, node, ev->us);
		break;
	case WEV_PROPOSE:
		checker_propose_new(c, node, ev);
		break;
	default:
		break;
	}
}

/* The log is durable; the commit and applied indexes start again from
 * the snapshot, which the state machine is restored from. */
void checker_log_restart(struct checker *c, int node)
{
	struct node_log *l = &c->nodes[node].log;

	l->commit = l->snapshot;
	l->applied = l->snapshot;
}

size_t checker_log_records(const struct checker *c)
{
	size_t total = 0;
	int i, k;

	for (i = 0; i < c->n; i++)
		total += (size_t)c->nodes[i].log.nruns;
	for (k = 0; k < CHECKER_APPLY_WINDOW; k++)
		total += c->log.applied[k].index != 0;
	return total + (size_t)c->log.nstarts + (size_t)c->log.ncruns +
	       (size_t)c->log.npoints;
}
