/*
 * enrol.c - the enrolment as USSD screens (see screens.h): region,
 * occupation group, courses, detail, confirmation.
 *
 * The lists come from the domain layer as the SMS course list does
 * (dom_regions, dom_groups, dom_courses_open: open courses with a seat
 * before their deadline), narrowed by the region and group chosen, a page
 * at a time. The detail is dom_enrol_preview(): the same decisions
 * enrolling makes, without writing, and the subsidy rule's verdict, shown
 * as a warning before the worker confirms. Confirming is enrol_reply(),
 * the SMS command's own function, with the signed handler context: it
 * enrols (one INSERT the schema refuses for a full course, with its audit
 * row) and words the confirmation, which the engine sends as an SMS with
 * the step; the screen says the enrolment number. If the seat went between detail and confirmation,
 * the refusal enrol_reply gives is the final screen.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/replies/replies.h"
#include "handlers/replies/wording.h"
#include "gateway/log.h"
#include "screens_priv.h"

static void scr_region_item(const struct menu_env *e,
			     const struct dom_region *r, bool home,
			     struct menu_choice *it)
{
	menu_render(e->m, home ? MX_REGION_HOME : MX_REGION_ITEM,
		    (struct texts_val[]){ { "region", r->name } }, 1,
		    it->label, sizeof(it->label));
	snprintf(it->arg, sizeof(it->arg), "%s", r->code);
	snprintf(it->name, sizeof(it->name), "%s", r->name);
}

int screens_regions(const struct menu_env *e, const char *msisdn, void *ctx,
		 struct menu_choice **items, unsigned *n)
{
	struct dom_region *r = NULL;
	struct dom_worker w = { 0 };
	unsigned nr = 0, i, k = 0, home;
	int rc;

	rc = dom_worker_by_msisdn(screens_of(e)->hc.dom, msisdn, &w);
	if (rc >= 0)
		rc = dom_regions(screens_of(e)->hc.dom, ctx, &r, &nr);
	if (rc != DOM_OK)
		return rc < 0 ? rc : -EIO;
	*items = talloc_zero_array(ctx, struct menu_choice, nr ? nr : 1);
	if (!*items) {
		talloc_free(r);
		return -ENOMEM;
	}
	for (home = 0; home < nr && strcmp(r[home].code, w.region); home++)
		;
	if (home < nr)	/* the worker's own first */
		scr_region_item(e, &r[home], true, &(*items)[k++]);
	for (i = 0; i < nr; i++)
		if (i != home)
			scr_region_item(e, &r[i], false, &(*items)[k++]);
	*n = k;
	talloc_free(r);
	return 0;
}

int screens_groups(const struct menu_env *e, const char *region, void *ctx,
		struct menu_choice **items, unsigned *n)
{
	char **g = NULL;
	unsigned ng = 0, i;
	int rc;

	rc = dom_groups(screens_of(e)->hc.dom, ctx, region, e->now_ms, &g, &ng);
	if (rc != DOM_OK)
		return rc < 0 ? rc : -EIO;
	*items = talloc_zero_array(ctx, struct menu_choice, ng ? ng : 1);
	if (!*items) {
		talloc_free(g);
		return -ENOMEM;
	}
	for (i = 0; i < ng; i++) {
		struct menu_choice *it = &(*items)[i];

		menu_render(e->m, MX_GROUP_ITEM, (struct texts_val[]){
			{ "group", g[i] } }, 1, it->label, sizeof(it->label));
		snprintf(it->arg, sizeof(it->arg), "%s", g[i]);
		snprintf(it->name, sizeof(it->name), "%s", g[i]);
	}
	*n = ng;
	talloc_free(g);
	return 0;
}

/* The values of a course as the menu texts name them. */
struct scr_cvals {
	char start[FMT_CN_DATE], end[FMT_CN_DATE], deadline[FMT_CN_DATE];
	char seats[HND_NUM_MAX], amount[FMT_YUAN];
};

static void scr_course_vals(const struct dom_course *c, struct scr_cvals *v)
{
	hnd_date(c->start_date, false, v->start, sizeof(v->start));
	hnd_date(c->end_date, false, v->end, sizeof(v->end));
	hnd_date(c->enrol_deadline, false, v->deadline, sizeof(v->deadline));
	snprintf(v->seats, sizeof(v->seats), "%u", c->capacity > c->seats_taken ?
		 c->capacity - c->seats_taken : 0);
	fmt_yuan(c->subsidy_fen, v->amount, sizeof(v->amount));
}

static size_t scr_course_render(const struct menu_env *e,
				 enum menu_text id, const struct dom_course *c,
				 char *out, size_t cap)
{
	struct scr_cvals v;

	scr_course_vals(c, &v);
	return menu_render(e->m, id, (struct texts_val[]){
		{ "course", c->name }, { "code", c->code },
		{ "level", hnd_level(&screens_of(e)->hc, c->level) },
		{ "institution", c->institution_name },
		{ "start", v.start }, { "end", v.end },
		{ "deadline", v.deadline }, { "seats", v.seats },
		{ "amount", v.amount } }, 9, out, cap);
}

int screens_courses(const struct menu_env *e, const char *region,
		 const char *group, unsigned offset, unsigned max, void *ctx,
		 struct menu_choice **items, unsigned *n, bool *more)
{
	struct dom_course_filter f = { 0 };
	struct dom_course *c = NULL;
	unsigned nc = 0, i;
	int rc;

	snprintf(f.region, sizeof(f.region), "%s", region);
	snprintf(f.group, sizeof(f.group), "%s", group);
	rc = dom_courses_open(screens_of(e)->hc.dom, ctx, &f, e->now_ms, offset, max, &c,
			      &nc, more);
	if (rc != DOM_OK)
		return rc < 0 ? rc : -EIO;
	*items = talloc_zero_array(ctx, struct menu_choice, nc ? nc : 1);
	if (!*items) {
		talloc_free(c);
		return -ENOMEM;
	}
	for (i = 0; i < nc; i++) {
		struct menu_choice *it = &(*items)[i];

		scr_course_render(e, MX_COURSE_ITEM, &c[i], it->label,
				   sizeof(it->label));
		snprintf(it->arg, sizeof(it->arg), "%s", c[i].code);
		snprintf(it->name, sizeof(it->name), "%s", c[i].name);
	}
	*n = nc;
	talloc_free(c);
	return 0;
}

/* The line that says why a course cannot be chosen; MX_NUM: it can. */
static enum menu_text scr_refusal(int rc)
{
	switch (rc) {
	case DOM_OK:		return MX_NUM;
	case DOM_FULL:		return MX_REFUSE_FULL;
	case DOM_ALREADY:	return MX_REFUSE_DUP;
	case DOM_DEADLINE:	return MX_REFUSE_CLOSED;
	default:		return MX_REFUSE_GONE;
	}
}

/* The subsidy rule's warning line, "" when the course would be paid. */
static size_t scr_warning(const struct menu_env *e,
			   const struct dom_course *c, int rule_rc,
			   const struct dom_rule *rule, char *out, size_t cap)
{
	char count[HND_NUM_MAX];

	out[0] = '\0';
	if (c->subsidy_fen <= 0 || rule_rc == DOM_OK)
		return 0;
	snprintf(count, sizeof(count), "%u", rule->year_count);
	if (rule_rc == DOM_RULE_YEAR)
		return menu_render(e->m, MX_WARN_YEAR, (struct texts_val[]){
			{ "count", count } }, 1, out, cap);
	return menu_render(e->m, MX_WARN_SAME, (struct texts_val[]){
		{ "occupation", c->occupation_name },
		{ "level", hnd_level(&screens_of(e)->hc, c->level) } }, 2, out, cap);
}

/* Append "\n" and the line of text id (rendered with v) to out. */
static size_t scr_append(const struct menu_env *e, enum menu_text id,
			  const struct texts_val *v, size_t nv, char *out,
			  size_t len, size_t cap)
{
	if (len + 1 >= cap)
		return len;
	out[len] = '\n';
	return len + 1 + menu_render(e->m, id, v, nv, out + len + 1,
				     cap - len - 1);
}

int screens_detail(const struct menu_env *e, const char *msisdn,
		const char *code, char *out, size_t cap, bool *can_enrol)
{
	char line[MENU_LINE_MAX], date[FMT_CN_DATE];
	struct dom_course c = { 0 };
	struct dom_rule rule = { 0 };
	struct dom_worker w = { 0 };
	enum menu_text why;
	int rc, rule_rc = DOM_OK;
	size_t len;

	*can_enrol = false;
	rc = dom_worker_by_msisdn(screens_of(e)->hc.dom, msisdn, &w);
	if (rc == DOM_OK)
		rc = dom_enrol_preview(screens_of(e)->hc.dom, w.id, code, e->now_ms, &c,
				       &rule_rc, &rule);
	if (rc < 0)
		return rc;
	if (!c.code[0]) {	/* no such course (or no worker) */
		menu_render(e->m, MX_REFUSE_GONE, NULL, 0, out, cap);
		return 0;
	}
	/* the warning first: a long detail is paged, and "1 确认报名" is
	 * offered on the first page, so that is where it must be read */
	len = 0;
	if (scr_warning(e, &c, rule_rc, &rule, line, sizeof(line)))
		len = snprintf(out, cap, "%s\n", line);
	if (len < cap)
		len += scr_course_render(e, MX_DETAIL, &c, out + len, cap - len);
	why = scr_refusal(rc);
	hnd_date(c.enrol_deadline, true, date, sizeof(date));
	if (why != MX_NUM)
		scr_append(e, why, (struct texts_val[]){ { "date", date } }, 1,
			    out, len, cap);
	*can_enrol = why == MX_NUM;
	return 0;
}

/* The final screen of an enrolment: its number and the course. */
static int scr_enrolled(const struct menu_env *e, const struct dom_course *c,
			 int64_t no, char *out, size_t cap)
{
	char number[HND_NUM_MAX];
	struct scr_cvals v;

	scr_course_vals(c, &v);
	snprintf(number, sizeof(number), "%lld", (long long)no);
	menu_render(e->m, MX_ENROLLED, (struct texts_val[]){
		{ "number", number }, { "course", c->name },
		{ "code", c->code }, { "start", v.start },
		{ "institution", c->institution_name } }, 5, out, cap);
	return 0;
}

int screens_enrol(const struct menu_env *e, const char *msisdn,
		  const char *code, char *out, size_t cap, char *sms,
		  size_t sms_cap)
{
	struct dom_course c = { 0 };
	struct dom_worker w;
	int64_t no = 0;
	int rc;

	rc = dom_worker_by_msisdn(screens_of(e)->hc.dom, msisdn, &w);
	if (rc == DOM_OK)
		rc = dom_enrol_preview(screens_of(e)->hc.dom, w.id, code, e->now_ms, &c,
				       NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc != DOM_OK)	/* why not, as the SMS command words it */
		return enrol_reply(&screens_of(e)->hc, msisdn, code, out, cap);
	sms[0] = '\0';
	rc = enrol_reply(&screens_of(e)->hc_sms, msisdn, code, sms, sms_cap);
	if (rc == 0)
		rc = dom_enrolment_id(screens_of(e)->hc.dom, w.id, code, &no);
	if (rc == DOM_NOT_ENROLLED) {	/* the seat went meanwhile */
		sms[0] = '\0';
		return enrol_reply(&screens_of(e)->hc, msisdn, code, out, cap);
	}
	if (rc < 0)
		return rc;
	LOGP(DUSSD, LOGL_INFO, "%s: enrolled in %s, enrolment %lld\n", log_num(msisdn),
	     code, (long long)no);
	return scr_enrolled(e, &c, no, out, cap);
}
