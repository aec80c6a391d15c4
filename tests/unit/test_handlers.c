/*
 * test_handlers.c - the SMS commands end to end below the queue: a text from
 * a number goes through sms_answer() (rate limit, parser, the reply
 * functions of handlers/, the domain layer) against a fresh database per
 * test, filled with the shared fixture (fixture.h: its roster, catalogue
 * and records, at its fixed time, 2026-03-01 10:00 China time). Replies
 * are compared with the texts of conf/messages.conf rendered with the
 * expected values, or searched for what must (and must not) be in them.
 *
 * Covered: help for bound and unbound numbers; unknown input with and
 * without a suggestion; registration (happy path, already bound, wrong
 * name, ID of someone else's, bad ID, usage, lockout after 5 failures and
 * its audit rows); subsidies (list with statuses, dates, amounts, a reason;
 * none); a stranger's number gets nothing personal; courses (home region
 * first, filters, what is not open); enrolment (happy path with its audit
 * row, twice, unknown, deadline, closed, the subsidy-rule warnings, full)
 * and the last 10 seats among 50 workers; cancellation (happy path, seat
 * freed, not enrolled, started); the record; opt-out and opt-in; PJ and
 * JY as phones type them (glued, spaced, "3.5", none to answer);
 * SQL-looking input; a 1,000-character message; the rate limit; a reply
 * queued by sms_mo() and USSD left alone.
 *
 * SHOW_REPLIES=1 prints every conversation (number, text, reply).
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
#include <osmocom/core/talloc.h>

#include "gateway/config.h"
#include "gateway/db.h"
#include "handlers/replies/replies.h"
#include "handlers/domain/idcard.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "handlers/sms/sms.h"
#include "fixture.h"
#include "testutil.h"
#include "gateway/text/texts.h"

#define SIG		"【揭阳人社】"
#define LOAD_SEATS	10	/* of 2037, for the fixture's crowd */
#define REPLY_MAX	TEXTS_MAX

/* Numbers of the fixture */
#define ZHANG		FIXTURE_ZHANG	/* 张小明, bound by the roster */
#define WANG		FIXTURE_WANG	/* 王五, bound, rule tests */
#define CHEN		FIXTURE_CHEN	/* 陈七, bound, nothing on record */
#define STRANGER	"8613999999999"	/* not on the roster */

struct fx {
	char path[64];
	struct db *db;
	struct mtq *q;
	struct sms *sms;
	struct config cfg;
	struct dom *dom;
	struct handler_ctx hc;
	char out[REPLY_MAX];
};

static void *test_ctx;
static struct texts *texts;
static int64_t now_ms;
/* resident IDs of the fixture, with their check characters */
static char id_zhang[IDCARD_LEN + 1], id_li[IDCARD_LEN + 1];

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

static struct fx *fx_new(unsigned rate_limit)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);
	struct mtq_params qp = { .max_attempts = 3, .retry_min_s = 1,
				 .retry_max_s = 2, .max_parts = 8 };

	f->db = testutil_db_create(f, "test_handlers", f->path,
				   sizeof(f->path));
	fixture_load(f->db);
	f->q = mtq_init(f, f->db, &qp);
	assert_non_null(f->q);
	config_defaults(&f->cfg);
	f->cfg.rate_limit = rate_limit;
	f->sms = sms_init(f, &f->cfg, f->db, f->q, texts);
	assert_non_null(f->sms);
	f->dom = dom_init(f, f->db, NULL);
	assert_non_null(f->dom);
	f->hc = (struct handler_ctx){ .dom = f->dom, .texts = texts,
				      .via = DOM_VIA_SMS, .list_parts = 3,
				      .now_ms = now_ms };
	return f;
}

static int setup(void **state)
{
	*state = fx_new(10000);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sms_free(f->sms);
	dom_free(f->dom);
	mtq_free(f->q);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* The reply to text from msisdn (must be one). */
static const char *ask(struct fx *f, const char *msisdn, const char *text)
{
	int rc = sms_answer(f->sms, msisdn, text, strlen(text), now_ms, f->out,
			    sizeof(f->out));

	assert_int_equal(rc, 1);
	assert_true(f->out[0] != '\0');
	if (getenv("SHOW_REPLIES"))
		printf("> %s: %s\n< %s\n\n", msisdn, text, f->out);
	return f->out;
}

/* Text id rendered with the configured signature and the values. */
static const char *want(enum texts_id id, const struct texts_val *v,
			size_t n)
{
	static char buf[REPLY_MAX];

	texts_render(texts, id, v, n, buf, sizeof(buf));
	return buf;
}

#define V(...)	(struct texts_val[]){ __VA_ARGS__ }, \
		sizeof((struct texts_val[]){ __VA_ARGS__ }) / sizeof(struct texts_val)

static void expect_reply(struct fx *f, const char *msisdn, const char *text,
			 const char *expected)
{
	const char *got = ask(f, msisdn, text);

	if (strcmp(got, expected))
		print_error("'%s' from %s:\n got: %s\nwant: %s\n", text,
			    msisdn, got, expected);
	assert_string_equal(got, expected);
}

static void expect_has(const char *s, const char *part)
{
	if (!strstr(s, part))
		print_error("'%s' not in:\n%s\n", part, s);
	assert_non_null(strstr(s, part));
}

static void expect_not(const char *s, const char *part)
{
	if (strstr(s, part))
		print_error("'%s' should not be in:\n%s\n", part, s);
	assert_null(strstr(s, part));
}

static int64_t audits(struct fx *f, const char *action)
{
	char sql[128];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit WHERE action = '%s'", action);
	return testutil_q1(f->db, sql);
}

static int64_t seats(struct fx *f, const char *code)
{
	char sql[128];

	snprintf(sql, sizeof(sql),
		 "SELECT seats_taken FROM course WHERE code = '%s'", code);
	return testutil_q1(f->db, sql);
}

/* ------------------------------------------------------------------ */
/* Help and unknown input                                              */

static void test_help(void **state)
{
	struct fx *f = *state;

	expect_reply(f, ZHANG, "BZ", want(TX_HELP, NULL, 0));
	expect_reply(f, ZHANG, "帮助", want(TX_HELP, NULL, 0));
	expect_reply(f, ZHANG, "？", want(TX_HELP, NULL, 0));
	expect_reply(f, STRANGER, "help", want(TX_HELP_UNBOUND, NULL, 0));
	expect_has(f->out, SIG);
	expect_has(f->out, "12333");
}

static void test_unknown(void **state)
{
	struct fx *f = *state;

	expect_reply(f, ZHANG, "你好", want(TX_UNKNOWN, NULL, 0));
	expect_reply(f, ZHANG, "BTT", want(TX_UNKNOWN_NEAR,
					   V({ "keyword", "BT" })));
	expect_reply(f, ZHANG, "subsidi", want(TX_UNKNOWN_NEAR,
					       V({ "keyword", "SUBSIDY" })));
	expect_reply(f, STRANGER, "我想查补贴", want(TX_UNKNOWN_NEAR,
						V({ "keyword", "补贴" })));
	/* nothing of the input comes back */
	expect_not(ask(f, ZHANG, "点击 http://evil.example 领取补贴款"),
		   "evil");
	expect_reply(f, ZHANG, "", want(TX_UNKNOWN, NULL, 0));
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */

static void test_register_ok(void **state)
{
	struct fx *f = *state;
	const char *n = "8613900000999";
	char text[96], masked[IDCARD_MASKED];

	idcard_mask(id_li, masked);
	snprintf(text, sizeof(text), "注册%s，李四", id_li);
	expect_reply(f, n, text, want(TX_REG_OK,
		V({ "name", "李*" }, { "id", masked })));
	expect_not(f->out, id_li);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM worker WHERE id = 2"
			       " AND msisdn = '8613900000999' AND bound_by = 'sms'"), 1);
	assert_int_equal(audits(f, "register"), 1);
	/* now bound: personal commands work, ZC says who */
	expect_reply(f, n, "BT", want(TX_SUBSIDY_NONE, V({ "name", "李*" })));
	expect_reply(f, n, text, want(TX_REG_ALREADY,
		V({ "name", "李*" }, { "id", masked })));
	expect_reply(f, n, "ZC", want(TX_REG_ALREADY,
		V({ "name", "李*" }, { "id", masked })));
}

static void test_register_refusals(void **state)
{
	struct fx *f = *state;
	const char *n = "8613900000999";
	char text[96];

	expect_reply(f, n, "ZC", want(TX_REG_USAGE, NULL, 0));
	expect_reply(f, n, "ZC 张三", want(TX_REG_USAGE, NULL, 0));
	snprintf(text, sizeof(text), "ZC %s", id_li);
	expect_reply(f, n, text, want(TX_REG_USAGE, NULL, 0));
	expect_reply(f, n, "ZC 4452811990 李四", want(TX_REG_BAD_ID, NULL, 0));
	/* a wrong name and an ID on the roster get the same answer */
	snprintf(text, sizeof(text), "ZC %s 李五", id_li);
	expect_reply(f, n, text, want(TX_REG_MISMATCH, V({ "left", "4" })));
	/* someone else's bound ID with the right name */
	snprintf(text, sizeof(text), "ZC %s 张小明", id_zhang);
	expect_reply(f, n, text, want(TX_REG_TAKEN, V({ "left", "3" })));
	expect_not(f->out, "张");
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM worker WHERE msisdn ="
			       " '8613900000999'"), 0);
	/* a bound number cannot register anyone */
	snprintf(text, sizeof(text), "ZC %s 李四", id_li);
	expect_has(ask(f, ZHANG, text), "张*明");
	assert_int_equal(testutil_q1(f->db, "SELECT msisdn IS NULL FROM worker WHERE id = 2"),
			 1);
}

static void test_register_lockout(void **state)
{
	struct fx *f = *state;
	const char *n = "8613900000998";
	char text[96];
	int i;

	snprintf(text, sizeof(text), "ZC %s 错名", id_li);
	for (i = 1; i < 5; i++) {
		char left[4];

		snprintf(left, sizeof(left), "%d", 5 - i);
		expect_reply(f, n, text, want(TX_REG_MISMATCH,
					      V({ "left", left })));
	}
	/* the fifth failure locks, and says so with the hotline */
	expect_reply(f, n, text, want(TX_REG_LOCKED, NULL, 0));
	expect_has(f->out, "12333");
	assert_int_equal(audits(f, "lockout"), 1);
	/* even the right name is refused today */
	snprintf(text, sizeof(text), "ZC %s 李四", id_li);
	expect_reply(f, n, text, want(TX_REG_LOCKED, NULL, 0));
	expect_reply(f, n, "ZC", want(TX_REG_LOCKED, NULL, 0));
	assert_int_equal(testutil_q1(f->db, "SELECT msisdn IS NULL FROM worker WHERE id = 2"),
			 1);
	/* another number is not locked */
	expect_has(ask(f, "8613900000997", text), "李*");
}

/* ------------------------------------------------------------------ */
/* Subsidies                                                           */

static void test_subsidy_list(void **state)
{
	struct fx *f = *state;
	const char *r = ask(f, ZHANG, "BT");

	expect_has(r, want(TX_SUBSIDY_HEAD,
			   V({ "name", "张*明" }, { "count", "3" })));
	/* newest first: reviewing, rejected with its reason, paid */
	expect_has(r, "\n职业培训补贴·焊工 1000.00元 审核中 2026年2月1日");
	expect_has(r, "\n职业技能鉴定补贴·焊工 300.00元 不予补贴：材料不全 "
		   "2025年8月15日");
	expect_has(r, "\n职业培训补贴·电工 1500.00元 已发放 2025年7月1日");
	expect_not(r, "张小明");
	expect_not(r, id_zhang);
	assert_true(texts_parts(r) <= 3);
	expect_reply(f, ZHANG, "补贴查询", r);
	expect_reply(f, ZHANG, "ｂｔ", r);
}

static void test_subsidy_none(void **state)
{
	struct fx *f = *state;

	expect_reply(f, CHEN, "BT", want(TX_SUBSIDY_NONE,
					 V({ "name", "陈*" })));
}

/* Nobody's data reaches a number that is not bound, whatever it sends. */
static void test_stranger(void **state)
{
	static const char *const cmds[] = {
		"BT", "补贴", "DA", "我的", "BM2031", "QX2034", "TD", "DY",
		"BT 445281199001011234", "BT " ZHANG, "SUBSIDY 张小明",
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *r = ask(f, STRANGER, cmds[i]);

		expect_not(r, "张");
		expect_not(r, "445281");
		expect_not(r, "元");
	}
	expect_reply(f, STRANGER, "BT", want(TX_NOT_REGISTERED, NULL, 0));
	expect_reply(f, STRANGER, "TD", want(TX_OPT_UNBOUND, NULL, 0));
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment WHERE"
			       " channel = 'sms'"), 0);
}

/* ------------------------------------------------------------------ */
/* Courses                                                             */

static void test_courses(void **state)
{
	struct fx *f = *state;
	const char *r;

	/* 张小明 lives in 普宁 (445281): 2031 first */
	r = ask(f, ZHANG, "KC");
	expect_has(r, want(TX_COURSES_HEAD, V({ "filter", "" })));
	expect_has(r, "\n2031 电工初级班（初级工）普宁市 4月1日-4月30日 余30位 "
		   "补贴1200.00元");
	assert_true(strstr(r, "2031") < strstr(r, "2036"));
	/* not open: deadline passed, started, closed, finished */
	expect_not(r, "2033");
	expect_not(r, "2034");
	expect_not(r, "2035");
	expect_not(r, "2030");
	assert_true(texts_parts(r) <= 3);
	/* 王五 lives in 揭西 (445222): 2036 first, before 2039 of 普宁 that
	 * starts earlier */
	r = ask(f, WANG, "课程");
	expect_has(r, "2036");
	expect_has(r, "2039");
	assert_true(strstr(r, "2036") < strstr(r, "2039"));
	/* anyone may ask */
	expect_has(ask(f, STRANGER, "kc"), "2031");
}

static void test_courses_filter(void **state)
{
	struct fx *f = *state;
	const char *r;

	r = ask(f, STRANGER, "KC 揭西");
	expect_has(r, want(TX_COURSES_HEAD, V({ "filter", "揭西" })));
	expect_has(r, "2036");
	expect_has(r, "2038");
	expect_not(r, "2031");
	r = ask(f, STRANGER, "课程电工");
	expect_has(r, "2031");
	expect_has(r, "2037");
	expect_not(r, "2036");
	r = ask(f, STRANGER, "KC 榕城 电工");
	expect_has(r, "2037");
	expect_not(r, "2031");
	/* words that name nothing are ignored */
	r = ask(f, STRANGER, "课程查询");
	expect_has(r, "2031");
	expect_has(r, "2036");
	/* nothing open */
	expect_reply(f, STRANGER, "KC 惠来", want(TX_COURSES_NONE,
						 V({ "filter", "惠来" })));
}

/* ------------------------------------------------------------------ */
/* Enrolment and cancellation                                          */

static void test_enrol(void **state)
{
	struct fx *f = *state;
	char warn[REPLY_MAX];

	expect_reply(f, CHEN, "BM2031", want(TX_ENROL_OK, V(
		{ "name", "陈*" }, { "course", "电工初级班" },
		{ "code", "2031" }, { "start", "4月1日" },
		{ "institution", "普宁职校" }, { "warning", "" })));
	assert_int_equal(seats(f, "2031"), 1);
	assert_int_equal(audits(f, "enrol"), 1);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment WHERE"
			       " worker_id = 5 AND channel = 'sms'"
			       " AND status = 'enrolled'"), 1);
	expect_reply(f, CHEN, "报名 2031", want(TX_ENROL_DUP, V(
		{ "course", "电工初级班" }, { "code", "2031" },
		{ "start", "4月1日" })));
	assert_int_equal(seats(f, "2031"), 1);
	/* full-width, glued; 张小明 was paid for 电工 初级工 in 2025 */
	texts_render(texts, TX_ENROL_WARN_SAME, V({ "occupation", "电工" },
		     { "level", "初级工" }), warn, sizeof(warn));
	expect_reply(f, ZHANG, "ｂｍ２０３１", want(TX_ENROL_OK, V(
		{ "name", "张*明" }, { "course", "电工初级班" },
		{ "code", "2031" }, { "start", "4月1日" },
		{ "institution", "普宁职校" }, { "warning", warn })));
	assert_int_equal(seats(f, "2031"), 2);
	assert_true(texts_parts(f->out) <= TEXTS_REPLY_PARTS);
}

static void test_enrol_refusals(void **state)
{
	struct fx *f = *state;

	expect_reply(f, ZHANG, "BM", want(TX_ENROL_USAGE, NULL, 0));
	expect_reply(f, ZHANG, "报名电工", want(TX_ENROL_USAGE, NULL, 0));
	expect_reply(f, ZHANG, "BM9999", want(TX_ENROL_UNKNOWN,
					      V({ "code", "9999" })));
	expect_reply(f, ZHANG, "BM 2033", want(TX_ENROL_CLOSED, V(
		{ "course", "育婴员班" }, { "code", "2033" },
		{ "date", "2026年2月20日" })));
	expect_reply(f, ZHANG, "BM 2035", want(TX_ENROL_UNKNOWN,
					       V({ "code", "2035" })));
	/* a code too long to be one */
	expect_reply(f, ZHANG, "BM 1234567890123456789012345678901234567",
		     want(TX_ENROL_USAGE, NULL, 0));
	assert_int_equal(audits(f, "enrol"), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment WHERE"
			       " channel = 'sms'"), 0);
}

/* 王五 had 3 training subsidies this year, and 中式烹调师 level 4 before. */
static void test_enrol_rule_warnings(void **state)
{
	struct fx *f = *state;
	char warn[REPLY_MAX];

	texts_render(texts, TX_ENROL_WARN_YEAR, V({ "count", "3" }), warn,
		     sizeof(warn));
	expect_reply(f, WANG, "BM2031", want(TX_ENROL_OK, V(
		{ "name", "王*" }, { "course", "电工初级班" },
		{ "code", "2031" }, { "start", "4月1日" },
		{ "institution", "普宁职校" }, { "warning", warn })));
	texts_render(texts, TX_ENROL_WARN_SAME, V({ "occupation", "中式烹调师" },
		     { "level", "中级工" }), warn, sizeof(warn));
	expect_has(ask(f, WANG, "BM2038"), warn);
	/* enrolled anyway: the rule is the reviewers' to apply */
	assert_int_equal(seats(f, "2038"), 1);
	/* no warning for a worker the rule does not touch */
	expect_not(ask(f, CHEN, "BM2038"), "注意");
}

static void test_enrol_full(void **state)
{
	struct fx *f = *state;

	expect_has(ask(f, ZHANG, "BM2032"), "已报名");
	expect_has(ask(f, CHEN, "BM2032"), "已报名");
	expect_reply(f, WANG, "BM2032", want(TX_ENROL_FULL, V(
		{ "course", "焊工中级班" }, { "code", "2032" })));
	assert_int_equal(seats(f, "2032"), 2);
	/* a cancellation frees a seat for the next one */
	expect_has(ask(f, CHEN, "QX2032"), "已取消");
	expect_has(ask(f, WANG, "BM2032"), "已报名");
	assert_int_equal(seats(f, "2032"), 2);
}

/* The crowd, 50 workers, ask for the 10 seats of 2037, interleaved with
 * other traffic: exactly 10 get one, the others are told it is full. */
static void test_last_seats(void **state)
{
	struct fx *f = *state;
	unsigned i;
	int ok = 0, full = 0;

	expect_has(ask(f, STRANGER, "KC 榕城"), "2037");
	for (i = 0; i < FIXTURE_CROWD; i++) {
		char n[32];
		const char *r;

		fixture_crowd_number(n, sizeof(n), i);
		r = ask(f, n, i % 2 ? "BM2037" : "报名 2037");
		ok += strstr(r, "已报名") != NULL;
		full += strstr(r, "名额已满") != NULL;
		ask(f, ZHANG, "KC");
	}
	assert_int_equal(ok, LOAD_SEATS);
	assert_int_equal(full, FIXTURE_CROWD - LOAD_SEATS);
	assert_int_equal(seats(f, "2037"), LOAD_SEATS);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment e JOIN course c"
			       " ON c.id = e.course_id WHERE c.code = '2037'"
			       " AND e.status = 'enrolled'"), LOAD_SEATS);
	assert_int_equal(audits(f, "enrol"), LOAD_SEATS);
	/* a full course is no longer offered */
	expect_not(ask(f, STRANGER, "KC 榕城"), "2037");
}

static void test_cancel(void **state)
{
	struct fx *f = *state;

	ask(f, ZHANG, "BM2031");
	assert_int_equal(seats(f, "2031"), 1);
	expect_reply(f, ZHANG, "QX2031", want(TX_CANCEL_OK, V(
		{ "course", "电工初级班" }, { "code", "2031" })));
	assert_int_equal(seats(f, "2031"), 0);
	assert_int_equal(audits(f, "cancel"), 1);
	expect_reply(f, ZHANG, "取消 2031", want(TX_CANCEL_NONE,
						V({ "code", "2031" })));
	expect_reply(f, ZHANG, "QX 9999", want(TX_CANCEL_NONE,
					       V({ "code", "9999" })));
	expect_reply(f, ZHANG, "QX", want(TX_CANCEL_USAGE, NULL, 0));
	/* started on 2026-02-15 */
	expect_reply(f, ZHANG, "QX2034", want(TX_CANCEL_STARTED, V(
		{ "course", "电工中级提升班" }, { "code", "2034" },
		{ "date", "2026年2月15日" })));
	assert_int_equal(audits(f, "cancel"), 1);
	/* enrol again after cancelling */
	expect_has(ask(f, ZHANG, "BM2031"), "已报名");
}

/* ------------------------------------------------------------------ */
/* Record, opt-out                                                     */

static void test_record(void **state)
{
	struct fx *f = *state;
	const char *r = ask(f, ZHANG, "DA");

	expect_has(r, want(TX_RECORD_HEAD, V({ "name", "张*明" })));
	expect_has(r, "\n技能等级：电工初级工");
	expect_has(r, "\n2026年2月15日 电工中级提升班（中级工）已报名");
	expect_has(r, "\n2025年5月1日 电工初级2025班（初级工）合格");
	expect_has(r, "\n证书：职业技能等级证书·电工初级工 2025年6月10日");
	expect_reply(f, ZHANG, "我的", r);
	expect_reply(f, ZHANG, "wd", r);
	expect_reply(f, CHEN, "档案", want(TX_RECORD_NONE,
					  V({ "name", "陈*" })));
}

static void test_optout(void **state)
{
	struct fx *f = *state;

	expect_reply(f, ZHANG, "TD", want(TX_OPTOUT_OK, NULL, 0));
	assert_int_equal(testutil_q1(f->db, "SELECT opted_out FROM worker WHERE id = 1"), 1);
	expect_reply(f, ZHANG, "退订", want(TX_OPTOUT_OK, NULL, 0));
	expect_reply(f, ZHANG, "t", want(TX_OPTOUT_OK, NULL, 0));
	assert_int_equal(audits(f, "optout"), 1);
	expect_reply(f, ZHANG, "DY", want(TX_OPTIN_OK, NULL, 0));
	assert_int_equal(testutil_q1(f->db, "SELECT opted_out FROM worker WHERE id = 1"), 0);
	expect_reply(f, ZHANG, "取消订阅", want(TX_OPTOUT_OK, NULL, 0));
	expect_reply(f, ZHANG, "START", want(TX_OPTIN_OK, NULL, 0));
	assert_int_equal(audits(f, "optin"), 2);
}

/* PJ and JY as phones type them: 张小明 has a survey of 2030 open, 王五
 * none (the reply says so, from a question that was never found). */
static void test_quality_answers(void **state)
{
	struct fx *f = *state;
	char sql[512];
	const char *usage, *comment = "SELECT coalesce(comment, '-') = '%s'"
		" FROM quality_question WHERE worker_id = 1";

	snprintf(sql, sizeof(sql), "INSERT INTO quality_question (kind, round,"
		 " enrolment_id, worker_id, course_id, state, asked_at,"
		 " expires_at) SELECT 'survey', 0, e.id, 1, e.course_id,"
		 " 'queued', %lld, %lld FROM enrolment e JOIN course c ON"
		 " c.id = e.course_id WHERE c.code = '2030'",
		 (long long)now_ms, (long long)now_ms + 86400000LL);
	testutil_exec(f->db, sql);
	expect_reply(f, WANG, "PJ5", want(TX_RATE_NONE, NULL, 0));
	expect_reply(f, WANG, "JY1", want(TX_EMPLOYMENT_NONE, NULL, 0));
	usage = want(TX_RATE_USAGE, V({ "course", "电工初级2025班" }));
	expect_reply(f, ZHANG, "PJ 3.5", usage);
	expect_reply(f, ZHANG, "PJ 4，5", usage);
	expect_reply(f, ZHANG, "PJ 5分5", usage);
	expect_reply(f, ZHANG, "PJ 6", usage);
	expect_reply(f, ZHANG, "PJ5a", usage);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM"
				     " quality_question WHERE answer > 0"), 0);
	expect_reply(f, ZHANG, "pj5好", want(TX_RATE_OK, V({ "course",
		     "电工初级2025班" }, { "score", "5" })));
	snprintf(sql, sizeof(sql), comment, "好");
	assert_int_equal(testutil_q1(f->db, sql), 1);
	expect_reply(f, ZHANG, "ＰＪ ４ 分 很好", want(TX_RATE_CHANGED,
		     V({ "course", "电工初级2025班" }, { "score", "4" })));
	snprintf(sql, sizeof(sql), comment, "很好");
	assert_int_equal(testutil_q1(f->db, sql), 1);
	/* a keycap emoji is its digit, and no comment */
	expect_reply(f, ZHANG, "PJ 3\xef\xb8\x8f\xe2\x83\xa3",
		     want(TX_RATE_CHANGED, V({ "course", "电工初级2025班" },
					     { "score", "3" })));
	assert_int_equal(testutil_q1(f->db, sql), 1);
}

/* ------------------------------------------------------------------ */
/* Hostile input, limits, the queue                                    */

static void test_sql_input(void **state)
{
	struct fx *f = *state;
	int64_t workers = testutil_q1(f->db, "SELECT count(*) FROM worker");
	char text[96];

	expect_reply(f, STRANGER, "ZC ' OR '1'='1' --",
		     want(TX_REG_BAD_ID, NULL, 0));
	expect_reply(f, STRANGER, "ZC ' OR name LIKE '%' --",
		     want(TX_REG_USAGE, NULL, 0));
	snprintf(text, sizeof(text), "ZC %s' OR 1=1; -- 张小明", id_zhang);
	expect_reply(f, STRANGER, text,
		     want(TX_REG_MISMATCH, V({ "left", "4" })));
	ask(f, STRANGER, "KC '; DELETE FROM course; --");
	ask(f, ZHANG, "BT'; DROP TABLE subsidy; --");
	expect_reply(f, ZHANG, "BM 9999' OR code = '2031", want(TX_ENROL_UNKNOWN,
		V({ "code", "9999" })));
	ask(f, ZHANG, "KC 普宁%' OR '1'='1");
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM worker"), workers);
	/* the fixture's 11 courses and 8 subsidies */
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM course"), 11);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM subsidy"), 8);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM worker WHERE msisdn = '"
			       STRANGER "'"), 0);
}

static void test_long_message(void **state)
{
	struct fx *f = *state;
	char text[1000 * 3 + 16];
	int i;

	/* 1,000 Chinese characters, then 1,000 digits after BM */
	text[0] = '\0';
	for (i = 0; i < 1000; i++)
		strcat(text, "补");
	expect_reply(f, ZHANG, text, want(TX_UNKNOWN, NULL, 0));
	strcpy(text, "BM");
	memset(text + 2, '7', 1000);
	text[1002] = '\0';
	expect_reply(f, ZHANG, text, want(TX_ENROL_USAGE, NULL, 0));
	strcpy(text, "KC ");
	for (i = 0; i < 333; i++)
		strcat(text, "普宁 ");
	expect_has(ask(f, ZHANG, text), "2031");
	memset(text, 'x', 1000);
	text[1000] = '\0';
	expect_reply(f, ZHANG, text, want(TX_UNKNOWN, NULL, 0));
}

static void test_rate_limit(void **state)
{
	struct fx *f = fx_new(10);
	char out[REPLY_MAX];
	int i;

	for (i = 0; i < 10; i++)
		assert_int_equal(sms_answer(f->sms, ZHANG, "BT", 2, now_ms + i,
					    out, sizeof(out)), 1);
	/* the 11th: one polite answer, with the minutes to wait */
	assert_int_equal(sms_answer(f->sms, ZHANG, "BT", 2, now_ms + 10, out,
				    sizeof(out)), 1);
	assert_string_equal(out, want(TX_RATE_LIMITED,
				      V({ "minutes", "1" })));
	/* then silence until the window ends */
	for (i = 0; i < 20; i++)
		assert_int_equal(sms_answer(f->sms, ZHANG, "BT", 2,
					    now_ms + 1000 + i, out,
					    sizeof(out)), 0);
	assert_int_equal(sms_stats(f->sms)->limited, 21);
	/* another number is not affected */
	assert_int_equal(sms_answer(f->sms, CHEN, "BT", 2, now_ms + 20, out,
				    sizeof(out)), 1);
	/* a new window */
	assert_int_equal(sms_answer(f->sms, ZHANG, "BT", 2, now_ms + 60000,
				    out, sizeof(out)), 1);
	expect_has(out, "张*明");
	teardown((void **)&f);
}

static void test_sms_mo_queues(void **state)
{
	struct fx *f = *state;
	struct mo_msg m = { .id = 1, .link = "sim", .src = ZHANG,
			    .dst = "12333", .text = "BT", .parts = 1 };

	assert_int_equal(sms_mo(f->sms, &m), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mt WHERE dst = '" ZHANG
			       "' AND prio = 1 AND text LIKE '" SIG "%'"), 1);
	assert_int_equal(sms_stats(f->sms)->replies, 1);
	/* service numbers are not answered (no reply loops); USSD steps
	 * never reach sms_mo (test_router) */
	m.src = "8610086";
	assert_int_equal(sms_mo(f->sms, &m), 0);
	m.src = "8610690000123456";
	assert_int_equal(sms_mo(f->sms, &m), 0);
	m.src = "abc";
	assert_int_equal(sms_mo(f->sms, &m), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mt"), 1);
}

/* Direct calls with a USSD-style context: no signature. */
static void test_direct_call(void **state)
{
	struct fx *f = *state;
	char out[REPLY_MAX];

	f->hc.signature = "";
	f->hc.via = DOM_VIA_USSD;
	assert_int_equal(subsidy_reply(&f->hc, CHEN, "", out, sizeof(out)), 0);
	assert_memory_equal(out, "陈*，", strlen("陈*，"));
	assert_int_equal(enrol_reply(&f->hc, CHEN, "2031", out, sizeof(out)),
			 0);
	expect_has(out, "已报名");
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment WHERE"
			       " worker_id = 5 AND channel = 'ussd'"), 1);
	assert_ptr_equal(handler_for(COMMAND_SUBSIDY), subsidy_reply);
	assert_null(handler_for(COMMAND_UNKNOWN));
	assert_null(handler_for(COMMAND_NUM));
	/* NULL argument and number */
	assert_int_equal(enrol_reply(&f->hc, CHEN, NULL, out, sizeof(out)), 0);
	assert_int_equal(subsidy_reply(&f->hc, NULL, NULL, out, sizeof(out)), 0);
	assert_int_equal(register_reply(&f->hc, STRANGER, NULL, out,
					sizeof(out)), 0);
}

/* ------------------------------------------------------------------ */

static int load_texts(void)
{
	const char *slash = strrchr(__FILE__, '/');
	struct texts_params p = { .signature = SIG, .hotline = "12333",
				  .list_parts = 3 };
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "conf/messages.conf");
	if (access(path, R_OK))
		snprintf(path, sizeof(path), "%.*s/../../conf/messages.conf",
			 slash ? (int)(slash - __FILE__) : 1,
			 slash ? __FILE__ : ".");
	texts = texts_load(test_ctx, path, &p, stderr, NULL);
	return texts ? 0 : -1;
}

int main(void)
{
	const char *level = getenv("TEST_LOG_LEVEL");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_register_lockout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_subsidy_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_subsidy_none, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stranger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_courses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_courses_filter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enrol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enrol_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enrol_rule_warnings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enrol_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_seats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_optout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quality_answers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sql_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_message, setup,
						teardown),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test_setup_teardown(test_sms_mo_queues, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_direct_call, setup,
						teardown),
	};
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_handlers");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	testutil_glossary();
	now_ms = fixture_now_ms();
	testutil_resident_id(id_zhang, FIXTURE_ZHANG_ID17);
	testutil_resident_id(id_li, FIXTURE_LI_ID17);
	if (load_texts())
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
