/*
 * test_quarantine.c - the quarantine of received PDUs the daemon died on:
 * the digest ignores the sequence number and sees the body; a mark left
 * busy becomes a row at the next open (addresses and text blanked), and the
 * same PDU is then refused until it is released.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>

#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/smpp/quarantine.h"
#include "rawpdu.h"
#include "testutil.h"

struct fx {
	char path[256];
	char mark[300];
	struct db *db;
};

static int setup(void **state)
{
	struct fx *f = talloc_zero(NULL, struct fx);

	f->db = testutil_db_create(f, "test_quarantine", f->path,
				   sizeof(f->path));
	snprintf(f->mark, sizeof(f->mark), "%s.inflight", f->path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	testutil_db_destroy(f->db, f->path);
	unlink(f->mark);
	talloc_free(f);
	return 0;
}

static void pdu(struct raw *r, uint32_t seq, const char *text)
{
	raw_deliver(r, 0, 0, text, strlen(text));
	raw_set32(r->b + 12, seq);
	raw_end(r);
}

static void test_digest(void **state)
{
	struct raw a = {}, b = {}, c = {};

	pdu(&a, 1, "BZ");
	pdu(&b, 99, "BZ");
	pdu(&c, 1, "BT");
	assert_int_equal(smpp_quar_digest(a.b, a.n), smpp_quar_digest(b.b, b.n));
	assert_int_not_equal(smpp_quar_digest(a.b, a.n),
			     smpp_quar_digest(c.b, c.n));
}

/* A busy mark is what a run that died leaves: the next open keeps it out. */
static void test_crash_then_refused(void **state)
{
	struct fx *f = *state;
	struct smpp_quar *q = smpp_quar_open(f, f->db, f->path);
	struct raw p = {}, other = {};
	char *head;

	assert_non_null(q);
	pdu(&p, 1, "SECRET");
	pdu(&other, 2, "BZ");
	assert_false(smpp_quar_begin(q, "sim", p.b, p.n));
	smpp_quar_free(q);		/* died before smpp_quar_done() */
	assert_int_equal(db_commit(f->db), 0);

	q = smpp_quar_open(f, f->db, f->path);
	assert_non_null(q);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM pdu_quarantine"), 1);
	head = testutil_q1_text(f, f->db, "SELECT head FROM pdu_quarantine");
	assert_null(strstr(head, "534543524554"));	/* "SECRET" */
	assert_null(strstr(head, "3737303131323334353637"));	/* the number */

	pdu(&p, 5, "SECRET");		/* the SMSC's retry */
	assert_true(smpp_quar_begin(q, "sim", p.b, p.n));
	assert_false(smpp_quar_begin(q, "sim", other.b, other.n));
	smpp_quar_done(q);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT hits FROM pdu_quarantine"), 1);
	smpp_quar_free(q);

	/* a clean stop leaves no mark: nothing more is quarantined */
	q = smpp_quar_open(f, f->db, f->path);
	assert_int_equal(testutil_q1(f->db, "SELECT count(*) FROM pdu_quarantine"), 1);
	smpp_quar_free(q);
}

static void test_release(void **state)
{
	struct fx *f = *state;
	struct smpp_quar *q = smpp_quar_open(f, f->db, f->path);
	struct raw p = {};
	char *digest;

	pdu(&p, 1, "BAD");
	assert_false(smpp_quar_begin(q, "sim", p.b, p.n));
	smpp_quar_free(q);
	q = smpp_quar_open(f, f->db, f->path);
	assert_int_equal(db_commit(f->db), 0);
	digest = testutil_q1_text(f, f->db, "SELECT digest FROM pdu_quarantine");
	assert_int_equal(smpp_quar_release(f->db, "0000000000000000"), -ENOENT);
	assert_int_equal(smpp_quar_release(f->db, digest), 0);
	assert_int_equal(db_commit(f->db), 0);
	/* released while running: the next retry is handled */
	assert_false(smpp_quar_begin(q, "sim", p.b, p.n));
	smpp_quar_done(q);
	smpp_quar_free(q);
	assert_int_equal(db_commit(f->db), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest),
		cmocka_unit_test_setup_teardown(test_crash_then_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
	};

	sgw_log_init(NULL, "fatal", NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
