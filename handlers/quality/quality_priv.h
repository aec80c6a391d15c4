/*
 * quality_priv.h - what the files of the quality module share: a
 * trainee due a question with the facts its text needs (ask.c reads it,
 * text.c words it), the planning of check days (plan.c), and the module's
 * little helpers (quality.c).
 */
#ifndef SGW_QUALITY_PRIV_H
#define SGW_QUALITY_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "handlers/quality/quality.h"

struct config_quality;
struct db;
struct texts;

#define QUALITY_MS_PER_MIN	60000LL
#define QUALITY_MS_PER_DAY	(86400LL * 1000)

/* A trainee (an enrolment) due a question; strings are talloc'ed under
 * the candidate, never NULL. */
struct quality_cand {
	enum quality_kind kind;
	int round;			/* employment: months; attendance: 0 */
	int64_t enrolment_id, worker_id, course_id;
	int64_t check_id;		/* attendance: the check; else 0 */
	const char *msisdn;		/* "" when the worker has no number */
	const char *name;		/* as on the roster */
	bool opted_out;
	const char *course, *code, *institution;
	const char *start, *end;	/* the course's, ISO */
	const char *day;		/* attendance: the class day, ISO */
	int64_t until_ms;		/* attendance: the end of class hours */
};

/* Render the question of c (texts.quality.*) into out; checkcode is the
 * attendance code ("" for the others). Returns the length, or a negative
 * errno (-ENOSPC when it did not fit). */
int quality_text(const struct texts *t, const struct quality_cand *c,
		 const char *checkcode, char *out, size_t cap);

/* "17:30": the local time of day of ms into out (6 bytes). */
void quality_hhmm(int64_t ms, char out[6]);

/* The ISO date days after iso (noon-based: never off by a day). */
void quality_add_days(const char *iso, int days, char out[FMT_ISO_DATE]);

/* Plan the check days of the courses in class on local day today that
 * have none yet (course.checks): the days listed, or as many drawn at
 * random among the class days left, each with its times (class hours of
 * the course, else c->class_hours; questions c->check_delay_min after
 * class starts). Inside the caller's transaction. Returns the check days
 * made, or a negative errno. */
int quality_plan(struct db *db, const struct config_quality *c,
		 const char *today, int64_t now_ms);

/* Uniform random numbers below n (n > 0) from the kernel: 0 or -EIO. */
int quality_random_below(uint32_t n, uint32_t *out);

/* Read column i of st as a talloc'ed string under ctx ("" for NULL). */
const char *quality_col(void *ctx, sqlite3_stmt *st, int i);

#endif
