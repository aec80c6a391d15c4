/*
 * quality_json.c - the figures of training quality as JSON, for the API
 * (gateway/api/quality.c) and skillctl report --json (see
 * quality_json.h).
 */
#include "gateway/api/json.h"
#include "gateway/api/quality_json.h"

/* A rate (or an average): null when there was nothing to count. */
static void qj_rate(struct json_w *w, const char *k, double v)
{
	json_key(w, k);
	if (v < 0)
		json_null(w);
	else
		json_num(w, v);
}

static void qj_scores(struct json_w *w, const unsigned long *score)
{
	unsigned i;

	json_key(w, "scores");
	json_arr(w);
	for (i = 0; i < QUALITY_SCORES; i++)
		json_int(w, score[i]);
	json_end(w);
}

static void qj_row(struct json_w *w, const struct quality_row *r)
{
	json_obj(w);
	json_kstr(w, "key", r->key);
	json_kstr(w, "name", r->name);
	json_kint(w, "courses", r->courses);
	json_kint(w, "trainees", r->trainees);
	json_kint(w, "results", r->results);
	json_kint(w, "passed", r->passed);
	qj_rate(w, "pass_rate", r->pass_rate);
	json_kint(w, "checks", r->checks);
	json_kint(w, "confirmed", r->confirmed);
	qj_rate(w, "confirm_rate", r->confirm_rate);
	json_kint(w, "never", r->never);
	json_kint(w, "surveys", r->surveys);
	json_kint(w, "rated", r->rated);
	qj_rate(w, "rated_rate", r->rated_rate);
	qj_rate(w, "score_avg", r->score_avg);
	qj_scores(w, r->score);
	json_kint(w, "followed", r->followed);
	json_kint(w, "reported", r->reported);
	qj_rate(w, "reported_rate", r->reported_rate);
	json_kint(w, "employed", r->employed);
	json_kint(w, "business", r->business);
	json_kint(w, "seeking", r->seeking);
	qj_rate(w, "employed_rate", r->employed_rate);
	qj_rate(w, "business_rate", r->business_rate);
	json_end(w);
}

void quality_json_rows(struct json_w *w, const struct quality_row *r,
		       unsigned n)
{
	unsigned i;

	json_obj(w);
	json_key(w, "items");
	json_arr(w);
	for (i = 0; i < n; i++)
		qj_row(w, &r[i]);
	json_end(w);
	json_kint(w, "total", n);
	json_end(w);
}

static void qj_days(struct json_w *w, const struct quality_course *c)
{
	unsigned i;

	json_key(w, "days");
	json_arr(w);
	for (i = 0; i < c->n_days; i++) {
		const struct quality_day *d = &c->days[i];

		json_obj(w);
		json_kstr(w, "day", d->day);
		json_kint(w, "asked", d->asked);
		json_kint(w, "confirmed", d->confirmed);
		json_kint(w, "nonumber", d->nonumber);
		json_kint(w, "optout", d->optout);
		qj_rate(w, "share", d->share);
		json_end(w);
	}
	json_end(w);
}

static void qj_never(struct json_w *w, const struct quality_course *c)
{
	unsigned i;

	json_key(w, "never");
	json_arr(w);
	for (i = 0; i < c->n_never; i++) {
		const struct quality_trainee *t = &c->never[i];

		json_obj(w);
		json_kstr(w, "name", t->name);
		json_kstr(w, "id_number", t->id);
		json_kopt(w, "msisdn", t->msisdn);
		json_kint(w, "checks", t->checks);
		json_kint(w, "other", t->other);
		json_end(w);
	}
	json_end(w);
}

static void qj_survey(struct json_w *w, const struct quality_course *c)
{
	unsigned i;

	json_key(w, "survey");
	json_obj(w);
	json_kint(w, "asked", c->surveys);
	json_kint(w, "rated", c->rated);
	qj_rate(w, "score_avg", c->score_avg);
	qj_scores(w, c->score);
	json_end(w);
	json_key(w, "comments");
	json_arr(w);
	for (i = 0; i < c->n_comments; i++) {
		json_obj(w);
		json_kstr(w, "name", c->comments[i].name);
		json_kint(w, "score", c->comments[i].score);
		json_kstr(w, "text", c->comments[i].text);
		json_ktime(w, "at", c->comments[i].at_ms);
		json_end(w);
	}
	json_end(w);
}

static void qj_rounds(struct json_w *w, const struct quality_course *c)
{
	unsigned i;

	json_key(w, "rounds");
	json_arr(w);
	for (i = 0; i < c->n_rounds; i++) {
		const struct quality_round *r = &c->rounds[i];

		json_obj(w);
		json_kint(w, "months", r->months);
		json_kint(w, "asked", r->asked);
		json_kint(w, "answered", r->answered);
		json_kint(w, "employed", r->employed);
		json_kint(w, "business", r->business);
		json_kint(w, "seeking", r->seeking);
		json_end(w);
	}
	json_end(w);
}

void quality_json_course(struct json_w *w, const struct quality_course *c)
{
	json_obj(w);
	json_kstr(w, "code", c->code);
	json_kstr(w, "name", c->name);
	json_kstr(w, "institution", c->institution);
	json_kstr(w, "occupation", c->occupation);
	json_kstr(w, "start_date", c->start);
	json_kstr(w, "end_date", c->end);
	json_kopt(w, "checks", c->checks);
	json_kopt(w, "class_hours", c->hours);
	json_kint(w, "trainees", c->trainees);
	qj_days(w, c);
	qj_never(w, c);
	json_kint(w, "late", c->late);
	json_kint(w, "other", c->other);
	qj_survey(w, c);
	qj_rounds(w, c);
	json_end(w);
}
