/*
 * notice.h - notice campaigns and their recipients in the database
 * (tables campaign and campaign_recipient of schema.sql). Used by the
 * daemon's scheduler and by skillctl notice.
 *
 * A campaign moves draft -> running <-> paused, and from any of those to
 * cancelled; the scheduler ends a running one as done (every recipient
 * handled) or expired (end_at passed). A recipient is pending until the
 * scheduler makes its message, then queued with the mt row's id (what
 * became of the message is that row's state); optout, cancelled and bad
 * say why it got none. Taking a campaign's queued messages back (pause,
 * cancel) deletes those mt rows, which were never handed to a link, and
 * turns their recipients pending again (pause) or cancelled.
 *
 * Writes happen in the caller's transaction if one is open, else in the
 * group-commit transaction (db_begin()). Functions return 0 or a negative
 * errno (-ENOENT no such campaign, -EPERM not in a state that allows it,
 * -EIO database).
 */
#ifndef SGW_NOTICE_H
#define SGW_NOTICE_H

#include <stdbool.h>
#include <stdint.h>

#include "handlers/notice/audience.h"

struct db;
struct mtq_camp;
struct notice_db;

enum notice_state {
	NOTICE_DRAFT,
	NOTICE_RUNNING,
	NOTICE_PAUSED,
	NOTICE_CANCELLED,
	NOTICE_DONE,
	NOTICE_EXPIRED,
	NOTICE_NUM_STATES
};

#define NOTICE_BIT(s)	(1u << (s))

struct notice {
	int64_t id;
	char *name;
	char *text;			/* as the operator wrote it */
	char *body;			/* signature + text + opt-out hint */
	char *audience_json;		/* the operator's options */
	struct audience au;		/* resolved filters */
	bool by_numbers;		/* recipients from a file */
	unsigned parts;			/* longest message, SMS parts */
	enum notice_state state;
	int64_t start_at, end_at;	/* ms; 0: at start / no end */
	unsigned rate;			/* messages per second, 0: no cap */
	int64_t cursor;			/* last worker id looked at */
	bool listed;			/* every recipient is listed (a file of
					 * numbers: all written, may start) */
	int64_t pace_at;		/* next message time with a rate */
	char *created_by;
	int64_t created_at, updated_at, started_at, finished_at;
};

/* A pending recipient with what its text needs. */
struct notice_rcpt {
	int64_t id;
	char msisdn[MSISDN_MAX];
	char name[DOM_NAME_MAX];	/* "" when not on the roster */
	char region[DOM_NAME_MAX];
	char course[DOM_TEXT_MAX];
	char start_date[FMT_ISO_DATE];
	bool opted_out;
};

enum notice_rcpt_state {
	NOTICE_R_PENDING,
	NOTICE_R_QUEUED,
	NOTICE_R_OPTOUT,
	NOTICE_R_CANCELLED,
	NOTICE_R_BAD,
	NOTICE_R_NUM
};

const char *notice_state_str(enum notice_state s);
const char *notice_rcpt_state_str(enum notice_rcpt_state s);

struct notice_db *notice_db_init(void *ctx, struct db *db);
void notice_db_free(struct notice_db *n);

/* Insert c as a draft; *id gets its id. */
int notice_insert(struct notice_db *n, const struct notice *c, int64_t now,
		  int64_t *id);

/* Add a number (normalised) to a campaign's recipients as pending, with
 * the worker it is bound to if any. 1 added, 0 already there. */
int notice_add_number(struct notice_db *n, int64_t id, const char *msisdn,
		      int64_t course_id);

/* Delete a campaign with its recipients (a create that failed half-way). */
int notice_delete(struct notice_db *n, int64_t id);

/* One campaign (under ctx). -ENOENT. */
int notice_get(struct notice_db *n, void *ctx, int64_t id,
	       struct notice **out);

/* Campaigns in state `only` (NOTICE_NUM_STATES: all, newest first, at most
 * max), as an array under ctx. */
int notice_list(struct notice_db *n, void *ctx, enum notice_state only,
		unsigned max, struct notice ***out, unsigned *cnt);

/* A page of campaigns, newest first; *total in all. */
int notice_list_page(struct notice_db *n, void *ctx, unsigned offset,
		     unsigned limit, struct notice ***out, unsigned *cnt,
		     unsigned long *total);

/* Move campaign id to state `to` if its state is one of from_mask
 * (NOTICE_BIT()s); sets started_at / finished_at. -ENOENT or -EPERM. */
int notice_set_state(struct notice_db *n, int64_t id, enum notice_state to,
		     unsigned from_mask, int64_t now);

/* Save the expansion progress of c (cursor, listed, pace_at). */
int notice_save_progress(struct notice_db *n, const struct notice *c,
			 int64_t now);

/* Take back the campaign's queued messages: their recipients become
 * pending again (cancel = false) or cancelled. Returns how many. */
int notice_hold(struct notice_db *n, int64_t id, bool cancel);

/* Its queued messages expire now. Returns how many. */
int notice_expire_rows(struct notice_db *n, int64_t id, int64_t now);

/* Messages of the campaign queued (state queued) now. */
int notice_queued(struct notice_db *n, int64_t id, unsigned *count);

/* Has it messages in a link's window, or recipients still pending? */
int notice_busy(struct notice_db *n, int64_t id, bool *sending,
		bool *pending);

/* Up to max pending recipients in list order. */
int notice_pending(struct notice_db *n, int64_t id, struct notice_rcpt *r,
		   unsigned max, unsigned *got);

/* The first max recipients whatever their state (preview). */
int notice_first(struct notice_db *n, int64_t id, struct notice_rcpt *r,
		 unsigned max, unsigned *got);

/* A recipient's new state, and its message (0: none). */
int notice_mark(struct notice_db *n, int64_t rid,
		enum notice_rcpt_state state, int64_t mt_id);

/* The queue's view of the campaigns (for status and reports). */
struct mtq_camp *notice_queue(struct notice_db *n);

/* Campaigns not running that have queued messages (a retry came back
 * after a pause or cancel): up to max ids and states. */
int notice_strays(struct notice_db *n, int64_t since, int64_t *ids,
		  enum notice_state *states, unsigned max, unsigned *got);

/* The recipients of a number campaign: total, opted out, not on the
 * roster; duplicates dropped at create time. */
struct notice_numbers {
	unsigned long total, opted_out, unknown, duplicates;
};
int notice_numbers(struct notice_db *n, int64_t id, struct notice_numbers *c);

/* The campaign's recipients by state, and how many in all. */
int notice_rcpt_counts(struct notice_db *n, int64_t id,
		       unsigned long counts[NOTICE_R_NUM],
		       unsigned long *listed);

/* Every recipient in list order: its number, state and message (0:
 * none). fn may stop the walk with a negative errno. */
typedef int (*notice_rcpt_fn)(void *data, const char *msisdn,
			      enum notice_rcpt_state state, int64_t mt_id);
int notice_each_rcpt(struct notice_db *n, int64_t id, notice_rcpt_fn fn,
		     void *data);

/* Record that a number not on the roster wants no notices (out = true) or
 * wants them again. Its queued notices leave the queue (a trigger). For
 * the opt-out handler: numbers of workers use worker.opted_out. */
int notice_optout_number(struct notice_db *n, const char *msisdn, bool out,
			 int64_t now);

#endif
