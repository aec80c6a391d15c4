/*
 * tick.h - a periodic job of the loop: its timer only marks it due, and
 * the loop runs it in its own iteration, inside the group commit
 * (notify_run(), quality_run()). A job that takes long is not run twice
 * in a row: it is due again one period after the timer fired.
 */
#ifndef SGW_TICK_H
#define SGW_TICK_H

#include <stdbool.h>

#include <osmocom/core/timer.h>

struct tick {
	struct osmo_timer_list timer;
	unsigned period_ms;
	bool due;
};

/* Due at once, then every period_ms. */
void tick_start(struct tick *t, unsigned period_ms);
/* True once per time it fell due (and not due any more until the next). */
bool tick_take(struct tick *t);
void tick_stop(struct tick *t);

#endif
