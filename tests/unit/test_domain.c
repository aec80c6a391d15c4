/*
 * test_domain.c - unit tests of the domain layer (handlers/domain/domain.c,
 * worker.c, course.c, enrol.c, subsidy.c) against a fresh
 * database per test, filled with the shared fixture (fixture.h: its
 * catalogue, roster and records), at its fixed time: 2026-03-01 10:00
 * China time.
 *
 * Covered: workers by number and ID; registration (bound, already bound,
 * lower-case x, a number of someone else's, wrong name, unknown ID, bad
 * checksum, an ID bound elsewhere, the lock after 5 failures and its end
 * the next day, the audit rows); opt-out and opt-in; one course, the open
 * courses (home region first, what is not open, paging), the words that
 * filter them, the region and group menus; the subsidy rule (year cap,
 * same occupation and level, rejected ones not counted); enrolment and its
 * preview (happy path, twice, deadline, closed, unknown, full) and the
 * fixture's crowd of 50 workers for the last 10 seats; cancellation (seat
 * freed, not enrolled, started, enrolling again); the record; the subsidy
 * list; writes inside a caller's transaction.
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

#include "gateway/db.h"
#include "handlers/domain/domain.h"
#include "handlers/domain/idcard.h"
#include "gateway/log.h"
#include "fixture.h"
#include "testutil.h"

#define ZHANG		FIXTURE_ZHANG	/* 张小明, worker 1, 普宁市 */
#define WANG		FIXTURE_WANG	/* 王五, worker 3, 3 training
					 * subsidies 2026 */
#define NEW_NO		"8613800138009"	/* not bound */
#define ID_NOBODY	"445202199307077717"	/* valid, not on the roster */
#define ID_BAD_CHECK	"445202198505053210"	/* 李四's, wrong check */
#define RACE_SEATS	10	/* of 2037 */
#define DAY_MS		(24 * 3600 * 1000LL)

static void *test_ctx;
static int64_t now;	/* the fixture's: 2026-03-01 10:00 China time */
/* resident IDs of the fixture: 张小明, 李四 (not bound), 赵六 (not bound,
 * ends in X) */
static char id_zhang[IDCARD_LEN + 1], id_li[IDCARD_LEN + 1],
	    id_zhao[IDCARD_LEN + 1];

struct fx {
	char path[64];
	struct db *db;
	struct dom *d;
};

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);

	f->db = testutil_db_create(f, "test_domain", f->path, sizeof(f->path));
	fixture_load(f->db);
	f->d = dom_init(f, f->db, NULL);
	assert_non_null(f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	db_commit(f->db);
	dom_free(f->d);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

/* ---- workers, registration, opt-out ---- */

static void test_worker_lookup(void **state)
{
	struct fx *f = *state;
	struct dom_worker w;

	assert_int_equal(dom_worker_by_msisdn(f->d, ZHANG, &w), DOM_OK);
	assert_int_equal(w.id, 1);
	assert_string_equal(w.id_number, id_zhang);
	assert_string_equal(w.name, "张小明");
	assert_string_equal(w.region, "445281");
	assert_string_equal(w.region_name, "普宁市");
	assert_string_equal(w.key_groups, "migrant");
	assert_string_equal(w.birth_date, "1990-01-01");
	assert_string_equal(w.bound_by, "roster");
	assert_false(w.opted_out);
	assert_int_equal(dom_worker_by_msisdn(f->d, NEW_NO, &w), DOM_NOT_FOUND);
	assert_int_equal(dom_worker_by_id_number(f->d, id_li, &w), DOM_OK);
	assert_string_equal(w.msisdn, "");
	assert_string_equal(w.bound_by, "");
	assert_string_equal(dom_result_str(DOM_FULL), "full");
	assert_string_equal(dom_result_str(-EIO), "error");
}

static void test_register(void **state)
{
	struct fx *f = *state;
	struct dom_reg r;
	struct dom_worker w;
	char spaced[IDCARD_LEN + 3], lower_x[IDCARD_LEN + 1];

	snprintf(spaced, sizeof(spaced), " %s ", id_li);
	assert_int_equal(dom_register(f->d, NEW_NO, spaced, "　李四 ",
				      DOM_VIA_SMS, now, &r), DOM_OK);
	assert_int_equal(r.w.id, 2);
	assert_string_equal(r.w.msisdn, NEW_NO);
	assert_string_equal(r.w.bound_by, "sms");
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.left, DOM_DEFAULT_REG_FAILURES);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(dom_worker_by_msisdn(f->d, NEW_NO, &w), DOM_OK);
	assert_int_equal(w.id, 2);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'register' AND actor = '" NEW_NO "'"), 1);
	/* the same again: already, nothing counted */
	assert_int_equal(dom_register(f->d, NEW_NO, id_li, "李四",
				      DOM_VIA_SMS, now, &r), DOM_ALREADY);
	assert_int_equal(r.failures, 0);
	/* lower-case x, over USSD */
	snprintf(lower_x, sizeof(lower_x), "%s", id_zhao);
	assert_int_equal(lower_x[IDCARD_LEN - 1], 'X');
	lower_x[IDCARD_LEN - 1] = 'x';
	assert_int_equal(dom_register(f->d, "8613800138010", lower_x, "赵六",
				      DOM_VIA_USSD, now, &r), DOM_OK);
	assert_int_equal(r.w.id, 4);
	assert_string_equal(r.w.bound_by, "ussd");
}

static void test_register_number_bound(void **state)
{
	struct fx *f = *state;
	struct dom_reg r;

	assert_int_equal(dom_register(f->d, ZHANG, id_li, "李四",
				      DOM_VIA_SMS, now, &r), DOM_NUMBER_BOUND);
	assert_int_equal(r.failures, 0);
	assert_int_equal(dom_register(f->d, ZHANG, id_zhang, "张小明",
				      DOM_VIA_SMS, now, &r), DOM_ALREADY);
	assert_int_equal(r.w.id, 1);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM reg_failure"), 0);
}

/* The audit rows of registration failures never hold the ID typed. */
static void assert_id_masked(struct fx *f, const char *id)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE detail"
		 " LIKE '%%%s%%'", id);
	assert_int_equal(testutil_q1(f->db, sql), 0);
}

static void test_register_lockout(void **state)
{
	struct fx *f = *state;
	struct dom_reg r;
	unsigned n;

	assert_int_equal(dom_register(f->d, NEW_NO, id_li, "李五",
				      DOM_VIA_SMS, now, &r), DOM_NO_MATCH);
	assert_int_equal(r.failures, 1);
	assert_int_equal(r.left, 4);
	assert_false(r.locked_now);
	assert_int_equal(dom_register(f->d, NEW_NO, ID_NOBODY, "李四",
				      DOM_VIA_SMS, now, &r), DOM_NO_MATCH);
	assert_int_equal(dom_register(f->d, NEW_NO, ID_BAD_CHECK, "李四",
				      DOM_VIA_SMS, now, &r), DOM_BAD_ID);
	assert_int_equal(dom_register(f->d, NEW_NO, id_zhang, "张小明",
				      DOM_VIA_SMS, now, &r), DOM_ID_BOUND);
	assert_int_equal(r.failures, 4);
	assert_int_equal(dom_reg_status(f->d, NEW_NO, now, &n), DOM_OK);
	assert_int_equal(n, 4);
	assert_int_equal(dom_register(f->d, NEW_NO, "", "", DOM_VIA_SMS, now,
				      &r), DOM_BAD_ID);
	assert_true(r.locked_now);
	assert_int_equal(r.left, 0);
	/* locked: even the right answer is refused, and not counted */
	assert_int_equal(dom_register(f->d, NEW_NO, id_li, "李四",
				      DOM_VIA_SMS, now, &r), DOM_LOCKED);
	assert_int_equal(r.failures, 5);
	assert_false(r.locked_now);
	assert_int_equal(dom_reg_status(f->d, NEW_NO, now, NULL), DOM_LOCKED);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'register_fail'"), 5);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'lockout'"), 1);
	assert_id_masked(f, id_li);
	/* the next local day */
	assert_int_equal(dom_register(f->d, NEW_NO, id_li, "李四",
				      DOM_VIA_SMS, now + DAY_MS, &r), DOM_OK);
	/* another number is not affected */
	assert_int_equal(dom_reg_status(f->d, "8613800138011", now, NULL),
			 DOM_OK);
}

static void test_optout(void **state)
{
	struct fx *f = *state;
	struct dom_worker w;

	assert_int_equal(dom_set_optout(f->d, 1, true, ZHANG, now), DOM_OK);
	assert_int_equal(dom_worker_by_msisdn(f->d, ZHANG, &w), DOM_OK);
	assert_true(w.opted_out);
	assert_int_equal(dom_set_optout(f->d, 1, true, ZHANG, now),
			 DOM_ALREADY);
	assert_int_equal(dom_set_optout(f->d, 1, false, ZHANG, now), DOM_OK);
	assert_int_equal(dom_set_optout(f->d, 99, true, ZHANG, now),
			 DOM_NOT_FOUND);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action IN"
			       " ('optout', 'optin')"), 2);
}

/* ---- courses ---- */

static void test_course_get(void **state)
{
	struct fx *f = *state;
	struct dom_course c;

	assert_int_equal(dom_course_get(f->d, "2031", &c), DOM_OK);
	assert_string_equal(c.name, "电工初级班");
	assert_string_equal(c.occupation, "E1");
	assert_string_equal(c.occupation_name, "电工");
	assert_string_equal(c.group, "制造");
	assert_int_equal(c.level, 5);
	assert_string_equal(c.training_type, "employment");
	assert_string_equal(c.institution_name, "普宁职校");
	assert_true(c.catalogued);
	assert_string_equal(c.region_name, "普宁市");
	assert_string_equal(c.start_date, "2026-04-01");
	assert_string_equal(c.end_date, "2026-04-30");
	assert_string_equal(c.enrol_deadline, "2026-03-25");
	assert_int_equal(c.capacity, 30);
	assert_int_equal(c.seats_taken, 0);
	assert_int_equal(c.subsidy_fen, 120000);
	assert_string_equal(c.status, "open");
	assert_int_equal(dom_course_get(f->d, "2036", &c), DOM_OK);
	assert_false(c.catalogued);
	assert_int_equal(dom_course_get(f->d, "9999", &c), DOM_NOT_FOUND);
	assert_int_equal(dom_course_get(f->d, "' OR 1=1 --", &c),
			 DOM_NOT_FOUND);
}

/* The codes of a list, "2031 2036 ..." */
static const char *codes(const struct dom_course *c, unsigned n)
{
	static char buf[128];
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		used += snprintf(buf + used, sizeof(buf) - used, "%s%s",
				 i ? " " : "", c[i].code);
	return buf;
}

static const char *open_list(struct fx *f, const struct dom_course_filter *fl,
			     unsigned offset, unsigned limit, bool *more)
{
	struct dom_course *c;
	unsigned n;
	const char *s;

	assert_int_equal(dom_courses_open(f->d, NULL, fl, now, offset, limit,
					  &c, &n, more), DOM_OK);
	s = codes(c, n);
	talloc_free(c);
	return s;
}

static void test_courses_open(void **state)
{
	struct fx *f = *state;
	struct dom_course_filter fl = { .home_region = "445202" };
	bool more;

	/* 2033 and 2034 deadline passed, 2035 closed, 2029 and 2030
	 * finished: not listed; 2039's deadline is today: listed; home
	 * region (榕城区: 2032, 2037) first */
	assert_string_equal(open_list(f, &fl, 0, 10, &more),
			    "2032 2037 2039 2031 2036 2038");
	assert_false(more);
	assert_string_equal(open_list(f, NULL, 0, 10, &more),
			    "2039 2031 2036 2032 2037 2038");
	assert_string_equal(open_list(f, &fl, 0, 2, &more), "2032 2037");
	assert_true(more);
	assert_string_equal(open_list(f, &fl, 2, 2, &more), "2039 2031");
	assert_true(more);
	assert_string_equal(open_list(f, &fl, 4, 2, &more), "2036 2038");
	assert_false(more);
	assert_string_equal(open_list(f, &fl, 6, 2, &more), "");
	/* a full course is not listed: 2032 has 2 seats */
	testutil_exec(f->db, "INSERT INTO enrolment (worker_id, course_id,"
		" status, channel, created_at, updated_at) VALUES"
		" (1, (SELECT id FROM course WHERE code = '2032'), 'enrolled',"
		"  'sms', 0, 0),"
		" (2, (SELECT id FROM course WHERE code = '2032'), 'enrolled',"
		"  'sms', 0, 0)");
	assert_string_equal(open_list(f, &fl, 0, 10, &more),
			    "2037 2039 2031 2036 2038");
}

static void test_course_word(void **state)
{
	struct fx *f = *state;
	struct dom_course_filter fl = { 0 };
	bool more;

	assert_int_equal(dom_course_word(f->d, "普宁", &fl), DOM_OK);
	assert_string_equal(fl.region, "445281");
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2039 2031");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "电工", &fl), DOM_OK);
	assert_string_equal(fl.word, "电工");
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2031 2037");
	assert_int_equal(dom_course_word(f->d, "榕城区", &fl), DOM_OK);
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2037");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "烹调", &fl), DOM_OK);
	assert_string_equal(fl.word, "烹调");	/* part of 中式烹调师 */
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2036 2038");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "服务", &fl), DOM_OK);
	assert_string_equal(fl.group, "服务");
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2036 2038");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "W1", &fl), DOM_OK);
	assert_string_equal(fl.occupation, "W1");
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2032");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "445224", &fl), DOM_OK);
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "揭", &fl), DOM_NOT_FOUND);
	assert_int_equal(dom_course_word(f->d, "查询", &fl), DOM_NOT_FOUND);
	assert_int_equal(dom_course_word(f->d, "%", &fl), DOM_NOT_FOUND);
	assert_int_equal(dom_course_word(f->d, "", &fl), DOM_NOT_FOUND);
	assert_string_equal(fl.region, "");
	assert_string_equal(fl.word, "");
}

static void test_menus(void **state)
{
	struct fx *f = *state;
	struct dom_region *r;
	char **g;
	unsigned n;

	assert_int_equal(dom_regions(f->d, NULL, &r, &n), DOM_OK);
	assert_int_equal(n, 5);
	assert_string_equal(r[0].code, "445202");
	assert_string_equal(r[4].name, "普宁市");
	talloc_free(r);
	assert_int_equal(dom_groups(f->d, NULL, NULL, now, &g, &n), DOM_OK);
	assert_int_equal(n, 3);
	assert_string_equal(g[0], "制造");	/* 3 courses */
	assert_string_equal(g[1], "服务");	/* 2 */
	assert_string_equal(g[2], "信息");	/* 1 */
	talloc_free(g);
	assert_int_equal(dom_groups(f->d, NULL, "445281", now, &g, &n), DOM_OK);
	assert_int_equal(n, 2);
	assert_string_equal(g[0], "信息");	/* 1 each: by name */
	assert_string_equal(g[1], "制造");
	talloc_free(g);
}

/* ---- the subsidy rule ---- */

static void test_rule(void **state)
{
	struct fx *f = *state;
	struct dom_rule r;

	/* 王五: 3 in 2026 (S4..S6; the rejected S8 does not count) */
	assert_int_equal(dom_subsidy_rule(f->d, 3, "E1", 5, 2026, &r),
			 DOM_RULE_YEAR);
	assert_int_equal(r.year_count, 3);
	assert_int_equal(dom_subsidy_rule(f->d, 3, "E1", 5, 2027, &r), DOM_OK);
	assert_int_equal(r.year_count, 0);
	assert_int_equal(dom_subsidy_rule(f->d, 3, "W1", 5, 2027, &r),
			 DOM_RULE_SAME);
	assert_string_equal(r.same_reference, "S5");
	/* rejected: 育婴员 level 4 may be subsidised again */
	assert_int_equal(dom_subsidy_rule(f->d, 3, "N1", 4, 2027, &r), DOM_OK);
	/* 张小明: 电工 5 paid in 2025; an appraisal does not count */
	assert_int_equal(dom_subsidy_rule(f->d, 1, "E1", 5, 2027, &r),
			 DOM_RULE_SAME);
	assert_string_equal(r.same_reference, "S1");
	assert_int_equal(dom_subsidy_rule(f->d, 1, "E1", 4, 2025, &r), DOM_OK);
	assert_int_equal(r.year_count, 1);
	assert_int_equal(dom_subsidy_rule(f->d, 1, "W1", 5, 2025, &r), DOM_OK);
}

/* ---- enrolment ---- */

static void test_enrol(void **state)
{
	struct fx *f = *state;
	struct dom_course c;
	struct dom_rule r;
	int rule_rc;

	/* 中式烹调师: nothing of 张小明's in the way of a subsidy */
	assert_int_equal(dom_enrol_preview(f->d, 1, "2036", now, &c, &rule_rc,
					   &r), DOM_OK);
	assert_int_equal(rule_rc, DOM_OK);
	assert_int_equal(dom_enrol(f->d, 1, "2036", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(c.seats_taken, 1);
	assert_int_equal(dom_enrol(f->d, 1, "2036", DOM_VIA_USSD, ZHANG, now,
				   &c), DOM_ALREADY);
	assert_int_equal(c.seats_taken, 1);
	assert_int_equal(dom_enrol_preview(f->d, 1, "2036", now, &c, NULL,
					   NULL), DOM_ALREADY);
	assert_int_equal(dom_enrol(f->d, 1, "2033", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_DEADLINE);
	assert_string_equal(c.code, "2033");
	assert_int_equal(dom_enrol_preview(f->d, 1, "2033", now, &c, NULL,
					   NULL), DOM_DEADLINE);
	assert_int_equal(dom_enrol(f->d, 1, "2035", DOM_VIA_SMS, ZHANG, now,
				   NULL), DOM_NOT_OPEN);
	assert_int_equal(dom_enrol(f->d, 1, "9999", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_NOT_FOUND);
	assert_int_equal(dom_enrol_preview(f->d, 1, "9999", now, &c, &rule_rc,
					   NULL), DOM_NOT_FOUND);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'enrol'"), 1);
	assert_int_equal(testutil_q1(f->db, "SELECT e.channel = 'sms' FROM"
			       " enrolment e JOIN course c ON c.id = e.course_id"
			       " WHERE e.worker_id = 1 AND c.code = '2036'"), 1);
}

static void test_enrol_full_and_rule(void **state)
{
	struct fx *f = *state;
	struct dom_course c;
	struct dom_rule r;
	int rule_rc;

	assert_int_equal(dom_enrol(f->d, 1, "2032", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(dom_enrol(f->d, 2, "2032", DOM_VIA_SMS, "x", now,
				   &c), DOM_OK);
	assert_int_equal(c.seats_taken, 2);
	assert_int_equal(dom_enrol_preview(f->d, 3, "2032", now, &c, &rule_rc,
					   &r), DOM_FULL);
	assert_int_equal(dom_enrol(f->d, 3, "2032", DOM_VIA_SMS, WANG, now,
				   &c), DOM_FULL);
	assert_int_equal(c.seats_taken, 2);
	/* already enrolled wins over full */
	assert_int_equal(dom_enrol(f->d, 1, "2032", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_ALREADY);
	/* 王五 would get no subsidy for 2031 (year cap of 2026) */
	assert_int_equal(dom_enrol_preview(f->d, 3, "2031", now, &c, &rule_rc,
					   &r), DOM_OK);
	assert_int_equal(rule_rc, DOM_RULE_YEAR);
	assert_int_equal(r.year_count, 3);
	/* 张小明 was subsidised for 电工 level 5: 2031 */
	assert_int_equal(dom_enrol_preview(f->d, 1, "2031", now, &c, &rule_rc,
					   &r), DOM_OK);
	assert_int_equal(rule_rc, DOM_RULE_SAME);
	assert_string_equal(r.same_reference, "S1");
}

/* The fixture's crowd, 50 workers, for the 10 seats of 2037, each
 * enrolment its own write in one group-commit transaction, as the daemon
 * would run them. */
static void test_last_seats(void **state)
{
	struct fx *f = *state;
	char actor[16];
	struct dom_course c;
	unsigned i, ok = 0, full = 0;

	for (i = 0; i < FIXTURE_CROWD; i++) {
		fixture_crowd_number(actor, sizeof(actor), i);
		switch (dom_enrol(f->d, FIXTURE_CROWD_WORKER + i, "2037",
				  DOM_VIA_SMS, actor, now, &c)) {
		case DOM_OK: ok++; break;
		case DOM_FULL: full++; break;
		default: fail();
		}
	}
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(ok, RACE_SEATS);
	assert_int_equal(full, FIXTURE_CROWD - RACE_SEATS);
	assert_int_equal(testutil_q1(f->db, "SELECT seats_taken FROM course WHERE code ="
			       " '2037'"), RACE_SEATS);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment e"
			       " JOIN course c ON c.id = e.course_id"
			       " WHERE c.code = '2037'"), RACE_SEATS);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'enrol'"), RACE_SEATS);
}

static void test_cancel(void **state)
{
	struct fx *f = *state;
	struct dom_course c;

	assert_int_equal(dom_enrol(f->d, 1, "2036", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(dom_cancel(f->d, 1, "2036", ZHANG, now, &c), DOM_OK);
	assert_int_equal(c.seats_taken, 0);
	assert_int_equal(dom_cancel(f->d, 1, "2036", ZHANG, now, &c),
			 DOM_NOT_ENROLLED);
	/* enrol again after cancelling: a new row, a seat again */
	assert_int_equal(dom_enrol(f->d, 1, "2036", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(c.seats_taken, 1);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment e"
			       " JOIN course c ON c.id = e.course_id"
			       " WHERE e.worker_id = 1 AND c.code = '2036'"), 2);
	/* 2039 started on 02-23; its deadline is today */
	assert_int_equal(dom_enrol(f->d, 1, "2039", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(dom_cancel(f->d, 1, "2039", ZHANG, now, &c),
			 DOM_STARTED);
	assert_int_equal(c.seats_taken, 1);
	/* completed */
	assert_int_equal(dom_cancel(f->d, 3, "2029", WANG, now, &c),
			 DOM_STARTED);
	assert_int_equal(dom_cancel(f->d, 1, "9999", ZHANG, now, &c),
			 DOM_NOT_FOUND);
	assert_int_equal(dom_cancel(f->d, 2, "2032", "x", now, &c),
			 DOM_NOT_ENROLLED);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'cancel'"), 1);
}

/* ---- the record, subsidies ---- */

static void test_record(void **state)
{
	struct fx *f = *state;
	struct dom_record r;

	assert_int_equal(dom_record(f->d, NULL, 3, &r), DOM_OK);
	assert_int_equal(r.n_trainings, 1);
	assert_string_equal(r.trainings[0].code, "2029");
	assert_string_equal(r.trainings[0].occupation_name, "焊工");
	assert_string_equal(r.trainings[0].status, "completed");
	assert_string_equal(r.trainings[0].result, "passed");
	assert_string_equal(r.trainings[0].certificate, "Z2025-0002");
	assert_string_equal(r.trainings[0].institution_name, "揭阳技师学院");
	assert_int_equal(r.n_certs, 3);
	assert_string_equal(r.certs[0].number, "Z2026-0001");	/* newest first */
	assert_string_equal(r.certs[0].kind, "skill_level");
	assert_int_equal(r.certs[0].level, 4);
	assert_string_equal(r.certs[2].kind, "completion");
	assert_int_equal(r.n_skills, 2);		/* completion: none */
	assert_string_equal(r.skills[0].occupation_name, "焊工");
	assert_int_equal(r.skills[0].level, 4);
	assert_string_equal(r.skills[1].occupation_name, "育婴员");
	talloc_free(r.trainings);
	talloc_free(r.certs);
	talloc_free(r.skills);
	assert_int_equal(dom_record(f->d, NULL, 2, &r), DOM_OK);
	assert_int_equal(r.n_trainings + r.n_certs + r.n_skills, 0);
	talloc_free(r.trainings);
	talloc_free(r.certs);
	talloc_free(r.skills);
}

static void test_subsidies(void **state)
{
	struct fx *f = *state;
	struct dom_subsidy *s;
	unsigned n;

	assert_int_equal(dom_subsidies(f->d, NULL, 3, &s, &n), DOM_OK);
	assert_int_equal(n, 5);
	assert_string_equal(s[0].reference, "S8");	/* newest first */
	assert_string_equal(s[0].status, "rejected");
	assert_string_equal(s[0].reason, "未取得培训合格证书");
	assert_string_equal(s[0].occupation_name, "育婴员");
	assert_int_equal(s[0].level, 4);
	assert_string_equal(s[0].decided_date, "2026-02-27");
	assert_string_equal(s[0].paid_date, "");
	assert_string_equal(s[2].reference, "S5");
	assert_string_equal(s[2].course_code, "2029");
	assert_string_equal(s[2].course_name, "焊工初级2025班");
	assert_int_equal(s[2].amount_fen, 100000);
	assert_string_equal(s[2].paid_date, "2026-02-10");
	assert_int_equal(s[2].year, 2026);
	assert_false(s[2].flagged);
	assert_string_equal(s[4].reference, "S7");
	assert_string_equal(s[4].course_code, "");
	talloc_free(s);
	assert_int_equal(dom_subsidies(f->d, NULL, 2, &s, &n), DOM_OK);
	assert_int_equal(n, 0);
	talloc_free(s);
}

/* Inside a transaction the caller opened (skillctl, a test): the writes
 * use it, and a rollback takes them back. */
static void test_callers_txn(void **state)
{
	struct fx *f = *state;
	sqlite3 *h = db_handle(f->db);
	int64_t enrolments = testutil_q1(f->db, "SELECT count(*) FROM enrolment");

	assert_int_equal(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), 0);
	assert_int_equal(dom_enrol(f->d, 1, "2036", DOM_VIA_SMS, ZHANG, now,
				   NULL), DOM_OK);
	assert_int_equal(dom_set_optout(f->d, 1, true, ZHANG, now), DOM_OK);
	assert_false(db_in_txn(f->db));
	assert_int_equal(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment"),
			 enrolments);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit"), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT opted_out FROM worker WHERE id = 1"),
			 0);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_worker_lookup),
		T(test_register),
		T(test_register_number_bound),
		T(test_register_lockout),
		T(test_optout),
		T(test_course_get),
		T(test_courses_open),
		T(test_course_word),
		T(test_menus),
		T(test_rule),
		T(test_enrol),
		T(test_enrol_full_and_rule),
		T(test_last_seats),
		T(test_cancel),
		T(test_record),
		T(test_subsidies),
		T(test_callers_txn),
	};
#undef T
	const char *level = getenv("TEST_LOG");
	int rc;

	now = fixture_now_ms();
	testutil_resident_id(id_zhang, FIXTURE_ZHANG_ID17);
	testutil_resident_id(id_li, FIXTURE_LI_ID17);
	testutil_resident_id(id_zhao, FIXTURE_ZHAO_ID17);
	test_ctx = talloc_named_const(NULL, 0, "test_domain");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	testutil_glossary();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
