/*
 * notify_priv.h - what the files of the notifier share: one pending event
 * with the facts its text needs (notify.c reads it, notify_text.c renders
 * it) and the reminder scan (notify_remind.c).
 */
#ifndef SGW_NOTIFY_PRIV_H
#define SGW_NOTIFY_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handlers/notice/notify.h"

struct db;
struct texts;

/* A pending event and its facts; strings are talloc'ed under the event,
 * never NULL ("" when the database has none). */
struct notify_ev {
	int64_t id;
	int kind;			/* enum notify_kind, -1: unknown */
	const char *msisdn;		/* "" when the worker has no number */
	const char *name;		/* the worker's, as on the roster */
	bool opted_out;
	const char *subsidy_kind;	/* code: "training" */
	int64_t amount_fen;
	const char *fact_date;		/* ISO: decided/paid, a course's start */
	const char *end_date;		/* ISO: a course's end */
	const char *reason;
	const char *course;		/* a course's name */
	const char *code;		/* a course's code */
	const char *institution;	/* its name (else its code) */
	const char *occupation;		/* a subsidy's occupation's name */
	int level;			/* a subsidy's level, 0: none */
};

/* Render the text of e (conf/messages.conf, texts.notify.*) into out.
 * Returns the length, or a negative errno (-EINVAL for an unknown kind,
 * -ENOSPC when it did not fit). */
int notify_text(const struct texts *t, const struct notify_ev *e, char *out,
		size_t cap);

/* Record the reminders due on local day today_iso (ISO): every trainee
 * still enrolled in a course open or closed for enrolment that starts
 * days later. Inside the caller's transaction. Returns how many were new,
 * or a negative errno. */
int notify_remind(struct db *db, const char *today_iso, unsigned days,
		  int64_t now_ms);

#endif
