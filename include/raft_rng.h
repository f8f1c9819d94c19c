/* raft_rng.h - the seeded random generator each node owns.
 *
 * Contract: the core never calls rand(). Every random choice a node makes
 * (its election timeout, §5.2 "randomized election timeouts") comes from its
 * own generator, so a run is replayable from its seed.
 *
 * The generator is splitmix64: 8 bytes of state, full 2^64 period, and good
 * enough statistics for timeouts and fault schedules. It is not for crypto.
 */
#ifndef RAFT_RNG_H
#define RAFT_RNG_H

#include <stdint.h>

struct raft_rng {
	uint64_t state;
};

/* Seeds the generator. Any seed, including 0, is fine. */
void raft_rng_seed(struct raft_rng *rng, uint64_t seed);

/* Derives an independent stream, e.g. one per node from the cluster seed. */
uint64_t raft_rng_derive(uint64_t seed, uint64_t stream);

uint64_t raft_rng_next(struct raft_rng *rng);

/* Uniform in [lo, hi], both ends included, without modulo bias.
 * Precondition: lo <= hi. */
uint64_t raft_rng_range(struct raft_rng *rng, uint64_t lo, uint64_t hi);

/* Uniform in [0, 1). */
double raft_rng_unit(struct raft_rng *rng);

/* 1 with probability p (p <= 0 never, p >= 1 always). */
int raft_rng_chance(struct raft_rng *rng, double p);

#endif
