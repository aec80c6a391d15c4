/*
 * audience.h - who a notice campaign goes to: a combination of optional
 * filters over the roster, resolved to codes and bound as parameters of a
 * fixed set of prepared statements (no SQL is built from input).
 *
 * Filters (each a list: any of its values; filters combine with AND):
 *   region            the worker's region (code, name or the start of it)
 *   group             a key group of the worker (code or label, codes.h)
 *   course            the worker has an enrolment in the course (code)
 *   occupation        ... in a course of the occupation (code or name)
 *   enrolment status  ... with that status (enrolled, cancelled, completed)
 *   subsidy status    the worker has a subsidy with that status
 * course, occupation and enrolment status apply to the same enrolment.
 * Only workers with a bound number who have not opted out are recipients.
 *
 * {course} and {start_date} of a recipient: the course of the campaign
 * when the audience names exactly one, else the course of the worker's
 * latest enrolment that matches the filters (none without such filters).
 */
#ifndef SGW_AUDIENCE_H
#define SGW_AUDIENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handlers/domain/domain.h"
#include "gateway/text/fmt.h"
#include "gateway/text/msisdn.h"

struct db;
struct audience_db;

/* Resolved filters: each a JSON array of codes ('["445281"]') or NULL
 * (any), talloc'ed. */
struct audience {
	char *region, *group, *course, *occupation, *enrol_status,
	     *subsidy_status;
	int64_t course_id;	/* the one course of the audience, 0: none */
};

/* As the operator typed them: lists separated by , ; space 、 ，. */
struct audience_args {
	const char *region, *group, *course, *occupation, *enrol_status,
		   *subsidy_status;
};

struct audience_count {
	unsigned long matched;		/* workers the filters select */
	unsigned long no_number;	/* ... without a bound number */
	unsigned long opted_out;	/* ... who opted out */
	unsigned long recipients;	/* the rest: who gets the notice */
};

struct audience_sample {
	char msisdn[MSISDN_MAX];
	char name[DOM_NAME_MAX];
	char region[DOM_NAME_MAX];
	char course[DOM_TEXT_MAX];
	char start_date[FMT_ISO_DATE];
};

struct audience_db *audience_db_init(void *ctx, struct db *db);
void audience_db_free(struct audience_db *a);

/* Resolve in into out (strings under ctx), checking every value against
 * the database or the code lists. 0; -EINVAL with the reason in why;
 * -EIO. */
int audience_resolve(struct audience_db *a, void *ctx,
		     const struct audience_args *in, struct audience *out,
		     char *why, size_t cap);

/* Does the audience filter on enrolments (so {course} has a value)? */
bool audience_has_course(const struct audience *au);

/* Count what the filters select now. 0 or -EIO. */
int audience_count(struct audience_db *a, const struct audience *au,
		   struct audience_count *c);

/* The first max recipients in roster order. 0 with *n set, or -EIO. */
int audience_samples(struct audience_db *a, const struct audience *au,
		     struct audience_sample *s, unsigned max, unsigned *n);

/* Add the recipients among the workers with from < id <= to to campaign
 * campaign_id as pending (already listed numbers are left alone), in the
 * caller's transaction. Returns the number added or a negative errno. */
int audience_list(struct audience_db *a, int64_t campaign_id,
		  const struct audience *au, int64_t from, int64_t to);

/* The highest worker id (0 for an empty roster). */
int audience_max_worker(struct audience_db *a, int64_t *max);

/* The longest course name the audience may put into {course} and the
 * longest region name, in characters: for the length check. */
int audience_longest(struct audience_db *a, const struct audience *au,
		     unsigned *course_chars, unsigned *region_chars);

/* Values of a list as a JSON array '["a","b"]' under ctx ("[]" if none). */
char *audience_json_array(void *ctx, const char *const *v, unsigned n);

/* s as a JSON string with quotes, under ctx. */
char *audience_json_str(void *ctx, const char *s);

#endif
