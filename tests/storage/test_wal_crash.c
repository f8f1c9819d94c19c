/* test_wal_crash.c - the WAL on a simulated disk that loses, tears,
 * reorders and fails: a crash after any prefix of a random sequence of
 * operations never loses what a wal_sync (or a snapshot) made durable,
 * and never recovers a state the log was not in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raft_rng.h"
#include "raft_state.h"
#include "storage/disk.h"
#include "storage/wal.h"
#include "testhelp.h"
#include "waltest.h"

#define MAX_STATES 40
#define LOG_CAP 3000

/* A state the log may be found in after a crash: a model, plus (when an
 * append followed it) any prefix of that append. */
struct state {
	struct wt_model m;
	uint64_t append_last, append_term; /* 0: no append followed */
};

static struct state states[MAX_STATES];
static int nstates;
static struct wt_model model;
static struct wt_model cand;

static void durable_point(void)
{
	states[0].m = model;
	states[0].append_last = 0;
	nstates = 1;
}

static void push_state(void)
{
	if (nstates < MAX_STATES) {
		states[nstates].m = model;
		states[nstates].append_last = 0;
		nstates++;
	}
}

/* The mem_storage's compaction (include/raft_log.h), on a model. */
static void compact(struct wt_model *m, uint64_t index, uint64_t term)
{
	if (index <= m->first - 1)
		return;
	if (!(index <= m->last && m->terms[index] == term))
		m->last = index;
	m->first = index + 1;
	m->base_term = term;
	m->snap_index = index;
	m->snap_term = term;
}

/* Whether w holds one of the states; model becomes that one. */
static bool recovered_a_state(struct wal *w, const struct wal_recovery *rec)
{
	int i;

	wt_quiet = true;
	for (i = 0; i < nstates; i++) {
		const struct state *s = &states[i];
		uint64_t k, last = s->append_last ? s->append_last : s->m.last;

		for (k = s->m.last; k <= last; k++) {
			cand = s->m;
			cand.last = k;
			for (uint64_t j = s->m.last + 1; j <= k; j++)
				cand.terms[j] = s->append_term;
			if (rec->snapshot_index != cand.snap_index)
				compact(&cand, rec->snapshot_index,
					rec->snapshot_term);
			if (wt_matches(w, &cand)) {
				wt_quiet = false;
				model = cand;
				return true;
			}
		}
	}
	wt_quiet = false;
	return false;
}

static uint64_t last_term(void)
{
	return model.last >= model.first ? model.terms[model.last]
					 : model.base_term;
}

struct run {
	struct raft_rng rng;
	struct disk *d;
	struct wal *w;
	uint64_t meta_term, synced_term, tried_term;
	int meta_vote, synced_vote, tried_vote;
	int crashes, torn, failures;
};

/* The crash: memory gone, unsynced data to the faults. Then recovery
 * must find a state the log was in, and the synced meta (or the one a
 * failed sync was writing). */
static bool crash_and_recover(struct run *r)
{
	struct wal_recovery rec;
	bool meta_ok;
	int rv, tries;

	wal_close(r->w);
	r->w = NULL;
	disk_sim_crash(r->d);
	r->crashes++;
	rv = wt_open(r->d, 4096, false, &r->w, &rec);
	for (tries = 0; rv == WAL_EIO && tries < 20; tries++) {
		/* an fsync of recovery itself failed: the node crashes
		 * again and restarts */
		r->failures++;
		disk_sim_crash(r->d);
		rv = wt_open(r->d, 4096, false, &r->w, &rec);
	}
	if (rv != WAL_OK) {
		fprintf(stderr, "    recovery failed (%d): %s\n", rv, wt_msg);
		return false;
	}
	r->torn += rec.torn;
	if (!recovered_a_state(r->w, &rec)) {
		fprintf(stderr,
			"    recovered log %llu..%llu is no state it "
			"was in\n",
			(unsigned long long)rec.first_index,
			(unsigned long long)rec.last_index);
		return false;
	}
	meta_ok = (rec.term == r->synced_term &&
		   rec.voted_for == r->synced_vote) ||
		  (rec.term == r->tried_term && rec.voted_for == r->tried_vote);
	if (!meta_ok) {
		fprintf(stderr, "    recovered term %llu vote %d\n",
			(unsigned long long)rec.term, rec.voted_for);
		return false;
	}
	r->meta_term = r->synced_term = r->tried_term = rec.term;
	r->meta_vote = r->synced_vote = r->tried_vote = rec.voted_for;
	model.term = rec.term;
	model.vote = rec.voted_for;
	durable_point();
	return true;
}

static bool do_sync(struct run *r)
{
	r->tried_term = r->meta_term;
	r->tried_vote = r->meta_vote;
	if (wal_sync(r->w) != WAL_OK) {
		r->failures++;
		push_state(); /* all of it may have reached the disk */
		return crash_and_recover(r);
	}
	r->synced_term = r->meta_term;
	r->synced_vote = r->meta_vote;
	durable_point();
	return true;
}

static bool do_snapshot(struct run *r)
{
	uint64_t index = raft_rng_range(&r->rng, model.first, model.last);
	struct wt_model before = model;

	push_state();
	if (wt_snapshot(r->w, &model, index) != 0 || wal_failed(r->w)) {
		r->failures++;
		model = before;
		return crash_and_recover(r);
	}
	durable_point(); /* the snapshot and its base segment are synced */
	return true;
}

static bool step(struct run *r)
{
	unsigned op = (unsigned)raft_rng_range(&r->rng, 0, 9);

	if (getenv("WT_TRACE"))
		fprintf(stderr, "op %u log %llu..%llu snap %llu states %d\n",
			op, (unsigned long long)model.first,
			(unsigned long long)model.last,
			(unsigned long long)model.snap_index, nstates);

	if (op <= 3 && model.last < LOG_CAP) {
		uint64_t n = raft_rng_range(&r->rng, 1, 30);
		uint64_t t = last_term() + raft_rng_range(&r->rng, 0, 1);

		push_state();
		states[nstates - 1].append_last = model.last + n;
		states[nstates - 1].append_term = t;
		return wt_append(r->w, &model, model.last + 1, model.last + n,
				 t) == 0;
	}
	if (op == 4 && model.last >= model.first) {
		push_state();
		wt_truncate(r->w, &model,
			    raft_rng_range(&r->rng, model.first, model.last));
		return true;
	}
	if (op == 5) {
		r->meta_term += raft_rng_range(&r->rng, 0, 1);
		r->meta_vote = (int)raft_rng_range(&r->rng, 0, 3) - 1;
		wal_save_meta(r->w, r->meta_term, r->meta_vote);
		return true;
	}
	if (op == 6 && model.last >= model.first && model.last > 0)
		return do_snapshot(r);
	if (op == 7)
		return crash_and_recover(r);
	return do_sync(r);
}

static void run_seed(uint64_t seed, const struct disk_sim_faults *f,
		     struct run *r)
{
	struct wal_recovery rec;
	int i;

	memset(r, 0, sizeof(*r));
	r->meta_vote = r->synced_vote = r->tried_vote = RAFT_NONE;
	raft_rng_seed(&r->rng, seed);
	r->d = disk_sim_new("sim:node-1", 1, f, seed, NULL);
	if (r->d == NULL)
		return;
	wt_model_init(&model);
	durable_point();
	for (i = 0; i < 20 && r->w == NULL; i++)
		if (wt_open(r->d, 4096, false, &r->w, &rec) != WAL_OK)
			disk_sim_crash(r->d); /* its first syncs failed */
	for (i = 0; r->w != NULL && i < 300; i++)
		if (!step(r)) {
			TEST_FAIL_AT("seed %llu step %d",
				     (unsigned long long)seed, i);
			break;
		}
	wal_close(r->w);
	disk_sim_free(r->d);
}

static void crash_anywhere(const struct disk_sim_faults *f, int seeds,
			   int *torn, int *failures)
{
	struct run r;
	int seed;

	*torn = *failures = 0;
	for (seed = 0; seed < seeds && test_failures == 0; seed++) {
		run_seed((uint64_t)seed, f, &r);
		*torn += r.torn;
		*failures += r.failures;
	}
}

static void crash_loses_only_unsynced(void)
{
	struct disk_sim_faults f = {0};
	int torn, failures;

	crash_anywhere(&f, 40, &torn, &failures);
	CHECK_EQ(failures, 0);
}

static void torn_fsync_failures_recover_a_state(void)
{
	struct disk_sim_faults f = {.torn = 0.7, .fsync_fail = 0.05};
	int torn, failures;

	crash_anywhere(&f, 60, &torn, &failures);
	CHECK(failures > 20);
	CHECK(torn > 5); /* the faults did tear tails */
}

static void reordered_fsync_failures_recover_a_state(void)
{
	struct disk_sim_faults f = {.reorder = true, .fsync_fail = 0.05};
	int torn, failures;

	crash_anywhere(&f, 60, &torn, &failures);
	CHECK(failures > 20);
	CHECK(torn > 5);
}

const struct test_case wal_crash_tests[] = {
	{"wal: a crash after any operation loses nothing synced and recovers "
	 "a state the log was in",
	 crash_loses_only_unsynced},
	{"wal: with torn writes and failing fsyncs, recovery finds a state "
	 "the log was in, synced meta",
	 torn_fsync_failures_recover_a_state},
	{"wal: with reordered sectors and failing fsyncs, recovery finds a "
	 "state the log was in",
	 reordered_fsync_failures_recover_a_state},
	{NULL, NULL},
};
