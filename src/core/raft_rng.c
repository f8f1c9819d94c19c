/* raft_rng.c - splitmix64 (Steele, Lea, Flood 2014), per-node and seeded. */
#include "raft_rng.h"

#include <assert.h>

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void raft_rng_seed(struct raft_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t raft_rng_derive(uint64_t seed, uint64_t stream)
{
	return mix(seed + GOLDEN_GAMMA * (stream + 1));
}

uint64_t raft_rng_next(struct raft_rng *rng)
{
	rng->state += GOLDEN_GAMMA;
	return mix(rng->state);
}

uint64_t raft_rng_range(struct raft_rng *rng, uint64_t lo, uint64_t hi)
{
	uint64_t span;
	uint64_t limit;
	uint64_t x;

	assert(lo <= hi);
	span = hi - lo + 1;
	if (span == 0) /* the whole 64-bit range */
		return raft_rng_next(rng);
	/* Reject the top sliver that would make low values more likely. It
	 * lies above UINT64_MAX - span, so a draw below that (nearly all of
	 * them) needs no division to be accepted: same values, one modulo
	 * less on every timer reset. */
	x = raft_rng_next(rng);
	if (x <= UINT64_MAX - span)
		return lo + x % span;
	limit = UINT64_MAX - (UINT64_MAX % span);
	while (x >= limit)
		x = raft_rng_next(rng);
	return lo + x % span;
}

double raft_rng_unit(struct raft_rng *rng)
{
	/* 53 random bits fill a double's mantissa exactly. */
	return (double)(raft_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

int raft_rng_chance(struct raft_rng *rng, double p)
{
	if (p <= 0.0)
		return 0;
	if (p >= 1.0)
		return 1;
	return raft_rng_unit(rng) < p;
}
