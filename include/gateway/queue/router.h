/*
 * router.h - where an inbound message (inbound.h) goes: a delivery receipt
 * updates the MT queue; a USSD step goes to the USSD handler when one is
 * set, without being stored; anything else is stored as an MO (reassembled
 * when it is one part of several) and handed to the MO handler.
 */
#ifndef SGW_ROUTER_H
#define SGW_ROUTER_H

#include <stdint.h>

#include "gateway/queue/inbound.h"
#include "gateway/queue/mo.h"

struct config;
struct db;
struct mo;
struct mtq;
struct router;

/* Handler for a complete, stored MO (the SMS commands). Runs inside the
 * unit of work that stored it; what it queues commits with the MO. A
 * negative errno undoes the unit: the MO is not marked handled, the SMSC
 * gets a temporary error and sends it again. */
typedef int (*router_mo_handler)(void *data, const struct mo_msg *m);

/* Handler for a USSD step (the sender normalised to international
 * digits). Runs inside the group-commit transaction. */
typedef int (*router_ussd_handler)(void *data, const struct in_msg *m);

struct router_stats {
	unsigned long mo, mo_parts, mo_partial, dlr, dlr_unmatched, db_errors;
	unsigned long handler_errors;	/* MOs whose answer could not be queued */
	unsigned long ussd;
};

struct router *router_init(void *ctx, const struct config *cfg, struct db *db,
			   struct mtq *q, struct mo *mo);
void router_free(struct router *r);
void router_set_handler(struct router *r, router_mo_handler h, void *data);
/* USSD steps to h; without one they are stored as MOs and not answered. */
void router_set_ussd_handler(struct router *r, router_ussd_handler h,
			     void *data);

/* in_rx_fn: store what arrived; 0 or negative errno (temporary). */
int router_rx(void *data, const struct in_msg *m);

const struct router_stats *router_stats(const struct router *r);

#endif
