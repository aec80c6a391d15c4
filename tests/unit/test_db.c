/*
 * test_db.c - unit tests of gateway/db.c.
 *
 * Every test gets a fresh database file under /tmp (removed afterwards, with
 * its -wal and -shm files). Covered: bootstrap of an empty file sets
 * user_version and the tables, a reopen keeps data and does not bootstrap
 * again, a database of a newer build and a foreign database are refused, a
 * missing file is not created without the create flag, db_errno's mapping,
 * db_prepare of bad SQL, and the group commit: hooks run after COMMIT in
 * registration order with 0, with a negative errno after a failed COMMIT
 * (forced by a deferred foreign-key violation) whose writes are rolled back,
 * hooks registered outside a transaction or by a hook run at the next commit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>

#include "gateway/db.h"
#include "gateway/log.h"
#include "testutil.h"

struct fx {
	char path[64];
	struct db *db;
};

static void *test_ctx;

/* A fresh empty file (mkstemp), opened as a database. */
static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);

	f->db = testutil_db_create(f, "test_db", f->path, sizeof(f->path));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

static int64_t query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void exec_ok(struct db *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db_handle(db), sql, NULL, NULL, NULL),
			 SQLITE_OK);
}

static void test_bootstrap(void **state)
{
	struct fx *f = *state;

	assert_true(db_schema_version() >= 1);
	assert_int_equal(query_int(f->db, "PRAGMA user_version"),
			 db_schema_version());
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema"
				   " WHERE type = 'table' AND name IN"
				   " ('mt', 'mt_part', 'mo', 'mo_part')"), 4);
	assert_int_equal(query_int(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(f->db, "PRAGMA synchronous"), 1);
	assert_false(db_in_txn(f->db));
}

static void test_reopen_keeps_data(void **state)
{
	struct fx *f = *state;

	assert_int_equal(db_begin(f->db), 0);
	exec_ok(f->db, "INSERT INTO mo (link, src, dst, dcs, text, received_at)"
		" VALUES ('l1', '8613800000000', '12333', 0, 'BT', 1)");
	assert_int_equal(db_commit(f->db), 0);
	db_close(f->db);

	f->db = db_open(f, f->path, false);
	assert_non_null(f->db);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM mo"), 1);
	assert_int_equal(query_int(f->db, "PRAGMA user_version"),
			 db_schema_version());
}

static void test_newer_version_refused(void **state)
{
	struct fx *f = *state;
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 db_schema_version() + 1);
	exec_ok(f->db, sql);
	db_close(f->db);
	f->db = db_open(f, f->path, false);
	assert_null(f->db);
}

static void test_foreign_db_refused(void **state)
{
	struct fx *f = *state;
	sqlite3 *h;

	db_close(f->db);
	f->db = NULL;
	testutil_db_remove(f->path);
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE other (x)", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_null(db_open(f, f->path, true));
}

static void test_missing_not_created(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	f->db = NULL;
	testutil_db_remove(f->path);
	assert_null(db_open(f, f->path, false));
	assert_int_equal(access(f->path, F_OK), -1);
}

static void test_errno_map(void **state)
{
	assert_int_equal(db_errno(SQLITE_OK), 0);
	assert_int_equal(db_errno(SQLITE_DONE), 0);
	assert_int_equal(db_errno(SQLITE_ROW), 0);
	assert_int_equal(db_errno(SQLITE_CONSTRAINT), -EEXIST);
	assert_int_equal(db_errno(SQLITE_CONSTRAINT_UNIQUE), -EEXIST);
	assert_int_equal(db_errno(SQLITE_CONSTRAINT_PRIMARYKEY), -EEXIST);
	assert_int_equal(db_errno(SQLITE_CONSTRAINT_NOTNULL), -EINVAL);
	assert_int_equal(db_errno(SQLITE_CONSTRAINT_FOREIGNKEY), -EINVAL);
	assert_int_equal(db_errno(SQLITE_BUSY), -EBUSY);
	assert_int_equal(db_errno(SQLITE_BUSY_SNAPSHOT), -EBUSY);
	assert_int_equal(db_errno(SQLITE_LOCKED), -EBUSY);
	assert_int_equal(db_errno(SQLITE_IOERR_WRITE), -EIO);
	assert_int_equal(db_errno(SQLITE_FULL), -EIO);
	assert_int_equal(db_errno(SQLITE_CORRUPT), -EIO);
}

static void test_prepare(void **state)
{
	struct fx *f = *state;
	static const char *const good[] = { "SELECT 1", "SELECT count(*) FROM mt" };
	static const char *const bad[] = { "SELECT 1", "SELECT nope FROM mt" };
	static const char *const hole[2] = { "SELECT 1" };
	sqlite3_stmt *st[2] = { NULL, NULL };

	assert_int_equal(db_prepare(f->db, good, 2, st), 0);
	assert_non_null(st[1]);
	db_finalize(st, 2);
	assert_null(st[0]);
	assert_int_equal(db_prepare(f->db, bad, 2, st), -EIO);
	assert_null(st[0]);
	assert_int_equal(db_prepare(f->db, hole, 2, st), -EIO);
}

/* A hook that records the order and outcome of its calls. */
struct hook_log {
	int rc[8];
	int who[8];
	unsigned n;
};

struct hook {
	struct hook_log *log;
	int id;
	struct db *db;		/* set: register `next` from inside the hook */
	struct hook *next;
};

static void hook_cb(void *data, int rc)
{
	struct hook *h = data;

	h->log->rc[h->log->n] = rc;
	h->log->who[h->log->n++] = h->id;
	if (h->db)
		assert_int_equal(db_after_commit(h->db, hook_cb, h->next), 0);
}

static void test_hooks_after_commit(void **state)
{
	struct fx *f = *state;
	struct hook_log log = { .n = 0 };
	struct hook h1 = { .log = &log, .id = 1 };
	struct hook h2 = { .log = &log, .id = 2 };
	struct hook h3 = { .log = &log, .id = 3 };

	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(db_begin(f->db), 0);	/* second is free */
	assert_true(db_in_txn(f->db));
	exec_ok(f->db, "INSERT INTO mo (link, src, dst, dcs, text, received_at)"
		" VALUES ('l1', '8613800000000', '12333', 0, 'BT', 1)");
	assert_int_equal(db_after_commit(f->db, hook_cb, &h1), 0);
	assert_int_equal(db_after_commit(f->db, hook_cb, &h2), 0);
	assert_int_equal(db_after_commit(f->db, hook_cb, &h3), 0);
	assert_int_equal(log.n, 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_false(db_in_txn(f->db));
	assert_int_equal(log.n, 3);
	assert_int_equal(log.who[0], 1);
	assert_int_equal(log.who[1], 2);
	assert_int_equal(log.who[2], 3);
	assert_int_equal(log.rc[0], 0);
	assert_int_equal(log.rc[2], 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM mo"), 1);

	/* the list was cleared: a second commit runs nothing */
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(log.n, 3);
}

static void test_hooks_without_txn(void **state)
{
	struct fx *f = *state;
	struct hook_log log = { .n = 0 };
	struct hook later = { .log = &log, .id = 2 };
	struct hook first = { .log = &log, .id = 1, .db = f->db, .next = &later };

	/* registered outside a transaction: runs at the next commit */
	assert_int_equal(db_after_commit(f->db, hook_cb, &first), 0);
	assert_int_equal(log.n, 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.rc[0], 0);
	/* `first` registered `later` while hooks ran: not yet called */
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.who[1], 2);
}

/* A deferred foreign key violation makes the COMMIT itself fail. */
static void test_hooks_commit_failure(void **state)
{
	struct fx *f = *state;
	struct hook_log log = { .n = 0 };
	struct hook h1 = { .log = &log, .id = 1 };
	struct hook h2 = { .log = &log, .id = 2 };

	assert_int_equal(db_begin(f->db), 0);
	exec_ok(f->db, "PRAGMA defer_foreign_keys = ON");
	exec_ok(f->db, "INSERT INTO mo (link, src, dst, dcs, text, received_at)"
		" VALUES ('l1', '8613800000000', '12333', 0, 'BT', 1)");
	exec_ok(f->db, "INSERT INTO mt_part (mt_id, part, link, smsc_id)"
		" VALUES (4242, 1, 'l1', 'x')");
	assert_int_equal(db_after_commit(f->db, hook_cb, &h1), 0);
	assert_int_equal(db_after_commit(f->db, hook_cb, &h2), 0);
	assert_true(db_commit(f->db) < 0);
	assert_false(db_in_txn(f->db));
	assert_int_equal(log.n, 2);
	assert_true(log.rc[0] < 0);
	assert_true(log.rc[1] < 0);
	assert_int_equal(log.who[1], 2);
	/* everything of the iteration was rolled back */
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM mo"), 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM mt_part"), 0);

	/* and the next iteration works */
	assert_int_equal(db_begin(f->db), 0);
	exec_ok(f->db, "INSERT INTO mo (link, src, dst, dcs, text, received_at)"
		" VALUES ('l1', '8613800000000', '12333', 0, 'BT', 2)");
	assert_int_equal(db_after_commit(f->db, hook_cb, &h1), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(log.rc[2], 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM mo"), 1);
}

/* Many hooks: the list grows and keeps the order. */
static unsigned seq_calls;

static void seq_cb(void *data, int rc)
{
	assert_int_equal(rc, 0);
	assert_int_equal((uintptr_t)data, seq_calls);
	seq_calls++;
}

static void test_hooks_many(void **state)
{
	struct fx *f = *state;
	uintptr_t i;

	seq_calls = 0;
	assert_int_equal(db_begin(f->db), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(db_after_commit(f->db, seq_cb, (void *)i), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(seq_calls, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bootstrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_db_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_not_created, setup,
						teardown),
		cmocka_unit_test(test_errno_map),
		cmocka_unit_test_setup_teardown(test_prepare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hooks_after_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hooks_without_txn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hooks_commit_failure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hooks_many, setup, teardown),
	};
	const char *level = getenv("TEST_LOG");
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_db");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
