/* lincheck_append.h - what the append inference's two files share
 * (lincheck_infer_append.c: chunks, links and the relaxed check;
 * lincheck_append_assign.c: the witness; lincheck_append_order.c: the cas
 * that did not swap, put in). */
#ifndef LINCHECK_APPEND_H
#define LINCHECK_APPEND_H

#include "lincheck_infer.h"

enum { NULLREAD = NOSWAP + 1 }; /* a role: a completed get of absent */

#define APP_UNSET (-2)  /* cpred: no read showed what the append followed */
#define APP_ABSENT (-1) /* the key absent (cpred, last, a state) */
#define APP_NEVER (-3)  /* last: a string no state of the key can be */

struct app {
	struct infer in;
	int32_t *cpred;     /* per append: the chunk's writer before it */
	uint32_t *cpred_by; /* per append: the op that showed it */
	int32_t *last;      /* per get, cas: last chunk's writer of what it
			    * saw (result; expect), APP_ABSENT, APP_NEVER */
	uint32_t *stamp;    /* per writer: the last parse that met its chunk */
	uint32_t now;
	uint32_t *todo; /* open cas found to have swapped, to observe */
	size_t ntodo;
	uint32_t *map; /* chunk bytes -> writer + 1, open addressing */
	size_t mask;
};

/* The key's witness, from a naming of the deletes each get of absent,
 * append to absent and cas from absent saw (lincheck_append_assign.c),
 * after the relaxed chains (in->seq, chain_off, hi) were built: 1 a
 * linearization (lc_witness_ok), 0 not found so, -2 out of memory. It
 * changes the roles, blocks and links. */
int app_assign_witness(struct app *a);
/* seq (the core and the gets of absent, in order) with the cas that did
 * not swap put in (lincheck_append_order.c), replayed: as above, or -1
 * when one finds no place (why->involved names ops in its span). */
int app_place_noswap(struct app *a, const uint32_t *seq, size_t n);

#endif
