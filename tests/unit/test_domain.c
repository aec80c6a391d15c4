/*
 * test_domain.c - unit tests of the domain layer (handlers/domain/domain.c,
 * worker.c, course.c, enrol.c, subsidy.c) against a fresh
 * database per test, filled by SQL with a small catalogue and roster, at a
 * fixed time: 2026-11-30 12:00 China time.
 *
 * Covered: workers by number and ID; registration (bound, already bound,
 * lower-case x, a number of someone else's, wrong name, unknown ID, bad
 * checksum, an ID bound elsewhere, the lock after 5 failures and its end
 * the next day, the audit rows); opt-out and opt-in; one course, the open
 * courses (home region first, what is not open, paging), the words that
 * filter them, the region and group menus; the subsidy rule (year cap,
 * same occupation and level, rejected ones not counted); enrolment and its
 * preview (happy path, twice, deadline, closed, unknown, full) and 50
 * workers for the last 10 seats; cancellation (seat freed, not enrolled,
 * started, enrolling again); the record; the subsidy list; writes inside a
 * caller's transaction.
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
#include "gateway/text/fmt.h"
#include "gateway/log.h"
#include "testutil.h"

#define ZHANG		"8613800138000"	/* bound by the roster, 榕城区 */
#define WU		"8613800138003"	/* bound, 3 training subsidies 2026 */
#define NEW_NO		"8613800138009"	/* not bound */
#define ID_ZHANG	"44520219900101123X"
#define ID_LIN		"445281198506154560"	/* 林秀英, not bound */
#define ID_CHEN		"44520220020315009X"	/* 陈七, not bound */
#define ID_NOBODY	"445202199307077717"	/* valid, not on the roster */
#define N_RACE		50
#define RACE_SEATS	10

static void *test_ctx;
static int64_t now;	/* 2026-11-30 12:00 China time */

struct fx {
	char path[64];
	struct db *db;
	struct dom *d;
};

static const char fixture_sql[] =
	"INSERT INTO occupation (code, name, grp, created_at, updated_at) VALUES"
	" ('M01', '电工', '制造', 0, 0), ('M02', '焊工', '制造', 0, 0),"
	" ('M03', '电工(新能源汽车维修)', '制造', 0, 0),"
	" ('S01', '中式烹调师', '服务', 0, 0), ('S03', '育婴员', '服务', 0, 0),"
	" ('I01', '电子商务师', '信息', 0, 0);"
	"INSERT INTO institution (code, name, region, catalogued, created_at,"
	" updated_at) VALUES ('JG1', '榕城区职业技术学校', '445202', 1, 0, 0),"
	" ('JG5', '普宁市职业技术学校', '445281', 1, 0, 0);"
	"INSERT INTO course (code, name, occupation, level, training_type,"
	" institution, region, start_date, end_date, enrol_deadline, capacity,"
	" subsidy_fen, status, created_at, updated_at) VALUES"
	" ('2001', '电工初级班', 'M01', 5, 'employment', 'JG1', '445202',"
	"  '2026-12-07', '2026-12-26', '2026-12-04', 40, 100000, 'open', 0, 0),"
	" ('2002', '中式烹调师初级班', 'S01', 5, 'employment', 'JG5', '445281',"
	"  '2026-12-14', '2027-01-01', '2026-12-10', 2, 110000, 'open', 0, 0),"
	" ('2003', '育婴员中级班', 'S03', 4, 'employment', 'JG1', '445202',"
	"  '2026-12-01', '2026-12-20', '2026-11-25', 20, 160000, 'open', 0, 0),"
	" ('2004', '电工中级班', 'M01', 4, 'upgrade', 'JG5', '445281',"
	"  '2027-01-11', '2027-02-11', '2027-01-06', 30, 160000, 'closed', 0, 0),"
	" ('2005', '新能源汽车电工班', 'M03', 5, 'employment', 'JG5', '445281',"
	"  '2027-03-01', '2027-03-20', '2027-02-20', 10, 120000, 'open', 0, 0),"
	" ('2006', '电子商务初级班', 'I01', 5, 'employment', 'JG1', '445202',"
	"  '2026-11-20', '2026-12-10', '2026-11-30', 30, 90000, 'open', 0, 0),"
	" ('2007', '焊工初级班', 'M02', 5, 'employment', 'JG5', '445281',"
	"  '2026-05-04', '2026-05-29', '2026-04-30', 30, 100000, 'finished',"
	"  0, 0);"
	"INSERT INTO worker (id, id_number, name, msisdn, region, key_groups,"
	" birth_date, bound_by, created_at, updated_at) VALUES"
	" (1, '" ID_ZHANG "', '张小明', '" ZHANG "', '445202', 'migrant',"
	"  '1990-01-01', 'roster', 0, 0),"
	" (2, '" ID_LIN "', '林秀英', NULL, '445281', '', '1985-06-15', NULL,"
	"  0, 0),"
	" (3, '445222197803020011', '吴丽娟', '" WU "', '445222', 'graduate',"
	"  '1978-03-02', 'roster', 0, 0),"
	" (4, '" ID_CHEN "', '陈七', NULL, '445202', '', '2002-03-15', NULL,"
	"  0, 0);"
	"INSERT INTO subsidy (reference, worker_id, kind, course_id, occupation,"
	" level, amount_fen, status, reason, applied_date, decided_date,"
	" paid_date, year, created_at, updated_at) VALUES"
	" ('S1', 1, 'training', NULL, 'M03', 5, 120000, 'paid', NULL,"
	"  '2025-06-01', '2025-06-20', '2025-07-01', 2025, 0, 0),"
	" ('S2', 1, 'appraisal', NULL, 'M01', 5, 30000, 'rejected',"
	"  '材料不全', '2025-08-01', '2025-08-10', NULL, 2025, 0, 0),"
	" ('W1', 3, 'training', 7, 'M02', 5, 100000, 'paid', NULL,"
	"  '2026-06-05', '2026-06-20', '2026-07-01', 2026, 0, 0),"
	" ('W2', 3, 'training', NULL, 'S03', 5, 100000, 'approved', NULL,"
	"  '2026-07-05', '2026-07-20', NULL, 2026, 0, 0),"
	" ('W3', 3, 'training', NULL, 'I01', 4, 100000, 'reviewing', NULL,"
	"  '2026-09-05', NULL, NULL, 2026, 0, 0),"
	" ('W4', 3, 'training', NULL, 'S01', 4, 100000, 'rejected',"
	"  '未取得培训合格证书', '2026-10-05', '2026-10-20', NULL, 2026, 0, 0);"
	"INSERT INTO certificate (number, worker_id, kind, occupation, level,"
	" issued_date, created_at, updated_at) VALUES"
	" ('ZS1', 3, 'completion', 'M02', 5, '2026-06-01', 0, 0),"
	" ('ZS2', 3, 'skill_level', 'M02', 4, '2026-09-01', 0, 0),"
	" ('ZS3', 3, 'skill_level', 'S03', 5, '2026-07-01', 0, 0);"
	"INSERT INTO enrolment (worker_id, course_id, status, channel, result,"
	" certificate_id, created_at, updated_at) VALUES"
	" (3, 7, 'completed', 'import', 'passed', 1, 0, 0);";

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);
	char *err = NULL;

	f->db = testutil_db_create(f, "test_domain", f->path, sizeof(f->path));
	if (sqlite3_exec(db_handle(f->db), fixture_sql, NULL, NULL, &err))
		fail_msg("fixture: %s", err);
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
	assert_string_equal(w.id_number, ID_ZHANG);
	assert_string_equal(w.name, "张小明");
	assert_string_equal(w.region, "445202");
	assert_string_equal(w.region_name, "榕城区");
	assert_string_equal(w.key_groups, "migrant");
	assert_string_equal(w.birth_date, "1990-01-01");
	assert_string_equal(w.bound_by, "roster");
	assert_false(w.opted_out);
	assert_int_equal(dom_worker_by_msisdn(f->d, NEW_NO, &w), DOM_NOT_FOUND);
	assert_int_equal(dom_worker_by_id_number(f->d, ID_LIN, &w), DOM_OK);
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

	assert_int_equal(dom_register(f->d, NEW_NO, " " ID_LIN " ", "　林秀英 ",
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
	assert_int_equal(dom_register(f->d, NEW_NO, ID_LIN, "林秀英",
				      DOM_VIA_SMS, now, &r), DOM_ALREADY);
	assert_int_equal(r.failures, 0);
	/* lower-case x, over USSD */
	assert_int_equal(dom_register(f->d, "8613800138010",
				      "44520220020315009x", "陈七",
				      DOM_VIA_USSD, now, &r), DOM_OK);
	assert_string_equal(r.w.bound_by, "ussd");
}

static void test_register_number_bound(void **state)
{
	struct fx *f = *state;
	struct dom_reg r;

	assert_int_equal(dom_register(f->d, ZHANG, ID_LIN, "林秀英",
				      DOM_VIA_SMS, now, &r), DOM_NUMBER_BOUND);
	assert_int_equal(r.failures, 0);
	assert_int_equal(dom_register(f->d, ZHANG, ID_ZHANG, "张小明",
				      DOM_VIA_SMS, now, &r), DOM_ALREADY);
	assert_int_equal(r.w.id, 1);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM reg_failure"), 0);
}

static void test_register_lockout(void **state)
{
	struct fx *f = *state;
	struct dom_reg r;
	unsigned n;

	assert_int_equal(dom_register(f->d, NEW_NO, ID_LIN, "林英",
				      DOM_VIA_SMS, now, &r), DOM_NO_MATCH);
	assert_int_equal(r.failures, 1);
	assert_int_equal(r.left, 4);
	assert_false(r.locked_now);
	assert_int_equal(dom_register(f->d, NEW_NO, ID_NOBODY, "林秀英",
				      DOM_VIA_SMS, now, &r), DOM_NO_MATCH);
	assert_int_equal(dom_register(f->d, NEW_NO, "445281198506154561",
				      "林秀英", DOM_VIA_SMS, now, &r),
			 DOM_BAD_ID);
	assert_int_equal(dom_register(f->d, NEW_NO, ID_ZHANG, "张小明",
				      DOM_VIA_SMS, now, &r), DOM_ID_BOUND);
	assert_int_equal(r.failures, 4);
	assert_int_equal(dom_reg_status(f->d, NEW_NO, now, &n), DOM_OK);
	assert_int_equal(n, 4);
	assert_int_equal(dom_register(f->d, NEW_NO, "", "", DOM_VIA_SMS, now,
				      &r), DOM_BAD_ID);
	assert_true(r.locked_now);
	assert_int_equal(r.left, 0);
	/* locked: even the right answer is refused, and not counted */
	assert_int_equal(dom_register(f->d, NEW_NO, ID_LIN, "林秀英",
				      DOM_VIA_SMS, now, &r), DOM_LOCKED);
	assert_int_equal(r.failures, 5);
	assert_false(r.locked_now);
	assert_int_equal(dom_reg_status(f->d, NEW_NO, now, NULL), DOM_LOCKED);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'register_fail'"), 5);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'lockout'"), 1);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE detail"
			       " LIKE '%" ID_LIN "%'"), 0);	/* masked */
	/* the next local day */
	assert_int_equal(dom_register(f->d, NEW_NO, ID_LIN, "林秀英",
				      DOM_VIA_SMS, now + 12 * 3600 * 1000, &r),
			 DOM_OK);
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

	assert_int_equal(dom_course_get(f->d, "2001", &c), DOM_OK);
	assert_string_equal(c.name, "电工初级班");
	assert_string_equal(c.occupation, "M01");
	assert_string_equal(c.occupation_name, "电工");
	assert_string_equal(c.group, "制造");
	assert_int_equal(c.level, 5);
	assert_string_equal(c.training_type, "employment");
	assert_string_equal(c.institution_name, "榕城区职业技术学校");
	assert_true(c.catalogued);
	assert_string_equal(c.region_name, "榕城区");
	assert_string_equal(c.start_date, "2026-12-07");
	assert_string_equal(c.end_date, "2026-12-26");
	assert_string_equal(c.enrol_deadline, "2026-12-04");
	assert_int_equal(c.capacity, 40);
	assert_int_equal(c.seats_taken, 0);
	assert_int_equal(c.subsidy_fen, 100000);
	assert_string_equal(c.status, "open");
	assert_int_equal(dom_course_get(f->d, "9999", &c), DOM_NOT_FOUND);
	assert_int_equal(dom_course_get(f->d, "' OR 1=1 --", &c),
			 DOM_NOT_FOUND);
}

/* The codes of a list, "2001 2005 ..." */
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
	struct dom_course_filter fl = { .home_region = "445281" };
	bool more;

	/* 2003 deadline passed, 2004 closed, 2007 finished: not listed;
	 * 2006's deadline is today: listed; home region first */
	assert_string_equal(open_list(f, &fl, 0, 10, &more),
			    "2002 2005 2006 2001");
	assert_false(more);
	assert_string_equal(open_list(f, NULL, 0, 10, &more),
			    "2006 2001 2002 2005");
	assert_string_equal(open_list(f, &fl, 0, 2, &more), "2002 2005");
	assert_true(more);
	assert_string_equal(open_list(f, &fl, 2, 2, &more), "2006 2001");
	assert_false(more);
	assert_string_equal(open_list(f, &fl, 4, 2, &more), "");
	/* a full course is not listed */
	assert_int_equal(sqlite3_exec(db_handle(f->db), "INSERT INTO enrolment"
		" (worker_id, course_id, status, channel, created_at,"
		" updated_at) VALUES (1, 2, 'enrolled', 'sms', 0, 0),"
		" (2, 2, 'enrolled', 'sms', 0, 0)", NULL, NULL, NULL), 0);
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2005 2006 2001");
}

static void test_course_word(void **state)
{
	struct fx *f = *state;
	struct dom_course_filter fl = { 0 };
	bool more;

	assert_int_equal(dom_course_word(f->d, "普宁", &fl), DOM_OK);
	assert_string_equal(fl.region, "445281");
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2002 2005");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "电工", &fl), DOM_OK);
	assert_string_equal(fl.word, "电工");
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2001 2005");
	assert_int_equal(dom_course_word(f->d, "榕城区", &fl), DOM_OK);
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2001");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "服务", &fl), DOM_OK);
	assert_string_equal(fl.group, "服务");
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2002");
	memset(&fl, 0, sizeof(fl));
	assert_int_equal(dom_course_word(f->d, "I01", &fl), DOM_OK);
	assert_string_equal(fl.occupation, "I01");
	assert_string_equal(open_list(f, &fl, 0, 10, &more), "2006");
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
	assert_string_equal(g[0], "制造");	/* 2 courses */
	talloc_free(g);
	assert_int_equal(dom_groups(f->d, NULL, "445202", now, &g, &n), DOM_OK);
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

	/* 吴丽娟: 3 in 2026 (the rejected 4th does not count) */
	assert_int_equal(dom_subsidy_rule(f->d, 3, "M01", 5, 2026, &r),
			 DOM_RULE_YEAR);
	assert_int_equal(r.year_count, 3);
	assert_int_equal(dom_subsidy_rule(f->d, 3, "M01", 5, 2027, &r), DOM_OK);
	assert_int_equal(r.year_count, 0);
	assert_int_equal(dom_subsidy_rule(f->d, 3, "M02", 5, 2027, &r),
			 DOM_RULE_SAME);
	assert_string_equal(r.same_reference, "W1");
	/* rejected: S01 level 4 may be subsidised again */
	assert_int_equal(dom_subsidy_rule(f->d, 3, "S01", 4, 2027, &r), DOM_OK);
	/* 张小明: M03 5 paid in 2025; an appraisal does not count */
	assert_int_equal(dom_subsidy_rule(f->d, 1, "M03", 5, 2027, &r),
			 DOM_RULE_SAME);
	assert_string_equal(r.same_reference, "S1");
	assert_int_equal(dom_subsidy_rule(f->d, 1, "M03", 4, 2025, &r), DOM_OK);
	assert_int_equal(r.year_count, 1);
	assert_int_equal(dom_subsidy_rule(f->d, 1, "M01", 5, 2025, &r), DOM_OK);
}

/* ---- enrolment ---- */

static void test_enrol(void **state)
{
	struct fx *f = *state;
	struct dom_course c;
	struct dom_rule r;
	int rule_rc;

	assert_int_equal(dom_enrol_preview(f->d, 1, "2001", now, &c, &rule_rc,
					   &r), DOM_OK);
	assert_int_equal(rule_rc, DOM_OK);
	assert_int_equal(dom_enrol(f->d, 1, "2001", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(c.seats_taken, 1);
	assert_int_equal(dom_enrol(f->d, 1, "2001", DOM_VIA_USSD, ZHANG, now,
				   &c), DOM_ALREADY);
	assert_int_equal(c.seats_taken, 1);
	assert_int_equal(dom_enrol_preview(f->d, 1, "2001", now, &c, NULL,
					   NULL), DOM_ALREADY);
	assert_int_equal(dom_enrol(f->d, 1, "2003", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_DEADLINE);
	assert_string_equal(c.code, "2003");
	assert_int_equal(dom_enrol_preview(f->d, 1, "2003", now, &c, NULL,
					   NULL), DOM_DEADLINE);
	assert_int_equal(dom_enrol(f->d, 1, "2004", DOM_VIA_SMS, ZHANG, now,
				   NULL), DOM_NOT_OPEN);
	assert_int_equal(dom_enrol(f->d, 1, "9999", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_NOT_FOUND);
	assert_int_equal(dom_enrol_preview(f->d, 1, "9999", now, &c, &rule_rc,
					   NULL), DOM_NOT_FOUND);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'enrol'"), 1);
	assert_int_equal(testutil_q1(f->db, "SELECT channel = 'sms' FROM enrolment WHERE"
			       " worker_id = 1 AND course_id = 1"), 1);
}

static void test_enrol_full_and_rule(void **state)
{
	struct fx *f = *state;
	struct dom_course c;
	struct dom_rule r;
	int rule_rc;

	assert_int_equal(dom_enrol(f->d, 1, "2002", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(dom_enrol(f->d, 2, "2002", DOM_VIA_SMS, "x", now,
				   &c), DOM_OK);
	assert_int_equal(c.seats_taken, 2);
	assert_int_equal(dom_enrol_preview(f->d, 3, "2002", now, &c, &rule_rc,
					   &r), DOM_FULL);
	assert_int_equal(dom_enrol(f->d, 3, "2002", DOM_VIA_SMS, WU, now, &c),
			 DOM_FULL);
	assert_int_equal(c.seats_taken, 2);
	/* already enrolled wins over full */
	assert_int_equal(dom_enrol(f->d, 1, "2002", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_ALREADY);
	/* 吴丽娟 would get no subsidy for 2001 (year cap of 2026) */
	assert_int_equal(dom_enrol_preview(f->d, 3, "2001", now, &c, &rule_rc,
					   &r), DOM_OK);
	assert_int_equal(rule_rc, DOM_RULE_YEAR);
	assert_int_equal(r.year_count, 3);
	/* 张小明 was subsidised for M03 level 5: 2005 */
	assert_int_equal(dom_enrol_preview(f->d, 1, "2005", now, &c, &rule_rc,
					   &r), DOM_OK);
	assert_int_equal(rule_rc, DOM_RULE_SAME);
	assert_string_equal(r.same_reference, "S1");
}

/* 50 workers for the 10 seats of 2005, each enrolment its own write in one
 * group-commit transaction, as the daemon would run them. */
static void test_last_seats(void **state)
{
	struct fx *f = *state;
	char sql[256], actor[16];
	struct dom_course c;
	unsigned i, ok = 0, full = 0;

	for (i = 0; i < N_RACE; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO worker (id, id_number,"
			 " name, region, birth_date, created_at, updated_at)"
			 " VALUES (%u, 'R%02u', '工人', '445281', '1990-01-01',"
			 " 0, 0)", 100 + i, i);
		assert_int_equal(sqlite3_exec(db_handle(f->db), sql, NULL, NULL,
					      NULL), 0);
	}
	for (i = 0; i < N_RACE; i++) {
		snprintf(actor, sizeof(actor), "86139%08u", i);
		switch (dom_enrol(f->d, 100 + i, "2005", DOM_VIA_SMS, actor,
				  now, &c)) {
		case DOM_OK: ok++; break;
		case DOM_FULL: full++; break;
		default: fail();
		}
	}
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(ok, RACE_SEATS);
	assert_int_equal(full, N_RACE - RACE_SEATS);
	assert_int_equal(testutil_q1(f->db, "SELECT seats_taken FROM course WHERE code ="
			       " '2005'"), RACE_SEATS);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment WHERE"
			       " course_id = 5"), RACE_SEATS);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'enrol'"), RACE_SEATS);
}

static void test_cancel(void **state)
{
	struct fx *f = *state;
	struct dom_course c;

	assert_int_equal(dom_enrol(f->d, 1, "2001", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(dom_cancel(f->d, 1, "2001", ZHANG, now, &c), DOM_OK);
	assert_int_equal(c.seats_taken, 0);
	assert_int_equal(dom_cancel(f->d, 1, "2001", ZHANG, now, &c),
			 DOM_NOT_ENROLLED);
	/* enrol again after cancelling: a new row, a seat again */
	assert_int_equal(dom_enrol(f->d, 1, "2001", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(c.seats_taken, 1);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment WHERE"
			       " worker_id = 1 AND course_id = 1"), 2);
	/* 2006 started on 11-20; its deadline is today */
	assert_int_equal(dom_enrol(f->d, 1, "2006", DOM_VIA_SMS, ZHANG, now,
				   &c), DOM_OK);
	assert_int_equal(dom_cancel(f->d, 1, "2006", ZHANG, now, &c),
			 DOM_STARTED);
	assert_int_equal(c.seats_taken, 1);
	/* completed */
	assert_int_equal(dom_cancel(f->d, 3, "2007", WU, now, &c), DOM_STARTED);
	assert_int_equal(dom_cancel(f->d, 1, "9999", ZHANG, now, &c),
			 DOM_NOT_FOUND);
	assert_int_equal(dom_cancel(f->d, 2, "2002", "x", now, &c),
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
	assert_string_equal(r.trainings[0].code, "2007");
	assert_string_equal(r.trainings[0].occupation_name, "焊工");
	assert_string_equal(r.trainings[0].status, "completed");
	assert_string_equal(r.trainings[0].result, "passed");
	assert_string_equal(r.trainings[0].certificate, "ZS1");
	assert_string_equal(r.trainings[0].institution_name,
			    "普宁市职业技术学校");
	assert_int_equal(r.n_certs, 3);
	assert_string_equal(r.certs[0].number, "ZS2");	/* newest first */
	assert_string_equal(r.certs[0].kind, "skill_level");
	assert_int_equal(r.certs[0].level, 4);
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
	assert_int_equal(n, 4);
	assert_string_equal(s[0].reference, "W4");	/* newest first */
	assert_string_equal(s[0].status, "rejected");
	assert_string_equal(s[0].reason, "未取得培训合格证书");
	assert_string_equal(s[0].occupation_name, "中式烹调师");
	assert_int_equal(s[0].level, 4);
	assert_string_equal(s[0].decided_date, "2026-10-20");
	assert_string_equal(s[0].paid_date, "");
	assert_string_equal(s[3].reference, "W1");
	assert_string_equal(s[3].course_code, "2007");
	assert_string_equal(s[3].course_name, "焊工初级班");
	assert_int_equal(s[3].amount_fen, 100000);
	assert_string_equal(s[3].paid_date, "2026-07-01");
	assert_int_equal(s[3].year, 2026);
	assert_false(s[3].flagged);
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

	assert_int_equal(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), 0);
	assert_int_equal(dom_enrol(f->d, 1, "2001", DOM_VIA_SMS, ZHANG, now,
				   NULL), DOM_OK);
	assert_int_equal(dom_set_optout(f->d, 1, true, ZHANG, now), DOM_OK);
	assert_false(db_in_txn(f->db));
	assert_int_equal(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM enrolment"), 1);
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

	now = fmt_local_midnight_ms("2026-11-30") + 12 * 3600 * 1000;
	test_ctx = talloc_named_const(NULL, 0, "test_domain");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	testutil_glossary();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
