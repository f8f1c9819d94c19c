/* clients_workload.c - what the clients ask for: the operation mix of the
 * configuration, uniform keys, unique values, and cas expectations that
 * succeed often enough to matter (see clients_workload.h).
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "client/clients_workload.h"

/* A cas expects the last value this client saw for the key with this
 * probability, "absent" with CAS_NULL, and else another client's value:
 * the first makes swaps happen, the others make refusals happen. */
#define CAS_OWN 0.7
#define CAS_NULL 0.15

size_t clients_value_cap(const struct client_config *cfg)
{
	size_t cap = (size_t)cfg->value_bytes + 1;

	return cap > CLIENT_ID_FORM_MAX ? cap : CLIENT_ID_FORM_MAX;
}

size_t clients_value_of(const struct client_config *cfg, int writer,
			uint64_t id, char *buf)
{
	int n = snprintf(buf, CLIENT_ID_FORM_MAX, "c%di%" PRIu64,
			 cfg->client_base + writer, id);
	size_t len;

	assert(n > 0 && n < CLIENT_ID_FORM_MAX);
	/* Padding keeps the size asked for, but never cuts the id. */
	len = (size_t)n;
	while (len < cfg->value_bytes)
		buf[len++] = '.';
	buf[len] = '\0';
	return len;
}

size_t clients_key_of(uint32_t key, char *buf)
{
	int n = snprintf(buf, CLIENT_KEY_MAX, "k%" PRIu32, key);

	assert(n > 0 && n < CLIENT_KEY_MAX);
	return (size_t)n;
}

/* Reads a decimal number of s[*at ..], at least one digit, without
 * overflow. Returns -1 when there is none. */
static int parse_number(const uint8_t *s, size_t len, size_t *at, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *at;

	while (*at < len && s[*at] >= '0' && s[*at] <= '9') {
		unsigned d = (unsigned)(s[*at] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		(*at)++;
	}
	if (*at == start)
		return -1;
	*out = v;
	return 0;
}

/* Whether value is exactly one value of this run's form, and whose. An
 * appended key (several chunks) or a foreign value is not. */
static bool parse_value(const struct client_config *cfg, struct kv_bytes v,
			int *writer, uint64_t *id)
{
	char form[CLIENT_ID_FORM_MAX];
	uint64_t w;
	size_t at = 1;
	int n;

	if (v.len == 0 || v.data[0] != 'c' ||
	    parse_number(v.data, v.len, &at, &w) != 0 ||
	    w < (uint64_t)cfg->client_base ||
	    w - (uint64_t)cfg->client_base >= cfg->clients || at >= v.len ||
	    v.data[at++] != 'i' || parse_number(v.data, v.len, &at, id) != 0)
		return false;
	*writer = (int)(w - (uint64_t)cfg->client_base);
	/* The canonical form, padding included, and nothing else. */
	n = snprintf(form, sizeof(form), "c%di%" PRIu64, (int)w, *id);
	if (n <= 0 || (size_t)n != at || memcmp(form, v.data, at) != 0)
		return false;
	while (at < v.len && v.data[at] == '.')
		at++;
	return at == v.len &&
	       v.len == (cfg->value_bytes > (size_t)n ? cfg->value_bytes
						      : (size_t)n);
}

static struct client_seen *seen_slot(struct client *cl, uint32_t key)
{
	return &cl->seen[key % CLIENT_SEEN_SLOTS];
}

/* What client cl saw in key, or NULL when it does not remember. */
static const struct client_seen *seen_of(struct client *cl, uint32_t key)
{
	const struct client_seen *s = seen_slot(cl, key);

	return s->state != SEEN_NONE && s->key == key ? s : NULL;
}

static void remember(struct client *cl, uint32_t key, enum seen_state state,
		     int writer, uint64_t id)
{
	struct client_seen *s = seen_slot(cl, key);

	s->key = key;
	s->state = (uint8_t)state;
	s->writer = writer;
	s->id = id;
}

/* Sets cl's cas expectation to a remembered value (or absent). */
static void expect_seen(struct clients *c, struct client *cl,
			const struct client_seen *s)
{
	if (s == NULL || s->state == SEEN_ABSENT) {
		cl->expect_null = true;
		cl->expect_len = 0;
		return;
	}
	cl->expect_null = false;
	cl->expect_len = clients_value_of(&c->config, s->writer, s->id,
					  cl->expect);
}

static void draw_expect(struct clients *c, int i)
{
	struct client *cl = &c->client[i];
	double u = raft_rng_unit(&cl->rng);
	struct client_seen other_wrote;
	struct client *other;
	unsigned o;

	cl->expect_seen = u < CAS_OWN;
	if (u < CAS_OWN) {
		expect_seen(c, cl, seen_of(cl, cl->key));
		return;
	}
	if (u < CAS_OWN + CAS_NULL || c->config.clients < 2) {
		expect_seen(c, cl, NULL);
		return;
	}
	o = (unsigned)raft_rng_range(&cl->rng, 0, c->config.clients - 2);
	if (o >= (unsigned)i)
		o++; /* anyone but i */
	other = &c->client[o];
	if (seen_of(other, cl->key) != NULL) {
		expect_seen(c, cl, seen_of(other, cl->key));
		return;
	}
	other_wrote.state = other->wrote ? SEEN_VALUE : SEEN_ABSENT;
	other_wrote.writer = (int)o;
	other_wrote.id = other->wrote_id;
	expect_seen(c, cl, &other_wrote);
}

static enum kv_op draw_op(const struct client_config *cfg, struct raft_rng *rng)
{
	double u = raft_rng_unit(rng);

	if (u < cfg->read_ratio)
		return KV_GET;
	u -= cfg->read_ratio;
	if (u < cfg->cas_ratio)
		return KV_CAS;
	u -= cfg->cas_ratio;
	if (u < cfg->append_ratio)
		return KV_APPEND;
	u -= cfg->append_ratio;
	if (u < cfg->delete_ratio)
		return KV_DELETE;
	return KV_PUT;
}

void clients_draw(struct clients *c, int i)
{
	struct client *cl = &c->client[i];
	enum kv_op op = draw_op(&c->config, &cl->rng);

	assert(c->config.keys > 0);
	cl->op = (uint8_t)op;
	cl->key = (uint32_t)raft_rng_range(&cl->rng, 0, c->config.keys - 1);
	cl->value_len = 0;
	cl->expect_len = 0;
	cl->expect_null = false;
	cl->expect_seen = false;
	if (op == KV_PUT || op == KV_APPEND || op == KV_CAS)
		cl->value_len = clients_value_of(&c->config, i, cl->id,
						 cl->value);
	if (op == KV_CAS)
		draw_expect(c, i);
}

void clients_saw(struct clients *c, int i, const struct kv_reply *reply)
{
	struct client *cl = &c->client[i];
	bool wrote = false;
	uint64_t id;
	int writer;

	switch (cl->op) {
	case KV_GET:
		if (!reply->found)
			remember(cl, cl->key, SEEN_ABSENT, 0, 0);
		else if (parse_value(&c->config, reply->value, &writer, &id))
			remember(cl, cl->key, SEEN_VALUE, writer, id);
		else
			remember(cl, cl->key, SEEN_NONE, 0, 0);
		break;
	case KV_PUT:
		wrote = true;
		break;
	case KV_CAS:
		wrote = reply->swapped;
		if (!wrote && cl->expect_seen) /* what it saw is gone */
			remember(cl, cl->key, SEEN_NONE, 0, 0);
		break;
	case KV_APPEND: /* several chunks now: no single value */
		remember(cl, cl->key, SEEN_NONE, 0, 0);
		break;
	case KV_DELETE:
		remember(cl, cl->key, SEEN_ABSENT, 0, 0);
		break;
	default:
		assert(0);
	}
	if (wrote) {
		remember(cl, cl->key, SEEN_VALUE, i, cl->id);
		cl->wrote = true;
		cl->wrote_id = cl->id;
	}
}
