/* timeline_util.h - drawing timelines into memory for the tests. */
#ifndef TIMELINE_UTIL_H
#define TIMELINE_UTIL_H

#include <stddef.h>

#include "cli/timeline.h"

/* timeline_render_file into a fresh buffer *got (free it), its messages
 * into err (NULL: discarded; else at least 1024 bytes). Returns its
 * result, or -1 if memory streams fail. */
int tl_draw_file(const char *path, const struct timeline_opts *t, char **got,
		 size_t *len, char *err);
/* timeline_render likewise. */
int tl_draw_events(const struct wev *ev, size_t n,
		   const struct timeline_opts *t, char **got, size_t *len);

/* Copies the line of text that starts with label (then a space or its
 * end) into buf, zero-filled after it. NULL if there is none. */
char *timeline_lane(const char *text, const char *label, char *buf,
		    size_t size);

/* A whole file in a fresh buffer, or NULL. */
char *tl_slurp(const char *path, size_t *len);
/* The 1-based number of the first line where a and b differ. */
int tl_first_diff_line(const char *a, const char *b);

#endif
