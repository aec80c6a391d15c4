/*
 * report_course.c - the figures of training quality of one course (see
 * report.h): its check days, the trainees asked and never confirmed, the
 * codes refused, the survey and its comments, each follow-up round. One
 * statement per part, prepared for the call; the lists are talloc'ed
 * under the caller's context. Names, ID numbers and mobile numbers are
 * masked here, and so are the digits of long numbers in a comment (a
 * worker may type an ID or a phone number into it, in groups or not).
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/text/msisdn.h"
#include "handlers/quality/report.h"

#define RC_DIGITS_MASKED	7	/* a run of digits this long is masked */
#define RC_DIGITS_KEPT		3	/* ... but for its first ones */

enum { RC_HEAD, RC_DAYS, RC_NEVER, RC_REFUSED, RC_SURVEY, RC_COMMENTS,
       RC_ROUNDS, RC_NUM };

static const char *const rc_sql[RC_NUM] = {
	[RC_HEAD] =
		"SELECT c.id, c.code, c.name, coalesce(i.name, c.institution),"
		" coalesce(o.name, c.occupation), c.start_date, c.end_date,"
		" coalesce(c.checks, ''), coalesce(c.class_hours, ''),"
		" (SELECT count(*) FROM enrolment e WHERE e.course_id = c.id"
		"  AND e.status <> 'cancelled')"
		" FROM course c LEFT JOIN institution i ON i.code = c.institution"
		" LEFT JOIN occupation o ON o.code = c.occupation"
		" WHERE c.code = :code",
	[RC_DAYS] =
		"SELECT k.day, sum(q.state = 'queued'), count(q.answer),"
		" sum(q.state = 'nonumber'), sum(q.state = 'optout'),"
		" round(1.0 * count(q.answer) / nullif(sum(q.state = 'queued'),"
		" 0), 4) FROM quality_check k"
		" LEFT JOIN quality_question q ON q.check_id = k.id"
		" WHERE k.course_id = :id GROUP BY k.id ORDER BY k.day"
		" LIMIT :max",
	[RC_NEVER] =
		"SELECT w.name, w.id_number, coalesce(w.msisdn, ''), count(*),"
		" (SELECT count(*) FROM quality_refusal r"
		"  JOIN quality_question q2 ON q2.id = r.question_id"
		"  WHERE q2.enrolment_id = e.id AND r.reason = 'other')"
		" FROM quality_question q JOIN enrolment e ON e.id = q.enrolment_id"
		" JOIN worker w ON w.id = e.worker_id"
		" WHERE q.course_id = :id AND q.kind = 'attendance'"
		" AND q.state = 'queued' AND e.status <> 'cancelled'"
		" GROUP BY q.enrolment_id HAVING count(q.answer) = 0"
		" ORDER BY e.id LIMIT :max",
	[RC_REFUSED] =
		"SELECT sum(r.reason = 'late'), sum(r.reason = 'other')"
		" FROM quality_refusal r JOIN quality_question q"
		" ON q.id = r.question_id"
		" WHERE q.course_id = :id AND q.kind = 'attendance'",
	[RC_SURVEY] =
		"SELECT sum(q.state = 'queued'), count(q.answer),"
		" round(avg(q.answer), 2), sum(q.answer = 1), sum(q.answer = 2),"
		" sum(q.answer = 3), sum(q.answer = 4), sum(q.answer = 5)"
		" FROM quality_question q"
		" WHERE q.course_id = :id AND q.kind = 'survey'",
	[RC_COMMENTS] =
		"SELECT w.name, q.answer, q.comment,"
		" coalesce(q.changed_at, q.answered_at)"
		" FROM quality_question q JOIN worker w ON w.id = q.worker_id"
		" WHERE q.course_id = :id AND q.kind = 'survey'"
		" AND q.comment IS NOT NULL"
		" ORDER BY coalesce(q.changed_at, q.answered_at) DESC, q.id"
		" LIMIT :max",
	[RC_ROUNDS] =
		"SELECT q.round, sum(q.state = 'queued'), count(q.answer),"
		" sum(q.answer = 1), sum(q.answer = 2), sum(q.answer = 3)"
		" FROM quality_question q"
		" WHERE q.course_id = :id AND q.kind = 'employment'"
		" GROUP BY q.round ORDER BY q.round LIMIT :max",
};

static unsigned long rc_ul(sqlite3_stmt *st, int i)
{
	return (unsigned long)sqlite3_column_int64(st, i);
}

static bool rc_is_digit(char c)
{
	return (c >= '0' && c <= '9') || c == 'X' || c == 'x';
}

/* Digits of a number at p: a run of [0-9Xx], single spaces between
 * digits included ("138 0013 8000": a comment is normalised, so dashes
 * and dots are spaces by now). 0 if it has fewer than RC_DIGITS_MASKED
 * digits or more than one X; *len its length in bytes. */
static size_t rc_digit_run(const char *p, size_t *len)
{
	size_t n = 0, d = 0, x = 0;

	while (rc_is_digit(p[n]) ||
	       (p[n] == ' ' && n && rc_is_digit(p[n + 1]))) {
		d += p[n] >= '0' && p[n] <= '9';
		x += p[n] == 'X' || p[n] == 'x';
		n++;
	}
	*len = n ? n : 1;
	return d >= RC_DIGITS_MASKED && x <= 1 ? d : 0;
}

/* A comment as the bureau may see it: the digits of numbers masked but
 * for the first RC_DIGITS_KEPT. */
static void rc_mask_comment(const char *in, char *out, size_t cap)
{
	size_t o = 0, n, i, k;

	while (*in && o + 1 < cap) {
		bool mask = rc_digit_run(in, &n) > 0;

		for (i = 0, k = 0; i < n && o + 1 < cap; i++) {
			bool digit = rc_is_digit(in[i]);

			out[o++] = mask && digit && k >= RC_DIGITS_KEPT ? '*' :
				   in[i];
			k += digit;
		}
		in += n;
	}
	out[o] = '\0';
}

/* ---- the parts ------------------------------------------------------------ */

static void rc_day(sqlite3_stmt *st, void *item)
{
	struct quality_day *d = item;

	db_col_text(st, 0, d->day, sizeof(d->day));
	d->asked = rc_ul(st, 1);
	d->confirmed = rc_ul(st, 2);
	d->nonumber = rc_ul(st, 3);
	d->optout = rc_ul(st, 4);
	d->share = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 :
		   sqlite3_column_double(st, 5);
}

static void rc_never(sqlite3_stmt *st, void *item)
{
	struct quality_trainee *t = item;
	char buf[DOM_NAME_MAX];

	db_col_text(st, 0, buf, sizeof(buf));
	fmt_name_mask(buf, t->name, sizeof(t->name));
	db_col_text(st, 1, buf, sizeof(buf));
	idcard_mask(buf, t->id);
	db_col_text(st, 2, buf, sizeof(buf));
	if (*buf)
		msisdn_mask(buf, t->msisdn, sizeof(t->msisdn));
	t->checks = rc_ul(st, 3);
	t->other = rc_ul(st, 4);
}

static void rc_comment(sqlite3_stmt *st, void *item)
{
	struct quality_comment *c = item;
	char buf[QUALITY_COMMENT_MAX];

	db_col_text(st, 0, buf, sizeof(buf));
	fmt_name_mask(buf, c->name, sizeof(c->name));
	c->score = sqlite3_column_int(st, 1);
	db_col_text(st, 2, buf, sizeof(buf));
	rc_mask_comment(buf, c->text, sizeof(c->text));
	c->at_ms = sqlite3_column_int64(st, 3);
}

static void rc_round(sqlite3_stmt *st, void *item)
{
	struct quality_round *r = item;

	r->months = sqlite3_column_int(st, 0);
	r->asked = rc_ul(st, 1);
	r->answered = rc_ul(st, 2);
	r->employed = rc_ul(st, 3);
	r->business = rc_ul(st, 4);
	r->seeking = rc_ul(st, 5);
}

/* The rows of statement st for course id into a talloc'ed array of elem
 * bytes each (at most QUALITY_LIST_MAX). 0 or a negative errno. */
static int rc_list(struct db *db, sqlite3_stmt *st, int64_t id, void *ctx,
		   size_t elem, void (*row)(sqlite3_stmt *, void *),
		   void **out, unsigned *n)
{
	char *a = talloc_zero_size(ctx, elem * QUALITY_LIST_MAX);
	int rc;

	*out = a;
	*n = 0;
	if (!a)
		return -ENOMEM;
	db_bind_int(st, ":id", id);
	db_bind_int(st, ":max", QUALITY_LIST_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < QUALITY_LIST_MAX)
		row(st, a + elem * (*n)++);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	       db_step_error(db, st, rc, DQUALITY);
}

static int rc_head(struct db *db, sqlite3_stmt *st, const char *code,
		   struct quality_course *c, int64_t *id)
{
	int rc;

	db_bind_text(st, ":code", code);
	rc = db_step_row(db, st, DQUALITY);
	if (rc < 0)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, c->code, sizeof(c->code));
	db_col_text(st, 2, c->name, sizeof(c->name));
	db_col_text(st, 3, c->institution, sizeof(c->institution));
	db_col_text(st, 4, c->occupation, sizeof(c->occupation));
	db_col_text(st, 5, c->start, sizeof(c->start));
	db_col_text(st, 6, c->end, sizeof(c->end));
	db_col_text(st, 7, c->checks, sizeof(c->checks));
	db_col_text(st, 8, c->hours, sizeof(c->hours));
	c->trainees = rc_ul(st, 9);
	return 0;
}

/* The sums of the refusals and of the survey. */
static int rc_sums(struct db *db, sqlite3_stmt **st, int64_t id,
		   struct quality_course *c)
{
	unsigned i;
	int rc;

	db_bind_int(st[RC_REFUSED], ":id", id);
	rc = db_step_row(db, st[RC_REFUSED], DQUALITY);
	if (rc < 0)
		return rc;
	c->late = rc_ul(st[RC_REFUSED], 0);
	c->other = rc_ul(st[RC_REFUSED], 1);
	db_bind_int(st[RC_SURVEY], ":id", id);
	rc = db_step_row(db, st[RC_SURVEY], DQUALITY);
	if (rc < 0)
		return rc;
	c->surveys = rc_ul(st[RC_SURVEY], 0);
	c->rated = rc_ul(st[RC_SURVEY], 1);
	c->score_avg = sqlite3_column_type(st[RC_SURVEY], 2) == SQLITE_NULL ?
		       -1 : sqlite3_column_double(st[RC_SURVEY], 2);
	for (i = 0; i < QUALITY_SCORES; i++)
		c->score[i] = rc_ul(st[RC_SURVEY], 3 + i);
	return 0;
}

static int rc_parts(struct db *db, sqlite3_stmt **st, const char *code,
		    struct quality_course *c)
{
	int64_t id;
	int rc = rc_head(db, st[RC_HEAD], code, c, &id);

	if (rc == 0)
		rc = rc_sums(db, st, id, c);
	if (rc == 0)
		rc = rc_list(db, st[RC_DAYS], id, c, sizeof(*c->days), rc_day,
			     (void **)&c->days, &c->n_days);
	if (rc == 0)
		rc = rc_list(db, st[RC_NEVER], id, c, sizeof(*c->never),
			     rc_never, (void **)&c->never, &c->n_never);
	if (rc == 0)
		rc = rc_list(db, st[RC_COMMENTS], id, c, sizeof(*c->comments),
			     rc_comment, (void **)&c->comments,
			     &c->n_comments);
	if (rc == 0)
		rc = rc_list(db, st[RC_ROUNDS], id, c, sizeof(*c->rounds),
			     rc_round, (void **)&c->rounds, &c->n_rounds);
	return rc;
}

int quality_course_get(struct db *db, void *ctx, const char *code,
		       struct quality_course **out)
{
	struct quality_course *c = talloc_zero(ctx, struct quality_course);
	sqlite3_stmt *st[RC_NUM] = { NULL };
	int rc;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	if (db_prepare(db, rc_sql, RC_NUM, st) < 0) {
		talloc_free(c);
		return -EIO;
	}
	rc = rc_parts(db, st, code, c);
	db_finalize(st, RC_NUM);
	if (rc < 0) {
		talloc_free(c);
		return rc;
	}
	*out = c;
	return 0;
}
