/*
 * screens_priv.h - what the files of the USSD screens share: their data
 * (the handler contexts of a screen and of an SMS) and the actions each
 * file implements for the table in actions.c.
 */
#ifndef SGW_SCREENS_PRIV_H
#define SGW_SCREENS_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "gateway/ussd/menu.h"
#include "handlers/replies/replies.h"
#include "handlers/ussd/screens.h"

struct screens {
	struct handler_ctx hc;		/* screens: no signature, long lists */
	struct handler_ctx hc_sms;	/* an SMS confirmation: signed */
	screens_notices_fn notices;
	void *notices_data;
};

/* The screens' data of a step, its handler contexts set to the step's
 * time (what "today" is for deadlines and the subsidy rule). */
static inline struct screens *screens_of(const struct menu_env *e)
{
	struct screens *sc = e->data;

	sc->hc.now_ms = e->now_ms;
	sc->hc_sms.now_ms = e->now_ms;
	return sc;
}

/* info.c */
int screens_bound(const struct menu_env *e, const char *msisdn);
int screens_subsidy_text(const struct menu_env *e, const char *msisdn,
			 void *ctx, char **out);
int screens_record_text(const struct menu_env *e, const char *msisdn,
			void *ctx, char **out);
int screens_notices_text(const struct menu_env *e, const char *msisdn,
			 void *ctx, char **out);
int screens_opt_text(const struct menu_env *e, const char *msisdn,
		     bool stop, char *out, size_t cap);

/* enrol.c */
int screens_regions(const struct menu_env *e, const char *msisdn,
		    void *ctx, struct menu_choice **items, unsigned *n);
int screens_groups(const struct menu_env *e, const char *region, void *ctx,
		   struct menu_choice **items, unsigned *n);
int screens_courses(const struct menu_env *e, const char *region,
		    const char *group, unsigned offset, unsigned max,
		    void *ctx, struct menu_choice **items, unsigned *n,
		    bool *more);
int screens_detail(const struct menu_env *e, const char *msisdn,
		   const char *code, char *out, size_t cap, bool *can_enrol);
int screens_enrol(const struct menu_env *e, const char *msisdn,
		  const char *code, char *out, size_t cap, char *sms,
		  size_t sms_cap);

/* register.c */
int screens_reg_locked(const struct menu_env *e, const char *msisdn,
		       char *out, size_t cap);
bool screens_reg_id(const struct menu_env *e, const char *input,
		    char id[MENU_ID_MAX]);
int screens_reg(const struct menu_env *e, const char *msisdn,
		const char *id, const char *name, char *note, size_t note_cap,
		char *out, size_t cap);

/* quality.c */
int screens_ask(const struct menu_env *e, const char *msisdn,
		enum menu_ask which, char *out, size_t cap);
int screens_answer(const struct menu_env *e, const char *msisdn,
		   enum menu_ask which, const char *input, char *out,
		   size_t cap);

#endif
