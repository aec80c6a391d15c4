/*
 * answer.c - the trainees' answers to the questions of training quality
 * (see quality.h): QD with the code of the day, PJ with a score, JY with
 * the employment status, from the SMS commands and the USSD screens.
 *
 * A code is looked up among the attendance questions that carry it
 * (newest first: the open codes are unique, old ones may repeat). It
 * counts only for the worker bound to the asking number, while the class
 * hours of its day last; the worker's code of a day that is over is
 * "late". A code of another worker's open question is refused as wrong
 * and recorded against that question (reason "other"): a trainee's code
 * in someone else's hands is what attendance fraud looks like.
 *
 * A score or a status goes to the worker's newest open question of its
 * kind that has no answer yet (answered within quality.answer_days of
 * being asked); when there is none, to the newest answered within
 * quality.change_days, whose answer it replaces. Anything later is
 * refused politely and recorded ("closed").
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "quality_priv.h"

#define ANS_ROWS_MAX	20	/* questions of a worker looked at */
#define ANS_CODE_ROWS	50	/* questions of one code looked at */

enum ans_stmt { AN_BY_CODE, AN_OF_WORKER, AN_SET, AN_REFUSE, AN_NUM };

#define ANS_ITEM_COLS							\
	"q.id, q.worker_id, q.expires_at, coalesce(q.answer, 0),"	\
	" coalesce(q.answered_at, 0), c.name, c.code, coalesce(k.day, ''),"\
	" q.round"
#define ANS_ITEM_FROM							\
	" FROM quality_question q JOIN course c ON c.id = q.course_id"	\
	" LEFT JOIN quality_check k ON k.id = q.check_id"

static const char *const ans_sql[AN_NUM] = {
	[AN_BY_CODE] =
		"SELECT " ANS_ITEM_COLS ANS_ITEM_FROM
		" WHERE q.code = :code AND q.kind = 'attendance'"
		" AND q.state = 'queued' ORDER BY q.expires_at DESC"
		" LIMIT " OSMO_STRINGIFY_VAL(ANS_CODE_ROWS),
	[AN_OF_WORKER] =
		"SELECT " ANS_ITEM_COLS ANS_ITEM_FROM
		" WHERE q.worker_id = :worker AND q.kind = :kind"
		" AND q.state = 'queued' ORDER BY q.asked_at DESC, q.id DESC"
		" LIMIT " OSMO_STRINGIFY_VAL(ANS_ROWS_MAX),
	[AN_SET] =
		"UPDATE quality_question SET answer = :answer,"
		" comment = coalesce(:comment, comment),"
		" changed_at = CASE WHEN answered_at IS NULL THEN NULL"
		"  ELSE :now END,"
		" answered_at = coalesce(answered_at, :now),"
		" answered_by = :msisdn, via = :via WHERE id = :id",
	[AN_REFUSE] =
		"INSERT INTO quality_refusal (at, msisdn, kind, reason,"
		" question_id) VALUES (:now, :msisdn, :kind, :reason, :question)",
};

struct quality_ans {
	struct db *db;
	const struct config_quality *c;
	sqlite3_stmt *st[AN_NUM];
};

/* A question row of ANS_ITEM_COLS. */
struct ans_row {
	struct quality_item it;
	int64_t worker_id, expires_ms, answered_ms;
};

static void ans_row(sqlite3_stmt *st, enum quality_kind kind,
		    struct ans_row *r)
{
	memset(r, 0, sizeof(*r));
	r->it.id = sqlite3_column_int64(st, 0);
	r->it.kind = kind;
	r->worker_id = sqlite3_column_int64(st, 1);
	r->expires_ms = sqlite3_column_int64(st, 2);
	r->it.answer = sqlite3_column_int(st, 3);
	r->answered_ms = sqlite3_column_int64(st, 4);
	db_col_text(st, 5, r->it.course, sizeof(r->it.course));
	db_col_text(st, 6, r->it.code, sizeof(r->it.code));
	db_col_text(st, 7, r->it.day, sizeof(r->it.day));
	r->it.round = sqlite3_column_int(st, 8);
	if (kind == QUALITY_ATTENDANCE) {
		quality_hhmm(r->expires_ms, r->it.until);
		r->it.round = 0;
	}
}

static int ans_refuse(struct quality_ans *a, const char *msisdn,
		      enum quality_kind kind, const char *reason,
		      int64_t question, int64_t now)
{
	DB_STMT(st, a->st[AN_REFUSE]);
	int rc = db_begin(a->db);

	if (rc)
		return rc;
	db_bind_int(st, ":now", now);
	db_bind_text(st, ":msisdn", msisdn);
	db_bind_text(st, ":kind", quality_kind_str(kind));
	db_bind_text(st, ":reason", reason);
	db_bind_id(st, ":question", question);
	return db_step_done(a->db, st, DQUALITY);
}

static int ans_set(struct quality_ans *a, int64_t id, int answer,
		   const char *comment, const char *msisdn, enum dom_via via,
		   int64_t now)
{
	DB_STMT(st, a->st[AN_SET]);
	int rc = db_begin(a->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	db_bind_int(st, ":answer", answer);
	db_bind_opt(st, ":comment", comment);
	db_bind_int(st, ":now", now);
	db_bind_text(st, ":msisdn", msisdn);
	db_bind_text(st, ":via", via == DOM_VIA_USSD ? "ussd" : "sms");
	return db_step_done(a->db, st, DQUALITY);
}

/* ---- QD ------------------------------------------------------------------- */

/* The questions carrying code: *own the worker's newest, *other an open
 * one of another worker. 0 or a negative errno. */
static int ans_by_code(struct quality_ans *a, const char *code,
		       int64_t worker_id, int64_t now, struct ans_row *own,
		       bool *has_own, int64_t *other)
{
	DB_STMT(st, a->st[AN_BY_CODE]);
	struct ans_row r;
	int rc;

	*has_own = false;
	*other = 0;
	db_bind_text(st, ":code", code);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ans_row(st, QUALITY_ATTENDANCE, &r);
		if (worker_id && r.worker_id == worker_id && !*has_own) {
			*own = r;
			*has_own = true;
		} else if (r.worker_id != worker_id && r.expires_ms > now &&
			   !*other) {
			*other = r.it.id;
		}
	}
	return rc == SQLITE_DONE ? 0 : db_step_error(a->db, st, rc, DQUALITY);
}

int quality_checkin(struct quality_ans *a, int64_t worker_id,
		    const char *msisdn, const char *code, enum dom_via via,
		    int64_t now_ms, struct quality_item *it)
{
	struct ans_row own;
	int64_t other;
	bool has_own;
	int rc = ans_by_code(a, code, worker_id, now_ms, &own, &has_own,
			     &other);

	if (rc < 0)
		return rc;
	if (!has_own) {
		rc = ans_refuse(a, msisdn, QUALITY_ATTENDANCE,
				other ? "other" : "wrong", other, now_ms);
		if (other)
			LOGP(DQUALITY, LOGL_NOTICE, "%s: the check-in code of "
			     "another trainee (question %lld)\n",
			     log_num(msisdn), (long long)other);
		return rc < 0 ? rc : QUALITY_WRONG;
	}
	*it = own.it;
	if (own.expires_ms <= now_ms) {
		rc = ans_refuse(a, msisdn, QUALITY_ATTENDANCE, "late",
				own.it.id, now_ms);
		return rc < 0 ? rc : QUALITY_LATE;
	}
	if (own.it.answer)
		return QUALITY_AGAIN;
	rc = ans_set(a, own.it.id, 1, NULL, msisdn, via, now_ms);
	it->answer = 1;
	return rc < 0 ? rc : QUALITY_OK;
}

/* ---- PJ, JY --------------------------------------------------------------- */

/* The question an answer of kind goes to: *r, with *open (accepts an
 * answer now) or not (the newest, closed). QUALITY_OK, QUALITY_NONE or a
 * negative errno. */
static int ans_target(struct quality_ans *a, enum quality_kind kind,
		      int64_t worker_id, int64_t now, struct ans_row *r,
		      bool *open)
{
	DB_STMT(st, a->st[AN_OF_WORKER]);
	int64_t change_ms = a->c->change_days * QUALITY_MS_PER_DAY;
	struct ans_row x;
	bool changeable = false, any = false;
	int rc = SQLITE_DONE;

	*open = false;
	db_bind_int(st, ":worker", worker_id);
	db_bind_text(st, ":kind", quality_kind_str(kind));
	while (!*open && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ans_row(st, kind, &x);
		if (!x.it.answer && x.expires_ms > now) {
			*r = x;		/* unanswered and open: first choice */
			*open = true;
		} else if (x.it.answer && now < x.answered_ms + change_ms &&
			   !changeable) {
			*r = x;
			changeable = true;
		} else if (!any && !changeable) {
			*r = x;		/* the newest: closed */
		}
		any = true;
	}
	if (!*open && rc != SQLITE_DONE)
		return db_step_error(a->db, st, rc, DQUALITY);
	*open = *open || changeable;
	return any ? QUALITY_OK : QUALITY_NONE;
}

/* comment cut to QUALITY_COMMENT_CHARS characters (UTF-8) into out. A
 * number the cut goes through goes as a whole: the report masks only
 * long ones, and the first half of a phone number is one no longer. */
static const char *ans_comment(const char *in, char *out, size_t cap)
{
	size_t o = 0, n;
	unsigned chars = 0;

	for (; in && *in && chars < QUALITY_COMMENT_CHARS; in += n) {
		n = 1;
		while (((unsigned char)in[n] & 0xc0) == 0x80)
			n++;
		if (o + n >= cap)
			break;
		memcpy(out + o, in, n);
		o += n;
		chars++;
	}
	if (in && *in && strchr("0123456789X ", *in))
		while (o && strchr("0123456789X ", out[o - 1]))
			o--;
	out[o] = '\0';
	return o ? out : NULL;
}

int quality_answer(struct quality_ans *a, enum quality_kind kind,
		   int64_t worker_id, const char *msisdn, int answer,
		   const char *comment, enum dom_via via, int64_t now_ms,
		   struct quality_item *it)
{
	char cut[QUALITY_COMMENT_MAX];
	struct ans_row r;
	bool open;
	int rc = ans_target(a, kind, worker_id, now_ms, &r, &open);

	if (rc != QUALITY_OK)
		return rc;
	*it = r.it;
	if (!open) {
		rc = ans_refuse(a, msisdn, kind, "closed", r.it.id, now_ms);
		return rc < 0 ? rc : QUALITY_CLOSED;
	}
	rc = ans_set(a, r.it.id, answer, kind == QUALITY_SURVEY ?
		     ans_comment(comment, cut, sizeof(cut)) : NULL, msisdn,
		     via, now_ms);
	it->answer = answer;
	if (rc < 0)
		return rc;
	return r.it.answer ? QUALITY_CHANGED : QUALITY_OK;
}

int quality_open(struct quality_ans *a, enum quality_kind kind,
		 int64_t worker_id, int64_t now_ms, struct quality_item *it)
{
	struct ans_row r;
	bool open;
	int rc = ans_target(a, kind, worker_id, now_ms, &r, &open);

	if (rc != QUALITY_OK)
		return rc;
	if (!open)
		return QUALITY_NONE;
	*it = r.it;
	/* attendance: a code confirmed already is not asked again */
	return kind == QUALITY_ATTENDANCE && r.it.answer ? QUALITY_AGAIN :
	       QUALITY_OK;
}

unsigned quality_change_days(const struct quality_ans *a)
{
	return a->c->change_days;
}

/* ---- life cycle ----------------------------------------------------------- */

static int ans_destructor(struct quality_ans *a)
{
	db_finalize(a->st, AN_NUM);
	return 0;
}

struct quality_ans *quality_ans_init(void *ctx, struct db *db,
				     const struct config_quality *c)
{
	struct quality_ans *a = talloc_zero(ctx, struct quality_ans);

	if (!a)
		return NULL;
	talloc_set_name_const(a, "quality_ans");
	a->db = db;
	a->c = c;
	talloc_set_destructor(a, ans_destructor);
	if (db_prepare(db, ans_sql, AN_NUM, a->st) < 0) {
		talloc_free(a);
		return NULL;
	}
	return a;
}

void quality_ans_free(struct quality_ans *a)
{
	talloc_free(a);
}
