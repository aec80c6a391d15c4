/*
 * plan.c - which days a course's attendance is checked, and when.
 *
 * A course with checks (the courses import's 考勤抽查) is planned the
 * first time the asker looks at it while it is in class (start date <=
 * today <= end date): the days it lists from today on, or as many days as
 * it asks for drawn at random among its class days from today on (today
 * only while its class hours still leave time to answer). Nobody, the
 * institution included, can know the days before the course starts, and
 * a list or a number changed before then is what counts. Each day gets
 * its times: the questions leave quality.check_delay minutes after class
 * starts (the course's 上课时间, else quality.class_hours), and the codes
 * expire when class ends.
 *
 * Every day of the course counts as a class day: the catalogue does not
 * say which days a class meets.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/text/fmt.h"
#include "handlers/domain/checks.h"
#include "quality_priv.h"

#define PLAN_COURSES_MAX	500	/* courses planned per look */
#define PLAN_DAYS_MAX		400	/* class days a draw looks at */

enum { PS_COURSES, PS_INSERT, PS_NUM };

static const char *const plan_sql[PS_NUM] = {
	[PS_COURSES] =
		"SELECT c.id, c.checks, coalesce(c.class_hours, ''),"
		" c.start_date, c.end_date FROM course c"
		" WHERE c.checks IS NOT NULL AND c.status <> 'cancelled'"
		" AND c.start_date <= :today AND c.end_date >= :today"
		" AND NOT EXISTS (SELECT 1 FROM quality_check k"
		"  WHERE k.course_id = c.id)"
		" ORDER BY c.id LIMIT :max",
	[PS_INSERT] =
		"INSERT OR IGNORE INTO quality_check (course_id, day, ask_at,"
		" ends_at, created_at) VALUES (:course, :day, :ask, :ends, :now)",
};

typedef char plan_iso[FMT_ISO_DATE];

struct plan_course {
	int64_t id;
	struct checks checks;
	int from_min, to_min;		/* class hours */
	char start[FMT_ISO_DATE], end[FMT_ISO_DATE];
};

struct plan {
	struct db *db;
	const struct config_quality *c;
	sqlite3_stmt *st[PS_NUM];
	const char *today;
	int64_t now;
};

/* When the questions of day leave and its codes expire. */
static void plan_times(const struct plan *p, const struct plan_course *pc,
		       const char *day, int64_t *ask, int64_t *ends)
{
	int64_t midnight = fmt_local_midnight_ms(day);
	int ask_min = pc->from_min + (int)p->c->check_delay_min;

	if (ask_min >= pc->to_min)	/* a short class: at its start */
		ask_min = pc->from_min;
	*ask = midnight + ask_min * QUALITY_MS_PER_MIN;
	*ends = midnight + pc->to_min * QUALITY_MS_PER_MIN;
}

static int plan_day(struct plan *p, const struct plan_course *pc,
		    const char *day)
{
	DB_STMT(st, p->st[PS_INSERT]);
	int64_t ask, ends;

	plan_times(p, pc, day, &ask, &ends);
	if (ends <= p->now)		/* over already */
		return 0;
	db_bind_int(st, ":course", pc->id);
	db_bind_text(st, ":day", day);
	db_bind_int(st, ":ask", ask);
	db_bind_int(st, ":ends", ends);
	db_bind_int(st, ":now", p->now);
	return db_step_changes(p->db, st, DQUALITY);
}

/* The class days from today on that can still be checked. */
static unsigned plan_candidates(const struct plan *p,
				const struct plan_course *pc,
				plan_iso *days)
{
	char day[FMT_ISO_DATE];
	int64_t ask, ends;
	unsigned n = 0;
	int i;

	memcpy(day, strcmp(pc->start, p->today) > 0 ? pc->start : p->today,
	       sizeof(day));
	for (i = 1; n < PLAN_DAYS_MAX && *day && strcmp(day, pc->end) <= 0;
	     i++) {
		plan_times(p, pc, day, &ask, &ends);
		if (ends > p->now)
			memcpy(days[n++], day, FMT_ISO_DATE);
		quality_add_days(strcmp(pc->start, p->today) > 0 ? pc->start :
				 p->today, i, day);
	}
	return n;
}

/* Draw k of the n days (a partial Fisher-Yates shuffle) and plan them. */
static int plan_random(struct plan *p, const struct plan_course *pc)
{
	plan_iso *days = talloc_array(NULL, plan_iso, PLAN_DAYS_MAX);
	unsigned n, i, k = pc->checks.random;
	int rc = days ? 0 : -ENOMEM, made = 0;

	n = days ? plan_candidates(p, pc, days) : 0;
	for (i = 0; !rc && i < k && i < n; i++) {
		char tmp[FMT_ISO_DATE];
		uint32_t j;

		rc = quality_random_below(n - i, &j);
		if (rc < 0)
			break;
		memcpy(tmp, days[i], sizeof(tmp));
		memcpy(days[i], days[i + j], sizeof(tmp));
		memcpy(days[i + j], tmp, sizeof(tmp));
		rc = plan_day(p, pc, days[i]);
		made += rc > 0 ? rc : 0;
		rc = rc < 0 ? rc : 0;
	}
	talloc_free(days);
	return rc < 0 ? rc : made;
}

static int plan_listed(struct plan *p, const struct plan_course *pc)
{
	unsigned i;
	int rc, made = 0;

	for (i = 0; i < pc->checks.n_days; i++) {
		const char *day = pc->checks.day[i];

		if (strcmp(day, p->today) < 0 || strcmp(day, pc->end) > 0)
			continue;
		rc = plan_day(p, pc, day);
		if (rc < 0)
			return rc;
		made += rc;
	}
	return made;
}

/* The course of the current row of st, with its class hours. */
static int plan_row(const struct plan *p, sqlite3_stmt *st,
		    struct plan_course *pc)
{
	const char *checks = (const char *)sqlite3_column_text(st, 1);
	const char *hours = (const char *)sqlite3_column_text(st, 2);

	pc->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 3, pc->start, sizeof(pc->start));
	db_col_text(st, 4, pc->end, sizeof(pc->end));
	if (checks_parse(checks, &pc->checks) < 0 ||
	    fmt_hours_parse(hours && *hours ? hours : p->c->class_hours,
			    &pc->from_min, &pc->to_min) < 0)
		return -EINVAL;
	return 0;
}

/* The courses to plan, read before anything is written. */
static int plan_read(struct plan *p, struct plan_course *pcs, unsigned *n)
{
	DB_STMT(st, p->st[PS_COURSES]);
	int rc;

	*n = 0;
	db_bind_text(st, ":today", p->today);
	db_bind_int(st, ":max", PLAN_COURSES_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < PLAN_COURSES_MAX)
		if (plan_row(p, st, &pcs[*n]) == 0)
			(*n)++;
		else
			LOGP(DQUALITY, LOGL_NOTICE, "course %lld: checks or "
			     "class hours not understood, not planned\n",
			     (long long)sqlite3_column_int64(st, 0));
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	       db_step_error(p->db, st, rc, DQUALITY);
}

static int plan_all(struct plan *p)
{
	struct plan_course *pcs = talloc_array(NULL, struct plan_course,
					       PLAN_COURSES_MAX);
	unsigned n = 0, i;
	int rc = pcs ? plan_read(p, pcs, &n) : -ENOMEM, made = 0;

	for (i = 0; rc >= 0 && i < n; i++) {
		rc = pcs[i].checks.random ? plan_random(p, &pcs[i]) :
		     plan_listed(p, &pcs[i]);
		made += rc > 0 ? rc : 0;
	}
	talloc_free(pcs);
	return rc < 0 ? rc : made;
}

int quality_plan(struct db *db, const struct config_quality *c,
		 const char *today, int64_t now_ms)
{
	struct plan p = { .db = db, .c = c, .today = today, .now = now_ms };
	int rc;

	if (db_prepare(db, plan_sql, PS_NUM, p.st) < 0)
		return -EIO;
	rc = db_unit_begin(db);
	if (rc == 0)
		rc = db_unit_end(db, plan_all(&p));
	db_finalize(p.st, PS_NUM);
	if (rc > 0)
		LOGP(DQUALITY, LOGL_NOTICE, "%d attendance check day(s) "
		     "planned\n", rc);
	return rc;
}
