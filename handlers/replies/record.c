/*
 * record.c - DA 档案 WD 我的 RECORD: the asking worker's training record:
 * the highest skill level reached per occupation, the trainings (newest
 * first, with their result) and the certificates, as one list cut to
 * commands.list_parts SMS.
 */
#include <errno.h>
#include <stdio.h>

#include <osmocom/core/talloc.h>

#include "gateway/text/fmt.h"
#include "handlers/replies/wording.h"

static void record_training(const struct handler_ctx *hc,
			    const struct dom_training *t, char *out,
			    size_t cap)
{
	char start[FMT_CN_DATE], end[FMT_CN_DATE], date[FMT_CN_DATE];
	struct texts_val v[] = {
		{ "course", t->name }, { "code", t->code },
		{ "level", hnd_level(hc, t->level) }, { "date", date },
		{ "start", start }, { "end", end },
		{ "result", hnd_result(hc, t->status, t->result) },
	};

	hnd_date(t->start_date, true, date, sizeof(date));
	hnd_date(t->start_date, false, start, sizeof(start));
	hnd_date(t->end_date, false, end, sizeof(end));
	texts_render(hc->texts, TX_RECORD_ITEM, v, sizeof(v) / sizeof(v[0]),
		     out, cap);
}

static void record_cert(const struct handler_ctx *hc,
			const struct dom_cert *c, char *out, size_t cap)
{
	char date[FMT_CN_DATE];
	struct texts_val v[] = {
		{ "cert", hnd_cert_kind(hc, c->kind) },
		{ "occupation", c->occupation_name },
		{ "level", hnd_level(hc, c->level) },
		{ "date", date },
	};

	hnd_date(c->issued_date, true, date, sizeof(date));
	texts_render(hc->texts, TX_RECORD_CERT, v, sizeof(v) / sizeof(v[0]),
		     out, cap);
}

static void record_skill(const struct handler_ctx *hc,
			 const struct dom_skill *s, char *out, size_t cap)
{
	struct texts_val v[] = {
		{ "occupation", s->occupation_name },
		{ "level", hnd_level(hc, s->level) },
	};

	texts_render(hc->texts, TX_RECORD_SKILL, v, 2, out, cap);
}

static int record_list(const struct handler_ctx *hc,
		       const struct dom_worker *w, const struct dom_record *r,
		       char *out, size_t cap)
{
	unsigned n = r->n_skills + r->n_trainings + r->n_certs, i, k = 0;
	struct hnd_lines *l = hnd_lines_new(NULL, n);
	char head[TEXTS_MAX], count[HND_NUM_MAX];
	struct hnd_masked m;

	if (!l)
		return hnd_fail(hc, -ENOMEM, "record", out, cap);
	hnd_mask(w, &m);
	snprintf(count, sizeof(count), "%u", r->n_trainings);
	hnd_render(hc, TX_RECORD_HEAD, (struct texts_val[]){
		{ "name", m.name }, { "count", count } }, 2, head, sizeof(head));
	for (i = 0; i < r->n_skills; i++)
		record_skill(hc, &r->skills[i], l->line[k++], HND_LINE_MAX);
	for (i = 0; i < r->n_trainings; i++)
		record_training(hc, &r->trainings[i], l->line[k++], HND_LINE_MAX);
	for (i = 0; i < r->n_certs; i++)
		record_cert(hc, &r->certs[i], l->line[k++], HND_LINE_MAX);
	hnd_list(hc, head, (const char *const *)l->line, n, n, TX_LIST_MORE,
		 out, cap);
	talloc_free(l);
	return 0;
}

int record_reply(struct handler_ctx *hc, const char *msisdn,
		 const char *arg, char *out, size_t cap)
{
	void *tmp = talloc_new(NULL);
	struct dom_record r = { 0 };
	struct dom_worker w;
	struct hnd_masked m;
	int rc;

	rc = hnd_worker(hc, msisdn, &w, TX_NOT_REGISTERED, out, cap);
	if (rc == 0 && (rc = dom_record(hc->dom, tmp, w.id, &r)) != DOM_OK)
		rc = hnd_fail(hc, rc, "record", out, cap);
	else if (rc == 0 && !r.n_trainings && !r.n_certs && !r.n_skills) {
		hnd_mask(&w, &m);
		hnd_render(hc, TX_RECORD_NONE, (struct texts_val[]){
			{ "name", m.name } }, 1, out, cap);
	} else if (rc == 0) {
		rc = record_list(hc, &w, &r, out, cap);
	}
	talloc_free(tmp);
	return rc < 0 ? rc : 0;
}
