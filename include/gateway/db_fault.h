/*
 * db_fault.h - storage faults: what a failed SQLite call says about the
 * disk and the database file, in words an operator can act on.
 *
 * The modules turn SQLite's result codes into -EIO or -EBUSY (db.h), which
 * is all their callers need to decide; the cause is kept aside, per thread
 * (each thread of the daemon, and skillctl, has its own connection), by
 * db_fault_note(). db.c notes the failures of its own statements, and
 * SQLite's error log (installed by db_open()) notes those of every other
 * statement, so whoever reports the failure (skillctl's one line, the API's
 * 503, the daemon's storage state) asks db_fault_last() what it was.
 */
#ifndef SGW_DB_FAULT_H
#define SGW_DB_FAULT_H

#include <stddef.h>

/* How long a writer waits for another's lock before SQLITE_BUSY. */
#define DB_BUSY_TIMEOUT_MS	5000

enum db_fault {
	DB_FAULT_NONE,
	DB_FAULT_FULL,		/* no space for the database or its WAL */
	DB_FAULT_LOCKED,	/* another writer kept the lock past the timeout */
	DB_FAULT_READONLY,	/* the file or file system takes no writes */
	DB_FAULT_PERM,		/* permission denied */
	DB_FAULT_CORRUPT,	/* not a database, or a damaged one */
	DB_FAULT_IO,		/* any other failure of the disk */
	DB_FAULT_NUM
};

/* Install SQLite's error log (once per process, before SQLite starts;
 * db_open() calls it). */
void db_fault_init(void);

/* The fault an SQLite result code (extended or primary) stands for, given
 * the system errno behind it (0: unknown). DB_FAULT_NONE for codes that
 * are no storage fault (constraints, misuse, SQL errors). */
enum db_fault db_fault_of(int rc, int sys_errno);

/* Note a failed call's result code on this thread (ignored when it is no
 * storage fault). */
void db_fault_note(int rc, int sys_errno);

/* This thread's count of noted faults: a caller remembers it before some
 * work and passes it to db_fault_last() after. */
unsigned long db_fault_seq(void);

/* The last fault noted on this thread after seq, DB_FAULT_NONE if none
 * was; *sys_errno (may be NULL) gets its errno (0: unknown). */
enum db_fault db_fault_last(unsigned long seq, int *sys_errno);

/* db_fault_last(), made precise for the database at path: a file that
 * could not be opened or created (SQLite's -wal beside a database on a
 * read-only file system fails with ENOENT) is read-only or forbidden when
 * the file or its directory says so. */
enum db_fault db_fault_last_at(unsigned long seq, int *sys_errno,
			       const char *path);

/* A word for metrics labels and JSON: "disk_full", "locked", ... */
const char *db_fault_name(enum db_fault f);

/* The fault in words for an operator: "disk full", "locked by another
 * process for longer than 5 s", "read-only", "permission denied",
 * "corrupt", "input/output error (...)". Returns buf. */
const char *db_fault_words(enum db_fault f, int sys_errno, char *buf,
			   size_t cap);

#endif
