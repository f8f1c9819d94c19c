/* mem_storage_internal.h - what mem_storage.c (the log) and mem_snapshot.c
 * (the snapshots) share. */
#ifndef MEM_STORAGE_INTERNAL_H
#define MEM_STORAGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "raft_log.h"

struct slab; /* payloads, mem_storage.c */

struct snap_buf {
	uint64_t index;
	uint64_t term;
	uint8_t *data;
	size_t len; /* pending: the bytes received so far */
	size_t cap;
};

struct mem_storage {
	/* The log: entries[start .. start + count) hold indexes first ..
	 * first + count - 1; totals[i] is the running byte count (payload +
	 * RAFT_ENTRY_OVERHEAD each) up to and including entries[i]. */
	struct raft_entry *entries;
	uint64_t *totals;
	size_t cap;
	size_t start;
	size_t count;
	size_t peak; /* the most entries held since the last compaction */
	uint64_t first;
	uint64_t base_term;  /* term of index first - 1 (the snapshot's) */
	uint64_t base_total; /* running byte count up to index first - 1 */

	struct slab *oldest;
	struct slab *newest;
	struct slab *spare; /* one released slab of SLAB_BYTES, for reuse */
	size_t slab_bytes;  /* held by oldest .. newest and spare */

	struct snap_buf snap;
	struct snap_buf pending; /* a snapshot being received (§7) */
	uint64_t pending_total;
};

/* struct raft_storage's snapshot functions (include/raft_log.h). */
int mem_snapshot_put(void *ctx, uint64_t index, uint64_t term,
		     const uint8_t *data, size_t len);
void mem_snapshot_get(void *ctx, uint64_t *index, uint64_t *term,
		      const uint8_t **data, size_t *len);
int64_t mem_snapshot_receive(void *ctx, uint64_t index, uint64_t term,
			     uint64_t total, uint64_t offset,
			     const uint8_t *data, size_t len);

#endif
