/* live_draw.c - one frame of --live as ANSI text (live_view.h). Pure: the
 * frame is a function of the view and the terminal's size.
 *
 * Layout, top to bottom: the run's line; the nodes' column heads; one row
 * per node (what does not fit is counted on one line); the last events
 * (as many as fit); the verdict so far; the answer to the last key; the
 * keys. The nodes come first: they are what a user watches.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "live_view.h"

#define BOLD "\x1b[1m"
#define REV "\x1b[7m"
#define GREEN "\x1b[32m"
#define YELLOW "\x1b[33m"
#define RED "\x1b[31m"
#define PLAIN "\x1b[0m"

/* The lines below the nodes that every frame has: verdict, status, keys. */
#define FOOT_LINES 3
/* Above them: the run's line and the column heads. */
#define HEAD_LINES 2

struct frame {
	char *buf;
	size_t cap;
	size_t len;
	int cols;
	int row; /* the last line placed, from 1 */
};

void live_bar(char *out, size_t cap, unsigned elapsed, unsigned timeout,
	      int width)
{
	unsigned left = elapsed < timeout ? timeout - elapsed : 0;
	int full = 0;
	int i;

	assert(width >= 0 && cap > (size_t)width);
	/* Rounded up: a timer with any time left shows at least one cell. */
	if (timeout > 0)
		full = (int)(((uint64_t)left * (unsigned)width + timeout - 1) /
			     timeout);
	for (i = 0; i < width; i++)
		out[i] = i < full ? '#' : '.';
	out[width] = '\0';
}

/* Appends text, counting only what shows (escape sequences do not) and
 * cutting it at the frame's width; *shown carries the count along one
 * line. */
static void put_cut(struct frame *f, const char *text, int *shown)
{
	size_t i = 0;
	char ch;

	while (text[i] != '\0' && f->len + 1 < f->cap) {
		ch = text[i++];
		if (ch == '\x1b') { /* ESC [ params letter: whole, never cut */
			f->buf[f->len++] = ch;
			while (text[i] != '\0' && f->len + 1 < f->cap) {
				ch = text[i++];
				f->buf[f->len++] = ch;
				if (ch != '[' && ((ch >= 'a' && ch <= 'z') ||
						  (ch >= 'A' && ch <= 'Z')))
					break;
			}
			continue;
		}
		if (*shown < f->cols) {
			f->buf[f->len++] = ch;
			(*shown)++;
		}
	}
	f->buf[f->len] = '\0';
}

/* One whole screen line, the next: printf-style, cut to the width,
 * cleared to its end. Lines are placed, never ended with a newline, so
 * the last row does not scroll the screen. */
static void line(struct frame *f, const char *fmt, ...)
{
	char text[512];
	char at[24];
	int shown = 0;
	va_list ap;

	snprintf(at, sizeof(at), "\x1b[%d;1H", ++f->row);
	put_cut(f, at, &shown);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	put_cut(f, text, &shown);
	put_cut(f, PLAIN "\x1b[K", &shown);
}

static const char *role_name(const struct live_node_view *n)
{
	if (n->status == NODE_CRASHED)
		return "-";
	switch (n->role) {
	case RAFT_LEADER:
		return "leader";
	case RAFT_CANDIDATE:
		return "candidate";
	default:
		return "follower";
	}
}

static const char *status_name(enum node_status s)
{
	return s == NODE_UP ? "up" : s == NODE_PAUSED ? "PAUSED" : "CRASHED";
}

static void id_or_dash(char *out, size_t cap, int id)
{
	if (id < 0)
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%d", id);
}

/* The timer's cell: the bar, or what stands in for it. */
static void timer_cell(const struct live_node_view *n, int width, char *out,
		       size_t cap)
{
	char bar[64];
	const char *word = NULL;

	if (n->status != NODE_UP)
		word = n->status == NODE_PAUSED ? "paused" : "crashed";
	else if (n->role == RAFT_LEADER)
		word = n->flash ? ">> heartbeat >>" : "leading";
	if (word == NULL) {
		live_bar(bar, sizeof(bar), n->election_elapsed,
			 n->election_timeout, width);
		snprintf(out, cap, "[%s]", bar);
		return;
	}
	snprintf(out, cap, "[%s%-*.*s%s]",
		 n->flash && n->status == NODE_UP ? REV : "", width, width,
		 word, n->flash && n->status == NODE_UP ? PLAIN : "");
}

static void node_row(struct frame *f, const struct live_view *v, int id,
		     int width)
{
	const struct live_node_view *n = &v->node[id];
	const char *color = "";
	char vote[16], leader[16], cell[128];

	if (n->status == NODE_CRASHED)
		color = RED;
	else if (n->status == NODE_PAUSED)
		color = YELLOW;
	else if (n->role == RAFT_LEADER)
		color = GREEN BOLD;
	id_or_dash(vote, sizeof(vote), n->voted_for);
	id_or_dash(leader, sizeof(leader), n->leader_id);
	timer_cell(n, width, cell, sizeof(cell));
	line(f,
	     "%s%4d  %-7s  %-9s  %5" PRIu64 "  %4s  %6s  %s%s  %6" PRIu64
	     "  %7" PRIu64,
	     color, id, status_name(n->status), role_name(n), n->term, vote,
	     leader, cell, color, n->commit_index, n->last_applied);
}

static void head(struct frame *f, const struct live_view *v, int width)
{
	char speed[32] = "";

	if (v->speed > 0)
		snprintf(speed, sizeof(speed), "  speed %gx", v->speed);
	line(f,
	     BOLD "raftsim --live" PLAIN "  %s  tick %" PRIu64 "/%" PRIu64
		  "  %d nodes%s%s%s",
	     v->mode, v->tick, v->ticks, v->nodes, speed,
	     v->partitioned ? "  " YELLOW "PARTITIONED" PLAIN : "",
	     v->frozen ? "  " REV "FROZEN (space)" PLAIN : "");
	line(f, "%4s  %-7s  %-9s  %5s  %4s  %6s  %-*s  %6s  %7s", "node",
	     "state", "role", "term", "vote", "leader", width + 2,
	     "election timeout", "commit", "applied");
}

static void foot(struct frame *f, const struct live_view *v)
{
	if (v->violations == 0)
		line(f, "verdict so far: " GREEN "PASS" PLAIN
			" (the checker found nothing)");
	else
		line(f,
		     "verdict so far: " RED BOLD "FAIL" PLAIN " (%" PRIu64
		     " violations)",
		     v->violations);
	line(f, "%s", v->status);
	line(f, "keys: p [N] pause/resume  k [N] crash/restart  x isolate "
		"leader  h heal  + - speed  space freeze  q quit");
}

size_t live_draw(const struct live_view *v, int rows, int cols, char *buf,
		 size_t cap)
{
	struct frame f = {buf, cap, 0, cols, 0};
	int width = cols - 70;
	int avail = rows - HEAD_LINES - FOOT_LINES;
	int shown_nodes;
	int events;
	int i;

	assert(cap > 0);
	buf[0] = '\0';
	width = width < 8 ? 8 : width > 30 ? 30 : width;
	if (rows < LIVE_MIN_ROWS || cols < LIVE_MIN_COLS) {
		line(&f, "terminal too small for --live (%dx%d, needs %dx%d)",
		     cols, rows, LIVE_MIN_COLS, LIVE_MIN_ROWS);
		put_cut(&f, "\x1b[J", &(int){0});
		return f.len;
	}
	head(&f, v, width);
	shown_nodes = v->nodes <= avail ? v->nodes : avail - 1;
	for (i = 0; i < shown_nodes; i++)
		node_row(&f, v, i, width);
	if (shown_nodes < v->nodes)
		line(&f, "  ... %d more nodes (a taller terminal shows them)",
		     v->nodes - shown_nodes);
	avail -= v->nodes <= avail ? v->nodes : avail;
	if (avail >= 2) {
		events = avail - 1 < v->event_count ? avail - 1
						    : v->event_count;
		line(&f, BOLD "last events" PLAIN);
		for (i = v->event_count - events; i < v->event_count; i++)
			line(&f, "  %s", v->events[i]);
		avail -= events + 1;
	}
	for (; avail > 0; avail--)
		line(&f, "%s", "");
	foot(&f, v);
	put_cut(&f, "\x1b[J", &(int){0});
	return f.len;
}
