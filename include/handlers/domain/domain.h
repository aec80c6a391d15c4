/*
 * domain.h - the training data as the SMS and USSD handlers need it: the
 * worker behind a number, registration with its lockout, opt-out, open
 * courses, enrolment and cancellation, the training record, subsidies and
 * the subsidy rule.
 *
 * Return values: a negative errno for a system failure (-EIO database,
 * -ENOMEM), otherwise DOM_OK (0) or a positive enum dom_result that says
 * why a request was refused, so a handler does one switch to pick its
 * reply:
 *
 *	rc = dom_enrol(d, w.id, "2031", DOM_VIA_SMS, w.msisdn, now, &c);
 *	if (rc < 0)             -> "system busy, try later"
 *	switch (rc) { case DOM_OK: ... case DOM_FULL: ... }
 *
 * Writes (dom_register, dom_set_optout, dom_enrol, dom_cancel) each run in
 * a savepoint inside the group-commit transaction (they call db_begin()
 * themselves; inside a transaction someone else opened they use that one),
 * so each is all or nothing, its audit row included.
 *
 * Time: every function that needs it takes now_ms (clock_now_ms()). Dates
 * (deadlines, course starts, the lockout day, birth dates) are compared as
 * China local dates (fmt_local_date()).
 *
 * Strings in the structs are UTF-8, NUL-terminated, "" when the database
 * has NULL; dates are ISO ("2026-12-01", "" when not set; format them with
 * fmt_date_cn()); money is fen (format with fmt_yuan()); codes are the
 * glossary's English codes (codes.h has their Chinese labels). Names and ID
 * numbers are returned in clear: mask them (fmt_name_mask(), idcard_mask())
 * before they go into a reply.
 *
 * Lists are talloc'ed arrays under the ctx the caller gives, at most
 * DOM_LIST_MAX entries.
 */
#ifndef SGW_DOMAIN_H
#define SGW_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "handlers/domain/codes.h"
#include "gateway/text/fmt.h"
#include "handlers/domain/idcard.h"
#include "gateway/text/msisdn.h"

struct db;
struct dom;

enum dom_result {
	DOM_OK = 0,
	DOM_NOT_FOUND,		/* no such worker or course */
	DOM_NOT_OPEN,		/* enrol: course closed, cancelled, finished */
	DOM_DEADLINE,		/* enrol: the enrolment deadline has passed */
	DOM_FULL,		/* enrol: no seat left */
	DOM_ALREADY,		/* enrol: already enrolled; register: this
				 * number is already bound to this worker;
				 * optout: already in that state */
	DOM_NOT_ENROLLED,	/* cancel: no enrolment to cancel */
	DOM_STARTED,		/* cancel: the course has started (or ended) */
	DOM_BAD_ID,		/* register: not a valid resident ID */
	DOM_NO_MATCH,		/* register: ID not on the roster, or the name
				 * differs (one answer: do not tell which) */
	DOM_ID_BOUND,		/* register: the ID is bound to another number */
	DOM_NUMBER_BOUND,	/* register: this number belongs to another
				 * worker */
	DOM_LOCKED,		/* register: too many failures today */
	DOM_RULE_YEAR,		/* subsidy rule: 3 training subsidies already
				 * this year */
	DOM_RULE_SAME,		/* subsidy rule: same occupation and level
				 * subsidised before */
	DOM_INVALID,		/* a value breaks a rule (the reason is
				 * given) */
};

/* "full", "not_found" ... for logs. */
const char *dom_result_str(int rc);

/* The national rule (国办发〔2019〕24号) */
#define DOM_RULE_MAX_PER_YEAR	3

#define DOM_DEFAULT_REG_FAILURES 5	/* per number and day */
#define DOM_LIST_MAX		50
#define DOM_CODE_MAX		33
#define DOM_NAME_MAX		97	/* 32 Chinese characters */
#define DOM_TEXT_MAX		193	/* 64 Chinese characters */
#define DOM_REASON_MAX		385

enum dom_via {
	DOM_VIA_SMS,
	DOM_VIA_USSD,
};

struct dom_params {
	unsigned reg_max_failures;	/* 0: DOM_DEFAULT_REG_FAILURES */
};

struct dom *dom_init(void *ctx, struct db *db, const struct dom_params *p);
void dom_free(struct dom *d);

/* ---- workers, registration, opt-out ---- */

struct dom_worker {
	int64_t id;
	char id_number[IDCARD_LEN + 1];
	char name[DOM_NAME_MAX];
	char msisdn[MSISDN_MAX];	/* "" when not bound */
	char region[DOM_CODE_MAX];	/* 445281 */
	char region_name[DOM_NAME_MAX];	/* 普宁市 */
	char key_groups[CODES_GROUPS_MAX];	/* "migrant,poverty" */
	char birth_date[FMT_ISO_DATE];
	bool opted_out;
	char bound_by[8];		/* "roster", "sms", "ussd", "" */
};

/* The worker bound to msisdn (international digits, as stored: use
 * msisdn_normalise()). DOM_OK, DOM_NOT_FOUND. A number on the roster is
 * bound by the import, so this is also how "numbers already on the roster
 * are bound automatically" works: they are found here. */
int dom_worker_by_msisdn(struct dom *d, const char *msisdn,
			 struct dom_worker *w);
int dom_worker_by_id_number(struct dom *d, const char *id_number,
			    struct dom_worker *w);
/* By the roster's row id (the API). DOM_OK, DOM_NOT_FOUND. */
int dom_worker_by_id(struct dom *d, int64_t id, struct dom_worker *w);

struct dom_reg {
	struct dom_worker w;	/* DOM_OK, DOM_ALREADY: the worker */
	unsigned failures;	/* failed attempts of the number today */
	unsigned left;		/* attempts left before the lock */
	bool locked_now;	/* this attempt locked the number */
};

/* Bind msisdn to the roster entry with resident ID id_number (as typed:
 * spaces around and a lower-case x are fine) if name matches it exactly
 * (spaces around ignored) and the entry is not bound yet.
 * DOM_OK: bound (audit "register"). DOM_ALREADY: this number is bound to
 * this very worker already. DOM_LOCKED: the number failed
 * reg_max_failures times today; nothing was checked. DOM_NUMBER_BOUND: the
 * number is bound to another worker (not counted as a failure). DOM_BAD_ID,
 * DOM_NO_MATCH, DOM_ID_BOUND: a failure, counted; out->locked_now says if
 * it was the one that locked the number (audit "lockout"). */
int dom_register(struct dom *d, const char *msisdn, const char *id_number,
		 const char *name, enum dom_via via, int64_t now_ms,
		 struct dom_reg *out);

/* DOM_OK or DOM_LOCKED for msisdn today; *failures may be NULL. */
int dom_reg_status(struct dom *d, const char *msisdn, int64_t now_ms,
		   unsigned *failures);

/* Stop (opted_out = true) or resume bulk notices for a worker. DOM_OK,
 * DOM_ALREADY (no change), DOM_NOT_FOUND. Audit "optout"/"optin". */
int dom_set_optout(struct dom *d, int64_t worker_id, bool opted_out,
		   const char *actor, int64_t now_ms);

/* ---- courses ---- */

struct dom_course {
	int64_t id;
	char code[DOM_CODE_MAX];		/* digits: what a worker types */
	char name[DOM_TEXT_MAX];
	char occupation[DOM_CODE_MAX];
	char occupation_name[DOM_NAME_MAX];
	char group[DOM_NAME_MAX];		/* 制造, 服务 ... */
	int level;				/* 1..5, codes_level_label() */
	char training_type[24];			/* codes_training_type */
	char institution[DOM_CODE_MAX];
	char institution_name[DOM_TEXT_MAX];
	bool catalogued;
	char region[DOM_CODE_MAX];
	char region_name[DOM_NAME_MAX];
	char start_date[FMT_ISO_DATE];
	char end_date[FMT_ISO_DATE];
	char enrol_deadline[FMT_ISO_DATE];
	unsigned capacity;
	unsigned seats_taken;			/* left: capacity - taken */
	int64_t subsidy_fen;
	char status[12];			/* codes_course_status */
};

/* Which open courses to list; "" means any. */
struct dom_course_filter {
	char region[DOM_CODE_MAX];
	char occupation[DOM_CODE_MAX];
	char group[DOM_NAME_MAX];
	char word[DOM_NAME_MAX];	/* occupation name contains it */
	char home_region[DOM_CODE_MAX];	/* listed first (the worker's) */
};

/* A course by its code, in any status. DOM_OK, DOM_NOT_FOUND. */
int dom_course_get(struct dom *d, const char *code, struct dom_course *c);

/* Courses a worker can enrol in now: open, deadline not passed, a seat
 * left; home region first, then by start date and code. Skips offset
 * rows, returns at most limit (<= DOM_LIST_MAX); *more says whether there
 * are further rows (for "9 下一页"). DOM_OK with *n possibly 0. */
int dom_courses_open(struct dom *d, void *ctx,
		     const struct dom_course_filter *f, int64_t now_ms,
		     unsigned offset, unsigned limit, struct dom_course **out,
		     unsigned *n, bool *more);

/* Narrow f by what a worker typed after KC: a region (code, name or the
 * start of exactly one name: "普宁", "榕城"; "揭" is ambiguous), an
 * occupation group ("制造"), or an occupation (its code, or a word its
 * name contains: "电工" finds 电工 and 电工(新能源汽车维修)). Tried in that
 * order; each call sets one field, so words combine ("榕城" then "电工").
 * DOM_OK, or DOM_NOT_FOUND when the word is none of them (f unchanged). */
int dom_course_word(struct dom *d, const char *word,
		    struct dom_course_filter *f);

struct dom_region {
	char code[DOM_CODE_MAX];
	char name[DOM_NAME_MAX];
};

/* All regions, by code (for the USSD region menu). */
int dom_regions(struct dom *d, void *ctx, struct dom_region **out,
		unsigned *n);

/* Occupation groups that have courses open for enrolment in region ("" or
 * NULL: anywhere), most courses first (the USSD group menu). Each entry is
 * a talloc'ed string. */
int dom_groups(struct dom *d, void *ctx, const char *region, int64_t now_ms,
	       char ***out, unsigned *n);

/* ---- subsidy rule ---- */

struct dom_rule {
	unsigned year_count;		/* training subsidies in that year */
	char same_reference[DOM_CODE_MAX];	/* DOM_RULE_SAME: which one */
};

/* Would a training subsidy for occupation at level, counted in year, break
 * the rule "at most 3 training subsidies a year, never twice for the same
 * occupation and level"? Rejected subsidies do not count. DOM_OK,
 * DOM_RULE_SAME (checked first), DOM_RULE_YEAR. The year to give for a
 * course is the year it starts (dom_enrol_preview does that). The import
 * flags stored rows by the same rule (handlers/data/import_subsidy.c). */
int dom_subsidy_rule(struct dom *d, int64_t worker_id, const char *occupation,
		     int level, int year, struct dom_rule *out);

/* ---- enrolment ---- */

/* Everything dom_enrol would decide, without writing: DOM_OK,
 * DOM_NOT_FOUND, DOM_NOT_OPEN, DOM_DEADLINE, DOM_FULL, DOM_ALREADY; *c is
 * the course when it exists. *rule_rc (may be NULL) gets the subsidy rule
 * for this course (DOM_OK, DOM_RULE_YEAR, DOM_RULE_SAME) with details in
 * *rule (may be NULL): the warning "this course would not be subsidised"
 * is shown before the worker confirms. */
int dom_enrol_preview(struct dom *d, int64_t worker_id, const char *code,
		      int64_t now_ms, struct dom_course *c, int *rule_rc,
		      struct dom_rule *rule);

/* Enrol a worker: one INSERT that only succeeds for an open course before
 * its deadline, and that the schema refuses when the course is full
 * (trigger + CHECK), so a course is never overbooked however many enrol at
 * once. DOM_OK (audit "enrol"), DOM_NOT_FOUND, DOM_NOT_OPEN, DOM_DEADLINE,
 * DOM_FULL, DOM_ALREADY. *c (may be NULL) is the course afterwards (seats
 * as they are now). actor: the number, for the audit. */
int dom_enrol(struct dom *d, int64_t worker_id, const char *code,
	      enum dom_via via, const char *actor, int64_t now_ms,
	      struct dom_course *c);

/* The number of worker_id's enrolment in course code that is not
 * cancelled (the newest): DOM_OK with *id, DOM_NOT_ENROLLED. */
int dom_enrolment_id(struct dom *d, int64_t worker_id, const char *code,
		     int64_t *id);

/* Cancel an enrolment before the course starts (start date after today).
 * DOM_OK (audit "cancel"; the seat is free again), DOM_NOT_FOUND (no such
 * course), DOM_NOT_ENROLLED, DOM_STARTED. */
int dom_cancel(struct dom *d, int64_t worker_id, const char *code,
	       const char *actor, int64_t now_ms, struct dom_course *c);

/* ---- the training record ---- */

struct dom_training {
	char code[DOM_CODE_MAX];
	char name[DOM_TEXT_MAX];
	char occupation_name[DOM_NAME_MAX];
	int level;
	char institution_name[DOM_TEXT_MAX];
	char start_date[FMT_ISO_DATE];
	char end_date[FMT_ISO_DATE];
	char status[12];		/* enrolled or completed */
	char result[8];			/* passed, failed, "" */
	char certificate[DOM_CODE_MAX];	/* its number, "" */
};

struct dom_cert {
	char number[DOM_CODE_MAX];
	char kind[20];			/* codes_cert_kind */
	char occupation_name[DOM_NAME_MAX];	/* "" for some kinds */
	int level;			/* 0: none */
	char issued_date[FMT_ISO_DATE];
};

/* The highest skill level per occupation, from qualification and
 * skill-level certificates. */
struct dom_skill {
	char occupation_name[DOM_NAME_MAX];
	int level;
};

struct dom_record {
	struct dom_training *trainings;	/* newest first, not cancelled */
	unsigned n_trainings;
	struct dom_cert *certs;		/* newest first */
	unsigned n_certs;
	struct dom_skill *skills;
	unsigned n_skills;
};

int dom_record(struct dom *d, void *ctx, int64_t worker_id,
	       struct dom_record *r);

/* Every enrolment of a worker, cancelled ones too, newest first (status
 * enrolled, cancelled or completed). */
int dom_enrolments(struct dom *d, void *ctx, int64_t worker_id,
		   struct dom_training **out, unsigned *n);

/* ---- subsidies ---- */

struct dom_subsidy {
	char reference[DOM_CODE_MAX];
	char kind[20];				/* codes_subsidy_kind */
	char course_code[DOM_CODE_MAX];		/* "" when none */
	char course_name[DOM_TEXT_MAX];
	char occupation_name[DOM_NAME_MAX];
	int level;				/* 0: none */
	int64_t amount_fen;
	char status[12];			/* codes_subsidy_status */
	char reason[DOM_REASON_MAX];		/* rejected: why */
	char applied_date[FMT_ISO_DATE];
	char decided_date[FMT_ISO_DATE];
	char paid_date[FMT_ISO_DATE];
	int year;
	bool flagged;				/* breaks the subsidy rule */
	char rule_flag[DOM_TEXT_MAX];		/* how, "" when it does not */
	int64_t worker_id;
};

/* A worker's subsidies, newest application first. DOM_OK, *n may be 0. */
int dom_subsidies(struct dom *d, void *ctx, int64_t worker_id,
		  struct dom_subsidy **out, unsigned *n);

/* One subsidy by the back office's reference. DOM_OK, DOM_NOT_FOUND. */
int dom_subsidy_get(struct dom *d, const char *reference,
		    struct dom_subsidy *s);

/* A decision from the back office on one subsidy: the single-record form
 * of the subsidy import (handlers/data/import_subsidy.c), with its rules.
 * status: a code or its Chinese term; reason: set as given (NULL clears
 * it), required for rejected; decided_date, paid_date: ISO dates, NULL
 * keeps what is stored (an approval or rejection without a decided date
 * on either side is dated today); paid needs a paid date; no date before
 * the application. The worker is told of the decision (a trigger records
 * the notification, handlers/notice/notify.h). */
struct dom_subsidy_change {
	const char *status;
	const char *reason;
	const char *decided_date;
	const char *paid_date;
};

/* Change it in a savepoint with its audit row (action subsidy_status,
 * actor; detail prefixed with where), then recompute the rule flags of
 * the worker's subsidies as the import does. Every change of a subsidy's
 * status goes through here (a trigger on subsidy.status sees it as one
 * UPDATE). DOM_OK with *out as it is now, DOM_NOT_FOUND, DOM_INVALID with
 * the reason in why. */
int dom_subsidy_set_status(struct dom *d, const char *reference,
			   const struct dom_subsidy_change *c,
			   const char *actor, const char *where,
			   int64_t now_ms, struct dom_subsidy *out,
			   char *why, size_t cap);

#endif
