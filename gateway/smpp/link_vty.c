/*
 * link_vty.c - a link in the VTY: show smsc (state, window, sessions) and
 * show stats (its counters); the same as a struct for the API
 * (smpp_link_status).
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
#include "link_priv.h"

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

static unsigned long link_ctr(const struct smpp_link *l, enum link_ctr i)
{
	return rate_ctr_group_get_ctr(l->ctrg, i)->current;
}

void smpp_link_status(const struct smpp_link *l, struct smpp_link_status *st)
{
	const struct config_link *c = l->cfg;

	memset(st, 0, sizeof(*st));
	st->name = c->name;
	st->up = smpp_link_up(l);
	st->stopped = smpp_conn_stopped(l->tx);
	st->tx_state = smpp_conn_state_name(l->tx);
	st->rx_state = l->rx ? smpp_conn_state_name(l->rx) : NULL;
	st->window = l->n_window;
	st->window_size = c->window;
	st->backlog = l->n_backlog;
	st->max_tps = c->max_tps;
	st->tps = rate_ctr_group_get_ctr(l->ctrg, LINK_CTR_SUBMIT)
		  ->intv[RATE_CTR_INTV_SEC].rate;
	st->throttled = l->paused_until_ms > clock_now_ms();
	st->is_default = c->is_default;
	st->submits = link_ctr(l, LINK_CTR_SUBMIT);
	st->submit_ok = link_ctr(l, LINK_CTR_SUBMIT_OK);
	st->submit_temp = link_ctr(l, LINK_CTR_SUBMIT_TEMP);
	st->submit_perm = link_ctr(l, LINK_CTR_SUBMIT_PERM);
	st->throttles = link_ctr(l, LINK_CTR_THROTTLED);
	st->timeouts = link_ctr(l, LINK_CTR_RESP_TIMEOUT);
	st->mo = link_ctr(l, LINK_CTR_MO);
}
