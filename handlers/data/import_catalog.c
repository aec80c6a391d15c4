/*
 * import_catalog.c - importing the training catalogue: institutions,
 * occupations and courses, each upserted by its code.
 *
 * Courses refer to an occupation (code or exact name), an institution
 * (code) and a region (code or name), all checked against the catalogues
 * in memory. seats_taken is never imported: it follows the enrolments
 * (schema triggers). Lowering a course's capacity below the seats already
 * taken is refused by the course_full CHECK and reported as such.
 * A course's attendance checks (考勤抽查: a number of random class days,
 * or the days) and class hours (上课时间) are optional columns, checked
 * and stored in a normal form; a file without them keeps what a course
 * has.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handlers/domain/checks.h"
#include "handlers/domain/codes.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "import_priv.h"

#define IMP_NAME_CHARS		64
#define IMP_GROUP_CHARS		16
#define IMP_COURSE_CODE_MAX	8	/* digits */
#define IMP_CAPACITY_MAX	1000

/* Explain a constraint failure no checker could foresee. */
static int imp_refused(struct imp *im, int col)
{
	return imp_bad(im, col, "refused by the database: %s",
		       sqlite3_errmsg(im->h));
}

/* ---- institutions ---- */

enum { I_CODE, I_NAME, I_REGION, I_CATALOGUED, I_NUM };

static const struct csv_column imp_inst_cols[I_NUM] = {
	[I_CODE] = { "机构代码|机构编号|code|institution_code",
		     CSV_COL_REQUIRED },
	[I_NAME] = { "机构名称|名称|name|institution_name", CSV_COL_REQUIRED },
	[I_REGION] = { "区县|所属区县|地区|region|county", CSV_COL_REQUIRED },
	[I_CATALOGUED] = { "是否目录内|目录内|列入目录|catalogued",
			   CSV_COL_REQUIRED },
};

static const char *const imp_inst_sql[] = {
	"INSERT INTO institution (code, name, region, catalogued, created_at,"
	" updated_at) VALUES (:code, :name, :region, :catalogued, :now, :now)"
	" ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
	" region = excluded.region, catalogued = excluded.catalogued,"
	" updated_at = excluded.updated_at"
	" WHERE institution.name <> excluded.name"
	" OR institution.region <> excluded.region"
	" OR institution.catalogued <> excluded.catalogued",
};

static int imp_inst_row(struct imp *im)
{
	DB_STMT(st, im->st[0]);
	const char *code, *name, *region;
	int catalogued, rc;

	if (imp_code(im, I_CODE, &code))
		imp_key(im, I_CODE, code);
	imp_text(im, I_NAME, IMP_NAME_CHARS, &name);
	imp_region(im, I_REGION, &region);
	imp_yes_no(im, I_CATALOGUED, &catalogued);
	if (im->row_errors)
		return IMP_BAD;
	db_bind_text(st, ":code", code);
	db_bind_text(st, ":name", name);
	db_bind_text(st, ":region", region);
	db_bind_int(st, ":catalogued", catalogued);
	db_bind_int(st, ":now", im->now);
	rc = imp_upsert(im, st);
	return rc == IMP_CONSTRAINT ? imp_refused(im, -1) : rc;
}

const struct imp_kind imp_kind_institutions = {
	.name = "institutions",
	.cols = imp_inst_cols,
	.n_cols = I_NUM,
	.sql = imp_inst_sql,
	.n_sql = 1,
	.needs = IMP_NEED_REGIONS,
	.row = imp_inst_row,
};

/* ---- occupations ---- */

enum { O_CODE, O_NAME, O_GROUP, O_NUM };

static const struct csv_column imp_occ_cols[O_NUM] = {
	[O_CODE] = { "职业代码|职业编码|code|occupation_code",
		     CSV_COL_REQUIRED },
	[O_NAME] = { "职业名称|职业|name|occupation_name", CSV_COL_REQUIRED },
	[O_GROUP] = { "职业类别|类别|分组|group|category", CSV_COL_REQUIRED },
};

enum { OS_UPSERT, OS_NAME_OWNER, OS_NUM };

static const char *const imp_occ_sql[OS_NUM] = {
	[OS_UPSERT] =
		"INSERT INTO occupation (code, name, grp, created_at,"
		" updated_at) VALUES (:code, :name, :grp, :now, :now)"
		" ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
		" grp = excluded.grp, updated_at = excluded.updated_at"
		" WHERE occupation.name <> excluded.name"
		" OR occupation.grp <> excluded.grp",
	[OS_NAME_OWNER] = "SELECT code FROM occupation WHERE name = :name",
};

/* Names are unique too: say which code has it. */
static int imp_occ_clash(struct imp *im, const char *name)
{
	DB_STMT(st, im->st[OS_NAME_OWNER]);
	char code[64];

	db_bind_text(st, ":name", name);
	if (sqlite3_step(st) != SQLITE_ROW)
		return imp_refused(im, -1);
	db_col_text(st, 0, code, sizeof(code));
	return imp_bad(im, O_NAME, "name '%s' is already that of occupation "
		       "%s", name, code);
}

static int imp_occ_row(struct imp *im)
{
	DB_STMT(st, im->st[OS_UPSERT]);
	const char *code, *name, *grp;
	int rc;

	if (imp_code(im, O_CODE, &code))
		imp_key(im, O_CODE, code);
	imp_text(im, O_NAME, IMP_NAME_CHARS, &name);
	imp_text(im, O_GROUP, IMP_GROUP_CHARS, &grp);
	if (im->row_errors)
		return IMP_BAD;
	db_bind_text(st, ":code", code);
	db_bind_text(st, ":name", name);
	db_bind_text(st, ":grp", grp);
	db_bind_int(st, ":now", im->now);
	rc = imp_upsert(im, st);
	if (rc == IMP_CONSTRAINT && im->ext_rc == SQLITE_CONSTRAINT_UNIQUE)
		return imp_occ_clash(im, name);
	return rc == IMP_CONSTRAINT ? imp_refused(im, -1) : rc;
}

const struct imp_kind imp_kind_occupations = {
	.name = "occupations",
	.cols = imp_occ_cols,
	.n_cols = O_NUM,
	.sql = imp_occ_sql,
	.n_sql = OS_NUM,
	.row = imp_occ_row,
};

/* ---- courses ---- */

enum {
	C_CODE, C_NAME, C_OCCUPATION, C_LEVEL, C_TYPE, C_INSTITUTION,
	C_REGION, C_START, C_END, C_DEADLINE, C_CAPACITY, C_SUBSIDY,
	C_STATUS, C_CHECKS, C_HOURS, C_NUM
};

static const struct csv_column imp_course_cols[C_NUM] = {
	[C_CODE] = { "课程编号|课程代码|班级编号|code|course_code",
		     CSV_COL_REQUIRED },
	[C_NAME] = { "课程名称|班级名称|name|course_name", CSV_COL_REQUIRED },
	[C_OCCUPATION] = { "职业|职业代码|职业名称|occupation",
			   CSV_COL_REQUIRED },
	[C_LEVEL] = { "等级|技能等级|level", CSV_COL_REQUIRED },
	[C_TYPE] = { "培训类型|培训形式|training_type|type", CSV_COL_REQUIRED },
	[C_INSTITUTION] = { "机构代码|培训机构代码|institution",
			    CSV_COL_REQUIRED },
	[C_REGION] = { "区县|所属区县|地区|region|county", CSV_COL_REQUIRED },
	[C_START] = { "开班日期|开课日期|开始日期|start_date|start",
		      CSV_COL_REQUIRED },
	[C_END] = { "结业日期|结课日期|结束日期|end_date|end",
		    CSV_COL_REQUIRED },
	[C_DEADLINE] = { "报名截止日期|报名截止|enrol_deadline|deadline", 0 },
	[C_CAPACITY] = { "计划人数|名额|人数|capacity", CSV_COL_REQUIRED },
	[C_SUBSIDY] = { "补贴标准|补贴金额|补贴标准元|subsidy|subsidy_yuan",
			CSV_COL_REQUIRED },
	[C_STATUS] = { "状态|status", 0 },
	/* attendance checks (handlers/quality): a file without these
	 * columns leaves a course's as they are */
	[C_CHECKS] = { "考勤抽查|到课抽查|抽查日期|attendance_checks|checks", 0 },
	[C_HOURS] = { "上课时间|上课时段|class_hours", 0 },
};

enum { CS_UPSERT, CS_SEATS, CS_NUM };

static const char *const imp_course_sql[CS_NUM] = {
	[CS_UPSERT] =
		"INSERT INTO course (code, name, occupation, level,"
		" training_type, institution, region, start_date, end_date,"
		" enrol_deadline, capacity, subsidy_fen, status, checks,"
		" class_hours, created_at, updated_at) VALUES (:code, :name,"
		" :occupation, :level, :type, :institution, :region, :start,"
		" :end, :deadline, :capacity, :subsidy, :status, :checks,"
		" :hours, :now, :now)"
		" ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
		" occupation = excluded.occupation, level = excluded.level,"
		" training_type = excluded.training_type,"
		" institution = excluded.institution,"
		" region = excluded.region, start_date = excluded.start_date,"
		" end_date = excluded.end_date,"
		" enrol_deadline = excluded.enrol_deadline,"
		" capacity = excluded.capacity,"
		" subsidy_fen = excluded.subsidy_fen,"
		" status = excluded.status,"
		" checks = iif(:keep_checks, course.checks, excluded.checks),"
		" class_hours = iif(:keep_hours, course.class_hours,"
		"  excluded.class_hours),"
		" updated_at = excluded.updated_at"
		" WHERE (course.name, course.occupation, course.level,"
		"  course.training_type, course.institution, course.region,"
		"  course.start_date, course.end_date, course.enrol_deadline,"
		"  course.capacity, course.subsidy_fen, course.status,"
		"  course.checks, course.class_hours) IS NOT"
		" (excluded.name, excluded.occupation, excluded.level,"
		"  excluded.training_type, excluded.institution,"
		"  excluded.region, excluded.start_date, excluded.end_date,"
		"  excluded.enrol_deadline, excluded.capacity,"
		"  excluded.subsidy_fen, excluded.status,"
		"  iif(:keep_checks, course.checks, excluded.checks),"
		"  iif(:keep_hours, course.class_hours, excluded.class_hours))",
	[CS_SEATS] = "SELECT seats_taken FROM course WHERE code = :code",
};

struct imp_course_row {
	const char *code, *name, *occupation, *type, *institution, *region;
	const char *status;
	char start[FMT_ISO_DATE], end[FMT_ISO_DATE], deadline[FMT_ISO_DATE];
	char checks[CHECKS_TEXT_MAX], hours[24];
	int level, capacity;
	int64_t subsidy_fen;
};

static bool imp_course_code(struct imp *im, const char **code)
{
	const char *s = imp_field(im, C_CODE);

	*code = s;
	if (!*s || strlen(s) > IMP_COURSE_CODE_MAX ||
	    strspn(s, "0123456789") != strlen(s))
		return imp_bad(im, C_CODE, "'%s' is not a course code (1 to "
			       "%d digits, so it can be typed on a keypad)", s,
			       IMP_COURSE_CODE_MAX), false;
	return imp_key(im, C_CODE, s);
}

static bool imp_course_institution(struct imp *im, const char **code)
{
	if (!imp_code(im, C_INSTITUTION, code))
		return false;
	if (!imp_cat_find(&im->cat.institutions, *code))
		return imp_bad(im, C_INSTITUTION, "unknown institution %s "
			       "(import institutions first)", *code), false;
	return true;
}

/* The dates: start <= end, deadline (default: the start) <= end. */
static void imp_course_dates(struct imp *im, struct imp_course_row *c)
{
	bool ok = imp_date(im, C_START, true, c->start);

	ok = imp_date(im, C_END, true, c->end) && ok;
	ok = imp_date(im, C_DEADLINE, false, c->deadline) && ok;
	if (!ok)
		return;
	if (!c->deadline[0])
		memcpy(c->deadline, c->start, sizeof(c->deadline));
	if (strcmp(c->end, c->start) < 0)
		imp_bad(im, C_END, "ends %s, before it starts (%s)", c->end,
			c->start);
	else if (strcmp(c->deadline, c->end) > 0)
		imp_bad(im, C_DEADLINE, "enrolment deadline %s is after the "
			"end %s", c->deadline, c->end);
}

/* 考勤抽查: a number of random class days or the days, within the
 * course; stored in the form checks_parse() reads back. */
static void imp_course_checks(struct imp *im, struct imp_course_row *c)
{
	const char *s = imp_field(im, C_CHECKS);
	struct checks ck;

	if (checks_parse(s, &ck) < 0) {
		imp_bad(im, C_CHECKS, "'%s' is neither a number of days (1 to "
			"%d) nor class days (2026-12-03;2026-12-05)", s,
			CHECKS_DAYS_MAX);
		return;
	}
	if (ck.n_days && c->start[0] && c->end[0] &&
	    (strcmp(ck.day[0], c->start) < 0 ||
	     strcmp(ck.day[ck.n_days - 1], c->end) > 0))
		imp_bad(im, C_CHECKS, "checks on days outside the course "
			"(%s to %s)", c->start, c->end);
	checks_format(&ck, c->checks, sizeof(c->checks));
}

/* 上课时间: "08:30-17:30", stored as HH:MM-HH:MM; "" for the default. */
static void imp_course_hours(struct imp *im, struct imp_course_row *c)
{
	const char *s = imp_field(im, C_HOURS);
	int from, to;

	if (!*s)
		return;
	if (fmt_hours_parse(s, &from, &to) < 0) {
		imp_bad(im, C_HOURS, "'%s' is not class hours like 08:30-17:30",
			s);
		return;
	}
	snprintf(c->hours, sizeof(c->hours), "%02u:%02u-%02u:%02u",
		 (unsigned)from / 60 % 100, (unsigned)from % 60,
		 (unsigned)to / 60 % 100, (unsigned)to % 60);
}

static void imp_course_check(struct imp *im, struct imp_course_row *c)
{
	imp_course_code(im, &c->code);
	imp_text(im, C_NAME, IMP_NAME_CHARS, &c->name);
	imp_occupation(im, C_OCCUPATION, true, &c->occupation);
	imp_level(im, C_LEVEL, true, &c->level);
	imp_enum(im, C_TYPE, &codes_training_type, NULL, &c->type);
	imp_course_institution(im, &c->institution);
	imp_region(im, C_REGION, &c->region);
	imp_course_dates(im, c);
	imp_int(im, C_CAPACITY, 1, IMP_CAPACITY_MAX, &c->capacity);
	imp_yuan(im, C_SUBSIDY, &c->subsidy_fen);
	imp_enum(im, C_STATUS, &codes_course_status, "open", &c->status);
	imp_course_checks(im, c);
	imp_course_hours(im, c);
}

/* The CHECK course_full: capacity below the seats taken. */
static int imp_course_full(struct imp *im, const struct imp_course_row *c)
{
	DB_STMT(st, im->st[CS_SEATS]);

	db_bind_text(st, ":code", c->code);
	if (sqlite3_step(st) != SQLITE_ROW)
		return imp_refused(im, -1);
	return imp_bad(im, C_CAPACITY, "capacity %d is below the %d seats "
		       "already taken", c->capacity,
		       sqlite3_column_int(st, 0));
}

static int imp_course_row(struct imp *im)
{
	DB_STMT(st, im->st[CS_UPSERT]);
	struct imp_course_row c = { 0 };
	int rc;

	imp_course_check(im, &c);
	if (im->row_errors)
		return IMP_BAD;
	db_bind_text(st, ":code", c.code);
	db_bind_text(st, ":name", c.name);
	db_bind_text(st, ":occupation", c.occupation);
	db_bind_int(st, ":level", c.level);
	db_bind_text(st, ":type", c.type);
	db_bind_text(st, ":institution", c.institution);
	db_bind_text(st, ":region", c.region);
	db_bind_text(st, ":start", c.start);
	db_bind_text(st, ":end", c.end);
	db_bind_text(st, ":deadline", c.deadline);
	db_bind_int(st, ":capacity", c.capacity);
	db_bind_int(st, ":subsidy", c.subsidy_fen);
	db_bind_text(st, ":status", c.status);
	db_bind_opt(st, ":checks", c.checks);
	db_bind_opt(st, ":hours", c.hours);
	db_bind_int(st, ":keep_checks", im->col[C_CHECKS] < 0);
	db_bind_int(st, ":keep_hours", im->col[C_HOURS] < 0);
	db_bind_int(st, ":now", im->now);
	rc = imp_upsert(im, st);
	if (rc == IMP_CONSTRAINT && im->ext_rc == SQLITE_CONSTRAINT_CHECK)
		return imp_course_full(im, &c);
	return rc == IMP_CONSTRAINT ? imp_refused(im, -1) : rc;
}

const struct imp_kind imp_kind_courses = {
	.name = "courses",
	.cols = imp_course_cols,
	.n_cols = C_NUM,
	.sql = imp_course_sql,
	.n_sql = CS_NUM,
	.needs = IMP_NEED_REGIONS | IMP_NEED_OCCUPATIONS |
		 IMP_NEED_INSTITUTIONS,
	.row = imp_course_row,
};
