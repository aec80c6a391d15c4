/*
 * notify.h - notifications: a worker is told of decisions on their own case
 * without asking.
 *
 * Facts are recorded as rows of notify_event by triggers of the database
 * whenever a decision is written, whoever writes it (an import, the API):
 * a subsidy approved, paid or rejected; a course cancelled, closed, or its
 * dates or institution changed (each trainee still enrolled); an enrolment
 * the bureau cancelled. The daemon adds reminders: notify.reminder_days
 * before a course starts, from notify.reminder_at local time, each trainee
 * still enrolled (at most once per enrolment and start date).
 *
 * Once per loop iteration the notifier takes up to notify.batch pending
 * events, renders each one's text (conf/messages.conf, group texts.notify)
 * and queues it with priority notify to the worker's bound number, marking
 * the event in the same transaction: each fact becomes one message, and a
 * crash cannot make a second. A worker without a bound number, or one who
 * opted out when notify.respect_optout is set, gets nothing (the event
 * says why). Quiet hours and the notifications' share of each link are the
 * dispatcher's business (pace.h).
 */
#ifndef SGW_NOTIFY_H
#define SGW_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct config;
struct db;
struct mtq;
struct notify;
struct texts;
struct vty;

enum notify_kind {
	NOTIFY_SUBSIDY_APPROVED,
	NOTIFY_SUBSIDY_PAID,
	NOTIFY_SUBSIDY_REJECTED,
	NOTIFY_COURSE_CANCELLED,
	NOTIFY_COURSE_CLOSED,
	NOTIFY_COURSE_CHANGED,
	NOTIFY_ENROL_CANCELLED,
	NOTIFY_REMINDER,
	NOTIFY_NUM_KINDS
};

/* The kind as stored ("subsidy_paid"), or NULL. */
const char *notify_kind_str(enum notify_kind k);
/* The kind of a stored name, or -1. */
int notify_kind_parse(const char *s);

struct notify_params {
	const struct config *cfg;
	struct db *db;
	struct mtq *q;
	const struct texts *texts;
	void (*kick)(void *);		/* after messages were queued */
	void *kick_data;
};

struct notify_counters {
	unsigned long queued;		/* messages made */
	unsigned long nonumber;		/* events of workers without a number */
	unsigned long optout;		/* skipped: opted out */
	unsigned long bad;		/* no message could be made */
	unsigned long reminders;	/* reminder events recorded */
};

/* NULL when the statements cannot be prepared (logged). */
struct notify *notify_init(void *ctx, const struct notify_params *p);
void notify_free(struct notify *n);

/* Once per loop iteration, inside the group-commit transaction. */
void notify_run(struct notify *n);

/* One step at now_ms (tests): reminders when due, then up to
 * notify.batch events. Returns the events handled, or a negative errno. */
int notify_step(struct notify *n, int64_t now_ms);

const struct notify_counters *notify_counters(const struct notify *n);
void notify_vty_show(struct notify *n, struct vty *vty);

/* ---- the operator's view (skillctl notify, the API) -------------------- */

/* Events of one kind and local day, by outcome. */
struct notify_day {
	char day[11];			/* ISO date */
	enum notify_kind kind;
	unsigned long events;
	unsigned long pending;		/* not made into a message yet */
	unsigned long queued;		/* in the queue or a window */
	unsigned long sent;		/* at the SMSC, no final receipt */
	unsigned long delivered;
	unsigned long failed;		/* failed or expired */
	unsigned long nonumber, optout, bad;
};

/* The days since since_iso (inclusive; NULL: all), newest first, at most
 * max; *n gets how many. Returns 0 or a negative errno. */
int notify_days(struct db *db, const char *since_iso, struct notify_day *out,
		unsigned max, unsigned *n);

/* One event for a list: the number masked. */
struct notify_item {
	int64_t id;
	enum notify_kind kind;
	char msisdn[24];		/* masked: 138****8000; "" if none */
	char state[12];			/* pending queued nonumber optout bad */
	char mt_state[12];		/* the message's state, "" if none */
	int64_t created_ms, handled_ms;
};

/* The newest events (before before_id when > 0), of kind (-1: any), at
 * most max. Returns 0 or a negative errno. */
int notify_list(struct db *db, int kind, int64_t before_id,
		struct notify_item *out, unsigned max, unsigned *n);

#endif
