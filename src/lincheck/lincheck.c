/* lincheck.c - the checker's front: events become operations (a
 * completion matched to its client's open invoke), the operations are
 * partitioned by key (P-compositionality: the history is linearizable iff
 * every key's is), and each key is decided by inference, or by the search
 * where inference cannot (lincheck.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lincheck_internal.h"

int64_t lc_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool lc_timed_out(const struct lincheck *lc)
{
	return lc->deadline_us != 0 && lc_now_us() >= lc->deadline_us;
}

struct lincheck *lincheck_new(void)
{
	struct lincheck *lc = calloc(1, sizeof(*lc));

	if (lc == NULL)
		return NULL;
	lc->client_mask = 63;
	lc->id_mask = 1023;
	lc->clients = calloc(lc->client_mask + 1, sizeof(*lc->clients));
	lc->ids = calloc((size_t)lc->id_mask + 1, 2 * sizeof(*lc->ids));
	if (lc->clients == NULL || lc->ids == NULL ||
	    lc_strings_init(&lc->strings) != 0) {
		lincheck_free(lc);
		return NULL;
	}
	return lc;
}

void lincheck_free(struct lincheck *lc)
{
	if (lc == NULL)
		return;
	free(lc->ops);
	free(lc->clients);
	free(lc->ids);
	free(lc->writer);
	free(lc->cat);
	lc_strings_free(&lc->strings);
	free(lc);
}

void lincheck_get_stats(const struct lincheck *lc, struct lincheck_stats *out)
{
	*out = lc->stats;
}

static int err_out(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int err_out(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap > 0) {
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint32_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* The client's slot, made when new (client numbers are any int >= 0). */
static struct lc_client *client_slot(struct lincheck *lc, int client)
{
	uint32_t i;

	if ((uint64_t)(lc->n_clients + 1) * 2 > lc->client_mask) {
		uint32_t mask = lc->client_mask * 2 + 1, j;
		struct lc_client *t = calloc((size_t)mask + 1, sizeof(*t));

		if (t == NULL)
			return NULL;
		for (j = 0; j <= lc->client_mask; j++) {
			if (!lc->clients[j].used)
				continue;
			i = mix((uint64_t)lc->clients[j].client) & mask;
			while (t[i].used)
				i = (i + 1) & mask;
			t[i] = lc->clients[j];
		}
		free(lc->clients);
		lc->clients = t;
		lc->client_mask = mask;
	}
	i = mix((uint64_t)client) & lc->client_mask;
	while (lc->clients[i].used && lc->clients[i].client != client)
		i = (i + 1) & lc->client_mask;
	if (!lc->clients[i].used) {
		lc->clients[i].used = true;
		lc->clients[i].client = client;
		lc->clients[i].pending = -1;
		lc->clients[i].last = -1;
		lc->n_clients++;
	}
	return &lc->clients[i];
}

/* Records (client, id); 1 when it was there already, -1 out of memory.
 * A slot holds client + 1 (0: empty) and the id. */
static int id_seen(struct lincheck *lc, int client, uint64_t id)
{
	uint64_t c = (uint64_t)client + 1;
	uint32_t i;

	if ((uint64_t)(lc->n_ids + 1) * 2 > lc->id_mask) {
		uint32_t mask = lc->id_mask * 2 + 1, j;
		uint64_t *t = calloc((size_t)mask + 1, 2 * sizeof(*t));

		if (t == NULL)
			return -1;
		for (j = 0; j <= lc->id_mask; j++) {
			if (lc->ids[2 * j] == 0)
				continue;
			i = mix(lc->ids[2 * j] * 0x9e3779b97f4a7c15ull +
				lc->ids[2 * j + 1]) &
			    mask;
			while (t[2 * i] != 0)
				i = (i + 1) & mask;
			t[2 * i] = lc->ids[2 * j];
			t[2 * i + 1] = lc->ids[2 * j + 1];
		}
		free(lc->ids);
		lc->ids = t;
		lc->id_mask = mask;
	}
	i = mix(c * 0x9e3779b97f4a7c15ull + id) & lc->id_mask;
	while (lc->ids[2 * i] != 0) {
		if (lc->ids[2 * i] == c && lc->ids[2 * i + 1] == id)
			return 1;
		i = (i + 1) & lc->id_mask;
	}
	lc->ids[2 * i] = c;
	lc->ids[2 * i + 1] = id;
	lc->n_ids++;
	return 0;
}

static int intern(struct lincheck *lc, const struct hist_str *s, uint32_t *id)
{
	int64_t v;

	if (s->null) {
		*id = LC_NULL;
		return 0;
	}
	v = lc_intern(&lc->strings, s->s, s->len);
	if (v < 0)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* Whether the client used id before: ids that only grow need no set
 * (the usual case); a client whose ids go back has all of them put in the
 * set from then on. 1 seen, 0 not, -1 out of memory. */
static int client_id_seen(struct lincheck *lc, struct lc_client *c, uint64_t id)
{
	int64_t i;

	if (!c->in_set && (c->last < 0 || id > c->max_id)) {
		c->max_id = id;
		return 0;
	}
	if (!c->in_set) {
		for (i = c->last; i >= 0;
		     i = lc->ops[i].prev == UINT32_MAX
				 ? (int64_t)-1
				 : (int64_t)lc->ops[i].prev)
			if (id_seen(lc, c->client, lc->ops[i].id) < 0)
				return -1;
		c->in_set = true;
	}
	return id_seen(lc, c->client, id);
}

static int add_invoke(struct lincheck *lc, const struct hist_event *ev,
		      struct lc_client *c, char *err, size_t errcap)
{
	struct lc_op *op;
	int seen;

	if (c->pending >= 0)
		return err_out(err, errcap,
			       "client %d invokes id %llu while its id %llu "
			       "has no completion",
			       ev->client, (unsigned long long)ev->id,
			       (unsigned long long)lc->ops[c->pending].id);
	seen = client_id_seen(lc, c, ev->id);
	if (seen != 0)
		return err_out(err, errcap,
			       seen < 0 ? "out of memory"
					: "client %d invokes id %llu twice",
			       ev->client, (unsigned long long)ev->id);
	if (lc->n_ops == lc->cap_ops) {
		size_t cap = lc->cap_ops ? 2 * lc->cap_ops : 1024;
		struct lc_op *ops = realloc(lc->ops, cap * sizeof(*ops));

		if (ops == NULL)
			return err_out(err, errcap, "out of memory");
		lc->ops = ops;
		lc->cap_ops = cap;
	}
	op = &lc->ops[lc->n_ops];
	memset(op, 0, sizeof(*op));
	op->client = ev->client;
	op->id = ev->id;
	op->op = ev->op;
	op->status = LC_PENDING;
	op->inv = ev->us;
	op->ret = LC_OPEN;
	op->prev = c->last < 0 ? UINT32_MAX : (uint32_t)c->last;
	c->last = (int64_t)lc->n_ops;
	if (intern(lc, &ev->key, &op->key) != 0 ||
	    intern(lc, &ev->value, &op->value) != 0 ||
	    intern(lc, &ev->expect, &op->expect) != 0)
		return err_out(err, errcap, "out of memory");
	if (ev->op == HIST_GET || ev->op == HIST_DELETE)
		op->value = LC_NULL;
	if (ev->op != HIST_CAS)
		op->expect = LC_NULL;
	c->pending = (int64_t)lc->n_ops++;
	lc->stats.operations++;
	return 0;
}

static int add_completion(struct lincheck *lc, const struct hist_event *ev,
			  struct lc_client *c, char *err, size_t errcap)
{
	struct lc_op *op;

	if (c->pending < 0 || lc->ops[c->pending].id != ev->id)
		return err_out(err, errcap,
			       "%s of client %d id %llu matches no open invoke "
			       "of that client",
			       hist_type_name(ev->type), ev->client,
			       (unsigned long long)ev->id);
	op = &lc->ops[c->pending];
	if (ev->us < op->inv)
		return err_out(err, errcap,
			       "client %d id %llu completes before its invoke",
			       ev->client, (unsigned long long)ev->id);
	if (ev->type == HIST_OK && op->op == HIST_GET && !ev->has_value)
		return err_out(
			err, errcap,
			"the ok of get client %d id %llu has no \"value\"",
			ev->client, (unsigned long long)ev->id);
	if (ev->type == HIST_OK && op->op == HIST_CAS && !ev->has_swapped)
		return err_out(err, errcap,
			       "the ok of cas client %d id %llu has no "
			       "\"swapped\"",
			       ev->client, (unsigned long long)ev->id);
	if (ev->type == HIST_OK && op->op == HIST_GET &&
	    intern(lc, &ev->value, &op->result) != 0)
		return err_out(err, errcap, "out of memory");
	op->swapped = ev->swapped;
	op->status = ev->type == HIST_OK     ? LC_OK
		     : ev->type == HIST_FAIL ? LC_FAIL
					     : LC_INFO;
	if (op->status != LC_INFO)
		op->ret = ev->us;
	c->pending = -1;
	return 0;
}

int lincheck_add(struct lincheck *lc, const struct hist_event *ev, char *err,
		 size_t errcap)
{
	struct lc_client *c;

	if (ev->client < 0)
		return err_out(err, errcap, "client %d is negative",
			       ev->client);
	c = client_slot(lc, ev->client);
	if (c == NULL)
		return err_out(err, errcap, "out of memory");
	if (ev->type == HIST_INVOKE)
		return add_invoke(lc, ev, c, err, errcap);
	return add_completion(lc, ev, c, err, errcap);
}

/* ---- the partition ---- */

static int by_invoke(const void *a, const void *b, const struct lc_op *ops)
{
	const struct lc_op *x = &ops[*(const uint32_t *)a];
	const struct lc_op *y = &ops[*(const uint32_t *)b];

	if (x->inv != y->inv)
		return x->inv < y->inv ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Sorts idx[0..n) by invoke time (then by position): merge sort, since
 * qsort has no context argument in C11. */
static void sort_by_invoke(uint32_t *idx, uint32_t *tmp, size_t n,
			   const struct lc_op *ops)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_by_invoke(idx, tmp, mid, ops);
	sort_by_invoke(idx + mid, tmp, n - mid, ops);
	if (by_invoke(&idx[mid - 1], &idx[mid], ops) <= 0)
		return; /* already in order: the usual case */
	while (i < mid && j < n)
		tmp[k++] = by_invoke(&idx[i], &idx[j], ops) <= 0 ? idx[i++]
								 : idx[j++];
	while (i < mid)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

/* The ops of every key but the failed ones, key by key, each key's by
 * invoke time: order[start[k] .. start[k+1]). Returns the key count, or
 * -1 when out of memory. */
static int64_t partition(struct lincheck *lc, uint32_t **order_out,
			 size_t **start_out, uint32_t **key_of_out)
{
	uint32_t nstr = lc->strings.count, nkeys = 0, *slot, *order = NULL,
		 *tmp = NULL, *key_of = NULL;
	size_t *start = NULL, i, n = 0;

	slot = malloc(nstr * sizeof(*slot));
	if (slot == NULL)
		return -1;
	memset(slot, 0xff, nstr * sizeof(*slot));
	for (i = 0; i < lc->n_ops; i++) {
		if (lc->ops[i].status == LC_FAIL)
			continue;
		if (slot[lc->ops[i].key] == UINT32_MAX)
			slot[lc->ops[i].key] = nkeys++;
		n++;
	}
	start = calloc((size_t)nkeys + 2, sizeof(*start));
	order = malloc((n + 1) * sizeof(*order));
	tmp = malloc((n + 1) * sizeof(*tmp));
	key_of = malloc(((size_t)nkeys + 1) * sizeof(*key_of));
	if (start == NULL || order == NULL || tmp == NULL || key_of == NULL)
		goto err;
	for (i = 0; i < lc->n_ops; i++)
		if (lc->ops[i].status != LC_FAIL)
			start[slot[lc->ops[i].key] + 2]++;
	for (i = 2; i < (size_t)nkeys + 2; i++)
		start[i] += start[i - 1];
	for (i = 0; i < lc->n_ops; i++) {
		uint32_t k;

		if (lc->ops[i].status == LC_FAIL)
			continue;
		k = slot[lc->ops[i].key];
		key_of[k] = lc->ops[i].key;
		order[start[k + 1]++] = (uint32_t)i;
	}
	for (i = 0; i < nkeys; i++)
		sort_by_invoke(order + start[i], tmp, start[i + 1] - start[i],
			       lc->ops);
	free(tmp);
	free(slot);
	*order_out = order;
	*start_out = start;
	*key_of_out = key_of;
	return nkeys;
err:
	free(slot);
	free(start);
	free(order);
	free(tmp);
	free(key_of);
	return -1;
}

/* Real time at one instant: a completion and an invoke at the same time
 * are concurrent (the history cannot say which came first), except a
 * client's own: its next op was invoked after its last one completed.
 * Times become 3t (invokes) and 3t+2 (completions), and a client's pair
 * at one instant 3t (its completion) and 3t+1 (its next invoke): that
 * orders the pair and nothing else, as long as no other pair of the same
 * key shares the instant (then none of them is ordered: a loss of
 * precision, never a false order). */
struct tie {
	int64_t t;
	uint32_t key, b;
};

static int by_instant(const void *x, const void *y)
{
	const struct tie *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

static int mark_ties(struct lincheck *lc)
{
	struct tie *ties = malloc((lc->n_ops + 1) * sizeof(*ties));
	size_t i, j, n = 0;

	if (ties == NULL)
		return -1;
	for (i = 0; i < lc->n_ops; i++) {
		const struct lc_op *b = &lc->ops[i], *a;

		lc->ops[i].tie = 0;
		if (b->prev == UINT32_MAX)
			continue;
		a = &lc->ops[b->prev];
		if (a->status == LC_OK && a->ret == b->inv && a->inv < a->ret &&
		    a->key == b->key)
			ties[n++] = (struct tie){b->inv, b->key, (uint32_t)i};
	}
	qsort(ties, n, sizeof(*ties), by_instant);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && by_instant(&ties[i], &ties[j]) == 0;)
			j++;
		if (j == i + 1) {
			lc->ops[ties[i].b].tie |= 2;
			lc->ops[lc->ops[ties[i].b].prev].tie |= 1;
		}
	}
	free(ties);
	return 0;
}

static void scale_times(struct lincheck *lc, bool up)
{
	size_t i;

	for (i = 0; i < lc->n_ops; i++) {
		struct lc_op *op = &lc->ops[i];

		if (up) {
			op->inv = 3 * op->inv + ((op->tie & 2) ? 1 : 0);
			if (op->ret != LC_OPEN)
				op->ret = 3 * op->ret + ((op->tie & 1) ? 0 : 2);
		} else {
			op->inv = (op->inv - ((op->tie & 2) ? 1 : 0)) / 3;
			if (op->ret != LC_OPEN)
				op->ret = (op->ret - ((op->tie & 1) ? 0 : 2)) /
					  3;
		}
	}
}

static void why_free(struct lc_why *why)
{
	free(why->prefix);
	memset(why, 0, sizeof(*why));
	why->blocked = -1;
}

static enum lc_key_verdict decide_key(struct lincheck *lc,
				      const struct lc_key *k,
				      struct lc_why *why)
{
	enum lc_key_verdict v = lc->search_only ? LC_KEY_UNDECIDED
						: lc_infer(lc, k, why);

	if (v != LC_KEY_UNDECIDED) {
		lc->stats.keys_by_inference++;
		return v;
	}
	why_free(why);
	if (lc_timed_out(lc))
		return LC_KEY_TIMEOUT;
	lc->stats.keys_searched++;
	return lc_search(lc, k, why);
}

enum lincheck_verdict lincheck_run(struct lincheck *lc, int64_t timeout_us,
				   FILE *report)
{
	struct lc_why why = {.blocked = -1}, worst = {.blocked = -1};
	struct lc_key k, worst_key = {0};
	uint32_t *order = NULL, *key_of = NULL;
	size_t *start = NULL, i;
	int64_t nkeys;
	int illegal = 0, timeout = 0, nomem = 0;

	lc->deadline_us = timeout_us > 0 ? lc_now_us() + timeout_us : 0;
	lc->stats.open = lc->stats.failed = 0;
	lc->stats.keys_by_inference = lc->stats.keys_searched = 0;
	for (i = 0; i < lc->n_ops; i++) {
		lc->stats.open += lc->ops[i].ret == LC_OPEN;
		lc->stats.failed += lc->ops[i].status == LC_FAIL;
	}
	if (mark_ties(lc) != 0)
		return LINCHECK_NOMEM;
	scale_times(lc, true);
	nkeys = partition(lc, &order, &start, &key_of);
	if (nkeys < 0) {
		scale_times(lc, false);
		return LINCHECK_NOMEM;
	}
	lc->stats.keys = (uint64_t)nkeys;
	for (i = 0; i < (size_t)nkeys; i++) {
		enum lc_key_verdict v;

		k.ops = order + start[i];
		k.n = start[i + 1] - start[i];
		k.key = key_of[i];
		v = decide_key(lc, &k, &why);
		timeout |= v == LC_KEY_TIMEOUT;
		nomem |= v == LC_KEY_NOMEM;
		if (v == LC_KEY_ILLEGAL && (!illegal || k.n < worst_key.n)) {
			why_free(&worst);
			worst = why;
			worst_key = k;
			memset(&why, 0, sizeof(why));
			illegal++;
		} else if (v == LC_KEY_ILLEGAL) {
			illegal++;
		}
		why_free(&why);
	}
	if (illegal && report != NULL) {
		fprintf(report,
			"lincheck: %d of %lld keys not linearizable; "
			"the smallest:\n",
			illegal, (long long)nkeys);
		lc_report(lc, &worst_key, &worst, report);
	}
	why_free(&worst);
	free(order);
	free(start);
	free(key_of);
	scale_times(lc, false);
	if (illegal)
		return LINCHECK_ILLEGAL;
	if (nomem)
		return LINCHECK_NOMEM;
	return timeout ? LINCHECK_UNKNOWN : LINCHECK_OK;
}
