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
 * Paced rows (notifications, then bulk notices) are taken only as far as
 * pace.h allows: none in quiet hours, else each class within its share of
 * each link's rate. When some were held back, a short timer looks again
 * once more is allowed.
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
	struct pace *pace;		/* quiet hours, shares */
	struct osmo_timer_list pace_wake;	/* paced rows were held back */
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

/* The pace class of a priority, or -1 for interactive rows. */
static int dispatch_class(enum mtq_prio prio)
{
	switch (prio) {
	case MTQ_PRIO_NOTIFY:	return PACE_NOTIFY;
	case MTQ_PRIO_BULK:	return PACE_BULK;
	default:		return -1;
	}
}

/* Hand the taken rows to the links; count those of each paced class. */
static void dispatch_hand(struct dispatch *d, struct llist_head *msgs,
			  unsigned taken[PACE_NUM_CLASSES])
{
	struct mtq_msg *m, *n;
	int i, c;

	llist_for_each_entry_safe(m, n, msgs, list) {
		llist_del(&m->list);
		i = dispatch_pick(d, m->dst);
		if (i < 0)	/* cannot happen: room was counted */
			i = 0;
		if (d->room[i] > 0)
			d->room[i]--;
		c = dispatch_class(m->prio);
		if (c >= 0) {
			pace_sent(d->pace, c, i, m->parts);
			taken[c]++;
		}
		smpp_link_take(d->links[i], m);
	}
}

/* Paced rows were held back by a cap: look again in ms (the sooner of
 * two asks wins). */
static void dispatch_later(struct dispatch *d, int64_t ms)
{
	struct timeval left;

	if (osmo_timer_pending(&d->pace_wake) &&
	    osmo_timer_remaining(&d->pace_wake, NULL, &left) == 0 &&
	    left.tv_sec * 1000 + left.tv_usec / 1000 <= ms)
		return;
	osmo_timer_schedule(&d->pace_wake, ms / 1000, (ms % 1000) * 1000);
}

void dispatch_run(struct dispatch *d)
{
	LLIST_HEAD(msgs);
	unsigned taken[PACE_NUM_CLASSES] = {}, cap[PACE_NUM_CLASSES];
	unsigned k, c, total = 0;
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
	for (c = 0; c < PACE_NUM_CLASSES; c++)
		cap[c] = pace_allowed(d->pace, c, d->room, now);
	got = mtq_fetch_capped(d->q, d, now, total, &(struct mtq_caps){
		.notify = cap[PACE_NOTIFY], .bulk = cap[PACE_BULK] }, &msgs);
	if (got < 0) {
		LOGP(DQUEUE, LOGL_ERROR, "cannot fetch from the queue: %d\n", got);
		return;
	}
	if ((unsigned)got < total)
		d->want = false;
	dispatch_hand(d, &msgs, taken);
	/* rows held back by a cap may be waiting: look again soon */
	for (c = 0; c < PACE_NUM_CLASSES; c++)
		if (taken[c] >= cap[c] && cap[c] < total)
			dispatch_later(d, pace_wait_ms(d->pace, c, now));
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
	osmo_timer_setup(&d->pace_wake, dispatch_kick, d);
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
	osmo_timer_del(&d->pace_wake);
}

void dispatch_free(struct dispatch *d)
{
	if (!d)
		return;
	osmo_timer_del(&d->poll);
	osmo_timer_del(&d->pace_wake);
	talloc_free(d);
}
