/*
 * testutil.c - helpers shared by the unit tests (see testutil.h).
 */
#include <limits.h>
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
#include "handlers/domain/codes.h"
#include "handlers/domain/idcard.h"
#include "testutil.h"

#define TESTUTIL_TEMPLATE	"/tmp/%s_XXXXXX"
#define TESTUTIL_GLOSSARY	"conf/glossary.conf"

struct db *testutil_db_create(void *ctx, const char *name, char *path,
			      size_t cap)
{
	struct db *db;
	int n, fd;

	n = snprintf(path, cap, TESTUTIL_TEMPLATE, name);
	assert_true(n > 0 && (size_t)n < cap);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	db = db_open(ctx, path, true);
	assert_non_null(db);
	return db;
}

void testutil_db_remove(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

void testutil_exec(struct db *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &err) != SQLITE_OK) {
		print_error("%s\nin: %.200s\n", err, sql);
		sqlite3_free(err);
		fail();
	}
}

int64_t testutil_q1(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st,
					    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

char *testutil_q1_text(void *ctx, struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	char *v = NULL;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st,
					    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = talloc_strdup(ctx, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_non_null(v);
	return v;
}

void testutil_resident_id(char *out, const char *first17)
{
	snprintf(out, IDCARD_LEN + 1, "%.17s%c", first17,
		 idcard_check_char(first17));
}

void testutil_glossary(void)
{
	if (codes_load(TESTUTIL_GLOSSARY, stderr) != 0) {
		fprintf(stderr, "cannot load %s (run from the repository)\n",
			TESTUTIL_GLOSSARY);
		exit(1);
	}
}

void testutil_db_destroy(struct db *db, const char *path)
{
	if (db)
		db_close(db);
	testutil_db_remove(path);
}
