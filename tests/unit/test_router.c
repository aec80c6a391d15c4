/*
 * test_router.c - unit tests of gateway/queue/router.c: where each kind of
 * inbound message goes, and what a handler's failure undoes.
 *
 * An SMS is stored and answered as one unit: when the handler cannot queue
 * its answer, nothing of the MO is kept and the router says so (the
 * transport then answers with a temporary error). A USSD step goes to the
 * USSD handler with the sender normalised; without one it is kept like an
 * SMS and not answered. A receipt that matches nothing is acknowledged.
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

#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/inbound.h"
#include "gateway/queue/mo.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/router.h"
#include "testutil.h"

#define SRC	"+8613800138000"
#define SRC_N	"8613800138000"

struct fx {
	char path[64];
	struct config cfg;
	struct db *db;
	struct mtq *q;
	struct mo *mo;
	struct router *r;
	unsigned sms_calls, ussd_calls;
	int sms_rc;
	char ussd_src[IN_ADDR_MAX];
};

static void *test_ctx;

static int fx_sms(void *data, const struct mo_msg *m)
{
	struct fx *f = data;

	f->sms_calls++;
	return f->sms_rc;
}

static int fx_ussd(void *data, const struct in_msg *m)
{
	struct fx *f = data;

	f->ussd_calls++;
	snprintf(f->ussd_src, sizeof(f->ussd_src), "%s", m->src);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);
	struct mtq_params qp = { .max_attempts = 3, .retry_min_s = 1,
				 .retry_max_s = 2, .max_parts = 8 };

	config_defaults(&f->cfg);
	f->db = testutil_db_create(f, "test_router", f->path, sizeof(f->path));
	f->q = mtq_init(f, f->db, &qp);
	f->mo = mo_init(f, f->db);
	f->r = router_init(f, &f->cfg, f->db, f->q, f->mo);
	assert_true(f->q && f->mo && f->r);
	router_set_handler(f->r, fx_sms, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	router_free(f->r);
	mo_free(f->mo);
	mtq_free(f->q);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

static struct in_msg msg(enum in_kind kind, const char *text)
{
	struct in_msg m = { .kind = kind, .link = "sim", .src = SRC,
			    .dst = "12333", .ud = (const uint8_t *)text,
			    .ud_len = strlen(text), .rcpt_err = -1 };
	return m;
}

static void test_sms_answered(void **state)
{
	struct fx *f = *state;
	struct in_msg m = msg(IN_SMS, "BT");

	assert_int_equal(router_rx(f->r, &m), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(f->sms_calls, 1);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo WHERE src = '" SRC_N
			       "' AND text = 'BT' AND handled_at IS NOT NULL"), 1);
}

static void test_handler_failure_keeps_nothing(void **state)
{
	struct fx *f = *state;
	struct in_msg m = msg(IN_SMS, "BT");

	f->sms_rc = -EIO;
	assert_int_equal(router_rx(f->r, &m), -EIO);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 0);
	assert_int_equal(router_stats(f->r)->handler_errors, 1);
	/* the SMSC sends it again: now it goes through */
	f->sms_rc = 0;
	assert_int_equal(router_rx(f->r, &m), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 1);
	assert_int_equal(f->sms_calls, 2);
}

static void test_ussd(void **state)
{
	struct fx *f = *state;
	struct in_msg m = msg(IN_USSD, "*12333#");

	/* no dialogues: kept, not answered as a command */
	m.ussd_op = 1;
	assert_int_equal(router_rx(f->r, &m), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(f->sms_calls, 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo WHERE handled_at IS"
			       " NOT NULL"), 1);
	/* with dialogues: to them, the sender normalised, nothing stored */
	router_set_ussd_handler(f->r, fx_ussd, f);
	assert_int_equal(router_rx(f->r, &m), 0);
	assert_int_equal(f->ussd_calls, 1);
	assert_string_equal(f->ussd_src, SRC_N);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 1);
}

static void test_receipt_unmatched(void **state)
{
	struct fx *f = *state;
	struct in_msg m = msg(IN_RECEIPT, "");

	snprintf(m.rcpt_id, sizeof(m.rcpt_id), "%s", "12345");
	m.rcpt_state = MTQ_RCPT_DELIVERED;
	assert_int_equal(router_rx(f->r, &m), 0);
	assert_int_equal(router_stats(f->r)->dlr, 1);
	assert_int_equal(router_stats(f->r)->dlr_unmatched, 1);
	assert_int_equal(f->sms_calls, 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM mo"), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_sms_answered),
		T(test_handler_failure_keeps_nothing),
		T(test_ussd),
		T(test_receipt_unmatched),
	};
#undef T
	const char *level = getenv("TEST_LOG");
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_router");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
