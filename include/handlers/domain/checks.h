/*
 * checks.h - how the bureau asks for a course's attendance to be checked
 * (the courses import's column 考勤抽查): on a number of class days drawn
 * at random ("2", "2次", "2天"), or on the days it lists
 * ("2026-12-03;2026-12-05", separated by ; , 、 ， or spaces, dates as
 * spreadsheets write them). The stored form (course.checks) is the number
 * or the ISO days joined by commas, and parses back to the same.
 */
#ifndef SGW_CHECKS_H
#define SGW_CHECKS_H

#include <stddef.h>

#include "gateway/text/fmt.h"

#define CHECKS_DAYS_MAX		10	/* days listed, random days */
#define CHECKS_TEXT_MAX		(CHECKS_DAYS_MAX * FMT_ISO_DATE)

struct checks {
	unsigned random;			/* days drawn at random, or 0 */
	unsigned n_days;			/* days listed */
	char day[CHECKS_DAYS_MAX][FMT_ISO_DATE];	/* ISO, ascending */
};

/* Parse in (as typed, or as stored). 0 with *c set; "" gives no checks;
 * -EINVAL for anything else (a number outside 1..CHECKS_DAYS_MAX, a day
 * that is not a date, more than CHECKS_DAYS_MAX days). Days listed twice
 * count once. */
int checks_parse(const char *in, struct checks *c);

/* The stored form of c ("" for none) into out (CHECKS_TEXT_MAX bytes). */
void checks_format(const struct checks *c, char *out, size_t cap);

#endif
