/*
 * scheduler.c - running campaigns into the MT queue (see scheduler.h).
 *
 * One step, for each running campaign in id order:
 *   1. end_at passed: its queued rows expire, the campaign is expired.
 *   2. not started yet (start_at), or quiet hours: nothing.
 *   3. room = notices.ahead - its queued rows (an index count of a few
 *      thousand at most); with a rate, also nothing while the paced rows
 *      already reach SCHED_PACE_AHEAD_MS into the future.
 *   4. queue up to min(room, what is left of notices.batch) pending
 *      recipients, SCHED_CHUNK at a time; when there are too few pending
 *      and the roster has not been walked to its end, list the next
 *      notices.scan workers and go on.
 * A step stops when SCHED_STEP_US have passed, whatever is left: with the
 * group commit that follows, that is what a USSD screen or an SMS reply
 * may have to wait for. The campaign a step starts with rotates, so that
 * one large campaign cannot starve the others.
 *
 * Steps run every notices.tick_ms, and sooner while there is work: a step
 * that ran out of its time or of notices.batch with room left is followed
 * by the next after SCHED_GAP_US (after the group commit, and with loop
 * iterations of their own for whatever the loop has to read or write, so
 * that a USSD screen need not wait behind a step and its commit); one that
 * topped a campaign up to notices.ahead, having found SCHED_CHUNK or more
 * rows taken by the links since the last look, comes back after
 * SCHED_REFILL_MS (a slow link: a tick). So a campaign is fed as fast as
 * the links' bulk share takes it, not one slice per tick.
 *   5. nothing pending, nothing queued, nothing in a window, roster walked:
 *      done.
 * Each batch of recipients runs inside SAVEPOINT sched: should a statement
 * fail half-way, the batch is undone as a whole, so no mt row can exist
 * without its recipient marked queued (which would send it twice).
 *
 * A recipient who opted out (worker.opted_out, or a number in
 * notice_optout) is marked optout instead of queued; one whose text cannot
 * be made (longer than notices.max_parts) is marked bad and logged. Once a
 * second, campaigns that are not running but have queued rows (a retry
 * that came back after a pause or cancel, or rows skillctl wrote while the
 * daemon was down) have them taken back or expired.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/vty/vty.h>

#include "handlers/notice/audience.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "handlers/notice/notice.h"
#include "handlers/notice/text.h"
#include "gateway/queue/quiet.h"
#include "handlers/notice/scheduler.h"

#define SCHED_MAX_CAMPAIGNS	64	/* running campaigns looked at per step */
#define SCHED_STEP_US		2000	/* one step, at most (then it stops) */
#define SCHED_REFILL_MS		5	/* next look at a campaign at its ahead */
#define SCHED_GAP_US		4000	/* between steps while there is work */
#define SCHED_CHUNK		100	/* recipients per savepoint */
#define SCHED_PACE_AHEAD_MS	10000	/* paced rows queued ahead, at most */
#define SCHED_STRAY_MS		1000	/* look for stray rows this often */
#define SCHED_STRAY_AGE_MS	(8LL * 86400 * 1000)	/* > queue validity */
#define SCHED_STRAYS_MAX	16

enum sched_stmt {
	SCHED_SAVEPOINT,
	SCHED_RELEASE,
	SCHED_ROLLBACK,
	SCHED_NUM_STMT
};

static const char *const sched_sql[] = {
	[SCHED_SAVEPOINT] = "SAVEPOINT sched",
	[SCHED_RELEASE] = "RELEASE sched",
	[SCHED_ROLLBACK] = "ROLLBACK TO sched",
};

struct sched {
	const struct config *cfg;
	struct db *db;
	struct mtq *q;
	struct notice_db *nd;
	struct audience_db *ad;
	struct quiet quiet;
	struct notice_rcpt *rcpt;	/* notices.batch of them */
	sqlite3_stmt *st[SCHED_NUM_STMT];
	void (*kick)(void *);
	void *kick_data;
	struct osmo_timer_list timer;
	bool due;
	bool more;			/* a step ran out with room left */
	bool full;			/* a campaign was at notices.ahead */
	int64_t strays_ms;		/* last look for stray rows */
	unsigned rotate;		/* the campaign a step starts with */
	int64_t deadline_us;		/* of the running step */
	struct sched_stats stats;
};

static int64_t sched_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int sched_exec(struct sched *s, enum sched_stmt idx)
{
	DB_STMT(st, s->st[idx]);

	return db_step_done(s->db, st, DSCHED);
}

/* ---- one recipient ------------------------------------------------------- */

/* When recipient number i of this batch may leave, for a paced campaign
 * starting at base (0: at once). */
static int64_t sched_paced(const struct notice *c, int64_t base, unsigned i)
{
	return c->rate ? base + (int64_t)i * 1000 / c->rate : 0;
}

/* Seconds from the send time to end_at, at most queue.validity (0: the
 * queue's default). */
static unsigned sched_validity(const struct sched *s, const struct notice *c,
			       int64_t at)
{
	int64_t left = (c->end_at - at + 999) / 1000;

	if (!c->end_at)
		return 0;
	if (s->cfg->validity_s && left > s->cfg->validity_s)
		return s->cfg->validity_s;
	return left > 1 ? (unsigned)left : 1;
}

/* Render and queue recipient r; at: its send time (0: now). Marks it. */
static int sched_one(struct sched *s, const struct notice *c,
		     const struct notice_rcpt *r, int64_t at, int64_t now)
{
	struct notice_vals v = {
		.name = r->name, .course = r->course,
		.start_date = r->start_date, .region = r->region,
	};
	char text[NOTICE_TEXT_MAX];
	struct mtq_new m = {
		.dst = r->msisdn, .text = text, .prio = MTQ_PRIO_BULK,
		.not_before_ms = at, .campaign_id = c->id,
		.validity_s = sched_validity(s, c, at ? at : now),
	};
	int64_t id = 0;
	int rc, parts;

	if (r->opted_out) {
		s->stats.optout++;
		return notice_mark(s->nd, r->id, NOTICE_R_OPTOUT, 0);
	}
	rc = notice_text_render(c->body, &v, text, sizeof(text));
	parts = rc < 0 ? rc : notice_text_parts(text, NULL);
	if (parts >= 0 && (unsigned)parts <= s->cfg->notice_max_parts)
		rc = mtq_enqueue(s->q, &m, &id);
	else
		rc = -EMSGSIZE;
	if (rc == -EINVAL || rc == -EMSGSIZE) {
		LOGP(DSCHED, LOGL_NOTICE, "campaign %lld: no message for %s: "
		     "%s\n", (long long)c->id, log_num(r->msisdn), rc == -EINVAL ?
		     "not a valid number or text" : "text too long");
		s->stats.bad++;
		return notice_mark(s->nd, r->id, NOTICE_R_BAD, 0);
	}
	if (rc)
		return rc;
	s->stats.queued++;
	return notice_mark(s->nd, r->id, NOTICE_R_QUEUED, id);
}

/* Queue up to want pending recipients of c inside SAVEPOINT sched.
 * Returns how many were handled (queued or skipped). */
static int sched_queue(struct sched *s, struct notice *c, unsigned want,
		       int64_t now)
{
	int64_t base = c->pace_at > now ? c->pace_at : now;
	unsigned got = 0, i;
	int rc = db_begin(s->db);

	if (!rc)
		rc = notice_pending(s->nd, c->id, s->rcpt, want, &got);
	if (rc || !got)
		return rc;
	rc = sched_exec(s, SCHED_SAVEPOINT);
	for (i = 0; !rc && i < got; i++)
		rc = sched_one(s, c, &s->rcpt[i], sched_paced(c, base, i), now);
	if (rc) {
		LOGP(DSCHED, LOGL_ERROR, "campaign %lld: batch undone: %d\n",
		     (long long)c->id, rc);
		sched_exec(s, SCHED_ROLLBACK);
		sched_exec(s, SCHED_RELEASE);
		return rc;
	}
	if (c->rate)
		c->pace_at = sched_paced(c, base, got);
	rc = sched_exec(s, SCHED_RELEASE);
	return rc ? rc : (int)got;
}

/* ---- one campaign -------------------------------------------------------- */

/* List the next slice of the roster into c's recipients. */
static int sched_list(struct sched *s, struct notice *c)
{
	int64_t max = 0, to = c->cursor + s->cfg->notice_scan;
	int rc;

	if (c->by_numbers) {	/* its file is its audience, never the roster */
		c->listed = true;
		return 0;
	}
	rc = audience_max_worker(s->ad, &max);

	if (!rc)
		rc = audience_list(s->ad, c->id, &c->au, c->cursor, to);
	if (rc < 0)
		return rc;
	s->stats.listed += rc;
	c->cursor = to;
	if (to >= max)
		c->listed = true;
	return 0;
}

/* Queue up to want recipients, SCHED_CHUNK at a time, listing more from
 * the roster when too few are pending, until the step's time is up.
 * Returns those handled. */
static int sched_fill(struct sched *s, struct notice *c, unsigned want,
		      int64_t now)
{
	unsigned done = 0, chunk, lists = 0;
	int rc;

	/* Once at least, and once more after a first listing, so that a slow
	 * machine still moves on. */
	do {
		chunk = want - done < SCHED_CHUNK ? want - done : SCHED_CHUNK;
		rc = sched_queue(s, c, chunk, now);
		if (rc < 0)
			return rc;
		done += rc;
		if ((unsigned)rc == chunk)
			continue;
		if (c->listed)
			break;
		rc = sched_list(s, c);
		if (rc < 0)
			return rc;
		lists++;
	} while (done < want && (sched_mono_us() < s->deadline_us ||
				 (!done && lists == 1)));
	return done;
}

static void sched_end(struct sched *s, struct notice *c,
		      enum notice_state to, int64_t now)
{
	if (notice_set_state(s->nd, c->id, to, NOTICE_BIT(NOTICE_RUNNING),
			     now) < 0)
		return;
	LOGP(DSCHED, LOGL_NOTICE, "campaign %lld (%s): %s\n", (long long)c->id,
	     c->name, notice_state_str(to));
	if (to == NOTICE_DONE)
		s->stats.done++;
	else
		s->stats.expired++;
}

/* Done when the roster is walked and nothing is pending, queued or in a
 * link's window. */
static void sched_done_check(struct sched *s, struct notice *c, int64_t now)
{
	bool sending = true, pending = true;

	if (!c->listed || notice_busy(s->nd, c->id, &sending, &pending) < 0)
		return;
	if (!sending && !pending)
		sched_end(s, c, NOTICE_DONE, now);
}

/* How many recipients c may queue now (0: none this step). */
static unsigned sched_room(struct sched *s, struct notice *c, int64_t now,
			   unsigned budget, unsigned *queued)
{
	unsigned ahead = s->cfg->notice_ahead;

	if (c->start_at && now < c->start_at)
		return 0;
	if (quiet_at(&s->quiet, now, NULL))
		return 0;
	if (c->rate && c->pace_at > now + SCHED_PACE_AHEAD_MS)
		return 0;
	if (notice_queued(s->nd, c->id, queued) < 0 || *queued >= ahead)
		return 0;
	return ahead - *queued < budget ? ahead - *queued : budget;
}

/* One step of campaign c; *budget is what is left of notices.batch. */
static int sched_campaign(struct sched *s, struct notice *c, int64_t now,
			  unsigned *budget)
{
	unsigned queued = 1, want;
	int rc;

	if (c->end_at && now >= c->end_at) {
		rc = notice_expire_rows(s->nd, c->id, now);
		if (rc >= 0)
			sched_end(s, c, NOTICE_EXPIRED, now);
		return rc < 0 ? rc : 0;
	}
	want = sched_room(s, c, now, *budget, &queued);
	if (!want)
		return 0;
	rc = sched_fill(s, c, want, now);
	if (rc < 0)
		return rc;
	*budget -= rc;
	/* topped up to notices.ahead after the links took a chunk or more
	 * since the last look: they take fast, look again soon */
	if (queued + rc >= s->cfg->notice_ahead && rc >= SCHED_CHUNK)
		s->full = true;
	if (rc == 0 && queued == 0)
		sched_done_check(s, c, now);
	return notice_save_progress(s->nd, c, now);
}

/* Queued rows of campaigns that are not running go back (paused,
 * cancelled) or expire. */
static void sched_strays(struct sched *s, int64_t now)
{
	int64_t ids[SCHED_STRAYS_MAX];
	enum notice_state st[SCHED_STRAYS_MAX];
	unsigned n = 0, i;
	int rc;

	s->strays_ms = now;
	if (notice_strays(s->nd, now - SCHED_STRAY_AGE_MS, ids, st,
			  SCHED_STRAYS_MAX, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (st[i] == NOTICE_EXPIRED)
			rc = notice_expire_rows(s->nd, ids[i], now);
		else
			rc = notice_hold(s->nd, ids[i],
					 st[i] == NOTICE_CANCELLED);
		LOGP(DSCHED, LOGL_INFO, "campaign %lld (%s): %d queued rows "
		     "taken back\n", (long long)ids[i], notice_state_str(st[i]),
		     rc);
	}
}

int sched_step(struct sched *s, int64_t now)
{
	void *tmp = talloc_new(s);
	struct notice **c = NULL;
	unsigned n = 0, i, budget = s->cfg->notice_batch;
	unsigned long before = s->stats.queued;
	int64_t t0 = sched_mono_us();
	int rc;

	if (!tmp)
		return -ENOMEM;
	s->deadline_us = t0 + SCHED_STEP_US;
	s->full = false;
	rc = notice_list(s->nd, tmp, NOTICE_RUNNING, SCHED_MAX_CAMPAIGNS, &c,
			 &n);
	for (i = 0; !rc && i < n && budget; i++)
		rc = sched_campaign(s, c[(i + s->rotate) % n], now, &budget);
	s->rotate++;
	/* out of time or of notices.batch, not of work: go on at once */
	s->more = !rc && budget < s->cfg->notice_batch &&
		  (!budget || sched_mono_us() >= s->deadline_us);
	if (now - s->strays_ms >= SCHED_STRAY_MS)
		sched_strays(s, now);
	talloc_free(tmp);
	if (n) {
		s->stats.steps++;
		if (sched_mono_us() - t0 > s->stats.max_step_us)
			s->stats.max_step_us = sched_mono_us() - t0;
	}
	if (rc < 0) {
		LOGP(DSCHED, LOGL_ERROR, "step failed: %d\n", rc);
		return rc;
	}
	if (n && s->kick)
		s->kick(s->kick_data);	/* paced rows fall due too */
	return (int)(s->stats.queued - before);
}

/* ---- life cycle ---------------------------------------------------------- */

static void sched_timer_cb(void *data)
{
	struct sched *s = data;

	s->due = true;
}

/* The next step: at once while there is work and room, soon while a
 * campaign is at notices.ahead (the links take its rows), else a tick. */
static void sched_next(struct sched *s)
{
	unsigned us = s->cfg->notice_tick_ms * 1000;

	if (s->more)
		us = SCHED_GAP_US;
	else if (s->full && us > SCHED_REFILL_MS * 1000)
		us = SCHED_REFILL_MS * 1000;
	osmo_timer_schedule(&s->timer, us / 1000000, us % 1000000);
}

void sched_run(struct sched *s)
{
	if (!s || !s->due)
		return;
	s->due = false;
	sched_step(s, clock_now_ms());
	sched_next(s);
}

struct sched *sched_init(void *ctx, const struct config *cfg, struct db *db,
			 struct mtq *q, void (*kick)(void *), void *kick_data)
{
	struct sched *s = talloc_zero(ctx, struct sched);

	if (!s)
		return NULL;
	s->cfg = cfg;
	s->db = db;
	s->q = q;
	s->kick = kick;
	s->kick_data = kick_data;
	if (quiet_init(&s->quiet, cfg->quiet_start, cfg->quiet_end,
		       cfg->timezone) < 0) {
		LOGP(DSCHED, LOGL_ERROR, "notices: unusable quiet hours %s-%s "
		     "in %s\n", cfg->quiet_start, cfg->quiet_end, cfg->timezone);
		goto fail;
	}
	s->nd = notice_db_init(s, db);
	s->ad = audience_db_init(s, db);
	s->rcpt = talloc_zero_array(s, struct notice_rcpt, cfg->notice_batch);
	if (!s->nd || !s->ad || !s->rcpt ||
	    db_prepare(db, sched_sql, SCHED_NUM_STMT, s->st))
		goto fail;
	osmo_timer_setup(&s->timer, sched_timer_cb, s);
	sched_next(s);
	return s;
fail:
	sched_free(s);
	return NULL;
}

void sched_free(struct sched *s)
{
	if (!s)
		return;
	osmo_timer_del(&s->timer);
	db_finalize(s->st, SCHED_NUM_STMT);
	notice_db_free(s->nd);
	audience_db_free(s->ad);
	talloc_free(s);
}

const struct sched_stats *sched_stats(const struct sched *s)
{
	return &s->stats;
}

/* One line per campaign in state st. */
static void sched_vty_list(struct sched *s, struct vty *vty,
			   enum notice_state st)
{
	struct notice **c = NULL;
	unsigned n = 0, i, queued;

	if (notice_list(s->nd, s, st, SCHED_MAX_CAMPAIGNS, &c, &n) == 0)
		for (i = 0; i < n; i++) {
			queued = 0;
			notice_queued(s->nd, c[i]->id, &queued);
			vty_out(vty, "  %lld %-8s queued %u%s  %s%s",
				(long long)c[i]->id, notice_state_str(st), queued,
				c[i]->listed ? "" : ", listing the roster",
				c[i]->name, VTY_NEWLINE);
		}
	talloc_free(c);
}

void sched_vty_show(struct sched *s, struct vty *vty)
{
	const struct sched_stats *t = &s->stats;
	int64_t edge = 0;
	bool quiet = quiet_at(&s->quiet, clock_now_ms(), &edge);
	char when[32];

	quiet_format(s->quiet.tz, edge, when, sizeof(when));
	vty_out(vty, "quiet hours %s-%s (%s): %s%s%s", s->cfg->quiet_start,
		s->cfg->quiet_end, s->quiet.tz, quiet ? "quiet until " :
		"open", quiet ? when : "", VTY_NEWLINE);
	sched_vty_list(s, vty, NOTICE_RUNNING);
	sched_vty_list(s, vty, NOTICE_PAUSED);
	vty_out(vty, "scheduler: steps %lu, queued %lu, opted out %lu, bad %lu,"
		" listed %lu, done %lu, expired %lu, longest step %lld us%s",
		t->steps, t->queued, t->optout, t->bad, t->listed, t->done,
		t->expired, (long long)t->max_step_us, VTY_NEWLINE);
}
