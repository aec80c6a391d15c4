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
#include <stdint.h>

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

/* Run sql (one or more statements) on db; fails the running test, with
 * SQLite's message and the start of the SQL, when it does not run. */
void testutil_exec(struct db *db, const char *sql);

/* The first column of the first row of a query, -1 when there is none. */
int64_t testutil_q1(struct db *db, const char *sql);
/* The same as text, copied under ctx; fails the test when there is none. */
char *testutil_q1_text(void *ctx, struct db *db, const char *sql);

/* A resident ID: the 17 digits first17 and their ISO 7064 check character
 * (out: 19 bytes). */
void testutil_resident_id(char *out, const char *first17);

/* Load conf/glossary.conf (the tests run from the repository's root): the
 * labels of codes. Fails the program when it does not load. */
void testutil_glossary(void);

#endif
