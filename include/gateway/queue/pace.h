/*
 * pace.h - how many paced messages the dispatcher may hand to the links:
 * nothing in quiet hours, and otherwise each paced class within its share
 * of each link's max_tps, so interactive traffic (USSD screens, replies)
 * always finds the link with room. Two classes are paced: notifications
 * (notify.share percent) and bulk (notices.bulk_share percent); the
 * dispatcher takes notifications before bulk.
 *
 * Each link with a max_tps has a token bucket per class that fills at the
 * class's share of it (SMS parts per second) and holds at most
 * PACE_BURST_MS of them. A message costs its parts on the link that took
 * it; a link whose numbers got more than its share runs into debt and gets
 * nothing of that class until the debt is paid (routing by prefix decides
 * the link only after the rows are taken). A link without a max_tps gets a
 * class for its share of its room. A share of 100 lifts the cap.
 */
#ifndef SGW_PACE_H
#define SGW_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define PACE_BURST_MS		100	/* tokens a bucket holds, in time */
#define PACE_WAIT_MIN_MS	5	/* shortest wait before looking again */
#define PACE_WAIT_MAX_MS	1000	/* longest (quiet hours: poll) */

enum pace_class {
	PACE_NOTIFY,
	PACE_BULK,
	PACE_NUM_CLASSES
};

struct config;
struct pace;

/* NULL when the quiet hours of cfg are unusable. */
struct pace *pace_init(void *ctx, const struct config *cfg,
		       unsigned n_links);
void pace_free(struct pace *p);

/* Messages of class c that may be taken now, given each link's room
 * (n_links entries): 0 in quiet hours. */
unsigned pace_allowed(struct pace *p, enum pace_class c, const unsigned *room,
		      int64_t now_ms);

/* A message of class c of parts SMS parts went to link k. */
void pace_sent(struct pace *p, enum pace_class c, unsigned k, unsigned parts);

/* Milliseconds until more of class c may go after it was held back at
 * now_ms. */
int64_t pace_wait_ms(struct pace *p, enum pace_class c, int64_t now_ms);

bool pace_quiet(struct pace *p, int64_t now_ms);

#endif
