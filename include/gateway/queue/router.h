/*
 * router.h - where an inbound deliver_sm goes: a delivery receipt updates
 * the MT queue; a USSD step (ussd_service_op present) goes to the USSD
 * handler when one is set, without being stored; anything else is stored
 * as an MO (reassembled when it is one part of several) and handed to the
 * MO handler.
 */
#ifndef SGW_ROUTER_H
#define SGW_ROUTER_H

#include <stdint.h>

#include "gateway/queue/mo.h"
#include "gateway/smpp/pdu.h"

struct config;
struct db;
struct mo;
struct mtq;
struct router;
struct smpp_link;
struct vty;

/* Handler for a complete, stored MO (SMS commands, USSD). Runs inside the
 * group-commit transaction; what it queues commits with the MO. */
typedef void (*router_mo_handler)(void *data, const struct mo_msg *m,
				  const struct smpp_deliver *d);

/* Handler for a USSD step (smpp_link_mo_cb's signature; the sender is
 * normalised). Runs inside the group-commit transaction. */
typedef int (*router_ussd_handler)(void *data, struct smpp_link *l,
				   const struct smpp_deliver *d);

struct router_stats {
	unsigned long mo, mo_parts, mo_partial, dlr, dlr_unmatched, db_errors;
	unsigned long ussd;
};

struct router *router_init(void *ctx, const struct config *cfg, struct db *db,
			   struct mtq *q, struct mo *mo);
void router_free(struct router *r);
void router_set_handler(struct router *r, router_mo_handler h, void *data);
/* USSD steps to h; without one they are stored as MOs like SMS. */
void router_set_ussd_handler(struct router *r, router_ussd_handler h,
			     void *data);

/* smpp_link_mo_cb: store what arrived; 0 or negative errno (temporary). */
int router_rx(void *data, struct smpp_link *l, const struct smpp_deliver *d);

const struct router_stats *router_stats(const struct router *r);

#endif
