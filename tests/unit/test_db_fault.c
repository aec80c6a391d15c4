/*
 * test_db_fault.c - unit tests of storage faults (gateway/db_fault.c) and
 * of what gateway/db.c and gateway/db_wal.c do with them.
 *
 * Covered: SQLite's result codes sorted into causes (an I/O error by its
 * errno) and their words; a full database (PRAGMA max_page_count on the
 * test's connection) noted as "disk full", the transaction SQLite rolled
 * back reported to the commit hooks, and no ROLLBACK tried after it (the
 * "cannot rollback - no transaction is active" of issue 14); a lock kept
 * by another connection noted as "locked", waited for once per iteration;
 * the WAL above its bound truncated by db_wal_trim(), which waits for no
 * reader.
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

#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "gateway/log.h"
#include "testutil.h"

struct fx {
	char path[64];
	struct db *db;
	sqlite3 *other;		/* a second connection, when a test opens it */
};

static void *test_ctx;

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);

	f->db = testutil_db_create(f, "test_db_fault", f->path,
				   sizeof(f->path));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sqlite3_close(f->other);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

static void other_open(struct fx *f, const char *sql)
{
	assert_int_equal(sqlite3_open(f->path, &f->other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(f->other, sql, NULL, NULL, NULL),
			 SQLITE_OK);
}

struct hook_rc {
	unsigned n;
	int rc;
};

static void hook_cb(void *data, int rc)
{
	struct hook_rc *h = data;

	h->n++;
	h->rc = rc;
}

static void test_fault_of(void **state)
{
	assert_int_equal(db_fault_of(SQLITE_FULL, 0), DB_FAULT_FULL);
	assert_int_equal(db_fault_of(SQLITE_BUSY, 0), DB_FAULT_LOCKED);
	assert_int_equal(db_fault_of(SQLITE_BUSY_SNAPSHOT, 0),
			 DB_FAULT_LOCKED);
	assert_int_equal(db_fault_of(SQLITE_READONLY, 0), DB_FAULT_READONLY);
	assert_int_equal(db_fault_of(SQLITE_READONLY_DIRECTORY, 0),
			 DB_FAULT_READONLY);
	assert_int_equal(db_fault_of(SQLITE_PERM, 0), DB_FAULT_PERM);
	assert_int_equal(db_fault_of(SQLITE_CORRUPT, 0), DB_FAULT_CORRUPT);
	assert_int_equal(db_fault_of(SQLITE_NOTADB, 0), DB_FAULT_CORRUPT);
	/* an I/O error by its errno */
	assert_int_equal(db_fault_of(SQLITE_IOERR_WRITE, ENOSPC),
			 DB_FAULT_FULL);
	assert_int_equal(db_fault_of(SQLITE_IOERR_WRITE, EROFS),
			 DB_FAULT_READONLY);
	assert_int_equal(db_fault_of(SQLITE_CANTOPEN, EACCES), DB_FAULT_PERM);
	assert_int_equal(db_fault_of(SQLITE_IOERR_FSYNC, EIO), DB_FAULT_IO);
	/* no storage fault: the caller's own business */
	assert_int_equal(db_fault_of(SQLITE_CONSTRAINT_UNIQUE, 0),
			 DB_FAULT_NONE);
	assert_int_equal(db_fault_of(SQLITE_ERROR, 0), DB_FAULT_NONE);
	assert_int_equal(db_fault_of(SQLITE_NOTICE_RECOVER_WAL, 0),
			 DB_FAULT_NONE);
}

static void test_fault_words(void **state)
{
	char buf[128];

	assert_string_equal(db_fault_words(DB_FAULT_FULL, 0, buf, sizeof(buf)),
			    "disk full");
	assert_string_equal(db_fault_words(DB_FAULT_LOCKED, 0, buf,
					   sizeof(buf)),
			    "locked by another process for longer than 5 s");
	assert_string_equal(db_fault_words(DB_FAULT_READONLY, 0, buf,
					   sizeof(buf)), "read-only");
	assert_string_equal(db_fault_words(DB_FAULT_PERM, 0, buf, sizeof(buf)),
			    "permission denied");
	assert_string_equal(db_fault_words(DB_FAULT_IO, EIO, buf, sizeof(buf)),
			    "input/output error (Input/output error)");
	assert_string_equal(db_fault_name(DB_FAULT_FULL), "disk_full");
}

/* The record is per thread and counts: a caller compares with the count
 * it took before its work. */
static void test_fault_note(void **state)
{
	unsigned long seq = db_fault_seq();
	int e = -1;

	db_fault_note(SQLITE_CONSTRAINT, 0);
	assert_int_equal(db_fault_last(seq, &e), DB_FAULT_NONE);
	assert_int_equal(e, 0);
	db_fault_note(SQLITE_IOERR_WRITE, ENOSPC);
	assert_int_equal(db_fault_last(seq, &e), DB_FAULT_FULL);
	assert_int_equal(e, ENOSPC);
	assert_int_equal(db_fault_last(db_fault_seq(), NULL), DB_FAULT_NONE);
}

/* A full database: the write fails as "disk full", SQLite rolls the
 * transaction back, the hooks learn it, and nothing tries a ROLLBACK of a
 * transaction that is no more. */
static void test_full(void **state)
{
	struct fx *f = *state;
	struct hook_rc h = { 0 };
	sqlite3 *s = db_handle(f->db);
	unsigned long seq = db_fault_seq();
	char sql[64];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
		 (long long)testutil_q1(f->db, "PRAGMA page_count") + 2);
	testutil_exec(f->db, sql);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(db_after_commit(f->db, hook_cb, &h), 0);
	assert_int_equal(sqlite3_prepare_v2(s, "INSERT INTO storage_reserve "
		"(id, pad) VALUES (1, zeroblob(1000000))", -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st) & 0xff, SQLITE_FULL);
	sqlite3_finalize(st);
	assert_int_equal(db_fault_last(seq, NULL), DB_FAULT_FULL);
	assert_true(sqlite3_get_autocommit(s));	/* SQLite rolled back */
	assert_true(db_commit(f->db) < 0);
	assert_int_equal(h.n, 1);
	assert_true(h.rc < 0);
	/* and a caller's rollback of it tries nothing */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(sqlite3_prepare_v2(s, "INSERT INTO storage_reserve "
		"(id, pad) VALUES (1, zeroblob(1000000))", -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st) & 0xff, SQLITE_FULL);
	sqlite3_finalize(st);
	db_rollback(f->db);
	assert_false(db_in_txn(f->db));
	assert_null(strstr(sqlite3_errmsg(s), "cannot rollback"));
}

/* Another connection keeps the write lock: BEGIN fails as "locked", and
 * the rest of the iteration does not wait again. */
static void test_locked(void **state)
{
	struct fx *f = *state;
	unsigned long seq = db_fault_seq(), seq2;

	other_open(f, "BEGIN IMMEDIATE");
	db_set_busy_timeout(f->db, 20);
	assert_int_equal(db_begin(f->db), -EBUSY);
	assert_int_equal(db_fault_last(seq, NULL), DB_FAULT_LOCKED);
	seq2 = db_fault_seq();
	assert_int_equal(db_begin(f->db), -EBUSY);
	assert_int_equal(db_fault_seq(), seq2);		/* no second BEGIN */
	assert_int_equal(db_commit(f->db), 0);		/* nothing was open */
	assert_int_equal(sqlite3_exec(f->other, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(db_begin(f->db), 0);		/* a new iteration */
	assert_int_equal(db_commit(f->db), 0);
	db_set_busy_timeout(f->db, DB_BUSY_TIMEOUT_MS);
}

/* A transaction larger than the bound leaves a WAL larger than it; the
 * trim truncates it, but only when no reader is in the way (one that
 * reads frames of the WAL: no checkpoint ran after the commit here). */
static void test_wal_trim(void **state)
{
	struct fx *f = *state;

	testutil_exec(f->db, "PRAGMA wal_autocheckpoint = 0");
	assert_int_equal(db_begin(f->db), 0);
	testutil_exec(f->db, "INSERT INTO storage_reserve (id, pad) "
		      "VALUES (1, zeroblob(12 * 1024 * 1024))");
	assert_int_equal(db_commit(f->db), 0);
	assert_true(db_wal_bytes(f->db) > DB_WAL_LIMIT);
	other_open(f, "BEGIN; SELECT count(*) FROM storage_reserve");
	assert_int_equal(db_wal_trim(f->db), -EBUSY);
	assert_true(db_wal_bytes(f->db) > DB_WAL_LIMIT);
	assert_int_equal(sqlite3_exec(f->other, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(db_wal_trim(f->db), 0);
	assert_true(db_wal_bytes(f->db) <= DB_WAL_LIMIT);
	/* within the bound: nothing to do */
	assert_int_equal(db_wal_trim(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT length(pad) FROM "
				     "storage_reserve"), 12 * 1024 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_of),
		cmocka_unit_test(test_fault_words),
		cmocka_unit_test(test_fault_note),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_trim, setup, teardown),
	};
	const char *level = getenv("TEST_LOG");
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_db_fault");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
