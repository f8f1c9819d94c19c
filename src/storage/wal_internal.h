/* wal_internal.h - what the WAL's files share (wal.c: life cycle, the
 * storage ops and group commit; wal_record.c: the record format;
 * wal_meta.c: term and vote; wal_snapshot.c: the snapshot file and base
 * segments; wal_recover.c: recovery). */
#ifndef WAL_INTERNAL_H
#define WAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "raft_log.h"
#include "storage/disk.h"
#include "storage/mem_storage.h"
#include "storage/wal.h"

#define WAL_META_NAME "meta"
#define WAL_SNAP_NAME "snapshot"
#define WAL_SNAP_TMP "snapshot.tmp"
#define WAL_META_SLOT DISK_SECTOR
#define WAL_META_USED 32 /* crc, version, seq, term, voted_for */
#define WAL_SNAP_HEADER 40
/* Buffered records past this are written early (not synced). */
#define WAL_EARLY_WRITE ((size_t)1 << 20)
/* No record is larger (a payload this big is no entry raftsim makes). */
#define WAL_RECORD_MAX ((uint32_t)1 << 30)
#define WAL_RETRIES 3 /* re-reads of something whose checksum failed */

/* A run of buffered bytes bound for one file, from buf_off up to the next
 * extent's buf_off (or the buffer's end). */
struct wal_extent {
	int fd;
	uint64_t seq; /* the segment's, for messages */
	uint64_t file_off;
	size_t buf_off;
};

struct wal {
	struct disk *d;
	struct wal_config cfg;
	struct mem_storage *ms;
	struct raft_storage mem; /* ms's ops */

	/* meta: the state last saved, and the seq of the last slot written */
	int meta_fd;
	uint64_t meta_seq;
	uint64_t meta_term;
	int meta_vote;
	bool meta_dirty;
	/* the term and vote as the disk holds them (wal_durable_meta) */
	uint64_t durable_term;
	int durable_vote;

	/* the segment appends go to */
	uint64_t seg_seq;
	int seg_fd;
	uint64_t seg_end;   /* where its next record goes */
	uint32_t seg_group; /* the group that created it */
	uint32_t group;     /* the sync group records now carry */
	bool group_used;    /* records carry it: the next sync ends it
				  (groups of records go up by one) */

	/* records not yet written */
	uint8_t *buf;
	size_t len, cap;
	struct wal_extent *ext;
	size_t ext_count, ext_cap;

	/* written since the last sync: files to sync, segments to close
	 * after it (rolled past), whether the directory needs a sync */
	int to_sync[8];
	uint64_t to_sync_seq[8]; /* a segment's seq (for messages) */
	int to_sync_count;
	int to_close[8];
	int to_close_count;
	bool dir_dirty;

	uint64_t durable;
	bool base_due; /* a new snapshot: compaction writes a base segment */
	bool failed;
	char failure[256];
	struct wal_stats stats;
};

/* wal.c */
void wal_fail(struct wal *w, const char *what, const char *file, int err);
/* fd (segment seq, or 0: meta) needs a sync: 0, or -ENOMEM. */
int wal_mark_sync(struct wal *w, int fd, uint64_t seq);
/* Closes fd, a segment being removed: it is synced no more. */
void wal_drop_fd(struct wal *w, int fd);
void wal_segment_name(char *out, uint64_t seq, const char *ext);

/* wal_record.c: appending records to the buffer (0, or -ENOMEM / -EIO:
 * the WAL is then failed) */
int wal_put_entries(struct wal *w, const struct raft_entry *e, unsigned n);
/* next: the log's last index + 1 before the change (a CONT record
 * carries it when the segment rolls here) */
int wal_put_truncate(struct wal *w, uint64_t index, uint64_t next);
int wal_put_compact(struct wal *w, uint64_t index, uint64_t term,
		    uint64_t next);
/* Encodes a record at w->buf + w->len (room reserved by the caller
 * through wal_reserve); returns its size. */
size_t wal_encode(struct wal *w, uint16_t type, const void *body,
		  size_t body_len, const void *data, size_t data_len);
int wal_reserve(struct wal *w, size_t n);
size_t wal_record_size(size_t payload);
int wal_write_out(struct wal *w);
void wal_encode_entry(struct wal *w, const struct raft_entry *e);
size_t wal_entry_record_size(const struct raft_entry *e);

/* A record as read: valid (length in bounds, checksum right) or not. */
struct wal_rec {
	uint16_t type;
	uint32_t group;
	uint32_t len; /* payload */
	const uint8_t *payload;
	size_t size; /* header + payload + padding */
};
/* Decodes the record at p (avail bytes): true when it is valid. */
bool wal_decode(const uint8_t *p, size_t avail, struct wal_rec *r);

/* wal_meta.c */
void wal_meta_encode(uint8_t *slot, uint64_t seq, uint64_t term, int vote);
bool wal_meta_decode(const uint8_t *slot, uint64_t *seq, uint64_t *term,
		     int *vote);
int wal_meta_write_slot(struct wal *w);
int wal_meta_create(struct wal *w);

/* wal_snapshot.c */
int wal_snapshot_write(struct wal *w, uint64_t index, uint64_t term,
		       const uint8_t *data, size_t len);
int wal_snapshot_parse(const uint8_t *p, size_t len, uint64_t *index,
		       uint64_t *term, const uint8_t **data, size_t *data_len);
int wal_base_write(struct wal *w);

/* wal_recover.c */
int wal_recover(struct wal *w, struct wal_recovery *rec, char *msg,
		size_t msg_len);

/* Little-endian loads and stores (on a little-endian host, one move
 * each: these run for every byte the WAL writes). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline void wal_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void wal_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t wal_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t wal_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}
#else
static inline void wal_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void wal_put64(uint8_t *p, uint64_t v)
{
	wal_put32(p, (uint32_t)v);
	wal_put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t wal_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t wal_get64(const uint8_t *p)
{
	return (uint64_t)wal_get32(p) | (uint64_t)wal_get32(p + 4) << 32;
}
#endif

#endif
