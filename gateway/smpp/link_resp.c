/*
 * link_resp.c - the fate of every submitted part: the window of submit_sm
 * waiting for their answers, throttling, and writing accepted parts to the
 * queue.
 *
 * Outcomes, per part:
 *   OK        -> mtq_part_submitted (the row becomes submitted with the last)
 *   THROTTLE  -> the part is sent again after a pause that doubles while the
 *                SMSC keeps throttling; no attempt is counted
 *   TEMP      -> once no part of the message is in flight, mtq_retry
 *   PERM      -> once no part of the message is in flight, mtq_fail
 *
 * An accepted part keeps its window slot until the write of its SMSC id is
 * committed: a crash repeats at most one window, and a write the database
 * refused is tried again instead of leaving the row in sending.
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
void link_sm_settle(struct smpp_link *l, struct link_sm *sm)
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
	else
		metrics_day_add(METRICS_DAY_MT);	/* every part accepted */
	link_sm_free(l, sm);
}

/* Put an MT back in the queue without counting an attempt (link loss,
 * shutdown). */
void link_sm_requeue(struct smpp_link *l, struct link_sm *sm)
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

struct link_pdu *link_window_find(struct smpp_link *l, uint32_t seq)
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

void link_ack_timer_cb(void *data)
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

void link_part_failed(struct smpp_link *l, struct link_sm *sm,
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
void link_resp(struct smpp_link *l, struct link_pdu *p,
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

void link_pdu_timeout(void *data)
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
