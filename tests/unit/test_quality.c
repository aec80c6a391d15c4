/*
 * test_quality.c - unit tests of training quality (handlers/quality): the
 * check-in codes, the parsing of a course's checks and class hours, the
 * planning of check days, the asker, the answers and the figures in SQL.
 *
 * Codes: six digits, unpredictable enough that a thousand draws show
 * every leading digit and few repeats; what a phone typed is read back
 * or refused. Checks: a count or days, sorted, the stored form read back
 * the same; class hours. Plan: listed days from today on, a count drawn
 * among the class days left, once. Asker: at 10:00 on a check day the
 * trainees of the check get a code each (not the one without a number,
 * not the opted-out one), a course that ended yesterday its survey, one
 * that ended three months ago its follow-up, an old one nothing; asked
 * again, nothing; a failed write leaves them due. Answers: a code counts
 * once and only for its worker and day; another's code is refused and
 * recorded against its owner; a score is changed within change_days, not
 * after. Figures: per institution, occupation and course, with the rates
 * computed in SQL, the since filter, the CSV; a course's days, the
 * never-confirmed list and comments masked.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>

#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/text/fmt.h"
#include "gateway/text/texts.h"
#include "handlers/domain/checks.h"
#include "handlers/quality/quality.h"
#include "handlers/quality/report.h"
#include "quality_priv.h"
#include "testutil.h"

#define SIG	"【揭阳人社】"
#define MIN	60000LL
#define DAY	(86400LL * 1000)
/* 2026-12-05 10:00 China time: course 3001's class (09:00-17:00) is on */
#define T0	1796436000000LL
#define W1	"8613800000001"

static void *test_ctx;
static struct texts *texts;

struct fx {
	char path[64];
	struct db *db;
	struct mtq *q;
	struct config cfg;
	struct quality *qa;
	struct quality_ans *ans;
};

/* 3001 in class with two check days; 3002 ended yesterday; 3003 ended
 * three months ago; 3004 long ago. Worker 3 has no number, 4 opted out. */
static const char fixture_sql[] =
	"INSERT INTO occupation VALUES ('E01', '电工', '制造', 0, 0),"
	" ('C01', '中式烹调师', '服务', 0, 0);"
	"INSERT INTO institution VALUES ('I1', '揭阳技校', '445202', 1, 0, 0),"
	" ('I2', '普宁职校', '445281', 1, 0, 0);"
	"INSERT INTO course (id, code, name, occupation, level, training_type,"
	" institution, region, start_date, end_date, enrol_deadline, capacity,"
	" subsidy_fen, status, checks, class_hours, created_at, updated_at)"
	" VALUES (1, '3001', '电工培训班', 'E01', 4, 'employment', 'I1',"
	"  '445202', '2026-12-04', '2026-12-08', '2026-12-01', 50, 150000,"
	"  'closed', '2026-12-05,2026-12-07', '09:00-17:00', 0, 0),"
	" (2, '3002', '烹调培训班', 'C01', 5, 'employment', 'I2', '445281',"
	"  '2026-11-20', '2026-12-04', '2026-11-10', 50, 100000, 'finished',"
	"  NULL, NULL, 0, 0),"
	" (3, '3003', '电工初级班', 'E01', 5, 'employment', 'I1', '445202',"
	"  '2026-08-01', '2026-09-05', '2026-07-20', 50, 100000, 'finished',"
	"  NULL, NULL, 0, 0),"
	" (4, '3004', '烹调中级班', 'C01', 4, 'employment', 'I2', '445281',"
	"  '2024-12-01', '2025-01-01', '2024-11-20', 50, 100000, 'finished',"
	"  NULL, NULL, 0, 0);"
	"INSERT INTO worker (id, id_number, name, msisdn, region, birth_date,"
	" opted_out, bound_by, created_at, updated_at) VALUES"
	" (1, '445202199001011234', '张小明', '8613800000001', '445202',"
	"  '1990-01-01', 0, 'roster', 0, 0),"
	" (2, '445202199001012345', '欧阳小明', '8613800000002', '445202',"
	"  '1990-01-01', 0, 'roster', 0, 0),"
	" (3, 'A3', '李四', NULL, '445202', '1990-01-01', 0, NULL, 0, 0),"
	" (4, 'A4', '王五', '8613800000004', '445202', '1990-01-01', 1,"
	"  'roster', 0, 0),"
	" (5, 'A5', '赵六', '8613800000005', '445202', '1990-01-01', 0,"
	"  'roster', 0, 0);"
	"INSERT INTO enrolment (id, worker_id, course_id, status, channel,"
	" result, created_at, updated_at) VALUES"
	" (1, 1, 1, 'enrolled', 'sms', NULL, 0, 0),"
	" (2, 2, 1, 'enrolled', 'sms', NULL, 0, 0),"
	" (3, 3, 1, 'enrolled', 'sms', NULL, 0, 0),"
	" (4, 4, 1, 'enrolled', 'sms', NULL, 0, 0),"
	" (5, 1, 2, 'completed', 'sms', 'passed', 0, 0),"
	" (6, 2, 2, 'completed', 'sms', 'failed', 0, 0),"
	" (7, 5, 2, 'cancelled', 'sms', NULL, 0, 0),"
	" (8, 1, 3, 'completed', 'sms', 'passed', 0, 0),"
	" (9, 5, 3, 'completed', 'sms', 'passed', 0, 0),"
	" (10, 2, 4, 'completed', 'sms', 'passed', 0, 0);";

static int64_t q1(struct fx *f, const char *sql)
{
	return testutil_q1(f->db, sql);
}

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);
	struct mtq_params mp = { .max_attempts = 3, .retry_min_s = 1,
				 .retry_max_s = 2, .max_parts = 8 };

	f->db = testutil_db_create(f, "test_quality", f->path,
				   sizeof(f->path));
	testutil_exec(f->db, fixture_sql);
	f->q = mtq_init(f, f->db, &mp);
	assert_non_null(f->q);
	config_defaults(&f->cfg);
	f->qa = quality_init(f, &(struct quality_params){ .cfg = &f->cfg,
		.db = f->db, .q = f->q, .texts = texts });
	f->ans = quality_ans_init(f, f->db, &f->cfg.quality);
	assert_non_null(f->qa);
	assert_non_null(f->ans);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	quality_free(f->qa);
	quality_ans_free(f->ans);
	mtq_free(f->q);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

/* One step of the asker at now, committed. */
static int step(struct fx *f, int64_t now)
{
	int n = quality_step(f->qa, now);

	assert_int_equal(db_commit(f->db), 0);
	return n;
}

/* The code of worker w's newest attendance question. */
static char *code_of(struct fx *f, int w)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT code FROM quality_question WHERE"
		 " worker_id = %d AND kind = 'attendance' ORDER BY id DESC"
		 " LIMIT 1", w);
	return testutil_q1_text(f, f->db, sql);
}

/* ---- codes, checks, hours ------------------------------------------------- */

static void test_codes(void **state)
{
	char code[QUALITY_CODE_LEN], first[QUALITY_CODE_LEN];
	bool lead[10] = { false };
	unsigned i, same = 0, k;

	for (i = 0; i < 1000; i++) {
		assert_int_equal(quality_code_new(code), 0);
		assert_int_equal(strlen(code), QUALITY_CODE_DIGITS);
		assert_int_equal(strspn(code, "0123456789"), QUALITY_CODE_DIGITS);
		lead[code[0] - '0'] = true;
		if (!i)
			memcpy(first, code, sizeof(first));
		else
			same += !strcmp(first, code);
	}
	for (k = 0; k < 10; k++)
		assert_true(lead[k]);
	assert_true(same < 3);
	assert_int_equal(quality_code_parse("123456", code), 0);
	assert_string_equal(code, "123456");
	assert_int_equal(quality_code_parse("012 345", code), 0);
	assert_string_equal(code, "012345");
	assert_int_equal(quality_code_parse("12345", code), -EINVAL);
	assert_int_equal(quality_code_parse("1234567", code), -EINVAL);
	assert_int_equal(quality_code_parse("12a456", code), -EINVAL);
	assert_int_equal(quality_code_parse("", code), -EINVAL);
	/* words after the code are not part of it; a seventh digit is */
	assert_int_equal(quality_code_parse("654321 谢谢老师", code), 0);
	assert_string_equal(code, "654321");
	assert_int_equal(quality_code_parse("654321好的", code), 0);
	assert_string_equal(code, "654321");
	assert_int_equal(quality_code_parse("123456 7", code), -EINVAL);
	assert_int_equal(quality_code_parse("12345 好6", code), -EINVAL);
}

static void test_checks_and_hours(void **state)
{
	char out[CHECKS_TEXT_MAX];
	struct checks c, back;
	int from, to;

	assert_int_equal(checks_parse("2", &c), 0);
	assert_int_equal(c.random, 2);
	assert_int_equal(checks_parse("3次", &c), 0);
	assert_int_equal(c.random, 3);
	assert_int_equal(checks_parse("2026/12/7、2026-12-03；2026-12-07", &c), 0);
	assert_int_equal(c.n_days, 2);
	assert_string_equal(c.day[0], "2026-12-03");
	assert_string_equal(c.day[1], "2026-12-07");
	checks_format(&c, out, sizeof(out));
	assert_string_equal(out, "2026-12-03,2026-12-07");
	assert_int_equal(checks_parse(out, &back), 0);
	assert_memory_equal(&back, &c, sizeof(c));
	assert_int_equal(checks_parse("", &c), 0);
	assert_int_equal(c.random + c.n_days, 0);
	assert_int_equal(checks_parse("0", &c), -EINVAL);
	assert_int_equal(checks_parse("11", &c), -EINVAL);
	assert_int_equal(checks_parse("2 2026-12-03", &c), -EINVAL);
	assert_int_equal(checks_parse("2026-02-30", &c), -EINVAL);
	assert_int_equal(fmt_hours_parse("08:30-17:30", &from, &to), 0);
	assert_int_equal(from, 8 * 60 + 30);
	assert_int_equal(to, 17 * 60 + 30);
	assert_int_equal(fmt_hours_parse(" 8:00～12:00 ", &from, &to), 0);
	assert_int_equal(fmt_hours_parse("00:00至24:00", &from, &to), 0);
	assert_int_equal(to, 24 * 60);
	assert_int_equal(fmt_hours_parse("17:30-08:30", &from, &to), -EINVAL);
	assert_int_equal(fmt_hours_parse("08:30", &from, &to), -EINVAL);
	assert_int_equal(fmt_hours_parse("24:30-25:00", &from, &to), -EINVAL);
}

/* ---- planning -------------------------------------------------------------- */

static void test_plan(void **state)
{
	struct fx *f = *state;

	/* 3005: five class days from today, two drawn; 3001: its days from
	 * today on (12-05 and 12-07) */
	testutil_exec(f->db, "INSERT INTO course (id, code, name, occupation,"
		      " level, training_type, institution, region, start_date,"
		      " end_date, enrol_deadline, capacity, subsidy_fen,"
		      " checks, created_at, updated_at) VALUES (5, '3005',"
		      " '育婴员班', 'C01', 4, 'employment', 'I2', '445281',"
		      " '2026-12-01', '2026-12-09', '2026-11-30', 30, 90000,"
		      " '2', 0, 0)");
	assert_int_equal(quality_plan(f->db, &f->cfg.quality, "2026-12-05",
				      T0), 4);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_check WHERE"
			    " course_id = 5 AND day BETWEEN '2026-12-05' AND"
			    " '2026-12-09'"), 2);
	assert_int_equal(q1(f, "SELECT count(DISTINCT day) FROM quality_check"
			    " WHERE course_id = 5"), 2);
	/* 3001: asked 30 minutes after its class starts, ends with it */
	assert_int_equal(q1(f, "SELECT ask_at FROM quality_check WHERE"
			    " course_id = 1 AND day = '2026-12-05'"),
			 T0 - 30 * MIN);
	assert_int_equal(q1(f, "SELECT ends_at FROM quality_check WHERE"
			    " course_id = 1 AND day = '2026-12-07'"),
			 T0 + 2 * DAY + 7 * 60 * MIN);
	/* planned once */
	assert_int_equal(quality_plan(f->db, &f->cfg.quality, "2026-12-05",
				      T0), 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_check"), 4);
}

/* ---- the asker ------------------------------------------------------------- */

static void test_ask(void **state)
{
	struct fx *f = *state;
	char *c1, *c2;

	/* 09:00: the check's questions are not out yet; the survey and the
	 * follow-up are */
	assert_int_equal(step(f, T0 - 60 * MIN), 4);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " kind = 'attendance'"), 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " kind = 'survey' AND state = 'queued'"), 2);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " kind = 'employment' AND round = 3"), 2);
	/* 10:00 (the attendance scan waits 10 s after the last one) */
	assert_int_equal(step(f, T0), 4);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " kind = 'attendance' AND state = 'queued'"), 2);
	assert_int_equal(q1(f, "SELECT worker_id FROM quality_question WHERE"
			    " kind = 'attendance' AND state = 'nonumber'"), 3);
	assert_int_equal(q1(f, "SELECT worker_id FROM quality_question WHERE"
			    " kind = 'attendance' AND state = 'optout'"), 4);
	c1 = code_of(f, 1);
	c2 = code_of(f, 2);
	assert_int_equal(strlen(c1), QUALITY_CODE_DIGITS);
	assert_string_not_equal(c1, c2);
	/* the messages: priority notify; the code's expires with class */
	assert_int_equal(q1(f, "SELECT count(*) FROM mt"), 6);
	assert_int_equal(q1(f, "SELECT count(*) FROM mt WHERE prio = 2"), 6);
	assert_int_equal(q1(f, "SELECT m.expires_at - m.created_at FROM mt m"
			    " JOIN quality_question q ON q.mt_id = m.id"
			    " WHERE q.worker_id = 1 AND q.kind = 'attendance'"),
			 7 * 60 * MIN);
	/* asked once, whatever comes later */
	assert_int_equal(step(f, T0 + 11000), 0);
	assert_int_equal(step(f, T0 + 61000), 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM mt"), 6);
}

static void test_ask_texts(void **state)
{
	struct fx *f = *state;
	char sql[200];
	char *t;

	step(f, T0);
	snprintf(sql, sizeof(sql), "SELECT m.text FROM mt m JOIN"
		 " quality_question q ON q.mt_id = m.id WHERE q.worker_id = 2"
		 " AND q.kind = 'attendance'");
	t = testutil_q1_text(f, f->db, sql);
	assert_non_null(strstr(t, SIG "欧**明您好"));
	assert_non_null(strstr(t, "电工培训班（3001）到课抽查日"));
	assert_non_null(strstr(t, "17:00前回复QD"));
	assert_non_null(strstr(t, code_of(f, 2)));
	t = testutil_q1_text(f, f->db, "SELECT m.text FROM mt m JOIN"
			     " quality_question q ON q.mt_id = m.id WHERE"
			     " q.worker_id = 1 AND q.kind = 'survey'");
	assert_non_null(strstr(t, "烹调培训班（3002）已结业"));
	assert_non_null(strstr(t, "回复PJ"));
	t = testutil_q1_text(f, f->db, "SELECT m.text FROM mt m JOIN"
			     " quality_question q ON q.mt_id = m.id WHERE"
			     " q.worker_id = 5 AND q.kind = 'employment'");
	assert_non_null(strstr(t, "电工初级班已结业3个月"));
	assert_non_null(strstr(t, "JY1已就业"));
}

static void test_ask_failure_keeps_due(void **state)
{
	struct fx *f = *state;

	testutil_exec(f->db, "CREATE TEMP TRIGGER no_ask BEFORE INSERT ON"
		      " quality_question WHEN NEW.worker_id = 2"
		      " BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END");
	assert_true(step(f, T0) < 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM mt"), 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question"), 0);
	testutil_exec(f->db, "DROP TRIGGER no_ask");
	assert_int_equal(step(f, T0 + 1000), 8);
	assert_int_equal(q1(f, "SELECT count(*) FROM mt"), 6);
}

static void test_respect_optout_off(void **state)
{
	struct fx *f = *state;

	f->cfg.quality.respect_optout = false;
	assert_int_equal(step(f, T0), 8);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " worker_id = 4 AND state = 'queued'"), 1);
}

static void test_late_not_asked(void **state)
{
	struct fx *f = *state;

	/* 12-20: 3002 ended 12-04, its survey is past late_days; so is the
	 * 3-month follow-up of 3003 (12-05); 3001 ended 12-08: its survey */
	assert_int_equal(step(f, T0 + 15 * DAY), 4);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " course_id <> 1 OR kind <> 'survey'"), 0);
	/* 2027-03-05: 3003 + 6 months, and 3002 + 3 months (03-04) */
	assert_int_equal(step(f, T0 + 90 * DAY), 4);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " kind = 'employment' AND round = 6"
			    " AND course_id = 3"), 2);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " kind = 'employment' AND round = 3"
			    " AND course_id = 2"), 2);
}

/* ---- answers --------------------------------------------------------------- */

static void test_checkin(void **state)
{
	struct fx *f = *state;
	struct quality_item it;
	char *c1, *c2;

	step(f, T0);
	c1 = code_of(f, 1);
	c2 = code_of(f, 2);
	/* worker 2's code from worker 1's number: wrong, recorded */
	assert_int_equal(quality_checkin(f->ans, 1, W1, c2, DOM_VIA_SMS,
					 T0 + MIN, &it), QUALITY_WRONG);
	/* ... and from a number bound to nobody */
	assert_int_equal(quality_checkin(f->ans, 0, "8613900000000", c2,
					 DOM_VIA_SMS, T0 + MIN, &it),
			 QUALITY_WRONG);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_refusal r JOIN"
			    " quality_question q ON q.id = r.question_id WHERE"
			    " r.reason = 'other' AND q.worker_id = 2"), 2);
	/* a code of nobody's */
	assert_int_equal(quality_checkin(f->ans, 1, W1, strcmp(c1, "000000") &&
					 strcmp(c2, "000000") ? "000000" :
					 "000001", DOM_VIA_SMS, T0 + MIN, &it),
			 QUALITY_WRONG);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_refusal WHERE"
			    " reason = 'wrong' AND question_id IS NULL"), 1);
	/* its own: counted once */
	assert_int_equal(quality_checkin(f->ans, 1, W1, c1, DOM_VIA_SMS,
					 T0 + 2 * MIN, &it), QUALITY_OK);
	assert_string_equal(it.course, "电工培训班");
	assert_string_equal(it.day, "2026-12-05");
	assert_string_equal(it.until, "17:00");
	assert_int_equal(quality_checkin(f->ans, 1, W1, c1, DOM_VIA_SMS,
					 T0 + 3 * MIN, &it), QUALITY_AGAIN);
	/* "QD" alone (or USSD item 6) now: confirmed already, not "none" */
	memset(&it, 0, sizeof(it));
	assert_int_equal(quality_open(f->ans, QUALITY_ATTENDANCE, 1,
				      T0 + 3 * MIN, &it), QUALITY_AGAIN);
	assert_string_equal(it.course, "电工培训班");
	assert_string_equal(it.day, "2026-12-05");
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " answer = 1 AND answered_by = '" W1 "'"
			    " AND via = 'sms'"), 1);
	/* after class: worker 2's own code is late */
	assert_int_equal(quality_checkin(f->ans, 2, "8613800000002", c2,
					 DOM_VIA_USSD, T0 + 7 * 60 * MIN,
					 &it), QUALITY_LATE);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " worker_id = 2 AND answer IS NOT NULL"), 0);
	assert_int_equal(quality_open(f->ans, QUALITY_ATTENDANCE, 2,
				      T0 + 7 * 60 * MIN, &it), QUALITY_NONE);
	assert_int_equal(quality_open(f->ans, QUALITY_ATTENDANCE, 2,
				      T0 + MIN, &it), QUALITY_OK);
}

static void test_survey_answers(void **state)
{
	struct fx *f = *state;
	struct quality_item it;
	char words[400] = "";
	int i;

	assert_int_equal(quality_answer(f->ans, QUALITY_SURVEY, 5, "86", 5,
					NULL, DOM_VIA_SMS, T0, &it),
			 QUALITY_NONE);
	step(f, T0);
	assert_int_equal(quality_answer(f->ans, QUALITY_SURVEY, 1, W1, 5,
					"老师讲得好", DOM_VIA_SMS, T0 + MIN,
					&it), QUALITY_OK);
	assert_string_equal(it.course, "烹调培训班");
	/* a second answer within 7 days replaces the score, keeps the words */
	assert_int_equal(quality_answer(f->ans, QUALITY_SURVEY, 1, W1, 4,
					"", DOM_VIA_SMS, T0 + 6 * DAY, &it),
			 QUALITY_CHANGED);
	assert_int_equal(q1(f, "SELECT answer FROM quality_question WHERE"
			    " worker_id = 1 AND kind = 'survey'"), 4);
	assert_int_equal(q1(f, "SELECT comment = '老师讲得好' FROM"
			    " quality_question WHERE worker_id = 1 AND"
			    " kind = 'survey'"), 1);
	/* a long comment is cut to 70 characters, never inside a number */
	for (i = 0; i < 66; i++)
		strcat(words, "很");
	strcat(words, " 电话138 0013 8000");
	assert_int_equal(quality_answer(f->ans, QUALITY_SURVEY, 1, W1, 4,
					words, DOM_VIA_SMS, T0 + 6 * DAY, &it),
			 QUALITY_CHANGED);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_question WHERE"
			    " worker_id = 1 AND kind = 'survey' AND comment ="
			    " replace(hex(zeroblob(66)), '00', '很') || ' 电话'"),
			 1);
	assert_int_equal(quality_answer(f->ans, QUALITY_SURVEY, 1, W1, 4,
					"很好 1234567", DOM_VIA_SMS,
					T0 + 6 * DAY, &it), QUALITY_CHANGED);
	assert_int_equal(q1(f, "SELECT comment = '很好 1234567' FROM"
			    " quality_question WHERE worker_id = 1 AND"
			    " kind = 'survey'"), 1);
	/* later: refused and recorded, the answer stays */
	assert_int_equal(quality_answer(f->ans, QUALITY_SURVEY, 1, W1, 1,
					NULL, DOM_VIA_SMS, T0 + 8 * DAY, &it),
			 QUALITY_CLOSED);
	assert_int_equal(q1(f, "SELECT answer FROM quality_question WHERE"
			    " worker_id = 1 AND kind = 'survey'"), 4);
	/* never answered within answer_days: closed too */
	assert_int_equal(quality_answer(f->ans, QUALITY_SURVEY, 2,
					"8613800000002", 3, NULL, DOM_VIA_SMS,
					T0 + 31 * DAY, &it), QUALITY_CLOSED);
	assert_int_equal(q1(f, "SELECT count(*) FROM quality_refusal WHERE"
			    " reason = 'closed' AND kind = 'survey'"), 2);
	/* employment */
	assert_int_equal(quality_answer(f->ans, QUALITY_EMPLOYMENT, 5,
					"8613800000005", 2, NULL, DOM_VIA_USSD,
					T0 + DAY, &it), QUALITY_OK);
	assert_int_equal(it.round, 3);
}

/* ---- figures --------------------------------------------------------------- */

/* Answers for the figures: worker 1 confirms, rates 3002 with 4 and a
 * phone number in the words; worker 5 started a business. */
static void answer_some(struct fx *f)
{
	struct quality_item it;

	step(f, T0);
	assert_int_equal(quality_checkin(f->ans, 1, W1, code_of(f, 1),
					 DOM_VIA_SMS, T0 + MIN, &it),
			 QUALITY_OK);
	quality_checkin(f->ans, 1, W1, code_of(f, 2), DOM_VIA_SMS, T0 + MIN,
			&it);
	assert_int_equal(quality_answer(f->ans, QUALITY_SURVEY, 1, W1, 4,
					"很好 电话13800138000", DOM_VIA_SMS,
					T0 + MIN, &it), QUALITY_OK);
	assert_int_equal(quality_answer(f->ans, QUALITY_EMPLOYMENT, 5,
					"8613800000005", 2, NULL, DOM_VIA_SMS,
					T0 + MIN, &it), QUALITY_OK);
	assert_int_equal(db_commit(f->db), 0);
}

static void test_report_institutions(void **state)
{
	struct fx *f = *state;
	struct quality_filter flt = { .by = QUALITY_BY_INSTITUTION,
				      .today = "2026-12-05" };
	struct quality_row r[4];
	unsigned n;

	answer_some(f);
	assert_int_equal(quality_report(f->db, &flt, r, 4, &n), 0);
	assert_int_equal(n, 2);
	/* I1: 3001 (4 trainees) and 3003 (2) */
	assert_string_equal(r[0].key, "I1");
	assert_string_equal(r[0].name, "揭阳技校");
	assert_int_equal(r[0].courses, 2);
	assert_int_equal(r[0].trainees, 6);
	assert_int_equal(r[0].results, 2);
	assert_true(r[0].pass_rate == 1.0);
	assert_int_equal(r[0].checks, 2);
	assert_int_equal(r[0].confirmed, 1);
	assert_int_equal(r[0].never, 1);
	assert_true(r[0].confirm_rate == 0.5);
	assert_int_equal(r[0].surveys, 0);
	assert_true(r[0].rated_rate < 0 && r[0].score_avg < 0);
	assert_int_equal(r[0].followed, 2);
	assert_int_equal(r[0].reported, 1);
	assert_true(r[0].reported_rate == 0.5);
	assert_int_equal(r[0].business, 1);
	assert_true(r[0].business_rate == 1.0 && r[0].employed_rate == 0.0);
	/* I2: 3002 (2; one cancelled) and 3004 (1) */
	assert_string_equal(r[1].key, "I2");
	assert_int_equal(r[1].trainees, 3);
	assert_int_equal(r[1].results, 3);
	assert_int_equal(r[1].passed, 2);
	assert_true(r[1].pass_rate == 0.6667);
	assert_int_equal(r[1].surveys, 2);
	assert_int_equal(r[1].rated, 1);
	assert_true(r[1].rated_rate == 0.5 && r[1].score_avg == 4.0);
	assert_int_equal(r[1].score[3], 1);
	assert_true(r[1].reported_rate < 0);
	/* one institution, recent courses only */
	flt.institution = "I1";
	flt.since = "2026-12-01";
	assert_int_equal(quality_report(f->db, &flt, r, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].trainees, 4);
	assert_int_equal(r[0].followed, 0);
	/* on 11-01 3001 had not started: 3003's two trainees only */
	flt.since = NULL;
	flt.today = "2026-11-01";
	assert_int_equal(quality_report(f->db, &flt, r, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].trainees, 2);
	flt.since = "yesterday";
	assert_int_equal(quality_report(f->db, &flt, r, 4, &n), -EINVAL);
}

static void test_report_groups_and_csv(void **state)
{
	struct fx *f = *state;
	struct quality_filter flt = { .by = QUALITY_BY_OCCUPATION,
				      .today = "2026-12-05" };
	struct quality_row r[4];
	unsigned long rows;
	unsigned n;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	answer_some(f);
	assert_int_equal(quality_report(f->db, &flt, r, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].key, "C01");
	assert_string_equal(r[0].name, "中式烹调师");
	assert_string_equal(r[1].key, "E01");
	assert_int_equal(r[1].confirmed, 1);
	flt.by = QUALITY_BY_COURSE;
	assert_int_equal(quality_report(f->db, &flt, r, 4, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(r[0].key, "3001");
	assert_string_equal(r[0].name, "电工培训班");
	out = open_memstream(&buf, &len);
	flt.by = QUALITY_BY_INSTITUTION;
	assert_int_equal(quality_report_csv(f->db, &flt, out, &rows), 0);
	fclose(out);
	assert_int_equal(rows, 2);
	assert_memory_equal(buf, "\xef\xbb\xbf代码,名称,课程数",
			    strlen("\xef\xbb\xbf代码,名称,课程数"));
	assert_non_null(strstr(buf, "\r\n\tI1,揭阳技校,2,6,2,2,100.0%,2,1,"
			       "50.0%,1,0,0,,,0,0,0,0,0,2,1,50.0%,0,1,0,0.0%,"
			       "100.0%\r\n"));
	free(buf);
}

static void test_report_course(void **state)
{
	struct fx *f = *state;
	struct quality_course *c;

	answer_some(f);
	assert_int_equal(quality_course_get(f->db, f, "9999", &c), -ENOENT);
	assert_int_equal(quality_course_get(f->db, f, "3001", &c), 0);
	assert_string_equal(c->institution, "揭阳技校");
	assert_string_equal(c->checks, "2026-12-05,2026-12-07");
	assert_int_equal(c->trainees, 4);
	assert_int_equal(c->n_days, 2);
	assert_string_equal(c->days[0].day, "2026-12-05");
	assert_int_equal(c->days[0].asked, 2);
	assert_int_equal(c->days[0].confirmed, 1);
	assert_int_equal(c->days[0].nonumber, 1);
	assert_int_equal(c->days[0].optout, 1);
	assert_true(c->days[0].share == 0.5);
	assert_int_equal(c->days[1].asked, 0);
	assert_true(c->days[1].share < 0);
	assert_int_equal(c->n_never, 1);
	assert_string_equal(c->never[0].name, "欧**明");
	assert_string_equal(c->never[0].id, "445***********2345");
	assert_string_equal(c->never[0].msisdn, "138****0002");
	assert_int_equal(c->never[0].other, 1);
	assert_int_equal(c->other, 1);
	assert_int_equal(quality_course_get(f->db, f, "3002", &c), 0);
	assert_int_equal(c->rated, 1);
	assert_int_equal(c->n_comments, 1);
	assert_string_equal(c->comments[0].name, "张*明");
	assert_int_equal(c->comments[0].score, 4);
	assert_string_equal(c->comments[0].text, "很好 电话138********");
	/* numbers typed in groups, an ID with its X: masked all the same;
	 * short numbers stay */
	testutil_exec(f->db, "UPDATE quality_question SET comment = '电话138"
		      " 0013 8000 身份证44520219900303004X 第2 3节 2024年"
		      " 1234567' WHERE comment IS NOT NULL");
	assert_int_equal(quality_course_get(f->db, f, "3002", &c), 0);
	assert_string_equal(c->comments[0].text, "电话138 **** **** 身份证445"
			    "*************** 第2 3节 2024年 123****");
	assert_int_equal(quality_course_get(f->db, f, "3003", &c), 0);
	assert_int_equal(c->n_rounds, 1);
	assert_int_equal(c->rounds[0].months, 3);
	assert_int_equal(c->rounds[0].asked, 2);
	assert_int_equal(c->rounds[0].business, 1);
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
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_checks_and_hours),
		T(test_plan),
		T(test_ask),
		T(test_ask_texts),
		T(test_ask_failure_keeps_due),
		T(test_respect_optout_off),
		T(test_late_not_asked),
		T(test_checkin),
		T(test_survey_answers),
		T(test_report_institutions),
		T(test_report_groups_and_csv),
		T(test_report_course),
	};
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_quality");
	sgw_log_init(test_ctx, "fatal", NULL);
	testutil_glossary();
	if (load_texts() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
