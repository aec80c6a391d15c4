/*
 * gw.h - the running gateway: every long-lived object of the daemon, owned
 * by main.c and passed explicitly to whoever needs to look at it (the VTY
 * gets it as its private pointer; there are no hidden globals).
 */
#ifndef SGW_GW_H
#define SGW_GW_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway/config.h"

struct db;
struct dispatch;
struct dom;
struct screens;
struct mo;
struct notify;
struct quality;
struct quality_ans;
struct mtq;
struct router;
struct sched;
struct smpp_link;
struct smpp_quar;
struct sms;
struct texts;
struct menu;
struct ussd;
struct ussd_http;
struct api_server;
struct storage;

struct gw {
	struct config cfg;
	struct db *db;
	struct mtq *q;
	struct mo *mo;
	struct router *router;
	struct texts *texts;		/* reply texts, when commands are on */
	struct sms *sms;		/* SMS commands, when on */
	struct menu *menu;		/* USSD menus, when USSD is on */
	struct dom *dom;		/* the domain, for the USSD screens */
	struct quality_ans *qa;		/* their answers of training quality */
	struct screens *screens;	/* what the USSD menus show */
	struct ussd *ussd;		/* USSD dialogues, when on */
	struct ussd_http *ussd_http;	/* their HTTP callback, when on */
	struct api_server *api;		/* the bureau's API, when on */
	struct dispatch *dispatch;
	struct sched *sched;		/* notice campaigns */
	struct notify *notify;		/* notifications, when on */
	struct quality *quality;	/* training quality's asker, when on */
	struct smpp_link *links[CONFIG_MAX_LINKS];
	struct smpp_quar *quar;		/* received PDUs it died on */
	struct storage *storage;	/* faults, reserve, WAL bound */
	unsigned n_links;
	int64_t started_ms;
	bool shutting_down;
	int64_t deadline_ms;
};

/* Telnet VTY on cfg.vty_addr:cfg.vty_port with the show commands. */
int gw_vty_init(struct gw *gw);

#endif
