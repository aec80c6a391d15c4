/*
 * texts.h - every text a worker reads, loaded from conf/messages.conf.
 *
 * The file has one group "texts" with one string per key of enum texts_id
 * (see gateway/text/texts.c for the table of keys and what each may contain).
 * A text names its variable parts as placeholders, "{name}", "{amount}";
 * each key allows a fixed set of them. Loading checks every text: missing,
 * unknown or wrongly typed keys, unknown placeholders, stray braces, and
 * length: a whole reply rendered with long sample values must fit in
 * TEXTS_REPLY_PARTS SMS parts, a list line in one part. Problems are
 * printed as "FILE:LINE: texts.KEY: reason", all of them.
 *
 * Rendering never fails on values: a placeholder without a value renders
 * as nothing, a value is copied as it is (never expanded again), and the
 * output is cut at a character boundary if the buffer is too small.
 * {signature} and {hotline} come from the configuration unless the caller
 * gives them (a USSD screen gives an empty signature).
 */
#ifndef SGW_TEXTS_H
#define SGW_TEXTS_H

#include <stddef.h>
#include <stdio.h>

#define TEXTS_REPLY_PARTS	2	/* a reply that is not a list */
#define TEXTS_LABEL_CHARS	12	/* longest word filled in (a status, a
					 * level: the glossary's labels) */
#define TEXTS_MAX		4400	/* bytes of a reply: 16 UCS-2 parts */

enum texts_id {
	/* whole replies */
	TX_HELP,
	TX_HELP_UNBOUND,
	TX_UNKNOWN,
	TX_UNKNOWN_NEAR,
	TX_NOT_REGISTERED,
	TX_ERROR,
	TX_RATE_LIMITED,
	TX_REG_USAGE,
	TX_REG_BAD_ID,
	TX_REG_OK,
	TX_REG_ALREADY,
	TX_REG_MISMATCH,
	TX_REG_TAKEN,
	TX_REG_LOCKED,
	TX_SUBSIDY_NONE,
	TX_SUBSIDY_HEAD,
	TX_COURSES_NONE,
	TX_COURSES_HEAD,
	TX_ENROL_USAGE,
	TX_ENROL_OK,
	TX_ENROL_FULL,
	TX_ENROL_CLOSED,
	TX_ENROL_DUP,
	TX_ENROL_UNKNOWN,
	TX_CANCEL_USAGE,
	TX_CANCEL_OK,
	TX_CANCEL_NONE,
	TX_CANCEL_STARTED,
	TX_RECORD_NONE,
	TX_RECORD_HEAD,
	TX_OPTOUT_OK,
	TX_OPTIN_OK,
	TX_OPT_UNBOUND,
	/* notifications (group notify) */
	TX_NOTIFY_SUBSIDY_APPROVED,
	TX_NOTIFY_SUBSIDY_PAID,
	TX_NOTIFY_SUBSIDY_REJECTED,
	TX_NOTIFY_COURSE_CANCELLED,
	TX_NOTIFY_COURSE_CLOSED,
	TX_NOTIFY_COURSE_CHANGED,
	TX_NOTIFY_ENROL_CANCELLED,
	TX_NOTIFY_REMINDER,
	/* training quality: the questions (group quality) and the answers
	 * to QD, PJ, JY */
	TX_QUALITY_ATTENDANCE,
	TX_QUALITY_SURVEY,
	TX_QUALITY_EMPLOYMENT,
	TX_CHECKIN_USAGE,
	TX_CHECKIN_OK,
	TX_CHECKIN_AGAIN,
	TX_CHECKIN_WRONG,
	TX_CHECKIN_LATE,
	TX_CHECKIN_NONE,
	TX_RATE_USAGE,
	TX_RATE_OK,
	TX_RATE_CHANGED,
	TX_RATE_CLOSED,
	TX_RATE_NONE,
	TX_EMPLOYMENT_USAGE,
	TX_EMPLOYMENT_EMPLOYED,
	TX_EMPLOYMENT_BUSINESS,
	TX_EMPLOYMENT_SEEKING,
	TX_EMPLOYMENT_CLOSED,
	TX_EMPLOYMENT_NONE,
	/* parts of replies: one SMS part at most */
	TX_ENROL_WARN_YEAR,
	TX_ENROL_WARN_SAME,
	TX_SUBSIDY_ITEM,
	TX_SUBSIDY_ITEM_REJECTED,
	TX_COURSE_ITEM,
	TX_RECORD_ITEM,
	TX_RECORD_CERT,
	TX_RECORD_SKILL,
	TX_LIST_MORE,
	TX_COURSES_MORE,
	TX_NUM
};

struct texts;

/* A named value for a placeholder: { "amount", "1500.00" }. */
struct texts_val {
	const char *name;
	const char *value;	/* NULL renders as nothing */
};

/* The values a text is rendered with: the caller's n values v first, then
 * the n_def defaults def ({signature}, {hotline}; {code} for the menu). */
struct texts_vals {
	const struct texts_val *v;
	size_t n;
	const struct texts_val *def;
	size_t n_def;
};

/* The value of placeholder name (len bytes) for tmpl_render, arg being a
 * struct texts_vals: "" when neither has a value for it. */
const char *texts_value(void *arg, const char *name, size_t len);

/* What loading needs from the configuration. */
struct texts_params {
	const char *signature;	/* default {signature} */
	const char *hotline;	/* default {hotline} */
	unsigned list_parts;	/* checked: a list head, one line, "more" */
};

/* Load and check path. Every problem is printed to err (may be NULL) as
 * "FILE:LINE: texts.KEY: reason"; *n_err (may be NULL) gets their count.
 * Returns the texts (talloc child of ctx) only when there was no problem,
 * else NULL. */
struct texts *texts_load(void *ctx, const char *path,
			 const struct texts_params *p, FILE *err, int *n_err);
void texts_free(struct texts *t);

/* The key of a text as written in the file ("reg_ok", "level.senior"). */
const char *texts_key(enum texts_id id);

/* The raw text (never NULL; "" for an id out of range). */
const char *texts_get(const struct texts *t, enum texts_id id);

/* Render text id with the n values v into out (cap bytes, always
 * NUL-terminated when cap > 0). Returns the length, or -ENOSPC when the
 * result was cut to fit. */
int texts_render(const struct texts *t, enum texts_id id,
		 const struct texts_val *v, size_t n, char *out, size_t cap);

/* SMS parts the UTF-8 text s needs (GSM 03.38 or UCS-2, as the queue
 * would send it); CHARSET_MAX_PARTS + 1 when it needs more than that. */
unsigned texts_parts(const char *s);

/* A list reply: head, then as many of the n lines as fit together with it
 * in max_parts SMS parts, one per line, and when lines were left out (or
 * total > n) the text more_id (TX_LIST_MORE, TX_COURSES_MORE) with {more} =
 * total minus the lines shown. Returns the number of lines shown. */
unsigned texts_list(const struct texts *t, const char *head,
		    const char *const *lines, unsigned n, unsigned total,
		    enum texts_id more_id, unsigned max_parts, char *out,
		    size_t cap);

#endif
