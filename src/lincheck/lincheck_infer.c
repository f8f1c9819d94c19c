/* lincheck_infer.c - deciding a key from its unique values (Gibbons &
 * Korach on registers with unique writes; Elle's inference from values to
 * order), in O(n log n).
 *
 * When every value a put or cas writes to the key is unique (and the key
 * has no append or delete), each value v names the one operation that
 * wrote it, and its "block" is that write followed by every get that read
 * v. A linearization is a sequence of blocks: the initial (absent) one
 * first, each block contiguous. A successful cas from e to v glues v's
 * block right after e's: glued blocks form a chain that moves as a unit.
 * Chains A before B is allowed iff no op of B completed before an op of A
 * was invoked: max invoke over A <= min completion over B. Any chain that
 * may go first (before all the others) can be put first without losing a
 * solution, so a greedy choice decides the order; when none may go first,
 * two chains must each precede the other, and no order works.
 *
 * The "core" the chains are built from leaves out what cannot make a
 * linearizable history illegal: read-only ops (a cas that did not swap is
 * placed afterwards, as a read of anything but its expect), open gets, and
 * open writes nobody observed (dropping such a write keeps any
 * linearization valid once the non-swapping cas are out). So a
 * contradiction in the core is a contradiction in the history; and an OK
 * is given only for a whole witness order that lc_witness_ok accepts.
 * Anything else is left to the search.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck_infer.h"

void infer_say(struct infer *in, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->why->text, sizeof(in->why->text), fmt, ap);
	va_end(ap);
}

void infer_describe(const struct infer *in, size_t i, char *buf, size_t cap)
{
	lc_describe(in->lc, op_at(in, i), buf, cap);
}

/* Unique writers, else -1 (the search decides). */
static int claim_writers(struct infer *in)
{
	size_t i, cap = in->lc->strings.count;

	if (in->lc->writer_cap < cap) {
		uint32_t *w = realloc(in->lc->writer, cap * sizeof(*w));

		if (w == NULL)
			return -1;
		memset(w + in->lc->writer_cap, 0,
		       (cap - in->lc->writer_cap) * sizeof(*w));
		in->lc->writer = w;
		in->lc->writer_cap = cap;
	}
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (op->op == HIST_APPEND || op->op == HIST_DELETE)
			return -1;
		if (op->op != HIST_PUT && op->op != HIST_CAS)
			continue;
		if (in->lc->writer[op->value] != 0)
			return -1;
		in->lc->writer[op->value] = (uint32_t)i + 1;
	}
	return 0;
}

static void release_writers(struct infer *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if ((op->op == HIST_PUT || op->op == HIST_CAS) &&
		    in->lc->writer[op->value] == (uint32_t)i + 1)
			in->lc->writer[op->value] = 0;
	}
}

/* Op i (in the core) saw value v: its writer joins the core, and, for a
 * cas, so does the writer of what it replaced. -1: v never written. */
static int observe(struct infer *in, size_t i, uint32_t v)
{
	char a[256];

	while (v != LC_NULL) {
		uint32_t w = writer(in, v);
		const struct lc_op *op;

		if (w == 0) {
			infer_describe(in, i, a, sizeof(a));
			infer_say(in, "%s saw a value that no operation wrote",
				  a);
			in->why->blocked = (int64_t)in->k->ops[i];
			return -1;
		}
		if (in->role[w - 1] == CORE)
			return 0;
		in->role[w - 1] = CORE; /* an open write: it took effect */
		op = op_at(in, w - 1);
		i = w - 1;
		v = op->op == HIST_CAS ? op->expect : LC_NULL;
	}
	return 0;
}

static int pick_core(struct infer *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (op->status != LC_OK)
			continue; /* open: in only if observed */
		if (op->op == HIST_CAS && !op->swapped)
			in->role[i] = NOSWAP;
		else
			in->role[i] = CORE;
	}
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (op->status != LC_OK)
			continue;
		if (op->op == HIST_GET && observe(in, i, op->result) != 0)
			return -1;
		if (op->op == HIST_CAS && op->swapped &&
		    observe(in, i, op->expect) != 0)
			return -1;
	}
	return 0;
}

/* Blocks and the cas links between them. */
static int link_blocks(struct infer *in)
{
	char a[256], b[256];
	size_t i;

	for (i = 0; i <= in->n; i++)
		in->pred[i] = in->succ[i] = -1;
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);
		int32_t from;

		if (in->role[i] != CORE)
			continue;
		if (op->op == HIST_GET) {
			in->block[i] = (int32_t)writer(in, op->result);
			continue;
		}
		in->block[i] = (int32_t)i + 1;
		if (op->op != HIST_CAS)
			continue;
		from = (int32_t)writer(in, op->expect);
		if (in->succ[from] >= 0) {
			infer_describe(in, (size_t)in->succ[from] - 1, a,
				       sizeof(a));
			infer_describe(in, i, b, sizeof(b));
			infer_say(in,
				  "%s and %s both swapped the same value: only "
				  "one can have replaced it",
				  a, b);
			in->why->blocked = (int64_t)in->k->ops[i];
			return -1;
		}
		in->succ[from] = (int32_t)i + 1;
		in->pred[i + 1] = from;
	}
	return 0;
}

/* Appends block b's ops to seq: its write first, then its reads in
 * invoke order (any order of reads is as good; this one keeps real time
 * among them). */
static size_t emit_block(struct infer *in, int32_t b, const size_t *rstart,
			 const uint32_t *reads, size_t len)
{
	size_t j;

	if (b > 0)
		in->seq[len++] = (uint32_t)b - 1;
	for (j = rstart[b]; j < rstart[b + 1]; j++)
		in->seq[len++] = reads[j];
	return len;
}

int infer_build_chains(struct infer *in)
{
	size_t *rstart = calloc(in->n + 3, sizeof(*rstart));
	uint32_t *reads = malloc((in->n + 1) * sizeof(*reads));
	uint8_t *seen = calloc(in->n + 1, 1);
	size_t i, len = 0, placed_blocks = 0, blocks = 1;
	char a[256];
	int rv = -2;

	if (rstart == NULL || reads == NULL || seen == NULL)
		goto out;
	for (i = 0; i < in->n; i++) {
		if (in->role[i] != CORE)
			continue;
		if (op_at(in, i)->op == HIST_GET)
			rstart[in->block[i] + 2]++;
		else
			blocks++;
	}
	for (i = 2; i <= in->n + 2; i++)
		rstart[i] += rstart[i - 1];
	for (i = 0; i < in->n; i++)
		if (in->role[i] == CORE && op_at(in, i)->op == HIST_GET)
			reads[rstart[in->block[i] + 1]++] = (uint32_t)i;
	in->chains = 0;
	for (i = 0; i <= in->n; i++) {
		int32_t b = (int32_t)i;

		if (i > 0 && (in->role[i - 1] != CORE ||
			      op_at(in, i - 1)->op == HIST_GET))
			continue;
		if (in->pred[b] >= 0)
			continue; /* not a chain's head */
		in->chain_off[in->chains++] = len;
		for (; b >= 0; b = in->succ[b], placed_blocks++) {
			seen[b] = 1;
			len = emit_block(in, b, rstart, reads, len);
		}
	}
	in->chain_off[in->chains] = len;
	rv = 0;
	if (placed_blocks != blocks) { /* a cycle of links: no head */
		for (i = 0; i < in->n; i++)
			if (in->role[i] == CORE && !seen[i + 1] &&
			    op_at(in, i)->op != HIST_GET)
				break;
		infer_describe(in, i, a, sizeof(a));
		infer_say(in,
			  "%s is in a cycle of writes (cas, or appends), each "
			  "replacing or extending the value the next one "
			  "wrote: none of them can come first",
			  a);
		in->why->blocked = (int64_t)in->k->ops[i];
		rv = -1;
	}
out:
	free(rstart);
	free(reads);
	free(seen);
	return rv;
}

int infer_alloc(struct infer *in)
{
	size_t n = in->n + 1;

	in->role = calloc(n, sizeof(*in->role));
	in->block = calloc(n, sizeof(*in->block));
	in->pred = malloc(n * sizeof(*in->pred));
	in->succ = malloc(n * sizeof(*in->succ));
	in->seq = malloc(n * sizeof(*in->seq));
	in->chain_off = malloc((n + 1) * sizeof(*in->chain_off));
	in->lo = malloc(n * sizeof(*in->lo));
	in->hi = malloc(n * sizeof(*in->hi));
	in->lo_op = malloc(n * sizeof(*in->lo_op));
	in->hi_op = malloc(n * sizeof(*in->hi_op));
	return in->role && in->block && in->pred && in->succ && in->seq &&
			       in->chain_off && in->lo && in->hi && in->lo_op &&
			       in->hi_op
		       ? 0
		       : -1;
}

void infer_free(struct infer *in)
{
	free(in->role);
	free(in->block);
	free(in->pred);
	free(in->succ);
	free(in->seq);
	free(in->chain_off);
	free(in->lo);
	free(in->hi);
	free(in->lo_op);
	free(in->hi_op);
}

enum lc_key_verdict lc_infer(struct lincheck *lc, const struct lc_key *k,
			     struct lc_why *why)
{
	struct infer in = {.lc = lc, .k = k, .why = why, .n = k->n};
	enum lc_key_verdict v = LC_KEY_NOMEM;
	uint32_t *order = NULL;
	int rv;

	if (infer_alloc(&in) != 0)
		goto out;
	rv = claim_writers(&in);
	if (rv != 0) {
		v = LC_KEY_UNDECIDED;
		goto release;
	}
	v = LC_KEY_ILLEGAL;
	if (pick_core(&in) != 0 || link_blocks(&in) != 0)
		goto release;
	rv = infer_build_chains(&in);
	if (rv == 0)
		rv = infer_chain_bounds(&in);
	if (rv == 0) {
		order = malloc((in.chains + 1) * sizeof(*order));
		rv = order == NULL ? -2 : infer_order_chains(&in, order);
	}
	if (rv == 0)
		rv = infer_witness(&in, order);
	v = rv == -1  ? LC_KEY_ILLEGAL
	    : rv == 1 ? LC_KEY_OK
	    : rv == 0 ? LC_KEY_UNDECIDED
		      : LC_KEY_NOMEM;
release:
	release_writers(&in);
out:
	free(order);
	infer_free(&in);
	return v;
}
