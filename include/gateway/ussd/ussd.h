/*
 * ussd.h - USSD dialogues: sessions, their timers, and the two transports
 * (SMPP with ussd_service_op, and the HTTP callback of gateway/ussd/http.c)
 * in front of one menu engine (menu.h).
 *
 * One osmo_fsm instance per dialogue, found by its key: for SMPP per
 * link configuration the subscriber's number, the number and the session
 * of its_session_info, or the number and user_message_reference; for HTTP
 * the aggregator's sessionId. A guard timer (ussd.guard_timeout of user
 * silence) and a cap on the whole dialogue (ussd.session_max) end it; a
 * user abort or a network release ends it at once; a step for a dialogue
 * that is gone gets a short final screen "dial again".
 *
 * The screen of a step that wrote to the database leaves after the group
 * commit (db_after_commit): a screen never claims what the database did
 * not keep, and if the commit fails it becomes the polite MX_ERROR final
 * screen. A step that only read answers at once. USSD steps are not
 * stored: the dialogue does not survive a
 * restart, what it changed (registration, enrolment) is in the domain
 * tables with its audit rows, and typed ID numbers stay out of the MO log.
 */
#ifndef SGW_USSD_H
#define SGW_USSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/queue/inbound.h"

struct config;
struct config_link_ussd;
struct db;
struct dispatch;
struct menu;
struct menu_actions;
struct mtq;
struct ussd;
struct vty;

#define USSD_KEY_MAX	64	/* a session key */
#define USSD_SID_MAX	48	/* an HTTP sessionId we accept */

struct ussd_stats {
	unsigned long begins;		/* dialogues started */
	unsigned long steps;		/* answers handled */
	unsigned long ends;		/* final screens sent */
	unsigned long aborts;		/* user aborts, network releases */
	unsigned long timeouts;		/* guard timer or cap ran out */
	unsigned long unknown;		/* steps of dialogues that were gone */
	unsigned long busy;		/* refused: ussd.max_sessions */
	unsigned long failures;		/* database failures (polite end) */
	unsigned long dropped;		/* replies that could not be sent */
};

struct ussd_params {
	const struct config *cfg;
	struct db *db;
	struct mtq *q;			/* an SMS a step sends along */
	struct dispatch *disp;		/* SMPP screens to their link */
	const struct menu *menu;	/* conf/ussd_menu.conf */
	const struct menu_actions *act;	/* what the screens hold */
	void *act_data;
};

/* The dialogues; everything p points to must outlive them. */
struct ussd *ussd_init(void *ctx, const struct ussd_params *p);
/* Ends every dialogue (no screens are sent). */
void ussd_free(struct ussd *u);

/* router_ussd_handler: a USSD step from an SMPP link, sender already
 * normalised. Always 0: a step is answered, never retried. */
int ussd_smpp_rx(void *data, const struct in_msg *d);

/* HTTP: the reply to one request (at once, or after the group commit when
 * the step wrote), with the screen and whether it ends the dialogue. */
typedef void (*ussd_reply_cb)(void *data, const char *text, bool end);
struct ussd_wait;

/* One HTTP step: session_id, the subscriber's number (normalised) and
 * text, the aggregator's inputs so far joined by '*'. cb(data, ...) will
 * be called exactly once unless ussd_http_cancel() is called first with
 * *w. 0, or -ENOMEM (cb will not be called). */
int ussd_http_step(struct ussd *u, const char *session_id,
		   const char *msisdn, const char *text, ussd_reply_cb cb,
		   void *data, struct ussd_wait **w);
void ussd_http_cancel(struct ussd *u, struct ussd_wait *w);

/* The key of an SMPP step's dialogue on a link configured with c;
 * msisdn normalised. Returns the length, or -ENOSPC. */
int ussd_key(const struct config_link_ussd *c, const char *msisdn,
	     const struct in_msg *d, char *out, size_t cap);

/* The new input of an HTTP step: prev is what the session has seen
 * ("1*2"), text what came now ("1*2*3"). Returns a pointer into text:
 * what follows prev and its '*', else the part after the last '*'; NULL
 * when text is prev again (a repeated request). */
const char *ussd_http_input(const char *prev, const char *text);

const struct ussd_stats *ussd_stats(const struct ussd *u);
/* Dialogues open now. */
unsigned ussd_open_dialogues(const struct ussd *u);
/* VTY "show ussd sessions": counters and the open dialogues. */
void ussd_vty_show(const struct ussd *u, struct vty *vty, unsigned max);

#endif
