/*
 * notify_remind.c - reminders before a course starts, recorded as events:
 * one per enrolment still enrolled and start date (a partial unique index
 * keeps a second scan of the same day from adding any), so the notifier
 * may look as often as it likes and a course moved to a new date is
 * reminded of again.
 */
#include <errno.h>
#include <time.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/text/fmt.h"
#include "notify_priv.h"

#define REMIND_SECS_PER_DAY	86400

/* The ISO date days after the ISO date iso. */
static int remind_day(const char *iso, unsigned days, char out[FMT_ISO_DATE])
{
	int64_t ms = fmt_local_midnight_ms(iso);

	if (ms < 0)
		return -EINVAL;
	/* noon of the day, so that the offset can never land on a border */
	fmt_local_date(ms + ((int64_t)days * REMIND_SECS_PER_DAY +
			     REMIND_SECS_PER_DAY / 2) * 1000, out);
	return 0;
}

int notify_remind(struct db *db, const char *today_iso, unsigned days,
		  int64_t now_ms)
{
	static const char *const sql[] = {
		"INSERT OR IGNORE INTO notify_event (kind, worker_id, course_id,"
		" enrolment_id, fact_date, end_date, institution, created_at)"
		" SELECT 'reminder', e.worker_id, c.id, e.id, c.start_date,"
		" c.end_date, c.institution, :now FROM course c"
		" JOIN enrolment e ON e.course_id = c.id"
		" WHERE c.start_date = :day AND c.status IN ('open', 'closed')"
		" AND e.status = 'enrolled'",
	};
	char day[FMT_ISO_DATE];
	sqlite3_stmt *st = NULL;
	int rc;

	if (remind_day(today_iso, days, day) < 0)
		return -EINVAL;
	rc = db_begin(db);
	if (!rc && db_prepare(db, sql, 1, &st) < 0)
		rc = -EIO;
	if (!rc) {
		db_bind_text(st, ":day", day);
		db_bind_int(st, ":now", now_ms);
		rc = db_step_changes(db, st, DNOTIFY);
	}
	db_finalize(&st, 1);
	if (rc > 0)
		LOGP(DNOTIFY, LOGL_NOTICE, "%d reminder(s) of courses starting "
		     "%s\n", rc, day);
	return rc;
}
