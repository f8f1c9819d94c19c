/* lincheck_infer.h - what the inference's two files share: the key's
 * ops with their role, blocks and chains (lincheck_infer.c builds them,
 * lincheck_order.c orders them and checks the witness). */
#ifndef LINCHECK_INFER_H
#define LINCHECK_INFER_H

#include "lincheck_internal.h"

enum { OUT, CORE, NOSWAP }; /* what the inference does with an op */

struct infer {
	struct lincheck *lc;
	const struct lc_key *k;
	struct lc_why *why;
	size_t n;
	uint8_t *role;
	int32_t *block;       /* per op: 0 the initial block, else writer + 1 */
	int32_t *pred, *succ; /* per block: the chain's neighbours, or -1 */
	uint32_t *seq;        /* the core ops, chain after chain */
	size_t *chain_off;    /* per chain: where its ops start in seq */
	int64_t *lo, *hi;     /* per chain: max invoke, min completion */
	uint32_t *lo_op, *hi_op;
	size_t chains;
};

static inline const struct lc_op *op_at(const struct infer *in, size_t i)
{
	return &in->lc->ops[in->k->ops[i]];
}

/* The writer of value v in this key (local index + 1), 0 if none. */
static inline uint32_t writer(const struct infer *in, uint32_t v)
{
	return v == LC_NULL ? 0 : in->lc->writer[v];
}

void infer_say(struct infer *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void infer_describe(const struct infer *in, size_t i, char *buf, size_t cap);

/* The arrays above for in->n ops (-1 out of memory); infer_free frees
 * them. */
int infer_alloc(struct infer *in);
void infer_free(struct infer *in);
/* The chains from role, block, pred and succ: each chain's blocks in
 * order, a block's write then its reads (CORE gets) into seq. -1 when the
 * links form a cycle (explained), -2 out of memory. */
int infer_build_chains(struct infer *in);
/* Checks the order forced inside each chain and notes each chain's
 * bounds; -1 (explained) when an op completed before one it follows. */
int infer_chain_bounds(struct infer *in);
/* The chains in an order that works, into order[0..chains): -1 when none
 * does (explained, with the prefix), -2 out of memory. */
int infer_order_chains(struct infer *in, uint32_t *order);
/* The core in that order, the non-swapping cas placed, checked by
 * lc_witness_ok: 1 a linearization, 0 not found so, -2 out of memory. */
int infer_witness(struct infer *in, const uint32_t *order);

#endif
