/*
 * import_records.c - importing the back office's records of workers:
 * certificates (upserted by number) and enrolment results (by worker and
 * course).
 *
 * Both name the worker by resident ID, which is resolved inside the
 * statement: a worker who is not on the roster makes worker_id NULL, the
 * NOT NULL constraint refuses the row, and that is reported as "not on the
 * roster" without a query per row.
 *
 * Enrolments: the export's file is accepted back as it is (its extra
 * columns are known and ignored), so the back office can fill in results
 * and return it. A row updates the worker's latest enrolment in the course
 * (status, result, certificate) or, when there is none, adds one with
 * channel 'import'. A seat is taken or freed by the schema triggers, so a
 * row that would overfill a course is refused.
 */
#include <errno.h>
#include <string.h>

#include "handlers/domain/codes.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "handlers/domain/idcard.h"
#include "import_priv.h"

#define IMP_WORKER_BY_ID "(SELECT id FROM worker WHERE id_number = :id_number)"
#define IMP_COURSE_BY_CODE "(SELECT id FROM course WHERE code = :course)"

/* The NOT NULL of worker_id: the resident ID is not on the roster. */
static int imp_not_on_roster(struct imp *im, int col, const char *id)
{
	return imp_bad(im, col, "%s is not on the roster (import workers "
		       "first)", id);
}

/* ---- certificates ---- */

enum { T_NUMBER, T_ID, T_NAME, T_KIND, T_OCCUPATION, T_LEVEL, T_ISSUED,
       T_NUM };

static const struct csv_column imp_cert_cols[T_NUM] = {
	[T_NUMBER] = { "证书编号|number|certificate_number|certificate",
		       CSV_COL_REQUIRED },
	[T_ID] = { "身份证号|身份证号码|公民身份号码|id_number|resident_id",
		   CSV_COL_REQUIRED },
	[T_NAME] = { "姓名|name", CSV_COL_IGNORED },
	[T_KIND] = { "证书类型|证书类别|证书种类|kind|type", CSV_COL_REQUIRED },
	[T_OCCUPATION] = { "职业|职业代码|职业名称|occupation", 0 },
	[T_LEVEL] = { "等级|技能等级|level", 0 },
	[T_ISSUED] = { "发证日期|颁证日期|issued_date|issued",
		       CSV_COL_REQUIRED },
};

static const char *const imp_cert_sql[] = {
	"INSERT INTO certificate (number, worker_id, kind, occupation, level,"
	" issued_date, created_at, updated_at) VALUES (:number,"
	" " IMP_WORKER_BY_ID ", :kind, :occupation, :level, :issued,"
	" :now, :now)"
	" ON CONFLICT (number) DO UPDATE SET worker_id = excluded.worker_id,"
	" kind = excluded.kind, occupation = excluded.occupation,"
	" level = excluded.level, issued_date = excluded.issued_date,"
	" updated_at = excluded.updated_at"
	" WHERE (certificate.worker_id, certificate.kind,"
	"  certificate.occupation, certificate.level,"
	"  certificate.issued_date) IS NOT (excluded.worker_id,"
	"  excluded.kind, excluded.occupation, excluded.level,"
	"  excluded.issued_date)",
};

struct imp_cert_row {
	const char *number, *kind, *occupation;
	struct idcard id;
	int level;
	char issued[FMT_ISO_DATE];
};

static void imp_cert_check(struct imp *im, struct imp_cert_row *c)
{
	if (imp_code(im, T_NUMBER, &c->number))
		imp_key(im, T_NUMBER, c->number);
	imp_id_number(im, T_ID, &c->id);
	if (imp_enum(im, T_KIND, &codes_cert_kind, NULL, &c->kind) &&
	    imp_level(im, T_LEVEL, false, &c->level) && !c->level &&
	    (!strcmp(c->kind, "qualification") ||
	     !strcmp(c->kind, "skill_level")))
		imp_bad(im, T_LEVEL, "is empty; a %s certificate has a level",
			codes_label(&codes_cert_kind, c->kind));
	imp_occupation(im, T_OCCUPATION, false, &c->occupation);
	if (imp_date(im, T_ISSUED, true, c->issued) &&
	    strcmp(c->issued, im->today) > 0)
		imp_bad(im, T_ISSUED, "%s is in the future", c->issued);
}

static int imp_cert_row(struct imp *im)
{
	DB_STMT(st, im->st[0]);
	struct imp_cert_row c = { 0 };
	int rc;

	imp_cert_check(im, &c);
	if (im->row_errors)
		return IMP_BAD;
	db_bind_text(st, ":number", c.number);
	db_bind_text(st, ":id_number", c.id.id);
	db_bind_text(st, ":kind", c.kind);
	db_bind_text(st, ":occupation", c.occupation);
	if (c.level)
		db_bind_int(st, ":level", c.level);
	db_bind_text(st, ":issued", c.issued);
	db_bind_int(st, ":now", im->now);
	rc = imp_upsert(im, st);
	if (rc == IMP_CONSTRAINT && im->ext_rc == SQLITE_CONSTRAINT_NOTNULL)
		return imp_not_on_roster(im, T_ID, c.id.id);
	if (rc == IMP_CONSTRAINT)
		return imp_bad(im, -1, "refused by the database: %s",
			       sqlite3_errmsg(im->h));
	return rc;
}

const struct imp_kind imp_kind_certificates = {
	.name = "certificates",
	.cols = imp_cert_cols,
	.n_cols = T_NUM,
	.sql = imp_cert_sql,
	.n_sql = 1,
	.needs = IMP_NEED_OCCUPATIONS,
	.row = imp_cert_row,
};

/* ---- enrolments ---- */

enum { E_ID, E_COURSE, E_STATUS, E_RESULT, E_CERT, E_IGNORED, E_NUM };

static const struct csv_column imp_enrol_cols[E_NUM] = {
	[E_ID] = { "身份证号|身份证号码|公民身份号码|id_number|resident_id",
		   CSV_COL_REQUIRED },
	[E_COURSE] = { "课程编号|课程代码|班级编号|course|course_code",
		       CSV_COL_REQUIRED },
	[E_STATUS] = { "状态|报名状态|status", 0 },
	[E_RESULT] = { "结果|考核结果|培训结果|result", 0 },
	[E_CERT] = { "证书编号|certificate|certificate_number", 0 },
	/* what export writes besides: known, not used */
	[E_IGNORED] = { "姓名|name|手机号|mobile|课程名称|course_name|职业|"
			"occupation|等级|level|培训机构|institution|区县|"
			"region|开课日期|start_date|结课日期|end_date|渠道|"
			"channel|报名时间|enrolled_at|更新时间|updated_at|"
			"抽查次数|确认到课次数|checks_asked|checks_confirmed",
			CSV_COL_IGNORED },
};

enum { ES_UPDATE, ES_EXISTS, ES_INSERT, ES_CERT, ES_NUM };

static const char *const imp_enrol_sql[ES_NUM] = {
	[ES_UPDATE] =
		"UPDATE enrolment SET status = :status, result = :result,"
		" cancelled_by = CASE WHEN :status = 'cancelled' THEN 'bureau'"
		"  END,"
		" certificate_id = coalesce(:cert_id, certificate_id),"
		" updated_at = :now"
		" WHERE id = (SELECT max(id) FROM enrolment"
		"  WHERE worker_id = " IMP_WORKER_BY_ID
		"  AND course_id = " IMP_COURSE_BY_CODE ")"
		" AND (status IS NOT :status OR result IS NOT :result"
		"  OR (:cert_id IS NOT NULL"
		"   AND certificate_id IS NOT :cert_id))",
	[ES_EXISTS] =
		"SELECT 1 FROM enrolment WHERE worker_id = " IMP_WORKER_BY_ID
		" AND course_id = " IMP_COURSE_BY_CODE,
	[ES_INSERT] =
		"INSERT INTO enrolment (worker_id, course_id, status, channel,"
		" result, certificate_id, created_at, updated_at) VALUES ("
		IMP_WORKER_BY_ID ", " IMP_COURSE_BY_CODE ", :status,"
		" 'import', :result, :cert_id, :now, :now)",
	[ES_CERT] =
		"SELECT id FROM certificate WHERE number = :number"
		" AND worker_id = " IMP_WORKER_BY_ID,
};

struct imp_enrol_row {
	struct idcard id;
	const struct imp_cat_entry *course;
	const char *status, *result, *cert;
	int64_t cert_id;
};

/* Status and result together: a result means completed. */
static void imp_enrol_status(struct imp *im, struct imp_enrol_row *e)
{
	if (!imp_enum(im, E_RESULT, &codes_result, "", &e->result) ||
	    !imp_enum(im, E_STATUS, &codes_enrol_status,
		      *e->result ? "completed" : "enrolled", &e->status))
		return;
	if (*e->result && strcmp(e->status, "completed"))
		imp_bad(im, E_RESULT, "a result needs the status completed "
			"(已结业), not %s", e->status);
}

/* A certificate number must be one of this worker's. */
static void imp_enrol_cert(struct imp *im, struct imp_enrol_row *e)
{
	DB_STMT(st, im->st[ES_CERT]);
	int rc;

	e->cert = imp_field(im, E_CERT);
	if (!*e->cert || im->row_errors)
		return;
	db_bind_text(st, ":number", e->cert);
	db_bind_text(st, ":id_number", e->id.id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		e->cert_id = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		imp_bad(im, E_CERT, "no certificate %s of this worker "
			"(import certificates first)", e->cert);
	else
		imp_db_err(im, st);
}

static void imp_enrol_bind(struct imp *im, sqlite3_stmt *st,
			   const struct imp_enrol_row *e, bool with_values)
{
	db_bind_text(st, ":id_number", e->id.id);
	db_bind_text(st, ":course", e->course->code);
	if (!with_values)
		return;
	db_bind_text(st, ":status", e->status);
	db_bind_opt(st, ":result", e->result);
	if (e->cert_id)
		db_bind_int(st, ":cert_id", e->cert_id);
	db_bind_int(st, ":now", im->now);
}

static int imp_enrol_explain(struct imp *im, const struct imp_enrol_row *e)
{
	if (im->ext_rc == SQLITE_CONSTRAINT_NOTNULL)
		return imp_not_on_roster(im, E_ID, e->id.id);
	if (im->ext_rc == SQLITE_CONSTRAINT_CHECK)
		return imp_bad(im, E_COURSE, "course %s is full (capacity %d)",
			       e->course->code, e->course->capacity);
	return imp_bad(im, -1, "refused by the database: %s",
		       sqlite3_errmsg(im->h));
}

/* Update the latest enrolment, or tell it is unchanged, or insert. */
static int imp_enrol_store(struct imp *im, const struct imp_enrol_row *e)
{
	int rc;

	{
		DB_STMT(st, im->st[ES_UPDATE]);

		imp_enrol_bind(im, st, e, true);
		rc = imp_upsert(im, st);
	}
	if (rc == IMP_SAME) {
		DB_STMT(st, im->st[ES_EXISTS]);

		imp_enrol_bind(im, st, e, false);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			return IMP_SAME;
		if (rc != SQLITE_DONE)
			return imp_db_err(im, st);
		DB_STMT(ins, im->st[ES_INSERT]);
		imp_enrol_bind(im, ins, e, true);
		rc = imp_upsert(im, ins);
	}
	return rc == IMP_CONSTRAINT ? imp_enrol_explain(im, e) : rc;
}

static int imp_enrol_row(struct imp *im)
{
	struct imp_enrol_row e = { 0 };
	char key[IDCARD_LEN + 16];

	if (imp_id_number(im, E_ID, &e.id) &&
	    imp_course(im, E_COURSE, true, &e.course)) {
		snprintf(key, sizeof(key), "%s/%s", e.id.id, e.course->code);
		imp_key(im, E_COURSE, key);
	}
	imp_enrol_status(im, &e);
	imp_enrol_cert(im, &e);
	if (im->row_errors)
		return IMP_BAD;
	return imp_enrol_store(im, &e);
}

const struct imp_kind imp_kind_enrolments = {
	.name = "enrolments",
	.cols = imp_enrol_cols,
	.n_cols = E_NUM,
	.sql = imp_enrol_sql,
	.n_sql = ES_NUM,
	.needs = IMP_NEED_COURSES,
	.row = imp_enrol_row,
};
