/*
 * enrol.c - BM 课程号 (enrol) and QX 课程号 (cancel).
 *
 * Enrolment first asks dom_enrol_preview() what would happen, to answer a
 * refusal precisely (no such open course, deadline passed, full, already
 * enrolled) and to learn whether the subsidy rule ("at most 3 training
 * subsidies a year, never twice for the same occupation and level") means
 * this course would not be subsidised. Then dom_enrol() enrols with one
 * INSERT that the schema refuses for a full course, so the last seats go to
 * exactly as many workers as there are seats however many ask at once; if
 * the seat went between preview and insert, the insert's refusal is the
 * answer. SMS has no confirmation step, so the rule's warning goes into
 * the confirmation. Cancelling is allowed before the course starts.
 * dom_enrol() and dom_cancel() write the audit rows.
 */
#include <errno.h>
#include <stdio.h>

#include "gateway/text/input.h"
#include "gateway/text/fmt.h"
#include "handlers/replies/wording.h"

/* The course code typed after BM/QX: 0, or 1 with the usage text in out. */
static int enrol_code(const struct handler_ctx *hc, const char *arg,
		      enum texts_id usage, char *code, size_t code_cap,
		      char *out, size_t cap)
{
	if (input_digits(arg ? arg : "", code, code_cap) == 0)
		return 0;
	hnd_render(hc, usage, NULL, 0, out, cap);
	return 1;
}

/* The warning of the subsidy rule, "" when the course would be paid. */
static void enrol_warning(const struct handler_ctx *hc,
			  const struct dom_course *c, int rule_rc,
			  const struct dom_rule *rule, char *out, size_t cap)
{
	char count[HND_NUM_MAX];

	out[0] = '\0';
	if (c->subsidy_fen <= 0)
		return;
	snprintf(count, sizeof(count), "%u", rule->year_count);
	if (rule_rc == DOM_RULE_YEAR)
		texts_render(hc->texts, TX_ENROL_WARN_YEAR, (struct texts_val[]){
			{ "count", count } }, 1, out, cap);
	else if (rule_rc == DOM_RULE_SAME)
		texts_render(hc->texts, TX_ENROL_WARN_SAME, (struct texts_val[]){
			{ "occupation", c->occupation_name },
			{ "level", hnd_level(hc, c->level) } }, 2, out, cap);
}

/* The text for the outcome of an enrolment or a cancellation; TX_NUM for
 * an outcome that has none (a bug or a database failure). */
static enum texts_id enrol_text(int rc, bool cancel)
{
	switch (rc) {
	case DOM_OK:		return cancel ? TX_CANCEL_OK : TX_ENROL_OK;
	case DOM_NOT_FOUND:	return cancel ? TX_CANCEL_NONE : TX_ENROL_UNKNOWN;
	case DOM_NOT_OPEN:	return TX_ENROL_UNKNOWN;
	case DOM_DEADLINE:	return TX_ENROL_CLOSED;
	case DOM_FULL:		return TX_ENROL_FULL;
	case DOM_ALREADY:	return TX_ENROL_DUP;
	case DOM_NOT_ENROLLED:	return TX_CANCEL_NONE;
	case DOM_STARTED:	return TX_CANCEL_STARTED;
	default:		return TX_NUM;
	}
}

/* Render text id about course c; {date} is the deadline for a closed
 * enrolment, else the start. */
static int enrol_answer(const struct handler_ctx *hc, enum texts_id id,
			const struct dom_worker *w, const struct dom_course *c,
			const char *code, const char *warning, char *out,
			size_t cap)
{
	char start[FMT_CN_DATE], end[FMT_CN_DATE], date[FMT_CN_DATE],
	     amount[FMT_YUAN];
	struct hnd_masked m;
	struct texts_val v[] = {
		{ "name", m.name }, { "course", c->name },
		{ "code", c->code[0] ? c->code : code },
		{ "level", hnd_level(hc, c->level) },
		{ "start", start }, { "end", end },
		{ "institution", c->institution_name },
		{ "amount", amount }, { "warning", warning }, { "date", date },
	};

	hnd_mask(w, &m);
	hnd_date(c->start_date, false, start, sizeof(start));
	hnd_date(c->end_date, false, end, sizeof(end));
	hnd_date(id == TX_ENROL_CLOSED ? c->enrol_deadline : c->start_date,
		 true, date, sizeof(date));
	fmt_yuan(c->subsidy_fen, amount, sizeof(amount));
	hnd_render(hc, id, v, sizeof(v) / sizeof(v[0]), out, cap);
	return 0;
}

int enrol_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
		char *out, size_t cap)
{
	char code[DOM_CODE_MAX], warning[TEXTS_MAX] = "";
	struct dom_course c = { 0 }, after = { 0 };
	struct dom_rule rule = { 0 };
	struct dom_worker w;
	int rc, rule_rc = DOM_OK;

	rc = hnd_worker(hc, msisdn, &w, TX_NOT_REGISTERED, out, cap);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (enrol_code(hc, arg, TX_ENROL_USAGE, code, sizeof(code), out, cap))
		return 0;
	rc = dom_enrol_preview(hc->dom, w.id, code, hnd_now(hc), &c, &rule_rc,
			       &rule);
	if (rc == DOM_OK) {
		enrol_warning(hc, &c, rule_rc, &rule, warning, sizeof(warning));
		rc = dom_enrol(hc->dom, w.id, code, hc->via, msisdn,
			       hnd_now(hc), &after);
		if (after.code[0])	/* seats as they are now */
			c = after;
	}
	if (enrol_text(rc, false) == TX_NUM)
		return hnd_fail(hc, rc, "enrol", out, cap);
	return enrol_answer(hc, enrol_text(rc, false), &w, &c, code,
			    rc == DOM_OK ? warning : "", out, cap);
}

int cancel_reply(struct handler_ctx *hc, const char *msisdn,
		 const char *arg, char *out, size_t cap)
{
	char code[DOM_CODE_MAX];
	struct dom_course c = { 0 };
	struct dom_worker w;
	int rc;

	rc = hnd_worker(hc, msisdn, &w, TX_NOT_REGISTERED, out, cap);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (enrol_code(hc, arg, TX_CANCEL_USAGE, code, sizeof(code), out, cap))
		return 0;
	rc = dom_cancel(hc->dom, w.id, code, msisdn, hnd_now(hc), &c);
	if (enrol_text(rc, true) == TX_NUM)
		return hnd_fail(hc, rc, "cancel", out, cap);
	return enrol_answer(hc, enrol_text(rc, true), &w, &c, code, "", out,
			    cap);
}
