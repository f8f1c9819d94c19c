/* test_storage.c - the in-memory log (src/storage/mem_storage.c) against
 * the contract of struct raft_storage (include/raft_log.h). */
#include <stdint.h>
#include <string.h>

#include "failpoint.h"
#include "raft_state.h"
#include "storage/mem_storage.h"
#include "testhelp.h"

#define BIG 100000 /* bytes: larger than a payload slab */

static uint8_t payload_buf[BIG];

/* The payload of entry `index`: len bytes that depend on index and term,
 * so that a copy of the wrong entry shows. */
static const uint8_t *payload_of(uint64_t index, uint64_t term, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		payload_buf[i] = (uint8_t)(index * 31 + term * 7 + i);
	return payload_buf;
}

static int payload_ok(const struct raft_entry *e)
{
	uint32_t i;

	if (e->len == 0)
		return 1;
	for (i = 0; i < e->len; i++)
		if (e->data[i] != (uint8_t)(e->index * 31 + e->term * 7 + i))
			return 0;
	return 1;
}

/* Appends first .. last of `term`, len payload bytes each, one by one. */
static int append_range(struct raft_storage *st, uint64_t first, uint64_t last,
			uint64_t term, uint32_t len)
{
	uint64_t i;

	for (i = first; i <= last; i++) {
		struct raft_entry e = {.term = term,
				       .index = i,
				       .type = RAFT_ENTRY_COMMAND,
				       .len = len};

		e.data = len > 0 ? payload_of(i, term, len) : NULL;
		if (st->append(st->ctx, &e, 1) != 0)
			return -1;
	}
	return 0;
}

/* Every entry first .. last is there, with its term and its payload. */
static int log_holds(struct raft_storage *st, uint64_t first, uint64_t last,
		     uint64_t term)
{
	uint64_t i;

	for (i = first; i <= last; i++) {
		const struct raft_entry *e;

		if (st->entries_from(st->ctx, i, 1, SIZE_MAX, &e) != 1)
			return 0;
		if (e->index != i || e->term != term || !payload_ok(e) ||
		    st->term_at(st->ctx, i) != term)
			return 0;
	}
	return 1;
}

static void empty_log_starts_at_index_1(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	const struct raft_entry *e;
	const uint8_t *data;
	uint64_t index = 9, term = 9;
	size_t len = 9;

	REQUIRE(ms != NULL);
	CHECK_EQ(st.first_index(ms), 1);
	CHECK_EQ(st.last_index(ms), 0);
	CHECK_EQ(st.term_at(ms, 0), 0);
	CHECK_EQ(st.term_at(ms, 1), 0);
	CHECK_EQ(st.entries_from(ms, 1, 10, SIZE_MAX, &e), 0);
	CHECK_EQ(st.bytes_between(ms, 0, 100), 0);
	st.snapshot_get(ms, &index, &term, &data, &len);
	CHECK_EQ(index, 0);
	CHECK_EQ(term, 0);
	CHECK_EQ(len, 0);
	mem_storage_free(ms);
}

static void append_copies_payloads(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	uint8_t mine[4] = {1, 2, 3, 4};
	struct raft_entry batch[3] = {
		{.term = 1, .index = 1, .type = RAFT_ENTRY_NOOP},
		{.term = 1, .index = 2, .len = 4, .data = mine},
		{.term = 2, .index = 3, .len = 4, .data = mine},
	};
	const struct raft_entry *e;

	REQUIRE(ms != NULL);
	REQUIRE(st.append(ms, batch, 3) == 0);
	memset(mine, 0xee, sizeof(mine));
	CHECK_EQ(st.last_index(ms), 3);
	CHECK_EQ(st.term_at(ms, 2), 1);
	CHECK_EQ(st.term_at(ms, 3), 2);
	REQUIRE(st.entries_from(ms, 1, 10, SIZE_MAX, &e) == 3);
	CHECK_EQ(e[0].type, RAFT_ENTRY_NOOP);
	CHECK_EQ(e[0].len, 0);
	CHECK(e[1].data != mine);
	CHECK(e[1].len == 4 && memcmp(e[1].data, "\1\2\3\4", 4) == 0);
	CHECK(e[2].len == 4 && memcmp(e[2].data, "\1\2\3\4", 4) == 0);
	mem_storage_free(ms);
}

static void term_at_outside_the_log_is_0(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);

	REQUIRE(ms != NULL);
	REQUIRE(append_range(&st, 1, 10, 3, 8) == 0);
	st.compact_prefix(ms, 4, 3);
	CHECK_EQ(st.term_at(ms, 3), 0); /* compacted */
	CHECK_EQ(st.term_at(ms, 4), 3); /* the snapshot's end */
	CHECK_EQ(st.term_at(ms, 5), 3);
	CHECK_EQ(st.term_at(ms, 10), 3);
	CHECK_EQ(st.term_at(ms, 11), 0); /* after the end */
	CHECK_EQ(st.term_at(ms, 0), 0);
	mem_storage_free(ms);
}

/* The live entries move forward as the prefix goes; when they reach the
 * array's end they slide back (the storage's "wrap"). Every run stays
 * whole and contiguous across that. */
static void entries_stay_contiguous_across_the_slide(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	uint64_t last = 0;
	size_t bytes = 0;
	int round;

	REQUIRE(ms != NULL);
	for (round = 0; round < 50; round++) {
		const struct raft_entry *e;
		uint64_t first;
		unsigned n;

		REQUIRE(append_range(&st, last + 1, last + 23, 5, 16) == 0);
		last += 23;
		/* Once the array is big enough for 43 entries (round 2), it
		 * slides back instead of growing: the memory stays the same. */
		if (round == 2)
			bytes = mem_storage_bytes(ms);
		CHECK(round <= 2 || mem_storage_bytes(ms) == bytes);
		st.compact_prefix(ms, last - 20, 5); /* keep 20 */
		first = st.first_index(ms);
		CHECK_EQ(first, last - 19);
		n = st.entries_from(ms, first, 100, SIZE_MAX, &e);
		CHECK_EQ(n, 20);
		CHECK(n == 20 && e[0].index == first && e[19].index == last);
		CHECK(log_holds(&st, first, last, 5));
	}
	mem_storage_free(ms);
}

static void compaction_keeps_the_suffix_it_matches(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);

	REQUIRE(ms != NULL);
	REQUIRE(append_range(&st, 1, 10, 2, 16) == 0);
	st.compact_prefix(ms, 6, 2);
	CHECK_EQ(st.first_index(ms), 7);
	CHECK_EQ(st.last_index(ms), 10);
	CHECK(log_holds(&st, 7, 10, 2));
	CHECK_EQ(st.bytes_between(ms, 0, 10), 4 * (16 + RAFT_ENTRY_OVERHEAD));
	st.compact_prefix(ms, 3, 2); /* an older snapshot: nothing to do */
	CHECK_EQ(st.first_index(ms), 7);
	CHECK_EQ(st.term_at(ms, 6), 2);
	mem_storage_free(ms);
}

/* §7: a snapshot past the log's end, or of another term at its index,
 * supersedes the whole log. */
static void compaction_past_the_end_or_of_another_term_empties_the_log(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);

	size_t full;

	REQUIRE(ms != NULL);
	REQUIRE(append_range(&st, 1, 5, 1, BIG) == 0);
	full = mem_storage_bytes(ms);
	st.compact_prefix(ms, 20, 4);
	CHECK(mem_storage_bytes(ms) + 5 * BIG <= full); /* payloads freed */
	CHECK_EQ(st.first_index(ms), 21);
	CHECK_EQ(st.last_index(ms), 20);
	CHECK_EQ(st.term_at(ms, 20), 4);
	CHECK_EQ(st.term_at(ms, 5), 0);
	CHECK_EQ(st.bytes_between(ms, 0, 20), 0);
	REQUIRE(append_range(&st, 21, 30, 4, 16) == 0);
	CHECK(log_holds(&st, 21, 30, 4));

	st.compact_prefix(ms, 25, 3); /* holds 25 of term 4 */
	CHECK_EQ(st.first_index(ms), 26);
	CHECK_EQ(st.last_index(ms), 25);
	CHECK_EQ(st.term_at(ms, 25), 3);
	CHECK_EQ(st.term_at(ms, 26), 0);
	mem_storage_free(ms);
}

/* §5.3: a conflicting suffix goes and new entries take its place. */
static void truncate_then_append_replaces_the_suffix(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	size_t bytes;
	int round;

	REQUIRE(ms != NULL);
	REQUIRE(append_range(&st, 1, 10, 1, 100) == 0);
	st.truncate_suffix(ms, 6);
	CHECK_EQ(st.last_index(ms), 5);
	CHECK_EQ(st.term_at(ms, 6), 0);
	CHECK_EQ(st.bytes_between(ms, 0, 10), 5 * (100 + RAFT_ENTRY_OVERHEAD));
	REQUIRE(append_range(&st, 6, 8, 2, 100) == 0);
	CHECK(log_holds(&st, 1, 5, 1));
	CHECK(log_holds(&st, 6, 8, 2));
	CHECK_EQ(st.bytes_between(ms, 5, 8), 3 * (100 + RAFT_ENTRY_OVERHEAD));

	/* The truncated payload space is used again, not leaked. */
	bytes = mem_storage_bytes(ms);
	for (round = 0; round < 1000; round++) {
		st.truncate_suffix(ms, 6);
		REQUIRE(append_range(&st, 6, 8, 3, 100) == 0);
	}
	CHECK_EQ(mem_storage_bytes(ms), bytes);
	CHECK(log_holds(&st, 6, 8, 3));

	st.truncate_suffix(ms, 1); /* everything */
	CHECK_EQ(st.last_index(ms), 0);
	REQUIRE(append_range(&st, 1, 2, 4, 100) == 0);
	CHECK(log_holds(&st, 1, 2, 4));
	mem_storage_free(ms);
}

static void entries_from_stops_at_count_and_bytes(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	const size_t one = 100 + RAFT_ENTRY_OVERHEAD;
	const struct raft_entry *e;

	REQUIRE(ms != NULL);
	REQUIRE(append_range(&st, 1, 10, 1, 100) == 0);
	CHECK_EQ(st.entries_from(ms, 1, 3, SIZE_MAX, &e), 3);
	CHECK_EQ(st.entries_from(ms, 1, 100, SIZE_MAX, &e), 10);
	CHECK_EQ(st.entries_from(ms, 4, 100, SIZE_MAX, &e), 7);
	CHECK_EQ(e[0].index, 4);
	CHECK_EQ(st.entries_from(ms, 2, 100, 2 * one, &e), 2);
	CHECK_EQ(st.entries_from(ms, 2, 100, 3 * one - 1, &e), 2);
	CHECK_EQ(st.entries_from(ms, 2, 100, 3 * one, &e), 3);
	CHECK_EQ(st.entries_from(ms, 10, 100, 3 * one, &e), 1);
	CHECK_EQ(st.entries_from(ms, 11, 100, SIZE_MAX, &e), 0);
	CHECK_EQ(st.entries_from(ms, 0, 100, SIZE_MAX, &e), 0);
	mem_storage_free(ms);
}

/* An entry larger than the byte limit still goes, alone: otherwise it
 * could never be sent. */
static void entries_from_returns_one_oversize_entry(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	const struct raft_entry *e;

	REQUIRE(ms != NULL);
	REQUIRE(append_range(&st, 1, 1, 1, 10) == 0);
	REQUIRE(append_range(&st, 2, 2, 1, BIG) == 0); /* its own slab */
	REQUIRE(append_range(&st, 3, 4, 1, 10) == 0);
	CHECK_EQ(st.entries_from(ms, 2, 100, 1000, &e), 1);
	CHECK(e[0].index == 2 && e[0].len == BIG && payload_ok(&e[0]));
	CHECK_EQ(st.entries_from(ms, 1, 100, 1000, &e), 1);
	CHECK_EQ(st.entries_from(ms, 3, 100, 1000, &e), 2);
	CHECK_EQ(st.entries_from(ms, 1, 100, 0, &e), 1);
	mem_storage_free(ms);
}

static void bytes_between_counts_only_what_the_log_holds(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	const uint64_t one = 16 + RAFT_ENTRY_OVERHEAD;

	REQUIRE(ms != NULL);
	REQUIRE(append_range(&st, 1, 10, 1, 16) == 0);
	REQUIRE(append_range(&st, 11, 11, 1, 0) == 0);
	CHECK_EQ(st.bytes_between(ms, 0, 10), 10 * one);
	CHECK_EQ(st.bytes_between(ms, 3, 5), 2 * one);
	CHECK_EQ(st.bytes_between(ms, 5, 5), 0);
	CHECK_EQ(st.bytes_between(ms, 7, 3), 0);
	CHECK_EQ(st.bytes_between(ms, 10, 11), RAFT_ENTRY_OVERHEAD);
	CHECK_EQ(st.bytes_between(ms, 9, 1000), one + RAFT_ENTRY_OVERHEAD);
	st.compact_prefix(ms, 4, 1);
	CHECK_EQ(st.bytes_between(ms, 0, 6), 2 * one);
	CHECK_EQ(st.bytes_between(ms, 4, 6), 2 * one);
	mem_storage_free(ms);
}

/* Issue 10, memory: compaction gives back the payloads' slabs at once,
 * and the entry array after a compaction interval in which it stayed
 * mostly empty; a long run of snapshots holds what one interval needs. */
static void compaction_releases_memory(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	size_t empty, full, steady = 0;
	uint64_t last;

	REQUIRE(ms != NULL);
	empty = mem_storage_bytes(ms);
	REQUIRE(append_range(&st, 1, 100000, 1, 16) == 0);
	full = mem_storage_bytes(ms);
	CHECK(full > empty + 100000 * (16 + sizeof(struct raft_entry)));
	st.compact_prefix(ms, 99990, 1);
	/* The payloads went at once, but for the slab of the last ones and
	 * one kept for reuse. */
	CHECK(mem_storage_bytes(ms) + 100000 * 16 - 3 * 65536 <= full);
	REQUIRE(append_range(&st, 100001, 100010, 1, 16) == 0);
	st.compact_prefix(ms, 100000, 1);
	CHECK(mem_storage_bytes(ms) < empty + 200 * 1024); /* and the array */
	CHECK(log_holds(&st, 100001, 100010, 1));

	for (last = 100010; last < 1100010; last += 10000) {
		REQUIRE(append_range(&st, last + 1, last + 10000, 1, 16) == 0);
		st.compact_prefix(ms, last + 10000, 1);
		if (steady == 0 && last > 200010)
			steady = mem_storage_bytes(ms);
	}
	CHECK(steady > 0 && mem_storage_bytes(ms) <= steady);
	mem_storage_free(ms);
}

/* Out of memory, an append keeps none of its entries; the log is as it
 * was, and the same append works once memory is back. */
static void append_without_memory_leaves_the_log_unchanged(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	struct raft_entry batch[100];
	long k;
	int failed = 0;
	unsigned i;

	REQUIRE(ms != NULL);
	REQUIRE(append_range(&st, 1, 60, 1, 16) == 0);
	for (i = 0; i < 100; i++)
		batch[i] = (struct raft_entry){.term = 2,
					       .index = 61 + i,
					       .len = 1000,
					       .data = payload_buf};
	for (k = 1; k < 20; k++) {
		int rv;

		failpoint_arm(k);
		rv = st.append(ms, batch, 100);
		failpoint_disarm();
		if (rv == 0)
			break;
		failed++;
		CHECK_EQ(rv, -1);
		CHECK_EQ(st.last_index(ms), 60);
		CHECK(log_holds(&st, 1, 60, 1));
		CHECK_EQ(st.bytes_between(ms, 0, 1000),
			 60 * (16 + RAFT_ENTRY_OVERHEAD));
	}
	CHECK(failed >= 2); /* the array grows and a slab is taken */
	CHECK_EQ(st.last_index(ms), 160);
	CHECK_EQ(st.term_at(ms, 160), 2);
	mem_storage_free(ms);
}

const struct test_case storage_tests[] = {
	{"storage: an empty log starts at index 1, term_at(0) is 0, no "
	 "snapshot",
	 empty_log_starts_at_index_1},
	{"storage: append copies the payloads; the caller's buffers may change",
	 append_copies_payloads},
	{"storage: term_at answers for the snapshot's end and the log, 0 "
	 "elsewhere",
	 term_at_outside_the_log_is_0},
	{"storage: runs of entries stay whole and contiguous as the log moves "
	 "through its array",
	 entries_stay_contiguous_across_the_slide},
	{"storage: compaction up to an entry of the log keeps the entries after "
	 "it",
	 compaction_keeps_the_suffix_it_matches},
	{"§7: a snapshot past the log's end or of another term empties the log, "
	 "which starts after it",
	 compaction_past_the_end_or_of_another_term_empties_the_log},
	{"§5.3: truncating a suffix then appending replaces it, reusing its "
	 "payload space",
	 truncate_then_append_replaces_the_suffix},
	{"storage: entries_from stops at max_count and at max_bytes",
	 entries_from_stops_at_count_and_bytes},
	{"storage: entries_from returns one entry larger than max_bytes alone",
	 entries_from_returns_one_oversize_entry},
	{"storage: bytes_between counts payload + overhead of the entries the "
	 "log holds",
	 bytes_between_counts_only_what_the_log_holds},
	{"storage: compaction releases payloads and a mostly empty array; "
	 "memory stays flat over 100 snapshots",
	 compaction_releases_memory},
	{"storage: an append without memory returns -1 and leaves the log "
	 "unchanged",
	 append_without_memory_leaves_the_log_unchanged},
	{NULL, NULL},
};
