/*
 * reply.c - helpers of the reply functions (see hnd.h): every handler
 * renders through hnd_render(), finds the asking worker through
 * hnd_worker() and masks with hnd_mask(), so those rules live in one place.
 * The code -> label tables map the glossary codes stored in the database to
 * the label texts of conf/messages.conf.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/clock.h"
#include "gateway/text/fmt.h"
#include "hnd.h"
#include "handlers/domain/idcard.h"
#include "gateway/log.h"

struct hnd_label {
	const char *code;
	enum texts_id id;
};

static const struct hnd_label hnd_kinds[] = {
	{ "training", TX_KIND_TRAINING },
	{ "appraisal", TX_KIND_APPRAISAL },
	{ "living", TX_KIND_LIVING },
	{ "entrepreneurship", TX_KIND_ENTREPRENEURSHIP },
	{ NULL, 0 }
};

static const struct hnd_label hnd_statuses[] = {
	{ "received", TX_STATUS_RECEIVED },
	{ "reviewing", TX_STATUS_REVIEWING },
	{ "approved", TX_STATUS_APPROVED },
	{ "paid", TX_STATUS_PAID },
	{ "rejected", TX_STATUS_REJECTED },
	{ NULL, 0 }
};

static const struct hnd_label hnd_certs[] = {
	{ "qualification", TX_CERT_QUALIFICATION },
	{ "skill_level", TX_CERT_SKILL_LEVEL },
	{ "special_ability", TX_CERT_SPECIAL_ABILITY },
	{ "completion", TX_CERT_COMPLETION },
	{ NULL, 0 }
};

static const struct hnd_label hnd_results[] = {
	{ "enrolled", TX_RESULT_ENROLLED },
	{ "cancelled", TX_RESULT_CANCELLED },
	{ "completed", TX_RESULT_COMPLETED },
	{ "passed", TX_RESULT_PASSED },
	{ "failed", TX_RESULT_FAILED },
	{ NULL, 0 }
};

/* Skill level 1 (高级技师) .. 5 (初级工) */
static const enum texts_id hnd_levels[] = {
	TX_LEVEL_1, TX_LEVEL_2, TX_LEVEL_3, TX_LEVEL_4, TX_LEVEL_5,
};

int64_t hnd_now(const struct handler_ctx *hc)
{
	return hc->now_ms ? hc->now_ms : clock_now_ms();
}

int hnd_render(const struct handler_ctx *hc, enum texts_id id,
	       const struct texts_val *v, size_t n, char *out, size_t cap)
{
	struct texts_val all[HND_VALS_MAX + 1];
	size_t k = 0;

	if (hc->signature)
		all[k++] = (struct texts_val){ "signature", hc->signature };
	for (; n > 0 && k < HND_VALS_MAX + 1; n--)
		all[k++] = *v++;
	return texts_render(hc->texts, id, all, k, out, cap);
}

int hnd_fail(const struct handler_ctx *hc, int rc, const char *what,
	     char *out, size_t cap)
{
	LOGP(DHAND, LOGL_ERROR, "%s: %s\n", what, dom_result_str(rc));
	hnd_render(hc, TX_ERROR, NULL, 0, out, cap);
	return rc < 0 ? rc : -EIO;
}

int hnd_worker(const struct handler_ctx *hc, const char *msisdn,
	       struct dom_worker *w, enum texts_id text_if_not, char *out,
	       size_t cap)
{
	int rc = dom_worker_by_msisdn(hc->dom, msisdn ? msisdn : "", w);

	if (rc == DOM_OK)
		return 0;
	if (rc == DOM_NOT_FOUND) {
		hnd_render(hc, text_if_not, NULL, 0, out, cap);
		return 1;
	}
	return hnd_fail(hc, rc, "worker by number", out, cap);
}

void hnd_mask(const struct dom_worker *w, struct hnd_masked *m)
{
	fmt_name_mask(w->name, m->name, sizeof(m->name));
	idcard_mask(w->id_number, m->id);
}

void hnd_date(const char *iso, bool year, char *out, size_t cap)
{
	if (fmt_date_cn(iso, year, out, cap) < 0 && cap)
		out[0] = '\0';
}

static const char *hnd_label(const struct handler_ctx *hc,
			     const struct hnd_label *t, const char *code)
{
	for (; code && t->code; t++)
		if (!strcmp(t->code, code))
			return texts_get(hc->texts, t->id);
	return "";
}

const char *hnd_level(const struct handler_ctx *hc, int level)
{
	if (level < 1 || level > (int)(sizeof(hnd_levels) / sizeof(hnd_levels[0])))
		return "";
	return texts_get(hc->texts, hnd_levels[level - 1]);
}

const char *hnd_subsidy_kind(const struct handler_ctx *hc, const char *code)
{
	return hnd_label(hc, hnd_kinds, code);
}

const char *hnd_subsidy_status(const struct handler_ctx *hc,
			       const char *code)
{
	return hnd_label(hc, hnd_statuses, code);
}

const char *hnd_cert_kind(const struct handler_ctx *hc, const char *code)
{
	return hnd_label(hc, hnd_certs, code);
}

const char *hnd_result(const struct handler_ctx *hc, const char *status,
		       const char *result)
{
	return hnd_label(hc, hnd_results, result && *result ? result : status);
}

struct hnd_lines *hnd_lines_new(void *ctx, unsigned n)
{
	struct hnd_lines *l = talloc_zero(ctx, struct hnd_lines);
	char *buf;
	unsigned i;

	if (!l)
		return NULL;
	l->line = talloc_zero_array(l, char *, n + 1);
	buf = talloc_zero_size(l, (size_t)(n + 1) * HND_LINE_MAX);
	if (!l->line || !buf) {
		talloc_free(l);
		return NULL;
	}
	for (i = 0; i < n; i++)
		l->line[i] = buf + (size_t)i * HND_LINE_MAX;
	l->n = n;
	return l;
}

int hnd_list(const struct handler_ctx *hc, const char *head,
	     const char *const *lines, unsigned n, unsigned total,
	     enum texts_id more_id, char *out, size_t cap)
{
	texts_list(hc->texts, head, lines, n, total, more_id,
		   hc->list_parts ? hc->list_parts : TEXTS_REPLY_PARTS, out,
		   cap);
	return 0;
}
