/*
 * register.c - ZC 身份证号 姓名: bind the asking number to a roster entry.
 *
 * The roster import binds most numbers already (a number on the roster is
 * found by dom_worker_by_msisdn and never needs ZC); this is for workers
 * whose number the bureau does not have. The ID and the name must match an
 * entry that no number is bound to. dom_register() decides, counts the
 * failures of the number per day and locks it after
 * commands.register_max_failures of them; it writes the audit rows
 * (register, register_fail, lockout). An answer never says which of ID and
 * name was wrong, and a number locked for the day is told so before
 * anything else is looked at.
 */
#include <errno.h>
#include <stdio.h>

#include "gateway/text/input.h"
#include "handlers/replies/wording.h"

#define REG_NAME_MAX	DOM_NAME_MAX

/* The answer to a bound number: who it is bound to, masked. */
static int reg_bound(const struct handler_ctx *hc, enum texts_id id,
		     const struct dom_worker *w, char *out, size_t cap)
{
	struct hnd_masked m;

	hnd_mask(w, &m);
	hnd_render(hc, id, (struct texts_val[]){ { "name", m.name },
						 { "id", m.id } }, 2, out, cap);
	return 0;
}

/* A counted failure: its own text, or the lock when it was the last. */
static int reg_failed(const struct handler_ctx *hc, enum texts_id id,
		      const struct dom_reg *r, char *out, size_t cap)
{
	char left[HND_NUM_MAX];

	if (r->locked_now || !r->left)
		id = TX_REG_LOCKED;
	snprintf(left, sizeof(left), "%u", r->left);
	hnd_render(hc, id, (struct texts_val[]){ { "left", left } }, 1, out,
		   cap);
	return 0;
}

static int reg_result(const struct handler_ctx *hc, const char *msisdn,
		      int rc, const struct dom_reg *r, char *out, size_t cap)
{
	struct dom_worker w;

	switch (rc) {
	case DOM_OK:
		return reg_bound(hc, TX_REG_OK, &r->w, out, cap);
	case DOM_ALREADY:
		return reg_bound(hc, TX_REG_ALREADY, &r->w, out, cap);
	case DOM_NUMBER_BOUND:	/* bound meanwhile: say to whom */
		if (dom_worker_by_msisdn(hc->dom, msisdn, &w) != DOM_OK)
			return hnd_fail(hc, -EIO, "register", out, cap);
		return reg_bound(hc, TX_REG_ALREADY, &w, out, cap);
	case DOM_LOCKED:
		hnd_render(hc, TX_REG_LOCKED, NULL, 0, out, cap);
		return 0;
	case DOM_BAD_ID:
		return reg_failed(hc, TX_REG_BAD_ID, r, out, cap);
	case DOM_NO_MATCH:
		return reg_failed(hc, TX_REG_MISMATCH, r, out, cap);
	case DOM_ID_BOUND:
		return reg_failed(hc, TX_REG_TAKEN, r, out, cap);
	default:
		return hnd_fail(hc, rc, "register", out, cap);
	}
}

int register_reply(struct handler_ctx *hc, const char *msisdn,
		   const char *arg, char *out, size_t cap)
{
	char id[IDCARD_LEN + 1], name[REG_NAME_MAX];
	struct dom_worker w;
	struct dom_reg r;
	int rc;

	rc = hnd_worker(hc, msisdn, &w, TX_REG_USAGE, out, cap);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return reg_bound(hc, TX_REG_ALREADY, &w, out, cap);
	rc = dom_reg_status(hc->dom, msisdn, hnd_now(hc), NULL);
	if (rc < 0)
		return hnd_fail(hc, rc, "register status", out, cap);
	if (rc == DOM_LOCKED) {
		hnd_render(hc, TX_REG_LOCKED, NULL, 0, out, cap);
		return 0;
	}
	switch (input_id_name(arg ? arg : "", id, sizeof(id), name,
				    sizeof(name))) {
	case 0:
		break;
	case -EINVAL:
		hnd_render(hc, TX_REG_BAD_ID, NULL, 0, out, cap);
		return 0;
	default:	/* no ID, no name, a name too long to be one */
		hnd_render(hc, TX_REG_USAGE, NULL, 0, out, cap);
		return 0;
	}
	rc = dom_register(hc->dom, msisdn, id, name, hc->via, hnd_now(hc), &r);
	return reg_result(hc, msisdn, rc, &r, out, cap);
}
