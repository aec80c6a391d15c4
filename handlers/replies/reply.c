/*
 * reply.c - helpers of the reply functions (see wording.h): every handler
 * renders through hnd_render(), finds the asking worker through
 * hnd_worker() and masks with hnd_mask(), so those rules live in one place.
 * The code -> label tables map the glossary codes stored in the database to
 * the label texts of conf/messages.conf.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/db.h"
#include "gateway/clock.h"
#include "gateway/text/fmt.h"
#include "handlers/domain/codes.h"
#include "handlers/replies/wording.h"
#include "handlers/domain/idcard.h"
#include "gateway/log.h"

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
	LOGP(DHAND, db_fail_level(), "%s: %s\n", what, dom_result_str(rc));
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

/* A code's label from the glossary, "" when there is none. */
static const char *hnd_label(const struct codes_table *t, const char *code)
{
	const char *l = codes_label(t, code);

	return l ? l : "";
}

const char *hnd_level(const struct handler_ctx *hc, int level)
{
	const char *l = codes_level_label(level);

	return l ? l : "";
}

const char *hnd_subsidy_kind(const struct handler_ctx *hc, const char *code)
{
	return hnd_label(&codes_subsidy_kind, code);
}

const char *hnd_subsidy_status(const struct handler_ctx *hc,
			       const char *code)
{
	return hnd_label(&codes_subsidy_status, code);
}

const char *hnd_cert_kind(const struct handler_ctx *hc, const char *code)
{
	return hnd_label(&codes_cert_kind, code);
}

const char *hnd_result(const struct handler_ctx *hc, const char *status,
		       const char *result)
{
	if (result && *result)
		return hnd_label(&codes_result, result);
	return hnd_label(&codes_enrol_status, status);
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
