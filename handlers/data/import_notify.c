/*
 * import_notify.c - the notifications an import causes.
 *
 * The database's triggers record a notify_event for every decision a row
 * writes (a subsidy approved, paid or rejected; a course cancelled, closed
 * or moved; an enrolment cancelled), in the import's own transaction.
 * Before each transaction of the import ends, the events it recorded (ids
 * above the mark taken after its BEGIN: the import holds the write lock,
 * so nobody else adds any meanwhile) are counted, with and without a bound
 * number; with --no-notify (a backfill: history must text nobody) they are
 * deleted before the commit, so the daemon never sees them.
 */
#include <errno.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "import_priv.h"

enum { IN_MARK, IN_COUNT, IN_DROP, IN_NUM };

static const char *const imp_notify_sql[IN_NUM] = {
	[IN_MARK] = "SELECT coalesce(max(id), 0) FROM notify_event",
	[IN_COUNT] =
		"SELECT count(*), coalesce(sum(w.msisdn IS NULL), 0)"
		" FROM notify_event e LEFT JOIN worker w ON w.id = e.worker_id"
		" WHERE e.id > :mark",
	[IN_DROP] = "DELETE FROM notify_event WHERE id > :mark",
};

static int imp_notify_step(struct imp *im, int which, int64_t *a, int64_t *b)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (db_prepare(im->db, &imp_notify_sql[which], 1, &st) < 0)
		return -EIO;
	if (which != IN_MARK)
		db_bind_int(st, ":mark", im->notify_mark);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*a = sqlite3_column_int64(st, 0);
		if (b)
			*b = sqlite3_column_int64(st, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : db_step_error(im->db, st, rc, DHAND);
	}
	db_finalize(&st, 1);
	return rc;
}

int imp_notify_mark(struct imp *im)
{
	return imp_notify_step(im, IN_MARK, &im->notify_mark, NULL);
}

int imp_notify_tally(struct imp *im, bool keep)
{
	int64_t n = 0, unbound = 0, none;
	int rc = imp_notify_step(im, IN_COUNT, &n, &unbound);

	if (rc)
		return rc;
	im->r->notify += n - unbound;
	im->r->notify_nonumber += unbound;
	if (keep || !n)
		return 0;
	return imp_notify_step(im, IN_DROP, &none, NULL);
}
