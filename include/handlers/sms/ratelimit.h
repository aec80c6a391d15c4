/*
 * ratelimit.h - how many commands one number may send in a window.
 *
 * A fixed window per key (a mobile number): the first message opens it,
 * up to `limit` messages in it pass, the first one over gets one polite
 * answer (RATELIMIT_TELL), the rest are dropped silently until the window
 * ends. Kept in memory: a limit protects the SMSC and the database from a
 * looping phone or a flood, it need not survive a restart.
 */
#ifndef SGW_RATELIMIT_H
#define SGW_RATELIMIT_H

#include <stdint.h>

#define RATELIMIT_MAX_KEYS	200000	/* numbers tracked at once */

enum ratelimit_verdict {
	RATELIMIT_PASS,		/* handle it */
	RATELIMIT_TELL,		/* first one over: say so, once */
	RATELIMIT_DROP,		/* over, already told: no answer */
};

struct ratelimit;

struct ratelimit *ratelimit_new(void *ctx, unsigned limit, int64_t window_ms);
void ratelimit_free(struct ratelimit *rl);

/* Count one message of key at now_ms. *wait_ms (may be NULL) gets the time
 * until the key's window ends. Keys longer than 23 bytes are cut. When
 * RATELIMIT_MAX_KEYS numbers are in open windows, new ones pass untracked. */
enum ratelimit_verdict ratelimit_check(struct ratelimit *rl, const char *key,
				       int64_t now_ms, int64_t *wait_ms);

/* Numbers currently tracked (for tests and the VTY). */
unsigned ratelimit_count(const struct ratelimit *rl);

#endif
