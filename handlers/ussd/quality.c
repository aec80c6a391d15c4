/*
 * quality.c - the USSD screens of training quality: 签到 (the attendance
 * code of the day), 评价 (a score for the course that ended), 就业 (1
 * employed, 2 self-employed, 3 not yet). Each asks only when the number's
 * worker has such a question open (the prompt names its course), else
 * ends with the SMS reply's words for "nothing to answer"; the answer is
 * the SMS reply function itself (checkin_reply, rate_reply,
 * employment_reply) with the screen's handler context, so both channels
 * record and word it the same.
 */
#include <errno.h>

#include <osmocom/core/utils.h>

#include "handlers/quality/quality.h"
#include "handlers/replies/replies.h"
#include "handlers/replies/wording.h"
#include "screens_priv.h"

static const struct {
	enum quality_kind kind;
	enum menu_text prompt;
	handler_fn reply;
} scr_asks[] = {
	[MENU_ASK_CHECKIN] = { QUALITY_ATTENDANCE, MX_ASK_CHECKIN,
			       checkin_reply },
	[MENU_ASK_RATE] = { QUALITY_SURVEY, MX_ASK_RATE, rate_reply },
	[MENU_ASK_EMPLOYMENT] = { QUALITY_EMPLOYMENT, MX_ASK_EMPLOYMENT,
				  employment_reply },
};

int screens_ask(const struct menu_env *e, const char *msisdn,
		enum menu_ask which, char *out, size_t cap)
{
	struct screens *sc = screens_of(e);
	struct quality_item it;
	struct dom_worker w;
	int rc;

	if ((unsigned)which >= ARRAY_SIZE(scr_asks) || !sc->hc.qa)
		return -EINVAL;
	rc = dom_worker_by_msisdn(sc->hc.dom, msisdn, &w);
	if (rc == DOM_OK)
		rc = quality_open(sc->hc.qa, scr_asks[which].kind, w.id,
				  e->now_ms, &it);
	if (rc < 0)
		return rc;
	if (rc != QUALITY_OK) {		/* nothing open: the reply says so */
		rc = scr_asks[which].reply(&sc->hc, msisdn, "", out, cap);
		return rc < 0 ? rc : 0;
	}
	menu_render(e->m, scr_asks[which].prompt, (struct texts_val[]){
		{ "course", it.course } }, 1, out, cap);
	return 1;
}

int screens_answer(const struct menu_env *e, const char *msisdn,
		   enum menu_ask which, const char *input, char *out,
		   size_t cap)
{
	if ((unsigned)which >= ARRAY_SIZE(scr_asks))
		return -EINVAL;
	return scr_asks[which].reply(&screens_of(e)->hc, msisdn, input, out,
				     cap);
}
