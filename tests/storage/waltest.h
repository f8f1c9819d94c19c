/* waltest.h - what the WAL's tests share (tests/storage/waltest.c): a
 * model of the log to compare a recovered one with, and short hands. */
#ifndef WALTEST_H
#define WALTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/disk.h"
#include "storage/wal.h"

#define WT_MAX 4096

/* What the log should hold: terms[i] of index i, first..last. */
struct wt_model {
	uint64_t first, last;
	uint64_t base_term;
	uint64_t terms[WT_MAX];
	uint64_t term;
	int vote;
	uint64_t snap_index, snap_term;
};

extern char wt_msg[512];

/* Opens a WAL on d (node 1, segment_bytes seg): WAL_OK or the error. */
int wt_open(struct disk *d, uint64_t seg, bool skip, struct wal **w,
	    struct wal_recovery *rec);
/* Appends first..last of term (payload 16 bytes derived from index and
 * term) through the storage ops; the model too. */
int wt_append(struct wal *w, struct wt_model *m, uint64_t first, uint64_t last,
	      uint64_t term);
void wt_truncate(struct wal *w, struct wt_model *m, uint64_t index);
/* snapshot_put then compact_prefix at index (data derived from index). */
int wt_snapshot(struct wal *w, struct wt_model *m, uint64_t index);
/* Whether the WAL's log, term, vote and snapshot match m. */
bool wt_matches(struct wal *w, const struct wt_model *m);
extern bool wt_quiet; /* wt_matches says nothing of a mismatch */
void wt_model_init(struct wt_model *m);

#endif
