/*
 * dispatch.c - from the durable queue to the links.
 *
 * Once per loop iteration, if something may be ready, the dispatcher asks
 * every link how many MTs it has room for, takes that many ready rows from
 * the queue in one statement (best priority first) and hands each to a
 * link: the one its number's prefix routes to when that link is up and has
 * room, else the default link, else any link that is up (fail-over). When
 * a fetch comes back short the queue is drained and the dispatcher sleeps
 * until a link asks for more, a local enqueue kicks it, or the poll timer
 * fires (rows written by skillctl, retries whose back-off ended).
 *
 * Bulk rows (notices) are taken only as far as pace.h allows: none in
 * quiet hours, else within the bulk share of each link's rate. When bulk
 * was held back, a short timer looks again once more is allowed.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>

#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/queue/dispatch.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/pace.h"
#include "gateway/smpp/link.h"

struct dispatch {
	const struct config *cfg;
	struct mtq *q;
	struct smpp_link **links;
	unsigned n_links;
	unsigned *room;			/* per link, during one run */
	bool want;
	bool stopped;
	struct osmo_timer_list poll;
	struct pace *pace;		/* quiet hours, bulk share */
	struct osmo_timer_list bulk_wake;	/* bulk was held back */
};

void dispatch_kick(void *data)
{
	struct dispatch *d = data;

	d->want = true;
}

static void dispatch_poll_cb(void *data)
{
	struct dispatch *d = data;

	d->want = true;
	osmo_timer_schedule(&d->poll, d->cfg->poll_ms / 1000,
			    (d->cfg->poll_ms % 1000) * 1000);
}

static int dispatch_pick(struct dispatch *d, const char *dst)
{
	int i = config_route(d->cfg, dst);
	unsigned k;

	if (i >= 0 && d->room[i] > 0)
		return i;
	for (k = 0; k < d->n_links; k++)
		if (d->cfg->link[k].is_default && d->room[k] > 0)
			return k;
	for (k = 0; k < d->n_links; k++)
		if (d->room[k] > 0)
			return k;
	return -1;
}

/* Hand the taken rows to the links. Returns how many were bulk. */
static unsigned dispatch_hand(struct dispatch *d, struct llist_head *msgs)
{
	struct mtq_msg *m, *n;
	unsigned bulk = 0;
	int i;

	llist_for_each_entry_safe(m, n, msgs, list) {
		llist_del(&m->list);
		i = dispatch_pick(d, m->dst);
		if (i < 0)	/* cannot happen: room was counted */
			i = 0;
		if (d->room[i] > 0)
			d->room[i]--;
		if (m->prio == MTQ_PRIO_BULK) {
			pace_bulk_sent(d->pace, i, m->parts);
			bulk++;
		}
		smpp_link_take(d->links[i], m);
	}
	return bulk;
}

static void dispatch_bulk_later(struct dispatch *d, int64_t now)
{
	int64_t ms;

	if (osmo_timer_pending(&d->bulk_wake))
		return;
	ms = pace_bulk_wait_ms(d->pace, now);
	osmo_timer_schedule(&d->bulk_wake, ms / 1000, (ms % 1000) * 1000);
}

void dispatch_run(struct dispatch *d)
{
	LLIST_HEAD(msgs);
	unsigned k, total = 0, max_bulk;
	int64_t now;
	int got;

	if (!d->want || d->stopped)
		return;
	for (k = 0; k < d->n_links; k++) {
		d->room[k] = smpp_link_room(d->links[k]);
		total += d->room[k];
	}
	if (total == 0)
		return;		/* links kick when they have room */
	if (total > d->cfg->batch)
		total = d->cfg->batch;
	now = clock_now_ms();
	max_bulk = pace_bulk_allowed(d->pace, d->room, now);
	got = mtq_fetch_capped(d->q, d, now, total, max_bulk, &msgs);
	if (got < 0) {
		LOGP(DQUEUE, LOGL_ERROR, "cannot fetch from the queue: %d\n", got);
		return;
	}
	if ((unsigned)got < total)
		d->want = false;
	/* bulk held back by the cap may be waiting: look again soon */
	if (dispatch_hand(d, &msgs) >= max_bulk && max_bulk < total)
		dispatch_bulk_later(d, now);
}

struct dispatch *dispatch_init(void *ctx, const struct config *cfg,
			       struct mtq *q, struct smpp_link **links,
			       unsigned n_links)
{
	struct dispatch *d = talloc_zero(ctx, struct dispatch);

	if (!d)
		return NULL;
	d->cfg = cfg;
	d->q = q;
	d->links = links;
	d->n_links = n_links;
	d->room = talloc_zero_array(d, unsigned, n_links ? n_links : 1);
	d->pace = pace_init(d, cfg, n_links);
	if (!d->room || !d->pace) {
		talloc_free(d);
		return NULL;
	}
	d->want = true;
	osmo_timer_setup(&d->bulk_wake, dispatch_kick, d);
	osmo_timer_setup(&d->poll, dispatch_poll_cb, d);
	dispatch_poll_cb(d);
	return d;
}

int dispatch_ussd(struct dispatch *d, const char *link,
		  const struct dispatch_ussd *u)
{
	unsigned i;

	for (i = 0; i < d->n_links; i++)
		if (!strcmp(smpp_link_name(d->links[i]), link))
			return smpp_link_send_ussd(d->links[i],
				&(struct smpp_link_ussd){
					.dst = u->dst, .src = u->src,
					.text = u->text, .op = u->op,
					.has_its = u->has_its, .its = u->its });
	return -ENOENT;
}

void dispatch_stop(struct dispatch *d)
{
	d->stopped = true;
	osmo_timer_del(&d->poll);
	osmo_timer_del(&d->bulk_wake);
}

void dispatch_free(struct dispatch *d)
{
	if (!d)
		return;
	osmo_timer_del(&d->poll);
	osmo_timer_del(&d->bulk_wake);
	talloc_free(d);
}
