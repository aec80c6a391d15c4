/*
 * test_import.c - unit tests of the import and export (handlers/import*.c,
 * handlers/data/export.c) and of the skillctl verbs around them
 * (gateway/ctl/import.c, export.c), with the fixture files of
 * tests/unit/data/.
 *
 * Each test gets a fresh database; the catalogue and roster fixtures are
 * imported in the order the files depend on each other. What the import
 * prints is captured and compared line by line with the exact messages an
 * operator would read ("FILE:LINE: column: reason"); the tests run inside
 * the data directory, so FILE is the bare file name.
 *
 * Covered: the catalogue (codes or names, Chinese or English headers,
 * defaults, quoted commas and quotes), its bad rows, a capacity below the
 * seats taken; the roster (number formats, key groups with a line break in
 * a quoted field, BOM, GBK), its bad rows with and without --skip-bad (and
 * nothing imported without it), keys and numbers given twice, idempotent
 * re-import and updates that keep an SMS-bound number; a missing or
 * doubled column, an empty or missing file; subsidies with the rule flags
 * as warnings, stored, kept on re-import and lifted when a row is
 * rejected; certificates; enrolments (full course, result without
 * completion, unknown certificate, not on the roster), the export read
 * back unchanged, a cancellation freeing the seat; the audit rows; the
 * skillctl verbs and their exit statuses.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "../../gateway/ctl/ctl_data.h"
#include "gateway/db.h"
#include "handlers/domain/domain.h"
#include "handlers/data/export.h"
#include "gateway/text/fmt.h"
#include "handlers/data/import.h"
#include "testutil.h"
#include "gateway/log.h"

#define MAX_LINES	32
#define ID_ZHANG	"44520219900101123X"

static void *test_ctx;
static int64_t now;		/* 2026-11-30 12:00 China time */
static char data_dir[PATH_MAX];

struct fx {
	char path[64];
	struct db *db;
	char *err;		/* what the last import printed */
	struct import_result r;
};

/* ---- set-up ---- */

static int find_data_dir(void)
{
	const char *src = getenv("SRCDIR");
	char cand[PATH_MAX];

	if (src) {
		snprintf(cand, sizeof(cand), "%s/tests/unit/data", src);
		if (access(cand, R_OK) == 0)
			return realpath(cand, data_dir) ? 0 : -1;
	}
	if (access("tests/unit/data", R_OK) == 0)
		return realpath("tests/unit/data", data_dir) ? 0 : -1;
	snprintf(cand, sizeof(cand), "%.*s/data",
		 (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__);
	return realpath(cand, data_dir) ? 0 : -1;
}

static char glossary_path[PATH_MAX];	/* before the tests chdir */

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/test_import_XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	f->db = db_open(f, f->path, true);
	assert_non_null(f->db);
	assert_int_equal(chdir(data_dir), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[80];

	db_close(f->db);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f->err);
	talloc_free(f);
	return 0;
}

/* Import file as kind; the messages land in f->err. */
static int imp(struct fx *f, enum import_kind kind, const char *file,
	       bool skip_bad)
{
	size_t len;
	FILE *err;
	struct import_opts o = {
		.kind = kind, .path = file, .skip_bad = skip_bad,
		.operator_name = "tester", .country_code = "86",
		.now_ms = now,
	};
	int rc;

	free(f->err);
	f->err = NULL;
	err = open_memstream(&f->err, &len);
	o.err = err;
	rc = import_file(f->db, &o, &f->r);
	fclose(err);
	return rc;
}

/* Import that must succeed with nothing printed. */
static void imp_clean(struct fx *f, enum import_kind kind, const char *file)
{
	int rc = imp(f, kind, file, false);

	if (rc != 0 || f->err[0])
		fail_msg("%s: rc %d:\n%s", file, rc, f->err);
}

static void expect_counts(struct fx *f, unsigned long imported,
			  unsigned long updated, unsigned long unchanged,
			  unsigned long bad, unsigned long warnings)
{
	assert_int_equal(f->r.imported, imported);
	assert_int_equal(f->r.updated, updated);
	assert_int_equal(f->r.unchanged, unchanged);
	assert_int_equal(f->r.bad, bad);
	assert_int_equal(f->r.warnings, warnings);
}

/* f->err must be exactly the lines given (NULL-terminated). */
static void expect_lines(struct fx *f, ...)
{
	char *copy = strdup(f->err), *p = copy, *nl;
	const char *want;
	unsigned i = 0;
	va_list ap;

	va_start(ap, f);
	while ((want = va_arg(ap, const char *))) {
		nl = strchr(p, '\n');
		if (!nl)
			fail_msg("missing line %u: %s\n(got:\n%s)", i + 1, want,
				 f->err);
		*nl = '\0';
		if (strcmp(p, want))
			fail_msg("line %u:\n got: %s\nwant: %s", i + 1, p,
				 want);
		p = nl + 1;
		i++;
	}
	va_end(ap);
	if (*p)
		fail_msg("more lines than expected:\n%s", p);
	free(copy);
}

static const char *q_text(struct fx *f, const char *sql)
{
	static char buf[256];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), sql, -1, &st,
					    NULL), SQLITE_OK);
	snprintf(buf, sizeof(buf), "(no row)");
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0) ?
			 (const char *)sqlite3_column_text(st, 0) : "(null)");
	sqlite3_finalize(st);
	return buf;
}

static void load_catalog(struct fx *f)
{
	imp_clean(f, IMPORT_OCCUPATIONS, "occupations.csv");
	imp_clean(f, IMPORT_INSTITUTIONS, "institutions.csv");
	imp_clean(f, IMPORT_COURSES, "courses.csv");
}

static void load_roster(struct fx *f)
{
	load_catalog(f);
	imp_clean(f, IMPORT_WORKERS, "workers_good.csv");
}

/* ---- the catalogue ---- */

static void test_catalog(void **state)
{
	struct fx *f = *state;

	load_catalog(f);
	expect_counts(f, 4, 0, 0, 0, 0);
	assert_int_equal(f->r.encoding, CSV_ENC_UTF8_BOM);
	assert_string_equal(q_text(f, "SELECT name FROM institution WHERE"
				   " code = 'JG5'"), "普宁市\"红棉\"职业培训学校");
	assert_int_equal(testutil_q1(f->db, "SELECT catalogued FROM institution WHERE"
			       " code = 'JG5'"), 0);
	/* 2002: occupation and region by name, level and type in Chinese,
	 * dates with slashes, deadline and status by default, 1,100.50 */
	assert_string_equal(q_text(f, "SELECT occupation || level ||"
				   " training_type || region || start_date ||"
				   " end_date || enrol_deadline || status ||"
				   " subsidy_fen || name FROM course WHERE"
				   " code = '2002'"),
			    "M025employment4452812026-12-142027-01-01"
			    "2026-12-14open110050焊工初级班,夜班");
	assert_string_equal(q_text(f, "SELECT status FROM course WHERE"
				   " code = '2003'"), "closed");
	imp_clean(f, IMPORT_COURSES, "courses.csv");
	expect_counts(f, 0, 0, 4, 0, 0);
}

static void test_catalog_bad(void **state)
{
	struct fx *f = *state;

	load_catalog(f);
	assert_int_equal(imp(f, IMPORT_COURSES, "courses_bad.csv", false),
			 -EINVAL);
	expect_lines(f,
		"courses_bad.csv:2: code: '20A1' is not a course code (1 to 8 "
		"digits, so it can be typed on a keypad)",
		"courses_bad.csv:3: occupation: unknown occupation 'M09' "
		"(import occupations first)",
		"courses_bad.csv:3: level: '6' is not a skill level (1..5, or "
		"初级工 中级工 高级工 技师 高级技师)",
		"courses_bad.csv:3: training_type: 'training' is not a training "
		"type (employment, upgrade, entrepreneurship, apprentice, "
		"pre_employment, or the Chinese term)",
		"courses_bad.csv:3: institution: unknown institution JG9 "
		"(import institutions first)",
		"courses_bad.csv:3: end_date: ends 2026-12-26, before it starts "
		"(2026-12-31)",
		"courses_bad.csv:3: capacity: '0' is not a whole number from 1 "
		"to 1000",
		"courses_bad.csv:3: subsidy: '-5' is not an amount in yuan "
		"(write 1500 or 1500.00)",
		"courses_bad.csv:3: status: 'maybe' is not a course status "
		"(open, closed, cancelled, finished, or the Chinese term)",
		NULL);
	expect_counts(f, 0, 0, 0, 2, 0);
}

static void test_capacity_below_taken(void **state)
{
	struct fx *f = *state;

	load_roster(f);
	assert_int_equal(imp(f, IMPORT_ENROLMENTS, "enrolments.csv", true), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT seats_taken FROM course WHERE"
			       " code = '2002'"), 2);
	assert_int_equal(imp(f, IMPORT_COURSES, "courses_capacity.csv", false),
			 -EINVAL);
	expect_lines(f, "courses_capacity.csv:2: capacity: capacity 1 is below "
		     "the 2 seats already taken", NULL);
	assert_int_equal(testutil_q1(f->db, "SELECT capacity FROM course WHERE"
			       " code = '2002'"), 2);
}

/* ---- the roster ---- */

static void test_workers(void **state)
{
	struct fx *f = *state;

	load_roster(f);
	expect_counts(f, 5, 0, 0, 0, 0);
	assert_int_equal(f->r.rows, 5);
	assert_string_equal(q_text(f, "SELECT msisdn || bound_by || key_groups"
				   " || region FROM worker WHERE id_number = '"
				   ID_ZHANG "'"),
			    "8613800138000rostermigrant,poverty445202");
	assert_string_equal(q_text(f, "SELECT msisdn || key_groups FROM worker"
				   " WHERE name = '林秀英'"),
			    "8613800138001unemployed,lowincome");
	assert_string_equal(q_text(f, "SELECT birth_date || region FROM worker"
				   " WHERE name = '吴丽娟'"),
			    "1978-03-02445222");
	/* lower-case x stored upper-case; no number: not bound */
	assert_string_equal(q_text(f, "SELECT coalesce(msisdn, 'none') ||"
				   " coalesce(bound_by, 'none') || key_groups"
				   " FROM worker WHERE id_number ="
				   " '44520220020315009X'"),
			    "nonenoneveteran");
	/* a line break inside a quoted field ("农民工\n") */
	assert_string_equal(q_text(f, "SELECT msisdn || region || key_groups ||"
				   " name FROM worker WHERE birth_date ="
				   " '2000-02-29'"),
			    "8613900139000445224migrant欧阳 小明");
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'import' AND actor = 'tester'"), 4);
}

static void test_workers_reimport(void **state)
{
	struct fx *f = *state;
	struct dom *d;
	struct dom_reg reg;

	load_roster(f);
	imp_clean(f, IMPORT_WORKERS, "workers_good.csv");
	expect_counts(f, 0, 0, 5, 0, 0);
	/* 陈七 registers by SMS; the next roster without his number keeps
	 * it, and re-sorted key groups are no change */
	d = dom_init(f, f->db, NULL);
	assert_int_equal(dom_register(d, "8613800138030", "44520220020315009X",
				      "陈七", DOM_VIA_SMS, now, &reg), DOM_OK);
	assert_int_equal(db_commit(f->db), 0);
	dom_free(d);
	imp_clean(f, IMPORT_WORKERS, "workers_update.csv");
	expect_counts(f, 0, 1, 2, 0, 0);	/* 林: a new number */
	assert_string_equal(q_text(f, "SELECT msisdn || bound_by FROM worker"
				   " WHERE name = '林秀英'"),
			    "8613800138021roster");
	assert_string_equal(q_text(f, "SELECT msisdn FROM worker WHERE name ="
				   " '吴丽娟'"), "8613800138003");
	assert_string_equal(q_text(f, "SELECT msisdn || bound_by FROM worker"
				   " WHERE name = '陈七'"), "8613800138030sms");
}

static void test_workers_bad(void **state)
{
	static const char *const lines[] = {
		"workers_bad.csv:3: id_number: 445202199001011230: checksum "
		"digit should be X",
		"workers_bad.csv:4: id_number: '12345': resident ID is 5 "
		"characters, not 18",
		"workers_bad.csv:4: mobile: mobile number '123' is not 11 digits",
		"workers_bad.csv:4: region: unknown region 445299",
		"workers_bad.csv:4: key_groups: unknown key group 'student' "
		"(graduate, migrant, unemployed, ... or the Chinese term)",
		"workers_bad.csv:5: name: is empty",
		"workers_bad.csv:5: birth_date: birth date 1988-11-12 does not "
		"match the resident ID (1988-11-11)",
		"workers_bad.csv:6: id_number: 445203199511200678 is also on "
		"line 2",
		"workers_bad.csv:7: mobile: mobile number '12800138009' does not "
		"start with 13..19",
		"workers_bad.csv:8: mobile: mobile number '+852 9123 4567' is not "
		"of country code 86",
		"workers_bad.csv:9: mobile: mobile number 8613800138005 is also "
		"given to 445***********0678 on line 2",
		"workers_bad.csv:10: the quote opened on line 10 is never closed",
	};
	struct fx *f = *state;
	unsigned i;

	load_catalog(f);
	assert_int_equal(imp(f, IMPORT_WORKERS, "workers_bad.csv", false),
			 -EINVAL);
	expect_lines(f, lines[0], lines[1], lines[2], lines[3], lines[4],
		     lines[5], lines[6], lines[7], lines[8], lines[9],
		     lines[10], lines[11], NULL);
	expect_counts(f, 1, 0, 0, 8, 0);	/* counted, then rolled back */
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM worker"), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'import_refused'"), 1);
	/* --skip-bad: the same report, the good row imported */
	assert_int_equal(imp(f, IMPORT_WORKERS, "workers_bad.csv", true), 0);
	for (i = 0; i < 12; i++)
		assert_non_null(strstr(f->err, lines[i]));
	expect_counts(f, 1, 0, 0, 8, 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM worker"), 1);
}

static void test_number_bound_elsewhere(void **state)
{
	struct fx *f = *state;

	load_roster(f);
	/* workers_bad row 2 gives 13800138005 to 王五 */
	assert_int_equal(imp(f, IMPORT_WORKERS, "workers_bad.csv", true), 0);
	assert_int_equal(sqlite3_exec(db_handle(f->db), "UPDATE worker SET"
		" msisdn = '8613800138011', bound_by = 'sms' WHERE id_number ="
		" '445203199511200678'", NULL, NULL, NULL), 0);
	assert_int_equal(imp(f, IMPORT_WORKERS, "workers_gbk.csv", false),
			 -EINVAL);
	expect_lines(f, "workers_gbk.csv:3: 手机号: mobile number "
		     "8613800138011 is already bound to worker "
		     "445***********0678 (by sms)", NULL);
}

static void test_gbk(void **state)
{
	struct fx *f = *state;

	load_catalog(f);
	imp_clean(f, IMPORT_WORKERS, "workers_gbk.csv");
	assert_int_equal(f->r.encoding, CSV_ENC_GB18030);
	expect_counts(f, 2, 0, 0, 0, 0);
	assert_string_equal(q_text(f, "SELECT name || region || key_groups FROM"
				   " worker WHERE msisdn = '8613800138011'"),
			    "蔡丽娟445202poverty,disabled");
	assert_string_equal(q_text(f, "SELECT name FROM worker WHERE msisdn ="
				   " '8613800138010'"), "黄伟强");
}

static void test_header_problems(void **state)
{
	struct fx *f = *state;

	load_catalog(f);
	assert_int_equal(imp(f, IMPORT_WORKERS, "workers_nohdr.csv", false),
			 -EINVAL);
	expect_lines(f,
		"workers_nohdr.csv:1: 手机号码: column appears twice (fields 2 "
		"and 3)",
		"workers_nohdr.csv:1: 备注: warning: unknown column, ignored",
		"workers_nohdr.csv:1: 身份证号: missing column (accepted names: "
		"身份证号, 身份证号码, 公民身份号码, id_number, resident_id, id)",
		"workers_nohdr.csv:1: 区县: missing column (accepted names: 区县, "
		"所属区县, 地区, region, county)",
		NULL);
	assert_int_equal(imp(f, IMPORT_WORKERS, "empty.csv", false), -EINVAL);
	expect_lines(f, "empty.csv: empty file (no header row)", NULL);
	assert_int_equal(imp(f, IMPORT_WORKERS, "nonexistent.csv", false),
			 -ENOENT);
	expect_lines(f, "nonexistent.csv: No such file or directory", NULL);
	assert_int_equal(import_kind_parse("subsidies"), IMPORT_SUBSIDIES);
	assert_int_equal(import_kind_parse("regions"), -1);
	assert_string_equal(import_kind_name(IMPORT_ENROLMENTS), "enrolments");
}

/* ---- subsidies and the rule ---- */

static void test_subsidies(void **state)
{
	static const char *const warn5 =
		"subsidies.csv:5: 业务编号: warning: breaks the subsidy rule: "
		"training subsidy 4 in 2026, at most 3 a year (stored, flagged "
		"for review)";
	static const char *const warn8 =
		"subsidies.csv:8: 业务编号: warning: breaks the subsidy rule: "
		"same occupation and level as JY2026-0006 (stored, flagged for "
		"review)";
	struct fx *f = *state;

	load_roster(f);
	assert_int_equal(imp(f, IMPORT_SUBSIDIES, "subsidies.csv", false),
			 -EINVAL);
	expect_lines(f,
		"subsidies.csv:10: 原因: is empty; a rejected subsidy (不予补贴) "
		"needs the reason",
		"subsidies.csv:11: 身份证号: 445203199511200678 is not on the "
		"roster (import workers first)",
		"subsidies.csv:12: 课程编号: unknown course 9999",
		"subsidies.csv:13: 发放日期: is empty; a paid subsidy has its "
		"paid date",
		warn5, warn8, NULL);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM subsidy"), 0);
	assert_int_equal(imp(f, IMPORT_SUBSIDIES, "subsidies.csv", true), 0);
	expect_counts(f, 8, 0, 0, 4, 2);
	/* from the course: occupation and level */
	assert_string_equal(q_text(f, "SELECT occupation || level || year ||"
				   " amount_fen || status FROM subsidy WHERE"
				   " reference = 'JY2026-0001'"),
			    "M0252026100000paid");
	assert_string_equal(q_text(f, "SELECT rule_flag FROM subsidy WHERE"
				   " reference = 'JY2026-0004'"),
			    "training subsidy 4 in 2026, at most 3 a year");
	assert_string_equal(q_text(f, "SELECT rule_flag FROM subsidy WHERE"
				   " reference = 'JY2026-0007'"),
			    "same occupation and level as JY2026-0006");
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM subsidy WHERE"
			       " rule_flag IS NOT NULL"), 2);
	/* again: nothing changes, the warnings stay */
	assert_int_equal(imp(f, IMPORT_SUBSIDIES, "subsidies.csv", true), 0);
	expect_counts(f, 0, 0, 8, 4, 2);
	assert_non_null(strstr(f->err, warn5));
	assert_non_null(strstr(f->err, warn8));
	/* JY2026-0002 rejected now: the 4th of 2026 is a 3rd */
	imp_clean(f, IMPORT_SUBSIDIES, "subsidies_update.csv");
	expect_counts(f, 0, 1, 0, 0, 0);
	assert_string_equal(q_text(f, "SELECT coalesce(rule_flag, 'none') FROM"
				   " subsidy WHERE reference = 'JY2026-0004'"),
			    "none");
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM subsidy WHERE"
			       " rule_flag IS NOT NULL"), 1);
}

/* ---- certificates, enrolments, export ---- */

static void test_certificates(void **state)
{
	struct fx *f = *state;

	load_roster(f);
	assert_int_equal(imp(f, IMPORT_CERTIFICATES, "certificates.csv", true),
			 0);
	expect_lines(f,
		"certificates.csv:4: 等级: is empty; a 职业技能等级证书 "
		"certificate has a level",
		"certificates.csv:5: 身份证号: 445203199511200678 is not on the "
		"roster (import workers first)",
		"certificates.csv:6: 发证日期: 2027-01-01 is in the future",
		NULL);
	expect_counts(f, 2, 0, 0, 3, 0);
	assert_string_equal(q_text(f, "SELECT kind || occupation || level FROM"
				   " certificate WHERE number = 'ZS-002'"),
			    "skill_levelM024");
}

static void test_enrolments(void **state)
{
	struct fx *f = *state;

	load_roster(f);
	assert_int_equal(imp(f, IMPORT_CERTIFICATES, "certificates.csv", true),
			 0);
	assert_int_equal(imp(f, IMPORT_ENROLMENTS, "enrolments.csv", true), 0);
	expect_lines(f,
		"enrolments.csv:5: 课程编号: course 2002 is full (capacity 2)",
		"enrolments.csv:6: 结果: a result needs the status completed "
		"(已结业), not enrolled",
		"enrolments.csv:7: 证书编号: no certificate ZS-999 of this worker "
		"(import certificates first)",
		"enrolments.csv:8: 身份证号: 445203199511200678 is not on the "
		"roster (import workers first)",
		"enrolments.csv:9: 课程编号: 445281198506154560/2002 is also on "
		"line 3",
		NULL);
	expect_counts(f, 3, 0, 0, 5, 0);
	assert_string_equal(q_text(f, "SELECT e.status || e.result ||"
				   " e.channel || c.number FROM enrolment e"
				   " JOIN certificate c ON c.id ="
				   " e.certificate_id"),
			    "completedpassedimportZS-001");
	assert_int_equal(testutil_q1(f->db, "SELECT seats_taken FROM course WHERE"
			       " code = '2002'"), 2);
	/* a cancellation frees the seat; again changes nothing */
	imp_clean(f, IMPORT_ENROLMENTS, "enrolments_cancel.csv");
	expect_counts(f, 0, 1, 0, 0, 0);
	assert_int_equal(testutil_q1(f->db, "SELECT seats_taken FROM course WHERE"
			       " code = '2002'"), 1);
	imp_clean(f, IMPORT_ENROLMENTS, "enrolments_cancel.csv");
	expect_counts(f, 0, 0, 1, 0, 0);
}

static void test_export(void **state)
{
	struct fx *f = *state;
	char path[64], *buf = NULL, *row;
	unsigned long n;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	load_roster(f);
	assert_int_equal(imp(f, IMPORT_CERTIFICATES, "certificates.csv", true),
			 0);
	assert_int_equal(imp(f, IMPORT_ENROLMENTS, "enrolments.csv", true), 0);
	assert_int_equal(export_enrolments(f->db, out, NULL, "86", &n), 0);
	fclose(out);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "\xef\xbb\xbf身份证号,姓名,手机号,课程编号,课程名称"
			    ",职业,等级,培训机构,区县,开课日期,结课日期,状态,渠道,结果,"
			    "证书编号,报名时间,更新时间,抽查次数,确认到课次数\r\n",
			    strlen("\xef\xbb\xbf身份证号,姓名,手机号,课程编号,"
				   "课程名称,职业,等级,培训机构,区县,开课日期,"
				   "结课日期,状态,渠道,结果,证书编号,报名时间,"
				   "更新时间,抽查次数,确认到课次数\r\n"));
	row = strstr(buf, "\t" ID_ZHANG);
	assert_non_null(row);
	assert_memory_equal(row, "\t" ID_ZHANG ",张小明,\t13800138000,2007,"
			    "焊工初级班2026春,焊工,初级工,普宁市\"红棉\"职业培训学校,",
			    0);
	assert_non_null(strstr(row, ",普宁市,2026-05-04,2026-05-29,已结业,导入,"
			       "合格,ZS-001,2026-11-30 12:00:00,2026-11-30 "
			       "12:00:00,0,0\r\n"));
	assert_non_null(strstr(buf, "\"焊工初级班,夜班\""));
	/* read back: nothing changes */
	snprintf(path, sizeof(path), "/tmp/test_export_%d.csv", (int)getpid());
	out = fopen(path, "w");
	fwrite(buf, 1, len, out);
	fclose(out);
	imp_clean(f, IMPORT_ENROLMENTS, path);
	expect_counts(f, 0, 0, 3, 0, 0);
	unlink(path);
	free(buf);
	/* --since the day after: nothing */
	buf = NULL;
	out = open_memstream(&buf, &len);
	assert_int_equal(export_enrolments(f->db, out, "2026-12-01", "86", &n),
			 0);
	fclose(out);
	assert_int_equal(n, 0);
	free(buf);
	out = fopen("/dev/null", "w");
	assert_int_equal(export_enrolments(f->db, out, "2026-13-01", "86", &n),
			 -EINVAL);
	fclose(out);
}

/* ---- the skillctl verbs ---- */

/* Run a verb with stdout and stderr sent to /dev/null. */
static int verb(int (*run)(const char *, bool, int, char **),
		const char *conf, int argc, char **argv)
{
	int saved_out = dup(1), saved_err = dup(2);
	int null = open("/dev/null", O_WRONLY);
	int rc;

	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	rc = run(conf, false, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(null);
	close(saved_out);
	close(saved_err);
	return rc;
}

static void test_ctl(void **state)
{
	struct fx *f = *state;
	char conf[64], out[80];
	FILE *c;
	char *occ[] = { "import", "occupations", "occupations.csv",
			"--operator", "alice" };
	char *bad[] = { "import", "workers", "workers_bad.csv" };
	char *skip[] = { "import", "--skip-bad", "workers", "workers_bad.csv" };
	char *kind[] = { "import", "regions", "x.csv" };
	char *none[] = { "import", "workers" };
	char *cols[] = { "import", "courses", "--columns" };
	char *missing[] = { "import", "workers", "nonexistent.csv" };
	char *exp[] = { "export", "enrolments", "--since", "2026/11/1", out };
	char *exp_bad[] = { "export", "students", out };

	snprintf(conf, sizeof(conf), "/tmp/test_import_%d.conf", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/test_import_%d.csv", (int)getpid());
	c = fopen(conf, "w");
	fprintf(c, "gateway: { database = \"%s\"; glossary = \"%s\"; };\n",
		f->path, glossary_path);
	fclose(c);
	assert_int_equal(verb(ctl_import_run, conf, 5, occ), CTL_DATA_OK);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE actor ="
			       " 'alice'"), 1);
	assert_int_equal(verb(ctl_import_run, conf, 3, bad), CTL_DATA_USER);
	assert_int_equal(verb(ctl_import_run, conf, 4, skip), CTL_DATA_OK);
	assert_int_equal(verb(ctl_import_run, conf, 3, kind), CTL_DATA_USER);
	assert_int_equal(verb(ctl_import_run, conf, 2, none), CTL_DATA_USER);
	assert_int_equal(verb(ctl_import_run, conf, 3, cols), CTL_DATA_OK);
	assert_int_equal(verb(ctl_import_run, conf, 3, missing), CTL_DATA_USER);
	assert_int_equal(verb(ctl_import_run, "/nonexistent.conf", 3, bad),
			 CTL_DATA_USER);
	assert_int_equal(verb(ctl_export_run, conf, 5, exp), CTL_DATA_OK);
	assert_int_equal(access(out, R_OK), 0);
	assert_int_equal(verb(ctl_export_run, conf, 3, exp_bad), CTL_DATA_USER);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM audit WHERE action ="
			       " 'export'"), 1);
	unlink(out);
	unlink(conf);
	assert_string_equal(ctl_data_operator("bob"), "bob");
	assert_non_null(ctl_data_operator(NULL));
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_catalog),
		T(test_catalog_bad),
		T(test_capacity_below_taken),
		T(test_workers),
		T(test_workers_reimport),
		T(test_workers_bad),
		T(test_number_bound_elsewhere),
		T(test_gbk),
		T(test_header_problems),
		T(test_subsidies),
		T(test_certificates),
		T(test_enrolments),
		T(test_export),
		T(test_ctl),
	};
#undef T
	const char *level = getenv("TEST_LOG");
	int rc;

	if (find_data_dir()) {
		fprintf(stderr, "test_import: tests/unit/data not found; set "
			"SRCDIR\n");
		return 1;
	}
	now = fmt_local_midnight_ms("2026-11-30") + 12 * 3600 * 1000;
	test_ctx = talloc_named_const(NULL, 0, "test_import");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	testutil_glossary();
	if (!realpath("conf/glossary.conf", glossary_path))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
