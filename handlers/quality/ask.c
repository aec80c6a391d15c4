/*
 * ask.c - the asker: due questions of training quality into the MT queue
 * (see quality.h).
 *
 * Every tick the asker looks at what is due, each kind at its own pace:
 * attendance checks whose questions should be out (ask_at passed, class
 * not over) every ASK_ATTEND_EVERY_MS, surveys and follow-ups every
 * ASK_SCAN_EVERY_MS, and a kind again at the next tick while its last
 * step was full; check days are planned every ASK_PLAN_EVERY_MS.
 * A step reads up to quality.batch trainees due a question of one kind
 * with the facts the text needs into memory, then inside one unit of work
 * (db_unit_begin) queues a message for each and inserts its question row
 * (UNIQUE per enrolment, kind and round) with the message's id, or the
 * reason there is none. Should a write fail, the unit is undone and the
 * trainees are due again at the next step: a message never exists
 * without its row, so none is made twice.
 *
 * Surveys and follow-ups more than quality.late_days overdue are not
 * asked (a course imported long after it ended, a gateway that was off):
 * so the first start on a bureau's history asks nobody about last year.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/vty.h>

#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/text/fmt.h"
#include "gateway/text/texts.h"
#include "gateway/tick.h"
#include "quality_priv.h"

#define ASK_TICK_MS		1000
#define ASK_ATTEND_EVERY_MS	(10 * 1000)
#define ASK_SCAN_EVERY_MS	(60 * 1000)
#define ASK_PLAN_EVERY_MS	(10 * 60 * 1000)
#define ASK_TEXT_MAX		TEXTS_MAX
#define ASK_CODE_TRIES		16	/* draws of a code that is not open */

/* The columns every kind reads: the trainee, the worker, the course. */
#define ASK_COLS							\
	"e.id, e.worker_id, c.id, w.msisdn, w.name, w.opted_out OR EXISTS"\
	" (SELECT 1 FROM notice_optout o WHERE o.msisdn = w.msisdn),"	\
	" c.name, c.code, coalesce(i.name, c.institution), c.start_date,"\
	" c.end_date"
#define ASK_JOINS							\
	" JOIN worker w ON w.id = e.worker_id"				\
	" LEFT JOIN institution i ON i.code = c.institution"
#define ASK_NOT_ASKED(kind, round)					\
	" AND NOT EXISTS (SELECT 1 FROM quality_question q"		\
	"  WHERE q.enrolment_id = e.id AND q.kind = '" kind "'"		\
	"  AND q.round = " round ")"

enum ask_stmt { AS_ATTEND, AS_SURVEY, AS_EMPLOY, AS_INSERT, AS_CODE_OPEN,
		AS_OPEN_CHECKS, AS_NUM };

/* CROSS JOIN keeps the course (few rows) the outer loop: the enrolments
 * are reached through their course's index. */
static const char *const ask_sql[AS_NUM] = {
	[AS_ATTEND] =
		"SELECT " ASK_COLS ", k.id, k.day, k.ends_at"
		" FROM quality_check k CROSS JOIN course c ON c.id = k.course_id"
		" CROSS JOIN enrolment e ON e.course_id = c.id" ASK_JOINS
		" WHERE k.ends_at > :now AND k.ask_at <= :now"
		" AND c.status <> 'cancelled' AND e.status <> 'cancelled'"
		ASK_NOT_ASKED("attendance", "k.id")
		" ORDER BY k.id, e.id LIMIT :max",
	[AS_SURVEY] =
		"SELECT " ASK_COLS ", 0, '', 0"
		" FROM course c CROSS JOIN enrolment e ON e.course_id = c.id"
		ASK_JOINS
		" WHERE c.end_date >= :oldest AND c.status <> 'cancelled'"
		" AND e.status <> 'cancelled'"
		" AND (c.end_date < :today OR e.status = 'completed')"
		ASK_NOT_ASKED("survey", "0")
		" ORDER BY e.id LIMIT :max",
	[AS_EMPLOY] =
		"SELECT " ASK_COLS ", 0, '', 0"
		" FROM course c CROSS JOIN enrolment e ON e.course_id = c.id"
		ASK_JOINS
		" WHERE c.end_date < :today AND c.status <> 'cancelled'"
		" AND e.status <> 'cancelled'"
		" AND date(c.end_date, :plus) BETWEEN :oldest AND :today"
		ASK_NOT_ASKED("employment", ":round")
		" ORDER BY e.id LIMIT :max",
	[AS_INSERT] =
		"INSERT INTO quality_question (kind, round, enrolment_id,"
		" worker_id, course_id, check_id, msisdn, code, state, mt_id,"
		" asked_at, expires_at) VALUES (:kind, :round, :enrolment,"
		" :worker, :course, :check, :msisdn, :code, :state, :mt_id,"
		" :now, :expires)",
	[AS_CODE_OPEN] =
		"SELECT 1 FROM quality_question WHERE code = :code"
		" AND expires_at > :now",
	[AS_OPEN_CHECKS] =
		"SELECT count(*) FROM quality_check WHERE ends_at > :now",
};

struct quality {
	const struct config *cfg;
	const struct config_quality *qc;
	struct db *db;
	struct mtq *q;
	const struct texts *texts;
	void (*kick)(void *);
	void *kick_data;
	sqlite3_stmt *st[AS_NUM];
	struct tick tick;
	int64_t next_ms[QUALITY_NUM_KINDS];	/* look for that kind then */
	int64_t plan_ms;			/* plan again then */
	struct quality_counters ctr;
};

/* ---- reading -------------------------------------------------------------- */

static struct quality_cand *ask_row(void *ctx, sqlite3_stmt *st,
				    enum quality_kind kind, int round)
{
	struct quality_cand *c = talloc_zero(ctx, struct quality_cand);

	if (!c)
		return NULL;
	c->kind = kind;
	c->round = round;
	c->enrolment_id = sqlite3_column_int64(st, 0);
	c->worker_id = sqlite3_column_int64(st, 1);
	c->course_id = sqlite3_column_int64(st, 2);
	c->msisdn = quality_col(c, st, 3);
	c->name = quality_col(c, st, 4);
	c->opted_out = sqlite3_column_int(st, 5);
	c->course = quality_col(c, st, 6);
	c->code = quality_col(c, st, 7);
	c->institution = quality_col(c, st, 8);
	c->start = quality_col(c, st, 9);
	c->end = quality_col(c, st, 10);
	c->check_id = sqlite3_column_int64(st, 11);
	c->day = quality_col(c, st, 12);
	c->until_ms = sqlite3_column_int64(st, 13);
	return c;
}

/* The statement of a kind, bound for now (round: employment's months). */
static sqlite3_stmt *ask_stmt(struct quality *qa, enum quality_kind kind,
			      int round, int64_t now, char *buf)
{
	char today[FMT_ISO_DATE], oldest[FMT_ISO_DATE];
	sqlite3_stmt *st = qa->st[kind == QUALITY_ATTENDANCE ? AS_ATTEND :
				  kind == QUALITY_SURVEY ? AS_SURVEY :
				  AS_EMPLOY];

	fmt_local_date(now, today);
	quality_add_days(today, -(int)qa->qc->late_days, oldest);
	db_bind_int(st, ":max", qa->qc->batch);
	if (kind == QUALITY_ATTENDANCE) {
		db_bind_int(st, ":now", now);
		return st;
	}
	/* the dates are copied: they do not outlive this function */
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":today"),
			  today, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":oldest"),
			  oldest, -1, SQLITE_TRANSIENT);
	if (kind == QUALITY_EMPLOYMENT) {
		snprintf(buf, 24, "+%d months", round);
		db_bind_text(st, ":plus", buf);
		db_bind_int(st, ":round", round);
	}
	return st;
}

/* Up to quality.batch trainees due a question of kind into cand[];
 * returns how many, or a negative errno. */
static int ask_read(struct quality *qa, void *ctx, enum quality_kind kind,
		    int round, int64_t now, struct quality_cand **cand)
{
	char plus[24];
	DB_STMT(st, ask_stmt(qa, kind, round, now, plus));
	unsigned got = 0, max = qa->qc->batch;
	int rc = SQLITE_DONE;

	while (got < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		cand[got] = ask_row(ctx, st, kind, round);
		if (!cand[got])
			return -ENOMEM;
		got++;
	}
	if (got < max && rc != SQLITE_DONE)
		return db_step_error(qa->db, st, rc, DQUALITY);
	return got;
}

/* ---- writing -------------------------------------------------------------- */

/* A code that no open question has. */
static int ask_code(struct quality *qa, int64_t now,
		    char code[QUALITY_CODE_LEN])
{
	unsigned i;
	int rc;

	for (i = 0; i < ASK_CODE_TRIES; i++) {
		DB_STMT(st, qa->st[AS_CODE_OPEN]);

		if (quality_code_new(code) < 0)
			return -EIO;
		db_bind_text(st, ":code", code);
		db_bind_int(st, ":now", now);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			return 0;
		if (rc != SQLITE_ROW)
			return db_step_error(qa->db, st, rc, DQUALITY);
	}
	return -EAGAIN;
}

static int ask_insert(struct quality *qa, const struct quality_cand *c,
		      const char *state, const char *code, int64_t mt_id,
		      int64_t now)
{
	DB_STMT(st, qa->st[AS_INSERT]);
	int64_t expires = c->kind == QUALITY_ATTENDANCE ? c->until_ms :
			  now + qa->qc->answer_days * QUALITY_MS_PER_DAY;

	db_bind_text(st, ":kind", quality_kind_str(c->kind));
	db_bind_int(st, ":round", c->kind == QUALITY_ATTENDANCE ?
		    c->check_id : c->round);
	db_bind_int(st, ":enrolment", c->enrolment_id);
	db_bind_int(st, ":worker", c->worker_id);
	db_bind_int(st, ":course", c->course_id);
	db_bind_id(st, ":check", c->check_id);
	db_bind_opt(st, ":msisdn", c->msisdn);
	db_bind_opt(st, ":code", code);
	db_bind_text(st, ":state", state);
	db_bind_id(st, ":mt_id", mt_id);
	db_bind_int(st, ":now", now);
	db_bind_int(st, ":expires", expires);
	return db_step_done(qa->db, st, DQUALITY);
}

/* Queue the message of c (an attendance check's expires with its class
 * hours); *mt_id gets its id. -EINVAL, -EMSGSIZE, -ENOSPC: none can be. */
static int ask_message(struct quality *qa, const struct quality_cand *c,
		       const char *code, int64_t now, int64_t *mt_id)
{
	char *text = talloc_size(c, ASK_TEXT_MAX);
	unsigned validity = 0;
	int rc;

	if (!text)
		return -ENOMEM;
	rc = quality_text(qa->texts, c, code, text, ASK_TEXT_MAX);
	if (c->kind == QUALITY_ATTENDANCE)
		validity = (unsigned)((c->until_ms - now + 999) / 1000);
	if (rc >= 0)
		rc = mtq_enqueue(qa->q, &(struct mtq_new){ .dst = c->msisdn,
			.text = text, .prio = MTQ_PRIO_NOTIFY,
			.validity_s = validity }, mt_id);
	talloc_free(text);
	return rc;
}

/* Ask c, or record why not. */
static int ask_one(struct quality *qa, const struct quality_cand *c,
		   int64_t now)
{
	char code[QUALITY_CODE_LEN] = "";
	int64_t mt_id = 0;
	int rc;

	if (!*c->msisdn) {
		qa->ctr.nonumber++;
		return ask_insert(qa, c, "nonumber", NULL, 0, now);
	}
	if (c->opted_out && qa->qc->respect_optout) {
		qa->ctr.optout++;
		return ask_insert(qa, c, "optout", NULL, 0, now);
	}
	if (c->kind == QUALITY_ATTENDANCE && (rc = ask_code(qa, now, code)) < 0)
		return rc;
	rc = ask_message(qa, c, code, now, &mt_id);
	if (rc == -EINVAL || rc == -EMSGSIZE || rc == -ENOSPC) {
		LOGP(DQUALITY, LOGL_NOTICE, "enrolment %lld (%s): no message "
		     "for %s: %s\n", (long long)c->enrolment_id,
		     quality_kind_str(c->kind), log_num(c->msisdn),
		     rc == -EINVAL ? "not a valid number" : "text too long");
		qa->ctr.bad++;
		return ask_insert(qa, c, "bad", NULL, 0, now);
	}
	if (rc < 0)
		return rc;
	qa->ctr.asked[c->kind]++;
	return ask_insert(qa, c, "queued", code, mt_id, now);
}

/* One batch of one kind (and round), as one unit of work. Returns how
 * many questions were handled. */
static int ask_batch(struct quality *qa, enum quality_kind kind, int round,
		     int64_t now)
{
	void *tmp = talloc_new(qa);
	struct quality_cand **cand = talloc_zero_array(tmp,
		struct quality_cand *, qa->qc->batch);
	struct quality_counters before = qa->ctr;
	int got, i, rc;

	got = cand ? ask_read(qa, tmp, kind, round, now, cand) : -ENOMEM;
	rc = got > 0 ? db_unit_begin(qa->db) : got;
	if (got <= 0 || rc < 0) {
		talloc_free(tmp);
		return rc;
	}
	for (i = 0; !rc && i < got; i++)
		rc = ask_one(qa, cand[i], now);
	if (db_unit_end(qa->db, rc) < 0) {
		LOGP(DQUALITY, LOGL_ERROR, "%d %s question(s) stay due: %d\n",
		     got, quality_kind_str(kind), rc);
		qa->ctr = before;
	}
	talloc_free(tmp);
	return rc < 0 ? rc : got;
}

/* ---- the step ------------------------------------------------------------- */

/* A kind when it is due: its batches (every round of the follow-up).
 * Looks again at the next tick while a batch was full. */
static int ask_kind(struct quality *qa, enum quality_kind kind, int64_t now)
{
	unsigned r, rounds = kind == QUALITY_EMPLOYMENT ? qa->qc->n_rounds : 1;
	bool full = false;
	int rc, made = 0;

	if (now < qa->next_ms[kind])
		return 0;
	for (r = 0; r < rounds; r++) {
		rc = ask_batch(qa, kind, kind == QUALITY_EMPLOYMENT ?
			       (int)qa->qc->rounds[r] : 0, now);
		if (rc < 0)
			return rc;
		made += rc;
		full = full || rc == (int)qa->qc->batch;
	}
	qa->next_ms[kind] = full ? now : now + (kind == QUALITY_ATTENDANCE ?
			    ASK_ATTEND_EVERY_MS : ASK_SCAN_EVERY_MS);
	return made;
}

int quality_step(struct quality *qa, int64_t now_ms)
{
	char today[FMT_ISO_DATE];
	int rc, made = 0;
	unsigned k;

	if (now_ms >= qa->plan_ms) {
		fmt_local_date(now_ms, today);
		rc = quality_plan(qa->db, qa->qc, today, now_ms);
		if (rc > 0) {
			qa->ctr.checks += rc;
			qa->next_ms[QUALITY_ATTENDANCE] = 0;
		}
		qa->plan_ms = now_ms + ASK_PLAN_EVERY_MS;
	}
	for (k = 0; k < QUALITY_NUM_KINDS; k++) {
		rc = ask_kind(qa, k, now_ms);
		if (rc < 0)
			return rc;
		made += rc;
	}
	if (made > 0 && qa->kick)
		qa->kick(qa->kick_data);
	return made;
}

/* ---- life cycle ----------------------------------------------------------- */

void quality_run(struct quality *qa)
{
	if (!qa || !tick_take(&qa->tick))
		return;
	if (quality_step(qa, clock_now_ms()) < 0)
		LOGP(DQUALITY, LOGL_ERROR, "step failed; questions stay due\n");
}

static int ask_destructor(struct quality *qa)
{
	tick_stop(&qa->tick);
	db_finalize(qa->st, AS_NUM);
	return 0;
}

struct quality *quality_init(void *ctx, const struct quality_params *p)
{
	struct quality *qa = talloc_zero(ctx, struct quality);

	if (!qa)
		return NULL;
	qa->cfg = p->cfg;
	qa->qc = &p->cfg->quality;
	qa->db = p->db;
	qa->q = p->q;
	qa->texts = p->texts;
	qa->kick = p->kick;
	qa->kick_data = p->kick_data;
	talloc_set_destructor(qa, ask_destructor);
	if (!qa->texts || db_prepare(qa->db, ask_sql, AS_NUM, qa->st) < 0) {
		LOGP(DQUALITY, LOGL_ERROR, "cannot start the quality asker\n");
		talloc_free(qa);
		return NULL;
	}
	tick_start(&qa->tick, ASK_TICK_MS);
	return qa;
}

void quality_free(struct quality *qa)
{
	talloc_free(qa);
}

const struct quality_counters *quality_counters(const struct quality *qa)
{
	return &qa->ctr;
}

void quality_vty_show(struct quality *qa, struct vty *vty)
{
	DB_STMT(st, qa->st[AS_OPEN_CHECKS]);
	const struct quality_counters *c = &qa->ctr;
	long open;

	db_bind_int(st, ":now", clock_now_ms());
	open = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) :
	       -1;
	vty_out(vty, "training quality: %ld attendance check day(s) to come "
		"or in class; since start %lu check day(s) planned%s", open,
		c->checks, VTY_NEWLINE);
	vty_out(vty, "  asked: %lu attendance, %lu survey, %lu employment; "
		"%lu without a number, %lu opted out, %lu without a text%s",
		c->asked[QUALITY_ATTENDANCE], c->asked[QUALITY_SURVEY],
		c->asked[QUALITY_EMPLOYMENT], c->nonumber, c->optout, c->bad,
		VTY_NEWLINE);
}
