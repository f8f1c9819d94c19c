/* mem_storage.h - the in-memory struct raft_storage (include/raft_log.h):
 * the log and the latest snapshot of one node, "as if on disk" (it
 * outlives a crash of the node that uses it).
 *
 * Cost: no allocation per entry. Entries live in one array whose live part
 * [start, start + count) moves forward as the prefix is compacted and
 * slides back to 0 when it reaches the end, so every run of entries is
 * contiguous. Payloads are copied into large slabs, freed once compaction
 * (or truncation) has passed every entry they hold. A parallel array of
 * running byte totals makes bytes_between O(1). Compaction shrinks the
 * array when it is mostly empty, so memory follows the log's length, not
 * the run's.
 *
 * Not thread-safe: the node that owns it calls it under its own lock.
 */
#ifndef MEM_STORAGE_H
#define MEM_STORAGE_H

#include <stddef.h>

#include "raft_log.h"

struct mem_storage;

/* An empty log (first index 1) and no snapshot; NULL without memory. */
struct mem_storage *mem_storage_new(void);
void mem_storage_free(struct mem_storage *ms);

/* The struct raft_storage whose ctx is ms. */
struct raft_storage mem_storage_ops(struct mem_storage *ms);

/* The bytes it holds: entries, payload slabs, snapshot, pending snapshot. */
size_t mem_storage_bytes(const struct mem_storage *ms);

#endif
