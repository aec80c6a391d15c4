/*
 * mtq.h - the durable MT queue.
 *
 * Every outbound SMS is a row in table mt before it is sent. A row moves
 * queued -> sending (taken by a link, inside its window) -> submitted (all
 * parts acknowledged, SMSC ids kept in mt_part) -> delivered / failed /
 * expired. Temporary errors put it back to queued with exponential back-off
 * until max_attempts; permanent errors fail it with the SMPP status kept.
 * On start, rows left in sending go back to queued (at-least-once delivery:
 * duplicates only for what was in a window at a crash).
 *
 * All writes happen inside the group-commit transaction (db_begin()).
 *
 * For the MO-to-reply latency (/metrics) the queue remembers in memory,
 * for the replies this process queued, when the MO they answer arrived
 * (mtq_new.answers_us), and hands it to the link with the row
 * (mtq_msg.answers_us). It is not stored: after a restart, or when more
 * than MTQ_ANSWERS_SLOTS replies wait at once, a reply is sent without
 * it. A reply whose unit of work was rolled back may leave its entry for
 * the next row given the same id: at worst one wrong observation per
 * failed unit.
 */
#ifndef SGW_MTQ_H
#define SGW_MTQ_H

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

#define MTQ_ANSWERS_SLOTS	1024	/* replies remembered (power of 2) */

/* The state a delivery receipt reports for one part: SMPP 3.4
 * message_state values, stored as they are in mt_part.dlr_state. */
enum mtq_rcpt {
	MTQ_RCPT_ENROUTE = 1,
	MTQ_RCPT_DELIVERED = 2,
	MTQ_RCPT_EXPIRED = 3,
	MTQ_RCPT_DELETED = 4,
	MTQ_RCPT_UNDELIVERABLE = 5,
	MTQ_RCPT_ACCEPTED = 6,
	MTQ_RCPT_UNKNOWN = 7,
	MTQ_RCPT_REJECTED = 8,
};

/* True for final states (delivered, expired, deleted, undeliverable,
 * rejected). */
bool mtq_rcpt_final(enum mtq_rcpt s);

struct db;
struct mtq;

enum mtq_state {
	MTQ_QUEUED = 0,
	MTQ_SENDING = 1,
	MTQ_SUBMITTED = 2,
	MTQ_DELIVERED = 3,
	MTQ_FAILED = 4,
	MTQ_EXPIRED = 5,
	MTQ_NUM_STATES
};

/* Best first. Notifications (a decision on the worker's own case) and bulk
 * (campaigns, skillctl send --prio bulk) are paced by the dispatcher, each
 * within its share of a link (pace.h). */
enum mtq_prio {
	MTQ_PRIO_USSD = 0,
	MTQ_PRIO_REPLY = 1,
	MTQ_PRIO_NOTIFY = 2,
	MTQ_PRIO_BULK = 3,
	MTQ_NUM_PRIOS
};

/* How many paced rows one fetch may take. */
struct mtq_caps {
	unsigned notify;		/* of MTQ_PRIO_NOTIFY */
	unsigned bulk;			/* of MTQ_PRIO_BULK */
};

struct mtq_params {
	unsigned max_attempts;		/* temporary failures before FAILED */
	unsigned retry_min_s;		/* first back-off */
	unsigned retry_max_s;		/* back-off cap */
	unsigned validity_s;		/* default validity, 0 = none */
	unsigned max_parts;		/* refuse longer texts */
};

/* A new message. */
struct mtq_new {
	const char *dst;		/* MSISDN, digits (normalised by caller) */
	const char *src;		/* NULL: link default */
	const char *text;		/* UTF-8 */
	enum mtq_prio prio;
	unsigned validity_s;		/* 0: queue default */
	int64_t not_before_ms;		/* 0: now */
	int64_t campaign_id;		/* 0: none */
	int64_t answers_us;		/* a reply: when the MO it answers
					 * arrived (clock_mono_us()); 0: none */
};

/* A message taken for sending; talloc'ed under the ctx given to
 * mtq_fetch(); the link owns it while it is in flight. */
struct mtq_msg {
	struct llist_head list;
	int64_t id;
	char dst[24];
	char src[24];			/* empty: link default */
	char *text;			/* talloc child */
	enum mtq_prio prio;
	unsigned attempts;		/* before this one */
	unsigned parts;
	int64_t expires_ms;		/* 0: never */
	int64_t answers_us;		/* as in mtq_new, when this process
					 * queued it; 0: not known */
};

struct mtq *mtq_init(void *ctx, struct db *db, const struct mtq_params *p);
void mtq_free(struct mtq *q);

/* Called after every successful mtq_enqueue() of this process: the daemon
 * wakes its dispatcher with it, so a reply leaves in the same loop
 * iteration instead of waiting for the poll timer. */
void mtq_set_enqueue_cb(struct mtq *q, void (*cb)(void *data), void *data);

/* Validate and insert. -EINVAL for an empty/invalid number or text,
 * -EMSGSIZE when the text needs more than max_parts. *id may be NULL. */
int mtq_enqueue(struct mtq *q, const struct mtq_new *m, int64_t *id);

/* Take up to max ready rows (state queued, next_try <= now, best priority
 * first, then oldest) and mark them sending; rows past their validity are
 * marked expired instead. Appends struct mtq_msg to out. Returns the number
 * taken or a negative errno. */
int mtq_fetch(struct mtq *q, void *ctx, int64_t now_ms, unsigned max,
	      struct llist_head *out);

/* The same, taking at most caps->notify rows of MTQ_PRIO_NOTIFY and
 * caps->bulk of MTQ_PRIO_BULK (interactive rows first, as always): the
 * dispatcher's quiet hours and shares. */
int mtq_fetch_capped(struct mtq *q, void *ctx, int64_t now_ms, unsigned max,
		     const struct mtq_caps *caps, struct llist_head *out);

/* "ussd", "reply", "notify", "bulk"; NULL for anything else. */
const char *mtq_prio_str(enum mtq_prio p);

/* Part `part` (1-based) of message id was accepted with SMSC id smsc_id
 * (already normalised) on link. When all parts are acked the row becomes
 * submitted. */
int mtq_part_submitted(struct mtq *q, int64_t id, const char *link,
		       unsigned part, const char *smsc_id, int64_t now_ms);

/* Temporary failure (status 0 for link loss / timeout): back to queued with
 * back-off, or failed after max_attempts. count_attempt=false puts it back
 * without counting (e.g. never sent because the link went down). */
int mtq_retry(struct mtq *q, int64_t id, uint32_t status, bool count_attempt,
	      int64_t now_ms);

/* The link sends the message in a different number of PDUs than the
 * enqueue-time estimate (message_payload: one). Only while sending. */
int mtq_set_parts(struct mtq *q, int64_t id, unsigned parts);

/* Permanent failure with the SMPP status kept. */
int mtq_fail(struct mtq *q, int64_t id, uint32_t status, int64_t now_ms);

/* A delivery receipt for (link, smsc_id). Updates the part and, when every
 * part has a final receipt, the message (delivered when all delivered, else
 * failed/expired). -ENOENT when no part matches. *mt_id may be NULL. */
int mtq_dlr(struct mtq *q, const char *link, const char *smsc_id,
	    enum mtq_rcpt st, int err, int64_t now_ms, int64_t *mt_id);

/* Start-up recovery: sending -> queued. Returns rows moved or errno. */
int mtq_recover(struct mtq *q);
/* The same at run time, for rows no link holds (held: the ids of the n
 * rows the links hold): after writes failed, a row a link was done with
 * may have kept its state sending (its failure or retry was rolled
 * back). */
int mtq_recover_unheld(struct mtq *q, const int64_t *held, size_t n);

/* Counts per state (counts[MTQ_NUM_STATES]). */
int mtq_counts(struct mtq *q, unsigned long counts[MTQ_NUM_STATES]);
/* The same on any connection without a queue object (a worker thread's:
 * it walks the state index, tens of ms for a million rows). */
int mtq_counts_db(struct db *db, unsigned long counts[MTQ_NUM_STATES]);

/* A notice a campaign sent to a number. */
struct mtq_recent {
	int64_t at_ms;			/* when it was queued */
	char *text;			/* as sent, talloc'ed */
};

/* The latest (at most max) campaign notices that left for dst (sending,
 * submitted, delivered), newest first, texts under ctx; *n how many. */
int mtq_recent_notices(struct mtq *q, const char *dst, unsigned max,
		       void *ctx, struct mtq_recent *out, unsigned *n);

/* Is there any queued row ready now? (cheap; for the poll timer) */
bool mtq_has_ready(struct mtq *q, int64_t now_ms);

const char *mtq_state_str(enum mtq_state s);

#endif
