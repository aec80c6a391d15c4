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

#include "gateway/db.h"
#include "testutil.h"

#define TESTUTIL_TEMPLATE	"/tmp/%s_XXXXXX"

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

void testutil_db_destroy(struct db *db, const char *path)
{
	if (db)
		db_close(db);
	testutil_db_remove(path);
}
