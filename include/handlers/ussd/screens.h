/*
 * menu_act.h - what the USSD menus show, taken from the same handler and
 * domain functions the SMS commands use (handlers.h, domain.h): the USSD
 * variants, one file per feature in handlers/ussd_*.c, next to the SMS
 * ones. Nothing here decides anything the domain layer decides; these
 * functions only ask it and word the answer for a screen.
 *
 * Each takes the step's environment (menu.h: the menu's texts, the handler
 * context without signature for screens, the signed one for an SMS, the
 * queue) and the asking number (international digits). They return 0 (or
 * the documented positive value) with the text in out, or a negative errno
 * when the database failed; the engine then ends the dialogue politely.
 * Content texts are lines separated by '\n', paged by the engine.
 */
#ifndef SGW_MENU_ACT_H
#define SGW_MENU_ACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handlers/domain/domain.h"
#include "handlers/domain/idcard.h"
#include "gateway/ussd/menu.h"

#define USSD_LABEL_MAX	256	/* one list line, without its key */
#define USSD_TEXT_MAX	4096	/* content of one action, all pages */

/* One line of a list screen. */
struct ussd_item {
	char label[USSD_LABEL_MAX];
	char arg[DOM_NAME_MAX];		/* passed on when chosen: a code */
	char name[DOM_TEXT_MAX];	/* shown in the next screen's title */
};

/* ---- handlers/ussd_info.c: content and final screens ---- */

/* 1 when msisdn is bound to a worker, 0 when not. */
int ussd_bound(const struct menu_env *e, const char *msisdn);
/* subsidy_reply / record_reply for a screen, talloc'ed under ctx. */
int ussd_subsidy_text(const struct menu_env *e, const char *msisdn,
		      void *ctx, char **out);
int ussd_record_text(const struct menu_env *e, const char *msisdn,
		     void *ctx, char **out);
/* The latest notices sent to the number. */
int ussd_notices_text(const struct menu_env *e, const char *msisdn,
		      void *ctx, char **out);
/* optout_reply / optin_reply: a final screen. */
int ussd_opt_text(const struct menu_env *e, const char *msisdn, bool stop,
		  char *out, size_t cap);

/* ---- handlers/ussd_enrol.c: the enrolment, step by step ---- */

/* Every region, the worker's own first (arg: code, name: its name). */
int ussd_regions(const struct menu_env *e, const char *msisdn, void *ctx,
		 struct ussd_item **items, unsigned *n);
/* Occupation groups with courses open in region (arg, name: the group). */
int ussd_groups(const struct menu_env *e, const char *region, void *ctx,
		struct ussd_item **items, unsigned *n);
/* Up to max open courses of region and group from offset (arg: the
 * course code); *more: there are courses after them. */
int ussd_courses(const struct menu_env *e, const char *region,
		 const char *group, unsigned offset, unsigned max, void *ctx,
		 struct ussd_item **items, unsigned *n, bool *more);
/* A course before confirming: institution, dates, seats, subsidy, the
 * subsidy-rule warning, and why it cannot be chosen if so (*can_enrol). */
int ussd_detail(const struct menu_env *e, const char *msisdn,
		const char *code, char *out, size_t cap, bool *can_enrol);
/* Enrol (enrol_reply, which writes the audit row): the final screen with
 * the enrolment number, and the signed confirmation queued as an SMS; or
 * the refusal as the final screen. */
int ussd_enrol(const struct menu_env *e, const char *msisdn,
	       const char *code, char *out, size_t cap);

/* ---- handlers/ussd_register.c: registration inside a dialogue ---- */

/* 1 with the "locked for today" text in out when the number may not try
 * to register today, else 0. */
int ussd_reg_locked(const struct menu_env *e, const char *msisdn,
		    char *out, size_t cap);
/* Is input a resident ID (shape, date, checksum)? The normalised ID. */
bool ussd_reg_id(const struct menu_env *e, const char *input,
		 char id[IDCARD_LEN + 1]);
/* register_reply with the ID and the name: 1 when the number is bound
 * now, with the one-line note for the next screen in note; 0 with the
 * refusal (a final screen) in out. */
int ussd_register(const struct menu_env *e, const char *msisdn,
		  const char *id, const char *name, char *note,
		  size_t note_cap, char *out, size_t cap);

#endif
