/*
 * pace.c - quiet hours and the bulk share of each link's rate, for the
 * dispatcher (see pace.h).
 *
 * The allowance is the sum of the buckets of the links that have room,
 * debts included, so a link that took more than its share through
 * prefix routing holds the others back until its share has caught up;
 * a bucket's credit is capped at PACE_BURST_MS of tokens, so in the
 * long run no link gets bulk faster than its share. Tokens are SMS parts,
 * as the link's max_tps counts submit_sm.
 */
#include <limits.h>

#include <osmocom/core/talloc.h>

#include "gateway/config.h"
#include "gateway/log.h"
#include "gateway/queue/pace.h"
#include "gateway/queue/quiet.h"

#define PACE_PERCENT	100

struct pace_link {
	double rate;		/* bulk parts per ms, 0: no max_tps */
	double tokens;		/* may be negative: debt */
	double cap;		/* most tokens it holds */
};

struct pace {
	const struct config *cfg;
	struct quiet quiet;
	unsigned n_links;
	struct pace_link *link;
	int64_t last_ms;	/* last refill */
	bool capped;		/* bulk_share < 100 */
};

struct pace *pace_init(void *ctx, const struct config *cfg,
		       unsigned n_links)
{
	struct pace *p = talloc_zero(ctx, struct pace);
	unsigned k;

	if (!p)
		return NULL;
	p->cfg = cfg;
	p->n_links = n_links;
	p->capped = cfg->bulk_share < PACE_PERCENT;
	p->link = talloc_zero_array(p, struct pace_link, n_links ? n_links : 1);
	if (!p->link || quiet_init(&p->quiet, cfg->quiet_start, cfg->quiet_end,
				   cfg->timezone) < 0) {
		LOGP(DQUEUE, LOGL_ERROR, "unusable quiet hours %s-%s in %s\n",
		     cfg->quiet_start, cfg->quiet_end, cfg->timezone);
		talloc_free(p);
		return NULL;
	}
	for (k = 0; k < n_links; k++) {
		struct pace_link *l = &p->link[k];

		l->rate = cfg->link[k].max_tps * (double)cfg->bulk_share /
			  PACE_PERCENT / 1000.0;
		l->cap = l->rate * PACE_BURST_MS;
		if (l->cap < 1.0)
			l->cap = 1.0;
		l->tokens = l->cap;
	}
	return p;
}

void pace_free(struct pace *p)
{
	talloc_free(p);
}

bool pace_quiet(struct pace *p, int64_t now_ms)
{
	return quiet_at(&p->quiet, now_ms, NULL);
}

static void pace_refill(struct pace *p, int64_t now_ms)
{
	int64_t dt = now_ms - p->last_ms;
	unsigned k;

	if (dt <= 0)
		return;
	p->last_ms = now_ms;
	for (k = 0; k < p->n_links; k++) {
		struct pace_link *l = &p->link[k];

		l->tokens += dt * l->rate;
		if (l->tokens > l->cap)
			l->tokens = l->cap;
	}
}

unsigned pace_bulk_allowed(struct pace *p, const unsigned *room,
			   int64_t now_ms)
{
	double sum = 0;
	unsigned k;

	if (pace_quiet(p, now_ms))
		return 0;
	if (!p->capped)
		return UINT_MAX;
	pace_refill(p, now_ms);
	for (k = 0; k < p->n_links; k++) {
		if (!room[k])
			continue;
		if (p->link[k].rate > 0)
			sum += p->link[k].tokens;
		else
			sum += room[k] * p->cfg->bulk_share / PACE_PERCENT;
	}
	return sum >= 1.0 ? (unsigned)sum : 0;
}

void pace_bulk_sent(struct pace *p, unsigned k, unsigned parts)
{
	if (k < p->n_links && p->link[k].rate > 0)
		p->link[k].tokens -= parts ? parts : 1;
}

int64_t pace_bulk_wait_ms(struct pace *p, int64_t now_ms)
{
	double sum = 0, rate = 0;
	int64_t edge, wait;
	unsigned k;

	if (quiet_at(&p->quiet, now_ms, &edge))
		return edge - now_ms < PACE_WAIT_MAX_MS ? edge - now_ms :
		       PACE_WAIT_MAX_MS;
	for (k = 0; k < p->n_links; k++) {
		sum += p->link[k].tokens;
		rate += p->link[k].rate;
	}
	if (rate <= 0 || sum >= 1.0)
		return PACE_WAIT_MIN_MS;
	wait = (int64_t)((1.0 - sum) / rate) + 1;
	if (wait < PACE_WAIT_MIN_MS)
		return PACE_WAIT_MIN_MS;
	return wait > PACE_WAIT_MAX_MS ? PACE_WAIT_MAX_MS : wait;
}
