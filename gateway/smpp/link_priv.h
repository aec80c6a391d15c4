/*
 * link_priv.h - what the files of one SMPP link share (link.c, link_send.c,
 * link_resp.c, link_mo.c, link_vty.c): the link's structure, its counters
 * and the functions one file calls in another.
 */
#ifndef SGW_LINK_PRIV_H
#define SGW_LINK_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/hashtable.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/timer.h>

#include "gateway/text/charset.h"
#include "gateway/queue/inbound.h"
#include "gateway/smpp/link.h"
#include "gateway/smpp/pdu.h"

#define LINK_BACKLOG_MIN	64		/* MTs waiting beyond the window */
#define LINK_WBUF_HIGH		(1024 * 1024)	/* stop pumping above this */
#define LINK_THROTTLE_MAX_MS	30000
#define LINK_WINDOW_BITS	10
#define LINK_ACK_RETRY_US	100000		/* refused ack writes, again */
#define LINK_VALIDITY_MIN_S	60		/* never ask for less */
#define LINK_VALIDITY_MAX_DAYS	99		/* DD of a relative time */

enum link_ctr {
	LINK_CTR_SUBMIT,
	LINK_CTR_SUBMIT_OK,
	LINK_CTR_SUBMIT_TEMP,
	LINK_CTR_SUBMIT_PERM,
	LINK_CTR_THROTTLED,
	LINK_CTR_RESP_TIMEOUT,
	LINK_CTR_MO,
	LINK_CTR_MO_TEMPFAIL,
	LINK_CTR_BAD_PDU,
	LINK_CTR_BAD_RECEIPT,
	LINK_CTR_QUARANTINED,
};

/* One MT on its way through the link. */
struct link_sm {
	struct llist_head all;		/* every MT the link holds */
	struct llist_head list;		/* backlog (parts left to send) */
	struct mtq_msg *m;
	uint8_t *payload;		/* whole text for message_payload */
	size_t payload_len;
	char validity[SMPP_TIME_LEN + 1];	/* relative validity_period */
	bool ussd;			/* a USSD screen: no queue row */
	uint8_t ussd_op;
	bool has_its;
	uint16_t its;
	uint8_t dcs;
	unsigned next_part;		/* 0-based, next to send */
	unsigned in_flight;
	bool temp_failed, perm_failed;
	uint32_t status;
	/* last: link_sm_new() zeroes everything before split.part */
	struct charset_split split;
};

/* One submit_sm in the window. */
struct link_pdu {
	struct hlist_node node;
	struct smpp_link *l;
	uint32_t seq;
	struct link_sm *sm;
	unsigned part;			/* 0-based */
	struct osmo_timer_list timer;
};

/* An accepted part whose SMSC id must reach the queue. It keeps its window
 * slot until the write is committed: a crash repeats at most one window,
 * and a write the database refused (busy during a long import, a failed
 * commit) is tried again instead of leaving the row in sending. */
struct link_ackrec {
	struct llist_head list;
	int64_t mt_id;
	unsigned part;			/* 1-based */
	char smsc_id[SMPP_MSGID_MAX];
};

/* A part waiting to be sent again after throttling. */
struct link_resend {
	struct llist_head list;
	struct link_sm *sm;
	unsigned part;
};

struct smpp_link {
	const struct config_link *cfg;
	struct db *db;
	struct mtq *q;
	struct smpp_quar *quar;		/* PDUs the daemon died on */
	in_rx_fn rx_cb;			/* the router */
	void *rx_data;
	smpp_link_kick_cb kick_cb;
	void *kick_data;

	struct smpp_conn *tx;		/* transmitting session (or TRX) */
	struct smpp_conn *rx;		/* receiving session for TX+RX, else NULL */

	struct llist_head all;		/* struct link_sm held by the link */
	struct llist_head backlog;	/* struct link_sm not yet fully sent */
	unsigned n_backlog;
	struct llist_head resend;	/* struct link_resend */
	DECLARE_HASHTABLE(window, LINK_WINDOW_BITS);
	unsigned n_window;
	struct llist_head uncommitted;	/* struct link_ackrec written, not committed */
	struct llist_head unrecorded;	/* struct link_ackrec not yet written */
	unsigned n_acks;		/* on both lists */
	bool commit_hook;		/* an after-commit hook is pending */
	struct osmo_timer_list ack_timer;	/* write unrecorded acks again */

	double tokens;
	int64_t tokens_ms;
	int64_t paused_until_ms;
	unsigned throttle_ms;
	struct osmo_timer_list pump_timer;
	bool shutting_down;

	struct rate_ctr_group *ctrg;
};

#define LOGLINK(l, lvl, fmt, args...) \
	LOGP(DLINK, lvl, "link %s: " fmt, (l)->cfg->name, ## args)

/* link.c: everything in flight or waiting back to the queue */
void link_requeue_all(struct smpp_link *l);

/* link_mo.c: a deliver_sm or data_sm to the router */
void link_rx_deliver(struct smpp_link *l, struct smpp_conn *c,
		     const struct smpp_hdr *h, const uint8_t *pdu);

/* link_resp.c: the window and the fate of each part */
void link_sm_settle(struct smpp_link *l, struct link_sm *sm);
void link_sm_requeue(struct smpp_link *l, struct link_sm *sm);
struct link_pdu *link_window_find(struct smpp_link *l, uint32_t seq);
void link_ack_timer_cb(void *data);
void link_part_failed(struct smpp_link *l, struct link_sm *sm,
		      uint32_t status, bool perm);
void link_resp(struct smpp_link *l, struct link_pdu *p,
	       const struct smpp_hdr *h, const uint8_t *pdu);
void link_pdu_timeout(void *data);

/* link_send.c: the pump */
void link_pump(struct smpp_link *l);
void link_drain_check(struct smpp_link *l);
void link_pump_timer_cb(void *data);

#endif
