/*
 * test_mo.c - unit tests of gateway/queue/mo.c, inbound storage and reassembly.
 *
 * Every test gets a fresh database file under /tmp (removed afterwards).
 * Covered: a single GSM and a single UCS-2 MO (stored, out filled, row
 * written); a 3-part UCS-2 Chinese MO arriving out of order with characters
 * cut across part boundaries (joined raw, decoded once); a repeated part
 * ignored; malformed concatenation data taken as a single message; two sets
 * with different references kept apart; an incomplete set stored as partial
 * after the timeout and not before; mo_mark_handled.
 */
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>

#include "gateway/text/charset.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/inbound.h"
#include "gateway/queue/mo.h"
#include "testutil.h"

#define LINK	"cmcc"
#define SRC	"8613800138000"
#define DST	"12333"
#define ZH_TEXT	"揭阳人社：您的技能培训补贴已发放，请查收。回复BT查询详情。"

struct fx {
	char path[64];
	struct db *db;
	struct mo *mo;
};

static void *test_ctx;

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);

	f->db = testutil_db_create(f, "test_mo", f->path, sizeof(f->path));
	f->mo = mo_init(f, f->db);
	assert_non_null(f->mo);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mo_free(f->mo);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

/* The text column of mo row id, copied under test_ctx. */
static char *mo_text(struct fx *f, int64_t id)
{
	sqlite3_stmt *st;
	char *t;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db),
		"SELECT text FROM mo WHERE id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	t = talloc_strdup(test_ctx, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return t;
}

/* An inbound SMS and the octets of its user data. */
struct tmo {
	struct in_msg m;
	uint8_t buf[1024];
};

/* An SMS on LINK carrying len octets of user data (no UDH). */
static void deliver(struct tmo *d, uint8_t dcs, const void *ud, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->m.kind = IN_SMS;
	d->m.link = LINK;
	snprintf(d->m.src, sizeof(d->m.src), "%s", SRC);
	snprintf(d->m.dst, sizeof(d->m.dst), "%s", DST);
	d->m.dcs = dcs;
	memcpy(d->buf, ud, len);
	d->m.ud = d->buf;
	d->m.ud_len = len;
	d->m.rcpt_err = -1;
}

static void part(struct tmo *d, uint16_t ref, uint8_t total, uint8_t seq)
{
	d->m.concat = true;
	d->m.concat_ref = ref;
	d->m.concat_total = total;
	d->m.concat_seq = seq;
}

/* UTF-8 -> UTF-16BE. */
static size_t ucs2(const char *utf8, uint8_t *out, size_t cap)
{
	iconv_t cd = iconv_open("UTF-16BE", "UTF-8");
	char *in = (char *)utf8, *o = (char *)out;
	size_t il = strlen(utf8), ol = cap;

	assert_true(cd != (iconv_t)-1);
	assert_int_equal(iconv(cd, &in, &il, &o, &ol), 0);
	iconv_close(cd);
	return cap - ol;
}

static void test_single(void **state)
{
	struct fx *f = *state;
	struct tmo d;
	struct mo_msg out;
	uint8_t u[64];
	size_t n;

	deliver(&d, CHARSET_DCS_DEFAULT, "BT", 2);
	assert_int_equal(mo_store(f->mo, &d.m, 1000, &out), 1);
	assert_true(out.id > 0);
	assert_string_equal(out.text, "BT");
	assert_string_equal(out.link, LINK);
	assert_string_equal(out.src, SRC);
	assert_string_equal(out.dst, DST);
	assert_int_equal(out.dcs, 0);
	assert_int_equal(out.parts, 1);
	assert_false(out.partial);
	assert_string_equal(mo_text(f, out.id), "BT");
	assert_int_equal(testutil_q1(f->db, "SELECT received_at FROM mo"), 1000);
	assert_int_equal(testutil_q1(f->db, "SELECT handled_at IS NULL FROM mo"), 1);

	n = ucs2("补贴", u, sizeof(u));
	deliver(&d, CHARSET_DCS_UCS2, u, n);
	assert_int_equal(mo_store(f->mo, &d.m, 1001, &out), 1);
	assert_string_equal(out.text, "补贴");
	assert_int_equal(out.dcs, CHARSET_DCS_UCS2);
	assert_string_equal(mo_text(f, out.id), "补贴");
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 2);
}

/* Three UCS-2 parts cut at odd octets (a character straddles each cut),
 * arriving 3, 1, 2. */
static void test_three_parts_out_of_order(void **state)
{
	struct fx *f = *state;
	struct tmo d;
	struct mo_msg out;
	uint8_t u[256];
	size_t n = ucs2(ZH_TEXT, u, sizeof(u)), cut1 = 21, cut2 = 47;

	assert_true(n > cut2);
	deliver(&d, CHARSET_DCS_UCS2, u + cut2, n - cut2);
	part(&d, 0x42, 3, 3);
	assert_int_equal(mo_store(f->mo, &d.m, 1000, &out), 0);
	deliver(&d, CHARSET_DCS_UCS2, u, cut1);
	part(&d, 0x42, 3, 1);
	assert_int_equal(mo_store(f->mo, &d.m, 1001, &out), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo_part"), 2);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 0);

	deliver(&d, CHARSET_DCS_UCS2, u + cut1, cut2 - cut1);
	part(&d, 0x42, 3, 2);
	assert_int_equal(mo_store(f->mo, &d.m, 1002, &out), 1);
	assert_string_equal(out.text, ZH_TEXT);
	assert_int_equal(out.parts, 3);
	assert_false(out.partial);
	assert_string_equal(out.src, SRC);
	assert_string_equal(out.dst, DST);
	assert_int_equal(out.dcs, CHARSET_DCS_UCS2);
	assert_string_equal(mo_text(f, out.id), ZH_TEXT);
	assert_int_equal(testutil_q1(f->db, "SELECT parts FROM mo"), 3);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo_part"), 0);
	assert_int_equal(db_commit(f->db), 0);
}

static void test_duplicate_part(void **state)
{
	struct fx *f = *state;
	struct tmo d;
	struct mo_msg out;

	deliver(&d, CHARSET_DCS_DEFAULT, "KC ", 3);
	part(&d, 7, 2, 1);
	assert_int_equal(mo_store(f->mo, &d.m, 1000, &out), 0);
	assert_int_equal(mo_store(f->mo, &d.m, 1005, &out), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo_part"), 1);
	/* another reference from the same number is another set */
	deliver(&d, CHARSET_DCS_DEFAULT, "XX", 2);
	part(&d, 8, 2, 2);
	assert_int_equal(mo_store(f->mo, &d.m, 1006, &out), 0);

	deliver(&d, CHARSET_DCS_DEFAULT, "NING", 4);
	part(&d, 7, 2, 2);
	assert_int_equal(mo_store(f->mo, &d.m, 1010, &out), 1);
	assert_string_equal(out.text, "KC NING");
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 1);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo_part"), 1);
}

/* Parts with the same reference from one phone to two services are two
 * messages. */
static void test_parts_kept_apart_by_dst(void **state)
{
	struct fx *f = *state;
	struct tmo d;
	struct mo_msg out;

	deliver(&d, CHARSET_DCS_DEFAULT, "BM ", 3);
	part(&d, 5, 2, 1);
	assert_int_equal(mo_store(f->mo, &d.m, 1000, &out), 0);
	deliver(&d, CHARSET_DCS_DEFAULT, "ABC", 3);
	snprintf(d.m.dst, sizeof(d.m.dst), "%s", "12366");
	part(&d, 5, 2, 2);
	assert_int_equal(mo_store(f->mo, &d.m, 1001, &out), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 0);
	deliver(&d, CHARSET_DCS_DEFAULT, "2031", 4);
	part(&d, 5, 2, 2);
	assert_int_equal(mo_store(f->mo, &d.m, 1002, &out), 1);
	assert_string_equal(out.text, "BM 2031");
	assert_string_equal(out.dst, DST);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo_part"), 1);
}

/* A handler that fails undoes the partial MO: the parts stay. */
static int failing_cb(void *data, const struct mo_msg *m)
{
	(*(unsigned *)data)++;
	return -EIO;
}

static void test_partial_handler_fails(void **state)
{
	struct fx *f = *state;
	unsigned calls = 0;
	struct tmo d;
	struct mo_msg out;

	deliver(&d, CHARSET_DCS_DEFAULT, "KC", 2);
	part(&d, 77, 2, 1);
	assert_int_equal(mo_store(f->mo, &d.m, 1000, &out), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(mo_expire_parts(f->mo, 99999, 5000, failing_cb,
					 &calls), -EIO);
	assert_int_equal(calls, 1);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo_part"), 1);
}

/* total 0/1, seq 0 or past total: stored as a single message. */
static void test_bad_concat_is_single(void **state)
{
	struct fx *f = *state;
	static const struct { uint8_t total, seq; } bad[] = {
		{ 0, 1 }, { 1, 1 }, { 3, 0 }, { 3, 4 },
	};
	struct tmo d;
	struct mo_msg out;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		deliver(&d, CHARSET_DCS_DEFAULT, "HELP", 4);
		part(&d, 9, bad[i].total, bad[i].seq);
		assert_int_equal(mo_store(f->mo, &d.m, 1000, &out), 1);
		assert_string_equal(out.text, "HELP");
		assert_int_equal(out.parts, 1);
	}
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo_part"), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 4);
}

struct seen {
	unsigned n;
	char text[128];
	unsigned parts;
	bool partial;
	int64_t id;
};

static int seen_cb(void *data, const struct mo_msg *m)
{
	struct seen *s = data;

	s->n++;
	snprintf(s->text, sizeof(s->text), "%s", m->text);
	s->parts = m->parts;
	s->partial = m->partial;
	s->id = m->id;
	assert_string_equal(m->src, SRC);
	assert_string_equal(m->dst, DST);
	assert_string_equal(m->link, LINK);
	return 0;
}

static void test_partial_after_timeout(void **state)
{
	struct fx *f = *state;
	struct seen seen = { 0 };
	struct tmo d;
	struct mo_msg out;

	deliver(&d, CHARSET_DCS_DEFAULT, "ZC 4452", 7);
	part(&d, 200, 3, 1);
	assert_int_equal(mo_store(f->mo, &d.m, 10000, &out), 0);
	deliver(&d, CHARSET_DCS_DEFAULT, " ZHANG", 6);
	part(&d, 200, 3, 3);
	assert_int_equal(mo_store(f->mo, &d.m, 12000, &out), 0);
	assert_int_equal(db_commit(f->db), 0);

	/* the oldest part is 4.999 s old: not yet */
	assert_int_equal(mo_expire_parts(f->mo, 14999, 5000, seen_cb, &seen),
			 0);
	assert_int_equal(seen.n, 0);
	assert_false(db_in_txn(f->db));
	assert_int_equal(mo_expire_parts(f->mo, 15000, 5000, seen_cb, &seen),
			 1);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.text, "ZC 4452 ZHANG");
	assert_int_equal(seen.parts, 2);
	assert_true(seen.partial);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo_part"), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT partial FROM mo"), 1);
	assert_string_equal(mo_text(f, seen.id), "ZC 4452 ZHANG");
	assert_int_equal(mo_expire_parts(f->mo, 99999, 5000, seen_cb, &seen),
			 0);
	assert_int_equal(seen.n, 1);
}

static void test_mark_handled(void **state)
{
	struct fx *f = *state;
	struct tmo d;
	struct mo_msg out;

	deliver(&d, CHARSET_DCS_DEFAULT, "TD", 2);
	assert_int_equal(mo_store(f->mo, &d.m, 1000, &out), 1);
	assert_int_equal(mo_mark_handled(f->mo, out.id, 1234), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT handled_at FROM mo"), 1234);
	assert_int_equal(mo_mark_handled(f->mo, out.id + 100, 1234), -ENOENT);
	assert_int_equal(db_commit(f->db), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_single),
		T(test_three_parts_out_of_order),
		T(test_duplicate_part),
		T(test_parts_kept_apart_by_dst),
		T(test_partial_handler_fails),
		T(test_bad_concat_is_single),
		T(test_partial_after_timeout),
		T(test_mark_handled),
	};
#undef T
	const char *level = getenv("TEST_LOG");
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_mo");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
