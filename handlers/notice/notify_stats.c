/*
 * notify_stats.c - what became of the notifications, for the operator
 * (skillctl notify, the API): per local day and kind, and the newest
 * events one by one with the number masked. What became of a message is
 * read through the queue's view mt_outcome.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/text/fmt.h"
#include "gateway/text/msisdn.h"
#include "handlers/notice/notify.h"

static const char *const stats_sql[] = {
	"SELECT date(e.created_at / 1000 + :off, 'unixepoch') AS day, e.kind,"
	" count(*), sum(e.state = 'pending'), sum(o.outcome = 'queued'),"
	" sum(o.outcome = 'sent'), sum(o.outcome = 'delivered'),"
	" sum(o.outcome IN ('failed', 'expired')), sum(e.state = 'nonumber'),"
	" sum(e.state = 'optout'), sum(e.state = 'bad')"
	" FROM notify_event e LEFT JOIN mt_outcome o ON o.id = e.mt_id"
	" WHERE e.created_at >= :since"
	" GROUP BY day, e.kind ORDER BY day DESC, e.kind LIMIT :max",
	"SELECT e.id, e.kind, w.msisdn, e.state, o.outcome, e.created_at,"
	" e.handled_at FROM notify_event e"
	" LEFT JOIN worker w ON w.id = e.worker_id"
	" LEFT JOIN mt_outcome o ON o.id = e.mt_id"
	" WHERE (:kind IS NULL OR e.kind = :kind)"
	" AND (:before IS NULL OR e.id < :before)"
	" ORDER BY e.id DESC LIMIT :max",
};

static unsigned long stats_col(sqlite3_stmt *st, int i)
{
	return (unsigned long)sqlite3_column_int64(st, i);
}

static void stats_day_row(sqlite3_stmt *st, struct notify_day *d)
{
	const char *day = (const char *)sqlite3_column_text(st, 0);

	memset(d, 0, sizeof(*d));
	OSMO_STRLCPY_ARRAY(d->day, day ? day : "");
	d->kind = notify_kind_parse((const char *)sqlite3_column_text(st, 1));
	d->events = stats_col(st, 2);
	d->pending = stats_col(st, 3);
	d->queued = stats_col(st, 4);
	d->sent = stats_col(st, 5);
	d->delivered = stats_col(st, 6);
	d->failed = stats_col(st, 7);
	d->nonumber = stats_col(st, 8);
	d->optout = stats_col(st, 9);
	d->bad = stats_col(st, 10);
}

int notify_days(struct db *db, const char *since_iso, struct notify_day *out,
		unsigned max, unsigned *n)
{
	sqlite3_stmt *st = NULL;
	int64_t since = since_iso ? fmt_local_midnight_ms(since_iso) : 0;
	int rc;

	*n = 0;
	if (since < 0)
		return -EINVAL;
	if (db_prepare(db, &stats_sql[0], 1, &st) < 0)
		return -EIO;
	db_bind_int(st, ":off", FMT_CN_UTC_OFFSET_S);
	db_bind_int(st, ":since", since);
	db_bind_int(st, ":max", max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		stats_day_row(st, &out[(*n)++]);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	     db_step_error(db, st, rc, DNOTIFY);
	db_finalize(&st, 1);
	return rc;
}

static void stats_item_row(sqlite3_stmt *st, struct notify_item *it)
{
	const char *num = (const char *)sqlite3_column_text(st, 2);
	const char *state = (const char *)sqlite3_column_text(st, 3);
	const char *outcome = (const char *)sqlite3_column_text(st, 4);

	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(st, 0);
	it->kind = notify_kind_parse((const char *)sqlite3_column_text(st, 1));
	msisdn_mask(num ? num : "", it->msisdn, sizeof(it->msisdn));
	OSMO_STRLCPY_ARRAY(it->state, state ? state : "");
	OSMO_STRLCPY_ARRAY(it->mt_state, outcome ? outcome : "");
	it->created_ms = sqlite3_column_int64(st, 5);
	it->handled_ms = sqlite3_column_int64(st, 6);
}

int notify_list(struct db *db, int kind, int64_t before_id,
		struct notify_item *out, unsigned max, unsigned *n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if (db_prepare(db, &stats_sql[1], 1, &st) < 0)
		return -EIO;
	if (kind >= 0)
		db_bind_text(st, ":kind", notify_kind_str(kind));
	if (before_id > 0)
		db_bind_int(st, ":before", before_id);
	db_bind_int(st, ":max", max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		stats_item_row(st, &out[(*n)++]);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	     db_step_error(db, st, rc, DNOTIFY);
	db_finalize(&st, 1);
	return rc;
}
