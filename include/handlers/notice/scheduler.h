/*
 * scheduler.h - the daemon's side of notice campaigns: running campaigns
 * become MT rows (priority bulk) a bounded slice at a time.
 *
 * Each step the scheduler looks at each running campaign and, outside
 * quiet hours and inside its start/end times, tops its queued messages up
 * to notices.ahead: it lists more recipients from the roster when it needs
 * them (notices.scan workers at a time), renders each recipient's text and
 * queues it, at most notices.batch recipients per step over all campaigns.
 * Steps follow each other 4 ms apart while there is work and room, every
 * few ms while the links drain a campaign as fast as it is topped up, and
 * every notices.tick_ms otherwise (scheduler.c). A recipient's mt row and its queued mark are written
 * in the same transaction, so a crash can never make a second message for
 * it. A campaign past its end_at expires with what is still queued; one
 * with every recipient handled and nothing left queued or in a window is
 * done. Campaigns paused or cancelled from skillctl have their queued rows
 * taken back (also retries that come back later).
 *
 * The share of a link's rate that bulk may use and quiet hours for rows
 * already queued are the dispatcher's business (pace.h).
 */
#ifndef SGW_SCHEDULER_H
#define SGW_SCHEDULER_H

#include <stdint.h>

struct config;
struct db;
struct mtq;
struct sched;

struct sched_stats {
	unsigned long steps;		/* ticks that did work */
	unsigned long queued;		/* messages made */
	unsigned long optout;		/* recipients skipped: opted out */
	unsigned long bad;		/* recipients without a message */
	unsigned long listed;		/* recipients listed from the roster */
	unsigned long done, expired;	/* campaigns ended */
	int64_t max_step_us;		/* longest step */
};

/* kick(kick_data) is called after a step that queued messages (the
 * dispatcher's dispatch_kick). NULL when the statements cannot be
 * prepared or the quiet hours of cfg are unusable (logged). */
struct sched *sched_init(void *ctx, const struct config *cfg, struct db *db,
			 struct mtq *q, void (*kick)(void *), void *kick_data);
void sched_free(struct sched *s);

/* Once per loop iteration, inside the group-commit transaction: one step
 * when the scheduler's timer has fired since the last one; the step sets
 * when it fires next (in 4 ms, in 5 ms, or a tick). */
void sched_run(struct sched *s);

/* One step at now_ms whatever the timer (tests, benchmarks). Returns the
 * messages queued, or a negative errno. */
int sched_step(struct sched *s, int64_t now_ms);

const struct sched_stats *sched_stats(const struct sched *s);

/* For the VTY's "show campaigns": quiet hours now, the running and paused
 * campaigns with their queued messages, and the counters. */
struct vty;
void sched_vty_show(struct sched *s, struct vty *vty);

#endif
