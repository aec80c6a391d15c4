/*
 * router.c - the first stop of everything a transport receives.
 *
 * Receipts (their ids already normalised by the link) are matched against
 * the parts the links submitted (mtq_dlr). A receipt that matches nothing
 * is logged and acknowledged: the SMSC would only repeat it.
 *
 * USSD: a step of a dialogue goes to the USSD handler (gateway/ussd), sender
 * normalised, and is not stored: the dialogue lives in memory and what it
 * changes is written by the domain layer in the same transaction.
 *
 * MOs: the sender is normalised to international digits and the message
 * stored (mo_store), which reassembles concatenated parts. When a message
 * is complete the handler (the SMS commands) answers it. Storing and
 * answering are one unit of work (db_unit_begin): if the answer cannot be
 * queued, the MO is not kept either, and the transport answers with a
 * temporary error so that the SMSC sends it again. Incomplete sets are
 * stored as they are after text.concat_timeout by a periodic sweep and
 * handed on the same way.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/queue/inbound.h"
#include "gateway/queue/mo.h"
#include "gateway/text/msisdn.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/router.h"

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

/* Receipts by the state they report, and whether they matched a part. */
static const char *const router_rcpt_labels[] = { "state", "matched", NULL };
static struct metrics_family router_receipts = {
	.name = "skillgw_receipts_total",
	.help = "Delivery receipts received, by the state they report "
		"and whether they matched a submitted part.",
	.type = METRICS_COUNTER, .labels = router_rcpt_labels };

static const char *router_rcpt_str(enum mtq_rcpt s)
{
	static const char *const names[] = {
		[MTQ_RCPT_ENROUTE] = "enroute",
		[MTQ_RCPT_DELIVERED] = "delivered",
		[MTQ_RCPT_EXPIRED] = "expired",
		[MTQ_RCPT_DELETED] = "deleted",
		[MTQ_RCPT_UNDELIVERABLE] = "undeliverable",
		[MTQ_RCPT_ACCEPTED] = "accepted",
		[MTQ_RCPT_UNKNOWN] = "unknown",
		[MTQ_RCPT_REJECTED] = "rejected",
	};

	return (unsigned)s < ARRAY_SIZE(names) && names[s] ? names[s] :
	       "other";
}

static int router_dlr(struct router *r, const struct in_msg *in)
{
	int64_t mt_id = 0;
	int rc;

	r->st.dlr++;
	metrics_day_add(METRICS_DAY_DLR);
	rc = mtq_dlr(r->q, in->link, in->rcpt_id, in->rcpt_state, in->rcpt_err,
		     clock_now_ms(), &mt_id);
	if (rc >= 0 || rc == -ENOENT)
		metrics_inc(&router_receipts, router_rcpt_str(in->rcpt_state),
			    rc == -ENOENT ? "no" : "yes");
	if (rc == -ENOENT) {
		r->st.dlr_unmatched++;
		LOGP(DROUTER, LOGL_INFO, "link %s: receipt for unknown id %s\n",
		     in->link, in->rcpt_id);
		return 0;
	}
	if (rc < 0) {
		r->st.db_errors++;
		return rc;
	}
	LOGP(DROUTER, LOGL_DEBUG, "mt %lld: receipt, state %d\n",
	     (long long)mt_id, in->rcpt_state);
	return 0;
}

/* A complete MO to its handler, then marked handled. A handler that fails
 * (the database refused the reply) leaves it unhandled: the caller undoes
 * the unit and the MO comes again. */
static int router_handle(struct router *r, const struct mo_msg *m,
			 bool answer)
{
	int rc = 0;

	r->st.mo++;
	metrics_day_add(METRICS_DAY_MO);
	LOGP(DROUTER, LOGL_INFO, "mo %lld from %s to %s: %u part(s)%s\n",
	     (long long)m->id, log_num(m->src), m->dst, m->parts,
	     m->partial ? ", incomplete" : "");
	if (answer && r->handler)
		rc = r->handler(r->handler_data, m);
	if (rc < 0) {
		r->st.handler_errors++;
		return rc;
	}
	return mo_mark_handled(r->mo, m->id, clock_now_ms());
}

/* Stored (reassembled) and handled as one unit of work. A USSD step that
 * no dialogue handler takes is kept like an SMS, not answered. */
static int router_sms(struct router *r, const struct in_msg *in)
{
	struct mo_msg m;
	int rc = db_unit_begin(r->db);

	if (in->concat)
		r->st.mo_parts++;
	if (rc == 0)
		rc = mo_store(r->mo, in, clock_now_ms(), &m);
	if (rc == 1)
		rc = router_handle(r, &m, in->kind == IN_SMS);
	rc = db_unit_end(r->db, rc);
	if (rc < 0) {
		r->st.db_errors++;
		LOGP(DROUTER, db_fail_level(), "cannot store or answer an MO from %s: %s\n",
		     log_num(in->src), strerror(-rc));
	}
	return rc < 0 ? rc : 0;
}

int router_rx(void *data, const struct in_msg *in)
{
	struct router *r = data;
	struct in_msg n;

	if (in->kind == IN_RECEIPT)
		return router_dlr(r, in);
	/* the sender in the one form every table uses */
	n = *in;
	if (msisdn_normalise(in->src, r->cfg->country_code, n.src,
			     sizeof(n.src)) < 0)
		OSMO_STRLCPY_ARRAY(n.src, in->src);
	if (in->kind == IN_USSD && r->ussd) {
		r->st.ussd++;
		return r->ussd(r->ussd_data, &n);
	}
	return router_sms(r, &n);
}

static int router_partial_cb(void *data, const struct mo_msg *m)
{
	struct router *r = data;

	r->st.mo_partial++;
	return router_handle(r, m, true);
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
