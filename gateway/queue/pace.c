/*
 * pace.c - quiet hours and the shares of each link's rate that
 * notifications and bulk may use, for the dispatcher (see pace.h).
 *
 * The allowance of a class is the sum of its buckets on the links that
 * have room, debts included, so a link that took more than its share through
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

struct pace_bucket {
	double rate;		/* parts per ms, 0: no max_tps */
	double tokens;		/* may be negative: debt */
	double cap;		/* most tokens it holds */
};

struct pace {
	const struct config *cfg;
	struct quiet quiet;
	unsigned n_links;
	unsigned share[PACE_NUM_CLASSES];	/* percent */
	struct pace_bucket *b[PACE_NUM_CLASSES];	/* per link */
	int64_t last_ms;	/* last refill */
};

static void pace_bucket_init(struct pace_bucket *b, unsigned max_tps,
			     unsigned share)
{
	b->rate = max_tps * (double)share / PACE_PERCENT / 1000.0;
	b->cap = b->rate * PACE_BURST_MS;
	if (b->cap < 1.0)
		b->cap = 1.0;
	b->tokens = b->cap;
}

struct pace *pace_init(void *ctx, const struct config *cfg,
		       unsigned n_links)
{
	struct pace *p = talloc_zero(ctx, struct pace);
	unsigned c, k, n = n_links ? n_links : 1;

	if (!p)
		return NULL;
	p->cfg = cfg;
	p->n_links = n_links;
	p->share[PACE_NOTIFY] = cfg->notify_share;
	p->share[PACE_BULK] = cfg->bulk_share;
	for (c = 0; c < PACE_NUM_CLASSES; c++) {
		p->b[c] = talloc_zero_array(p, struct pace_bucket, n);
		if (!p->b[c])
			goto fail;
		for (k = 0; k < n_links; k++)
			pace_bucket_init(&p->b[c][k], cfg->link[k].max_tps,
					 p->share[c]);
	}
	if (quiet_init(&p->quiet, cfg->quiet_start, cfg->quiet_end,
		       cfg->timezone) < 0) {
		LOGP(DQUEUE, LOGL_ERROR, "unusable quiet hours %s-%s in %s\n",
		     cfg->quiet_start, cfg->quiet_end, cfg->timezone);
		goto fail;
	}
	return p;
fail:
	talloc_free(p);
	return NULL;
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
	unsigned c, k;

	if (dt <= 0)
		return;
	p->last_ms = now_ms;
	for (c = 0; c < PACE_NUM_CLASSES; c++)
		for (k = 0; k < p->n_links; k++) {
			struct pace_bucket *b = &p->b[c][k];

			b->tokens += dt * b->rate;
			if (b->tokens > b->cap)
				b->tokens = b->cap;
		}
}

unsigned pace_allowed(struct pace *p, enum pace_class c, const unsigned *room,
		      int64_t now_ms)
{
	double sum = 0;
	unsigned k;

	if (pace_quiet(p, now_ms))
		return 0;
	if (p->share[c] >= PACE_PERCENT)
		return UINT_MAX;
	pace_refill(p, now_ms);
	for (k = 0; k < p->n_links; k++) {
		if (!room[k])
			continue;
		if (p->b[c][k].rate > 0)
			sum += p->b[c][k].tokens;
		else
			sum += room[k] * p->share[c] / PACE_PERCENT;
	}
	return sum >= 1.0 ? (unsigned)sum : 0;
}

void pace_sent(struct pace *p, enum pace_class c, unsigned k, unsigned parts)
{
	if (k < p->n_links && p->b[c][k].rate > 0)
		p->b[c][k].tokens -= parts ? parts : 1;
}

int64_t pace_wait_ms(struct pace *p, enum pace_class c, int64_t now_ms)
{
	double sum = 0, rate = 0;
	int64_t edge, wait;
	unsigned k;

	if (quiet_at(&p->quiet, now_ms, &edge))
		return edge - now_ms < PACE_WAIT_MAX_MS ? edge - now_ms :
		       PACE_WAIT_MAX_MS;
	for (k = 0; k < p->n_links; k++) {
		sum += p->b[c][k].tokens;
		rate += p->b[c][k].rate;
	}
	if (rate <= 0 || sum >= 1.0)
		return PACE_WAIT_MIN_MS;
	wait = (int64_t)((1.0 - sum) / rate) + 1;
	if (wait < PACE_WAIT_MIN_MS)
		return PACE_WAIT_MIN_MS;
	return wait > PACE_WAIT_MAX_MS ? PACE_WAIT_MAX_MS : wait;
}
