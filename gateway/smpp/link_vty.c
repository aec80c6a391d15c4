/*
 * link_vty.c - a link in the VTY: show smsc (state, window, sessions) and
 * show stats (its counters).
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
