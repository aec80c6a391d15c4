/*
 * report.h - the figures of training quality for the bureau (skillctl
 * report, the API, the console), computed in SQL from the questions, the
 * answers, the enrolments and their imported results.
 *
 * Per group (institution, occupation or course) of the courses that have
 * started and ended on or after a day (or not yet): trainees (enrolments not cancelled), the pass rate
 * of those with a result, attendance (questions asked, confirmed, the
 * share, trainees asked and never confirmed), satisfaction (asked,
 * answered, the answer rate, the average and the distribution of the
 * scores), employment (trainees asked, those who answered, the answer
 * rate; employed and self-employed among those who answered, by each
 * trainee's latest answer). A rate is -1 when nothing was there to count.
 *
 * Per course: each check day with its share, the trainees asked and never
 * confirmed (masked), the codes used from other numbers, the survey with
 * its comments (the commenter's name masked, long digit runs in the words
 * masked too), each follow-up round.
 *
 * All of it reads only; any connection may run it (an API worker
 * thread's): statements are prepared per call.
 */
#ifndef SGW_QUALITY_REPORT_H
#define SGW_QUALITY_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "handlers/domain/checks.h"
#include "handlers/domain/domain.h"
#include "handlers/quality/quality.h"

struct db;

enum quality_by {
	QUALITY_BY_INSTITUTION,
	QUALITY_BY_OCCUPATION,
	QUALITY_BY_COURSE,
	QUALITY_BY_NUM
};

/* "institution", "occupation", "course"; parse: -1 for anything else. */
const char *quality_by_str(enum quality_by b);
int quality_by_parse(const char *s);

struct quality_filter {
	enum quality_by by;
	const char *institution;	/* a code; NULL: all */
	const char *since;		/* ISO: courses ended on or after it;
					 * NULL: all */
	const char *today;		/* ISO: courses started by then; NULL:
					 * today (the clock) */
};

#define QUALITY_SCORES	5

struct quality_row {
	char key[DOM_CODE_MAX];		/* the group's code */
	char name[DOM_NAME_MAX];
	unsigned long courses, trainees;
	unsigned long results, passed;
	double pass_rate;
	unsigned long checks, confirmed, never;
	double confirm_rate;
	unsigned long surveys, rated;
	double rated_rate, score_avg;
	unsigned long score[QUALITY_SCORES];	/* how many gave 1 .. 5 */
	unsigned long followed, reported;	/* trainees asked, answered */
	double reported_rate;
	unsigned long employed, business, seeking;
	double employed_rate, business_rate;	/* of those who answered */
};

/* The groups of f that have anything to show, by code, at most max into
 * out; *n gets how many. 0, -EINVAL (a bad since), -EIO. */
int quality_report(struct db *db, const struct quality_filter *f,
		   struct quality_row *out, unsigned max, unsigned *n);

/* The same as CSV (UTF-8 with BOM, a Chinese header, rates as percentages
 * with one decimal), every group; *n gets the rows. 0, -EINVAL, -EIO. */
int quality_report_csv(struct db *db, const struct quality_filter *f,
		       FILE *out, unsigned long *n);

/* ---- one course -------------------------------------------------------------- */

struct quality_day {
	char day[FMT_ISO_DATE];
	unsigned long asked, confirmed, nonumber, optout;
	double share;			/* confirmed of asked, -1: none asked */
};

struct quality_trainee {		/* asked, never confirmed */
	char name[DOM_NAME_MAX];	/* masked */
	char id[IDCARD_MASKED];		/* masked */
	char msisdn[24];		/* masked, "" when none */
	unsigned long checks;		/* attendance questions asked */
	unsigned long other;		/* its codes sent from other numbers */
};

struct quality_comment {
	char name[DOM_NAME_MAX];	/* masked */
	int score;
	char text[QUALITY_COMMENT_MAX];	/* long digit runs masked */
	int64_t at_ms;
};

struct quality_round {
	int months;
	unsigned long asked, answered, employed, business, seeking;
};

struct quality_course {
	char code[DOM_CODE_MAX], name[DOM_NAME_MAX];
	char institution[DOM_NAME_MAX], occupation[DOM_NAME_MAX];
	char start[FMT_ISO_DATE], end[FMT_ISO_DATE];
	char checks[CHECKS_TEXT_MAX];	/* as stored, "" for none */
	char hours[24];			/* class hours, "" for the default */
	unsigned long trainees;
	unsigned long late, other;	/* refused codes: late, other number */
	unsigned long surveys, rated;
	double score_avg;
	unsigned long score[QUALITY_SCORES];
	unsigned n_days, n_never, n_comments, n_rounds;
	struct quality_day *days;	/* talloc'ed arrays */
	struct quality_trainee *never;
	struct quality_comment *comments;
	struct quality_round *rounds;
};

#define QUALITY_LIST_MAX	1000	/* never confirmed, comments: at most */

/* The course with code (talloc'ed under ctx). 0, -ENOENT, -EIO. */
int quality_course_get(struct db *db, void *ctx, const char *code,
		       struct quality_course **out);

#endif
