/*
 * campaign.h - what skillctl notice and the API do with campaigns, in one
 * place: checking a new campaign, previewing it, its progress and
 * failures, its report, and the operator's moves (start, pause, resume,
 * cancel). notice.h keeps the rows; this is the logic around them.
 *
 * Threads: the functions that read or write the database take the
 * caller's connection and may run in a worker thread with its own one
 * (the API does so for previews, status counts and reports of large
 * campaigns); campaign_estimate() uses quiet.h, which is not thread-safe,
 * and runs on the daemon's loop only. Times of the report are formatted by
 * the caller's function for the same reason.
 */
#ifndef SGW_CAMPAIGN_H
#define SGW_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway/queue/mtq.h"
#include "gateway/queue/mtq_campaign.h"
#include "handlers/notice/notice.h"
#include "handlers/notice/text.h"

struct audit;
struct config;

#define CAMPAIGN_NAME_MAX	128	/* octets of a campaign's name */
#define CAMPAIGN_SAMPLES	3
#define CAMPAIGN_REASONS_MAX	10

/* Check a new campaign and complete it: n->name, n->text, n->by_numbers,
 * n->start_at, n->end_at and n->rate are the caller's; this checks them,
 * the signature and opt-out hint of cfg, resolves aud into n->au (strings
 * under ctx), builds n->body and finds n->parts with the longest values
 * the audience can put into the text. 0; -EINVAL with the reason in why;
 * -EIO. */
int campaign_check(struct audience_db *ad, void *ctx, const struct config *cfg,
		   const struct audience_args *aud, int64_t now,
		   struct notice *n, char *why, size_t cap);

/* The operator's audience options as a JSON object under ctx (numbers:
 * where the numbers came from, with lines and duplicates). */
char *campaign_audience_json(void *ctx, const struct audience_args *a,
			     const char *numbers, unsigned long lines,
			     unsigned long duplicates);

/* ---- preview ---- */

struct campaign_sample {
	char msisdn[MSISDN_MAX];
	char text[NOTICE_TEXT_MAX];
	int parts;
};

struct campaign_preview {
	unsigned long recipients;
	struct audience_count ac;	/* a roster audience */
	struct notice_numbers nn;	/* a file of numbers */
	struct campaign_sample sample[CAMPAIGN_SAMPLES];
	unsigned n_samples;
	unsigned sample_parts;		/* the most parts of a sample */
};

/* Recipients and rendered samples of campaign n. A campaign not yet
 * stored (n->id 0) with numbers takes them from nums (n_nums of them,
 * normalised and unique). */
int campaign_preview(struct notice_db *nd, struct audience_db *ad,
		     const struct notice *n, const char (*nums)[MSISDN_MAX],
		     size_t n_nums, struct campaign_preview *p);

/* Messages per second the links allow bulk (their max_tps times
 * notices.bulk_share, for messages of `parts` parts), 0 when some link
 * has no limit; capped by the campaign's rate when it has one. */
double campaign_rate(const struct config *cfg, unsigned parts,
		     unsigned rate);

struct campaign_eta {
	double rate;			/* 0: as fast as the SMSCs take it */
	int64_t work_ms;		/* sending time at that rate */
	int64_t start_ms, end_ms;	/* through quiet hours */
	bool after_end;			/* the campaign's end comes first */
};

/* When it would be sent (the loop only: quiet.h). */
int campaign_estimate(const struct config *cfg, const struct notice *n,
		      unsigned long recipients, unsigned parts, int64_t now,
		      struct campaign_eta *e);

/* ---- progress ---- */

struct campaign_counts {
	unsigned long rcpt[NOTICE_R_NUM];
	unsigned long mt[MTQ_NUM_STATES];
	unsigned long listed;		/* recipient rows */
	unsigned long expected;		/* recipients in all (estimate) */
};

int campaign_counts(struct notice_db *nd, struct audience_db *ad,
		    const struct notice *n, struct campaign_counts *k);
/* Share (0..1) of the recipients that need nothing more. */
double campaign_progress(const struct campaign_counts *k);

/* ---- report ---- */

/* A time (Unix ms, 0: none) as text for the report. */
typedef void (*campaign_time_fn)(void *data, int64_t ms, char *out,
				 size_t cap);
/* Why a message did not arrive (dlr_why() of gateway/smpp/dlr.h). */
typedef void (*campaign_why_fn)(enum mtq_state state, uint32_t status,
				int dlr_state, int dlr_err, char *out,
				size_t cap);

/* The outcome of every recipient as CSV (UTF-8 with BOM): msisdn,
 * outcome, submitted_at, done_at, reason. *rows gets their number. */
int campaign_report(struct notice_db *nd, const struct notice *n, FILE *f,
		    campaign_time_fn tf, void *tf_data, campaign_why_fn why,
		    unsigned long *rows);

/* ---- the operator's moves ---- */

enum campaign_move {
	CAMPAIGN_START,
	CAMPAIGN_PAUSE,
	CAMPAIGN_RESUME,
	CAMPAIGN_CANCEL,
	CAMPAIGN_NUM_MOVES
};

/* "start" -> CAMPAIGN_START; -1 for anything else. */
int campaign_move_parse(const char *verb);
const char *campaign_move_str(enum campaign_move m);
/* The state a move leads to. */
enum notice_state campaign_move_to(enum campaign_move m);

/* Move n as m says, with its audit row (actor; detail prefixed with
 * where, e.g. "from 10.0.0.5: "), in the caller's transaction or the
 * group commit: pause and cancel take its queued messages back (*held:
 * how many). 0; -EPERM (its state does not allow it) or -EINVAL (its end
 * has passed, its numbers are not all written) with why; -EIO. */
int campaign_move(struct notice_db *nd, struct audit *a, struct notice *n,
		  enum campaign_move m, const char *actor, const char *where,
		  int64_t now, int *held, char *why, size_t cap);

#endif
