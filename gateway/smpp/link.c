/*
 * smpp_link.c - one carrier link: window, throughput cap, throttling and the
 * fate of every submitted part.
 *
 * A link owns one transceiver session or a transmitter + receiver pair
 * (smpp_conn.c). MTs handed over by the dispatcher wait in the backlog; the
 * pump sends their parts while the window has room, the token bucket has a
 * token and the link is not paused. Each submit_sm in flight is a window
 * entry keyed by sequence number with its own response timer.
 *
 * Outcomes, per part:
 *   OK        -> mtq_part_submitted (the row becomes submitted with the last)
 *   THROTTLE  -> the part is sent again after a pause that doubles while the
 *                SMSC keeps throttling; no attempt is counted
 *   TEMP      -> once no part of the message is in flight, mtq_retry
 *   PERM      -> once no part of the message is in flight, mtq_fail
 * Losing the transmitting session puts every message of the backlog and the
 * window back in the queue (uncounted): at-least-once, never lost.
 *
 * MO: a deliver_sm is decoded and handed to the MO callback inside the
 * group-commit transaction; its deliver_sm_resp is sent from an after-commit
 * hook, with a temporary error if the commit failed, and only on the same
 * connection it came from.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/hashtable.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/vty.h>

#include "gateway/text/charset.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/smpp/dlr.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/smpp/conn.h"
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
};

static const struct rate_ctr_desc link_ctr_desc[] = {
	[LINK_CTR_SUBMIT]	= { "submit:sent", "submit_sm sent" },
	[LINK_CTR_SUBMIT_OK]	= { "submit:ok", "submit_sm accepted" },
	[LINK_CTR_SUBMIT_TEMP]	= { "submit:temp", "submit_sm temporary errors" },
	[LINK_CTR_SUBMIT_PERM]	= { "submit:perm", "submit_sm permanent errors" },
	[LINK_CTR_THROTTLED]	= { "submit:throttled", "throttling answers" },
	[LINK_CTR_RESP_TIMEOUT]	= { "submit:timeout", "submit_sm without answer" },
	[LINK_CTR_MO]		= { "deliver:rx", "deliver_sm received" },
	[LINK_CTR_MO_TEMPFAIL]	= { "deliver:tempfail", "deliver_sm answered with temporary error" },
	[LINK_CTR_BAD_PDU]	= { "pdu:undecodable", "MOs the decoder refused after the check" },
};

static const struct rate_ctr_group_desc link_ctrg_desc = {
	.group_name_prefix = "smpp:link",
	.group_description = "SMPP link",
	.class_id = OSMO_STATS_CLASS_PEER,
	.num_ctr = ARRAY_SIZE(link_ctr_desc),
	.ctr_desc = link_ctr_desc,
};

/* One MT on its way through the link. */
struct link_sm {
	struct llist_head all;		/* every MT the link holds */
	struct llist_head list;		/* backlog (parts left to send) */
	struct mtq_msg *m;
	struct charset_split split;
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
	smpp_link_mo_cb mo_cb;
	void *mo_data;
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

static void link_pump(struct smpp_link *l);
static void link_drain_check(struct smpp_link *l);
static void link_requeue_all(struct smpp_link *l);

/* ---- message fate -------------------------------------------------------- */

static void link_sm_free(struct smpp_link *l, struct link_sm *sm)
{
	if (!llist_empty(&sm->list)) {
		llist_del_init(&sm->list);
		l->n_backlog--;
	}
	llist_del(&sm->all);
	talloc_free(sm);
}

/* Free sm once nothing of it is in flight and nothing more will be sent;
 * report its outcome to the queue first. */
static void link_sm_settle(struct smpp_link *l, struct link_sm *sm)
{
	int64_t now = clock_now_ms();
	bool done_sending = sm->next_part >= sm->split.n_parts ||
			    sm->temp_failed || sm->perm_failed;

	if (sm->in_flight > 0 || !done_sending)
		return;
	if (sm->ussd) {
		if (sm->perm_failed || sm->temp_failed)
			LOGLINK(l, LOGL_NOTICE, "USSD screen to %s not accepted: %s\n",
				log_num(sm->m->dst), smpp_pdu_status_str(sm->status));
		link_sm_free(l, sm);
		return;
	}
	db_begin(l->db);
	if (sm->perm_failed)
		mtq_fail(l->q, sm->m->id, sm->status, now);
	else if (sm->temp_failed)
		mtq_retry(l->q, sm->m->id, sm->status, true, now);
	link_sm_free(l, sm);
}

/* Put an MT back in the queue without counting an attempt (link loss,
 * shutdown). */
static void link_sm_requeue(struct smpp_link *l, struct link_sm *sm)
{
	if (sm->ussd) {	/* the dialogue is gone with the link */
		LOGLINK(l, LOGL_NOTICE, "USSD screen to %s dropped: link down\n",
			log_num(sm->m->dst));
		link_sm_free(l, sm);
		return;
	}
	db_begin(l->db);
	mtq_retry(l->q, sm->m->id, 0, false, clock_now_ms());
	link_sm_free(l, sm);
}

/* ---- window -------------------------------------------------------------- */

static struct link_pdu *link_window_find(struct smpp_link *l, uint32_t seq)
{
	struct link_pdu *p;

	hash_for_each_possible(l->window, p, node, seq)
		if (p->seq == seq)
			return p;
	return NULL;
}

static void link_window_del(struct smpp_link *l, struct link_pdu *p)
{
	osmo_timer_del(&p->timer);
	hash_del(&p->node);
	l->n_window--;
	p->sm->in_flight--;
	talloc_free(p);
}

static void link_resend_add(struct smpp_link *l, struct link_sm *sm,
			    unsigned part)
{
	struct link_resend *r = talloc_zero(l, struct link_resend);

	r->sm = sm;
	r->part = part;
	llist_add_tail(&r->list, &l->resend);
	sm->in_flight++;	/* keeps sm alive until it is resent */
}

static void link_pause(struct smpp_link *l)
{
	int64_t now = clock_now_ms();

	/* the other answers of a full window arrive during the same pause:
	 * they say nothing new about the SMSC's rate */
	if (now < l->paused_until_ms)
		return;
	l->throttle_ms = l->throttle_ms ? l->throttle_ms * 2 : l->cfg->throttle_pause_ms;
	if (l->throttle_ms > LINK_THROTTLE_MAX_MS)
		l->throttle_ms = LINK_THROTTLE_MAX_MS;
	if (l->throttle_ms == 0)
		l->throttle_ms = 1;
	l->paused_until_ms = now + l->throttle_ms;
	LOGLINK(l, LOGL_INFO, "throttled by SMSC, pausing %u ms\n", l->throttle_ms);
	osmo_timer_schedule(&l->pump_timer, l->throttle_ms / 1000,
			    (l->throttle_ms % 1000) * 1000);
}

static void link_committed(void *data, int rc);

/* Write one ack into the open transaction: 0, or negative errno when it
 * must be tried again. A row that is no longer sending (requeued, failed)
 * has nothing to record. */
static int link_ack_write(struct smpp_link *l, struct link_ackrec *a)
{
	int rc = db_begin(l->db);

	if (rc == 0)
		rc = mtq_part_submitted(l->q, a->mt_id, l->cfg->name, a->part,
					a->smsc_id, clock_now_ms());
	return rc == -ENOENT ? 0 : rc;
}

/* Write every unrecorded ack; those refused wait for the ack timer. */
static void link_acks_write(struct smpp_link *l)
{
	struct link_ackrec *a, *n;

	llist_for_each_entry_safe(a, n, &l->unrecorded, list) {
		if (link_ack_write(l, a) < 0) {
			osmo_timer_schedule(&l->ack_timer, 0, LINK_ACK_RETRY_US);
			return;
		}
		llist_move_tail(&a->list, &l->uncommitted);
	}
	if (!llist_empty(&l->uncommitted) && !l->commit_hook) {
		l->commit_hook = true;
		db_after_commit(l->db, link_committed, l);
	}
}

static void link_committed(void *data, int rc)
{
	struct smpp_link *l = data;
	struct link_ackrec *a, *n;

	l->commit_hook = false;
	llist_for_each_entry_safe(a, n, &l->uncommitted, list) {
		if (rc < 0) {	/* rolled back: write them again */
			llist_move_tail(&a->list, &l->unrecorded);
			continue;
		}
		llist_del(&a->list);
		talloc_free(a);
		l->n_acks--;
	}
	if (rc < 0)
		osmo_timer_schedule(&l->ack_timer, 0, LINK_ACK_RETRY_US);
	link_pump(l);
}

static void link_ack_timer_cb(void *data)
{
	link_acks_write(data);
}

static void link_part_ok(struct smpp_link *l, struct link_pdu *p,
			 const uint8_t *pdu, uint32_t len)
{
	char raw[SMPP_MSGID_MAX] = "", id[SMPP_MSGID_MAX];
	struct link_ackrec *a;

	rate_ctr_inc2(l->ctrg, LINK_CTR_SUBMIT_OK);
	l->throttle_ms = 0;
	if (p->sm->ussd)
		return;
	if (smpp_pdu_parse_submit_resp(pdu, len, raw, sizeof(raw)) < 0)
		LOGLINK(l, LOGL_ERROR, "submit_sm_resp without message_id (mt %lld)\n",
			(long long)p->sm->m->id);
	if (dlr_id_normalise(raw, l->cfg->submit_id_fmt, id, sizeof(id)) < 0)
		OSMO_STRLCPY_ARRAY(id, raw);
	a = talloc_zero(l, struct link_ackrec);
	if (!a)
		return;
	a->mt_id = p->sm->m->id;
	a->part = p->part + 1;
	OSMO_STRLCPY_ARRAY(a->smsc_id, id);
	llist_add_tail(&a->list, &l->unrecorded);
	l->n_acks++;
	link_acks_write(l);
}

static void link_part_failed(struct smpp_link *l, struct link_sm *sm,
			     uint32_t status, bool perm)
{
	rate_ctr_inc2(l->ctrg, perm ? LINK_CTR_SUBMIT_PERM : LINK_CTR_SUBMIT_TEMP);
	LOGLINK(l, LOGL_INFO, "mt %lld: %s (0x%02x)%s\n", (long long)sm->m->id,
		smpp_pdu_status_str(status), status, perm ? ", permanent" : "");
	sm->status = status;
	if (perm)
		sm->perm_failed = true;
	else
		sm->temp_failed = true;
}

/* A response (submit_sm_resp or generic_nack) for window entry p. */
static void link_resp(struct smpp_link *l, struct link_pdu *p,
		      const struct smpp_hdr *h, const uint8_t *pdu)
{
	struct link_sm *sm = p->sm;
	unsigned part = p->part;
	enum smpp_status_class cls = smpp_pdu_status_class(h->status);

	if (h->id == SMPP_GENERIC_NACK && cls == SMPP_ST_OK)
		cls = SMPP_ST_TEMP;
	switch (cls) {
	case SMPP_ST_OK:
		link_part_ok(l, p, pdu, h->len);
		link_window_del(l, p);
		break;
	case SMPP_ST_THROTTLE:
		rate_ctr_inc2(l->ctrg, LINK_CTR_THROTTLED);
		link_window_del(l, p);
		link_resend_add(l, sm, part);
		link_pause(l);
		break;
	case SMPP_ST_TEMP:
	case SMPP_ST_PERM:
		link_part_failed(l, sm, h->status, cls == SMPP_ST_PERM);
		link_window_del(l, p);
		break;
	}
	link_sm_settle(l, sm);
}

static void link_pdu_timeout(void *data)
{
	struct link_pdu *p = data;
	struct smpp_link *l = p->l;
	struct link_sm *sm = p->sm;

	rate_ctr_inc2(l->ctrg, LINK_CTR_RESP_TIMEOUT);
	LOGLINK(l, LOGL_ERROR, "no submit_sm_resp for seq %u within %u s\n",
		p->seq, l->cfg->response_timeout_s);
	link_part_failed(l, sm, 0, false);
	link_window_del(l, p);
	link_sm_settle(l, sm);
	link_pump(l);
	link_drain_check(l);
}

/* ---- sending ------------------------------------------------------------- */

/* The rest of the message's validity as an SMPP relative time
 * "YYMMDDhhmmss000R", so the SMSC drops it when the queue would have. */
static void link_validity(struct link_sm *sm, int64_t now)
{
	int64_t left = (sm->m->expires_ms - now) / 1000;
	unsigned d, h, m, sec;

	if (sm->m->expires_ms <= 0 || sm->ussd) {
		sm->validity[0] = '\0';
		return;
	}
	if (left < LINK_VALIDITY_MIN_S)
		left = LINK_VALIDITY_MIN_S;
	d = left / 86400;
	if (d > LINK_VALIDITY_MAX_DAYS)
		d = LINK_VALIDITY_MAX_DAYS;
	h = left % 86400 / 3600;
	m = left % 3600 / 60;
	sec = left % 60;
	snprintf(sm->validity, sizeof(sm->validity), "0000%02u%02u%02u%02u000R",
		 d, h, m, sec);
}

static void link_fill_submit(struct smpp_link *l, struct link_sm *sm,
			     unsigned part, struct smpp_submit *s,
			     uint8_t *buf)
{
	const struct config_link *c = l->cfg;
	const struct charset_part *cp = &sm->split.part[part];
	bool multi = sm->split.n_parts > 1;

	memset(s, 0, sizeof(*s));
	s->src = sm->m->src[0] ? sm->m->src : c->source_addr;
	s->src_ton = c->source_ton;
	s->src_npi = c->source_npi;
	s->dst = sm->m->dst;
	s->dst_ton = c->dest_ton;
	s->dst_npi = c->dest_npi;
	s->data_coding = sm->dcs;
	s->registered_delivery = c->registered_delivery ? 1 : 0;
	link_validity(sm, clock_now_ms());
	s->validity = sm->validity[0] ? sm->validity : NULL;
	s->sm = cp->data;
	s->sm_len = cp->len;
	if (sm->ussd) {
		s->sm = sm->payload;
		s->sm_len = sm->payload_len;
		s->registered_delivery = 0;
		s->ussd = true;
		s->ussd_op = sm->ussd_op;
		s->has_its = sm->has_its;
		s->its = sm->its;
		return;
	}
	if (sm->payload) {
		s->sm = sm->payload;
		s->sm_len = sm->payload_len;
		s->lng = SMPP_LONG_PAYLOAD;
		return;
	}
	if (!multi)
		return;
	/* the reference is derived from the row id: a resend after a crash
	 * carries the same reference, so handsets can join or drop repeats */
	s->sar_ref = (uint16_t)sm->m->id;
	s->sar_total = sm->split.n_parts;
	s->sar_seq = part + 1;
	if (c->long_method == SMPP_LONG_SAR) {
		s->lng = SMPP_LONG_SAR;
		return;
	}
	buf[0] = CHARSET_UDH_LEN - 1;	/* UDHL */
	buf[1] = 0x00;			/* IEI: concatenation, 8-bit ref */
	buf[2] = 0x03;			/* IEDL */
	buf[3] = (uint8_t)sm->m->id;
	buf[4] = sm->split.n_parts;
	buf[5] = part + 1;
	memcpy(buf + CHARSET_UDH_LEN, cp->data, cp->len);
	s->sm = buf;
	s->sm_len = CHARSET_UDH_LEN + cp->len;
	s->lng = SMPP_LONG_UDH;
}

static int link_send_part(struct smpp_link *l, struct link_sm *sm,
			  unsigned part)
{
	uint8_t buf[CHARSET_PART_MAX];
	struct smpp_submit s;
	struct link_pdu *p;
	struct msgb *msg;
	uint32_t seq = smpp_conn_next_seq(l->tx);

	link_fill_submit(l, sm, part, &s, buf);
	msg = smpp_pdu_submit(l, seq, &s);
	if (!msg) {
		link_part_failed(l, sm, SMPP_ESME_RSYSERR, true);
		return -EINVAL;
	}
	if (smpp_conn_send(l->tx, msg) < 0) {
		link_part_failed(l, sm, 0, false);
		return -ENOTCONN;
	}
	p = talloc_zero(l, struct link_pdu);
	p->l = l;
	p->seq = seq;
	p->sm = sm;
	p->part = part;
	osmo_timer_setup(&p->timer, link_pdu_timeout, p);
	osmo_timer_schedule(&p->timer, l->cfg->response_timeout_s, 0);
	hash_add(l->window, &p->node, seq);
	l->n_window++;
	sm->in_flight++;
	rate_ctr_inc2(l->ctrg, LINK_CTR_SUBMIT);
	return 0;
}

/* message_payload links: the whole text in one submit_sm when it fits;
 * the queue learns that the message is one PDU. Else UDH parts. */
static void link_sm_payload(struct smpp_link *l, struct link_sm *sm,
			    const char *t)
{
	uint8_t *buf = talloc_size(sm, SMPP_PAYLOAD_MAX);
	enum charset_enc enc;
	int n = buf ? charset_encode(t, strlen(t), buf, SMPP_PAYLOAD_MAX, &enc) : -ENOMEM;

	if (n <= 0 || mtq_set_parts(l->q, sm->m->id, 1) < 0) {
		talloc_free(buf);
		return;
	}
	sm->payload = buf;
	sm->payload_len = n;
	sm->split.n_parts = 1;
}

/* A USSD screen is one short_message, never split: the menu engine keeps
 * screens within the configured size. */
static int link_sm_prepare_ussd(struct smpp_link *l, struct link_sm *sm)
{
	const char *t = sm->m->text;
	enum charset_enc enc;
	int n;

	sm->payload = talloc_size(sm, SMPP_SM_MAX);
	n = sm->payload ? charset_encode(t, strlen(t), sm->payload, SMPP_SM_MAX, &enc) : -ENOMEM;
	if (n < 0) {
		LOGLINK(l, LOGL_ERROR, "USSD screen to %s is too long (%zu octets of UTF-8)\n",
			log_num(sm->m->dst), strlen(t));
		link_part_failed(l, sm, SMPP_ESME_RINVMSGLEN, true);
		return -EINVAL;
	}
	sm->payload_len = n;
	sm->split.n_parts = 1;
	sm->dcs = enc == CHARSET_ENC_UCS2 ? CHARSET_DCS_UCS2 : l->cfg->gsm_data_coding;
	return 0;
}

/* Encode an MT once, when it is first sent. */
static int link_sm_prepare(struct smpp_link *l, struct link_sm *sm)
{
	const char *t = sm->m->text;
	int rc;

	if (sm->ussd)
		return link_sm_prepare_ussd(l, sm);
	rc = charset_split(t, strlen(t), CHARSET_MAX_PARTS, &sm->split);

	if (rc <= 0) {
		LOGLINK(l, LOGL_ERROR, "mt %lld: text cannot be encoded\n",
			(long long)sm->m->id);
		link_part_failed(l, sm, SMPP_ESME_RSYSERR, true);
		return -EINVAL;
	}
	sm->dcs = sm->split.enc == CHARSET_ENC_UCS2 ? CHARSET_DCS_UCS2 :
		  l->cfg->gsm_data_coding;
	if (l->cfg->long_method == SMPP_LONG_PAYLOAD && sm->split.n_parts > 1)
		link_sm_payload(l, sm, t);
	return 0;
}

/* Token bucket: max_tps tokens per second, at most one second's worth. */
static bool link_take_token(struct smpp_link *l, int64_t now)
{
	double rate = l->cfg->max_tps;

	if (rate == 0)
		return true;
	l->tokens += (now - l->tokens_ms) * rate / 1000.0;
	l->tokens_ms = now;
	if (l->tokens > rate)
		l->tokens = rate;
	if (l->tokens < 1.0) {
		int64_t wait_ms = (int64_t)((1.0 - l->tokens) * 1000.0 / rate) + 1;

		osmo_timer_schedule(&l->pump_timer, wait_ms / 1000,
				    (wait_ms % 1000) * 1000);
		return false;
	}
	l->tokens -= 1.0;
	return true;
}

static bool link_can_send(struct smpp_link *l, int64_t now)
{
	if (l->shutting_down || !smpp_conn_bound(l->tx) ||
	    l->n_window + l->n_acks >= l->cfg->window)
		return false;
	if (smpp_conn_pending(l->tx) > LINK_WBUF_HIGH)
		return false;
	if (now < l->paused_until_ms)
		return false;
	return link_take_token(l, now);
}

/* Next part to send: throttled resends first, then the backlog. */
static bool link_next_part(struct smpp_link *l, struct link_sm **sm,
			   unsigned *part)
{
	struct link_sm *s, *sn;

	if (!llist_empty(&l->resend)) {
		struct link_resend *r = llist_first_entry(&l->resend,
							  struct link_resend, list);

		*sm = r->sm;
		*part = r->part;
		r->sm->in_flight--;
		llist_del(&r->list);
		talloc_free(r);
		return true;
	}
	llist_for_each_entry_safe(s, sn, &l->backlog, list) {
		if (s->temp_failed || s->perm_failed)
			continue;
		if (s->split.n_parts == 0 && link_sm_prepare(l, s) < 0) {
			link_sm_settle(l, s);
			continue;
		}
		if (s->next_part < s->split.n_parts) {
			*sm = s;
			*part = s->next_part++;
			return true;
		}
	}
	return false;
}

static void link_pump(struct smpp_link *l)
{
	int64_t now = clock_now_ms();
	struct link_sm *sm;
	unsigned part;
	bool sent = false;

	while (link_can_send(l, now) && link_next_part(l, &sm, &part)) {
		if (sm->next_part >= sm->split.n_parts && !llist_empty(&sm->list)) {
			llist_del_init(&sm->list);	/* all parts out */
			l->n_backlog--;
		}
		if (link_send_part(l, sm, part) == 0)
			sent = true;
		else
			link_sm_settle(l, sm);
	}
	if (sent && l->kick_cb && smpp_link_room(l) > 0)
		l->kick_cb(l->kick_data);
}

/* Stopping: unbind once the last response has come back. */
static void link_drain_check(struct smpp_link *l)
{
	if (!l->shutting_down || l->n_window > 0 || !smpp_conn_bound(l->tx))
		return;
	link_requeue_all(l);
	smpp_conn_stop(l->tx);
}

static void link_pump_timer_cb(void *data)
{
	link_pump(data);
}

/* ---- MO ------------------------------------------------------------------ */

struct link_ack {
	struct smpp_link *l;
	struct smpp_conn *c;
	unsigned generation;
	uint32_t resp_id;		/* deliver_sm_resp or data_sm_resp */
	uint32_t seq;
	int rc;
};

static void link_ack_after_commit(void *data, int commit_rc)
{
	struct link_ack *a = data;
	uint32_t status = SMPP_ESME_ROK;

	if (a->rc < 0 || commit_rc < 0) {
		status = SMPP_ESME_RX_T_APPN;
		rate_ctr_inc2(a->l->ctrg, LINK_CTR_MO_TEMPFAIL);
	}
	if (smpp_conn_generation(a->c) == a->generation && smpp_conn_bound(a->c))
		smpp_conn_send(a->c, smpp_pdu_simple(a->l, a->resp_id, status,
						     a->seq));
	talloc_free(a);
}

static uint32_t link_resp_id(uint32_t req_id)
{
	return req_id == SMPP_DATA_SM ? SMPP_DATA_SM_RESP : SMPP_DELIVER_SM_RESP;
}

/* An answer now, without waiting for a commit (nothing was stored). */
static void link_rx_answer(struct smpp_link *l, struct smpp_conn *c,
			   const struct smpp_hdr *h, uint32_t status)
{
	smpp_conn_send(c, smpp_pdu_simple(l, link_resp_id(h->id), status,
					  h->seq));
}

/* deliver_sm or data_sm: decoded, handed to the MO callback, answered
 * after the commit. Out of memory is a temporary error: the SMSC sends the
 * PDU again. */
static void link_rx_deliver(struct smpp_link *l, struct smpp_conn *c,
			    const struct smpp_hdr *h, const uint8_t *pdu)
{
	struct smpp_deliver *d = talloc_zero(l, struct smpp_deliver);
	struct link_ack *a = talloc_zero(l, struct link_ack);

	rate_ctr_inc2(l->ctrg, LINK_CTR_MO);
	if (!d || !a) {
		LOGLINK(l, LOGL_ERROR, "out of memory for %s seq %u: temporary error\n",
			smpp_pdu_cmd_str(h->id), h->seq);
		rate_ctr_inc2(l->ctrg, LINK_CTR_MO_TEMPFAIL);
		link_rx_answer(l, c, h, SMPP_ESME_RX_T_APPN);
		goto out;
	}
	if (smpp_pdu_parse_deliver(pdu, h->len, d) < 0) {
		/* smpp_check passed it: the decoder disagrees (a UDH that
		 * runs past the user data, an over-long address) */
		rate_ctr_inc2(l->ctrg, LINK_CTR_BAD_PDU);
		LOGLINK(l, LOGL_NOTICE, "undecodable %s seq %u (%u octets): answered ESME_RINVMSGLEN\n",
			smpp_pdu_cmd_str(h->id), h->seq, h->len);
		link_rx_answer(l, c, h, SMPP_ESME_RINVMSGLEN);
		goto out;
	}
	a->l = l;
	a->c = c;
	a->generation = smpp_conn_generation(c);
	a->resp_id = link_resp_id(h->id);
	a->seq = h->seq;
	/* the callback opens the group-commit transaction if it writes */
	a->rc = l->mo_cb(l->mo_data, l, d);
	if (db_after_commit(l->db, link_ack_after_commit, a) < 0) {
		/* at-least-once: a stored MO may come again */
		rate_ctr_inc2(l->ctrg, LINK_CTR_MO_TEMPFAIL);
		link_rx_answer(l, c, h, SMPP_ESME_RX_T_APPN);
		goto out;
	}
	a = NULL;
out:
	talloc_free(a);
	talloc_free(d);
}

/* ---- session callbacks ------------------------------------------------- */

static void link_conn_rx(struct smpp_conn *c, const struct smpp_hdr *h,
			 const uint8_t *pdu, void *data)
{
	struct smpp_link *l = data;
	struct link_pdu *p;

	if (h->id == SMPP_DELIVER_SM || h->id == SMPP_DATA_SM) {
		link_rx_deliver(l, c, h, pdu);
		return;
	}
	/* submit_sm_resp or generic_nack: only the transmitting session */
	p = c == l->tx ? link_window_find(l, h->seq) : NULL;
	if (!p) {
		LOGLINK(l, LOGL_INFO, "%s seq %u matches nothing in the window\n",
			smpp_pdu_cmd_str(h->id), h->seq);
		return;
	}
	link_resp(l, p, h, pdu);
	link_pump(l);
	link_drain_check(l);
}

static void link_conn_up(struct smpp_conn *c, void *data)
{
	struct smpp_link *l = data;

	l->tokens = 0;
	l->tokens_ms = clock_now_ms();
	l->paused_until_ms = 0;
	l->throttle_ms = 0;
	if (c == l->tx && l->kick_cb)
		l->kick_cb(l->kick_data);
}

/* Everything in flight or waiting goes back to the queue. */
static void link_requeue_all(struct smpp_link *l)
{
	struct link_pdu *p;
	struct hlist_node *tmp;
	struct link_resend *r, *rn;
	struct link_sm *sm, *sn;
	unsigned bkt;

	hash_for_each_safe(l->window, bkt, tmp, p, node) {
		osmo_timer_del(&p->timer);
		hash_del(&p->node);
		talloc_free(p);
	}
	l->n_window = 0;
	llist_for_each_entry_safe(r, rn, &l->resend, list) {
		llist_del(&r->list);
		talloc_free(r);
	}
	llist_for_each_entry_safe(sm, sn, &l->all, all)
		link_sm_requeue(l, sm);
}

static void link_conn_down(struct smpp_conn *c, void *data)
{
	struct smpp_link *l = data;

	if (c == l->tx) {
		LOGLINK(l, LOGL_NOTICE, "down: %u in window and %u waiting go back to the queue\n",
			l->n_window, l->n_backlog);
		link_requeue_all(l);
	}
}

static const struct smpp_conn_ops link_conn_ops = {
	.up = link_conn_up,
	.down = link_conn_down,
	.rx = link_conn_rx,
};

/* ---- public -------------------------------------------------------------- */

struct smpp_link *smpp_link_alloc(void *ctx, const struct config_link *cfg,
				  struct db *db, struct mtq *q,
				  smpp_link_mo_cb mo_cb, void *mo_data,
				  smpp_link_kick_cb kick_cb, void *kick_data)
{
	struct smpp_link *l = talloc_zero(ctx, struct smpp_link);
	static unsigned idx;

	if (!l)
		return NULL;
	l->cfg = cfg;
	l->db = db;
	l->q = q;
	l->mo_cb = mo_cb;
	l->kick_cb = kick_cb;
	l->mo_data = mo_data;
	l->kick_data = kick_data;
	INIT_LLIST_HEAD(&l->all);
	INIT_LLIST_HEAD(&l->backlog);
	INIT_LLIST_HEAD(&l->resend);
	INIT_LLIST_HEAD(&l->uncommitted);
	INIT_LLIST_HEAD(&l->unrecorded);
	osmo_timer_setup(&l->ack_timer, link_ack_timer_cb, l);
	hash_init(l->window);
	osmo_timer_setup(&l->pump_timer, link_pump_timer_cb, l);
	l->ctrg = rate_ctr_group_alloc(l, &link_ctrg_desc, idx++);
	if (l->ctrg)
		rate_ctr_group_set_name(l->ctrg, cfg->name);
	if (cfg->bind == CONFIG_BIND_TX_RX) {
		l->tx = smpp_conn_alloc(l, cfg, SMPP_BIND_KIND_TX, &link_conn_ops, l);
		l->rx = smpp_conn_alloc(l, cfg, SMPP_BIND_KIND_RX, &link_conn_ops, l);
	} else {
		l->tx = smpp_conn_alloc(l, cfg, SMPP_BIND_KIND_TRX, &link_conn_ops, l);
	}
	if (!l->ctrg || !l->tx || (cfg->bind == CONFIG_BIND_TX_RX && !l->rx)) {
		smpp_link_free(l);
		return NULL;
	}
	return l;
}

void smpp_link_free(struct smpp_link *l)
{
	if (!l)
		return;
	osmo_timer_del(&l->pump_timer);
	osmo_timer_del(&l->ack_timer);
	link_requeue_all(l);
	smpp_conn_free(l->tx);
	smpp_conn_free(l->rx);
	rate_ctr_group_free(l->ctrg);
	talloc_free(l);
}

void smpp_link_start(struct smpp_link *l)
{
	l->shutting_down = false;
	smpp_conn_start(l->tx);
	if (l->rx)
		smpp_conn_start(l->rx);
}

void smpp_link_stop(struct smpp_link *l)
{
	struct link_sm *sm, *sn;

	/* what has not started goes back now; the window drains first */
	llist_for_each_entry_safe(sm, sn, &l->backlog, list)
		if (sm->next_part == 0 && sm->in_flight == 0)
			link_sm_requeue(l, sm);
	if (l->n_window == 0) {
		link_requeue_all(l);
		smpp_conn_stop(l->tx);
	}
	if (l->rx)
		smpp_conn_stop(l->rx);
	l->shutting_down = true;
}

void smpp_link_shutdown(struct smpp_link *l)
{
	smpp_link_stop(l);
}

bool smpp_link_idle(const struct smpp_link *l)
{
	if (l->n_window > 0 || l->n_acks > 0)
		return false;
	return smpp_conn_stopped(l->tx) && (!l->rx || smpp_conn_stopped(l->rx));
}

void smpp_link_abort(struct smpp_link *l)
{
	link_requeue_all(l);
	smpp_conn_stop(l->tx);
	if (l->rx)
		smpp_conn_stop(l->rx);
}

bool smpp_link_up(const struct smpp_link *l)
{
	return !l->shutting_down && smpp_conn_bound(l->tx);
}

unsigned smpp_link_room(const struct smpp_link *l)
{
	unsigned want = l->cfg->window * 2;

	if (want < LINK_BACKLOG_MIN)
		want = LINK_BACKLOG_MIN;
	if (!smpp_link_up(l) || l->n_backlog >= want)
		return 0;
	return want - l->n_backlog;
}

void smpp_link_take(struct smpp_link *l, struct mtq_msg *m)
{
	struct link_sm *sm = talloc_zero(l, struct link_sm);

	talloc_steal(sm, m);
	sm->m = m;
	llist_add_tail(&sm->all, &l->all);
	llist_add_tail(&sm->list, &l->backlog);
	l->n_backlog++;
	link_pump(l);
}

int smpp_link_send_ussd(struct smpp_link *l, const struct smpp_link_ussd *u)
{
	struct link_sm *sm;
	struct mtq_msg *m;

	if (!smpp_link_up(l))
		return -ENOTCONN;
	sm = talloc_zero(l, struct link_sm);
	m = talloc_zero(sm, struct mtq_msg);
	if (!sm || !m)
		return -ENOMEM;
	OSMO_STRLCPY_ARRAY(m->dst, u->dst);
	if (u->src)
		OSMO_STRLCPY_ARRAY(m->src, u->src);
	m->text = talloc_strdup(m, u->text);
	m->prio = MTQ_PRIO_USSD;
	sm->m = m;
	sm->ussd = true;
	sm->ussd_op = u->op;
	sm->has_its = u->has_its;
	sm->its = u->its;
	llist_add_tail(&sm->all, &l->all);
	llist_add(&sm->list, &l->backlog);	/* ahead of every SMS */
	l->n_backlog++;
	link_pump(l);
	return 0;
}

const char *smpp_link_name(const struct smpp_link *l)
{
	return l->cfg->name;
}

const struct config_link *smpp_link_cfg(const struct smpp_link *l)
{
	return l->cfg;
}

static void link_vty_conn(const struct smpp_conn *c, struct vty *vty)
{
	const struct smpp_conn_stats *st = smpp_conn_stats(c);

	vty_out(vty, "  session %s: %s, connects %lu, binds %lu, bind failures %lu, "
		"drops %lu, PDUs in %lu out %lu, malformed %lu%s", smpp_conn_name(c),
		smpp_conn_state_name(c), st->connects, st->binds,
		st->bind_failures, st->drops, st->pdus_in, st->pdus_out,
		st->bad_pdus, VTY_NEWLINE);
	if (st->last_bind_status)
		vty_out(vty, "    last bind error: %s%s",
			smpp_pdu_status_str(st->last_bind_status), VTY_NEWLINE);
}

void smpp_link_vty_show(const struct smpp_link *l, struct vty *vty)
{
	const struct config_link *c = l->cfg;

	vty_out(vty, "link %s: %s:%u system_id %s, %s%s%s", c->name, c->host,
		c->port, c->system_id, smpp_link_up(l) ? "up" : "down",
		c->is_default ? ", default" : "", VTY_NEWLINE);
	vty_out(vty, "  window %u/%u, waiting %u, max_tps %u%s%s", l->n_window,
		c->window, l->n_backlog, c->max_tps,
		l->paused_until_ms > clock_now_ms() ? ", paused (throttled)" : "",
		VTY_NEWLINE);
	link_vty_conn(l->tx, vty);
	if (l->rx)
		link_vty_conn(l->rx, vty);
}

void smpp_link_vty_stats(const struct smpp_link *l, struct vty *vty)
{
	vty_out(vty, "link %s:%s", l->cfg->name, VTY_NEWLINE);
	vty_out_rate_ctr_group(vty, "  ", l->ctrg);
}
