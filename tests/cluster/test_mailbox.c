/* test_mailbox.c - the runtime's parts without threads: the bounded
 * mailbox and the latency histogram. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "failpoint.h"
#include "harness/lathist.h"
#include "runtime/clock.h"
#include "runtime/mailbox.h"
#include "testhelp.h"

static struct raft_message msg_from(int from)
{
	struct raft_message m;

	memset(&m, 0, sizeof(m));
	m.type = RAFT_MSG_APPEND_ENTRIES;
	m.from = from;
	m.to = 0;
	return m;
}

static void mailbox_is_bounded_fifo(void)
{
	struct mailbox mb;
	struct raft_message m;
	struct mail out[8];
	int i;
	int n;

	REQUIRE(mailbox_init(&mb, 3) == 0);
	for (i = 1; i <= 3; i++) {
		m = msg_from(i);
		CHECK(mailbox_push(&mb, &m, NULL, 0, 100, 100) == MAILBOX_OK);
	}
	/* Full: dropped and counted, never blocking. */
	m = msg_from(4);
	CHECK(mailbox_push(&mb, &m, NULL, 0, 100, 100) == MAILBOX_FULL);
	CHECK_EQ(mb.dropped_full, 1);
	CHECK_EQ(mb.peak, 3);
	n = mailbox_take(&mb, out, 2, 100);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].msg.from, 1);
	CHECK_EQ(out[1].msg.from, 2);
	/* The ring wraps. */
	m = msg_from(5);
	CHECK(mailbox_push(&mb, &m, NULL, 0, 101, 101) == MAILBOX_OK);
	n = mailbox_take(&mb, out, 8, 200);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].msg.from, 3);
	CHECK_EQ(out[1].msg.from, 5);
	CHECK_EQ(out[1].enqueued_us, 101);
	CHECK_EQ(mailbox_take(&mb, out, 8, 200), 0);
	mailbox_destroy(&mb);
}

static void mailbox_holds_delayed_messages(void)
{
	struct mailbox mb;
	struct raft_message m;
	struct mail out[8];
	int n;

	REQUIRE(mailbox_init(&mb, 8) == 0);
	m = msg_from(1);
	mailbox_push(&mb, &m, NULL, 0, 100, 500); /* delayed until 500 */
	m = msg_from(2);
	mailbox_push(&mb, &m, NULL, 0, 110, 110);
	m = msg_from(3);
	mailbox_push(&mb, &m, NULL, 0, 120, 120);
	/* The later ones overtake it, in their order. */
	n = mailbox_take(&mb, out, 8, 200);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].msg.from, 2);
	CHECK_EQ(out[1].msg.from, 3);
	CHECK_EQ(mailbox_take(&mb, out, 8, 499), 0);
	n = mailbox_take(&mb, out, 8, 500);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].msg.from, 1);
	mailbox_destroy(&mb);
}

static void mailbox_modes(void)
{
	struct mailbox mb;
	struct raft_message m = msg_from(1);
	struct mail out[4];

	REQUIRE(mailbox_init(&mb, 4) == 0);
	/* Frozen: mail queues, nothing is handed out. */
	mailbox_set_mode(&mb, MAILBOX_FROZEN);
	CHECK(mailbox_push(&mb, &m, NULL, 0, 1, 1) == MAILBOX_OK);
	CHECK_EQ(mailbox_take(&mb, out, 4, 10), 0);
	mailbox_set_mode(&mb, MAILBOX_RUN);
	CHECK_EQ(mailbox_take(&mb, out, 4, 10), 1);
	/* Closed (crashed): emptied, and pushes are dropped. */
	CHECK(mailbox_push(&mb, &m, NULL, 0, 11, 11) == MAILBOX_OK);
	mailbox_set_mode(&mb, MAILBOX_CLOSED);
	CHECK(mailbox_push(&mb, &m, NULL, 0, 12, 12) == MAILBOX_DROPPED);
	CHECK_EQ(mb.dropped_closed, 1);
	mailbox_set_mode(&mb, MAILBOX_RUN);
	CHECK_EQ(mailbox_take(&mb, out, 4, 20), 0);
	mailbox_destroy(&mb);
}

static void mailbox_wait_returns(void)
{
	struct mailbox mb;
	struct raft_message m = msg_from(1);
	int64_t now;

	REQUIRE(mailbox_init(&mb, 4) == 0);
	now = clock_now_us();
	/* A deadline already past, or mail ready: no waiting. */
	CHECK(!mailbox_wait(&mb, now - 1));
	mailbox_push(&mb, &m, NULL, 0, now, now);
	CHECK(!mailbox_wait(&mb, INT64_MAX));
	/* Stopped: it says so, even while frozen. */
	mailbox_set_mode(&mb, MAILBOX_FROZEN);
	mailbox_stop(&mb);
	CHECK(mailbox_wait(&mb, INT64_MAX));
	mailbox_destroy(&mb);
}

/* A copy's block is the mailbox's from the push on: a refused push frees
 * it, closing and destroying free what is queued, the owner frees what it
 * took (mailbox_done); bytes count what is queued. */
static void mailbox_frees_every_block_it_was_given(void)
{
	struct mailbox mb;
	struct raft_message m = msg_from(1);
	struct mail out[4];
	long base;
	int n, i;

	failpoint_arm(0); /* counts blocks, the mailbox's ring too */
	REQUIRE(mailbox_init(&mb, 2) == 0);
	base = failpoint_live();
	CHECK(mailbox_push(&mb, &m, malloc(10), 10, 1, 1) == MAILBOX_OK);
	CHECK(mailbox_push(&mb, &m, malloc(20), 20, 1, 1) == MAILBOX_OK);
	CHECK_EQ(mb.bytes, 30);
	CHECK(mailbox_push(&mb, &m, malloc(40), 40, 1, 1) == MAILBOX_FULL);
	CHECK_EQ(failpoint_live() - base, 2);
	n = mailbox_take(&mb, out, 1, 5);
	CHECK_EQ(n, 1);
	CHECK_EQ(mb.bytes, 20);
	for (i = 0; i < n; i++)
		mailbox_done(&out[i]);
	CHECK_EQ(failpoint_live() - base, 1);
	mailbox_set_mode(&mb, MAILBOX_CLOSED);
	CHECK_EQ(failpoint_live() - base, 0);
	CHECK(mailbox_push(&mb, &m, malloc(8), 8, 1, 1) == MAILBOX_DROPPED);
	mailbox_set_mode(&mb, MAILBOX_RUN);
	CHECK(mailbox_push(&mb, &m, malloc(8), 8, 1, 1) == MAILBOX_OK);
	CHECK_EQ(mb.bytes_peak, 30);
	mailbox_destroy(&mb);
	CHECK_EQ(failpoint_live(), 0);
	failpoint_disarm();
}

static void lathist_quantiles(void)
{
	struct lathist h, g; /* about 4 KiB each */
	int64_t p50, p99;
	int i;

	lathist_init(&h);
	CHECK_EQ(lathist_quantile(&h, 0.5), 0);
	for (i = 1; i <= 1000; i++)
		lathist_add(&h, i);
	lathist_add(&h, -5); /* counts as 0 */
	CHECK_EQ(h.count, 1001);
	CHECK_EQ(h.max_us, 1000);
	p50 = lathist_quantile(&h, 0.5);
	p99 = lathist_quantile(&h, 0.99);
	/* Never below the truth, at most one bucket (~3%) above it. */
	CHECK(p50 >= 500 && p50 <= 516);
	CHECK(p99 >= 990 && p99 <= 1000);
	CHECK_EQ(lathist_quantile(&h, 1.0), 1000);
	CHECK_EQ(lathist_quantile(&h, 0.0), 0);
	lathist_init(&g);
	lathist_add(&g, 5000000);
	lathist_merge(&g, &h);
	CHECK_EQ(g.count, 1002);
	CHECK_EQ(g.max_us, 5000000);
	CHECK_EQ(lathist_quantile(&g, 1.0), 5000000);
	for (i = 40; i < 70; i++) { /* one value comes back exactly */
		lathist_init(&g);
		lathist_add(&g, i);
		CHECK(lathist_quantile(&g, 0.5) == i);
	}
}

const struct test_case mailbox_tests[] = {
	{"runtime parts: a mailbox is a bounded FIFO ring that drops when full",
	 mailbox_is_bounded_fifo},
	{"runtime parts: later messages overtake a delayed one in a mailbox",
	 mailbox_holds_delayed_messages},
	{"runtime parts: a frozen mailbox queues, a closed one drops",
	 mailbox_modes},
	{"runtime parts: mailbox_wait returns for a past deadline, mail, stop",
	 mailbox_wait_returns},
	{"runtime parts: a mailbox frees every message block it was given, "
	 "refused, closed, taken or left at the end",
	 mailbox_frees_every_block_it_was_given},
	{"runtime parts: latency histogram quantiles are within a bucket",
	 lathist_quantiles},
	{NULL, NULL},
};
