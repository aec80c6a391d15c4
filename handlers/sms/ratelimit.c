/*
 * ratelimit.c - per-number fixed-window message limit (see ratelimit.h).
 *
 * Entries live in a hash table keyed by the number (FNV-1a). A window that
 * has ended is reset when its number writes again; entries of numbers that
 * went quiet are swept a few buckets per check (a cursor walks the table),
 * so no check pays for a sweep of the whole table and memory follows the
 * numbers active lately, capped at RATELIMIT_MAX_KEYS. When the cap is
 * reached a longer sweep makes room before a number is let through
 * untracked.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/hashtable.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "handlers/sms/ratelimit.h"

#define RL_HASH_BITS	16		/* ~3 entries a bucket at the cap */
#define RL_SWEEP_STEP	16		/* buckets swept per check */
#define RL_SWEEP_FULL	4096		/* buckets swept when full */
#define RL_FULL_SWEEP_MS 1000		/* at most one such sweep a second */
#define RL_KEY_MAX	24
#define RL_FNV_OFFSET	2166136261u
#define RL_FNV_PRIME	16777619u

struct rl_entry {
	struct hlist_node node;
	char key[RL_KEY_MAX];
	int64_t start_ms;	/* window opened */
	unsigned count;		/* messages in the window */
	bool told;		/* the one answer about the limit went out */
};

struct ratelimit {
	unsigned limit;
	int64_t window_ms;
	unsigned cursor;		/* next bucket to sweep */
	int64_t full_sweep_ms;		/* last long sweep of a full table */
	unsigned n;
	DECLARE_HASHTABLE(ht, RL_HASH_BITS);
};

struct ratelimit *ratelimit_new(void *ctx, unsigned limit, int64_t window_ms)
{
	struct ratelimit *rl = talloc_zero(ctx, struct ratelimit);

	if (!rl)
		return NULL;
	rl->limit = limit;
	rl->window_ms = window_ms > 0 ? window_ms : 1;
	hash_init(rl->ht);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	talloc_free(rl);	/* entries are its children */
}

unsigned ratelimit_count(const struct ratelimit *rl)
{
	return rl->n;
}

static uint32_t rl_hash(const char *key)
{
	uint32_t h = RL_FNV_OFFSET;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * RL_FNV_PRIME;
	return h;
}

static struct rl_entry *rl_find(struct ratelimit *rl, const char *key,
				uint32_t h)
{
	struct rl_entry *e;

	hash_for_each_possible(rl->ht, e, node, h)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

/* Forget the numbers of the next `buckets` buckets whose window ended. */
static void rl_sweep(struct ratelimit *rl, int64_t now_ms, unsigned buckets)
{
	struct rl_entry *e;
	struct hlist_node *tmp;

	while (buckets--) {
		hlist_for_each_entry_safe(e, tmp, &rl->ht[rl->cursor], node) {
			if (now_ms - e->start_ms < rl->window_ms &&
			    now_ms >= e->start_ms)
				continue;
			hash_del(&e->node);
			talloc_free(e);
			rl->n--;
		}
		rl->cursor = (rl->cursor + 1) % HASH_SIZE(rl->ht);
	}
}

static struct rl_entry *rl_add(struct ratelimit *rl, const char *key,
			       uint32_t h)
{
	struct rl_entry *e;

	if (rl->n >= RATELIMIT_MAX_KEYS)
		return NULL;	/* the caller swept once more already */
	e = talloc_zero(rl, struct rl_entry);
	if (!e)
		return NULL;
	snprintf(e->key, sizeof(e->key), "%s", key);
	hash_add(rl->ht, &e->node, h);
	rl->n++;
	return e;
}

enum ratelimit_verdict ratelimit_check(struct ratelimit *rl, const char *key,
				       int64_t now_ms, int64_t *wait_ms)
{
	char k[RL_KEY_MAX];
	struct rl_entry *e;
	uint32_t h;

	snprintf(k, sizeof(k), "%s", key ? key : "");
	h = rl_hash(k);
	rl_sweep(rl, now_ms, RL_SWEEP_STEP);
	e = rl_find(rl, k, h);
	/* a long sweep at most once a second: when over RATELIMIT_MAX_KEYS
	 * numbers really are in their window, it frees nothing */
	if (!e && rl->n >= RATELIMIT_MAX_KEYS &&
	    (now_ms - rl->full_sweep_ms >= RL_FULL_SWEEP_MS || now_ms < rl->full_sweep_ms)) {
		rl->full_sweep_ms = now_ms;
		rl_sweep(rl, now_ms, RL_SWEEP_FULL);
	}
	if (!e && !(e = rl_add(rl, k, h)))
		return RATELIMIT_PASS;	/* full: fail open, the SMSC caps us */
	if (e->count == 0 || now_ms - e->start_ms >= rl->window_ms ||
	    now_ms < e->start_ms) {
		e->start_ms = now_ms;
		e->count = 0;
		e->told = false;
	}
	e->count++;
	if (wait_ms)
		*wait_ms = e->start_ms + rl->window_ms - now_ms;
	if (e->count <= rl->limit)
		return RATELIMIT_PASS;
	if (e->told)
		return RATELIMIT_DROP;
	e->told = true;
	return RATELIMIT_TELL;
}
