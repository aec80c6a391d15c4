/*
 * report.c - the figures of training quality per institution, occupation
 * or course (see report.h), in one query: an inner SELECT gives each
 * enrolment of the courses asked for (started, ended since the day) its
 * group, its result and what its questions say (counted through the
 * UNIQUE index of quality_question); the outer one sums them per group
 * and divides in SQL. A group with nothing to count (no result, no
 * question) is left out.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "handlers/data/csv.h"
#include "handlers/quality/report.h"

#define RPT_PCT		100.0

static const char *const rpt_by[QUALITY_BY_NUM] = {
	[QUALITY_BY_INSTITUTION] = "institution",
	[QUALITY_BY_OCCUPATION] = "occupation",
	[QUALITY_BY_COURSE] = "course",
};

/* Questions of kind of the enrolment e, with a condition. */
#define RPT_Q(kind, cond)						\
	"(SELECT count(*) FROM quality_question q WHERE q.enrolment_id = e.id"\
	" AND q.kind = '" kind "' AND " cond ")"
#define RPT_RATE(num, den)						\
	"round(1.0 * (" num ") / nullif(" den ", 0), 4)"

static const char *const rpt_sql[] = {
	"SELECT g.k, CASE :by WHEN 'occupation' THEN"
	"  (SELECT name FROM occupation WHERE code = g.k)"
	"  WHEN 'course' THEN (SELECT name FROM course WHERE code = g.k)"
	"  ELSE (SELECT name FROM institution WHERE code = g.k) END,"
	" count(DISTINCT g.course_id), count(*),"
	" sum(g.result IS NOT NULL), sum(g.result = 'passed'),"
	" " RPT_RATE("sum(g.result = 'passed')", "sum(g.result IS NOT NULL)") ","
	" sum(g.att), sum(g.att_ok), sum(g.att > 0 AND g.att_ok = 0),"
	" " RPT_RATE("sum(g.att_ok)", "sum(g.att)") ","
	" sum(g.sv), sum(g.score IS NOT NULL),"
	" " RPT_RATE("sum(g.score IS NOT NULL)", "sum(g.sv)") ","
	" round(avg(g.score), 2), sum(g.score = 1), sum(g.score = 2),"
	" sum(g.score = 3), sum(g.score = 4), sum(g.score = 5),"
	" sum(g.emp_asked > 0), sum(g.emp IS NOT NULL),"
	" " RPT_RATE("sum(g.emp IS NOT NULL)", "sum(g.emp_asked > 0)") ","
	" sum(g.emp = 1), sum(g.emp = 2), sum(g.emp = 3),"
	" " RPT_RATE("sum(g.emp = 1)", "sum(g.emp IS NOT NULL)") ","
	" " RPT_RATE("sum(g.emp = 2)", "sum(g.emp IS NOT NULL)")
	" FROM (SELECT CASE :by WHEN 'occupation' THEN c.occupation"
	"  WHEN 'course' THEN c.code ELSE c.institution END AS k,"
	"  c.id AS course_id, e.result,"
	"  " RPT_Q("attendance", "q.state = 'queued'") " AS att,"
	"  " RPT_Q("attendance", "q.answer IS NOT NULL") " AS att_ok,"
	"  " RPT_Q("survey", "q.state = 'queued'") " AS sv,"
	"  (SELECT q.answer FROM quality_question q WHERE q.enrolment_id = e.id"
	"   AND q.kind = 'survey' AND q.round = 0) AS score,"
	"  " RPT_Q("employment", "q.state = 'queued'") " AS emp_asked,"
	"  (SELECT q.answer FROM quality_question q WHERE q.enrolment_id = e.id"
	"   AND q.kind = 'employment' AND q.answer IS NOT NULL"
	"   ORDER BY q.round DESC LIMIT 1) AS emp"
	"  FROM course c JOIN enrolment e ON e.course_id = c.id"
	"  WHERE e.status <> 'cancelled' AND c.status <> 'cancelled'"
	"  AND c.start_date <= :today"
	"  AND (:inst IS NULL OR c.institution = :inst)"
	"  AND (:since IS NULL OR c.end_date >= :since)) g"
	" GROUP BY g.k HAVING sum(g.result IS NOT NULL) + sum(g.att)"
	"  + sum(g.sv) + sum(g.emp_asked) > 0"
	" ORDER BY g.k LIMIT :max",
};

const char *quality_by_str(enum quality_by b)
{
	return (unsigned)b < QUALITY_BY_NUM ? rpt_by[b] : NULL;
}

int quality_by_parse(const char *s)
{
	unsigned i;

	for (i = 0; s && i < QUALITY_BY_NUM; i++)
		if (!strcmp(s, rpt_by[i]))
			return i;
	return -1;
}

static unsigned long rpt_ul(sqlite3_stmt *st, int i)
{
	return (unsigned long)sqlite3_column_int64(st, i);
}

static double rpt_rate(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 :
	       sqlite3_column_double(st, i);
}

static void rpt_row(sqlite3_stmt *st, struct quality_row *r)
{
	unsigned i;

	memset(r, 0, sizeof(*r));
	db_col_text(st, 0, r->key, sizeof(r->key));
	db_col_text(st, 1, r->name, sizeof(r->name));
	r->courses = rpt_ul(st, 2);
	r->trainees = rpt_ul(st, 3);
	r->results = rpt_ul(st, 4);
	r->passed = rpt_ul(st, 5);
	r->pass_rate = rpt_rate(st, 6);
	r->checks = rpt_ul(st, 7);
	r->confirmed = rpt_ul(st, 8);
	r->never = rpt_ul(st, 9);
	r->confirm_rate = rpt_rate(st, 10);
	r->surveys = rpt_ul(st, 11);
	r->rated = rpt_ul(st, 12);
	r->rated_rate = rpt_rate(st, 13);
	r->score_avg = rpt_rate(st, 14);
	for (i = 0; i < QUALITY_SCORES; i++)
		r->score[i] = rpt_ul(st, 15 + i);
	r->followed = rpt_ul(st, 20);
	r->reported = rpt_ul(st, 21);
	r->reported_rate = rpt_rate(st, 22);
	r->employed = rpt_ul(st, 23);
	r->business = rpt_ul(st, 24);
	r->seeking = rpt_ul(st, 25);
	r->employed_rate = rpt_rate(st, 26);
	r->business_rate = rpt_rate(st, 27);
}

/* Run the query of f, calling row() for each group (at most max). */
static int rpt_run(struct db *db, const struct quality_filter *f,
		   unsigned max, void (*row)(sqlite3_stmt *st, void *arg),
		   void *arg)
{
	char since[FMT_ISO_DATE], today[FMT_ISO_DATE];
	sqlite3_stmt *st = NULL;
	int rc;

	if ((unsigned)f->by >= QUALITY_BY_NUM ||
	    (f->since && fmt_date_parse(f->since, since) < 0) ||
	    (f->today && fmt_date_parse(f->today, today) < 0))
		return -EINVAL;
	if (!f->today)
		fmt_local_date(clock_now_ms(), today);
	if (db_prepare(db, rpt_sql, 1, &st) < 0)
		return -EIO;
	db_bind_text(st, ":by", rpt_by[f->by]);
	db_bind_opt(st, ":inst", f->institution);
	db_bind_text(st, ":since", f->since ? since : NULL);
	db_bind_text(st, ":today", today);
	db_bind_int(st, ":max", max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		row(st, arg);
	rc = rc == SQLITE_DONE ? 0 : db_step_error(db, st, rc, DQUALITY);
	db_finalize(&st, 1);
	return rc;
}

struct rpt_array {
	struct quality_row *out;
	unsigned max, *n;
};

static void rpt_array_row(sqlite3_stmt *st, void *arg)
{
	struct rpt_array *a = arg;

	if (*a->n < a->max)
		rpt_row(st, &a->out[(*a->n)++]);
}

int quality_report(struct db *db, const struct quality_filter *f,
		   struct quality_row *out, unsigned max, unsigned *n)
{
	struct rpt_array a = { out, max, n };

	*n = 0;
	return rpt_run(db, f, max, rpt_array_row, &a);
}

/* ---- CSV ------------------------------------------------------------------ */

static const char *const rpt_header[] = {
	"代码", "名称", "课程数", "学员数", "有考核结果", "合格", "合格率",
	"到课抽查", "确认到课", "到课确认率", "从未确认人数", "满意度调查",
	"已评价", "评价回复率", "平均分", "1分", "2分", "3分", "4分", "5分",
	"就业回访人数", "已回复", "回访回复率", "已就业", "已创业", "未就业",
	"就业率", "创业率",
};

static void rpt_put_ul(FILE *f, unsigned long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lu", v);
	csv_put(f, buf, 0);
}

/* A rate as a percentage with one decimal, "" when there is none. */
static void rpt_put_pct(FILE *f, double v)
{
	char buf[24] = "";

	if (v >= 0)
		snprintf(buf, sizeof(buf), "%.1f%%", v * RPT_PCT);
	csv_put(f, buf, 0);
}

struct rpt_csv {
	FILE *out;
	unsigned long n;
};

static void rpt_csv_row(sqlite3_stmt *st, void *arg)
{
	struct rpt_csv *c = arg;
	struct quality_row r;
	char avg[24] = "";
	unsigned i;

	rpt_row(st, &r);
	csv_put(c->out, r.key, CSV_PUT_FIRST | CSV_PUT_TEXT);
	csv_put(c->out, r.name, 0);
	rpt_put_ul(c->out, r.courses);
	rpt_put_ul(c->out, r.trainees);
	rpt_put_ul(c->out, r.results);
	rpt_put_ul(c->out, r.passed);
	rpt_put_pct(c->out, r.pass_rate);
	rpt_put_ul(c->out, r.checks);
	rpt_put_ul(c->out, r.confirmed);
	rpt_put_pct(c->out, r.confirm_rate);
	rpt_put_ul(c->out, r.never);
	rpt_put_ul(c->out, r.surveys);
	rpt_put_ul(c->out, r.rated);
	rpt_put_pct(c->out, r.rated_rate);
	if (r.score_avg >= 0)
		snprintf(avg, sizeof(avg), "%.2f", r.score_avg);
	csv_put(c->out, avg, 0);
	for (i = 0; i < QUALITY_SCORES; i++)
		rpt_put_ul(c->out, r.score[i]);
	rpt_put_ul(c->out, r.followed);
	rpt_put_ul(c->out, r.reported);
	rpt_put_pct(c->out, r.reported_rate);
	rpt_put_ul(c->out, r.employed);
	rpt_put_ul(c->out, r.business);
	rpt_put_ul(c->out, r.seeking);
	rpt_put_pct(c->out, r.employed_rate);
	rpt_put_pct(c->out, r.business_rate);
	csv_put_end(c->out);
	c->n++;
}

int quality_report_csv(struct db *db, const struct quality_filter *f,
		       FILE *out, unsigned long *n)
{
	struct rpt_csv c = { out, 0 };
	unsigned i;
	int rc;

	csv_put_bom(out);
	for (i = 0; i < ARRAY_SIZE(rpt_header); i++)
		csv_put(out, rpt_header[i], i ? 0 : CSV_PUT_FIRST);
	csv_put_end(out);
	rc = rpt_run(db, f, UINT32_MAX >> 1, rpt_csv_row, &c);
	*n = c.n;
	return rc == 0 && ferror(out) ? -EIO : rc;
}
