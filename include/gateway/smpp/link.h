/*
 * link.h - one carrier link: its SMPP session(s), the submit window,
 * throughput cap and throttling back-off.
 *
 * The dispatcher hands MTs taken from the queue to a link
 * (smpp_link_take); the link splits each into parts, submits them within
 * the window and the TPS cap, and reports every outcome back to the queue
 * (submitted, retry, fail). What the SMSC delivers goes to the router as a
 * struct in_msg (inbound.h); the deliver_sm_resp leaves only after the
 * group commit that stored it.
 */
#ifndef SGW_SMPP_LINK_H
#define SGW_SMPP_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

#include "gateway/queue/inbound.h"
#include "gateway/smpp/pdu.h"

struct config_link;
struct db;
struct mtq;
struct mtq_msg;
struct smpp_link;
struct smpp_quar;
struct vty;

/* Called when the link has room for more MTs or came up. */
typedef void (*smpp_link_kick_cb)(void *data);

struct smpp_link *smpp_link_alloc(void *ctx, const struct config_link *cfg,
				  struct db *db, struct mtq *q,
				  in_rx_fn rx_cb, void *rx_data,
				  smpp_link_kick_cb kick_cb, void *kick_data);
void smpp_link_free(struct smpp_link *l);

void smpp_link_start(struct smpp_link *l);
/* Administrative stop: unbind after outstanding responses, stay down. */
void smpp_link_stop(struct smpp_link *l);

/* Done after a stop: nothing in the window, sessions unbound. */
bool smpp_link_idle(const struct smpp_link *l);
/* Shutdown deadline passed: requeue what is in the window, close. */
void smpp_link_abort(struct smpp_link *l);

/* Can take MTs now (transmitting session bound, not shutting down). */
bool smpp_link_up(const struct smpp_link *l);
/* How many more MTs the link wants in its backlog. */
unsigned smpp_link_room(const struct smpp_link *l);
/* Hand over one MT (talloc-reparented to the link). */
void smpp_link_take(struct smpp_link *l, struct mtq_msg *m);

/* Append to *ids (a talloc array under ctx, grown as needed; *n counts
 * it) the queue's rows l holds: taken, in its window, or acknowledged by
 * the SMSC and waiting for the commit that records it. 0 or -ENOMEM. */
int smpp_link_held(const struct smpp_link *l, void *ctx, int64_t **ids,
		   size_t *n);

/* A USSD screen: sent ahead of every SMS, not stored in the queue (the
 * dialogue does not survive a restart anyway), never split. */
struct smpp_link_ussd {
	const char *dst;		/* MSISDN */
	const char *src;		/* service code or NULL: source_addr */
	const char *text;		/* UTF-8, one screen */
	uint8_t op;			/* ussd_service_op value of this link */
	bool has_its;
	uint16_t its;			/* its_session_info to echo */
};

/* 0, -ENOTCONN when the link is down. */
int smpp_link_send_ussd(struct smpp_link *l, const struct smpp_link_ussd *u);

/* Check received PDUs against the quarantine q (quarantine.h). */
void smpp_link_set_quarantine(struct smpp_link *l, struct smpp_quar *q);

/* What the API's status and /metrics show of a link. */
struct smpp_link_status {
	const char *name;
	bool up;			/* can take MTs */
	bool stopped;			/* administratively (VTY link stop) */
	const char *tx_state;		/* session FSM state: "BOUND" ... */
	const char *rx_state;		/* tx+rx links, else NULL */
	unsigned window, window_size;	/* submit_sm outstanding, allowed */
	unsigned backlog;		/* MTs taken, parts not yet sent */
	unsigned max_tps;		/* 0: no cap */
	double tps;			/* submit_sm sent in the last second */
	bool throttled;			/* paused after ESME_RTHROTTLED */
	bool is_default;
	unsigned long submits, submit_ok, submit_temp, submit_perm,
		      throttles, timeouts, mo;
};
void smpp_link_status(const struct smpp_link *l, struct smpp_link_status *st);

const char *smpp_link_name(const struct smpp_link *l);
const struct config_link *smpp_link_cfg(const struct smpp_link *l);
void smpp_link_vty_show(const struct smpp_link *l, struct vty *vty);
void smpp_link_vty_stats(const struct smpp_link *l, struct vty *vty);

#endif
