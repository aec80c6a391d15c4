/*
 * notify.c - pending notification events into the MT queue (see notify.h).
 *
 * A step reads up to notify.batch pending events with the facts they need
 * (the worker's number, name and opt-out, the course, institution and
 * occupation names) into memory, then, inside one unit of work
 * (db_unit_begin), queues a message for each and marks the event queued
 * with its message's id, or nonumber, optout or bad. Reading first and
 * writing after keeps the reading statement off the rows it would change.
 * Should a write fail, the unit is undone and the events stay pending for
 * the next step: never a message without its mark, which would send it
 * twice.
 *
 * Reminders are looked for at the first step after notify.reminder_at
 * local time each day and every NOTIFY_REMIND_EVERY_MS after that (an
 * enrolment made later that day is reminded too); the events they make
 * are handled by the same steps.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/vty.h>

#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/quiet.h"
#include "gateway/text/fmt.h"
#include "gateway/text/texts.h"
#include "gateway/tick.h"
#include "notify_priv.h"

#define NOTIFY_TICK_MS		100
#define NOTIFY_REMIND_EVERY_MS	(10 * 60 * 1000)
#define NOTIFY_TEXT_MAX		TEXTS_MAX

enum notify_stmt { NS_PENDING, NS_MARK, NS_COUNT, NS_NUM };

static const char *const notify_sql[NS_NUM] = {
	[NS_PENDING] =
		"SELECT e.id, e.kind, w.msisdn, w.name, w.opted_out OR EXISTS"
		" (SELECT 1 FROM notice_optout o WHERE o.msisdn = w.msisdn),"
		" s.kind, e.amount_fen, e.fact_date, e.end_date, e.reason,"
		" c.name, c.code, coalesce(i.name, e.institution), o.name,"
		" s.level"
		" FROM notify_event e LEFT JOIN worker w ON w.id = e.worker_id"
		" LEFT JOIN subsidy s ON s.id = e.subsidy_id"
		" LEFT JOIN course c ON c.id = e.course_id"
		" LEFT JOIN institution i ON i.code = e.institution"
		" LEFT JOIN occupation o ON o.code = s.occupation"
		" WHERE e.state = 'pending' ORDER BY e.id LIMIT :max",
	[NS_MARK] =
		"UPDATE notify_event SET state = :state, mt_id = :mt_id,"
		" handled_at = :now WHERE id = :id AND state = 'pending'",
	[NS_COUNT] =
		"SELECT count(*) FROM notify_event WHERE state = 'pending'",
};

static const char *const notify_kinds[NOTIFY_NUM_KINDS] = {
	[NOTIFY_SUBSIDY_APPROVED] = "subsidy_approved",
	[NOTIFY_SUBSIDY_PAID] = "subsidy_paid",
	[NOTIFY_SUBSIDY_REJECTED] = "subsidy_rejected",
	[NOTIFY_COURSE_CANCELLED] = "course_cancelled",
	[NOTIFY_COURSE_CLOSED] = "course_closed",
	[NOTIFY_COURSE_CHANGED] = "course_changed",
	[NOTIFY_ENROL_CANCELLED] = "enrolment_cancelled",
	[NOTIFY_REMINDER] = "reminder",
};

struct notify {
	const struct config *cfg;
	struct db *db;
	struct mtq *q;
	const struct texts *texts;
	void (*kick)(void *);
	void *kick_data;
	sqlite3_stmt *st[NS_NUM];
	struct tick tick;
	int reminder_min;		/* minutes after local midnight */
	char reminded_day[FMT_ISO_DATE];	/* last day looked at */
	int64_t remind_ms;		/* look again from then */
	struct notify_counters ctr;
};

const char *notify_kind_str(enum notify_kind k)
{
	return (unsigned)k < NOTIFY_NUM_KINDS ? notify_kinds[k] : NULL;
}

int notify_kind_parse(const char *s)
{
	unsigned i;

	for (i = 0; s && i < NOTIFY_NUM_KINDS; i++)
		if (!strcmp(s, notify_kinds[i]))
			return i;
	return -1;
}

/* ---- reading -------------------------------------------------------------- */

static const char *notify_col(void *ctx, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return talloc_strdup(ctx, t ? t : "");
}

static struct notify_ev *notify_row(void *ctx, sqlite3_stmt *st)
{
	struct notify_ev *e = talloc_zero(ctx, struct notify_ev);

	if (!e)
		return NULL;
	e->id = sqlite3_column_int64(st, 0);
	e->kind = notify_kind_parse((const char *)sqlite3_column_text(st, 1));
	e->msisdn = notify_col(e, st, 2);
	e->name = notify_col(e, st, 3);
	e->opted_out = sqlite3_column_int(st, 4);
	e->subsidy_kind = notify_col(e, st, 5);
	e->amount_fen = sqlite3_column_int64(st, 6);
	e->fact_date = notify_col(e, st, 7);
	e->end_date = notify_col(e, st, 8);
	e->reason = notify_col(e, st, 9);
	e->course = notify_col(e, st, 10);
	e->code = notify_col(e, st, 11);
	e->institution = notify_col(e, st, 12);
	e->occupation = notify_col(e, st, 13);
	e->level = sqlite3_column_int(st, 14);
	return e;
}

/* Up to max pending events into ev[]; returns how many, or an errno. */
static int notify_read(struct notify *n, void *ctx, struct notify_ev **ev,
		       unsigned max)
{
	DB_STMT(st, n->st[NS_PENDING]);
	unsigned got = 0;
	int rc = SQLITE_DONE;

	db_bind_int(st, ":max", max);
	while (got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev[got] = notify_row(ctx, st);
		if (!ev[got])
			return -ENOMEM;
		got++;
	}
	if (got < max && rc != SQLITE_DONE)
		return db_step_error(n->db, st, rc, DNOTIFY);
	return got;
}

/* ---- writing -------------------------------------------------------------- */

static int notify_mark(struct notify *n, int64_t id, const char *state,
		       int64_t mt_id, int64_t now)
{
	DB_STMT(st, n->st[NS_MARK]);

	db_bind_int(st, ":id", id);
	db_bind_text(st, ":state", state);
	if (mt_id)
		db_bind_int(st, ":mt_id", mt_id);
	db_bind_int(st, ":now", now);
	return db_step_done(n->db, st, DNOTIFY);
}

/* Queue the message of e, or say why there is none. */
static int notify_one(struct notify *n, const struct notify_ev *e,
		      int64_t now)
{
	char *text = talloc_size(e, NOTIFY_TEXT_MAX);
	int64_t mt_id = 0;
	int rc;

	if (!*e->msisdn) {
		n->ctr.nonumber++;
		return notify_mark(n, e->id, "nonumber", 0, now);
	}
	if (e->opted_out && n->cfg->notify.respect_optout) {
		n->ctr.optout++;
		return notify_mark(n, e->id, "optout", 0, now);
	}
	rc = text ? notify_text(n->texts, e, text, NOTIFY_TEXT_MAX) : -ENOMEM;
	if (rc >= 0)
		rc = mtq_enqueue(n->q, &(struct mtq_new){ .dst = e->msisdn,
			.text = text, .prio = MTQ_PRIO_NOTIFY }, &mt_id);
	if (rc == -EINVAL || rc == -EMSGSIZE || rc == -ENOSPC) {
		LOGP(DNOTIFY, LOGL_NOTICE, "event %lld (%s): no message for "
		     "%s: %s\n", (long long)e->id, notify_kind_str(e->kind),
		     log_num(e->msisdn), rc == -EINVAL ? "not a valid number "
		     "or kind" : "text too long");
		n->ctr.bad++;
		return notify_mark(n, e->id, "bad", 0, now);
	}
	if (rc < 0)
		return rc;
	n->ctr.queued++;
	return notify_mark(n, e->id, "queued", mt_id, now);
}

/* The events of one step, as one unit of work. Returns how many. */
static int notify_events(struct notify *n, int64_t now)
{
	void *tmp = talloc_new(n);
	struct notify_ev **ev = talloc_zero_array(tmp, struct notify_ev *,
						  n->cfg->notify.batch);
	struct notify_counters before = n->ctr;
	int got, i, rc;

	if (!ev) {
		talloc_free(tmp);
		return -ENOMEM;
	}
	got = notify_read(n, tmp, ev, n->cfg->notify.batch);
	rc = got > 0 ? db_unit_begin(n->db) : got;
	if (got <= 0 || rc < 0) {
		talloc_free(tmp);
		return rc;
	}
	for (i = 0; !rc && i < got; i++)
		rc = notify_one(n, ev[i], now);
	if (db_unit_end(n->db, rc) < 0) {
		LOGP(DNOTIFY, LOGL_ERROR, "%d event(s) stay pending: %d\n",
		     got, rc);
		n->ctr = before;
	}
	talloc_free(tmp);
	return rc < 0 ? rc : got;
}

/* ---- reminders ------------------------------------------------------------ */

/* The reminders of today, at reminder_at and every so often after it. */
static void notify_reminders(struct notify *n, int64_t now)
{
	char today[32];		/* an ISO date; room for any tm */
	struct tm tm;
	int min, rc;

	if (!n->cfg->notify.reminder_days || now < n->remind_ms ||
	    quiet_localtime(n->cfg->timezone, now, &tm) < 0)
		return;
	snprintf(today, sizeof(today), "%04d-%02d-%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday);
	min = tm.tm_hour * 60 + tm.tm_min;
	if (min < n->reminder_min) {	/* look again at reminder_at */
		n->remind_ms = now + (int64_t)(n->reminder_min - min) * 60000 -
			       tm.tm_sec * 1000;
		return;
	}
	rc = notify_remind(n->db, today, n->cfg->notify.reminder_days, now);
	if (rc > 0)
		n->ctr.reminders += rc;
	if (rc >= 0)
		OSMO_STRLCPY_ARRAY(n->reminded_day, today);
	n->remind_ms = now + NOTIFY_REMIND_EVERY_MS;
}

int notify_step(struct notify *n, int64_t now_ms)
{
	int rc;

	notify_reminders(n, now_ms);
	rc = notify_events(n, now_ms);
	if (rc > 0 && n->kick)
		n->kick(n->kick_data);
	return rc;
}

/* ---- life cycle ----------------------------------------------------------- */

void notify_run(struct notify *n)
{
	if (!n || !tick_take(&n->tick))
		return;
	if (notify_step(n, clock_now_ms()) < 0)
		LOGP(DNOTIFY, LOGL_ERROR, "step failed; events stay pending\n");
}

static int notify_destructor(struct notify *n)
{
	tick_stop(&n->tick);
	db_finalize(n->st, NS_NUM);
	return 0;
}

struct notify *notify_init(void *ctx, const struct notify_params *p)
{
	struct notify *n = talloc_zero(ctx, struct notify);

	if (!n)
		return NULL;
	n->cfg = p->cfg;
	n->db = p->db;
	n->q = p->q;
	n->texts = p->texts;
	n->kick = p->kick;
	n->kick_data = p->kick_data;
	n->reminder_min = quiet_parse_hhmm(p->cfg->notify.reminder_at);
	talloc_set_destructor(n, notify_destructor);
	if (n->reminder_min < 0 || !n->texts ||
	    db_prepare(n->db, notify_sql, NS_NUM, n->st) < 0) {
		LOGP(DNOTIFY, LOGL_ERROR, "cannot start the notifier\n");
		talloc_free(n);
		return NULL;
	}
	tick_start(&n->tick, NOTIFY_TICK_MS);
	return n;
}

void notify_free(struct notify *n)
{
	talloc_free(n);
}

const struct notify_counters *notify_counters(const struct notify *n)
{
	return &n->ctr;
}

void notify_vty_show(struct notify *n, struct vty *vty)
{
	DB_STMT(st, n->st[NS_COUNT]);
	const struct notify_counters *c = &n->ctr;
	long pending = sqlite3_step(st) == SQLITE_ROW ?
		       sqlite3_column_int64(st, 0) : -1;

	vty_out(vty, "notifications: %ld pending; since start %lu queued, "
		"%lu without a number, %lu opted out, %lu without a text, "
		"%lu reminders%s", pending, c->queued, c->nonumber, c->optout,
		c->bad, c->reminders, VTY_NEWLINE);
	vty_out(vty, "  reminders %u day(s) before, from %s; last looked at "
		"%s%s", n->cfg->notify.reminder_days, n->cfg->notify.reminder_at,
		*n->reminded_day ? n->reminded_day : "never", VTY_NEWLINE);
}
