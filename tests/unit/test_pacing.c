/*
 * test_pacing.c - unit tests of quiet hours (gateway/queue/quiet.c), the
 * shares of the links' rates (gateway/queue/pace.c) and the capped fetch of
 * the queue (mtq_fetch_capped).
 *
 * Quiet hours: HH:MM parsing, zone names, a window across midnight in
 * Asia/Shanghai (UTC+8, the edges on both sides), a window within a day,
 * none (start == end), a half-hour zone (Asia/Kolkata), a daylight saving
 * change inside the window (America/New_York: the morning edge is an hour
 * earlier in UTC), independence from the process's own TZ (which is put
 * back), quiet_next_open and quiet_finish across two nights, and local
 * time parsing and formatting. Pacing: the bulk allowance follows
 * max_tps x bulk_share over simulated seconds, links without max_tps get
 * a share of their room, a link in debt holds bulk back until paid, quiet
 * hours give nothing, bulk_share 100 lifts the cap, notifications have a
 * bucket of their own. The capped fetch takes interactive rows first, then
 * at most its cap of notifications, then at most its cap of bulk.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/talloc.h>

#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/pace.h"
#include "gateway/queue/quiet.h"

#define H	(3600 * 1000LL)
#define M	(60 * 1000LL)

static void *test_ctx;

/* Unix ms of a UTC time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi };

	return (int64_t)timegm(&tm) * 1000;
}

/* ---- quiet hours ---------------------------------------------------------- */

static void test_hhmm(void **state)
{
	assert_int_equal(quiet_parse_hhmm("21:00"), 21 * 60);
	assert_int_equal(quiet_parse_hhmm("08:00"), 8 * 60);
	assert_int_equal(quiet_parse_hhmm("0:05"), 5);
	assert_int_equal(quiet_parse_hhmm("23:59"), 23 * 60 + 59);
	assert_int_equal(quiet_parse_hhmm("24:00"), -EINVAL);
	assert_int_equal(quiet_parse_hhmm("12:60"), -EINVAL);
	assert_int_equal(quiet_parse_hhmm("12"), -EINVAL);
	assert_int_equal(quiet_parse_hhmm("12:00x"), -EINVAL);
	assert_int_equal(quiet_parse_hhmm("-1:00"), -EINVAL);
	assert_int_equal(quiet_parse_hhmm(""), -EINVAL);
}

static void test_tz_names(void **state)
{
	assert_true(quiet_tz_valid("Asia/Shanghai"));
	assert_true(quiet_tz_valid("UTC"));
	assert_true(quiet_tz_valid("CST-8"));
	assert_true(quiet_tz_valid("<+08>-8"));
	assert_false(quiet_tz_valid("Asia/Nowhere"));
	assert_false(quiet_tz_valid("../../etc/passwd"));
	assert_false(quiet_tz_valid("/etc/localtime"));
	assert_false(quiet_tz_valid(""));
}

/* quiet_at(t) and its edge. */
static void check(struct quiet *q, int64_t t, bool in, int64_t edge)
{
	int64_t e = 0;

	assert_int_equal(quiet_at(q, t, &e), in);
	assert_int_equal(e, edge);
}

static void test_shanghai_across_midnight(void **state)
{
	struct quiet q;

	assert_int_equal(quiet_init(&q, "21:00", "08:00", "Asia/Shanghai"), 0);
	/* 20:59:59 local = 12:59:59 UTC: not yet */
	check(&q, utc(2026, 1, 15, 12, 59) + 59000, false,
	      utc(2026, 1, 15, 13, 0));
	/* 21:00 local: quiet until 08:00 local = 00:00 UTC next day */
	check(&q, utc(2026, 1, 15, 13, 0), true, utc(2026, 1, 16, 0, 0));
	/* just after local midnight */
	check(&q, utc(2026, 1, 15, 16, 1), true, utc(2026, 1, 16, 0, 0));
	/* 07:59 local */
	check(&q, utc(2026, 1, 15, 23, 59), true, utc(2026, 1, 16, 0, 0));
	/* 08:00 local: open until 21:00 */
	check(&q, utc(2026, 1, 16, 0, 0), false, utc(2026, 1, 16, 13, 0));
	/* across a month and a year end */
	check(&q, utc(2026, 12, 31, 14, 0), true, utc(2027, 1, 1, 0, 0));
}

static void test_window_within_day(void **state)
{
	struct quiet q;

	assert_int_equal(quiet_init(&q, "12:00", "14:30", "UTC"), 0);
	check(&q, utc(2026, 3, 1, 11, 0), false, utc(2026, 3, 1, 12, 0));
	check(&q, utc(2026, 3, 1, 12, 0), true, utc(2026, 3, 1, 14, 30));
	check(&q, utc(2026, 3, 1, 14, 30), false, utc(2026, 3, 2, 12, 0));
	check(&q, utc(2026, 3, 1, 23, 0), false, utc(2026, 3, 2, 12, 0));
}

static void test_no_quiet_hours(void **state)
{
	struct quiet q;

	assert_int_equal(quiet_init(&q, "08:00", "08:00", "UTC"), 0);
	check(&q, utc(2026, 3, 1, 8, 0), false, INT64_MAX);
	assert_int_equal(quiet_next_open(&q, 5), 5);
	assert_int_equal(quiet_finish(&q, 1000, 5 * H), 1000 + 5 * H);
}

static void test_half_hour_zone(void **state)
{
	struct quiet q;

	/* India is UTC+5:30: 21:00 IST = 15:30 UTC */
	assert_int_equal(quiet_init(&q, "21:00", "08:00", "Asia/Kolkata"), 0);
	check(&q, utc(2026, 5, 1, 15, 29), false, utc(2026, 5, 1, 15, 30));
	check(&q, utc(2026, 5, 1, 15, 30), true, utc(2026, 5, 2, 2, 30));
}

static void test_dst_change_in_window(void **state)
{
	struct quiet q;

	/* New York moves from EST (UTC-5) to EDT (UTC-4) at 02:00 on
	 * 2026-03-08: the night starts 21:00 EST = 02:00 UTC and ends 08:00
	 * EDT = 12:00 UTC, not 13:00 */
	assert_int_equal(quiet_init(&q, "21:00", "08:00", "America/New_York"),
			 0);
	check(&q, utc(2026, 3, 8, 1, 59), false, utc(2026, 3, 8, 2, 0));
	check(&q, utc(2026, 3, 8, 2, 0), true, utc(2026, 3, 8, 12, 0));
	check(&q, utc(2026, 3, 8, 12, 0), false, utc(2026, 3, 9, 1, 0));
	/* and back in November: 08:00 EST = 13:00 UTC */
	check(&q, utc(2026, 11, 1, 3, 0), true, utc(2026, 11, 1, 13, 0));
}

static void test_machine_zone_ignored(void **state)
{
	struct quiet q;

	setenv("TZ", "Pacific/Auckland", 1);
	tzset();
	assert_int_equal(quiet_init(&q, "21:00", "08:00", "Asia/Shanghai"), 0);
	check(&q, utc(2026, 1, 15, 13, 0), true, utc(2026, 1, 16, 0, 0));
	assert_string_equal(getenv("TZ"), "Pacific/Auckland");
	unsetenv("TZ");
	tzset();
	q.edge_ms = 0;	/* no cache */
	check(&q, utc(2026, 1, 15, 13, 0), true, utc(2026, 1, 16, 0, 0));
	assert_null(getenv("TZ"));
}

static void test_next_open_and_finish(void **state)
{
	struct quiet q;
	int64_t t = utc(2026, 1, 15, 12, 0);	/* 20:00 in Shanghai */

	assert_int_equal(quiet_init(&q, "21:00", "08:00", "Asia/Shanghai"), 0);
	assert_int_equal(quiet_next_open(&q, t), t);
	assert_int_equal(quiet_next_open(&q, t + 2 * H),
			 utc(2026, 1, 16, 0, 0));
	/* two hours of sending from 20:00: one tonight, one from 08:00 */
	assert_int_equal(quiet_finish(&q, t, 2 * H), utc(2026, 1, 16, 1, 0));
	/* 14 hours: 1 + 13 (a whole day) ends at 21:00, then 0 more */
	assert_int_equal(quiet_finish(&q, t, 14 * H), utc(2026, 1, 16, 13, 0));
	/* 15 hours spill into the third morning */
	assert_int_equal(quiet_finish(&q, t, 15 * H), utc(2026, 1, 17, 1, 0));
	/* started inside quiet hours: nothing before 08:00 */
	assert_int_equal(quiet_finish(&q, t + 3 * H, 30 * M),
			 utc(2026, 1, 16, 0, 30));
}

static void test_local_time_text(void **state)
{
	char buf[32];
	int64_t t = 0;

	assert_int_equal(quiet_parse_time("Asia/Shanghai", "2026-07-01 09:30",
					  &t), 0);
	assert_int_equal(t, utc(2026, 7, 1, 1, 30));
	assert_int_equal(quiet_parse_time("Asia/Shanghai", "2026-07-01T09:30:15",
					  &t), 0);
	assert_int_equal(t, utc(2026, 7, 1, 1, 30) + 15000);
	assert_int_equal(quiet_parse_time("UTC", "2026-07-01", &t), 0);
	assert_int_equal(t, utc(2026, 7, 1, 0, 0));
	assert_int_equal(quiet_parse_time("UTC", "2026-02-30 10:00", &t),
			 -EINVAL);
	assert_int_equal(quiet_parse_time("UTC", "2026-07-01 25:00", &t),
			 -EINVAL);
	assert_int_equal(quiet_parse_time("UTC", "tomorrow", &t), -EINVAL);
	quiet_format("Asia/Shanghai", utc(2026, 12, 31, 16, 5), buf,
		     sizeof(buf));
	assert_string_equal(buf, "2027-01-01 00:05");
}

/* ---- pacing --------------------------------------------------------------- */

static void cfg_links(struct config *cfg, unsigned tps0, unsigned tps1,
		      unsigned share, const char *qs, const char *qe)
{
	config_defaults(cfg);
	cfg->n_links = 2;
	cfg->link[0].max_tps = tps0;
	cfg->link[1].max_tps = tps1;
	cfg->bulk_share = share;
	snprintf(cfg->quiet_start, sizeof(cfg->quiet_start), "%s", qs);
	snprintf(cfg->quiet_end, sizeof(cfg->quiet_end), "%s", qe);
	snprintf(cfg->timezone, sizeof(cfg->timezone), "UTC");
}

static void test_pace_follows_share(void **state)
{
	struct config cfg;
	struct pace *p;
	unsigned room[2] = { 50, 0 }, sent = 0, a;
	int64_t t0 = utc(2026, 1, 1, 12, 0), t;

	cfg_links(&cfg, 100, 100, 80, "00:00", "00:00");
	p = pace_init(test_ctx, &cfg, 2);
	assert_non_null(p);
	/* a dispatcher looking every 5 ms for 10 s: 80% of 100/s */
	for (t = t0; t < t0 + 10000; t += 5) {
		a = pace_allowed(p, PACE_BULK, room, t);
		sent += a;
		while (a--)
			pace_sent(p, PACE_BULK, 0, 1);
	}
	assert_in_range(sent, 795, 810);
	/* held back: the wait is what one token takes (12.5 ms) */
	a = pace_allowed(p, PACE_BULK, room, t);
	while (a--)
		pace_sent(p, PACE_BULK, 0, 1);
	assert_int_equal(pace_allowed(p, PACE_BULK, room, t), 0);
	assert_in_range(pace_wait_ms(p, PACE_BULK, t), 5, 14);
	pace_free(p);
}

/* Notifications have their own bucket: taking them leaves bulk's alone. */
static void test_pace_classes(void **state)
{
	struct config cfg;
	struct pace *p;
	unsigned room[2] = { 50, 0 }, sent[PACE_NUM_CLASSES] = {}, a, c;
	int64_t t0 = utc(2026, 1, 1, 12, 0), t;

	cfg_links(&cfg, 100, 100, 60, "00:00", "00:00");
	cfg.notify_share = 20;
	p = pace_init(test_ctx, &cfg, 2);
	assert_non_null(p);
	for (t = t0; t < t0 + 10000; t += 5)
		for (c = 0; c < PACE_NUM_CLASSES; c++) {
			a = pace_allowed(p, c, room, t);
			sent[c] += a;
			while (a--)
				pace_sent(p, c, 0, 1);
		}
	/* 20% and 60% of 100/s over 10 s, plus the first bucket of each */
	assert_in_range(sent[PACE_NOTIFY], 198, 204);
	assert_in_range(sent[PACE_BULK], 597, 608);
	/* quiet hours hold both */
	pace_free(p);
	cfg_links(&cfg, 100, 100, 60, "21:00", "08:00");
	cfg.notify_share = 20;
	p = pace_init(test_ctx, &cfg, 2);
	assert_int_equal(pace_allowed(p, PACE_NOTIFY, room,
				      utc(2026, 1, 1, 23, 0)), 0);
	assert_int_equal(pace_allowed(p, PACE_BULK, room,
				      utc(2026, 1, 1, 23, 0)), 0);
	assert_int_equal(pace_allowed(p, PACE_NOTIFY, room,
				      utc(2026, 1, 1, 9, 0)), 2);
	pace_free(p);
}

static void test_pace_debt(void **state)
{
	struct config cfg;
	struct pace *p;
	unsigned room[2] = { 50, 50 };
	int64_t t = utc(2026, 1, 1, 12, 0);

	cfg_links(&cfg, 100, 100, 80, "00:00", "00:00");
	p = pace_init(test_ctx, &cfg, 2);
	/* two buckets of 8 */
	assert_int_equal(pace_allowed(p, PACE_BULK, room, t), 16);
	/* all 16 plus 4 more parts went to link 0: 8 - 20 = -12 and 8 */
	pace_sent(p, PACE_BULK, 0, 20);
	assert_int_equal(pace_allowed(p, PACE_BULK, room, t), 0);
	/* 100 ms later: link 0 at -4, link 1 full at 8: 4 */
	assert_int_equal(pace_allowed(p, PACE_BULK, room, t + 100), 4);
	/* a link without room does not count */
	room[1] = 0;
	assert_int_equal(pace_allowed(p, PACE_BULK, room, t + 100), 0);
	pace_free(p);
}

static void test_pace_unlimited_link(void **state)
{
	struct config cfg;
	struct pace *p;
	unsigned room[2] = { 0, 20 };

	cfg_links(&cfg, 100, 0, 80, "00:00", "00:00");
	p = pace_init(test_ctx, &cfg, 2);
	/* no max_tps: 80% of the room, so 4 slots stay for replies */
	assert_int_equal(pace_allowed(p, PACE_BULK, room, 1000), 16);
	pace_free(p);
	cfg_links(&cfg, 100, 100, 100, "00:00", "00:00");
	p = pace_init(test_ctx, &cfg, 2);
	assert_int_equal(pace_allowed(p, PACE_BULK, room, 1000), UINT_MAX);
	pace_free(p);
}

static void test_pace_quiet(void **state)
{
	struct config cfg;
	struct pace *p;
	unsigned room[2] = { 50, 50 };

	cfg_links(&cfg, 100, 0, 100, "21:00", "08:00");
	p = pace_init(test_ctx, &cfg, 2);
	assert_int_equal(pace_allowed(p, PACE_BULK, room, utc(2026, 1, 1, 22, 0)), 0);
	assert_true(pace_quiet(p, utc(2026, 1, 1, 7, 59)));
	/* held back in quiet hours: look again at the end (at most 1 s) */
	assert_int_equal(pace_wait_ms(p, PACE_BULK, utc(2026, 1, 1, 7, 59) + 59500),
			 500);
	assert_int_equal(pace_allowed(p, PACE_BULK, room, utc(2026, 1, 1, 8, 0)),
			 UINT_MAX);
	pace_free(p);
	snprintf(cfg.timezone, sizeof(cfg.timezone), "Mars/Olympus");
	assert_null(pace_init(test_ctx, &cfg, 2));
}

/* ---- the capped fetch ------------------------------------------------------ */

static void test_fetch_capped(void **state)
{
	static const struct mtq_params mp = { .max_attempts = 3,
		.retry_min_s = 1, .retry_max_s = 2, .max_parts = 4 };
	char path[] = "/tmp/test_pacing_XXXXXX", p2[64];
	int fd = mkstemp(path);
	struct db *db;
	struct mtq *q;
	struct mtq_msg *m;
	LLIST_HEAD(out);
	unsigned i, got[MTQ_NUM_PRIOS] = {};
	enum mtq_prio last = MTQ_PRIO_USSD;

	assert_true(fd >= 0);
	close(fd);
	db = db_open(test_ctx, path, true);
	q = mtq_init(test_ctx, db, &mp);
	assert_non_null(q);
	/* 3 replies, 4 notifications, 5 bulk */
	for (i = 0; i < 12; i++) {
		struct mtq_new n = { .dst = "8613800138000", .text = "x",
				     .prio = i < 3 ? MTQ_PRIO_REPLY : i < 7 ?
				     MTQ_PRIO_NOTIFY : MTQ_PRIO_BULK };

		assert_int_equal(mtq_enqueue(q, &n, NULL), 0);
	}
	assert_int_equal(mtq_fetch_capped(q, test_ctx, INT64_MAX / 2, 10,
		&(struct mtq_caps){ .notify = 2, .bulk = 1 }, &out), 6);
	/* best first: the replies, then the notifications, then bulk */
	llist_for_each_entry(m, &out, list) {
		assert_true(m->prio >= last);
		last = m->prio;
		got[m->prio]++;
	}
	assert_int_equal(got[MTQ_PRIO_REPLY], 3);
	assert_int_equal(got[MTQ_PRIO_NOTIFY], 2);
	assert_int_equal(got[MTQ_PRIO_BULK], 1);
	/* nothing paced allowed: nothing */
	INIT_LLIST_HEAD(&out);
	assert_int_equal(mtq_fetch_capped(q, test_ctx, INT64_MAX / 2, 10,
		&(struct mtq_caps){ 0 }, &out), 0);
	/* bulk only: notifications stay */
	assert_int_equal(mtq_fetch_capped(q, test_ctx, INT64_MAX / 2, 10,
		&(struct mtq_caps){ .bulk = 10 }, &out), 4);
	llist_for_each_entry(m, &out, list)
		assert_int_equal(m->prio, MTQ_PRIO_BULK);
	INIT_LLIST_HEAD(&out);
	assert_int_equal(mtq_fetch(q, test_ctx, INT64_MAX / 2, 10, &out), 2);
	db_commit(db);
	mtq_free(q);
	db_close(db);
	unlink(path);
	snprintf(p2, sizeof(p2), "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", path);
	unlink(p2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hhmm),
		cmocka_unit_test(test_tz_names),
		cmocka_unit_test(test_shanghai_across_midnight),
		cmocka_unit_test(test_window_within_day),
		cmocka_unit_test(test_no_quiet_hours),
		cmocka_unit_test(test_half_hour_zone),
		cmocka_unit_test(test_dst_change_in_window),
		cmocka_unit_test(test_machine_zone_ignored),
		cmocka_unit_test(test_next_open_and_finish),
		cmocka_unit_test(test_local_time_text),
		cmocka_unit_test(test_pace_follows_share),
		cmocka_unit_test(test_pace_classes),
		cmocka_unit_test(test_pace_debt),
		cmocka_unit_test(test_pace_unlimited_link),
		cmocka_unit_test(test_pace_quiet),
		cmocka_unit_test(test_fetch_capped),
	};
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_pacing");
	sgw_log_init(test_ctx, getenv("TEST_LOG") ? getenv("TEST_LOG") :
		     "fatal", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
