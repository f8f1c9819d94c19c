/* fenced.c - the fenced store; see fenced.h. */
#include <string.h>

#include "fenced.h"

void fenced_init(struct fenced *f, bool no_fencing)
{
	memset(f, 0, sizeof(*f));
	f->no_fencing = no_fencing;
}

enum fenced_result fenced_write(struct fenced *f, uint64_t token,
				uint64_t *highest)
{
	*highest = f->highest;
	if (token >= f->highest) {
		f->highest = token;
		f->stats.accepted++;
		return FENCED_ACCEPTED;
	}
	if (!f->no_fencing) {
		f->stats.refused++;
		return FENCED_REFUSED;
	}
	/* The mistake: a deposed leader's write lands after its successor's. */
	f->stats.accepted++;
	f->stats.stale_accepted++;
	return FENCED_STALE_ACCEPTED;
}
