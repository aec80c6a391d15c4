/*
 * actions.c - the USSD screens as the menu engine calls them: the table of
 * actions and the screens' data, set up once at start.
 *
 * A screen is worded without the bureau's signature and with lists long
 * enough for the engine to page rather than cut (the engine keeps each
 * page within the phone's screen); the SMS that confirms an enrolment is
 * worded as the SMS commands word it, signed.
 */
#include <osmocom/core/talloc.h>

#include "gateway/text/charset.h"
#include "handlers/domain/domain.h"
#include "screens_priv.h"

/* what the domain hands over fits what the engine keeps */
_Static_assert(MENU_ARG_MAX >= DOM_CODE_MAX && MENU_ARG_MAX >= DOM_NAME_MAX &&
	       MENU_NAME_MAX >= DOM_TEXT_MAX && MENU_LIST_MAX >= DOM_LIST_MAX,
	       "menu_choice holds a code, a group and a name");

const struct menu_actions screens_actions = {
	.bound = screens_bound,
	.subsidy_text = screens_subsidy_text,
	.record_text = screens_record_text,
	.notices_text = screens_notices_text,
	.opt_text = screens_opt_text,
	.regions = screens_regions,
	.groups = screens_groups,
	.courses = screens_courses,
	.detail = screens_detail,
	.enrol = screens_enrol,
	.reg_locked = screens_reg_locked,
	.reg_id = screens_reg_id,
	.reg = screens_reg,
	.ask = screens_ask,
	.answer = screens_answer,
};

struct screens *screens_init(void *ctx, const struct screens_params *p)
{
	struct screens *sc = talloc_zero(ctx, struct screens);

	if (!sc)
		return NULL;
	talloc_set_name_const(sc, "screens");
	sc->hc = (struct handler_ctx){ .dom = p->dom, .qa = p->qa,
		.texts = p->texts, .via = DOM_VIA_USSD,
		.list_parts = CHARSET_MAX_PARTS, .signature = "" };
	sc->hc_sms = (struct handler_ctx){ .dom = p->dom, .qa = p->qa,
		.texts = p->texts, .via = DOM_VIA_USSD,
		.list_parts = p->sms_list_parts };
	sc->notices = p->notices;
	sc->notices_data = p->notices_data;
	return sc;
}
