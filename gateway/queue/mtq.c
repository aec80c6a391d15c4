/*
 * mtq.c - the durable MT queue on table mt.
 *
 * Every outbound SMS is a row before it is sent. The queue is a partial index
 * (mt_ready: prio, next_try WHERE state = 0), so taking the next batch is one
 * UPDATE ... RETURNING that walks that index in priority order and marks the
 * rows sending. Each call costs a few prepared statements on primary keys or
 * indexes: the loop makes them at tens of thousands of messages per second
 * inside one group-commit transaction (tests/bench/bench_mtq.c measures it).
 *
 * Expiry happens where a row would be sent: the take marks a due row whose
 * validity has passed expired instead of handing it out, and a retry whose
 * next try would come after the validity expires the row at once. There is
 * no sweep over the whole queue per fetch (with a backlog that would read
 * every queued row each tick). Validity runs from not_before, so every
 * queued row past its validity is due and is expired when the queue reaches
 * it; until then mtq_counts() still counts it as queued.
 *
 * State changes (numbers as in schema.sql and enum mtq_state):
 *   queued -> sending        mtq_fetch (or -> expired past validity)
 *   sending -> submitted     mtq_part_submitted, when every part is acked
 *   sending -> queued        mtq_retry (back-off), mtq_recover (start-up)
 *   sending -> failed        mtq_retry after max_attempts
 *   queued/sending/submitted -> failed      mtq_fail
 *   sending/submitted -> delivered/failed/expired   mtq_dlr, last final receipt
 *
 * parts_acked counts the mt_part rows (a repeated submit_sm_resp updates
 * its row without counting); parts_final counts parts whose first final
 * receipt arrived. Receipts may come before the other parts of the
 * same message are acked (a receipt before a later submit_sm_resp): they are
 * recorded on their part and counted, the message stays sending, and its
 * final state is decided by the receipt that makes parts_final reach parts,
 * which can only happen once every part has been acked. A receipt that
 * arrives before the submit_sm_resp of its own part finds no part row and
 * gets -ENOENT: the caller decides whether to hold it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/text/charset.h"
#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"

/* The SQL below writes states as numbers (a partial index only matches a
 * literal); they must be the enum's. */
_Static_assert(MTQ_QUEUED == 0 && MTQ_SENDING == 1 && MTQ_SUBMITTED == 2 &&
	       MTQ_DELIVERED == 3 && MTQ_FAILED == 4 && MTQ_EXPIRED == 5,
	       "mtq.c SQL uses the state numbers of schema.sql");
_Static_assert(MTQ_PRIO_USSD == 0 && MTQ_PRIO_REPLY == 1 &&
	       MTQ_PRIO_NOTIFY == 2 && MTQ_PRIO_BULK == 3,
	       "mtq.c SQL lists the priorities 0, 1, 2, 3");

#define MTQ_DST_MIN		5	/* digits of a destination number */
#define MTQ_DST_MAX		20
#define MTQ_SRC_MAX		20	/* SMPP source_addr without NUL */
#define MTQ_UTF8_MAX_BYTES	4	/* longest UTF-8 sequence */
#define MTQ_JITTER_PERMILLE	100	/* back-off spread: up to +10% */
#define MTQ_FETCH_ROUNDS	4	/* takes per fetch when rows expire */

enum mtq_stmt {
	MTQ_INSERT,
	MTQ_TAKE,
	MTQ_TAKE_INTERACTIVE,
	MTQ_TAKE_NOTIFY,
	MTQ_TAKE_BULK,
	MTQ_PART_INSERT,
	MTQ_PART_UPDATE,
	MTQ_PART_ACKED,
	MTQ_PART_DROP,
	MTQ_RETRY_GET,
	MTQ_RETRY_SET,
	MTQ_PARTS_DELETE,
	MTQ_FAIL,
	MTQ_DLR_FIND,
	MTQ_DLR_PART,
	MTQ_DLR_PART_STATES,
	MTQ_DLR_MT,
	MTQ_RECOVER_PARTS,
	MTQ_RECOVER,
	MTQ_COUNTS,
	MTQ_HAS_READY,
	MTQ_SET_PARTS,
	MTQ_RECENT,
	MTQ_NUM_STMT
};

/* Rows sending that no link holds: :held is a JSON array of the ids the
 * links hold. */
#define MTQ_UNHELD	" AND id NOT IN (SELECT value FROM json_each(:held))"

/* Take up to :max ready rows of the priorities prio (an SQL condition)
 * and mark them sending, or expired when past their validity. */
#define MTQ_TAKE_SQL(prio)						\
	"UPDATE mt SET"							\
	" state = CASE WHEN expires_at <= :now THEN 5 ELSE 1 END,"	\
	" done_at = CASE WHEN expires_at <= :now THEN :now END"		\
	" WHERE id IN (SELECT id FROM mt WHERE state = 0"		\
	"  AND prio " prio " AND next_try <= :now"			\
	"  ORDER BY prio, next_try, id LIMIT :max)"			\
	" RETURNING id, state, dst, src, text, prio, attempts, parts,"	\
	" expires_at, next_try"

static const char *const mtq_sql[] = {
	/* sending, submitted, delivered: what failed or expired never reached
	 * the phone. The partial index mt_dst_notice keeps the cost the same
	 * whatever the size of the queue. */
	[MTQ_RECENT] =
		"SELECT created_at, text FROM mt"
		" WHERE dst = :dst AND campaign_id IS NOT NULL"
		" AND state IN (1, 2, 3) ORDER BY id DESC LIMIT :max",
	[MTQ_INSERT] =
		"INSERT INTO mt (dst, src, text, prio, parts, next_try,"
		" expires_at, created_at, campaign_id)"
		" VALUES (:dst, :src, :text, :prio, :parts, :next_try,"
		" :expires_at, :now, :campaign_id)",
	/* prio IN (...) makes the planner seek each priority's slice of
	 * mt_ready instead of scanning past rows that are not due yet. */
	[MTQ_TAKE] = MTQ_TAKE_SQL("IN (0, 1, 2, 3)"),
	/* The same per class, for the caps of quiet hours and shares. */
	[MTQ_TAKE_INTERACTIVE] = MTQ_TAKE_SQL("IN (0, 1)"),
	[MTQ_TAKE_NOTIFY] = MTQ_TAKE_SQL("= 2"),
	[MTQ_TAKE_BULK] = MTQ_TAKE_SQL("= 3"),
	/* A new part row, nothing when the part is there already; then
	 * MTQ_PART_ACKED counts it if the message is being sent and has
	 * that part, else MTQ_PART_DROP takes it back (rare: a response
	 * after the message went back to the queue). Reading mt in the
	 * INSERT instead (INSERT ... SELECT ... WHERE state = 1) cost as
	 * much again as the insert itself: the UPDATE reads that row
	 * anyway. */
	[MTQ_PART_INSERT] =
		"INSERT OR IGNORE INTO mt_part (mt_id, part, link, smsc_id)"
		" VALUES (:id, :part, :link, :smsc_id)",
	[MTQ_PART_UPDATE] =
		"UPDATE mt_part SET link = :link, smsc_id = :smsc_id"
		" WHERE mt_id = :id AND part = :part AND EXISTS (SELECT 1 FROM mt"
		"  WHERE id = :id AND state = 1 AND :part BETWEEN 1 AND parts)",
	[MTQ_PART_ACKED] =
		"UPDATE mt SET parts_acked = parts_acked + 1, link = :link,"
		" state = CASE WHEN parts_acked + 1 >= parts THEN 2 ELSE state END,"
		" submitted_at = CASE WHEN parts_acked + 1 >= parts THEN :now"
		"  ELSE submitted_at END"
		" WHERE id = :id AND state = 1 AND :part BETWEEN 1 AND parts",
	[MTQ_PART_DROP] =
		"DELETE FROM mt_part WHERE mt_id = :id AND part = :part",
	/* Retries are the error path: read, decide in C, write. */
	[MTQ_RETRY_GET] =
		"SELECT attempts, expires_at FROM mt WHERE id = :id AND state = 1",
	[MTQ_RETRY_SET] =
		"UPDATE mt SET attempts = :attempts, smpp_status = :status,"
		" state = :state, next_try = :next_try, done_at = :done_at,"
		" parts_acked = CASE WHEN :state = 0 THEN 0 ELSE parts_acked END,"
		" parts_final = CASE WHEN :state = 0 THEN 0 ELSE parts_final END"
		" WHERE id = :id",
	[MTQ_PARTS_DELETE] =
		"DELETE FROM mt_part WHERE mt_id = :id",
	[MTQ_FAIL] =
		"UPDATE mt SET state = 4, smpp_status = :status, done_at = :now"
		" WHERE id = :id AND state IN (0, 1, 2)",
	/* The newest message wins if an SMSC ever reuses an id. */
	[MTQ_DLR_FIND] =
		"SELECT p.mt_id, p.part, p.dlr_state, m.state, m.parts,"
		" m.parts_final FROM mt_part p JOIN mt m ON m.id = p.mt_id"
		" WHERE p.smsc_id = :smsc_id AND p.link = :link"
		" ORDER BY p.mt_id DESC LIMIT 1",
	[MTQ_DLR_PART] =
		"UPDATE mt_part SET dlr_state = :st, dlr_err = :err,"
		" dlr_at = :now WHERE mt_id = :id AND part = :part",
	[MTQ_DLR_PART_STATES] =
		"SELECT dlr_state FROM mt_part WHERE mt_id = :id",
	[MTQ_DLR_MT] =
		"UPDATE mt SET parts_final = parts_final + 1,"
		" state = coalesce(:state, state),"
		" done_at = coalesce(:done_at, done_at) WHERE id = :id",
	[MTQ_RECOVER_PARTS] =
		"DELETE FROM mt_part WHERE mt_id IN"
		" (SELECT id FROM mt WHERE state = 1" MTQ_UNHELD ")",
	[MTQ_RECOVER] =
		"UPDATE mt SET state = 0, parts_acked = 0, parts_final = 0"
		" WHERE state = 1" MTQ_UNHELD,
	[MTQ_COUNTS] =
		"SELECT state, count(*) FROM mt GROUP BY state",
	[MTQ_HAS_READY] =
		"SELECT EXISTS (SELECT 1 FROM mt WHERE state = 0"
		" AND prio IN (0, 1, 2, 3) AND next_try <= :now)",
	[MTQ_SET_PARTS] =
		"UPDATE mt SET parts = :parts WHERE id = :id AND state = 1",
};

/* A message taken by mtq_fetch() with its sort key. */
struct mtq_taken {
	int64_t next_try;
	struct mtq_msg *msg;
};

struct mtq {
	struct db *db;
	struct mtq_params p;
	sqlite3_stmt *st[MTQ_NUM_STMT];
	struct mtq_taken *taken;	/* scratch for sorting a fetch */
	unsigned taken_cap;
	void (*on_enqueue)(void *data);	/* the daemon's dispatcher kick */
	void *on_enqueue_data;
	struct mtq_answer {		/* replies: when their MO came */
		int64_t id, us;
	} answers[MTQ_ANSWERS_SLOTS];
};

/* Remember (or take back) when the MO that row id answers arrived. */
static void mtq_answer_put(struct mtq *q, int64_t id, int64_t us)
{
	struct mtq_answer *a = &q->answers[id & (MTQ_ANSWERS_SLOTS - 1)];

	a->id = id;
	a->us = us;
}

static int64_t mtq_answer_take(struct mtq *q, int64_t id)
{
	struct mtq_answer *a = &q->answers[id & (MTQ_ANSWERS_SLOTS - 1)];
	int64_t us = a->id == id ? a->us : 0;

	if (us)
		a->id = a->us = 0;
	return us;
}

static const char *const mtq_prio_names[MTQ_NUM_PRIOS] = {
	[MTQ_PRIO_USSD] = "ussd", [MTQ_PRIO_REPLY] = "reply",
	[MTQ_PRIO_NOTIFY] = "notify", [MTQ_PRIO_BULK] = "bulk",
};

const char *mtq_prio_str(enum mtq_prio p)
{
	return (unsigned)p < MTQ_NUM_PRIOS ? mtq_prio_names[p] : NULL;
}

static const struct value_string mtq_state_names[] = {
	{ MTQ_QUEUED,		"queued" },
	{ MTQ_SENDING,		"sending" },
	{ MTQ_SUBMITTED,	"submitted" },
	{ MTQ_DELIVERED,	"delivered" },
	{ MTQ_FAILED,		"failed" },
	{ MTQ_EXPIRED,		"expired" },
	{ 0, NULL }
};

const char *mtq_state_str(enum mtq_state s)
{
	return get_value_string(mtq_state_names, s);
}

struct mtq *mtq_init(void *ctx, struct db *db, const struct mtq_params *p)
{
	struct mtq *q = talloc_zero(ctx, struct mtq);

	if (!q)
		return NULL;
	q->db = db;
	q->p = *p;
	if (!q->p.max_parts || q->p.max_parts > CHARSET_MAX_PARTS)
		q->p.max_parts = CHARSET_MAX_PARTS;
	if (!q->p.max_attempts)
		q->p.max_attempts = 1;
	if (db_prepare(db, mtq_sql, MTQ_NUM_STMT, q->st)) {
		talloc_free(q);
		return NULL;
	}
	return q;
}

void mtq_set_enqueue_cb(struct mtq *q, void (*cb)(void *data), void *data)
{
	q->on_enqueue = cb;
	q->on_enqueue_data = data;
}

void mtq_free(struct mtq *q)
{
	if (!q)
		return;
	db_finalize(q->st, MTQ_NUM_STMT);
	talloc_free(q);
}

static bool mtq_dst_valid(const char *dst)
{
	size_t n = dst ? strlen(dst) : 0;

	if (n < MTQ_DST_MIN || n > MTQ_DST_MAX)
		return false;
	return strspn(dst, "0123456789") == n;
}

/* Number of SMS parts for text, or negative errno (see mtq_enqueue). */
static int mtq_text_parts(struct mtq *q, const char *text)
{
	struct charset_split split;
	size_t len = text ? strlen(text) : 0;

	if (!len)
		return -EINVAL;
	/* A part holds at most 160 characters of at most 4 octets: refuse a
	 * huge text before walking it. */
	if (len > (size_t)q->p.max_parts * CHARSET_GSM_SINGLE *
		  MTQ_UTF8_MAX_BYTES)
		return -EMSGSIZE;
	if (!charset_utf8_valid(text, len))
		return -EINVAL;
	return charset_split(text, len, q->p.max_parts, &split);
}

int mtq_enqueue(struct mtq *q, const struct mtq_new *m, int64_t *id)
{
	DB_STMT(st, q->st[MTQ_INSERT]);
	int64_t now = clock_now_ms();
	int64_t start = m->not_before_ms > now ? m->not_before_ms : now;
	unsigned validity = m->validity_s ? m->validity_s : q->p.validity_s;
	const char *src = m->src && *m->src ? m->src : NULL;
	int parts, rc;

	if (!mtq_dst_valid(m->dst) || (src && strlen(src) > MTQ_SRC_MAX) ||
	    (unsigned)m->prio > MTQ_PRIO_BULK)
		return -EINVAL;
	parts = mtq_text_parts(q, m->text);
	if (parts < 0)
		return parts;
	rc = db_begin(q->db);
	if (rc)
		return rc;
	db_bind_text(st, ":dst", m->dst);
	db_bind_text(st, ":src", src);
	db_bind_text(st, ":text", m->text);
	db_bind_int(st, ":prio", m->prio);
	db_bind_int(st, ":parts", parts);
	db_bind_int(st, ":next_try", start);
	/* Validity runs from when the message may first be sent, so a
	 * message held back (quiet hours) does not expire while it waits. */
	if (validity)
		db_bind_int(st, ":expires_at", start + validity * 1000LL);
	db_bind_int(st, ":now", now);
	if (m->campaign_id)
		db_bind_int(st, ":campaign_id", m->campaign_id);
	rc = db_step_done(q->db, st, DQUEUE);
	if (rc)
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(db_handle(q->db));
	if (m->answers_us)
		mtq_answer_put(q, sqlite3_last_insert_rowid(db_handle(q->db)),
			       m->answers_us);
	if (q->on_enqueue)
		q->on_enqueue(q->on_enqueue_data);
	return 0;
}

/* A taken row as a struct mtq_msg under ctx. */
static struct mtq_msg *mtq_msg_from_row(struct mtq *q, void *ctx,
					sqlite3_stmt *st)
{
	struct mtq_msg *msg = talloc_zero(ctx, struct mtq_msg);
	const char *src = (const char *)sqlite3_column_text(st, 3);

	if (!msg)
		return NULL;
	msg->id = sqlite3_column_int64(st, 0);
	osmo_strlcpy(msg->dst, (const char *)sqlite3_column_text(st, 2),
		     sizeof(msg->dst));
	osmo_strlcpy(msg->src, src ? src : "", sizeof(msg->src));
	msg->text = talloc_strndup(msg, (const char *)sqlite3_column_text(st, 4),
				   sqlite3_column_bytes(st, 4));
	msg->prio = sqlite3_column_int(st, 5);
	msg->attempts = sqlite3_column_int(st, 6);
	msg->parts = sqlite3_column_int(st, 7);
	msg->expires_ms = sqlite3_column_int64(st, 8);	/* NULL reads 0 */
	msg->answers_us = mtq_answer_take(q, msg->id);
	if (!msg->text) {
		talloc_free(msg);
		return NULL;
	}
	return msg;
}

/* One take of up to max rows into q->taken[*n...]. Returns the number of
 * rows the statement changed (taken or expired) or a negative errno. */
static int mtq_take(struct mtq *q, enum mtq_stmt which, void *ctx,
		    int64_t now, unsigned max, unsigned *n)
{
	DB_STMT(st, q->st[which]);
	struct mtq_msg *msg;
	int rc, changed = 0;

	db_bind_int(st, ":now", now);
	db_bind_int(st, ":max", max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		changed++;
		if (sqlite3_column_int(st, 1) == MTQ_EXPIRED) {
			LOGP(DQUEUE, LOGL_INFO, "mt %lld: expired\n",
			     (long long)sqlite3_column_int64(st, 0));
			continue;
		}
		msg = mtq_msg_from_row(q, ctx, st);
		if (!msg) {
			/* Stays sending until mtq_recover(): at worst late. */
			LOGP(DQUEUE, LOGL_ERROR, "mt %lld: out of memory\n",
			     (long long)sqlite3_column_int64(st, 0));
			continue;
		}
		q->taken[*n].next_try = sqlite3_column_int64(st, 9);
		q->taken[(*n)++].msg = msg;
	}
	if (rc != SQLITE_DONE)
		return db_step_error(q->db, st, rc, DQUEUE);
	return changed;
}

/* The order of the queue (as mt_ready): best priority, then oldest. */
static int mtq_taken_cmp(const void *a, const void *b)
{
	const struct mtq_taken *x = a, *y = b;

	if (x->msg->prio != y->msg->prio)
		return x->msg->prio < y->msg->prio ? -1 : 1;
	if (x->next_try != y->next_try)
		return x->next_try < y->next_try ? -1 : 1;
	return x->msg->id < y->msg->id ? -1 : x->msg->id > y->msg->id;
}

static int mtq_taken_reserve(struct mtq *q, unsigned max)
{
	struct mtq_taken *v;

	if (max <= q->taken_cap)
		return 0;
	v = talloc_realloc(q, q->taken, struct mtq_taken, max);
	if (!v)
		return -ENOMEM;
	q->taken = v;
	q->taken_cap = max;
	return 0;
}

/* Takes with statement which until max rows are taken or the queue has
 * no more (expired rows use up a take without being handed out: take
 * again, a bounded number of times). 0 or a negative errno. */
static int mtq_take_rounds(struct mtq *q, enum mtq_stmt which, void *ctx,
			   int64_t now_ms, unsigned max, unsigned *n)
{
	unsigned round, start = *n;
	int rc = 0;

	for (round = 0; round < MTQ_FETCH_ROUNDS && *n - start < max;
	     round++) {
		unsigned want = max - (*n - start);

		rc = mtq_take(q, which, ctx, now_ms, want, n);
		if (rc < 0 || (unsigned)rc < want)
			break;
	}
	return rc < 0 ? rc : 0;
}

int mtq_fetch(struct mtq *q, void *ctx, int64_t now_ms, unsigned max,
	      struct llist_head *out)
{
	const struct mtq_caps all = { max, max };

	return mtq_fetch_capped(q, ctx, now_ms, max, &all, out);
}

/* With caps, the interactive rows are taken first by a take that sees
 * nothing else, then the notifications up to their cap, then bulk up to
 * its cap: each class by a take that sees that class only. */
static int mtq_take_classes(struct mtq *q, void *ctx, int64_t now_ms,
			    unsigned max, const struct mtq_caps *caps,
			    unsigned *n)
{
	static const enum mtq_stmt paced[] = { MTQ_TAKE_NOTIFY, MTQ_TAKE_BULK };
	const unsigned cap[] = { caps->notify, caps->bulk };
	unsigned i, want;
	int rc;

	rc = mtq_take_rounds(q, MTQ_TAKE_INTERACTIVE, ctx, now_ms, max, n);
	for (i = 0; !rc && i < ARRAY_SIZE(paced) && *n < max; i++) {
		want = max - *n < cap[i] ? max - *n : cap[i];
		if (want)
			rc = mtq_take_rounds(q, paced[i], ctx, now_ms, want, n);
	}
	return rc;
}

int mtq_fetch_capped(struct mtq *q, void *ctx, int64_t now_ms, unsigned max,
		     const struct mtq_caps *caps, struct llist_head *out)
{
	unsigned n = 0, i;
	int rc;

	if (!max)
		return 0;
	rc = mtq_taken_reserve(q, max);
	if (!rc)
		rc = db_begin(q->db);
	if (rc)
		return rc;
	if (caps->notify >= max && caps->bulk >= max)
		rc = mtq_take_rounds(q, MTQ_TAKE, ctx, now_ms, max, &n);
	else
		rc = mtq_take_classes(q, ctx, now_ms, max, caps, &n);
	/* RETURNING hands rows out in no particular order. */
	qsort(q->taken, n, sizeof(q->taken[0]), mtq_taken_cmp);
	for (i = 0; i < n; i++)
		llist_add_tail(&q->taken[i].msg->list, out);
	/* Rows taken before an error are sending: hand them out. */
	return n || rc >= 0 ? (int)n : rc;
}

/* Run MTQ_PART_INSERT, _UPDATE or _DROP: 1 when it wrote a row, else 0.
 * The insert's only foreign key is the message: one that is gone (a
 * campaign cancelled after a retry requeued it) is not being sent, so
 * that constraint is -ENOENT, without an error in the log. */
static int mtq_part_write(struct mtq *q, enum mtq_stmt which, int64_t id,
			  const char *link, unsigned part, const char *smsc_id)
{
	DB_STMT(st, q->st[which]);
	int rc;

	db_bind_int(st, ":id", id);
	db_bind_int(st, ":part", part);
	if (which != MTQ_PART_DROP) {
		db_bind_text(st, ":link", link);
		db_bind_text(st, ":smsc_id", smsc_id);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return sqlite3_changes(db_handle(q->db)) ? 1 : 0;
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY && which == MTQ_PART_INSERT)
		return -ENOENT;
	return db_step_error(q->db, st, rc, DQUEUE);
}

/* Count a new part: 0, or -ENOENT when the message is not being sent
 * (or has no such part) and the part row is taken back. */
static int mtq_part_count(struct mtq *q, int64_t id, const char *link,
			  unsigned part, int64_t now_ms)
{
	DB_STMT(st, q->st[MTQ_PART_ACKED]);
	int rc;

	db_bind_int(st, ":id", id);
	db_bind_int(st, ":part", part);
	db_bind_text(st, ":link", link);
	db_bind_int(st, ":now", now_ms);
	rc = db_step_changes(q->db, st, DQUEUE);
	if (rc)
		return rc < 0 ? rc : 0;
	rc = mtq_part_write(q, MTQ_PART_DROP, id, NULL, part, NULL);
	return rc < 0 ? rc : -ENOENT;
}

/* A repeated response for a part: its SMSC id is updated (receipts and
 * counts are kept). 0, or -ENOENT when the message is not being sent. */
static int mtq_part_again(struct mtq *q, int64_t id, const char *link,
			  unsigned part, const char *smsc_id)
{
	int rc = mtq_part_write(q, MTQ_PART_UPDATE, id, link, part, smsc_id);

	if (rc <= 0)
		return rc < 0 ? rc : -ENOENT;
	LOGP(DQUEUE, LOGL_INFO, "mt %lld: part %u acked again as %s\n",
	     (long long)id, part, smsc_id);
	return 0;
}

/* Keep the part's SMSC id: 0 for a new part (counted) or a repeated
 * response, -ENOENT when the message is not being sent (a late response
 * after a retry or failure) or the part is out of range. */
static int mtq_part_new(struct mtq *q, int64_t id, const char *link,
			unsigned part, const char *smsc_id, int64_t now_ms)
{
	int rc = mtq_part_write(q, MTQ_PART_INSERT, id, link, part, smsc_id);

	if (rc == 1)
		rc = mtq_part_count(q, id, link, part, now_ms);
	else if (rc == 0)
		rc = mtq_part_again(q, id, link, part, smsc_id);
	if (rc == -ENOENT)
		LOGP(DQUEUE, LOGL_NOTICE, "mt %lld: part %u acked (%s) but the "
		     "message is not sending: ignored\n", (long long)id, part,
		     smsc_id);
	return rc;
}

/* parts_acked counts new part rows only, so a repeated submit_sm_resp
 * cannot make a message submitted early. */
int mtq_part_submitted(struct mtq *q, int64_t id, const char *link,
		       unsigned part, const char *smsc_id, int64_t now_ms)
{
	int rc;

	if (!link || !*link || !smsc_id || !*smsc_id)
		return -EINVAL;
	rc = db_begin(q->db);
	return rc ? rc : mtq_part_new(q, id, link, part, smsc_id, now_ms);
}

/* Delay before the next try after `attempts` counted failures:
 * retry_min * 2^(attempts - 1), capped at retry_max, plus up to 10% so that
 * a burst of throttled messages does not come back in one burst. */
static int64_t mtq_backoff_ms(const struct mtq *q, unsigned attempts)
{
	int64_t d = (int64_t)q->p.retry_min_s * 1000;
	int64_t cap = (int64_t)q->p.retry_max_s * 1000;
	unsigned i;

	if (!attempts)
		return 0;
	for (i = 1; i < attempts && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	return d + d * (random() % (MTQ_JITTER_PERMILLE + 1)) / 1000;
}

/* Read attempts and expiry of a message in sending. */
static int mtq_retry_get(struct mtq *q, int64_t id, unsigned *attempts,
			 int64_t *expires)
{
	DB_STMT(st, q->st[MTQ_RETRY_GET]);
	int rc;

	db_bind_int(st, ":id", id);
	rc = db_step_row(q->db, st, DQUEUE);
	if (rc)
		return rc;
	*attempts = sqlite3_column_int(st, 0);
	*expires = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 :
		   sqlite3_column_int64(st, 1);
	return 0;
}

static int mtq_retry_set(struct mtq *q, int64_t id, unsigned attempts,
			 uint32_t status, enum mtq_state state, int64_t next,
			 int64_t now_ms)
{
	DB_STMT(st, q->st[MTQ_RETRY_SET]);

	db_bind_int(st, ":id", id);
	db_bind_int(st, ":attempts", attempts);
	db_bind_int(st, ":status", status);
	db_bind_int(st, ":state", state);
	db_bind_int(st, ":next_try", next);
	if (state != MTQ_QUEUED)
		db_bind_int(st, ":done_at", now_ms);
	return db_step_done(q->db, st, DQUEUE);
}

/* -ENOENT when the message is not sending (e.g. a second part of it failed
 * already and put it back). */
int mtq_retry(struct mtq *q, int64_t id, uint32_t status, bool count_attempt,
	      int64_t now_ms)
{
	enum mtq_state state = MTQ_QUEUED;
	unsigned attempts = 0;
	int64_t expires = 0, next;
	int rc = db_begin(q->db);

	if (!rc)
		rc = mtq_retry_get(q, id, &attempts, &expires);
	if (rc)
		return rc;
	attempts += count_attempt;
	next = now_ms + mtq_backoff_ms(q, count_attempt ? attempts : 0);
	if (count_attempt && attempts >= q->p.max_attempts)
		state = MTQ_FAILED;
	else if (expires && expires <= next)
		state = MTQ_EXPIRED;	/* it could not be sent in time */
	rc = mtq_retry_set(q, id, attempts, status, state, next, now_ms);
	if (rc)
		return rc;
	LOGP(DQUEUE, LOGL_INFO, "mt %lld: status 0x%02x, attempt %u: %s%s\n",
	     (long long)id, status, attempts, mtq_state_str(state),
	     state == MTQ_QUEUED ? ", retry later" : "");
	if (state != MTQ_QUEUED)
		return 0;
	/* It is sent again from part 1: forget the acks of this attempt. */
	DB_STMT(st, q->st[MTQ_PARTS_DELETE]);
	db_bind_int(st, ":id", id);
	return db_step_done(q->db, st, DQUEUE);
}

int mtq_set_parts(struct mtq *q, int64_t id, unsigned parts)
{
	DB_STMT(st, q->st[MTQ_SET_PARTS]);
	int rc = db_begin(q->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	db_bind_int(st, ":parts", parts);
	rc = db_step_changes(q->db, st, DQUEUE);
	return rc < 0 ? rc : rc ? 0 : -ENOENT;
}

int mtq_fail(struct mtq *q, int64_t id, uint32_t status, int64_t now_ms)
{
	DB_STMT(st, q->st[MTQ_FAIL]);
	int rc = db_begin(q->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	db_bind_int(st, ":status", status);
	db_bind_int(st, ":now", now_ms);
	rc = db_step_changes(q->db, st, DQUEUE);
	if (rc <= 0)
		return rc < 0 ? rc : -ENOENT;
	LOGP(DQUEUE, LOGL_INFO, "mt %lld: failed, status 0x%02x\n",
	     (long long)id, status);
	return 0;
}

/* The part a receipt is for, and its message. */
struct mtq_dlr_part {
	int64_t mt_id;
	unsigned part;
	bool was_final;			/* had a final receipt already */
	enum mtq_state mt_state;
	unsigned parts, parts_final;
};

static int mtq_dlr_find(struct mtq *q, const char *link, const char *smsc_id,
			struct mtq_dlr_part *p)
{
	DB_STMT(st, q->st[MTQ_DLR_FIND]);
	int rc;

	db_bind_text(st, ":link", link);
	db_bind_text(st, ":smsc_id", smsc_id);
	rc = db_step_row(q->db, st, DQUEUE);
	if (rc)
		return rc;
	p->mt_id = sqlite3_column_int64(st, 0);
	p->part = sqlite3_column_int(st, 1);
	p->was_final = sqlite3_column_type(st, 2) != SQLITE_NULL &&
		       mtq_rcpt_final(sqlite3_column_int(st, 2));
	p->mt_state = sqlite3_column_int(st, 3);
	p->parts = sqlite3_column_int(st, 4);
	p->parts_final = sqlite3_column_int(st, 5);
	return 0;
}

static int mtq_dlr_part_update(struct mtq *q, const struct mtq_dlr_part *p,
			       enum mtq_rcpt dst, int err, int64_t now_ms)
{
	DB_STMT(st, q->st[MTQ_DLR_PART]);

	db_bind_int(st, ":id", p->mt_id);
	db_bind_int(st, ":part", p->part);
	db_bind_int(st, ":st", dst);
	if (err >= 0)
		db_bind_int(st, ":err", err);
	db_bind_int(st, ":now", now_ms);
	return db_step_done(q->db, st, DQUEUE);
}

/* What a final receipt means for the message; worse outcomes sort higher
 * so that a multi-part message takes its worst part's. */
static enum mtq_state mtq_state_of_dlr(enum mtq_rcpt dst)
{
	switch (dst) {
	case MTQ_RCPT_DELIVERED:
		return MTQ_DELIVERED;
	case MTQ_RCPT_EXPIRED:
		return MTQ_EXPIRED;
	default:		/* deleted, undeliverable, rejected */
		return MTQ_FAILED;
	}
}

static enum mtq_state mtq_state_worse(enum mtq_state a, enum mtq_state b)
{
	static const unsigned rank[MTQ_NUM_STATES] = {
		[MTQ_DELIVERED] = 0, [MTQ_EXPIRED] = 1, [MTQ_FAILED] = 2,
	};

	return rank[b] > rank[a] ? b : a;
}

/* Outcome of a multi-part message whose parts all have final receipts:
 * delivered when all are, else failed if any part failed, else expired. */
static int mtq_dlr_combine(struct mtq *q, int64_t mt_id, enum mtq_state *out)
{
	DB_STMT(st, q->st[MTQ_DLR_PART_STATES]);
	enum mtq_state s = MTQ_DELIVERED;
	int rc;

	db_bind_int(st, ":id", mt_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		s = mtq_state_worse(s, mtq_state_of_dlr(sqlite3_column_int(st,
									   0)));
	if (rc != SQLITE_DONE)
		return db_step_error(q->db, st, rc, DQUEUE);
	*out = s;
	return 0;
}

/* Count a new final receipt; the last one decides the message. A message
 * already failed (a later part was refused) keeps its state. */
static int mtq_dlr_count(struct mtq *q, const struct mtq_dlr_part *p,
			 enum mtq_rcpt dst, int64_t now_ms)
{
	DB_STMT(st, q->st[MTQ_DLR_MT]);
	enum mtq_state fin = mtq_state_of_dlr(dst);
	bool last = p->parts_final + 1 >= p->parts &&
		    (p->mt_state == MTQ_SENDING ||
		     p->mt_state == MTQ_SUBMITTED);
	int rc;

	if (last && p->parts > 1) {
		rc = mtq_dlr_combine(q, p->mt_id, &fin);
		if (rc)
			return rc;
	}
	db_bind_int(st, ":id", p->mt_id);
	if (last) {
		db_bind_int(st, ":state", fin);
		db_bind_int(st, ":done_at", now_ms);
		LOGP(DQUEUE, LOGL_INFO, "mt %lld: %s\n", (long long)p->mt_id,
		     mtq_state_str(fin));
	}
	return db_step_done(q->db, st, DQUEUE);
}

/* A repeated receipt for a part that already has a final one changes
 * nothing (the first final state stands) and returns 0. */
int mtq_dlr(struct mtq *q, const char *link, const char *smsc_id,
	    enum mtq_rcpt st, int err, int64_t now_ms, int64_t *mt_id)
{
	struct mtq_dlr_part p = { 0 };
	int rc;

	if (!link || !smsc_id)
		return -EINVAL;
	rc = db_begin(q->db);
	if (!rc)
		rc = mtq_dlr_find(q, link, smsc_id, &p);
	if (rc)
		return rc;
	if (mt_id)
		*mt_id = p.mt_id;
	if (p.was_final) {
		LOGP(DQUEUE, LOGL_DEBUG, "mt %lld part %u: repeated receipt\n",
		     (long long)p.mt_id, p.part);
		return 0;
	}
	rc = mtq_dlr_part_update(q, &p, st, err, now_ms);
	if (rc || !mtq_rcpt_final(st))
		return rc;
	return mtq_dlr_count(q, &p, st, now_ms);
}

/* held as a JSON array, talloc'ed under ctx. */
static char *mtq_held_json(void *ctx, const int64_t *held, size_t n)
{
	char *j = talloc_strdup(ctx, "[");
	size_t i;

	for (i = 0; j && i < n; i++)
		j = talloc_asprintf_append(j, "%s%lld", i ? "," : "",
					   (long long)held[i]);
	return j ? talloc_strdup_append(j, "]") : NULL;
}

int mtq_recover_unheld(struct mtq *q, const int64_t *held, size_t n)
{
	char *json = mtq_held_json(q, held, n);
	int rc = json ? db_begin(q->db) : -ENOMEM;

	if (!rc) {
		DB_STMT(st, q->st[MTQ_RECOVER_PARTS]);
		db_bind_text(st, ":held", json);
		rc = db_step_done(q->db, st, DQUEUE);
	}
	if (!rc) {
		DB_STMT(st, q->st[MTQ_RECOVER]);
		db_bind_text(st, ":held", json);
		rc = db_step_done(q->db, st, DQUEUE);
	}
	talloc_free(json);
	if (rc)
		return rc;
	rc = sqlite3_changes(db_handle(q->db));
	if (rc)
		LOGP(DQUEUE, LOGL_NOTICE, "%d messages left sending are queued "
		     "again\n", rc);
	return rc;
}

int mtq_recover(struct mtq *q)
{
	return mtq_recover_unheld(q, NULL, 0);
}

int mtq_counts(struct mtq *q, unsigned long counts[MTQ_NUM_STATES])
{
	DB_STMT(st, q->st[MTQ_COUNTS]);
	int rc, s;

	memset(counts, 0, MTQ_NUM_STATES * sizeof(counts[0]));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = sqlite3_column_int(st, 0);
		if (s >= 0 && s < MTQ_NUM_STATES)
			counts[s] = sqlite3_column_int64(st, 1);
	}
	return rc == SQLITE_DONE ? 0 : db_step_error(q->db, st, rc, DQUEUE);
}

int mtq_counts_db(struct db *db, unsigned long counts[MTQ_NUM_STATES])
{
	sqlite3_stmt *st;
	int rc, s;

	memset(counts, 0, MTQ_NUM_STATES * sizeof(counts[0]));
	if (db_prepare(db, &mtq_sql[MTQ_COUNTS], 1, &st))
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = sqlite3_column_int(st, 0);
		if (s >= 0 && s < MTQ_NUM_STATES)
			counts[s] = sqlite3_column_int64(st, 1);
	}
	rc = rc == SQLITE_DONE ? 0 : db_step_error(db, st, rc, DQUEUE);
	db_finalize(&st, 1);
	return rc;
}

int mtq_recent_notices(struct mtq *q, const char *dst, unsigned max,
		       void *ctx, struct mtq_recent *out, unsigned *n)
{
	DB_STMT(st, q->st[MTQ_RECENT]);
	int rc = SQLITE_DONE;

	*n = 0;
	db_bind_text(st, ":dst", dst);
	db_bind_int(st, ":max", max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 1);

		out[*n].at_ms = sqlite3_column_int64(st, 0);
		out[*n].text = talloc_strdup(ctx, t ? (const char *)t : "");
		if (!out[*n].text)
			return -ENOMEM;
		(*n)++;
	}
	if (*n == max)
		return 0;
	return rc == SQLITE_DONE ? 0 : db_step_error(q->db, st, rc, DQUEUE);
}

bool mtq_has_ready(struct mtq *q, int64_t now_ms)
{
	DB_STMT(st, q->st[MTQ_HAS_READY]);
	int rc;

	db_bind_int(st, ":now", now_ms);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db_step_error(q->db, st, rc, DQUEUE);
		return false;
	}
	return sqlite3_column_int(st, 0);
}

bool mtq_rcpt_final(enum mtq_rcpt s)
{
	switch (s) {
	case MTQ_RCPT_DELIVERED:
	case MTQ_RCPT_EXPIRED:
	case MTQ_RCPT_DELETED:
	case MTQ_RCPT_UNDELIVERABLE:
	case MTQ_RCPT_REJECTED:
		return true;
	default:
		return false;
	}
}
