/* test_pack.c - packing entries and snapshot chunks into one block for a
 * queued message (src/core/raft_pack.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "raft_msg.h"
#include "testhelp.h"

#define ALIGN _Alignof(struct raft_entry)

static const uint8_t abc[] = "abc";
static const uint8_t longer[] = "a longer payload";

/* Three entries: a no-op without payload and two commands. */
static void three_entries(struct raft_entry e[3])
{
	memset(e, 0, 3 * sizeof(*e));
	e[0] = (struct raft_entry){.term = 2, .index = 5};
	e[1] = (struct raft_entry){.term = 2,
				   .index = 6,
				   .type = RAFT_ENTRY_COMMAND,
				   .len = 3,
				   .data = abc};
	e[2] = (struct raft_entry){.term = 3,
				   .index = 7,
				   .type = RAFT_ENTRY_COMMAND,
				   .len = sizeof(longer),
				   .data = longer};
}

static void packed_size_is_array_plus_payloads_rounded(void)
{
	struct raft_entry e[3];
	size_t exact = 3 * sizeof(struct raft_entry) + 3 + sizeof(longer);
	size_t size;

	three_entries(e);
	size = raft_entries_packed_size(e, 3);
	CHECK(size >= exact);
	CHECK(size < exact + ALIGN);
	CHECK_EQ(size % ALIGN, 0);
	CHECK_EQ(raft_entries_packed_size(e, 0), 0);
	CHECK_EQ(raft_entries_packed_size(e, 1), sizeof(struct raft_entry));
}

static void packed_copies_outlive_the_originals(void)
{
	struct raft_entry e[3];
	uint8_t payload[sizeof(longer)];
	size_t size;
	void *buf;
	struct raft_entry *copies;
	unsigned i;

	three_entries(e);
	memcpy(payload, longer, sizeof(longer));
	e[2].data = payload;
	size = raft_entries_packed_size(e, 3);
	buf = malloc(size);
	REQUIRE(buf != NULL);
	copies = raft_entries_pack(buf, e, 3);
	/* The sender reuses its buffer. */
	memset(payload, 'x', sizeof(payload));
	CHECK(copies == buf);
	for (i = 0; i < 3; i++) {
		const uint8_t *lo = buf;

		CHECK_EQ(copies[i].term, e[i].term);
		CHECK_EQ(copies[i].index, e[i].index);
		CHECK_EQ(copies[i].type, e[i].type);
		CHECK_EQ(copies[i].len, e[i].len);
		if (copies[i].len > 0)
			CHECK(copies[i].data >= lo + 3 * sizeof(*copies) &&
			      copies[i].data + copies[i].len <= lo + size);
	}
	CHECK(copies[0].data == NULL);
	CHECK(memcmp(copies[1].data, "abc", 3) == 0);
	CHECK(memcmp(copies[2].data, longer, sizeof(longer)) == 0);
	free(buf);
}

static void append_entries_and_proposals_carry_their_entries(void)
{
	struct raft_entry e[3];
	struct raft_message ae = {.type = RAFT_MSG_APPEND_ENTRIES};
	struct raft_message prop = {.type = RAFT_MSG_PROPOSE};
	struct raft_message copy;
	void *buf;

	three_entries(e);
	ae.u.ae.entries = e;
	ae.u.ae.entries_count = 3;
	prop.u.prop.entries = e + 1;
	prop.u.prop.count = 2;
	CHECK_EQ(raft_message_extra_size(&ae), raft_entries_packed_size(e, 3));
	CHECK_EQ(raft_message_extra_size(&prop),
		 raft_entries_packed_size(e + 1, 2));

	buf = malloc(raft_message_extra_size(&ae));
	REQUIRE(buf != NULL);
	copy = ae;
	raft_message_copy_extra(&copy, &ae, buf);
	CHECK(copy.u.ae.entries == buf);
	CHECK_EQ(copy.u.ae.entries_count, 3);
	CHECK_EQ(copy.u.ae.entries[2].index, 7);
	CHECK(memcmp(copy.u.ae.entries[2].data, longer, sizeof(longer)) == 0);
	free(buf);

	buf = malloc(raft_message_extra_size(&prop));
	REQUIRE(buf != NULL);
	copy = prop;
	raft_message_copy_extra(&copy, &prop, buf);
	CHECK(copy.u.prop.entries == buf);
	CHECK(memcmp(copy.u.prop.entries[0].data, "abc", 3) == 0);
	free(buf);
}

static void install_snapshot_carries_its_chunk(void)
{
	static const uint8_t chunk[13] = "chunk of snap";
	struct raft_message m = {.type = RAFT_MSG_INSTALL_SNAPSHOT};
	struct raft_message copy;
	uint8_t *buf;
	size_t size;

	m.u.snap.data = chunk;
	m.u.snap.len = sizeof(chunk);
	size = raft_message_extra_size(&m);
	CHECK(size >= sizeof(chunk) && size < sizeof(chunk) + ALIGN);
	CHECK_EQ(size % ALIGN, 0);
	buf = malloc(size);
	REQUIRE(buf != NULL);
	copy = m;
	raft_message_copy_extra(&copy, &m, buf);
	CHECK(copy.u.snap.data == buf);
	CHECK(memcmp(buf, chunk, sizeof(chunk)) == 0);
	free(buf);
}

static void heartbeats_and_votes_need_no_extra_bytes(void)
{
	static const enum raft_msg_type types[] = {
		RAFT_MSG_APPEND_ENTRIES,
		RAFT_MSG_APPEND_ENTRIES_REPLY,
		RAFT_MSG_REQUEST_VOTE,
		RAFT_MSG_REQUEST_VOTE_REPLY,
		RAFT_MSG_PREVOTE,
		RAFT_MSG_PREVOTE_REPLY,
		RAFT_MSG_INSTALL_SNAPSHOT_REPLY,
		RAFT_MSG_PROPOSE,
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct raft_message m;
		struct raft_message copy;

		memset(&m, 0, sizeof(m));
		m.type = types[i];
		CHECK_EQ(raft_message_extra_size(&m), 0);
		memcpy(&copy, &m, sizeof(m));
		raft_message_copy_extra(&copy, &m, NULL);
		CHECK(memcmp(&copy, &m, sizeof(m)) == 0);
	}
}

const struct test_case pack_tests[] = {
	{"pack: a batch's size is its entries and payloads, rounded up to the "
	 "entry alignment",
	 packed_size_is_array_plus_payloads_rounded},
	{"pack: packed entries keep term, index, type and payload after the "
	 "sender's buffers change",
	 packed_copies_outlive_the_originals},
	{"pack: AppendEntries and proposals carry their entries into the copy",
	 append_entries_and_proposals_carry_their_entries},
	{"pack: InstallSnapshot carries its chunk into the copy",
	 install_snapshot_carries_its_chunk},
	{"pack: a heartbeat, a vote or an empty proposal needs no extra bytes",
	 heartbeats_and_votes_need_no_extra_bytes},
	{NULL, NULL},
};
