/*
 * link.c - one carrier link: its session(s), the MTs it holds, and its
 * public face (start, stop, take an MT, send a USSD screen).
 *
 * A link owns one transceiver session or a transmitter + receiver pair
 * (conn.c). MTs handed over by the dispatcher wait in the backlog; the pump
 * (link_send.c) sends their parts, the window (link_resp.c) keeps each
 * submit_sm in flight until its answer, and what the SMSC delivers goes to
 * the router (link_mo.c). Losing the transmitting session puts every
 * message of the backlog and the window back in the queue (uncounted):
 * at-least-once, never lost. The private header link_priv.h holds what the
 * files of the link share.
 */
#include <errno.h>
#include <stddef.h>
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
#include "link_priv.h"

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
	[LINK_CTR_BAD_RECEIPT]	= { "deliver:bad_receipt", "receipts that could not be read" },
	[LINK_CTR_QUARANTINED]	= { "deliver:quarantined", "PDUs the daemon died on, answered with a temporary error" },
};

static const struct rate_ctr_group_desc link_ctrg_desc = {
	.group_name_prefix = "smpp:link",
	.group_description = "SMPP link",
	.class_id = OSMO_STATS_CLASS_PEER,
	.num_ctr = ARRAY_SIZE(link_ctr_desc),
	.ctr_desc = link_ctr_desc,
};

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
void link_requeue_all(struct smpp_link *l)
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
				  in_rx_fn rx_cb, void *rx_data,
				  smpp_link_kick_cb kick_cb, void *kick_data)
{
	struct smpp_link *l = talloc_zero(ctx, struct smpp_link);
	static unsigned idx;

	if (!l)
		return NULL;
	l->cfg = cfg;
	l->db = db;
	l->q = q;
	l->rx_cb = rx_cb;
	l->kick_cb = kick_cb;
	l->rx_data = rx_data;
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

/* A new link_sm, zeroed but for the octets of its parts (2.6 KB), which
 * link_sm_prepare() fills before they are read: zeroing them too was
 * 3.6% of the instructions of an MT drain. */
static struct link_sm *link_sm_new(struct smpp_link *l)
{
	struct link_sm *sm = talloc(l, struct link_sm);

	if (sm)
		memset(sm, 0, offsetof(struct link_sm, split.part));
	return sm;
}

void smpp_link_take(struct smpp_link *l, struct mtq_msg *m)
{
	struct link_sm *sm = link_sm_new(l);

	talloc_steal(sm, m);
	sm->m = m;
	llist_add_tail(&sm->all, &l->all);
	llist_add_tail(&sm->list, &l->backlog);
	l->n_backlog++;
	link_pump(l);
}

/* One id into the talloc array *ids of *n. */
static int link_held_add(void *ctx, int64_t **ids, size_t *n, int64_t id)
{
	int64_t *v = talloc_realloc(ctx, *ids, int64_t, *n + 1);

	if (!v)
		return -ENOMEM;
	v[(*n)++] = id;
	*ids = v;
	return 0;
}

int smpp_link_held(const struct smpp_link *l, void *ctx, int64_t **ids,
		   size_t *n)
{
	const struct link_ackrec *a;
	const struct link_sm *sm;
	int rc = 0;

	llist_for_each_entry(sm, &l->all, all)
		if (!sm->ussd && !rc)
			rc = link_held_add(ctx, ids, n, sm->m->id);
	llist_for_each_entry(a, &l->unrecorded, list)
		if (!rc)
			rc = link_held_add(ctx, ids, n, a->mt_id);
	llist_for_each_entry(a, &l->uncommitted, list)
		if (!rc)
			rc = link_held_add(ctx, ids, n, a->mt_id);
	return rc;
}

int smpp_link_send_ussd(struct smpp_link *l, const struct smpp_link_ussd *u)
{
	struct link_sm *sm;
	struct mtq_msg *m;

	if (!smpp_link_up(l))
		return -ENOTCONN;
	sm = link_sm_new(l);
	m = sm ? talloc_zero(sm, struct mtq_msg) : NULL;
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

void smpp_link_set_quarantine(struct smpp_link *l, struct smpp_quar *q)
{
	l->quar = q;
}

const char *smpp_link_name(const struct smpp_link *l)
{
	return l->cfg->name;
}

const struct config_link *smpp_link_cfg(const struct smpp_link *l)
{
	return l->cfg;
}
