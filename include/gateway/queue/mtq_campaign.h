/*
 * mtq_campaign.h - the MT queue seen by campaign: what notice campaigns
 * (handlers/notice) and their reports need of table mt, without touching
 * it themselves. A campaign's rows carry its id in mt.campaign_id.
 *
 * Writes happen inside the group-commit transaction (db_begin()).
 */
#ifndef SGW_MTQ_CAMPAIGN_H
#define SGW_MTQ_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway/queue/mtq.h"

struct db;
struct mtq_camp;

struct mtq_camp *mtq_camp_init(void *ctx, struct db *db);
void mtq_camp_free(struct mtq_camp *c);

/* Called for each queued row before it leaves the queue. */
typedef int (*mtq_camp_row_fn)(void *data, int64_t mt_id, const char *dst);

/* Take campaign cid's queued rows (not yet sent) out of the queue: deleted,
 * or marked expired when expire is set; fn (may be NULL) gets each one
 * first and may stop the whole with a negative errno. Returns how many
 * rows, or a negative errno. */
int mtq_camp_unqueue(struct mtq_camp *c, int64_t cid, bool expire,
		     int64_t now_ms, mtq_camp_row_fn fn, void *data);

/* How many of cid's rows wait in the queue. */
int mtq_camp_queued(struct mtq_camp *c, int64_t cid, unsigned *n);
/* Whether one of cid's rows is in a link's hands (sending). */
int mtq_camp_sending(struct mtq_camp *c, int64_t cid, bool *sending);
/* Up to max campaigns that have rows waiting in the queue. */
int mtq_camp_with_queued(struct mtq_camp *c, int64_t *ids, unsigned max,
			 unsigned *n);

/* cid's rows by state. */
int mtq_camp_counts(struct mtq_camp *c, int64_t cid,
		    unsigned long counts[MTQ_NUM_STATES]);

/* A group of cid's failed or expired rows with the same cause: the SMPP
 * status, and the receipt of the first part not delivered (-1: none). */
struct mtq_failure {
	enum mtq_state state;
	uint32_t smpp_status;
	int dlr_state, dlr_err;
	unsigned long count;
};
/* The max largest groups, largest first. */
int mtq_camp_failures(struct mtq_camp *c, int64_t cid,
		      struct mtq_failure *out, unsigned max, unsigned *n);

/* What became of one MT row. */
struct mtq_outcome {
	enum mtq_state state;
	uint32_t smpp_status;
	int dlr_state, dlr_err;		/* as in mtq_failure */
	int64_t submitted_ms, done_ms;	/* 0: not yet */
};
/* 0 with *o; -ENOENT when there is no such row. */
int mtq_outcome(struct mtq_camp *c, int64_t mt_id, struct mtq_outcome *o);

#endif
