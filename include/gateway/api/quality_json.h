/*
 * quality_json.h - the figures of training quality (handlers/quality/
 * report.h) as JSON: what the API answers and skillctl report --json
 * prints, written by one function each so the two never differ. Rates
 * are numbers from 0 to 1, null when there was nothing to count.
 */
#ifndef SGW_QUALITY_JSON_H
#define SGW_QUALITY_JSON_H

#include "handlers/quality/report.h"

struct json_w;

/* {"items":[{key, name, courses, trainees, results, passed, pass_rate,
 * checks, confirmed, confirm_rate, never, surveys, rated, rated_rate,
 * score_avg, scores:[5], followed, reported, reported_rate, employed,
 * business, seeking, employed_rate, business_rate}, ...], "total": n} */
void quality_json_rows(struct json_w *w, const struct quality_row *r,
		       unsigned n);

/* One course: its facts, days[], never[], late, other, survey{},
 * comments[], rounds[]. */
void quality_json_course(struct json_w *w, const struct quality_course *c);

#endif
