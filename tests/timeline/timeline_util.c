/* timeline_util.c - see timeline_util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline_util.h"

int tl_draw_file(const char *path, const struct timeline_opts *t, char **got,
		 size_t *len, char *err)
{
	char *ebuf = NULL;
	size_t elen = 0;
	FILE *out, *e;
	int rv = -1;

	*got = NULL;
	out = open_memstream(got, len);
	e = open_memstream(&ebuf, &elen);
	if (out != NULL && e != NULL)
		rv = timeline_render_file(path, t, out, e);
	if (out != NULL)
		fclose(out);
	if (e != NULL)
		fclose(e);
	if (err != NULL)
		snprintf(err, 1024, "%s", ebuf != NULL ? ebuf : "");
	free(ebuf);
	return rv;
}

int tl_draw_events(const struct wev *ev, size_t n,
		   const struct timeline_opts *t, char **got, size_t *len)
{
	FILE *out = open_memstream(got, len);
	int rv;

	if (out == NULL)
		return -1;
	rv = timeline_render(ev, n, t, out);
	fclose(out);
	return rv;
}

char *timeline_lane(const char *text, const char *label, char *buf, size_t size)
{
	size_t n = strlen(label), len;
	const char *line;

	for (line = text; line != NULL && *line != '\0';
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, label, n) != 0 ||
		    (line[n] != ' ' && line[n] != '\n' && line[n] != '\0'))
			continue;
		len = strcspn(line, "\n");
		if (len >= size)
			return NULL;
		memset(buf, 0, size);
		memcpy(buf, line, len);
		return buf;
	}
	return NULL;
}

char *tl_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1))) {
		*len = fread(buf, 1, (size_t)size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

int tl_first_diff_line(const char *a, const char *b)
{
	int line = 1;

	for (; *a != '\0' && *a == *b; a++, b++)
		line += *a == '\n';
	return line;
}
