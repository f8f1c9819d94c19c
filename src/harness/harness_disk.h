/* harness_disk.h - a node's durable storage as the harness drives it
 * (issue 12; COMMON design "How durability works end to end").
 *
 * A node has a WAL (storage/wal.h) on threads with --data-dir (real files
 * under DIR/node-I, disk_posix) and in the simulator with --disk or any
 * --disk-* fault (one simulated disk per node, kept across its crashes,
 * all sharing one fault atlas). Without one nothing here acts: the log
 * stays in mem_storage, "as if on disk".
 *
 * With one:
 *  - boot and restart recover from the files (wal_open): the core starts
 *    from the recovered term and vote, over wal_storage_ops; a torn tail
 *    that was cut is said (disk torn), damage makes the node refuse (disk
 *    refused: it stays down for the rest of the run, and on threads the
 *    run fails with exit 3). A restart says what it recovered.
 *  - the send path holds every message that promises what the node has
 *    not synced (AppendEntries and InstallSnapshot replies, RequestVote,
 *    pre-vote and their replies) while the WAL has unsynced records or
 *    an unsaved term or vote; each drain of a node's mail ends with
 *    harness_node_persist. On threads that syncs at once (fdatasync under
 *    the node lock); the simulator starts a sync --disk-ms later
 *    (harness_node_sync), one in flight per node. A sync releases the
 *    held messages through the normal fate path, lets a leader count its
 *    own log (raft_storage_synced) and publishes one persist event.
 *  - the no-fsync mistake lets AppendEntries and InstallSnapshot replies
 *    go at once, vote-before-persist RequestVotes and votes: each such
 *    message publishes the node's present state as promised (the bug).
 *  - a failed sync or write crashes the node (disk failed, fsyncgate): it
 *    restarts crash-ticks MAX ticks later, like a scheduled crash.
 *
 * Every function: the node's lock held (or the simulator's one thread).
 */
#ifndef HARNESS_DISK_H
#define HARNESS_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft.h"
#include "storage/wal.h"
#include "world.h"

struct harness;
struct harness_node;
struct wev;

/* A message waiting for its sender's sync, with its own block. */
struct harness_held {
	struct raft_message msg;
	void *extra;
};

/* A node's WAL and what waits for it. Guarded by its node lock. */
struct harness_wal {
	struct disk *disk;   /* NULL: the node has no WAL */
	struct wal *wal;     /* NULL while crashed or refused */
	uint64_t saved_term; /* what wal_save_meta last buffered */
	int saved_vote;
	struct harness_held *held;
	unsigned held_len, held_cap;
	/* The last persist event's state. */
	bool published;
	uint64_t pub_term, pub_index, pub_entry_term;
	int pub_vote;
	/* Recovery refused the files: the node stays down. */
	bool refused;
	char why[384];
	/* The last recovery, for the restart event. */
	struct wal_recovery rec;
	uint64_t *runs; /* (first index, term) pairs of the recovered log */
	int run_count;
	int run_cap;
	bool syncing; /* the simulator: a sync is scheduled */
	/* For the summary. */
	uint64_t syncs, synced_entries, torn, fsync_failures;
};

enum harness_persist {
	HARNESS_PERSIST_CLEAN,   /* nothing waits for the disk */
	HARNESS_PERSIST_DIRTY,   /* a sync is needed (the simulator) */
	HARNESS_PERSIST_CRASHED, /* a write or sync failed: node crashed */
};

/* Sets up every node's disk (before boot). Returns 0, or an exit code
 * (EXIT_USAGE: --data-dir holds a previous run without --resume;
 * EXIT_RUN_FAILED: a directory could not be opened, no memory) with the
 * reason in msg. */
int harness_disk_init(struct harness *h, char *msg, size_t len);
void harness_disk_close(struct harness *h);
bool harness_have_wal(const struct harness *h);

/* Boot or restart: recovers the node's WAL. RAFT_OK with *durable set
 * and *fresh when the files held nothing; RAFT_ESTORAGE when refused
 * (published; hw->why says why); RAFT_ENOMEM. */
int harness_disk_open(struct harness_node *n, struct raft_durable *durable,
		      bool *fresh);
/* The storage the core writes through (the node has a WAL, open). */
struct raft_storage harness_disk_storage(struct harness_node *n);
/* A restart event's recovered fields (nothing without a WAL). */
void harness_disk_describe(struct harness_node *n, struct wev *w);
/* Publishes what recovery cut or skipped (disk torn, skipped). */
void harness_disk_report_recovery(struct harness_node *n);

/* The send path: whether msg waits for the sync (then it is copied and
 * held; the caller sends nothing). */
bool harness_disk_hold(struct harness_node *n, const struct raft_message *msg);

/* The end of a drain: saves the term and vote if they changed; with
 * sync_now (threads) syncs if anything is unsynced. */
enum harness_persist harness_node_persist(struct harness_node *n,
					  bool sync_now);
/* A sync now: wal_sync, raft_storage_synced, the held messages out, one
 * persist event. DIRTY: more to sync already. */
enum harness_persist harness_node_sync(struct harness_node *n);

/* A crash: the WAL's memory and the held messages go; a simulated disk
 * loses what was not synced. */
void harness_disk_crash(struct harness_node *n);

/* Publishes a disk event of node n (text: where, in words). */
void harness_disk_publish(struct harness_node *n, enum wev_disk_what what,
			  const char *text);

/* Nodes that refused to start, this run. */
int harness_disk_refused(const struct harness *h);
/* The summary's "disk:" line and each refusal, appended to buf. */
void harness_disk_summary(struct harness *h, char *buf, size_t size);

#endif
