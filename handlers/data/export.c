/*
 * export.c - the enrolment export for the back office (format in
 * export.h). One SELECT walks the latest enrolment of every worker and
 * course, changed since the given day, joined with what a reader of the
 * spreadsheet needs to recognise it; codes become their Chinese labels.
 * The last two columns are the attendance checks of training quality:
 * how often the trainee was asked, how often confirmed (0 and 0 for a
 * course without checks; asked and never confirmed is what the bureau
 * looks at).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "handlers/domain/codes.h"
#include "handlers/data/csv.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "handlers/data/export.h"
#include "gateway/text/fmt.h"
#include "gateway/log.h"

#define EXP_TIME_MAX	24

static const char *const exp_header[] = {
	"身份证号", "姓名", "手机号", "课程编号", "课程名称", "职业", "等级",
	"培训机构", "区县", "开课日期", "结课日期", "状态", "渠道", "结果",
	"证书编号", "报名时间", "更新时间", "抽查次数", "确认到课次数",
};

static const char *const exp_sql[] = {
	"SELECT w.id_number, w.name, coalesce(w.msisdn, ''), c.code, c.name,"
	" o.name, c.level, i.name, r.name, c.start_date, c.end_date,"
	" e.status, e.channel, coalesce(e.result, ''),"
	" coalesce(ce.number, ''), e.created_at, e.updated_at,"
	" (SELECT count(*) FROM quality_question q WHERE q.enrolment_id = e.id"
	"  AND q.kind = 'attendance' AND q.state = 'queued'),"
	" (SELECT count(q.answer) FROM quality_question q"
	"  WHERE q.enrolment_id = e.id AND q.kind = 'attendance')"
	" FROM enrolment e JOIN worker w ON w.id = e.worker_id"
	" JOIN course c ON c.id = e.course_id"
	" JOIN occupation o ON o.code = c.occupation"
	" JOIN institution i ON i.code = c.institution"
	" JOIN region r ON r.code = c.region"
	" LEFT JOIN certificate ce ON ce.id = e.certificate_id"
	" WHERE e.id IN (SELECT max(id) FROM enrolment"
	"  GROUP BY worker_id, course_id)"
	" AND e.updated_at >= :since ORDER BY e.id",
};

static const char *exp_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

/* China time of a Unix ms: "2026-11-30 18:51:35". */
static void exp_time(int64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000 + FMT_CN_UTC_OFFSET_S);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *exp_national(const char *msisdn, const char *cc)
{
	size_t n = cc ? strlen(cc) : 0;

	return (n && !strncmp(msisdn, cc, n)) ? msisdn + n : msisdn;
}

static const char *exp_label(const struct codes_table *t, const char *code)
{
	const char *l = codes_label(t, code);

	return l ? l : code;
}

static void exp_row(sqlite3_stmt *st, FILE *out, const char *cc)
{
	char created[EXP_TIME_MAX], updated[EXP_TIME_MAX];
	const char *level = codes_level_label(sqlite3_column_int(st, 6));

	exp_time(sqlite3_column_int64(st, 15), created, sizeof(created));
	exp_time(sqlite3_column_int64(st, 16), updated, sizeof(updated));
	csv_put(out, exp_col(st, 0), CSV_PUT_FIRST | CSV_PUT_TEXT);
	csv_put(out, exp_col(st, 1), 0);
	csv_put(out, exp_national(exp_col(st, 2), cc), CSV_PUT_TEXT);
	for (int i = 3; i <= 5; i++)
		csv_put(out, exp_col(st, i), 0);
	csv_put(out, level ? level : "", 0);
	for (int i = 7; i <= 10; i++)
		csv_put(out, exp_col(st, i), 0);
	csv_put(out, exp_label(&codes_enrol_status, exp_col(st, 11)), 0);
	csv_put(out, exp_label(&codes_channel, exp_col(st, 12)), 0);
	csv_put(out, *exp_col(st, 13) ?
		exp_label(&codes_result, exp_col(st, 13)) : "", 0);
	csv_put(out, exp_col(st, 14), 0);
	csv_put(out, created, 0);
	csv_put(out, updated, 0);
	csv_put(out, exp_col(st, 17), 0);
	csv_put(out, exp_col(st, 18), 0);
	csv_put_end(out);
}

int export_enrolments(struct db *db, FILE *out, const char *since,
		      const char *cc, unsigned long *n)
{
	int64_t since_ms = 0;
	sqlite3_stmt *raw;
	unsigned i;
	int rc;

	*n = 0;
	if (since && (since_ms = fmt_local_midnight_ms(since)) < 0)
		return -EINVAL;
	if (db_prepare(db, exp_sql, 1, &raw))
		return -EIO;
	{
		DB_STMT(st, raw);

		db_bind_int(st, ":since", since_ms);
		csv_put_bom(out);
		for (i = 0; i < sizeof(exp_header) / sizeof(exp_header[0]); i++)
			csv_put(out, exp_header[i], i ? 0 : CSV_PUT_FIRST);
		csv_put_end(out);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			exp_row(st, out, cc);
			(*n)++;
		}
		if (rc != SQLITE_DONE)
			db_step_error(db, st, rc, DHAND);
	}
	db_finalize(&raw, 1);
	return (rc == SQLITE_DONE && !ferror(out)) ? 0 : -EIO;
}
