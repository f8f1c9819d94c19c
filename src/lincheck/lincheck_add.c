/* lincheck_add.c - events become operations: an invoke opens one for its
 * client, the completion with its id closes it (ok, fail, or info: open
 * for ever). A client has one op without completion at a time, and uses
 * an id once. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck_internal.h"

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
