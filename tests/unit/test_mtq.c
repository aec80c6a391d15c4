/*
 * test_mtq.c - unit tests of gateway/queue/mtq.c, the durable MT queue.
 *
 * Every test gets a fresh database file under /tmp (removed afterwards).
 * Times are passed explicitly (mtq_enqueue reads clock_now_ms(), so tests
 * take "now" after enqueueing and move forward from there). Rows are checked
 * through their columns. Covered: enqueue validation (number, text, UTF-8,
 * priority, source, too many parts), fetch order (priority, then age), limit
 * and list order, not_before/next_try, expiry (also when expired rows fill a
 * take), submit of 1 and 3 parts (repeated and late acks, an ack after a
 * retry put the message back), retry back-off with its cap, uncounted
 * retries and max_attempts, fail keeping the status,
 * receipts (delivered, undeliverable, expired, non-final, repeated, unknown,
 * multi-part all delivered / one failed, receipt before a later part's
 * submit_sm_resp), recovery of sending rows, counts and has_ready.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>

#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/mtq_read.h"
#include "testutil.h"

#define DST		"8613800138000"
#define ZH		"\xe4\xb8\xad"		/* 中 */
#define RETRY_MIN_S	10
#define RETRY_MAX_S	15
#define MAX_ATTEMPTS	3
#define MAX_PARTS	4
#define LINK		"cmcc"

struct fx {
	char path[64];
	struct db *db;
	struct mtq *q;
};

static void *test_ctx;

static const struct mtq_params params = {
	.max_attempts = MAX_ATTEMPTS,
	.retry_min_s = RETRY_MIN_S,
	.retry_max_s = RETRY_MAX_S,
	.validity_s = 0,
	.max_parts = MAX_PARTS,
};

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);

	f->db = testutil_db_create(f, "test_mtq", f->path, sizeof(f->path));
	f->q = mtq_init(f, f->db, &params);
	assert_non_null(f->q);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mtq_free(f->q);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

/* The columns of one mt row the tests look at. */
struct row {
	int state, attempts, parts, acked, final;
	int64_t status;		/* -1: NULL */
	int64_t next_try, submitted_at, done_at, expires_at;	/* 0: NULL */
	char link[16];
};

static struct row get_row(struct fx *f, int64_t id)
{
	static const char sql[] =
		"SELECT state, attempts, parts, parts_acked, parts_final,"
		" smpp_status, next_try, submitted_at, done_at, expires_at, link"
		" FROM mt WHERE id = ?";
	struct row r = { .status = -1 };
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), sql, -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	r.state = sqlite3_column_int(st, 0);
	r.attempts = sqlite3_column_int(st, 1);
	r.parts = sqlite3_column_int(st, 2);
	r.acked = sqlite3_column_int(st, 3);
	r.final = sqlite3_column_int(st, 4);
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		r.status = sqlite3_column_int64(st, 5);
	r.next_try = sqlite3_column_int64(st, 6);
	r.submitted_at = sqlite3_column_int64(st, 7);
	r.done_at = sqlite3_column_int64(st, 8);
	r.expires_at = sqlite3_column_int64(st, 9);
	if (sqlite3_column_text(st, 10))
		snprintf(r.link, sizeof(r.link), "%s",
			 sqlite3_column_text(st, 10));
	sqlite3_finalize(st);
	return r;
}

static int64_t count_parts(struct fx *f, int64_t id)
{
	sqlite3_stmt *st;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db),
		"SELECT count(*) FROM mt_part WHERE mt_id = ?", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int64_t enqueue_full(struct fx *f, const char *text, enum mtq_prio prio,
			    unsigned validity, int64_t not_before)
{
	struct mtq_new m = {
		.dst = DST, .text = text, .prio = prio,
		.validity_s = validity, .not_before_ms = not_before,
	};
	int64_t id = 0;

	assert_int_equal(mtq_enqueue(f->q, &m, &id), 0);
	assert_true(id > 0);
	return id;
}

static int64_t enqueue(struct fx *f, const char *text, enum mtq_prio prio)
{
	return enqueue_full(f, text, prio, 0, 0);
}

/* Fetch up to max at now; the ids in list order into ids[]. */
static int fetch_ids(struct fx *f, int64_t now, unsigned max, int64_t *ids)
{
	void *ctx = talloc_new(test_ctx);
	LLIST_HEAD(list);
	struct mtq_msg *msg;
	int n, i = 0;

	n = mtq_fetch(f->q, ctx, now, max, &list);
	llist_for_each_entry(msg, &list, list)
		ids[i++] = msg->id;
	assert_int_equal(i, n < 0 ? 0 : n);
	talloc_free(ctx);
	return n;
}

/* A text of n copies of s. */
static char *text_rep(const char *s, unsigned n)
{
	char *t = talloc_strdup(test_ctx, "");

	while (n--)
		t = talloc_strdup_append(t, s);
	return t;
}

static void test_enqueue_bad_number(void **state)
{
	struct fx *f = *state;
	struct mtq_new m = { .dst = DST, .text = "hello", .prio = MTQ_PRIO_BULK };

	m.dst = "1234";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.dst = "123456789012345678901";	/* 21 digits */
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.dst = "+8613800138000";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.dst = "86138a0138000";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.dst = NULL;
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.dst = "12345";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), 0);
	m.dst = DST;
	m.src = "123456789012345678901";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.src = "12333";
	m.prio = 7;
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
}

static void test_enqueue_bad_text(void **state)
{
	struct fx *f = *state;
	struct mtq_new m = { .dst = DST, .prio = MTQ_PRIO_BULK };

	m.text = "";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.text = NULL;
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.text = "bad \xff utf-8";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.text = "overlong \xc0\xaf";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.text = "cut " "\xe4\xb8";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.text = "surrogate \xed\xa0\x80";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EINVAL);
	m.text = "\xf0\x9f\x98\x80 ok";
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), 0);
}

static void test_enqueue_too_long(void **state)
{
	struct fx *f = *state;
	struct mtq_new m = { .dst = DST, .prio = MTQ_PRIO_BULK };
	char *t;
	int64_t id;

	/* 4 parts are allowed, a fifth is not: GSM 153 per part */
	t = text_rep("a", 4 * 153);
	m.text = t;
	assert_int_equal(mtq_enqueue(f->q, &m, &id), 0);
	assert_int_equal(get_row(f, id).parts, 4);
	t = talloc_strdup_append(t, "a");
	m.text = t;
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EMSGSIZE);
	/* UCS-2: 67 per part */
	m.text = text_rep(ZH, 4 * 67 + 1);
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EMSGSIZE);
	m.text = text_rep(ZH, 71);
	assert_int_equal(mtq_enqueue(f->q, &m, &id), 0);
	assert_int_equal(get_row(f, id).parts, 2);
	/* far too long: refused without walking it */
	m.text = text_rep("abcdefgh", 10000);
	assert_int_equal(mtq_enqueue(f->q, &m, NULL), -EMSGSIZE);
}

static void test_fetch_order(void **state)
{
	struct fx *f = *state;
	int64_t bulk1, reply1, ussd, bulk2, reply2, ids[10];
	void *ctx = talloc_new(test_ctx);
	LLIST_HEAD(list);
	struct mtq_msg *msg;
	struct mtq_new m = { .dst = DST, .src = "12333", .text = "培训通知",
			     .prio = MTQ_PRIO_REPLY };
	int64_t now;

	bulk1 = enqueue(f, "b1", MTQ_PRIO_BULK);
	reply1 = enqueue(f, "r1", MTQ_PRIO_REPLY);
	ussd = enqueue(f, "u", MTQ_PRIO_USSD);
	bulk2 = enqueue(f, "b2", MTQ_PRIO_BULK);
	assert_int_equal(mtq_enqueue(f->q, &m, &reply2), 0);
	now = clock_now_ms();

	assert_true(mtq_has_ready(f->q, now));
	assert_int_equal(fetch_ids(f, now, 2, ids), 2);
	assert_int_equal(ids[0], ussd);
	assert_int_equal(ids[1], reply1);

	assert_int_equal(mtq_fetch(f->q, ctx, now, 10, &list), 3);
	msg = llist_first_entry(&list, struct mtq_msg, list);
	assert_int_equal(msg->id, reply2);
	assert_string_equal(msg->dst, DST);
	assert_string_equal(msg->src, "12333");
	assert_string_equal(msg->text, "培训通知");
	assert_int_equal(msg->prio, MTQ_PRIO_REPLY);
	assert_int_equal(msg->parts, 1);
	assert_int_equal(msg->attempts, 0);
	assert_int_equal(msg->expires_ms, 0);
	msg = llist_entry(msg->list.next, struct mtq_msg, list);
	assert_int_equal(msg->id, bulk1);
	assert_string_equal(msg->src, "");
	msg = llist_entry(msg->list.next, struct mtq_msg, list);
	assert_int_equal(msg->id, bulk2);
	assert_int_equal(get_row(f, bulk2).state, MTQ_SENDING);

	assert_false(mtq_has_ready(f->q, now));
	assert_int_equal(fetch_ids(f, now, 10, ids), 0);
	assert_int_equal(db_commit(f->db), 0);
	talloc_free(ctx);
}

/* Age inside a priority is next_try: a later not_before goes later. */
static void test_next_try(void **state)
{
	struct fx *f = *state;
	int64_t now = clock_now_ms(), later, soon, ids[4];

	later = enqueue_full(f, "later", MTQ_PRIO_REPLY, 0, now + 60000);
	soon = enqueue_full(f, "soon", MTQ_PRIO_REPLY, 0, now + 30000);
	assert_int_equal(get_row(f, later).next_try, now + 60000);
	assert_false(mtq_has_ready(f->q, now + 29999));
	assert_int_equal(fetch_ids(f, now + 29999, 4, ids), 0);
	assert_true(mtq_has_ready(f->q, now + 30000));
	assert_int_equal(fetch_ids(f, now + 60000, 4, ids), 2);
	assert_int_equal(ids[0], soon);
	assert_int_equal(ids[1], later);
}

static void test_expiry(void **state)
{
	struct fx *f = *state;
	int64_t now = clock_now_ms(), held, plain, gone, ids[4];
	struct row r;

	gone = enqueue_full(f, "short", MTQ_PRIO_BULK, 1, 0);
	plain = enqueue(f, "forever", MTQ_PRIO_BULK);
	/* validity runs from not_before: held back 1 h, valid 60 s after */
	held = enqueue_full(f, "held", MTQ_PRIO_BULK, 60, now + 3600000);
	r = get_row(f, held);
	assert_true(r.expires_at == r.next_try + 60000);

	assert_int_equal(fetch_ids(f, now + 2000, 4, ids), 1);
	assert_int_equal(ids[0], plain);
	r = get_row(f, gone);
	assert_int_equal(r.state, MTQ_EXPIRED);
	assert_int_equal(r.done_at, now + 2000);
	assert_int_equal(fetch_ids(f, r.next_try + 3600000, 4, ids), 1);
	assert_int_equal(ids[0], held);
}

/* Rows that expire use up a take: fetch takes again for the others. */
static void test_expiry_fills_take(void **state)
{
	struct fx *f = *state;
	int64_t now, ids[8], good[2];
	unsigned i;

	for (i = 0; i < 5; i++)
		enqueue_full(f, "x", MTQ_PRIO_USSD, 1, 0);
	good[0] = enqueue(f, "g1", MTQ_PRIO_BULK);
	good[1] = enqueue(f, "g2", MTQ_PRIO_BULK);
	now = clock_now_ms() + 5000;
	assert_int_equal(fetch_ids(f, now, 3, ids), 2);
	assert_int_equal(ids[0], good[0]);
	assert_int_equal(ids[1], good[1]);
}

static void test_part_submitted_single(void **state)
{
	struct fx *f = *state;
	int64_t id = enqueue(f, "one", MTQ_PRIO_REPLY), now, ids[1];
	struct row r;

	now = clock_now_ms();
	/* not sending yet: a stray response is refused */
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "77", now),
			 -ENOENT);
	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 2, "77", now),
			 -ENOENT);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "", now),
			 -EINVAL);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "77", now + 5),
			 0);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_SUBMITTED);
	assert_int_equal(r.acked, 1);
	assert_string_equal(r.link, LINK);
	assert_int_equal(r.submitted_at, now + 5);
	assert_int_equal(db_commit(f->db), 0);
}

static void test_part_submitted_three(void **state)
{
	struct fx *f = *state;
	int64_t id = enqueue(f, text_rep("b", 2 * 153 + 10), MTQ_PRIO_BULK);
	int64_t now = clock_now_ms(), ids[1];
	struct row r;

	assert_int_equal(get_row(f, id).parts, 3);
	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 2, "a2", now), 0);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "a1", now), 0);
	/* a repeated response does not count twice */
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "a1", now), 0);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_SENDING);
	assert_int_equal(r.acked, 2);
	assert_int_equal(r.submitted_at, 0);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 4, "a4", now),
			 -ENOENT);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 3, "a3", now + 1),
			 0);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_SUBMITTED);
	assert_int_equal(r.acked, 3);
	assert_int_equal(r.submitted_at, now + 1);
	assert_int_equal(count_parts(f, id), 3);
}

/* A response that comes after its message went back to the queue (a
 * retry) or for a message that is gone is ignored and leaves no part row;
 * the next attempt's response counts once, a repeat keeps the count. */
static void test_part_late_after_requeue(void **state)
{
	struct fx *f = *state;
	int64_t id = enqueue(f, "late", MTQ_PRIO_REPLY), now, ids[1];
	struct row r;

	now = clock_now_ms();
	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_retry(f->q, id, 0, false, now), 0);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "old", now),
			 -ENOENT);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_QUEUED);
	assert_int_equal(r.acked, 0);
	assert_int_equal(count_parts(f, id), 0);
	assert_int_equal(mtq_part_submitted(f->q, 999999, LINK, 1, "x", now),
			 -ENOENT);

	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "new", now), 0);
	/* a repeat once the message is submitted is ignored too */
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "new", now),
			 -ENOENT);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_SUBMITTED);
	assert_int_equal(r.acked, 1);
	assert_int_equal(count_parts(f, id), 1);
	assert_int_equal(db_commit(f->db), 0);
}

static void test_retry_backoff(void **state)
{
	struct fx *f = *state;
	int64_t id = enqueue(f, text_rep("c", 200), MTQ_PRIO_BULK);
	int64_t now = clock_now_ms(), t, ids[1];
	void *ctx = talloc_new(test_ctx);
	LLIST_HEAD(list);
	struct row r;

	assert_int_equal(mtq_retry(f->q, id, 0x58, true, now), -ENOENT);
	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "p1", now), 0);

	/* first failure: RETRY_MIN_S (+ up to 10%), acks forgotten */
	assert_int_equal(mtq_retry(f->q, id, 0x58, true, now), 0);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_QUEUED);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.status, 0x58);
	assert_int_equal(r.acked, 0);
	assert_int_equal(count_parts(f, id), 0);
	assert_in_range(r.next_try, now + RETRY_MIN_S * 1000,
			now + RETRY_MIN_S * 1100);
	assert_int_equal(fetch_ids(f, now + RETRY_MIN_S * 1000 - 1, 1, ids), 0);
	t = r.next_try;
	assert_int_equal(mtq_fetch(f->q, ctx, t, 1, &list), 1);
	assert_int_equal(llist_first_entry(&list, struct mtq_msg,
					   list)->attempts, 1);

	/* not counted (never sent): back at once, attempts unchanged */
	assert_int_equal(mtq_retry(f->q, id, 0, false, t), 0);
	r = get_row(f, id);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.next_try, t);
	assert_int_equal(fetch_ids(f, t, 1, ids), 1);

	/* second: 2 * RETRY_MIN_S capped at RETRY_MAX_S */
	assert_int_equal(mtq_retry(f->q, id, 0x14, true, t), 0);
	r = get_row(f, id);
	assert_int_equal(r.attempts, 2);
	assert_in_range(r.next_try, t + RETRY_MAX_S * 1000,
			t + RETRY_MAX_S * 1100);
	t = r.next_try;
	assert_int_equal(fetch_ids(f, t, 1, ids), 1);

	/* third reaches MAX_ATTEMPTS: failed with the status kept */
	assert_int_equal(mtq_retry(f->q, id, 0x08, true, t), 0);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_FAILED);
	assert_int_equal(r.attempts, MAX_ATTEMPTS);
	assert_int_equal(r.status, 0x08);
	assert_int_equal(r.done_at, t);
	assert_int_equal(fetch_ids(f, t + 3600000, 1, ids), 0);
	talloc_free(ctx);
}

/* A retry whose next try falls after the validity expires the message. */
static void test_retry_past_validity(void **state)
{
	struct fx *f = *state;
	int64_t id = enqueue_full(f, "x", MTQ_PRIO_BULK, 5, 0);
	int64_t now = clock_now_ms(), ids[1];

	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_retry(f->q, id, 0x58, true, now), 0);
	assert_int_equal(get_row(f, id).state, MTQ_EXPIRED);
}

static void test_fail_keeps_status(void **state)
{
	struct fx *f = *state;
	int64_t id = enqueue(f, "x", MTQ_PRIO_BULK);
	int64_t now = clock_now_ms(), ids[1];
	struct row r;

	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_fail(f->q, id, 0x0B, now + 7), 0);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_FAILED);
	assert_int_equal(r.status, 0x0B);
	assert_int_equal(r.done_at, now + 7);
	/* final: neither a second failure nor a retry changes it */
	assert_int_equal(mtq_fail(f->q, id, 0x45, now + 8), -ENOENT);
	assert_int_equal(mtq_retry(f->q, id, 0x58, true, now + 8), -ENOENT);
	assert_int_equal(get_row(f, id).status, 0x0B);
	assert_int_equal(mtq_fail(f->q, 999999, 0x0B, now), -ENOENT);
}

/* Enqueue, fetch and ack every part of a message with ids <prefix>1.. */
static int64_t submitted(struct fx *f, const char *text, const char *prefix)
{
	int64_t id = enqueue(f, text, MTQ_PRIO_REPLY), ids[1];
	int64_t now = clock_now_ms();
	char smsc[16];
	int i, parts = get_row(f, id).parts;

	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(ids[0], id);
	for (i = 1; i <= parts; i++) {
		snprintf(smsc, sizeof(smsc), "%s%d", prefix, i);
		assert_int_equal(mtq_part_submitted(f->q, id, LINK, i, smsc,
						    now), 0);
	}
	assert_int_equal(get_row(f, id).state, MTQ_SUBMITTED);
	return id;
}

static void test_dlr_single(void **state)
{
	struct fx *f = *state;
	int64_t ok = submitted(f, "ok", "d"), bad = submitted(f, "bad", "u");
	int64_t old = submitted(f, "old", "e"), now = clock_now_ms(), mt = 0;
	struct row r;

	/* non-final receipts only touch the part */
	assert_int_equal(mtq_dlr(f->q, LINK, "d1", MTQ_RCPT_ENROUTE, -1, now, &mt),
			 0);
	assert_int_equal(mt, ok);
	assert_int_equal(get_row(f, ok).state, MTQ_SUBMITTED);
	assert_int_equal(get_row(f, ok).final, 0);

	assert_int_equal(mtq_dlr(f->q, LINK, "d1", MTQ_RCPT_DELIVERED, 0, now + 1,
				 &mt), 0);
	r = get_row(f, ok);
	assert_int_equal(r.state, MTQ_DELIVERED);
	assert_int_equal(r.final, 1);
	assert_int_equal(r.done_at, now + 1);
	/* a repeated receipt changes nothing */
	assert_int_equal(mtq_dlr(f->q, LINK, "d1", MTQ_RCPT_UNDELIVERABLE, 1,
				 now + 2, NULL), 0);
	r = get_row(f, ok);
	assert_int_equal(r.state, MTQ_DELIVERED);
	assert_int_equal(r.final, 1);

	assert_int_equal(mtq_dlr(f->q, LINK, "u1", MTQ_RCPT_UNDELIVERABLE, 13, now,
				 NULL), 0);
	assert_int_equal(get_row(f, bad).state, MTQ_FAILED);
	assert_int_equal(mtq_dlr(f->q, LINK, "e1", MTQ_RCPT_EXPIRED, -1, now,
				 NULL), 0);
	assert_int_equal(get_row(f, old).state, MTQ_EXPIRED);

	assert_int_equal(mtq_dlr(f->q, LINK, "nope", MTQ_RCPT_DELIVERED, 0, now,
				 NULL), -ENOENT);
	assert_int_equal(mtq_dlr(f->q, "other", "d1", MTQ_RCPT_DELIVERED, 0, now,
				 NULL), -ENOENT);
}

static void test_dlr_multipart(void **state)
{
	struct fx *f = *state;
	char *long_text = text_rep(ZH, 3 * 67);
	int64_t all = submitted(f, long_text, "a");
	int64_t one_bad = submitted(f, long_text, "b");
	int64_t late = submitted(f, long_text, "c");
	int64_t now = clock_now_ms();
	struct row r;

	assert_int_equal(get_row(f, all).parts, 3);
	assert_int_equal(mtq_dlr(f->q, LINK, "a2", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	assert_int_equal(mtq_dlr(f->q, LINK, "a1", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	r = get_row(f, all);
	assert_int_equal(r.state, MTQ_SUBMITTED);
	assert_int_equal(r.final, 2);
	assert_int_equal(mtq_dlr(f->q, LINK, "a3", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	r = get_row(f, all);
	assert_int_equal(r.state, MTQ_DELIVERED);
	assert_int_equal(r.final, 3);

	/* one part undeliverable: the message failed */
	assert_int_equal(mtq_dlr(f->q, LINK, "b1", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	assert_int_equal(mtq_dlr(f->q, LINK, "b2", MTQ_RCPT_UNDELIVERABLE, 1, now,
				 NULL), 0);
	assert_int_equal(mtq_dlr(f->q, LINK, "b3", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	assert_int_equal(get_row(f, one_bad).state, MTQ_FAILED);

	/* delivered + expired: expired */
	assert_int_equal(mtq_dlr(f->q, LINK, "c1", MTQ_RCPT_EXPIRED, 0, now, NULL),
			 0);
	assert_int_equal(mtq_dlr(f->q, LINK, "c2", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	assert_int_equal(mtq_dlr(f->q, LINK, "c3", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	assert_int_equal(get_row(f, late).state, MTQ_EXPIRED);
}

/* A receipt for part 1 arrives before the submit_sm_resp of part 2: it is
 * kept on its part; the last receipt decides once all parts are acked. */
static void test_dlr_before_last_ack(void **state)
{
	struct fx *f = *state;
	int64_t id = enqueue(f, text_rep(ZH, 2 * 67), MTQ_PRIO_BULK);
	int64_t now = clock_now_ms(), ids[1];
	struct row r;

	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "r1", now), 0);
	assert_int_equal(mtq_dlr(f->q, LINK, "r1", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	/* part 2's receipt before its response: not matched */
	assert_int_equal(mtq_dlr(f->q, LINK, "r2", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 -ENOENT);
	r = get_row(f, id);
	assert_int_equal(r.state, MTQ_SENDING);
	assert_int_equal(r.final, 1);
	/* a repeated response for part 1 keeps its receipt and counts */
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 1, "r1", now), 0);
	r = get_row(f, id);
	assert_int_equal(r.acked, 1);
	assert_int_equal(r.final, 1);
	assert_int_equal(mtq_part_submitted(f->q, id, LINK, 2, "r2", now), 0);
	assert_int_equal(get_row(f, id).state, MTQ_SUBMITTED);
	assert_int_equal(mtq_dlr(f->q, LINK, "r2", MTQ_RCPT_DELIVERED, 0, now, NULL),
			 0);
	assert_int_equal(get_row(f, id).state, MTQ_DELIVERED);
}

static void test_recover(void **state)
{
	struct fx *f = *state;
	int64_t a = enqueue(f, text_rep("d", 200), MTQ_PRIO_BULK);
	int64_t b = enqueue(f, "b", MTQ_PRIO_BULK);
	int64_t c = submitted(f, "c", "s");
	int64_t now = clock_now_ms(), ids[4];
	unsigned long n[MTQ_NUM_STATES];
	struct row r;

	assert_int_equal(fetch_ids(f, now, 4, ids), 2);
	assert_int_equal(mtq_part_submitted(f->q, a, LINK, 1, "x1", now), 0);
	assert_int_equal(mtq_counts(f->q, n), 0);
	assert_int_equal(n[MTQ_SENDING], 2);
	assert_int_equal(n[MTQ_SUBMITTED], 1);
	assert_int_equal(n[MTQ_QUEUED], 0);
	assert_int_equal(db_commit(f->db), 0);

	assert_int_equal(mtq_recover(f->q), 2);
	assert_int_equal(db_commit(f->db), 0);
	r = get_row(f, a);
	assert_int_equal(r.state, MTQ_QUEUED);
	assert_int_equal(r.acked, 0);
	assert_int_equal(count_parts(f, a), 0);
	assert_int_equal(get_row(f, b).state, MTQ_QUEUED);
	assert_int_equal(get_row(f, c).state, MTQ_SUBMITTED);
	assert_int_equal(count_parts(f, c), 1);
	assert_int_equal(mtq_counts(f->q, n), 0);
	assert_int_equal(n[MTQ_QUEUED], 2);
	assert_int_equal(n[MTQ_SENDING], 0);
	assert_int_equal(mtq_recover(f->q), 0);
	assert_int_equal(fetch_ids(f, now, 4, ids), 2);
}

/* The API's pages of one state: each state's statement (with its partial
 * index: schema step 009) finds exactly the rows in it, newest first. */
static void page_is(struct fx *f, struct mtq_reader *r, int state,
		    unsigned n_want, const int64_t *want)
{
	void *ctx = talloc_new(test_ctx);
	struct mtq_info *m = NULL;
	unsigned long total = 0;
	unsigned n = 0, i;

	assert_int_equal(mtq_reader_page(r, ctx, state, 0, 10, &m, &n, &total),
			 0);
	assert_int_equal(n, n_want);
	assert_int_equal(total, n_want);
	for (i = 0; i < n; i++) {
		assert_int_equal(m[i].id, want[i]);
		assert_int_equal(m[i].state, state);
	}
	talloc_free(ctx);
}

static void test_reader_by_state(void **state)
{
	struct fx *f = *state;
	struct mtq_reader *r = mtq_reader_new(f, f->db);
	int64_t sub = submitted(f, "s", "p");
	int64_t failed = enqueue(f, "f", MTQ_PRIO_REPLY);
	int64_t now = clock_now_ms() + 1000, ids[4];	/* all due */
	int64_t sending, expired, queued, failed2;
	void *ctx = talloc_new(test_ctx);
	struct mtq_info *m;
	unsigned long total;
	unsigned n;

	assert_non_null(r);
	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	assert_int_equal(mtq_fail(f->q, failed, 0x0B, now), 0);
	sending = enqueue(f, "g", MTQ_PRIO_REPLY);
	assert_int_equal(fetch_ids(f, now, 1, ids), 1);
	expired = enqueue_full(f, "e", MTQ_PRIO_REPLY, 1, 0);
	assert_int_equal(fetch_ids(f, now + 3000, 4, ids), 0);
	failed2 = enqueue(f, "h", MTQ_PRIO_BULK);
	assert_int_equal(mtq_fail(f->q, failed2, 0x45, now), 0);
	queued = enqueue_full(f, "q", MTQ_PRIO_BULK, 0, now + 600000);
	assert_int_equal(db_commit(f->db), 0);

	page_is(f, r, MTQ_QUEUED, 1, &queued);
	page_is(f, r, MTQ_SENDING, 1, &sending);
	page_is(f, r, MTQ_SUBMITTED, 1, &sub);
	page_is(f, r, MTQ_DELIVERED, 0, NULL);
	page_is(f, r, MTQ_FAILED, 2, (int64_t[]){ failed2, failed });
	page_is(f, r, MTQ_EXPIRED, 1, &expired);
	/* every state: all six rows; a state past the last is refused */
	assert_int_equal(mtq_reader_page(r, ctx, -1, 0, 10, &m, &n, &total), 0);
	assert_int_equal(total, 6);
	assert_int_equal(mtq_reader_page(r, ctx, MTQ_NUM_STATES, 0, 10, &m, &n,
					 &total), -EINVAL);
	talloc_free(ctx);
	mtq_reader_free(r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_enqueue_bad_number),
		T(test_enqueue_bad_text),
		T(test_enqueue_too_long),
		T(test_fetch_order),
		T(test_next_try),
		T(test_expiry),
		T(test_expiry_fills_take),
		T(test_part_submitted_single),
		T(test_part_submitted_three),
		T(test_part_late_after_requeue),
		T(test_retry_backoff),
		T(test_retry_past_validity),
		T(test_fail_keeps_status),
		T(test_dlr_single),
		T(test_dlr_multipart),
		T(test_dlr_before_last_ack),
		T(test_recover),
		T(test_reader_by_state),
	};
#undef T
	const char *level = getenv("TEST_LOG");
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_mtq");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
