/* test_wal_ops.c - the WAL's struct raft_storage behaves as the in-memory
 * one does (include/raft_log.h's contract, which tests/unit/test_storage*.c
 * check on mem_storage), and survives a reopen; its recovery fails
 * cleanly without memory. */
#include <stdlib.h>
#include <string.h>

#include "failpoint.h"
#include "raft_rng.h"
#include "raft_state.h"
#include "storage/disk.h"
#include "storage/mem_storage.h"
#include "storage/wal.h"
#include "testhelp.h"
#include "waltest.h"

/* Every read of a and b agrees. */
static bool same_storage(struct raft_storage *a, struct raft_storage *b,
			 bool pending)
{
	uint64_t ai, at, bi, bt, i;
	const uint8_t *ad, *bd;
	size_t al, bl;

	if (a->first_index(a->ctx) != b->first_index(b->ctx) ||
	    a->last_index(a->ctx) != b->last_index(b->ctx))
		return false;
	for (i = a->first_index(a->ctx) - 1; i <= a->last_index(a->ctx) + 1;
	     i++) {
		const struct raft_entry *ea, *eb;
		unsigned na = a->entries_from(a->ctx, i, 7, 200, &ea);
		unsigned nb = b->entries_from(b->ctx, i, 7, 200, &eb);

		if (a->term_at(a->ctx, i) != b->term_at(b->ctx, i) ||
		    na != nb ||
		    a->bytes_between(a->ctx, i, i + 5) !=
			    b->bytes_between(b->ctx, i, i + 5))
			return false;
		for (unsigned k = 0; k < na; k++)
			if (ea[k].index != eb[k].index ||
			    ea[k].term != eb[k].term ||
			    ea[k].type != eb[k].type ||
			    ea[k].len != eb[k].len ||
			    (ea[k].len > 0 &&
			     memcmp(ea[k].data, eb[k].data, ea[k].len) != 0))
				return false;
	}
	a->snapshot_get(a->ctx, &ai, &at, &ad, &al);
	b->snapshot_get(b->ctx, &bi, &bt, &bd, &bl);
	if (ai != bi || at != bt || al != bl ||
	    (al > 0 && memcmp(ad, bd, al) != 0))
		return false;
	if (!pending)
		return true;
	a->snapshot_pending(a->ctx, &ad, &al);
	b->snapshot_pending(b->ctx, &bd, &bl);
	return al == bl && (al == 0 || memcmp(ad, bd, al) == 0);
}

static uint8_t blob[300];

/* One random change, done to both. */
static void random_op(struct raft_rng *rng, struct raft_storage *s, int nst)
{
	struct raft_storage *m = &s[0];
	uint64_t first = m->first_index(m->ctx), last = m->last_index(m->ctx);
	uint64_t r = raft_rng_range(rng, 0, 9), i, term;
	int k;

	term = m->term_at(m->ctx, last) + raft_rng_range(rng, 0, 1);
	for (k = 0; k < nst; k++) {
		struct raft_storage *x = &s[k];
		struct raft_entry e[5];

		if (r <= 4) {
			for (i = 0; i < 5; i++)
				e[i] = (struct raft_entry){
					.term = term,
					.index = last + 1 + i,
					.type = (uint32_t)(i & 1),
					.len = (uint32_t)((last + i) % 40),
					.data = blob + (last + i) % 200};
			CHECK_EQ(x->append(x->ctx, e, 5), 0);
		} else if (r == 5 && last >= first) {
			x->truncate_suffix(x->ctx, first + (last - first) / 2);
		} else if (r == 6 && last >= first) {
			i = first + (last - first) / 3;
			CHECK_EQ(x->snapshot_put(x->ctx, i,
						 x->term_at(x->ctx, i), blob,
						 i % 100),
				 0);
			x->compact_prefix(x->ctx, i, x->term_at(x->ctx, i));
		} else if (r == 7) {
			/* InstallSnapshot past the log, in two chunks */
			i = last + 3;
			CHECK_EQ(x->snapshot_receive(x->ctx, i, term + 1, 50, 0,
						     blob, 20),
				 20);
			CHECK_EQ(x->snapshot_receive(x->ctx, i, term + 1, 50,
						     20, blob + 20, 30),
				 50);
			x->snapshot_accept(x->ctx);
			x->compact_prefix(x->ctx, i, term + 1);
		} else if (r == 8) {
			CHECK(x->snapshot_receive(x->ctx, last + 9, term, 90, 0,
						  blob, 10) == 10);
		}
	}
}

static void wal_storage_behaves_as_mem_storage(void)
{
	struct disk *d = disk_sim_new("sim:node-1", 1, NULL, 4, NULL);
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage s[2];
	struct wal_recovery rec;
	struct raft_rng rng;
	struct wal *w;
	int i;

	REQUIRE(d != NULL && ms != NULL);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	for (i = 0; i < (int)sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 11);
	s[0] = mem_storage_ops(ms);
	s[1] = wal_storage_ops(w);
	raft_rng_seed(&rng, 77);
	for (i = 0; i < 400 && test_failures == 0; i++) {
		random_op(&rng, s, 2);
		CHECK(same_storage(&s[0], &s[1], true));
		if (i % 50 == 49) {
			/* what was synced comes back (pending chunks do
			 * not: memory only) */
			CHECK_EQ(wal_sync(w), WAL_OK);
			wal_close(w);
			disk_sim_crash(d);
			REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
			s[1] = wal_storage_ops(w);
			CHECK(same_storage(&s[0], &s[1], false));
			mem_storage_free(ms);
			ms = mem_storage_new();
			REQUIRE(ms != NULL);
			s[0] = mem_storage_ops(ms);
			/* start the memory copy over from the WAL's */
			wal_close(w);
			REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
			s[1] = wal_storage_ops(w);
			{
				uint64_t si, st2;
				const uint8_t *sd;
				size_t sl;
				const struct raft_entry *e;
				uint64_t j;

				s[1].snapshot_get(s[1].ctx, &si, &st2, &sd,
						  &sl);
				if (si > 0) {
					s[0].snapshot_put(s[0].ctx, si, st2, sd,
							  sl);
				}
				s[0].compact_prefix(
					s[0].ctx, rec.first_index - 1,
					s[1].term_at(s[1].ctx,
						     rec.first_index - 1));
				for (j = rec.first_index; j <= rec.last_index;
				     j++) {
					REQUIRE(s[1].entries_from(s[1].ctx, j,
								  1, SIZE_MAX,
								  &e) == 1);
					REQUIRE(s[0].append(s[0].ctx, e, 1) ==
						0);
				}
			}
			CHECK(same_storage(&s[0], &s[1], true));
		}
	}
	wal_close(w);
	mem_storage_free(ms);
	disk_sim_free(d);
}

/* A WAL on d holding a log, a snapshot and meta. */
static struct disk *some_wal(void)
{
	struct disk *d = disk_sim_new("sim:node-1", 1, NULL, 4, NULL);
	struct wt_model m;
	struct wal_recovery rec;
	struct wal *w;

	if (d == NULL || wt_open(d, 4096, false, &w, &rec) != WAL_OK)
		return d;
	wt_model_init(&m);
	wt_append(w, &m, 1, 300, 1);
	wt_snapshot(w, &m, 100);
	wt_append(w, &m, 301, 400, 2);
	wal_save_meta(w, 2, 1);
	(void)wal_sync(w);
	wal_close(w);
	return d;
}

static void recovery_without_memory_fails_cleanly(void)
{
	struct disk *d = some_wal();
	long k;
	int failed = 0;

	REQUIRE(d != NULL);
	for (k = 1; k < 200; k++) {
		struct wal_recovery rec;
		struct wal *w = NULL;
		int rv;

		failpoint_arm(k);
		rv = wt_open(d, 4096, false, &w, &rec);
		if (rv == WAL_OK)
			wal_close(w);
		failpoint_disarm();
		CHECK_EQ(failpoint_live(), 0);
		if (rv == WAL_OK)
			break;
		failed++;
		CHECK(rv == WAL_ENOMEM || rv == WAL_EIO);
		CHECK(w == NULL);
	}
	CHECK(failed > 5);
	CHECK(k < 200);
	/* and nothing was lost on the way */
	{
		struct wal_recovery rec;
		struct wal *w;

		REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
		CHECK_EQ(rec.last_index, 400);
		CHECK_EQ(rec.snapshot_index, 100);
		CHECK_EQ(rec.term, 2);
		wal_close(w);
	}
	disk_sim_free(d);
}

const struct test_case wal_ops_tests[] = {
	{"wal: its raft_storage answers as the in-memory one's, and the same "
	 "after a crash and reopen",
	 wal_storage_behaves_as_mem_storage},
	{"wal: recovery without memory returns WAL_ENOMEM, frees all and "
	 "loses nothing",
	 recovery_without_memory_fails_cleanly},
	{NULL, NULL},
};
