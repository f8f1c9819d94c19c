/* digest_fsm.c - a running checksum as the state machine (digest_fsm.h). */
#include "storage/digest_fsm.h"

#include <stddef.h>
#include <string.h>

/* The empty machine's digest (FNV-1a's offset basis: any odd constant). */
#define DIGEST_START 0xcbf29ce484222325ULL

/* A bijection of 64-bit words (an odd multiply and an xor-shift), so that
 * mixing stays injective in each word; two rounds spread every bit. */
static uint64_t step(uint64_t h, uint64_t word)
{
	h ^= word;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

/* Little-endian whatever the host, so digests in traces compare across
 * machines; compilers turn this into one load. */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

static void store_le(uint8_t *p, uint64_t w)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(w >> (8 * i));
}

static uint64_t mix_entry(uint64_t h, const struct raft_entry *e)
{
	const uint8_t *p = e->data;
	size_t left = e->len;

	h = step(h, e->index);
	h = step(h, e->term);
	/* The length makes the zero-padded last word unambiguous. */
	h = step(h, (uint64_t)e->type << 32 | e->len);
	for (; left >= 8; left -= 8, p += 8)
		h = step(h, load_le(p, 8));
	if (left > 0)
		h = step(h, load_le(p, left));
	return h;
}

static uint64_t fsm_apply(void *ctx, const struct raft_entry *entries,
			  unsigned n)
{
	struct digest_fsm *fsm = ctx;
	uint64_t h = fsm->digest;
	unsigned i;

	for (i = 0; i < n; i++)
		h = mix_entry(h, &entries[i]);
	fsm->digest = h;
	fsm->applied += n;
	return h;
}

static int fsm_snapshot(void *ctx, const uint8_t **data, size_t *len)
{
	struct digest_fsm *fsm = ctx;

	store_le(fsm->snapshot, fsm->digest);
	store_le(fsm->snapshot + 8, fsm->applied);
	*data = fsm->snapshot;
	*len = sizeof(fsm->snapshot);
	return 0;
}

static int fsm_restore(void *ctx, const uint8_t *data, size_t len)
{
	struct digest_fsm *fsm = ctx;

	if (len != sizeof(fsm->snapshot) || data == NULL)
		return -1;
	fsm->digest = load_le(data, 8);
	fsm->applied = load_le(data + 8, 8);
	return 0;
}

static uint64_t fsm_digest(void *ctx)
{
	return ((struct digest_fsm *)ctx)->digest;
}

void digest_fsm_init(struct digest_fsm *fsm)
{
	fsm->digest = DIGEST_START;
	fsm->applied = 0;
	memset(fsm->snapshot, 0, sizeof(fsm->snapshot));
}

struct raft_fsm digest_fsm_ops(struct digest_fsm *fsm)
{
	struct raft_fsm ops = {
		.ctx = fsm,
		.apply = fsm_apply,
		.snapshot = fsm_snapshot,
		.restore = fsm_restore,
		.digest = fsm_digest,
	};

	return ops;
}
