/*
 * import_subsidy.c - importing subsidy applications and decisions, and
 * flagging the ones that break the subsidy rule.
 *
 * Natural key: the back office's reference. The worker is resolved by
 * resident ID inside the upsert (not on the roster: NOT NULL refuses the
 * row); the course, when given, must be in the catalogue and supplies the
 * occupation and level the row leaves empty.
 *
 * The rule (国办发〔2019〕24号, see handlers/domain/subsidy.c for the same rule on a
 * course not yet taken): at most DOM_RULE_MAX_PER_YEAR training subsidies
 * per worker and year, never two for the same occupation and level.
 * Rejected ones do not count. After the rows, the flags of every worker
 * whose subsidies changed are recomputed in one statement with window
 * functions, ordered by application date then reference: the second of an
 * occupation and level is flagged "same occupation and level as REF", the
 * fourth and later of a year "training subsidy 4 in 2026, at most 3 a
 * year". Flagged rows are stored all the same (the reviewers decide), and
 * every row of the file that carries a flag is reported as a warning.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/domain/codes.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "handlers/domain/domain.h"
#include "handlers/domain/idcard.h"
#include "import_priv.h"

#define IMP_REASON_CHARS	128
#define IMP_YEAR_MIN		2000
#define IMP_YEAR_MAX		2100

enum {
	S_REF, S_ID, S_NAME, S_KIND, S_COURSE, S_OCCUPATION, S_LEVEL,
	S_AMOUNT, S_STATUS, S_REASON, S_APPLIED, S_DECIDED, S_PAID, S_YEAR,
	S_NUM
};

static const struct csv_column imp_sub_cols[S_NUM] = {
	[S_REF] = { "业务编号|申请编号|受理编号|reference|ref",
		    CSV_COL_REQUIRED },
	[S_ID] = { "身份证号|身份证号码|公民身份号码|id_number|resident_id",
		   CSV_COL_REQUIRED },
	[S_NAME] = { "姓名|name", CSV_COL_IGNORED },
	[S_KIND] = { "补贴类型|补贴类别|补贴种类|kind", CSV_COL_REQUIRED },
	[S_COURSE] = { "课程编号|课程代码|班级编号|course|course_code", 0 },
	[S_OCCUPATION] = { "职业|职业代码|职业名称|occupation", 0 },
	[S_LEVEL] = { "等级|技能等级|level", 0 },
	[S_AMOUNT] = { "补贴金额|金额|amount|amount_yuan", CSV_COL_REQUIRED },
	[S_STATUS] = { "状态|审核状态|办理状态|status", CSV_COL_REQUIRED },
	[S_REASON] = { "原因|不予补贴原因|说明|reason", 0 },
	[S_APPLIED] = { "申请日期|受理日期|applied_date|applied",
			CSV_COL_REQUIRED },
	[S_DECIDED] = { "审核日期|审批日期|decided_date|decided", 0 },
	[S_PAID] = { "发放日期|paid_date|paid", 0 },
	[S_YEAR] = { "年度|year", 0 },
};

enum { SS_UPSERT, SS_FILE_ROW, SS_TOUCHED, SS_FLAG, SS_UNFLAG, SS_FLAGGED,
       SS_NUM };

/* Training rows that count for the rule, of the workers touched. */
#define IMP_RULE_ROWS							\
	" FROM subsidy WHERE kind = 'training' AND status <> 'rejected'"\
	" AND worker_id IN (SELECT worker_id FROM temp.imp_touched)"

static const char *const imp_sub_sql[SS_NUM] = {
	[SS_UPSERT] =
		"INSERT INTO subsidy (reference, worker_id, kind, course_id,"
		" occupation, level, amount_fen, status, reason, applied_date,"
		" decided_date, paid_date, year, created_at, updated_at)"
		" VALUES (:reference, (SELECT id FROM worker"
		"  WHERE id_number = :id_number), :kind, (SELECT id FROM course"
		"  WHERE code = :course), :occupation, :level, :amount,"
		" :status, :reason, :applied, :decided, :paid, :year, :now,"
		" :now)"
		" ON CONFLICT (reference) DO UPDATE SET"
		" worker_id = excluded.worker_id, kind = excluded.kind,"
		" course_id = excluded.course_id,"
		" occupation = excluded.occupation, level = excluded.level,"
		" amount_fen = excluded.amount_fen, status = excluded.status,"
		" reason = excluded.reason,"
		" applied_date = excluded.applied_date,"
		" decided_date = excluded.decided_date,"
		" paid_date = excluded.paid_date, year = excluded.year,"
		" updated_at = excluded.updated_at"
		" WHERE (subsidy.worker_id, subsidy.kind, subsidy.course_id,"
		"  subsidy.occupation, subsidy.level, subsidy.amount_fen,"
		"  subsidy.status, subsidy.reason, subsidy.applied_date,"
		"  subsidy.decided_date, subsidy.paid_date, subsidy.year)"
		" IS NOT (excluded.worker_id, excluded.kind,"
		"  excluded.course_id, excluded.occupation, excluded.level,"
		"  excluded.amount_fen, excluded.status, excluded.reason,"
		"  excluded.applied_date, excluded.decided_date,"
		"  excluded.paid_date, excluded.year)"
		" RETURNING worker_id",
	[SS_FILE_ROW] =
		"INSERT INTO temp.imp_rows (reference, line)"
		" VALUES (:reference, :line)",
	[SS_TOUCHED] =
		"INSERT OR IGNORE INTO temp.imp_touched (worker_id)"
		" VALUES (:worker_id)",
	[SS_FLAG] =
		"WITH t AS (SELECT id, year,"
		"  row_number() OVER (PARTITION BY worker_id, year"
		"   ORDER BY applied_date, reference) AS n_year,"
		"  row_number() OVER same AS n_same,"
		"  first_value(reference) OVER same AS first_ref"
		IMP_RULE_ROWS
		"  WINDOW same AS (PARTITION BY worker_id, occupation, level"
		"   ORDER BY applied_date, reference)),"
		" f AS (SELECT id, CASE WHEN n_same > 1 THEN"
		"   'same occupation and level as ' || first_ref"
		"  WHEN n_year > :max THEN 'training subsidy ' || n_year"
		"   || ' in ' || year || ', at most ' || :max || ' a year'"
		"  END AS flag FROM t)"
		" UPDATE subsidy SET rule_flag = f.flag FROM f"
		" WHERE subsidy.id = f.id AND subsidy.rule_flag IS NOT f.flag",
	/* rows that stopped counting (rejected now) lose their flag */
	[SS_UNFLAG] =
		"UPDATE subsidy SET rule_flag = NULL WHERE rule_flag IS NOT NULL"
		" AND (kind <> 'training' OR status = 'rejected')"
		" AND worker_id IN (SELECT worker_id FROM temp.imp_touched)",
	[SS_FLAGGED] =
		"SELECT r.line, s.rule_flag FROM temp.imp_rows r"
		" JOIN subsidy s ON s.reference = r.reference"
		" WHERE s.rule_flag IS NOT NULL ORDER BY r.line",
};

/* The temporary tables must exist before the statements are prepared;
 * each DDL statement is prepared only after the one before it ran. */
static int imp_sub_begin(struct imp *im)
{
	static const char *const ddl[] = {
		"CREATE TEMP TABLE IF NOT EXISTS imp_rows"
		" (reference TEXT PRIMARY KEY, line INTEGER NOT NULL)",
		"CREATE TEMP TABLE IF NOT EXISTS imp_touched"
		" (worker_id INTEGER PRIMARY KEY)",
		"DELETE FROM temp.imp_rows",
		"DELETE FROM temp.imp_touched",
	};
	sqlite3_stmt *st;
	unsigned i;
	int rc = 0;

	for (i = 0; i < sizeof(ddl) / sizeof(ddl[0]) && !rc; i++) {
		if (db_prepare(im->db, &ddl[i], 1, &st))
			return -EIO;
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = imp_db_err(im, st);
		db_finalize(&st, 1);
	}
	return rc;
}

struct imp_sub_row {
	const char *ref, *kind, *status, *reason, *occupation;
	const struct imp_cat_entry *course;
	struct idcard id;
	int level, year;
	int64_t fen;
	char applied[FMT_ISO_DATE], decided[FMT_ISO_DATE], paid[FMT_ISO_DATE];
};

/* Occupation and level, defaulting to the course's. */
static void imp_sub_what(struct imp *im, struct imp_sub_row *s)
{
	bool ok = imp_course(im, S_COURSE, false, &s->course);

	ok = imp_occupation(im, S_OCCUPATION, false, &s->occupation) && ok;
	ok = imp_level(im, S_LEVEL, false, &s->level) && ok;
	if (!ok)
		return;
	if (s->course && !s->occupation)
		s->occupation = s->course->occupation;
	if (s->course && !s->level)
		s->level = s->course->level;
	if (s->kind && !strcmp(s->kind, "training") &&
	    (!s->occupation || !s->level))
		imp_bad(im, s->occupation ? S_LEVEL : S_OCCUPATION, "is empty; "
			"a training subsidy needs the occupation and level "
			"(or a course)");
}

/* Dates in order, and what the status needs. */
static void imp_sub_when(struct imp *im, struct imp_sub_row *s)
{
	bool ok = imp_date(im, S_APPLIED, true, s->applied);

	ok = imp_date(im, S_DECIDED, false, s->decided) && ok;
	ok = imp_date(im, S_PAID, false, s->paid) && ok;
	if (!ok)
		return;
	if (s->decided[0] && strcmp(s->decided, s->applied) < 0)
		imp_bad(im, S_DECIDED, "%s is before the application (%s)",
			s->decided, s->applied);
	if (s->paid[0] && strcmp(s->paid, s->applied) < 0)
		imp_bad(im, S_PAID, "%s is before the application (%s)",
			s->paid, s->applied);
	if (s->status && !strcmp(s->status, "paid") && !s->paid[0])
		imp_bad(im, S_PAID, "is empty; a paid subsidy has its paid "
			"date");
	if (!*imp_field(im, S_YEAR))
		s->year = atoi(s->applied);
	else
		imp_int(im, S_YEAR, IMP_YEAR_MIN, IMP_YEAR_MAX, &s->year);
}

static void imp_sub_check(struct imp *im, struct imp_sub_row *s)
{
	if (imp_code(im, S_REF, &s->ref))
		imp_key(im, S_REF, s->ref);
	imp_id_number(im, S_ID, &s->id);
	imp_enum(im, S_KIND, &codes_subsidy_kind, NULL, &s->kind);
	imp_yuan(im, S_AMOUNT, &s->fen);
	if (imp_enum(im, S_STATUS, &codes_subsidy_status, NULL, &s->status) &&
	    imp_opt_text(im, S_REASON, IMP_REASON_CHARS, &s->reason) &&
	    !strcmp(s->status, "rejected") && !*s->reason)
		imp_bad(im, S_REASON, "is empty; a rejected subsidy (不予补贴) "
			"needs the reason");
	imp_sub_what(im, s);
	imp_sub_when(im, s);
}

static void imp_sub_bind(struct imp *im, sqlite3_stmt *st,
			 const struct imp_sub_row *s)
{
	db_bind_text(st, ":reference", s->ref);
	db_bind_text(st, ":id_number", s->id.id);
	db_bind_text(st, ":kind", s->kind);
	db_bind_text(st, ":course", s->course ? s->course->code : NULL);
	db_bind_text(st, ":occupation", s->occupation);
	if (s->level)
		db_bind_int(st, ":level", s->level);
	db_bind_int(st, ":amount", s->fen);
	db_bind_text(st, ":status", s->status);
	db_bind_opt(st, ":reason", s->reason);
	db_bind_text(st, ":applied", s->applied);
	db_bind_opt(st, ":decided", s->decided);
	db_bind_opt(st, ":paid", s->paid);
	db_bind_int(st, ":year", s->year);
	db_bind_int(st, ":now", im->now);
}

/* Step a bookkeeping INSERT into a temp table. */
static int imp_sub_note(struct imp *im, int which, const char *name,
			int64_t v, const char *ref)
{
	DB_STMT(st, im->st[which]);

	db_bind_int(st, name, v);
	if (ref)
		db_bind_text(st, ":reference", ref);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : imp_db_err(im, st);
}

static int imp_sub_row(struct imp *im)
{
	struct imp_sub_row s = { 0 };
	int64_t worker = 0;
	int rc;

	imp_sub_check(im, &s);
	if (im->row_errors)
		return IMP_BAD;
	{
		DB_STMT(st, im->st[SS_UPSERT]);

		imp_sub_bind(im, st, &s);
		rc = imp_upsert(im, st);
		if (rc == IMP_NEW || rc == IMP_CHANGED)
			worker = sqlite3_column_int64(st, 0);
	}
	if (rc == IMP_CONSTRAINT && im->ext_rc == SQLITE_CONSTRAINT_NOTNULL)
		return imp_bad(im, S_ID, "%s is not on the roster (import "
			       "workers first)", s.id.id);
	if (rc == IMP_CONSTRAINT)
		return imp_bad(im, -1, "refused by the database: %s",
			       sqlite3_errmsg(im->h));
	if (rc < 0 || imp_sub_note(im, SS_FILE_ROW, ":line", im->rec.line,
				   s.ref))
		return rc < 0 ? rc : -EIO;
	if (worker && imp_sub_note(im, SS_TOUCHED, ":worker_id", worker, NULL))
		return -EIO;
	return rc;
}

/* Recompute the flags, then warn about the file's flagged rows. */
static int imp_sub_finish(struct imp *im)
{
	DB_STMT(flag, im->st[SS_FLAG]);
	DB_STMT(unflag, im->st[SS_UNFLAG]);
	DB_STMT(list, im->st[SS_FLAGGED]);
	int rc;

	db_bind_int(flag, ":max", DOM_RULE_MAX_PER_YEAR);
	if (sqlite3_step(flag) != SQLITE_DONE)
		return imp_db_err(im, flag);
	if (sqlite3_step(unflag) != SQLITE_DONE)
		return imp_db_err(im, unflag);
	while ((rc = sqlite3_step(list)) == SQLITE_ROW)
		imp_warn(im, sqlite3_column_int(list, 0), S_REF,
			 "breaks the subsidy rule: %s (stored, flagged for "
			 "review)", (const char *)sqlite3_column_text(list, 1));
	return rc == SQLITE_DONE ? 0 : imp_db_err(im, list);
}

const struct imp_kind imp_kind_subsidies = {
	.name = "subsidies",
	.cols = imp_sub_cols,
	.n_cols = S_NUM,
	.sql = imp_sub_sql,
	.n_sql = SS_NUM,
	.needs = IMP_NEED_OCCUPATIONS | IMP_NEED_COURSES,
	.begin = imp_sub_begin,
	.row = imp_sub_row,
	.finish = imp_sub_finish,
};
