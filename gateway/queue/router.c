/*
 * router.c - the first stop of every deliver_sm.
 *
 * Receipts: the receipted id is normalised with the link's dlr_id_format
 * and matched against the parts the link submitted (mtq_dlr). A receipt
 * that matches nothing is logged and acknowledged: the SMSC would only
 * repeat it.
 *
 * USSD: a deliver_sm with ussd_service_op is one step of a dialogue. With
 * a USSD handler set (gateway/ussd.c) it goes there, sender normalised,
 * and is not stored: the dialogue lives in memory and what it changes is
 * written by the domain layer in the same transaction.
 *
 * MOs: the sender is normalised to international digits and the message
 * stored (mo_store), which reassembles concatenated parts. When a message
 * is complete the handler (SMS commands, USSD) gets it in the same
 * transaction. Incomplete sets are stored as they are after
 * text.concat_timeout by a periodic sweep, and handed on the same way.
 *
 * Every write happens inside the group-commit transaction: a negative
 * return makes the link answer with a temporary error, so the SMSC retries
 * and nothing is lost.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/smpp/dlr.h"
#include "gateway/log.h"
#include "gateway/queue/mo.h"
#include "gateway/text/msisdn.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/router.h"
#include "gateway/smpp/link.h"

#define ROUTER_SWEEP_S	1	/* how often incomplete MOs are looked at */

struct router {
	const struct config *cfg;
	struct db *db;
	struct mtq *q;
	struct mo *mo;
	router_mo_handler handler;
	void *handler_data;
	router_ussd_handler ussd;
	void *ussd_data;
	struct osmo_timer_list sweep;
	struct router_stats st;
};

static int router_dlr(struct router *r, struct smpp_link *l,
		      const struct smpp_deliver *d)
{
	const struct config_link *lc = smpp_link_cfg(l);
	struct dlr dlr;
	char id[SMPP_MSGID_MAX];
	int64_t mt_id = 0;
	int rc;

	r->st.dlr++;
	if (dlr_from_deliver(d, &dlr) < 0) {
		LOGP(DROUTER, LOGL_ERROR, "link %s: unreadable receipt from %s\n",
		     lc->name, log_num(d->src));
		return 0;
	}
	if (dlr_id_normalise(dlr.id, lc->dlr_id_fmt, id, sizeof(id)) < 0)
		OSMO_STRLCPY_ARRAY(id, dlr.id);
	rc = mtq_dlr(r->q, lc->name, id, dlr.state, dlr.err, clock_now_ms(), &mt_id);
	if (rc == -ENOENT) {
		r->st.dlr_unmatched++;
		LOGP(DROUTER, LOGL_INFO, "link %s: receipt for unknown id %s (%s)\n",
		     lc->name, id, dlr_state_str(dlr.state));
		return 0;
	}
	if (rc < 0) {
		r->st.db_errors++;
		return rc;
	}
	LOGP(DROUTER, LOGL_DEBUG, "mt %lld: receipt %s\n", (long long)mt_id,
	     dlr_state_str(dlr.state));
	return 0;
}

static void router_handle(struct router *r, const struct mo_msg *m,
			  const struct smpp_deliver *d)
{
	r->st.mo++;
	LOGP(DROUTER, LOGL_INFO, "mo %lld from %s to %s: %u part(s)%s\n",
	     (long long)m->id, log_num(m->src), m->dst, m->parts,
	     m->partial ? ", incomplete" : "");
	if (r->handler)
		r->handler(r->handler_data, m, d);
	mo_mark_handled(r->mo, m->id, clock_now_ms());
}

int router_rx(void *data, struct smpp_link *l, const struct smpp_deliver *d)
{
	struct router *r = data;
	struct smpp_deliver *n;
	struct mo_msg m;
	int rc;

	if (d->is_receipt)
		return router_dlr(r, l, d);
	/* store the sender in the one form every table uses */
	n = talloc_memdup(r, d, sizeof(*d));
	n->text = n->ud + (d->text - d->ud);
	if (msisdn_normalise(d->src, r->cfg->country_code, n->src, sizeof(n->src)) < 0)
		OSMO_STRLCPY_ARRAY(n->src, d->src);
	if (d->has_ussd_op && r->ussd) {
		r->st.ussd++;
		rc = r->ussd(r->ussd_data, l, n);
		talloc_free(n);
		return rc;
	}
	if (d->concat)
		r->st.mo_parts++;
	rc = mo_store(r->mo, smpp_link_name(l), n, clock_now_ms(), &m);
	if (rc < 0) {
		r->st.db_errors++;
		LOGP(DROUTER, LOGL_ERROR, "cannot store MO from %s: %s\n",
		     log_num(n->src), strerror(-rc));
	} else if (rc == 1) {
		router_handle(r, &m, n);
		rc = 0;
	}
	talloc_free(n);
	return rc;
}

static void router_partial_cb(void *data, const struct mo_msg *m)
{
	struct router *r = data;

	r->st.mo_partial++;
	router_handle(r, m, NULL);
}

static void router_sweep_cb(void *data)
{
	struct router *r = data;

	mo_expire_parts(r->mo, clock_now_ms(),
			(int64_t)r->cfg->concat_timeout_s * 1000,
			router_partial_cb, r);
	osmo_timer_schedule(&r->sweep, ROUTER_SWEEP_S, 0);
}

struct router *router_init(void *ctx, const struct config *cfg, struct db *db,
			   struct mtq *q, struct mo *mo)
{
	struct router *r = talloc_zero(ctx, struct router);

	if (!r)
		return NULL;
	r->cfg = cfg;
	r->db = db;
	r->q = q;
	r->mo = mo;
	osmo_timer_setup(&r->sweep, router_sweep_cb, r);
	osmo_timer_schedule(&r->sweep, ROUTER_SWEEP_S, 0);
	return r;
}

void router_free(struct router *r)
{
	if (!r)
		return;
	osmo_timer_del(&r->sweep);
	talloc_free(r);
}

void router_set_handler(struct router *r, router_mo_handler h, void *data)
{
	r->handler = h;
	r->handler_data = data;
}

void router_set_ussd_handler(struct router *r, router_ussd_handler h,
			     void *data)
{
	r->ussd = h;
	r->ussd_data = data;
}

const struct router_stats *router_stats(const struct router *r)
{
	return &r->st;
}
