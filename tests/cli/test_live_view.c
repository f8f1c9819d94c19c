/* test_live_view.c - the pure parts of --live (src/cli/live_view.h): the
 * keys, the election-timeout bar, and the frame's layout at any size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/live_view.h"
#include "testhelp.h"

#define ROWS_MAX 64
#define COLS_MAX 256

/* What a terminal would show for a frame: cursor placements (ESC[r;cH)
 * obeyed, every other escape sequence skipped. */
struct screen {
	char line[ROWS_MAX][COLS_MAX + 1];
};

static void render(const char *frame, struct screen *s)
{
	const char *p = frame;
	int row = 0, col = 0, r, c;

	memset(s, 0, sizeof(*s));
	while (*p != '\0') {
		if (*p == '\x1b') {
			if (sscanf(p, "\x1b[%d;%dH", &r, &c) == 2) {
				row = r - 1;
				col = c - 1;
			}
			p++; /* the '[' */
			while (*++p != '\0' && !((*p >= 'a' && *p <= 'z') ||
						 (*p >= 'A' && *p <= 'Z')))
				;
			if (*p != '\0')
				p++;
			continue;
		}
		if (row >= 0 && row < ROWS_MAX && col < COLS_MAX)
			s->line[row][col++] = *p;
		p++;
	}
}

static struct live_node_view nodes[8];

static void five_nodes(struct live_view *v)
{
	int i;

	memset(v, 0, sizeof(*v));
	memset(nodes, 0, sizeof(nodes));
	v->mode = "threads";
	v->nodes = 5;
	v->ticks = 1000;
	v->node = nodes;
	for (i = 0; i < 5; i++) {
		nodes[i].term = 2;
		nodes[i].voted_for = 3;
		nodes[i].leader_id = 3;
		nodes[i].election_timeout = 10;
		nodes[i].election_elapsed = (unsigned)i;
	}
	nodes[3].role = RAFT_LEADER;
	nodes[1].status = NODE_PAUSED;
	v->event_count = 2;
	strcpy(v->events[0], "0.100s  node 3 starts an election, term 2");
	strcpy(v->events[1], "0.110s  node 3 is LEADER in term 2");
}

static char frame[1 << 16];
static struct screen scr;

static void draw(const struct live_view *v, int rows, int cols)
{
	live_draw(v, rows, cols, frame, sizeof(frame));
	render(frame, &scr);
}

static void keys_complete_a_node_as_soon_as_no_digit_can_follow(void)
{
	struct live_keys k;
	struct live_cmd c[2];

	live_keys_init(&k, 5);
	CHECK_EQ(live_keys_feed(&k, 'p', 0, c), 0);
	CHECK_EQ(live_keys_feed(&k, '3', 1, c), 1);
	CHECK_EQ(c[0].type, LIVE_PAUSE);
	CHECK_EQ(c[0].node, 3);
	/* "k 2": the space between is part of it */
	CHECK_EQ(live_keys_feed(&k, 'k', 2, c), 0);
	CHECK_EQ(live_keys_feed(&k, ' ', 3, c), 0);
	CHECK_EQ(live_keys_feed(&k, '2', 4, c), 1);
	CHECK_EQ(c[0].type, LIVE_CRASH);
	CHECK_EQ(c[0].node, 2);
	/* no node 7 of 5: dropped, still waiting */
	CHECK_EQ(live_keys_feed(&k, 'p', 5, c), 0);
	CHECK_EQ(live_keys_feed(&k, '7', 6, c), 0);
	CHECK_EQ(live_keys_feed(&k, '\r', 7, c), 1);
	CHECK_EQ(c[0].node, RAFT_NONE);
	/* 12 nodes: "p1" may become 10 or 11, so it waits */
	live_keys_init(&k, 12);
	CHECK_EQ(live_keys_feed(&k, 'p', 0, c), 0);
	CHECK_EQ(live_keys_feed(&k, '1', 0, c), 0);
	CHECK_EQ(live_keys_feed(&k, '1', 0, c), 1);
	CHECK_EQ(c[0].node, 11);
	CHECK_EQ(live_keys_feed(&k, 'p', 0, c), 0);
	CHECK_EQ(live_keys_feed(&k, '1', 0, c), 0);
	CHECK_EQ(live_keys_feed(&k, '\n', 0, c), 1);
	CHECK_EQ(c[0].node, 1);
	CHECK_EQ(live_keys_feed(&k, 'p', 0, c), 0);
	CHECK_EQ(live_keys_feed(&k, '9', 0, c), 1); /* 90 > 11 */
	CHECK_EQ(c[0].node, 9);
}

static void a_lone_p_pauses_the_leader_after_its_wait(void)
{
	struct live_keys k;
	struct live_cmd c[2];
	char pending[64];

	live_keys_init(&k, 5);
	CHECK_EQ(live_keys_feed(&k, 'p', 1000, c), 0);
	live_keys_pending(&k, pending, sizeof(pending));
	CHECK(pending[0] == 'p');
	CHECK_EQ(live_keys_expire(&k, 1000 + LIVE_KEY_WAIT_US - 1, c), 0);
	CHECK_EQ(live_keys_expire(&k, 1000 + LIVE_KEY_WAIT_US, c), 1);
	CHECK_EQ(c[0].type, LIVE_PAUSE);
	CHECK_EQ(c[0].node, RAFT_NONE);
	live_keys_pending(&k, pending, sizeof(pending));
	CHECK(pending[0] == '\0');
	/* a key that is not a digit ends it at once, and counts too */
	CHECK_EQ(live_keys_feed(&k, 'p', 0, c), 0);
	CHECK_EQ(live_keys_feed(&k, 'q', 0, c), 2);
	CHECK_EQ(c[0].type, LIVE_PAUSE);
	CHECK_EQ(c[0].node, RAFT_NONE);
	CHECK_EQ(c[1].type, LIVE_QUIT);
}

static void single_keys_map_to_their_commands(void)
{
	static const struct {
		int key;
		enum live_cmd_type type;
	} map[] = {{'x', LIVE_ISOLATE}, {'h', LIVE_HEAL},   {'+', LIVE_FASTER},
		   {'-', LIVE_SLOWER},  {' ', LIVE_FREEZE}, {'q', LIVE_QUIT}};
	struct live_keys k;
	struct live_cmd c[2];
	size_t i;

	live_keys_init(&k, 3);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		CHECK_EQ(live_keys_feed(&k, map[i].key, 0, c), 1);
		CHECK_EQ(c[0].type, map[i].type);
	}
	CHECK_EQ(live_keys_feed(&k, 'z', 0, c), 0);
	CHECK_EQ(live_keys_feed(&k, '3', 0, c), 0);
}

static void the_bar_drains_with_the_timer_and_is_full_after_a_reset(void)
{
	char bar[32];

	live_bar(bar, sizeof(bar), 0, 10, 10);
	CHECK(strcmp(bar, "##########") == 0);
	live_bar(bar, sizeof(bar), 5, 10, 10);
	CHECK(strcmp(bar, "#####.....") == 0);
	live_bar(bar, sizeof(bar), 9, 10, 4); /* a tick left shows */
	CHECK(strcmp(bar, "#...") == 0);
	live_bar(bar, sizeof(bar), 10, 10, 4);
	CHECK(strcmp(bar, "....") == 0);
	live_bar(bar, sizeof(bar), 30, 10, 4);
	CHECK(strcmp(bar, "....") == 0);
	live_bar(bar, sizeof(bar), 0, 0, 4);
	CHECK(strcmp(bar, "....") == 0);
}

static void a_frame_shows_every_node_the_events_and_the_verdict(void)
{
	struct live_view v;
	int i;

	five_nodes(&v);
	draw(&v, 24, 100);
	CHECK(strstr(scr.line[0], "tick 0/1000") != NULL);
	for (i = 0; i < 5; i++)
		CHECK(atoi(scr.line[2 + i]) == i);
	CHECK(strstr(scr.line[3], "PAUSED") != NULL);
	CHECK(strstr(scr.line[5], "leader") != NULL);
	CHECK(strstr(scr.line[2], "[##############################]") !=
	      NULL); /* node 0: elapsed 0 */
	CHECK(strstr(scr.line[7], "last events") != NULL);
	CHECK(strstr(scr.line[9], "LEADER in term 2") != NULL);
	CHECK(strstr(scr.line[21], "verdict so far: PASS") != NULL);
	CHECK(strstr(scr.line[23], "keys:") != NULL);
	v.violations = 2;
	draw(&v, 24, 100);
	CHECK(strstr(scr.line[21], "FAIL") != NULL);
}

static void small_terminals_cut_lines_and_count_the_nodes_left_out(void)
{
	struct live_view v;
	int i;

	five_nodes(&v);
	draw(&v, 8, 40); /* 3 lines for nodes: 2 rows, then "3 more" */
	for (i = 0; i < 8; i++)
		CHECK(strlen(scr.line[i]) <= 40);
	CHECK(atoi(scr.line[2]) == 0);
	CHECK(atoi(scr.line[3]) == 1);
	CHECK(strstr(scr.line[4], "3 more nodes") != NULL);
	CHECK(strstr(scr.line[5], "verdict") != NULL);
	CHECK(scr.line[8][0] == '\0'); /* nothing below the last row */
	draw(&v, 10, 60); /* exactly the nodes, no room for events */
	CHECK(atoi(scr.line[6]) == 4);
	CHECK(strstr(frame, "last events") == NULL);
	draw(&v, 5, 30);
	CHECK(strstr(scr.line[0], "terminal too small") != NULL);
	CHECK(scr.line[1][0] == '\0');
}

const struct test_case live_view_tests[] = {
	{"live: p N and k N complete as soon as no more digits can follow; "
	 "Enter ends a number",
	 keys_complete_a_node_as_soon_as_no_digit_can_follow},
	{"live: p alone pauses the leader once its wait runs out, or at the "
	 "next key",
	 a_lone_p_pauses_the_leader_after_its_wait},
	{"live: x h + - space q are one key each; others do nothing",
	 single_keys_map_to_their_commands},
	{"live: the election-timeout bar is full after a reset and empty when "
	 "the timer runs out",
	 the_bar_drains_with_the_timer_and_is_full_after_a_reset},
	{"live: a frame shows every node's row, the last events and the "
	 "verdict so far",
	 a_frame_shows_every_node_the_events_and_the_verdict},
	{"live: a small terminal cuts lines at its width, counts the nodes "
	 "left out, and one too small says so",
	 small_terminals_cut_lines_and_count_the_nodes_left_out},
	{NULL, NULL},
};
