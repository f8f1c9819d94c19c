/* lchist.c - see lchist.h. */
#include "lchist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck/lincheck_internal.h"

#define MAX_CLIENTS 64

static struct lincheck *lc;
static uint64_t next_id[MAX_CLIENTS];
static int refused;
static char *report;

void h_end(void)
{
	lincheck_free(lc);
	lc = NULL;
	free(report);
	report = NULL;
}

void h_begin(bool search_only)
{
	h_end();
	lc = lincheck_new();
	if (lc != NULL)
		lc->search_only = search_only;
	memset(next_id, 0, sizeof(next_id));
	refused = 0;
}

static struct hist_str str(const char *s)
{
	struct hist_str h = {s, s ? strlen(s) : 0, s == NULL};

	return h;
}

static void add(struct hist_event *ev)
{
	char err[256];

	if (lc == NULL || lincheck_add(lc, ev, err, sizeof(err)) != 0)
		refused++;
}

static void invoke(double ms, int client, enum hist_op op, const char *key,
		   const char *expect, const char *value)
{
	struct hist_event ev = {.type = HIST_INVOKE,
				.us = (int64_t)(ms * 1000),
				.client = client,
				.op = op};

	ev.id = ++next_id[client % MAX_CLIENTS];
	ev.key = str(key);
	ev.expect = str(expect);
	ev.value = str(value);
	add(&ev);
}

void h_get(double ms, int client, const char *key)
{
	invoke(ms, client, HIST_GET, key, NULL, NULL);
}

void h_put(double ms, int client, const char *key, const char *value)
{
	invoke(ms, client, HIST_PUT, key, NULL, value);
}

void h_append(double ms, int client, const char *key, const char *value)
{
	invoke(ms, client, HIST_APPEND, key, NULL, value);
}

void h_delete(double ms, int client, const char *key)
{
	invoke(ms, client, HIST_DELETE, key, NULL, NULL);
}

void h_cas(double ms, int client, const char *key, const char *expect,
	   const char *value)
{
	invoke(ms, client, HIST_CAS, key, expect, value);
}

static void complete(double ms, int client, enum hist_type type,
		     struct hist_event *ev)
{
	ev->type = type;
	ev->us = (int64_t)(ms * 1000);
	ev->client = client;
	ev->id = next_id[client % MAX_CLIENTS];
	add(ev);
}

void h_ok(double ms, int client)
{
	struct hist_event ev = {0};

	complete(ms, client, HIST_OK, &ev);
}

void h_read(double ms, int client, const char *value)
{
	struct hist_event ev = {.has_value = true};

	ev.value = str(value);
	complete(ms, client, HIST_OK, &ev);
}

void h_swapped(double ms, int client, bool swapped)
{
	struct hist_event ev = {.has_swapped = true, .swapped = swapped};

	complete(ms, client, HIST_OK, &ev);
}

void h_fail(double ms, int client)
{
	struct hist_event ev = {0};

	complete(ms, client, HIST_FAIL, &ev);
}

void h_info(double ms, int client)
{
	struct hist_event ev = {0};

	complete(ms, client, HIST_INFO, &ev);
}

int h_refused(void)
{
	return refused;
}

enum lincheck_verdict h_verdict(void)
{
	size_t len = 0;
	FILE *out;
	enum lincheck_verdict v;

	free(report);
	report = NULL;
	if (lc == NULL)
		return LINCHECK_NOMEM;
	out = open_memstream(&report, &len);
	v = lincheck_run(lc, 0, out);
	if (out != NULL)
		fclose(out);
	return v;
}

const char *h_report(void)
{
	return report != NULL ? report : "";
}

uint64_t h_keys_by_inference(void)
{
	struct lincheck_stats st = {0};

	if (lc != NULL)
		lincheck_get_stats(lc, &st);
	return st.keys_by_inference;
}
