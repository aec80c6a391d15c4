/*
 * link_send.c - sending: an MT encoded once into parts, each part a
 * submit_sm (UDH, SAR or message_payload as the link is configured) with
 * the rest of the message's validity, sent while the window has room, the
 * token bucket (max_tps) has a token and the link is not paused by
 * throttling. USSD screens go first, as one short_message each.
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
#include "gateway/metrics.h"
#include "gateway/queue/mtq.h"
#include "gateway/smpp/conn.h"
#include "gateway/smpp/link.h"
#include "gateway/smpp/pdu.h"
#include "link_priv.h"

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
	s->sm = cp->data;
	s->sm_len = cp->len;
	if (!multi)
		return;
	/* the reference is derived from the row id: a resend after a crash
	 * carries the same reference, so handsets can join or drop repeats */
	s->sar_ref = (uint16_t)sm->m->id;
	s->sar_total = sm->split.n_parts;
	s->sar_seq = part + 1;
	if (c->long_method == CONFIG_LONG_SAR) {
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

/* MO to reply: from the deliver_sm's arrival to the last submit_sm of
 * its reply written for the SMSC (the queue keeps when the MO arrived,
 * mtq.h). Buckets in seconds. */
static const double link_reply_bounds[] = {
	0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
	2.5, 5, 10 };
static struct metrics_family link_reply_latency = {
	.name = "skillgw_mo_reply_seconds",
	.help = "Time from an SMS command's deliver_sm to the last submit_sm "
		"of its reply.",
	.type = METRICS_HISTOGRAM, .bounds = link_reply_bounds,
	.n_bounds = ARRAY_SIZE(link_reply_bounds) };

static void link_reply_sent(struct link_sm *sm, unsigned part)
{
	if (sm->ussd || !sm->m->answers_us || part + 1 < sm->split.n_parts)
		return;
	metrics_observe(&link_reply_latency,
			(clock_mono_us() - sm->m->answers_us) / 1e6);
	sm->m->answers_us = 0;	/* once, whatever is sent again */
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
	link_reply_sent(sm, part);
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
	if (l->cfg->long_method == CONFIG_LONG_PAYLOAD && sm->split.n_parts > 1)
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

void link_pump(struct smpp_link *l)
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
void link_drain_check(struct smpp_link *l)
{
	if (!l->shutting_down || l->n_window > 0 || !smpp_conn_bound(l->tx))
		return;
	link_requeue_all(l);
	smpp_conn_stop(l->tx);
}

void link_pump_timer_cb(void *data)
{
	link_pump(data);
}
