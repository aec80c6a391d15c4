/*
 * optout.c - TD T 退订 STOP and DY 订阅 START: stop or resume the bureau's
 * bulk notices for the asking worker (the scheduler skips opted-out
 * workers). Asking twice gives the same confirmation. A number not bound
 * to a worker is told that it receives no notices anyway. dom_set_optout()
 * writes the audit row.
 */
#include <stdbool.h>

#include "handlers/replies/wording.h"

static int optout_set(struct handler_ctx *hc, const char *msisdn, bool out_,
		      char *out, size_t cap)
{
	struct dom_worker w;
	int rc;

	rc = hnd_worker(hc, msisdn, &w, TX_OPT_UNBOUND, out, cap);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = dom_set_optout(hc->dom, w.id, out_, msisdn, hnd_now(hc));
	if (rc != DOM_OK && rc != DOM_ALREADY)
		return hnd_fail(hc, rc, out_ ? "optout" : "optin", out, cap);
	hnd_render(hc, out_ ? TX_OPTOUT_OK : TX_OPTIN_OK, NULL, 0, out, cap);
	return 0;
}

int optout_reply(struct handler_ctx *hc, const char *msisdn,
		 const char *arg, char *out, size_t cap)
{
	return optout_set(hc, msisdn, true, out, cap);
}

int optin_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
		char *out, size_t cap)
{
	return optout_set(hc, msisdn, false, out, cap);
}
