/*
 * notify.c - what became of the notifications, for the bureau
 * (handlers/notice/notify.h), read in a task thread:
 *
 *   GET /api/v1/notifications/days?since=DATE    per local day and kind
 *       (default: the last 30 days): events, pending, queued, sent,
 *       delivered, failed, nonumber, optout, bad
 *   GET /api/v1/notifications?kind=&before=&limit=   the newest events,
 *       numbers masked
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "api_priv.h"
#include "gateway/api/json.h"
#include "gateway/clock.h"
#include "gateway/text/fmt.h"
#include "handlers/notice/notify.h"

#define NOTIFY_API_DAYS_MAX	(62 * NOTIFY_NUM_KINDS)
#define NOTIFY_API_SINCE_DAYS	30
#define NOTIFY_API_LIMIT_MAX	500
#define NOTIFY_API_LIMIT_DEF	50
#define NOTIFY_API_MS_PER_DAY	(86400LL * 1000)

struct notify_q {
	char since[FMT_ISO_DATE];
	int kind;
	int64_t before;
	unsigned limit, n;
	struct notify_day *days;	/* the task's memory */
	struct notify_item *items;
};

static int notify_days_work(struct api_task *t, struct db *db)
{
	struct notify_q *q = api_task_data(t);

	q->days = talloc_array(api_task_mem(t), struct notify_day,
			       NOTIFY_API_DAYS_MAX);
	if (!q->days)
		return -ENOMEM;
	return notify_days(db, q->since, q->days, NOTIFY_API_DAYS_MAX, &q->n);
}

static void notify_days_done(struct api_task *t)
{
	struct notify_q *q = api_task_data(t);
	struct api_req *r = api_task_answerable(t, "the notifications");
	struct json_w *w;
	unsigned i;

	if (!r)
		return;
	w = api_json(r);
	api_list_begin(w);
	for (i = 0; i < q->n; i++) {
		const struct notify_day *d = &q->days[i];

		json_obj(w);
		json_kstr(w, "day", d->day);
		json_kstr(w, "kind", notify_kind_str(d->kind));
		json_kint(w, "events", d->events);
		json_kint(w, "pending", d->pending);
		json_kint(w, "queued", d->queued);
		json_kint(w, "sent", d->sent);
		json_kint(w, "delivered", d->delivered);
		json_kint(w, "failed", d->failed);
		json_kint(w, "nonumber", d->nonumber);
		json_kint(w, "optout", d->optout);
		json_kint(w, "bad", d->bad);
		json_end(w);
	}
	api_list_end(w, q->n, NOTIFY_API_DAYS_MAX, 0);
	api_reply_json(r, 200, w);
}

static void notify_start(struct api_req *r, struct notify_q *q,
			 api_task_work work, api_task_done done)
{
	struct api_task *t = api_task_new(r->s, API_TASK_READ, r, true, work,
					  done, q);

	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}

void api_notify_days(struct api_req *r)
{
	struct notify_q *q = talloc_zero(r, struct notify_q);
	const char *since = api_query(r, "since");

	if (!q) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	fmt_local_date(clock_now_ms() - NOTIFY_API_SINCE_DAYS *
		       NOTIFY_API_MS_PER_DAY, q->since);
	if (since && fmt_date_parse(since, q->since) < 0) {
		api_error(r, API_E_BAD_REQUEST, "since: a date, 2026-12-01");
		return;
	}
	notify_start(r, q, notify_days_work, notify_days_done);
}

static int notify_list_work(struct api_task *t, struct db *db)
{
	struct notify_q *q = api_task_data(t);

	q->items = talloc_array(api_task_mem(t), struct notify_item, q->limit);
	if (!q->items)
		return -ENOMEM;
	return notify_list(db, q->kind, q->before, q->items, q->limit, &q->n);
}

static void notify_list_done(struct api_task *t)
{
	struct notify_q *q = api_task_data(t);
	struct api_req *r = api_task_answerable(t, "the notifications");
	struct json_w *w;
	unsigned i;

	if (!r)
		return;
	w = api_json(r);
	api_list_begin(w);
	for (i = 0; i < q->n; i++) {
		const struct notify_item *it = &q->items[i];

		json_obj(w);
		json_kint(w, "id", it->id);
		json_kstr(w, "kind", notify_kind_str(it->kind));
		json_kopt(w, "msisdn", *it->msisdn ? it->msisdn : NULL);
		json_kstr(w, "state", it->state);
		json_kopt(w, "message", *it->mt_state ? it->mt_state : NULL);
		json_ktime(w, "created_at", it->created_ms);
		if (it->handled_ms)
			json_ktime(w, "handled_at", it->handled_ms);
		json_end(w);
	}
	api_list_end(w, q->n, q->limit, 0);
	api_reply_json(r, 200, w);
}

/* ?kind=, ?before=, ?limit=; false after answering 400. */
static bool notify_list_args(struct api_req *r, struct notify_q *q)
{
	const char *kind = api_query(r, "kind"), *before = api_query(r, "before");
	const char *limit = api_query(r, "limit");
	char *end;

	q->kind = kind ? notify_kind_parse(kind) : -1;
	if (kind && q->kind < 0) {
		api_error(r, API_E_BAD_REQUEST, "kind: subsidy_approved, "
			  "subsidy_paid, subsidy_rejected, course_cancelled, "
			  "course_closed, course_changed, enrolment_cancelled or "
			  "reminder");
		return false;
	}
	q->before = before ? strtoll(before, &end, 10) : 0;
	if (before && (!*before || *end || q->before <= 0)) {
		api_error(r, API_E_BAD_REQUEST, "before: an event id");
		return false;
	}
	q->limit = limit ? strtoul(limit, &end, 10) : NOTIFY_API_LIMIT_DEF;
	if (limit && (!*limit || *end || q->limit < 1 ||
		      q->limit > NOTIFY_API_LIMIT_MAX)) {
		api_error(r, API_E_BAD_REQUEST, "limit: 1 to %d",
			  NOTIFY_API_LIMIT_MAX);
		return false;
	}
	return true;
}

void api_notify_list(struct api_req *r)
{
	struct notify_q *q = talloc_zero(r, struct notify_q);

	if (!q) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	if (notify_list_args(r, q))
		notify_start(r, q, notify_list_work, notify_list_done);
}
