/* figure8.c - `raftsim figure8`: the Raft paper's Figure 8, step by step.
 *
 * §5.4.2: a leader may not conclude that an entry of an older term is
 * committed because it is stored on a majority. Figure 8 shows why: S1
 * replicates its old entry 2 to a majority, crashes, and S5, whose last
 * entry has a newer term, wins and overwrites it everywhere. Only entries
 * of the leader's own term commit by counting.
 *
 * The scenario drives five pure cores by hand, deciding which message is
 * delivered and which is lost, so that it is the same every time. With
 * --mistake commit-old-term, S1 counts replicas of entry 2 and commits it,
 * and the checker (the same one every run uses) then sees the committed
 * entry lost. Correct Raft passes. A new leader's no-op (thesis §6.4)
 * stands in for the client entries of the paper's picture, so the terms
 * differ from the paper's; the shape does not.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/checker.h"
#include "cli/options.h"
#include "figure8.h"
#include "harness/harness.h"
#include "harness/monitor.h"
#include "raft.h"
#include "storage/digest_fsm.h"
#include "storage/mem_storage.h"

#define F8_NODES 5
#define F8_OUTBOX 256
#define F8_EVENT_US 100 /* virtual time between two events */

struct f8_mail {
	struct raft_message msg;
	void *extra; /* the copy of its entries, or NULL */
};

struct f8 {
	struct raft_state node[F8_NODES];
	bool up[F8_NODES];
	struct mem_storage *store[F8_NODES]; /* survives crashes */
	struct digest_fsm fsm[F8_NODES];
	struct raft_config cfg[F8_NODES];
	struct f8_mail outbox[F8_OUTBOX];
	int outbox_len;
	bool overflow; /* a message did not fit: the scenario is void */
	struct checker *checker;
	struct run_info info;
	int64_t us;
};

/* Which messages a step lets through; the rest are lost. */
struct f8;
typedef bool f8_filter(const struct f8 *f, const struct raft_message *m);

static int f8_send(void *ctx, const struct raft_message *msg)
{
	struct f8 *f = ctx;
	struct f8_mail *mail = &f->outbox[f->outbox_len];
	size_t bytes;

	if (f->outbox_len == F8_OUTBOX ||
	    harness_copy_message(&mail->msg, msg, &mail->extra, &bytes) != 0) {
		f->overflow = true;
		return -1;
	}
	f->outbox_len++;
	return 0;
}

static void f8_feed(struct f8 *f, struct wev *w)
{
	f->us += F8_EVENT_US;
	w->us = f->us;
	checker_feed(f->checker, w);
}

static void f8_emit(void *ctx, const struct raft_event *ev)
{
	struct f8 *f = ctx;
	struct wev w = wev_from_raft(ev, 0, ev->now);

	f8_feed(f, &w);
}

static void f8_fault(struct f8 *f, enum wev_type type, int id)
{
	struct wev w;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.node = id;
	w.peer = RAFT_NONE;
	f8_feed(f, &w);
}

static int f8_boot(struct f8 *f, int id, const struct raft_durable *durable)
{
	struct raft_transport t = {f8_send, f};
	struct raft_event_sink e = {f8_emit, f};
	struct raft_storage storage = mem_storage_ops(f->store[id]);
	struct raft_fsm fsm;
	int rv;

	digest_fsm_init(&f->fsm[id]);
	fsm = digest_fsm_ops(&f->fsm[id]);
	rv = raft_init(&f->node[id], &f->cfg[id], durable, t, e);
	if (rv == RAFT_OK)
		rv = raft_attach(&f->node[id], &storage, &fsm);
	f->up[id] = rv == RAFT_OK;
	return rv;
}

static void f8_crash(struct f8 *f, int id)
{
	f->up[id] = false;
	f8_fault(f, WEV_CRASH, id);
}

static int f8_restart(struct f8 *f, int id)
{
	struct raft_durable d = raft_durable_of(&f->node[id]);

	f8_fault(f, WEV_RESTART, id);
	return f8_boot(f, id, &d);
}

static void f8_free_mail(struct f8_mail *mail)
{
	free(mail->extra);
	mail->extra = NULL;
}

/* Delivers, oldest first, every message `pass` lets through to an up
 * node, and the messages those cause, until none is left; the rest are
 * lost. */
static void f8_deliver(struct f8 *f, f8_filter *pass)
{
	struct f8_mail mail;
	int to;

	while (f->outbox_len > 0) {
		mail = f->outbox[0];
		memmove(&f->outbox[0], &f->outbox[1],
			(size_t)(f->outbox_len - 1) * sizeof(f->outbox[0]));
		f->outbox_len--;
		to = mail.msg.to;
		if (to >= 0 && to < F8_NODES && f->up[to] &&
		    f->up[mail.msg.from] && pass(f, &mail.msg))
			raft_step(&f->node[to], &mail.msg);
		f8_free_mail(&mail);
	}
}

/* Ticks node id alone until it starts an election, and returns its term:
 * its timer runs out, as if it had heard from nobody. */
static uint64_t f8_time_out(struct f8 *f, int id)
{
	struct raft_state *s = &f->node[id];
	uint64_t started = s->stats.elections_started;

	while (s->stats.elections_started == started)
		raft_tick(s);
	return s->current_term;
}

static bool is_to(const struct raft_message *m, int a, int b)
{
	return m->from == a && m->to == b;
}

/* Whether m would make its receiver append an entry at `index` or later:
 * it carries one, and the receiver's log matches where it starts. */
static bool appends_from(const struct f8 *f, const struct raft_message *m,
			 uint64_t index)
{
	const struct append_entries_msg *ae = &m->u.ae;

	return m->type == RAFT_MSG_APPEND_ENTRIES && ae->entries_count > 0 &&
	       ae->prev_log_index + (uint64_t)ae->entries_count >= index &&
	       ae->prev_log_index <= f->node[m->to].last_log_index;
}

static bool pass_all(const struct f8 *f, const struct raft_message *m)
{
	(void)f;
	(void)m;
	return true;
}

/* (a): S1's entry 2 reaches S2 only. */
static bool pass_a(const struct f8 *f, const struct raft_message *m)
{
	(void)f;
	return is_to(m, 0, 1) || is_to(m, 1, 0);
}

/* (b): votes only; S5's AppendEntries are lost. */
static bool pass_votes(const struct f8 *f, const struct raft_message *m)
{
	(void)f;
	return m->type == RAFT_MSG_REQUEST_VOTE ||
	       m->type == RAFT_MSG_REQUEST_VOTE_REPLY;
}

/* (c): S1 talks with S3 and S4, which take entry 2 but nothing of S1's
 * own term (what would append entry 3 is lost); S2's link is down. */
static bool pass_c(const struct f8 *f, const struct raft_message *m)
{
	if (m->from == 1 || m->to == 1)
		return false;
	return !appends_from(f, m, 3);
}

/* Everything but S1 (crashed): S5 and the others. */
static bool pass_d(const struct f8 *f, const struct raft_message *m)
{
	(void)f;
	return m->from != 0 && m->to != 0;
}

static void f8_picture(struct f8 *f, FILE *out, const char *caption)
{
	struct raft_storage st;
	uint64_t i, last, longest = 0;
	int id;

	fprintf(out, "%s\n", caption);
	for (id = 0; id < F8_NODES; id++) {
		st = mem_storage_ops(f->store[id]);
		if (st.last_index(st.ctx) > longest)
			longest = st.last_index(st.ctx);
	}
	fprintf(out, "  %-11s", "index");
	for (i = 1; i <= longest; i++)
		fprintf(out, " %2" PRIu64 " ", i);
	fprintf(out, "\n");
	for (id = 0; id < F8_NODES; id++) {
		st = mem_storage_ops(f->store[id]);
		last = st.last_index(st.ctx);
		fprintf(out, "  S%d %-8s", id + 1,
			f->up[id] ? raft_role_name(f->node[id].role)
				  : "crashed");
		for (i = 1; i <= last; i++)
			fprintf(out, " %2" PRIu64 "%s", st.term_at(st.ctx, i),
				f->up[id] && i == f->node[id].commit_index
					? "|"
					: " ");
		fprintf(out, "\n");
	}
}

/* Campaigns until `id` leads, letting `pass` through (a refusal may
 * teach it a higher term first). Returns false if it cannot win. */
static bool f8_elect(struct f8 *f, int id, f8_filter *pass)
{
	int round;

	for (round = 0; round < 4; round++) {
		f8_time_out(f, id);
		f8_deliver(f, pass);
		if (f->node[id].role == RAFT_LEADER)
			return true;
	}
	return false;
}

/* One heartbeat round of leader id, and what it causes. */
static void f8_round(struct f8 *f, int id, f8_filter *pass)
{
	unsigned t;

	for (t = 0; t < f->node[id].heartbeat_interval; t++)
		raft_tick(&f->node[id]);
	f8_deliver(f, pass);
}

static int f8_setup(struct f8 *f, unsigned mistakes)
{
	struct wev start;
	int id;

	memset(f, 0, sizeof(*f));
	f->checker = checker_new();
	if (f->checker == NULL)
		return RAFT_ENOMEM;
	snprintf(f->info.mode, sizeof(f->info.mode), "sim");
	f->info.nodes = F8_NODES;
	f->info.tick_us = 10000;
	f->info.mistakes = mistakes;
	for (id = 0; id < F8_NODES; id++) {
		raft_config_default(&f->cfg[id], id, F8_NODES,
				    8 + (uint64_t)id);
		f->cfg[id].mistakes = mistakes;
		f->cfg[id].max_batch_bytes = 1; /* one entry a message */
		f->cfg[id].snapshot_entries = 0;
		f->store[id] = mem_storage_new();
		if (f->store[id] == NULL)
			return RAFT_ENOMEM;
	}
	f->info.heartbeat_ticks = f->cfg[0].heartbeat_interval;
	f->info.election_min = f->cfg[0].election_min;
	f->info.election_max = f->cfg[0].election_max;
	memset(&start, 0, sizeof(start));
	start.type = WEV_START;
	start.info = &f->info;
	checker_feed(f->checker, &start);
	for (id = 0; id < F8_NODES; id++)
		if (f8_boot(f, id, NULL) != RAFT_OK)
			return RAFT_ENOMEM;
	return RAFT_OK;
}

static void f8_close(struct f8 *f)
{
	int id;

	while (f->outbox_len > 0)
		f8_free_mail(&f->outbox[--f->outbox_len]);
	for (id = 0; id < F8_NODES; id++)
		mem_storage_free(f->store[id]);
	checker_free(f->checker);
}

/* The paper's steps (a) to (d). Returns false if a step did not go as
 * scripted (then nothing can be concluded). */
static bool f8_script(struct f8 *f, FILE *out)
{
	struct raft_entry x = {.type = RAFT_ENTRY_COMMAND};
	uint64_t index;

	if (!f8_elect(f, 0, pass_all))
		return false;
	f8_round(f, 0, pass_all);
	if (raft_propose(&f->node[0], &x, 1, &index) != RAFT_OK || index != 2)
		return false;
	f8_deliver(f, pass_a);
	f8_picture(f, out,
		   "(a) S1 leads and writes entry 2; only S2 takes it "
		   "(under each index, the entry's term; | marks the commit "
		   "index)");

	f8_crash(f, 0);
	if (!f8_elect(f, 4, pass_votes))
		return false;
	f8_picture(f, out,
		   "(b) S1 crashes; S5 wins with the votes of S3, S4 "
		   "and its own, and writes entry 2 of its term "
		   "(its no-op), which nobody else takes");

	f8_crash(f, 4);
	if (f8_restart(f, 0) != RAFT_OK || !f8_elect(f, 0, pass_c))
		return false;
	f8_picture(f, out,
		   "(c) S5 crashes; S1 restarts, wins with S3 and S4, "
		   "and copies its entry 2 to them, but no entry of its "
		   "own term: entry 2 is on a majority (S1 to S4)");
	if (f->node[0].commit_index >= 2)
		fprintf(out,
			"    S1 counted the copies of entry 2, of an older "
			"term, and committed it: the mistake\n");
	else
		fprintf(out,
			"    S1 does not commit entry 2 by counting: it is "
			"of an older term (§5.4.2)\n");

	f8_crash(f, 0);
	if (f8_restart(f, 4) != RAFT_OK || !f8_elect(f, 4, pass_d))
		return false;
	f8_round(f, 4, pass_d);
	f8_picture(f, out,
		   "(d) S1 crashes; S5 restarts, wins with S2, S3 and "
		   "S4 (its last term is newer), and replaces entry 2 "
		   "everywhere");
	return f->overflow == false;
}

int figure8_main(unsigned mistakes, FILE *out, FILE *err)
{
	struct f8 *f = malloc(sizeof(*f));
	uint64_t violations;
	int code;

	if (f == NULL || f8_setup(f, mistakes) != RAFT_OK) {
		fprintf(err, "raftsim: figure8: out of memory\n");
		if (f != NULL)
			f8_close(f);
		free(f);
		return EXIT_RUN_FAILED;
	}
	fprintf(out, "The Raft paper's Figure 8: five servers S1 to S5, one "
		     "step at a time\n");
	if (!f8_script(f, out)) {
		fprintf(err,
			"raftsim: figure8: a step did not go as scripted\n");
		code = EXIT_RUN_FAILED;
	} else {
		checker_finish(f->checker, f->us + F8_EVENT_US);
		violations = checker_violation_count(f->checker);
		fprintf(out, "figure8: %s (%" PRIu64 " violation%s)\n",
			violations ? "FAIL" : "PASS", violations,
			violations == 1 ? "" : "s");
		checker_print(f->checker, out);
		code = violations ? EXIT_VIOLATION : EXIT_PASS;
	}
	f8_close(f);
	free(f);
	return code;
}
