/* mem_storage.c - the log and snapshot of one node, in memory (see
 * mem_storage.h for the layout and include/raft_log.h for the contract). */
#include "storage/mem_storage.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "raft_state.h" /* RAFT_ENTRY_OVERHEAD */
#include "storage/mem_storage_internal.h"

/* The entry array never shrinks below this many entries. */
#define MIN_CAP ((size_t)64)

/* A slab of 64 KiB holds 4096 payloads of 16 bytes: one malloc for them
 * all. A payload larger than a slab gets a slab of its own size. */
#define SLAB_BYTES ((size_t)64 * 1024)

/* Payloads of consecutive entries, copied back to back; the slabs form a
 * list from oldest to newest, and only the newest takes new payloads. */
struct slab {
	struct slab *prev;
	struct slab *next;
	/* Every entry whose payload is here has an index <= last_index:
	 * once compaction passes it, the slab holds nothing live. */
	uint64_t last_index;
	size_t cap;
	size_t used;
	uint8_t data[];
};

static uint64_t last_of(const struct mem_storage *ms)
{
	return ms->first + ms->count - 1;
}

static size_t pos_of(const struct mem_storage *ms, uint64_t index)
{
	assert(index >= ms->first && index <= last_of(ms));
	return ms->start + (size_t)(index - ms->first);
}

/* The running byte count up to index, first - 1 <= index <= last. */
static uint64_t total_at(const struct mem_storage *ms, uint64_t index)
{
	if (index == ms->first - 1)
		return ms->base_total;
	return ms->totals[pos_of(ms, index)];
}

/* ---- payload slabs ---- */

static void slab_release(struct mem_storage *ms, struct slab *s)
{
	if (s->cap == SLAB_BYTES && ms->spare == NULL) {
		ms->spare = s;
		return;
	}
	ms->slab_bytes -= sizeof(*s) + s->cap;
	free(s);
}

static void slab_unlink(struct mem_storage *ms, struct slab *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		ms->oldest = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		ms->newest = s->prev;
}

/* Space for len payload bytes of entries up to last_index, in the newest
 * slab or a new one; NULL without memory (nothing changed then). */
static uint8_t *slab_reserve(struct mem_storage *ms, size_t len,
			     uint64_t last_index)
{
	struct slab *s = ms->newest;
	uint8_t *p;

	if (s == NULL || s->cap - s->used < len) {
		size_t cap = len > SLAB_BYTES ? len : SLAB_BYTES;

		if (cap == SLAB_BYTES && ms->spare != NULL) {
			s = ms->spare;
			ms->spare = NULL;
		} else {
			s = malloc(sizeof(*s) + cap);
			if (s == NULL)
				return NULL;
			s->cap = cap;
			ms->slab_bytes += sizeof(*s) + cap;
		}
		s->used = 0;
		s->next = NULL;
		s->prev = ms->newest;
		if (ms->newest != NULL)
			ms->newest->next = s;
		else
			ms->oldest = s;
		ms->newest = s;
	}
	p = s->data + s->used;
	s->used += len;
	s->last_index = last_index;
	return p;
}

/* Compaction passed index: slabs holding nothing after it go. */
static void slabs_release_upto(struct mem_storage *ms, uint64_t index)
{
	while (ms->oldest != NULL && ms->oldest->last_index <= index) {
		struct slab *s = ms->oldest;

		slab_unlink(ms, s);
		slab_release(ms, s);
	}
}

static int slab_holds(const struct slab *s, const uint8_t *p)
{
	uintptr_t lo = (uintptr_t)s->data;

	return (uintptr_t)p >= lo && (uintptr_t)p < lo + s->cap;
}

/* ---- the entry array ---- */

/* Moves the live entries to a new array of cap entries (cap >= count).
 * Returns 0, or -1 without memory (nothing changed then). */
static int entries_move(struct mem_storage *ms, size_t cap)
{
	struct raft_entry *entries = malloc(cap * sizeof(*entries));
	uint64_t *totals = malloc(cap * sizeof(*totals));

	if (entries == NULL || totals == NULL) {
		free(entries);
		free(totals);
		return -1;
	}
	if (ms->count > 0) {
		memcpy(entries, ms->entries + ms->start,
		       ms->count * sizeof(*entries));
		memcpy(totals, ms->totals + ms->start,
		       ms->count * sizeof(*totals));
	}
	free(ms->entries);
	free(ms->totals);
	ms->entries = entries;
	ms->totals = totals;
	ms->cap = cap;
	ms->start = 0;
	return 0;
}

static size_t cap_for(size_t count)
{
	size_t cap = MIN_CAP;

	while (cap < 2 * count)
		cap *= 2;
	return cap;
}

/* Room for n more entries after the live ones: slides them back to 0 when
 * the array is at most half full (amortized: the start moved by at least
 * that much since), doubles it otherwise. Returns 0 or -1 (no memory). */
static int entries_reserve(struct mem_storage *ms, size_t n)
{
	size_t cap;

	if (ms->start + ms->count + n <= ms->cap)
		return 0;
	if (ms->count + n <= ms->cap / 2) {
		memmove(ms->entries, ms->entries + ms->start,
			ms->count * sizeof(*ms->entries));
		memmove(ms->totals, ms->totals + ms->start,
			ms->count * sizeof(*ms->totals));
		ms->start = 0;
		return 0;
	}
	if (n > SIZE_MAX / 4 / sizeof(struct raft_entry) - ms->count)
		return -1;
	cap = ms->cap * 2;
	while (cap < ms->count + n)
		cap *= 2;
	return entries_move(ms, cap);
}

/* ---- struct raft_storage ---- */

static uint64_t ms_first_index(void *ctx)
{
	return ((struct mem_storage *)ctx)->first;
}

static uint64_t ms_last_index(void *ctx)
{
	return last_of(ctx);
}

static uint64_t ms_term_at(void *ctx, uint64_t index)
{
	struct mem_storage *ms = ctx;

	if (index == ms->first - 1)
		return ms->base_term;
	if (index < ms->first || index > last_of(ms))
		return 0;
	return ms->entries[pos_of(ms, index)].term;
}

static int ms_append(void *ctx, const struct raft_entry *entries, unsigned n)
{
	struct mem_storage *ms = ctx;
	size_t payload = 0;
	uint8_t *p = NULL;
	uint64_t total;
	size_t pos;
	unsigned i;

	if (n == 0)
		return 0;
	assert(entries[0].index == last_of(ms) + 1);
	for (i = 0; i < n; i++)
		payload += entries[i].len;
	if (entries_reserve(ms, n) != 0)
		return -1;
	if (payload > 0) {
		p = slab_reserve(ms, payload, entries[n - 1].index);
		if (p == NULL)
			return -1;
	}
	total = total_at(ms, last_of(ms));
	pos = ms->start + ms->count;
	for (i = 0; i < n; i++) {
		struct raft_entry *e = &ms->entries[pos + i];

		assert(entries[i].index == entries[0].index + i);
		*e = entries[i];
		e->data = NULL;
		if (e->len > 0) {
			memcpy(p, entries[i].data, e->len);
			e->data = p;
			p += e->len;
		}
		total += (uint64_t)e->len + RAFT_ENTRY_OVERHEAD;
		ms->totals[pos + i] = total;
	}
	ms->count += n;
	if (ms->count > ms->peak)
		ms->peak = ms->count;
	return 0;
}

/* §5.3: the suffix from index on goes, and with it the payload space that
 * only it used: slabs newer than its first payload's, and the rest of
 * that one (payloads are laid out in index order). */
static void ms_truncate_suffix(void *ctx, uint64_t index)
{
	struct mem_storage *ms = ctx;
	const uint8_t *p = NULL;
	uint64_t i;

	assert(index >= ms->first && index <= last_of(ms));
	for (i = index; i <= last_of(ms) && p == NULL; i++)
		p = ms->entries[pos_of(ms, i)].data;
	ms->count = (size_t)(index - ms->first);
	if (p == NULL)
		return; /* the suffix had no payload */
	while (!slab_holds(ms->newest, p)) {
		struct slab *s = ms->newest;

		slab_unlink(ms, s);
		slab_release(ms, s);
	}
	ms->newest->used = (size_t)(p - ms->newest->data);
	ms->newest->last_index = index - 1;
	if (ms->newest->used == 0) {
		struct slab *s = ms->newest;

		slab_unlink(ms, s);
		slab_release(ms, s);
	}
}

/* The most entries from pos on (at least one, at most n) whose bytes fit
 * max_bytes; totals grow strictly, so a binary search finds it. */
static unsigned fit_bytes(const struct mem_storage *ms, size_t pos, unsigned n,
			  uint64_t before, size_t max_bytes)
{
	unsigned lo = 1; /* fits, or is the one oversize entry */
	unsigned hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo + 1) / 2;

		if (ms->totals[pos + mid - 1] - before <= max_bytes)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static unsigned ms_entries_from(void *ctx, uint64_t first, unsigned max_count,
				size_t max_bytes, const struct raft_entry **out)
{
	struct mem_storage *ms = ctx;
	uint64_t avail;
	unsigned n;
	size_t pos;

	*out = NULL;
	if (first < ms->first || first > last_of(ms) || max_count == 0)
		return 0;
	avail = last_of(ms) - first + 1;
	n = avail < max_count ? (unsigned)avail : max_count;
	pos = pos_of(ms, first);
	*out = &ms->entries[pos];
	return fit_bytes(ms, pos, n, total_at(ms, first - 1), max_bytes);
}

static uint64_t ms_bytes_between(void *ctx, uint64_t after, uint64_t last)
{
	struct mem_storage *ms = ctx;

	if (after < ms->first - 1)
		after = ms->first - 1; /* compacted entries count 0 */
	if (last > last_of(ms))
		last = last_of(ms);
	if (last <= after)
		return 0;
	return total_at(ms, last) - total_at(ms, after);
}

/* A log that was mostly empty for a whole compaction interval gets a
 * smaller array; one that keeps refilling to the same size keeps its. */
static void entries_maybe_shrink(struct mem_storage *ms)
{
	size_t want = cap_for(ms->peak > ms->count ? ms->peak : ms->count);

	if (ms->cap > MIN_CAP && ms->peak <= ms->cap / 4 && want < ms->cap)
		(void)entries_move(ms, want); /* no memory: keep the big one */
	ms->peak = ms->count;
}

static void ms_compact_prefix(void *ctx, uint64_t index, uint64_t term)
{
	struct mem_storage *ms = ctx;

	if (index < ms->first - 1)
		return; /* an older snapshot than the log's base */
	if (index == ms->first - 1 && term == ms->base_term)
		return;
	if (index >= ms->first && index <= last_of(ms) &&
	    ms->entries[pos_of(ms, index)].term == term) {
		size_t drop = (size_t)(index - ms->first + 1);

		ms->base_total = total_at(ms, index);
		ms->start += drop;
		ms->count -= drop;
		slabs_release_upto(ms, index);
	} else {
		/* §7: the snapshot supersedes the whole log. */
		ms->start = 0;
		ms->count = 0;
		slabs_release_upto(ms, UINT64_MAX);
	}
	ms->first = index + 1;
	ms->base_term = term;
	entries_maybe_shrink(ms);
}

/* ---- life cycle ---- */

struct mem_storage *mem_storage_new(void)
{
	struct mem_storage *ms = calloc(1, sizeof(*ms));

	if (ms == NULL)
		return NULL;
	ms->first = 1;
	if (entries_move(ms, MIN_CAP) != 0) {
		free(ms);
		return NULL;
	}
	return ms;
}

void mem_storage_free(struct mem_storage *ms)
{
	if (ms == NULL)
		return;
	slabs_release_upto(ms, UINT64_MAX);
	free(ms->spare);
	free(ms->entries);
	free(ms->totals);
	free(ms->snap.data);
	free(ms->pending.data);
	free(ms);
}

struct raft_storage mem_storage_ops(struct mem_storage *ms)
{
	struct raft_storage ops = {
		.ctx = ms,
		.first_index = ms_first_index,
		.last_index = ms_last_index,
		.term_at = ms_term_at,
		.append = ms_append,
		.truncate_suffix = ms_truncate_suffix,
		.entries_from = ms_entries_from,
		.bytes_between = ms_bytes_between,
		.compact_prefix = ms_compact_prefix,
		.snapshot_put = mem_snapshot_put,
		.snapshot_get = mem_snapshot_get,
		.snapshot_receive = mem_snapshot_receive,
	};

	return ops;
}

size_t mem_storage_bytes(const struct mem_storage *ms)
{
	return sizeof(*ms) +
	       ms->cap * (sizeof(*ms->entries) + sizeof(*ms->totals)) +
	       ms->slab_bytes + ms->snap.cap + ms->pending.cap;
}
