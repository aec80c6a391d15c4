/*
 * subsidy.c - BT 补贴: every subsidy of the asking worker, newest first:
 * kind, course, amount, status and the date that goes with the status
 * (paid, decided or applied), and the reason when it was rejected. A
 * number that is not bound to a worker gets nothing personal, only how to
 * register; a worker without subsidies is told how to apply. The list is
 * cut to commands.list_parts SMS with a note of how many were left out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/text/fmt.h"
#include "handlers/replies/wording.h"

/* The date a worker wants to see for the subsidy's status. */
static const char *subsidy_date(const struct dom_subsidy *s)
{
	if (!strcmp(s->status, "paid") && s->paid_date[0])
		return s->paid_date;
	if ((!strcmp(s->status, "approved") || !strcmp(s->status, "rejected"))
	    && s->decided_date[0])
		return s->decided_date;
	return s->applied_date;
}

static void subsidy_line(const struct handler_ctx *hc,
			 const struct dom_subsidy *s, char *out, size_t cap)
{
	char amount[FMT_YUAN], date[FMT_CN_DATE];
	const char *course = s->course_name[0] ? s->course_name :
			     s->occupation_name;
	bool rejected = !strcmp(s->status, "rejected");
	struct texts_val v[] = {
		{ "kind", hnd_subsidy_kind(hc, s->kind) },
		{ "course", course },
		{ "amount", amount },
		{ "status", hnd_subsidy_status(hc, s->status) },
		{ "date", date },
		{ "reason", s->reason },
	};

	fmt_yuan(s->amount_fen, amount, sizeof(amount));
	hnd_date(subsidy_date(s), true, date, sizeof(date));
	texts_render(hc->texts, rejected ? TX_SUBSIDY_ITEM_REJECTED :
		     TX_SUBSIDY_ITEM, v, sizeof(v) / sizeof(v[0]), out, cap);
}

static int subsidy_list(struct handler_ctx *hc, const struct dom_worker *w,
			const struct dom_subsidy *s, unsigned n, char *out,
			size_t cap)
{
	struct hnd_lines *l = hnd_lines_new(NULL, n);
	char head[TEXTS_MAX], count[HND_NUM_MAX];
	struct hnd_masked m;
	unsigned i;

	if (!l)
		return hnd_fail(hc, -ENOMEM, "subsidy list", out, cap);
	hnd_mask(w, &m);
	snprintf(count, sizeof(count), "%u", n);
	hnd_render(hc, TX_SUBSIDY_HEAD, (struct texts_val[]){
		{ "name", m.name }, { "count", count } }, 2, head, sizeof(head));
	for (i = 0; i < n; i++)
		subsidy_line(hc, &s[i], l->line[i], HND_LINE_MAX);
	hnd_list(hc, head, (const char *const *)l->line, n, n, TX_LIST_MORE,
		 out, cap);
	talloc_free(l);
	return 0;
}

int subsidy_reply(struct handler_ctx *hc, const char *msisdn,
		  const char *arg, char *out, size_t cap)
{
	struct dom_subsidy *s = NULL;
	struct dom_worker w;
	struct hnd_masked m;
	unsigned n = 0;
	int rc;

	rc = hnd_worker(hc, msisdn, &w, TX_NOT_REGISTERED, out, cap);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = dom_subsidies(hc->dom, NULL, w.id, &s, &n);
	if (rc != DOM_OK) {
		talloc_free(s);
		return hnd_fail(hc, rc, "subsidies", out, cap);
	}
	if (n == 0) {
		hnd_mask(&w, &m);
		hnd_render(hc, TX_SUBSIDY_NONE, (struct texts_val[]){
			{ "name", m.name } }, 1, out, cap);
	} else {
		rc = subsidy_list(hc, &w, s, n, out, cap);
	}
	talloc_free(s);
	return rc;
}
