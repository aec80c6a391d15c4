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
 *
 * The rows taken go to the links after the group commit that marked them
 * sending (an after-commit hook): a message goes out only once the queue
 * says so on disk. When that commit fails (a full disk, a lock kept by
 * another process), the rows are queued again by the rollback and the
 * taken copies are dropped, so nothing is sent that the queue would send
 * again; the next poll takes them once writes work.
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
	struct db *db;
	struct mtq *q;
	struct smpp_link **links;
	unsigned n_links;
	unsigned *room;			/* per link, during one run */
	bool want;
	bool stopped;
	struct osmo_timer_list poll;
	struct pace *pace;		/* quiet hours, shares */
	struct osmo_timer_list pace_wake;	/* paced rows were held back */
	struct llist_head taken;	/* struct mtq_msg, until the commit */
	bool hooked;			/* dispatch_committed() is pending */
	int64_t taken_ms;		/* when they were taken */
	unsigned cap[PACE_NUM_CLASSES];	/* the caps they were taken under */
	unsigned total;			/* and the room */
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

/* The commit that marked the taken rows sending: hand them over, or drop
 * them when it failed (the rollback queued them again). */
static void dispatch_committed(void *data, int rc)
{
	struct dispatch *d = data;
	unsigned taken[PACE_NUM_CLASSES] = {}, c;
	struct mtq_msg *m, *n;

	d->hooked = false;
	if (rc < 0) {
		llist_for_each_entry_safe(m, n, &d->taken, list) {
			llist_del(&m->list);
			talloc_free(m);
		}
		d->want = true;		/* at the next poll */
		return;
	}
	dispatch_hand(d, &d->taken, taken);
	/* rows held back by a cap may be waiting: look again soon */
	for (c = 0; c < PACE_NUM_CLASSES; c++)
		if (taken[c] >= d->cap[c] && d->cap[c] < d->total)
			dispatch_later(d, pace_wait_ms(d->pace, c,
						       d->taken_ms));
}

/* Room on the links, at most a batch: 0 when there is none. */
static unsigned dispatch_room(struct dispatch *d)
{
	unsigned k, total = 0;

	for (k = 0; k < d->n_links; k++) {
		d->room[k] = smpp_link_room(d->links[k]);
		total += d->room[k];
	}
	return total > d->cfg->batch ? d->cfg->batch : total;
}

void dispatch_run(struct dispatch *d)
{
	unsigned c;
	int got;

	/* taken rows wait for their commit: the room is theirs */
	if (!d->want || d->stopped || d->hooked)
		return;
	d->total = dispatch_room(d);
	if (d->total == 0)
		return;		/* links kick when they have room */
	d->taken_ms = clock_now_ms();
	for (c = 0; c < PACE_NUM_CLASSES; c++)
		d->cap[c] = pace_allowed(d->pace, c, d->room, d->taken_ms);
	got = mtq_fetch_capped(d->q, d, d->taken_ms, d->total,
			       &(struct mtq_caps){ .notify = d->cap[PACE_NOTIFY],
						   .bulk = d->cap[PACE_BULK] },
			       &d->taken);
	if (got < 0) {
		LOGP(DQUEUE, db_fail_level(), "cannot fetch from the "
		     "queue: %d\n", got);
		return;
	}
	if ((unsigned)got < d->total)
		d->want = false;
	if (got == 0)
		return;
	d->hooked = db_after_commit(d->db, dispatch_committed, d) == 0;
	if (!d->hooked)		/* out of memory: as before the hook */
		dispatch_committed(d, 0);
}

struct dispatch *dispatch_init(void *ctx, const struct config *cfg,
			       struct db *db, struct mtq *q,
			       struct smpp_link **links, unsigned n_links)
{
	struct dispatch *d = talloc_zero(ctx, struct dispatch);

	if (!d)
		return NULL;
	d->cfg = cfg;
	d->db = db;
	d->q = q;
	INIT_LLIST_HEAD(&d->taken);
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
