/* waltest.c - helpers of the WAL's tests (waltest.h). */
#include "waltest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raft_state.h"

char wt_msg[512];

int wt_open(struct disk *d, uint64_t seg, bool skip, struct wal **w,
	    struct wal_recovery *rec)
{
	struct wal_config cfg = {
		.node = 1, .segment_bytes = seg, .skip_bad_record = skip};

	int rv = wal_open(d, &cfg, w, rec, wt_msg, sizeof(wt_msg));

	if (rv != WAL_OK && getenv("WT_VERBOSE") != NULL)
		fprintf(stderr, "    wal_open: %d: %s\n", rv, wt_msg);
	return rv;
}

void wt_model_init(struct wt_model *m)
{
	memset(m, 0, sizeof(*m));
	m->first = 1;
	m->vote = RAFT_NONE;
}

static void payload(uint8_t *p, uint64_t index, uint64_t term)
{
	int i;

	for (i = 0; i < 16; i++)
		p[i] = (uint8_t)(index * 7 + term * 13 + (uint64_t)i);
}

int wt_append(struct wal *w, struct wt_model *m, uint64_t first, uint64_t last,
	      uint64_t term)
{
	struct raft_storage st = wal_storage_ops(w);
	struct raft_entry e[64];
	uint8_t data[64][16];
	uint64_t i = first;

	while (i <= last) {
		unsigned n = 0;

		for (; i <= last && n < 64; i++, n++) {
			payload(data[n], i, term);
			e[n] = (struct raft_entry){.term = term,
						   .index = i,
						   .type = RAFT_ENTRY_COMMAND,
						   .len = 16,
						   .data = data[n]};
		}
		if (st.append(st.ctx, e, n) != 0)
			return -1;
	}
	for (i = first; i <= last && i < WT_MAX; i++)
		m->terms[i] = term;
	m->last = last;
	return 0;
}

void wt_truncate(struct wal *w, struct wt_model *m, uint64_t index)
{
	struct raft_storage st = wal_storage_ops(w);

	st.truncate_suffix(st.ctx, index);
	m->last = index - 1;
}

int wt_snapshot(struct wal *w, struct wt_model *m, uint64_t index)
{
	struct raft_storage st = wal_storage_ops(w);
	uint64_t term = st.term_at(st.ctx, index);
	uint8_t data[100];

	memset(data, (int)index, sizeof(data));
	if (st.snapshot_put(st.ctx, index, term, data, sizeof(data)) != 0)
		return -1;
	st.compact_prefix(st.ctx, index, term);
	m->snap_index = index;
	m->snap_term = term;
	if (index <= m->last && m->terms[index] == term) {
		m->first = index + 1;
	} else {
		m->first = index + 1;
		m->last = index;
	}
	m->base_term = term;
	return 0;
}

bool wt_quiet;

bool wt_matches(struct wal *w, const struct wt_model *m)
{
	struct raft_storage st = wal_storage_ops(w);
	const uint8_t *data;
	uint64_t i, si, sterm;
	size_t len;

	if (st.first_index(st.ctx) != m->first ||
	    st.last_index(st.ctx) != m->last) {
		if (!wt_quiet)
			fprintf(stderr,
				"    log %llu..%llu, expected %llu..%llu\n",
				(unsigned long long)st.first_index(st.ctx),
				(unsigned long long)st.last_index(st.ctx),
				(unsigned long long)m->first,
				(unsigned long long)m->last);
		return false;
	}
	if (st.term_at(st.ctx, m->first - 1) != m->base_term)
		return false;
	for (i = m->first; i <= m->last; i++) {
		const struct raft_entry *e;
		uint8_t want[16];

		payload(want, i, m->terms[i]);
		if (st.entries_from(st.ctx, i, 1, SIZE_MAX, &e) != 1 ||
		    e->term != m->terms[i] || e->index != i || e->len != 16 ||
		    memcmp(e->data, want, 16) != 0) {
			if (!wt_quiet)
				fprintf(stderr, "    entry %llu differs\n",
					(unsigned long long)i);
			return false;
		}
	}
	st.snapshot_get(st.ctx, &si, &sterm, &data, &len);
	if (si != m->snap_index || sterm != m->snap_term)
		return false;
	if (si > 0 && (len != 100 || data[0] != (uint8_t)si))
		return false;
	return true;
}
