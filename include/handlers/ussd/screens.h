/*
 * screens.h - what the USSD menus show: the actions this module registers
 * with the menu engine (struct menu_actions of gateway/ussd/menu.h), taken
 * from the same reply and domain functions the SMS commands use. Nothing
 * here decides anything the domain layer decides; the screens only ask it
 * and word the answer for a phone's screen.
 *
 *	struct screens *sc = screens_init(ctx, &params);
 *	ussd_init(..., &screens_actions, sc);
 */
#ifndef SGW_SCREENS_H
#define SGW_SCREENS_H

#include <stdint.h>

#include "gateway/ussd/menu.h"

struct dom;
struct quality_ans;
struct screens;
struct texts;

#define SCREENS_NOTICES_MAX	3	/* "最新通知": the latest three */

/* A notice sent to the number, for the "最新通知" screen. */
struct screens_notice {
	int64_t at_ms;			/* when it was queued */
	char *text;			/* as sent, talloc'ed */
};

/* Where the latest notices of a number come from (the MT queue; main
 * wires it): at most max into out[], texts under ctx, *n how many. */
typedef int (*screens_notices_fn)(void *data, const char *msisdn,
				  unsigned max, void *ctx,
				  struct screens_notice *out, unsigned *n);

struct screens_params {
	struct dom *dom;
	struct quality_ans *qa;		/* answers of training quality */
	const struct texts *texts;	/* conf/messages.conf */
	unsigned sms_list_parts;	/* commands.list_parts, for SMS */
	screens_notices_fn notices;
	void *notices_data;
};

/* The screens' data (talloc child of ctx), to pass with screens_actions. */
struct screens *screens_init(void *ctx, const struct screens_params *p);

extern const struct menu_actions screens_actions;

#endif
