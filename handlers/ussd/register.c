/*
 * register.c - registration inside a USSD dialogue (see screens.h):
 * the engine asks for the resident ID, then the name, before anything
 * personal, and this file hands both to register_reply(), the SMS
 * command's function, which checks them against the roster, counts
 * failures and locks the number for the day after too many (with the
 * audit rows). Whether the number is bound afterwards is asked of the
 * domain layer, not read from the wording.
 *
 * The ID is checked for shape, date and checksum as soon as it is typed
 * (idcard_check), so a slip on the keypad repeats the prompt instead of
 * costing one of the day's attempts; only a well-formed ID with a name is
 * an attempt.
 */
#include <stdio.h>
#include <string.h>

#include "gateway/text/fmt.h"
#include "handlers/domain/idcard.h"
#include "handlers/replies/replies.h"
#include "handlers/replies/wording.h"
#include "screens_priv.h"

_Static_assert(MENU_ID_MAX == IDCARD_LEN + 1, "a resident ID fits the engine's");

int screens_reg_locked(const struct menu_env *e, const char *msisdn,
		    char *out, size_t cap)
{
	int rc = dom_reg_status(screens_of(e)->hc.dom, msisdn, e->now_ms, NULL);

	if (rc < 0)
		return rc;
	if (rc != DOM_LOCKED)
		return 0;
	/* register_reply looks at the lock first and words it */
	rc = register_reply(&screens_of(e)->hc, msisdn, "", out, cap);
	return rc < 0 ? rc : 1;
}

bool screens_reg_id(const struct menu_env *e, const char *input,
		    char id[MENU_ID_MAX])
{
	char today[FMT_ISO_DATE];
	struct idcard c;

	fmt_local_date(e->now_ms, today);
	if (idcard_check(input, today, &c) != IDCARD_OK)
		return false;
	memcpy(id, c.id, IDCARD_LEN + 1);
	return true;
}

int screens_reg(const struct menu_env *e, const char *msisdn,
		  const char *id, const char *name, char *note,
		  size_t note_cap, char *out, size_t cap)
{
	char arg[IDCARD_LEN + 2 + DOM_NAME_MAX];
	struct dom_worker w;
	struct hnd_masked m;
	int rc;

	snprintf(arg, sizeof(arg), "%s %s", id, name);
	rc = register_reply(&screens_of(e)->hc, msisdn, arg, out, cap);
	if (rc < 0)
		return rc;
	rc = dom_worker_by_msisdn(screens_of(e)->hc.dom, msisdn, &w);
	if (rc < 0)
		return rc;
	if (rc != DOM_OK)
		return 0;
	hnd_mask(&w, &m);
	menu_render(e->m, MX_REG_DONE, (struct texts_val[]){
		{ "name", m.name } }, 1, note, note_cap);
	return 1;
}
