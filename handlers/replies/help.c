/*
 * help.c - BZ 帮助 HELP ?: the command list, and the answer to input that is
 * no command. A number not bound to a worker gets the shorter help that
 * starts with how to register (it can use only ZC, KC and BZ). Unknown
 * input is never echoed back: the answer names at most one of our own
 * keywords, so a forged MO cannot make the bureau's number send a text of
 * someone else's choosing.
 */
#include "handlers/replies/wording.h"

int help_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
	       char *out, size_t cap)
{
	struct dom_worker w;
	int rc = hnd_worker(hc, msisdn, &w, TX_HELP_UNBOUND, out, cap);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	hnd_render(hc, TX_HELP, NULL, 0, out, cap);
	return 0;
}

int help_unknown_reply(struct handler_ctx *hc, const char *near_keyword,
		       char *out, size_t cap)
{
	struct texts_val v[] = { { "keyword", near_keyword } };

	if (v[0].value)
		hnd_render(hc, TX_UNKNOWN_NEAR, v, 1, out, cap);
	else
		hnd_render(hc, TX_UNKNOWN, NULL, 0, out, cap);
	return 0;
}
