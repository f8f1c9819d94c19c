/* wal_recover.h - what recovery's two files share (wal_recover.c: meta,
 * snapshot, the directory; wal_replay.c: the segments). */
#ifndef WAL_RECOVER_H
#define WAL_RECOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/wal_internal.h"

struct seg {
	uint64_t seq;
	char name[DISK_NAME_MAX + 1];
};

struct recov {
	struct wal *w;
	struct wal_recovery *rec;
	char *msg;
	size_t msg_len;
	struct seg *segs; /* sorted by seq */
	int nsegs, start; /* the chain: segs[start .. nsegs) */
	uint8_t *data;    /* the file being read */
	size_t cap;       /* data's room */
	size_t size;      /* its size */
	size_t usable;    /* bytes before the first unreadable sector */
	uint32_t last_group, max_group;
};

/* WAL_EDAMAGED with msg "node N: FILE offset OFF: WHAT". */
int wal_damaged(struct recov *r, const char *file, uint64_t off,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* WAL_EIO (or WAL_ENOMEM for -ENOMEM) with msg "node N: WHAT FILE: why". */
int wal_io_error(struct recov *r, const char *what, const char *file, int err);
int wal_read_file(struct recov *r, int fd, const char *name);
/* Reads len bytes at off three times and keeps each bit's majority: a
 * transient bit flip in one read is outvoted. The count, or -errno. */
int64_t wal_read_voted(struct disk *d, int fd, uint8_t *buf, size_t len,
		       uint64_t off);
bool wal_reread(struct recov *r, int fd, size_t off, struct wal_rec *rec);
/* wal_replay.c: the newest base segment and the CONT segments after it. */
int wal_recover_chain(struct recov *r);

#endif
