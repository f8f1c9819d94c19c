/* lchist.h - hand-made client histories for the checker's tests: each
 * call is one event, in the order a test lists them (times in ms).
 * Clients number their ids themselves; a completion goes to the client's
 * open invoke. */
#ifndef LCHIST_H
#define LCHIST_H

#include <stdbool.h>
#include <stdint.h>

#include "lincheck/lincheck.h"

/* A fresh history (the last one freed). search_only: every key goes to
 * the search, none is decided by inference. */
void h_begin(bool search_only);
void h_end(void);

/* invoke: op is "get", "put", "append", "cas" or "delete"; value and
 * expect as the op takes them (NULL: JSON null). */
void h_get(double ms, int client, const char *key);
void h_put(double ms, int client, const char *key, const char *value);
void h_append(double ms, int client, const char *key, const char *value);
void h_delete(double ms, int client, const char *key);
void h_cas(double ms, int client, const char *key, const char *expect,
	   const char *value);
/* completions */
void h_ok(double ms, int client);
void h_read(double ms, int client, const char *value); /* ok of a get */
void h_swapped(double ms, int client, bool swapped);   /* ok of a cas */
void h_fail(double ms, int client);
void h_info(double ms, int client);

/* How many events lincheck_add refused. */
int h_refused(void);
/* The verdict; the report, if any, in h_report() until the next call. */
enum lincheck_verdict h_verdict(void);
const char *h_report(void);
/* How many keys the last h_verdict() decided by inference. */
uint64_t h_keys_by_inference(void);

#endif
