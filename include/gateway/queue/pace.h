/*
 * pace.h - how much bulk the dispatcher may hand to the links: nothing in
 * quiet hours, and at most notices.bulk_share percent of each link's
 * max_tps otherwise, so interactive traffic (USSD screens, replies) always
 * finds the link with room.
 *
 * Each link with a max_tps has a token bucket for bulk that fills at
 * bulk_share percent of it (SMS parts per second) and holds at most
 * PACE_BURST_MS of them. A bulk message costs its parts on the link that
 * took it; a link whose numbers got more than its share runs into debt and
 * gets nothing until the debt is paid (routing by prefix decides the link
 * only after the rows are taken). A link without a max_tps gets bulk for
 * bulk_share percent of its room. bulk_share 100 lifts the cap.
 */
#ifndef SGW_PACE_H
#define SGW_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define PACE_BURST_MS		100	/* tokens a bucket holds, in time */
#define PACE_WAIT_MIN_MS	5	/* shortest wait before looking again */
#define PACE_WAIT_MAX_MS	1000	/* longest (quiet hours: poll) */

struct config;
struct pace;

/* NULL when the quiet hours of cfg are unusable. */
struct pace *pace_init(void *ctx, const struct config *cfg,
		       unsigned n_links);
void pace_free(struct pace *p);

/* Bulk messages that may be taken now, given each link's room (n_links
 * entries): 0 in quiet hours. */
unsigned pace_bulk_allowed(struct pace *p, const unsigned *room,
			   int64_t now_ms);

/* A bulk message of parts SMS parts went to link k. */
void pace_bulk_sent(struct pace *p, unsigned k, unsigned parts);

/* Milliseconds until more bulk may go after it was held back at now_ms. */
int64_t pace_bulk_wait_ms(struct pace *p, int64_t now_ms);

bool pace_quiet(struct pace *p, int64_t now_ms);

#endif
