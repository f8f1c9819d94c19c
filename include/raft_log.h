/* raft_log.h - log entries, the storage that keeps them, and the state
 * machine they are applied to.
 *
 * Contract (Raft paper, Figure 2 "State", §5.3, §5.4, §7; thesis ch. 3, 5):
 *  - An entry is (term, index, type, payload). Index 1 is the first entry of
 *    every log; index 0 with term 0 is the empty log's end.
 *  - The core keeps no entry itself: it reads and changes the log only
 *    through struct raft_storage, and applies committed entries only
 *    through struct raft_fsm, both supplied by the driver (raft_attach).
 *    The storage is "as if on disk": it survives a crash, as term and vote
 *    do (struct raft_durable); the state machine does not, and is rebuilt
 *    from the storage's snapshot and committed entries at restart.
 *  - Storage calls never fail except append and the snapshot writes, which
 *    may run out of memory (or disk): the core then leaves its log as it
 *    was and does not acknowledge what it could not keep.
 *  - A durable storage (src/storage/wal.h) writes behind: durable_index
 *    says how far its disk has caught up, and the driver holds the
 *    messages that promise more (harness.h) until it has.
 */
#ifndef RAFT_LOG_H
#define RAFT_LOG_H

#include <stddef.h>
#include <stdint.h>

enum raft_entry_type {
	RAFT_ENTRY_NOOP = 0,    /* a new leader's first entry (thesis §6.4) */
	RAFT_ENTRY_COMMAND = 1, /* a client's payload for the state machine */
};

struct raft_entry {
	uint64_t term;
	uint64_t index;
	uint32_t type;       /* enum raft_entry_type */
	uint32_t len;        /* payload bytes */
	const uint8_t *data; /* len bytes; owned by whoever handed it over */
};

/* Where the log and the latest snapshot live. Every function gets ctx.
 * Indexes: the log holds first_index() .. last_index(); it is empty when
 * last_index() == first_index() - 1. Everything before first_index() is
 * covered by the snapshot, whose (index, term) term_at() also answers. */
struct raft_storage {
	void *ctx;
	uint64_t (*first_index)(void *ctx);
	uint64_t (*last_index)(void *ctx);
	/* The term of entry `index`: for first_index() - 1 <= index <= last
	 * (index 0 gives 0); 0 outside that range (unknown). The log may
	 * start before the snapshot's index (a leader keeps entries for
	 * followers catching up), never after it. */
	uint64_t (*term_at)(void *ctx, uint64_t index);
	/* Appends n entries, copying their payloads; entries[0].index must be
	 * last_index() + 1 and indexes consecutive. Returns 0, or -1 when it
	 * could keep none of them (no memory): the log is then unchanged. */
	int (*append)(void *ctx, const struct raft_entry *entries, unsigned n);
	/* Deletes entries `index` .. last (§5.3: a conflicting suffix only).
	 * Precondition: first_index() <= index <= last_index(). */
	void (*truncate_suffix)(void *ctx, uint64_t index);
	/* Points *out at up to max_count consecutive entries starting at
	 * `first` whose bytes (payload + RAFT_ENTRY_OVERHEAD each, raft_state.h)
	 * total at most max_bytes (but always at least one entry, whatever
	 * its size), contiguous in memory, and returns
	 * how many (0 when first is outside the log). Valid until the next
	 * call that changes the storage. */
	unsigned (*entries_from)(void *ctx, uint64_t first, unsigned max_count,
				 size_t max_bytes,
				 const struct raft_entry **out);
	/* Bytes (as for entries_from) of the entries after `after` up to
	 * `last` held in the log (flow control; compacted entries count 0).
	 * O(1): a storage keeps running totals. */
	uint64_t (*bytes_between)(void *ctx, uint64_t after, uint64_t last);
	/* The snapshot covers every entry up to `index` (of term `term`):
	 * drops them. If the log ends before index, or holds a different
	 * term there, the whole log goes and it starts empty after index
	 * (§7: a follower discards a log the snapshot supersedes). */
	void (*compact_prefix)(void *ctx, uint64_t index, uint64_t term);
	/* Saves a snapshot of the state machine as of (index, term),
	 * replacing the previous one. Returns 0 or -1 (no memory). Does not
	 * compact: the core calls compact_prefix afterwards. */
	int (*snapshot_put)(void *ctx, uint64_t index, uint64_t term,
			    const uint8_t *data, size_t len);
	/* The current snapshot: its index and term (0, 0 when none), data
	 * and length; data valid until the storage changes. */
	void (*snapshot_get)(void *ctx, uint64_t *index, uint64_t *term,
			     const uint8_t **data, size_t *len);
	/* Receives chunk bytes [offset, offset + len) of a snapshot of
	 * (index, term) being transferred (§7, InstallSnapshot), total bytes
	 * in all. A chunk for another (index, term, total) than the pending
	 * one starts over, except a chunk past offset 0 of an older index
	 * (late, from before the leader replaced its snapshot), which is
	 * ignored; a chunk at offset 0 of the pending snapshot does not
	 * restart a transfer that is further along. Returns the offset it
	 * expects next (offset + len when taken; the pending length when the
	 * chunk is not the one it expects), or -1 (no memory). A complete
	 * snapshot (next == total) stays pending until snapshot_accept. */
	int64_t (*snapshot_receive)(void *ctx, uint64_t index, uint64_t term,
				    uint64_t total, uint64_t offset,
				    const uint8_t *data, size_t len);
	/* The pending snapshot's bytes so far (all of them once complete);
	 * valid until the storage changes. */
	void (*snapshot_pending)(void *ctx, const uint8_t **data, size_t *len);
	/* The state machine took the complete pending snapshot: it becomes
	 * the current one, replacing the previous (which stays until then,
	 * so a snapshot that does not restore changes nothing). Does not
	 * compact: the core calls compact_prefix afterwards. */
	void (*snapshot_accept)(void *ctx);
	/* May be NULL: every entry is on disk once append returns (the
	 * in-memory storage, "as if on disk"). Otherwise the last index
	 * whose entry, as the log now holds it, is on disk; the driver
	 * syncs between steps and then calls raft_storage_synced. A leader
	 * counts itself towards a majority only up to it, so it may send
	 * entries before its own write is done (thesis §10.2.1), and a
	 * follower's driver holds its acknowledgements until the sync. */
	uint64_t (*durable_index)(void *ctx);
};

/* The replicated state machine. Every function gets ctx. */
struct raft_fsm {
	void *ctx;
	/* Applies n committed entries in order (no-ops included: a state
	 * machine may ignore them) and returns a digest of its whole state
	 * afterwards: two nodes that applied the same entries return the same
	 * digest (State Machine Safety is checked on it). */
	uint64_t (*apply)(void *ctx, const struct raft_entry *entries,
			  unsigned n);
	/* Serializes the state; *data is valid until the next call. Returns
	 * 0 or -1 (no memory). */
	int (*snapshot)(void *ctx, const uint8_t **data, size_t *len);
	/* Replaces the state with a snapshot's. Returns 0, or -1 when the
	 * bytes are not a snapshot of this machine. */
	int (*restore)(void *ctx, const uint8_t *data, size_t len);
	/* The digest of the current state (what apply last returned). */
	uint64_t (*digest)(void *ctx);
};

/* The bytes an entry batch takes when packed for the wire (raft_pack.c):
 * a driver that must copy a message (every one does: the core keeps no
 * pointer after send) copies entries and payloads into one block. */
size_t raft_entries_packed_size(const struct raft_entry *entries, unsigned n);
/* Copies n entries and their payloads into buf (raft_entries_packed_size
 * bytes, aligned for struct raft_entry) and returns the copies, whose data
 * point into buf. */
struct raft_entry *raft_entries_pack(void *buf,
				     const struct raft_entry *entries,
				     unsigned n);

#endif
