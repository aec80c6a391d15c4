/*
 * tick.c - a periodic job of the loop (see tick.h).
 */
#include "gateway/tick.h"

static void tick_cb(void *data)
{
	struct tick *t = data;

	t->due = true;
	osmo_timer_schedule(&t->timer, t->period_ms / 1000,
			    (t->period_ms % 1000) * 1000);
}

void tick_start(struct tick *t, unsigned period_ms)
{
	t->period_ms = period_ms;
	osmo_timer_setup(&t->timer, tick_cb, t);
	tick_cb(t);
}

bool tick_take(struct tick *t)
{
	bool due = t->due;

	t->due = false;
	return due;
}

void tick_stop(struct tick *t)
{
	osmo_timer_del(&t->timer);
}
