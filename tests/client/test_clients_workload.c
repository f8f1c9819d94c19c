/* test_clients_workload.c - what the clients (src/client/clients.c,
 * clients_workload.c) ask for: unique self-delimiting values (history.h),
 * cas expectations that swap, and a history that replays from its seed.
 */
#include <stdio.h>
#include <string.h>

#include "fake_cluster.h"
#include "testhelp.h"

#define FOREVER INT64_MAX

static struct fake_cluster fk, fk2;

/* The value of invoke ev is c<client>i<id> then '.' up to value_bytes. */
static bool value_form_ok(const struct hist_event *ev, unsigned value_bytes)
{
	char form[64];
	int n = snprintf(form, sizeof(form), "c%di%llu", ev->client,
			 (unsigned long long)ev->id);
	size_t want = (size_t)n > value_bytes ? (size_t)n : value_bytes;
	size_t i;

	if (ev->value.len != want || memcmp(ev->value.s, form, (size_t)n))
		return false;
	for (i = (size_t)n; i < want; i++)
		if (ev->value.s[i] != '.')
			return false;
	return true;
}

/* Whether a read value is made of written chunks, split at each 'c'. */
static bool chunks_written(const struct fake_cluster *f, struct hist_str v)
{
	size_t at = 0, end, i;

	while (at < v.len) {
		bool found = false;

		if (v.s[at] != 'c')
			return false;
		for (end = at + 1; end < v.len && v.s[end] != 'c'; end++)
			;
		for (i = 0; i < f->nhist && !found; i++) {
			const struct hist_event *w = &f->hist[i].ev;

			found = w->type == HIST_INVOKE &&
				w->value.len == end - at &&
				memcmp(w->value.s, v.s + at, end - at) == 0;
		}
		if (!found)
			return false;
		at = end;
	}
	return true;
}

static void check_values(unsigned value_bytes)
{
	struct client_config cfg = fake_config(3, 3);
	size_t i, j, writes = 0, reads = 0, swapped = 0, refused = 0;

	cfg.value_bytes = value_bytes;
	cfg.read_ratio = 0.3;
	cfg.append_ratio = 0.3;
	cfg.max_ops = 600;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fake_run(&fk, FOREVER);
	CHECK_EQ(fk.clients.stats.ok, 600);
	for (i = 0; i < fk.nhist; i++) {
		const struct hist_event *ev = &fk.hist[i].ev;

		if (ev->type == HIST_OK && ev->has_value && !ev->value.null) {
			CHECK(chunks_written(&fk, ev->value));
			reads++;
		}
		if (ev->type == HIST_OK && ev->has_swapped)
			*(ev->swapped ? &swapped : &refused) += 1;
		if (ev->type != HIST_INVOKE || ev->op == HIST_GET ||
		    ev->op == HIST_DELETE)
			continue;
		writes++;
		CHECK(value_form_ok(ev, value_bytes));
		for (j = 0; j < i; j++)
			CHECK(fk.hist[j].ev.type != HIST_INVOKE ||
			      fk.hist[j].ev.value.len != ev->value.len ||
			      memcmp(fk.hist[j].ev.value.s, ev->value.s,
				     ev->value.len) != 0);
	}
	CHECK(writes > 200 && reads > 50);
	/* Expectations come from what the client saw: some cas swap. */
	CHECK(swapped > 5 && refused > 5);
	fake_free(&fk);
}

static void a_lone_clients_cas_mostly_swaps(void)
{
	struct client_config cfg = fake_only(KV_CAS, 3, 1);
	size_t i, swapped = 0, cas = 0;

	cfg.keys = 1;
	cfg.cas_ratio = 0.5; /* the rest puts */
	cfg.max_ops = 400;
	REQUIRE(fake_start(&fk, &cfg) == 0);
	fake_run(&fk, FOREVER);
	for (i = 0; i < fk.nhist; i++)
		if (fk.hist[i].ev.has_swapped) {
			cas++;
			swapped += fk.hist[i].ev.swapped;
		}
	/* It expects what it last saw (70%): nobody else writes. */
	CHECK(cas > 150);
	CHECK(swapped * 10 > cas * 6);
	CHECK(swapped < cas);
	fake_free(&fk);
}

static void values_are_unique_and_self_delimiting(void)
{
	check_values(4); /* shorter than the id: never cut */
	check_values(20);
}

/* Runs a workload of seed and writes its history into out. */
static void history_text(struct fake_cluster *f, uint64_t seed, char *out,
			 size_t cap)
{
	struct client_config cfg = fake_config(3, 4);
	size_t i, at = 0;

	cfg.seed = seed;
	cfg.max_ops = 300;
	out[0] = '\0';
	if (fake_start(f, &cfg) != 0)
		return;
	f->leader = f->hint = 2; /* redirects and a pause or two */
	fake_run(f, FOREVER);
	for (i = 0; i < f->nhist && at < cap; i++) {
		const struct hist_event *e = &f->hist[i].ev;
		int n = snprintf(
			out + at, cap - at, "%d %lld %d %llu %d %s %s %s %d\n",
			e->type, (long long)e->us, e->client,
			(unsigned long long)e->id, e->op, f->hist[i].key,
			f->hist[i].value, f->hist[i].expect, e->swapped);

		if (n < 0)
			break;
		at += (size_t)n;
	}
	fake_free(f);
}

static char text1[1 << 17], text2[1 << 17];

static void the_same_seed_gives_the_same_history(void)
{
	history_text(&fk, 11, text1, sizeof(text1));
	history_text(&fk2, 11, text2, sizeof(text2));
	CHECK(strlen(text1) > 1000);
	CHECK(strcmp(text1, text2) == 0);
	history_text(&fk2, 12, text2, sizeof(text2));
	CHECK(strcmp(text1, text2) != 0);
}

const struct test_case clients_workload_tests[] = {
	{"history: the values clients write are unique and self-delimiting; "
	 "some cas swap",
	 values_are_unique_and_self_delimiting},
	{"clients: a lone client's cas mostly swaps: it expects the value it "
	 "saw",
	 a_lone_clients_cas_mostly_swaps},
	{"clients: the same seed gives the same history",
	 the_same_seed_gives_the_same_history},
	{NULL, NULL},
};
