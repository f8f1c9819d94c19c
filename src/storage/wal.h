/* wal.h - one node's durable storage: its term and vote, its log as a
 * write-ahead log of checksummed records, and its latest snapshot, all in
 * files on a struct disk (disk.h: real or simulated). It implements struct
 * raft_storage (include/raft_log.h) over an in-memory copy of the log
 * (mem_storage.h), which serves every read; the files serve recovery.
 *
 * Files (README "Durable storage" has the byte layouts):
 *  - "meta": two slots of DISK_SECTOR bytes, each {u32 crc32c of bytes
 *    4..32, u32 version 1, u64 seq, u64 term, i64 voted_for}, zeros after;
 *    a save writes the slot seq + 1 selects (alternating), so a torn save
 *    leaves the other slot, the previous state, intact. Recovery takes
 *    the valid slot of the higher seq. A fresh node's meta (slot 0: seq
 *    0) is written as "meta.tmp", synced and renamed, like its first base
 *    segment (wal-0000000000000001.log: BASE (0, 0)).
 *  - "wal-<16 hex digits>.log": segments, numbered in order. Each record:
 *    u32 crc32c (of every byte after it, to the record's end, padding
 *    included), u32 len (payload bytes), u16 type, u16 zero, u32 group
 *    (the sync group that wrote it), then the payload, zero-padded to a
 *    multiple of 8. All integers little-endian.
 *    Types: WAL_REC_BASE (u64 index, u64 term, u64 segment seq: the log
 *    starts after (index, term): the first record of a base segment,
 *    which is written whole and renamed into place, with the log's
 *    entries after it), WAL_REC_CONT (u64 segment seq, u64 the index the
 *    log's next entry has: a segment that continues the previous one),
 *    WAL_REC_ENTRY (one entry: u64 term, u64 index, u32 type, u32 len,
 *    payload), WAL_REC_TRUNCATE (u64 index: entries from it on are
 *    deleted, §5.3), WAL_REC_COMPACT (u64 index, u64 term:
 *    compact_prefix).
 *    Sync groups: the records of one wal_sync share a group; the next
 *    group is one higher only if records were written (a meta-only sync
 *    ends no group). A base segment's records carry the current group
 *    + 2. A segment rolls at most once per group, so every segment but
 *    the newest begins with a synced record.
 *  - "snapshot": {magic "RSNP", u32 version, u64 index, u64 term, u64 len,
 *    u32 crc32c of the data, u32 crc32c of the header} then the data;
 *    written as "snapshot.tmp", synced, renamed, directory synced. A new
 *    snapshot then starts a new base segment (so recovery reads only the
 *    log the snapshot does not cover), and older segments are removed.
 *    The base segment begins at the snapshot: the entries before it that
 *    the memory keeps for slow followers are not written again (recovery
 *    starts the log at the snapshot).
 *
 * What is synced when (the harness drives it, harness.h):
 *  - appends, truncations and compactions are records buffered in memory;
 *    wal_save_meta buffers a meta slot. wal_sync writes them and calls
 *    sync once for each file written (group commit: one fdatasync covers
 *    everything since the last one).
 *  - a snapshot (snapshot_put, snapshot_accept) is written and synced
 *    before the call returns, with the base segment that follows it.
 *
 * Recovery (wal_open), with no silent loss:
 *  - leftovers ("*.tmp": a snapshot or base segment cut short) are
 *    removed; the newest segment beginning with a valid BASE and the CONT
 *    segments after it are replayed; older segments are removed. If the
 *    snapshot is newer than that log's base (a crash between the two),
 *    the log is compacted and a new base segment written.
 *  - a torn or zero-filled tail: a bad record (length out of bounds or
 *    checksum wrong) after which every valid record is of one sync group,
 *    the one of the record before it or the next (so they are all the
 *    last write, unsynced at the crash), is truncated on disk (and
 *    synced) and reported (struct wal_recovery.torn_*); later segments
 *    of the chain, and a CONT segment cut to nothing, are removed.
 *    A limit no checksum lifts: damage to the last synced group with
 *    nothing written after it looks the same as a torn tail.
 *  - a bad record in the middle (valid records of another group follow
 *    it), a read error (-EIO), a valid record that makes no sense (an
 *    index gap, a term going down, an unknown type, a CONT that does not
 *    continue), a bad snapshot or both meta slots bad: WAL_EDAMAGED, and
 *    a message naming the node, the file and the offset. Whatever fails
 *    its checksum is read again first, up to 3 times, then once more as
 *    a bitwise vote of 3 reads (a bit flip on the way from the disk is
 *    not damage); a meta slot valid in any read counts.
 *    With the skip-bad-record mistake (wal_config.skip_bad_record), it
 *    instead drops the bad record and everything after it and carries on
 *    (struct wal_recovery.skipped_*).
 *  - a write or sync that fails (-EIO, -ENOSPC) makes the WAL failed for
 *    good (wal_failed): the node must stop, never carry on.
 *
 * Not thread-safe: its node's thread (or the simulator) calls it, under the
 * node's lock.
 */
#ifndef WAL_H
#define WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft_log.h"
#include "storage/disk.h"

enum wal_record_type {
	WAL_REC_BASE = 1,
	WAL_REC_CONT = 2,
	WAL_REC_ENTRY = 3,
	WAL_REC_TRUNCATE = 4,
	WAL_REC_COMPACT = 5,
};

#define WAL_RECORD_HEADER 16 /* crc, len, type, zero, group */

enum wal_error {
	WAL_OK = 0,
	WAL_EDAMAGED = -1, /* damage recovery must not skip: the node refuses */
	WAL_EIO = -2,      /* the disk failed a read, write or sync */
	WAL_ENOMEM = -3,
};

struct wal_config {
	int node;               /* for messages: "node 2" */
	uint64_t segment_bytes; /* a segment rolls over past this (>= 4096) */
	bool skip_bad_record;   /* the mistake (see the top) */
};

/* What wal_open found. */
struct wal_recovery {
	uint64_t term;
	int voted_for; /* RAFT_NONE (-1): none */
	uint64_t snapshot_index, snapshot_term;
	uint64_t first_index, last_index, last_term; /* the log recovered */
	uint64_t records;                            /* records read */
	uint64_t segments;                           /* segment files read */
	uint64_t bytes;                              /* bytes read, all files */
	uint64_t retries; /* records whose checksum failed once, then passed */
	/* A torn tail that was truncated: torn_file at torn_offset,
	 * torn_bytes bytes cut. */
	bool torn;
	char torn_file[DISK_NAME_MAX + 1];
	uint64_t torn_offset;
	uint64_t torn_bytes;
	/* skip-bad-record only: damage it skipped (file, offset). */
	bool skipped;
	char skipped_file[DISK_NAME_MAX + 1];
	uint64_t skipped_offset;
};

struct wal;

/* Recovers node cfg->node's storage from d (an empty disk: a fresh node,
 * term 0, no vote, empty log). Returns WAL_OK and *out; or WAL_EDAMAGED,
 * WAL_EIO or WAL_ENOMEM (*out NULL) with msg (msg_len bytes, may be 0)
 * saying what and where, e.g. "node 1: wal-0000000000000002.log offset
 * 81920: record checksum mismatch (mid-log; a valid record of a later
 * sync group follows at 90112)". d must outlive the wal. */
int wal_open(struct disk *d, const struct wal_config *cfg, struct wal **out,
	     struct wal_recovery *rec, char *msg, size_t msg_len);

/* Frees the memory (the crash: nothing is written or synced). */
void wal_close(struct wal *w);

/* The struct raft_storage whose ctx is w (its durable_index is
 * wal_durable_index). */
struct raft_storage wal_storage_ops(struct wal *w);

/* Buffers a meta slot with this term and vote (Figure 2 "Persistent
 * state"): durable at the next wal_sync. */
void wal_save_meta(struct wal *w, uint64_t term, int voted_for);

/* Whether anything is buffered that wal_sync would write. */
bool wal_dirty(const struct wal *w);

/* Writes what is buffered and syncs each file written (group commit).
 * Returns WAL_OK or WAL_EIO (wal_failed from then on: every later call
 * that writes fails too). After WAL_OK everything saved or appended
 * before the call is durable. */
int wal_sync(struct wal *w);

/* Writes what is buffered without syncing (the page cache holds it: a
 * crash may lose, tear or reorder it). The simulator writes at the end of
 * a node's turn and syncs --disk-ms later. WAL_OK or WAL_EIO (as
 * wal_sync). */
int wal_write(struct wal *w);

/* The last index whose entry, as the log now holds it, is durable (the
 * log's end as of the last wal_sync, lowered by any truncation since). */
uint64_t wal_durable_index(const struct wal *w);

/* The term and vote as the disk holds them: those of the last wal_sync
 * (or recovery). */
void wal_durable_meta(const struct wal *w, uint64_t *term, int *voted_for);

/* A write, sync or snapshot write failed: the node must stop (fsyncgate).
 * The message says which file and why. */
bool wal_failed(const struct wal *w);
const char *wal_failure(const struct wal *w);

/* Memory held (the log's copy, buffers). */
size_t wal_bytes(const struct wal *w);

/* Counters, for the summary and the bench. */
struct wal_stats {
	uint64_t syncs;         /* wal_sync calls that synced something */
	uint64_t fsyncs;        /* sync() calls on files and the directory */
	uint64_t records;       /* records written */
	uint64_t bytes_written; /* all files */
	uint64_t base_segments; /* base segments written (one per snapshot) */
};
void wal_stats(const struct wal *w, struct wal_stats *out);

#endif
