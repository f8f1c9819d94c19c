/* digest_fsm.c - a running checksum as the state machine (digest_fsm.h). */
#include "storage/digest_fsm.h"

#include <stddef.h>
#include <string.h>

/* The empty machine's digest (FNV-1a's offset basis: any odd constant). */
#define DIGEST_START 0xcbf29ce484222325ULL

/* A bijection of h for a given word (an odd multiply and an xor-shift),
 * so that chaining stays injective in each entry; two rounds spread every
 * bit. */
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

/* Word `position` of an entry, spread by a multiplier of its own (odd, so
 * a bijection: words in different places do not cancel alike). */
static uint64_t spread(uint64_t word, uint64_t position)
{
	return word * (0x9e3779b97f4a7c15ULL + (position << 1));
}

/* An entry's words are spread and xored into one word, which alone is
 * chained into the digest: the multiplies are independent, so the CPU
 * overlaps them, and one chained step per entry instead of one per word
 * keeps the digest a small part of applying (it was half the simulator's
 * time under load). A change of any one word still changes the entry's
 * word, and so the digest, since step is a bijection in h. */
static uint64_t mix_entry(uint64_t h, const struct raft_entry *e)
{
	const uint8_t *p = e->data;
	size_t left = e->len;
	uint64_t pos = 3;
	uint64_t w;

	w = spread(e->index, 0) ^ spread(e->term, 1);
	/* The length makes the zero-padded last word unambiguous. */
	w ^= spread((uint64_t)e->type << 32 | e->len, 2);
	for (; left >= 8; left -= 8, p += 8)
		w ^= spread(load_le(p, 8), pos++);
	if (left > 0)
		w ^= spread(load_le(p, left), pos);
	return step(h, w);
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
