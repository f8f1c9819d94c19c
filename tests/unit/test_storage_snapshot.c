/* test_storage_snapshot.c - the in-memory storage's snapshots
 * (src/storage/mem_snapshot.c): snapshot_put/get and snapshot_receive in
 * chunks (§7, InstallSnapshot). */
#include <stdint.h>
#include <string.h>

#include "failpoint.h"
#include "storage/mem_storage.h"
#include "testhelp.h"

static const uint8_t image[] = "0123456789abcdefghijklmnopqrstuvwxyz";
#define TOTAL (sizeof(image) - 1) /* 36 bytes, sent in chunks of 10 */

static int64_t receive(struct raft_storage *st, uint64_t index, uint64_t term,
		       uint64_t offset, size_t len)
{
	return st->snapshot_receive(st->ctx, index, term, TOTAL, offset,
				    image + offset, len);
}

/* The current snapshot is (index, term) holding the whole image. */
static int current_is_image(struct raft_storage *st, uint64_t index,
			    uint64_t term)
{
	const uint8_t *data;
	uint64_t i, t;
	size_t len;

	st->snapshot_get(st->ctx, &i, &t, &data, &len);
	return i == index && t == term && len == TOTAL &&
	       memcmp(data, image, TOTAL) == 0;
}

static void snapshot_put_keeps_a_copy(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	uint8_t mine[TOTAL];
	uint8_t small[3] = {7, 8, 9};
	const uint8_t *data;
	uint64_t index, term;
	size_t len;

	REQUIRE(ms != NULL);
	memcpy(mine, image, TOTAL);
	REQUIRE(st.snapshot_put(ms, 40, 3, mine, TOTAL) == 0);
	memset(mine, 0, TOTAL);
	CHECK(current_is_image(&st, 40, 3));
	CHECK_EQ(st.last_index(ms), 0); /* put does not compact */

	REQUIRE(st.snapshot_put(ms, 50, 4, small, 3) == 0); /* replaces it */
	st.snapshot_get(ms, &index, &term, &data, &len);
	CHECK(index == 50 && term == 4 && len == 3);
	CHECK(len == 3 && memcmp(data, small, 3) == 0);
	REQUIRE(st.snapshot_put(ms, 60, 4, NULL, 0) == 0);
	st.snapshot_get(ms, &index, &term, &data, &len);
	CHECK(index == 60 && len == 0);
	mem_storage_free(ms);
}

static void chunks_in_order_install_the_snapshot(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);

	REQUIRE(ms != NULL);
	CHECK_EQ(receive(&st, 90, 5, 0, 10), 10);
	CHECK_EQ(receive(&st, 90, 5, 10, 10), 20);
	CHECK_EQ(receive(&st, 90, 5, 20, 10), 30);
	CHECK(!current_is_image(&st, 90, 5)); /* not before the end */
	CHECK_EQ(receive(&st, 90, 5, 30, 6), (int64_t)TOTAL);
	CHECK(current_is_image(&st, 90, 5));
	mem_storage_free(ms);
}

/* A lost or duplicated chunk: the storage names the offset it needs. */
static void an_out_of_order_chunk_gets_the_expected_offset(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);

	REQUIRE(ms != NULL);
	CHECK_EQ(receive(&st, 90, 5, 0, 10), 10);
	CHECK_EQ(receive(&st, 90, 5, 20, 10), 10); /* 10 .. 20 was lost */
	CHECK_EQ(receive(&st, 90, 5, 10, 10), 20);
	CHECK_EQ(receive(&st, 90, 5, 10, 10), 20); /* a duplicate */
	CHECK_EQ(receive(&st, 90, 5, 20, 16), (int64_t)TOTAL);
	CHECK(current_is_image(&st, 90, 5));
	mem_storage_free(ms);
}

/* Offset 0 or another snapshot's chunk starts the transfer over: a leader
 * that took a newer snapshot meanwhile sends that one instead. */
static void offset_0_or_another_snapshot_starts_over(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);

	REQUIRE(ms != NULL);
	CHECK_EQ(receive(&st, 90, 5, 0, 10), 10);
	CHECK_EQ(receive(&st, 90, 5, 10, 10), 20);
	CHECK_EQ(receive(&st, 90, 5, 0, 10), 10);  /* the leader restarted */
	CHECK_EQ(receive(&st, 120, 6, 20, 10), 0); /* another snapshot */
	CHECK_EQ(receive(&st, 120, 6, 0, 20), 20);
	CHECK_EQ(receive(&st, 90, 5, 20, 10), 0); /* the old one's chunk */
	CHECK_EQ(receive(&st, 90, 5, 0, 36), (int64_t)TOTAL);
	CHECK(current_is_image(&st, 90, 5));
	mem_storage_free(ms);
}

static void a_chunk_past_the_total_is_refused(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	const uint8_t *data;
	uint64_t index, term;
	size_t len;

	REQUIRE(ms != NULL);
	CHECK_EQ(receive(&st, 90, 5, 0, 30), 30);
	CHECK_EQ(receive(&st, 90, 5, 30, 7), 30);
	st.snapshot_get(ms, &index, &term, &data, &len);
	CHECK_EQ(index, 0);
	mem_storage_free(ms);
}

/* Out of memory, a chunk is not taken (-1) and the transfer can go on
 * from where it was. */
static void a_chunk_without_memory_returns_minus_1(void)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	static const uint8_t bigger[4 * TOTAL];
	int64_t rv;

	REQUIRE(ms != NULL);
	failpoint_arm(1);
	rv = receive(&st, 90, 5, 0, 10);
	failpoint_disarm();
	CHECK_EQ(rv, -1);
	CHECK_EQ(receive(&st, 90, 5, 0, 10), 10);
	failpoint_arm(1);
	rv = receive(&st, 90, 5, 10, 26);
	failpoint_disarm();
	CHECK_EQ(rv, -1);
	CHECK_EQ(receive(&st, 90, 5, 10, 26), (int64_t)TOTAL);
	CHECK(current_is_image(&st, 90, 5));

	failpoint_arm(1); /* a larger snapshot needs a new buffer */
	rv = st.snapshot_put(ms, 100, 6, bigger, sizeof(bigger));
	failpoint_disarm();
	CHECK_EQ(rv, -1);
	CHECK(current_is_image(&st, 90, 5)); /* unchanged */
	mem_storage_free(ms);
}

/* The pending buffer and the replaced snapshot count, and go. */
static void snapshot_memory_is_counted_and_released(void)
{
	static uint8_t big[1 << 20];
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st = mem_storage_ops(ms);
	size_t empty;

	REQUIRE(ms != NULL);
	empty = mem_storage_bytes(ms);
	CHECK_EQ(st.snapshot_receive(ms, 9, 1, sizeof(big), 0, big, 1000),
		 1000);
	CHECK(mem_storage_bytes(ms) >= empty + 1000);
	CHECK(mem_storage_bytes(ms) < empty + sizeof(big) / 2);
	REQUIRE(st.snapshot_put(ms, 9, 1, big, sizeof(big)) == 0);
	CHECK(mem_storage_bytes(ms) >= empty + sizeof(big));
	REQUIRE(st.snapshot_put(ms, 10, 1, big, 16) == 0);
	CHECK(mem_storage_bytes(ms) < empty + 2000);
	mem_storage_free(ms);
}

const struct test_case storage_snapshot_tests[] = {
	{"storage: snapshot_put keeps a copy that replaces the previous one and "
	 "does not compact",
	 snapshot_put_keeps_a_copy},
	{"§7: InstallSnapshot chunks in order install the snapshot when the "
	 "last arrives",
	 chunks_in_order_install_the_snapshot},
	{"§7: a chunk at an unexpected offset is refused with the offset the "
	 "storage expects",
	 an_out_of_order_chunk_gets_the_expected_offset},
	{"§7: a chunk at offset 0 or of another snapshot starts the transfer "
	 "over",
	 offset_0_or_another_snapshot_starts_over},
	{"storage: a chunk that would go past the snapshot's total is refused",
	 a_chunk_past_the_total_is_refused},
	{"storage: a snapshot chunk or put without memory returns -1 and "
	 "changes nothing",
	 a_chunk_without_memory_returns_minus_1},
	{"storage: a snapshot being received and the current one count in "
	 "mem_storage_bytes and are released",
	 snapshot_memory_is_counted_and_released},
	{NULL, NULL},
};
