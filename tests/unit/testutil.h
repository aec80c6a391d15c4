/*
 * testutil.h - helpers shared by the unit tests (tests/unit/testutil.c is
 * linked into every test program).
 *
 * A test that needs a database gets a fresh file of its own under /tmp,
 * opened as a new database (schema bootstrapped), and removes it with its
 * -wal and -shm files afterwards:
 *
 *	f->db = testutil_db_create(f, "test_mo", f->path, sizeof(f->path));
 *	...
 *	testutil_db_destroy(f->db, f->path);
 */
#ifndef SGW_TESTUTIL_H
#define SGW_TESTUTIL_H

#include <stddef.h>

struct db;

/* Create the empty file /tmp/NAME_XXXXXX (mkstemp), write its path into
 * path (cap octets) and open it with db_open(ctx, path, true). Fails the
 * running cmocka test when any of it goes wrong, so never returns NULL. */
struct db *testutil_db_create(void *ctx, const char *name, char *path,
			      size_t cap);

/* db_close(db) when db is not NULL, then testutil_db_remove(path). */
void testutil_db_destroy(struct db *db, const char *path);

/* Remove the database file path and its -wal and -shm files, if there. */
void testutil_db_remove(const char *path);

#endif
