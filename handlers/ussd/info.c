/*
 * info.c - the USSD screens of subsidies, the training record, the
 * latest notices and opt-out/in (see screens.h).
 *
 * Subsidies, record and opt-out are the SMS reply functions themselves
 * (subsidy_reply, record_reply, optout_reply, optin_reply) called with the
 * screen's handler context: no signature, and lists long enough for the
 * engine to page rather than cut. A number that is not bound gets what
 * those functions give it (the engine asks for registration before the
 * personal ones). The notices are what campaigns sent to the number (the
 * queue's, through screens_params.notices), worded with the menu's texts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/replies/replies.h"
#include "handlers/replies/wording.h"
#include "screens_priv.h"

int screens_bound(const struct menu_env *e, const char *msisdn)
{
	struct dom_worker w;
	int rc = dom_worker_by_msisdn(screens_of(e)->hc.dom, msisdn, &w);

	if (rc < 0)
		return rc;
	return rc == DOM_OK;
}

/* A reply function's whole answer, talloc'ed. */
static int scr_reply_text(const struct menu_env *e, handler_fn fn,
			   const char *msisdn, void *ctx, char **out)
{
	char *buf = talloc_size(ctx, MENU_TEXT_MAX);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = fn(&screens_of(e)->hc, msisdn, "", buf, MENU_TEXT_MAX);
	if (rc < 0) {
		talloc_free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

int screens_subsidy_text(const struct menu_env *e, const char *msisdn,
		      void *ctx, char **out)
{
	return scr_reply_text(e, subsidy_reply, msisdn, ctx, out);
}

int screens_record_text(const struct menu_env *e, const char *msisdn,
		     void *ctx, char **out)
{
	return scr_reply_text(e, record_reply, msisdn, ctx, out);
}

int screens_opt_text(const struct menu_env *e, const char *msisdn, bool stop,
		  char *out, size_t cap)
{
	return (stop ? optout_reply : optin_reply)(&screens_of(e)->hc, msisdn, "", out,
						   cap);
}

/* "title\nitem\nitem": one line per notice. */
static int scr_notices_lines(const struct menu_env *e,
			      const struct screens_notice *nt, unsigned n,
			      char *buf, size_t cap)
{
	size_t len = menu_render(e->m, n ? MX_NOTICES : MX_NOTICES_NONE,
				 NULL, 0, buf, cap);
	char date[FMT_CN_DATE];
	unsigned i;

	for (i = 0; i < n && len + 1 < cap; i++) {
		buf[len++] = '\n';
		char iso[FMT_ISO_DATE];

		fmt_local_date(nt[i].at_ms, iso);
		hnd_date(iso, false, date, sizeof(date));
		len += menu_render(e->m, MX_NOTICE_ITEM, (struct texts_val[]){
			{ "date", date }, { "text", nt[i].text } }, 2,
			buf + len, cap - len);
	}
	return 0;
}

int screens_notices_text(const struct menu_env *e, const char *msisdn,
		      void *ctx, char **out)
{
	struct screens *sc = screens_of(e);
	struct screens_notice nt[SCREENS_NOTICES_MAX];
	void *tmp = talloc_new(ctx);
	char *buf = talloc_size(ctx, MENU_TEXT_MAX);
	unsigned n = 0;
	int rc;

	rc = tmp && buf ? sc->notices(sc->notices_data, msisdn,
				      SCREENS_NOTICES_MAX, tmp, nt, &n) :
			  -ENOMEM;
	if (rc == 0)
		rc = scr_notices_lines(e, nt, n, buf, MENU_TEXT_MAX);
	talloc_free(tmp);
	if (rc < 0) {
		talloc_free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}
