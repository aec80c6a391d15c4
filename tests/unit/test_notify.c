/*
 * test_notify.c - unit tests of notifications: the triggers that record
 * decisions as events (schema step 005), the notifier that makes them into
 * messages (handlers/notice/notify.c, notify_text.c), reminders
 * (notify_remind.c) and the operator's view (notify_stats.c).
 *
 * Triggers: a subsidy inserted or changed to approved, paid or rejected
 * makes one event, the same status written again none, other statuses
 * none; a course cancelled or closed makes one per trainee still enrolled;
 * new dates or institution one each; an enrolment cancelled by the bureau
 * one, by the worker (QX) none, one of a cancelled course none. Notifier:
 * one message per event with priority notify and the words of its kind
 * (masked name, amount, reason, course, dates), a worker without a number
 * marked nonumber, an opted-out one still told unless respect_optout, a
 * failed write leaves the events pending. Reminders: the trainees of a
 * course starting N days on, from reminder_at, once. Stats: per day and
 * kind with the messages' outcomes; the list masks numbers.
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
#include <unistd.h>

#include <cmocka.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/talloc.h>

#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/text/texts.h"
#include "handlers/notice/notify.h"
#include "testutil.h"

#define SIG	"【揭阳人社】"
/* 2026-12-05 10:00 China time */
#define T0	1796436000000LL

static void *test_ctx;
static struct texts *texts;

struct fx {
	char path[64];
	struct db *db;
	struct mtq *q;
	struct config cfg;
	struct notify *n;
};

static const char fixture_sql[] =
	"INSERT INTO occupation VALUES ('E01', '电工', '制造', 0, 0);"
	"INSERT INTO institution VALUES ('I1', '揭阳技校', '445202', 1, 0, 0),"
	" ('I2', '普宁职校', '445281', 1, 0, 0);"
	"INSERT INTO course (id, code, name, occupation, level, training_type,"
	" institution, region, start_date, end_date, enrol_deadline, capacity,"
	" subsidy_fen, created_at, updated_at) VALUES"
	" (1, '2031', '电工培训班', 'E01', 4, 'employment', 'I1', '445202',"
	"  '2026-12-07', '2027-01-05', '2026-12-01', 50, 150000, 0, 0),"
	" (2, '2032', '电工初级班', 'E01', 5, 'employment', 'I1', '445202',"
	"  '2026-12-20', '2027-01-20', '2026-12-10', 50, 100000, 0, 0);"
	"INSERT INTO worker (id, id_number, name, msisdn, region, birth_date,"
	" opted_out, bound_by, created_at, updated_at) VALUES"
	" (1, 'A1', '张小明', '8613800000001', '445202', '1990-01-01', 0, 'roster', 0, 0),"
	" (2, 'A2', '欧阳小明', '8613800000002', '445202', '1990-01-01', 0, 'roster', 0, 0),"
	" (3, 'A3', '李四', NULL, '445202', '1990-01-01', 0, NULL, 0, 0),"
	" (4, 'A4', '王五', '8613800000004', '445202', '1990-01-01', 1, 'roster', 0, 0);"
	"INSERT INTO enrolment (id, worker_id, course_id, status, channel,"
	" created_at, updated_at) VALUES (1, 1, 1, 'enrolled', 'sms', 0, 0),"
	" (2, 2, 1, 'enrolled', 'sms', 0, 0), (3, 3, 1, 'cancelled', 'sms', 0, 0),"
	" (4, 4, 2, 'enrolled', 'sms', 0, 0);"
	"INSERT INTO subsidy (id, reference, worker_id, kind, course_id,"
	" occupation, level, amount_fen, status, applied_date, year,"
	" created_at, updated_at) VALUES (1, 'S1', 1, 'training', 1, 'E01', 4,"
	" 150000, 'reviewing', '2026-11-01', 2026, 0, 0),"
	" (2, 'S2', 3, 'training', NULL, 'E01', 5, 80000, 'reviewing',"
	" '2026-11-01', 2026, 0, 0);";

static int64_t q1(struct fx *f, const char *sql)
{
	return testutil_q1(f->db, sql);
}

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);
	struct mtq_params mp = { .max_attempts = 3, .retry_min_s = 1,
				 .retry_max_s = 2, .max_parts = 8 };

	f->db = testutil_db_create(f, "test_notify", f->path, sizeof(f->path));
	testutil_exec(f->db, fixture_sql);
	f->q = mtq_init(f, f->db, &mp);
	assert_non_null(f->q);
	config_defaults(&f->cfg);
	f->n = notify_init(f, &(struct notify_params){ .cfg = &f->cfg,
		.db = f->db, .q = f->q, .texts = texts });
	assert_non_null(f->n);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	notify_free(f->n);
	mtq_free(f->q);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

/* One step of the notifier at now, committed. */
static int step(struct fx *f, int64_t now)
{
	int n = notify_step(f->n, now);

	assert_int_equal(db_commit(f->db), 0);
	return n;
}

/* The text of the newest message to msisdn. */
static char *text_to(struct fx *f, const char *msisdn)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT text FROM mt WHERE dst = '%s'"
		 " ORDER BY id DESC LIMIT 1", msisdn);
	return testutil_q1_text(f, f->db, sql);
}

static void test_subsidy_events(void **state)
{
	struct fx *f = *state;

	testutil_exec(f->db, "UPDATE subsidy SET status = 'received' WHERE id = 1");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event"), 0);
	testutil_exec(f->db, "UPDATE subsidy SET status = 'approved',"
		      " decided_date = '2026-12-01', updated_at = 5 WHERE id = 1");
	testutil_exec(f->db, "UPDATE subsidy SET status = 'approved',"
		      " amount_fen = 150001 WHERE id = 1");	/* same status */
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event"), 1);
	assert_int_equal(q1(f, "SELECT created_at FROM notify_event"), 5);
	testutil_exec(f->db, "UPDATE subsidy SET status = 'paid',"
		      " paid_date = '2026-12-03' WHERE id = 1");
	testutil_exec(f->db, "INSERT INTO subsidy (reference, worker_id, kind,"
		      " occupation, level, amount_fen, status, reason,"
		      " applied_date, decided_date, year, created_at, updated_at)"
		      " VALUES ('S3', 2, 'appraisal', 'E01', 4, 30000, 'rejected',"
		      " '材料不全', '2026-11-01', '2026-12-02', 2026, 0, 0)");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event"), 3);
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE kind ="
			    " 'subsidy_paid' AND fact_date = '2026-12-03'"
			    " AND amount_fen = 150001"), 1);
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE kind ="
			    " 'subsidy_rejected' AND reason = '材料不全'"), 1);
}

static void test_course_events(void **state)
{
	struct fx *f = *state;

	/* new dates: the two enrolled in course 1, not the cancelled one */
	testutil_exec(f->db, "UPDATE course SET start_date = '2026-12-08',"
		      " end_date = '2027-01-06' WHERE id = 1");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE kind ="
			    " 'course_changed' AND fact_date = '2026-12-08'"), 2);
	/* capacity only: nothing */
	testutil_exec(f->db, "UPDATE course SET capacity = 60 WHERE id = 1");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event"), 2);
	/* cancelled: its two trainees */
	testutil_exec(f->db, "UPDATE course SET status = 'cancelled' WHERE id = 1");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE kind ="
			    " 'course_cancelled'"), 2);
	/* an enrolment of a cancelled course cancelled too: told once only */
	testutil_exec(f->db, "UPDATE enrolment SET status = 'cancelled',"
		      " cancelled_by = 'bureau' WHERE id = 1");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE kind ="
			    " 'enrolment_cancelled'"), 0);
	/* closed, with a new institution in the same change: one message */
	testutil_exec(f->db, "UPDATE course SET status = 'closed',"
		      " institution = 'I2' WHERE id = 2");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE"
			    " course_id = 2"), 1);
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE kind ="
			    " 'course_closed' AND institution = 'I2'"), 1);
	/* the worker's own QX: nothing; the bureau's cancellation: one */
	testutil_exec(f->db, "UPDATE enrolment SET status = 'cancelled',"
		      " cancelled_by = 'worker' WHERE id = 4");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE kind ="
			    " 'enrolment_cancelled'"), 0);
	testutil_exec(f->db, "UPDATE enrolment SET status = 'enrolled',"
		      " cancelled_by = NULL WHERE id = 4;"
		      "UPDATE enrolment SET status = 'cancelled',"
		      " cancelled_by = 'bureau' WHERE id = 4");
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE kind ="
			    " 'enrolment_cancelled' AND worker_id = 4"), 1);
}

static void test_notifier_messages(void **state)
{
	struct fx *f = *state;
	char *t;

	testutil_exec(f->db, "UPDATE subsidy SET status = 'paid',"
		      " paid_date = '2026-12-03' WHERE id = 1;"
		      "UPDATE subsidy SET status = 'rejected', reason = '课时不足',"
		      " decided_date = '2026-12-02' WHERE id = 2;"
		      "UPDATE course SET status = 'cancelled' WHERE id = 2");
	assert_int_equal(step(f, T0), 3);
	assert_int_equal(step(f, T0), 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM mt"), 2);
	assert_int_equal(q1(f, "SELECT count(*) FROM mt WHERE prio = 2"), 2);
	t = text_to(f, "8613800000001");
	assert_non_null(strstr(t, SIG "张*明您好，您的职业培训补贴（电工培训班）"
			       "1500.00元已于2026年12月3日发放"));
	assert_null(strstr(t, "张小明"));
	/* worker 3 has no number; worker 4 opted out of bulk, still told */
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE"
			    " worker_id = 3 AND state = 'nonumber'"), 1);
	t = text_to(f, "8613800000004");
	assert_non_null(strstr(t, "电工初级班（2032），原定12月20日开课，已取消"));
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE"
			    " state = 'queued' AND mt_id IS NOT NULL"), 2);
	assert_int_equal(notify_counters(f->n)->queued, 2);
	assert_int_equal(notify_counters(f->n)->nonumber, 1);
}

static void test_notifier_optout(void **state)
{
	struct fx *f = *state;

	f->cfg.notify.respect_optout = true;
	testutil_exec(f->db, "UPDATE course SET status = 'cancelled' WHERE id = 2;"
		      "INSERT INTO notice_optout VALUES ('8613800000002', 0);"
		      "UPDATE course SET start_date = '2026-12-09' WHERE id = 1");
	assert_int_equal(step(f, T0), 3);
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE"
			    " state = 'optout'"), 2);	/* 4 opted out, 2's number */
	assert_int_equal(q1(f, "SELECT count(*) FROM mt"), 1);
	/* the words of a change */
	assert_non_null(strstr(text_to(f, "8613800000001"),
			       "电工培训班（2031）有变更：培训时间12月9日至1月5日，"
			       "培训机构：揭阳技校"));
}

static void test_notifier_failure_keeps_pending(void **state)
{
	struct fx *f = *state;

	testutil_exec(f->db, "UPDATE course SET status = 'cancelled' WHERE id = 1");
	/* an event cannot be marked: its message is undone with it, and
	 * the events stay pending */
	testutil_exec(f->db, "CREATE TEMP TRIGGER no_mark BEFORE UPDATE ON"
		      " notify_event WHEN NEW.worker_id = 2"
		      " BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END");
	assert_true(step(f, T0) < 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE"
			    " state = 'pending'"), 2);
	assert_int_equal(q1(f, "SELECT count(*) FROM mt"), 0);
	testutil_exec(f->db, "DROP TRIGGER no_mark");
	assert_int_equal(step(f, T0), 2);
	assert_int_equal(q1(f, "SELECT count(*) FROM mt"), 2);
}

static void test_reminders(void **state)
{
	struct fx *f = *state;

	/* course 1 starts 2026-12-07: one day before is 12-06 */
	f->cfg.notify.reminder_days = 1;
	notify_free(f->n);
	f->n = notify_init(f, &(struct notify_params){ .cfg = &f->cfg,
		.db = f->db, .q = f->q, .texts = texts });
	/* 12-06 08:59: not yet */
	assert_int_equal(step(f, T0 + 86400000LL - 61 * 60000), 0);
	/* 09:00: its two trainees (not the cancelled one) */
	assert_int_equal(step(f, T0 + 86400000LL - 60 * 60000), 2);
	assert_non_null(strstr(text_to(f, "8613800000002"),
			       "欧**明您好，您报名的电工培训班（2031）将于"
			       "2026年12月7日开课，培训机构：揭阳技校"));
	/* looked at again later that day, and after a restart: no second */
	assert_int_equal(step(f, T0 + 86400000LL + 60 * 60000), 0);
	notify_free(f->n);
	f->n = notify_init(f, &(struct notify_params){ .cfg = &f->cfg,
		.db = f->db, .q = f->q, .texts = texts });
	assert_int_equal(step(f, T0 + 86400000LL + 2 * 60 * 60000), 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE"
			    " kind = 'reminder'"), 2);
	/* moved to 12-08: reminded again the day before the new date */
	testutil_exec(f->db, "UPDATE course SET start_date = '2026-12-08'"
		      " WHERE id = 1; UPDATE notify_event SET state = 'bad'"
		      " WHERE kind = 'course_changed'");
	assert_int_equal(step(f, T0 + 2 * 86400000LL), 2);
	assert_int_equal(q1(f, "SELECT count(*) FROM notify_event WHERE"
			    " kind = 'reminder'"), 4);
}

static void test_stats(void **state)
{
	struct fx *f = *state;
	struct notify_day d[8];
	struct notify_item it[8];
	LLIST_HEAD(out);
	unsigned n;

	testutil_exec(f->db, "UPDATE course SET status = 'cancelled',"
		      " updated_at = 1796436000000 WHERE id = 1;"
		      "UPDATE subsidy SET status = 'approved',"
		      " updated_at = 1796436000000 WHERE id = 2");
	assert_int_equal(step(f, T0), 3);
	/* one message taken for sending */
	assert_int_equal(mtq_fetch(f->q, f, INT64_MAX / 2, 1, &out), 1);
	db_commit(f->db);
	assert_int_equal(notify_days(f->db, "2026-12-05", d, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].day, "2026-12-05");
	/* kinds in the order of their names */
	assert_int_equal(d[0].kind, NOTIFY_COURSE_CANCELLED);
	assert_int_equal(d[0].events, 2);
	assert_int_equal(d[0].queued, 2);
	assert_int_equal(d[1].kind, NOTIFY_SUBSIDY_APPROVED);
	assert_int_equal(d[1].nonumber, 1);
	assert_int_equal(notify_days(f->db, "2026-12-06", d, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(notify_days(f->db, "12/06", d, 8, &n), -EINVAL);
	assert_int_equal(notify_list(f->db, NOTIFY_COURSE_CANCELLED, 0, it, 8,
				     &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(it[0].msisdn, "138****0002");
	assert_string_equal(it[0].state, "queued");
	assert_string_equal(it[0].mt_state, "queued");
	/* any kind, older than the newest cancellation: the other one */
	assert_int_equal(notify_list(f->db, -1, it[0].id, it, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(it[0].msisdn, "138****0001");
}

static int load_texts(void)
{
	struct texts_params p = { .signature = SIG, .hotline = "12333",
				  .list_parts = 3 };

	texts = texts_load(test_ctx, "conf/messages.conf", &p, stderr, NULL);
	return texts ? 0 : -1;
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_subsidy_events),
		T(test_course_events),
		T(test_notifier_messages),
		T(test_notifier_optout),
		T(test_notifier_failure_keeps_pending),
		T(test_reminders),
		T(test_stats),
	};
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_notify");
	sgw_log_init(test_ctx, "fatal", NULL);
	testutil_glossary();
	if (load_texts() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
