/*
 * db_fault.c - storage faults: SQLite's result codes sorted into the few
 * causes an operator can act on, and the last one of each thread.
 *
 * SQLite reports a full disk as SQLITE_FULL, but an error of the file
 * system below it (a write on a file system remounted read-only, an open
 * refused) as SQLITE_IOERR or SQLITE_CANTOPEN; the errno behind those is
 * in the line its error log writes ("os_unix.c:NNN: (28) write(...) -
 * ..."), which is how this file learns it. The error log is process-wide
 * and runs on the thread that failed, so the record of the last fault is
 * thread-local: a worker thread's import does not change what the loop
 * sees, and skillctl (one thread) sees its own.
 *
 * Codes that are no storage fault (a unique clash, a CHECK, an SQL error,
 * SQLite's notices and warnings) are ignored: they say nothing about the
 * disk.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "gateway/db_fault.h"

struct db_fault_rec {
	enum db_fault fault;
	int sys_errno;
	unsigned long seq;
};

static __thread struct db_fault_rec db_fault_cur;
static pthread_once_t db_fault_once = PTHREAD_ONCE_INIT;

static const char *const db_fault_names[DB_FAULT_NUM] = {
	[DB_FAULT_NONE]		= "none",
	[DB_FAULT_FULL]		= "disk_full",
	[DB_FAULT_LOCKED]	= "locked",
	[DB_FAULT_READONLY]	= "read_only",
	[DB_FAULT_PERM]		= "permission_denied",
	[DB_FAULT_CORRUPT]	= "corrupt",
	[DB_FAULT_IO]		= "io_error",
};

/* The errno of a failing system call, as the error log of SQLite's unix
 * layer writes it ("os_unix.c:NNN: (28) write(...) - ..."); 0 if none. */
static int db_fault_log_errno(const char *msg)
{
	const char *p = msg ? strstr(msg, ": (") : NULL;
	char *end;
	long e;

	if (!p)
		return 0;
	e = strtol(p + 3, &end, 10);
	return *end == ')' && e > 0 && e < 4096 ? (int)e : 0;
}

/* SQLite's error log: every failure it logs, noted on this thread. */
static void db_fault_log_cb(void *data, int rc, const char *msg)
{
	db_fault_note(rc, db_fault_log_errno(msg));
}

static void db_fault_install(void)
{
	/* fails (SQLITE_MISUSE) if SQLite was started before: then only the
	 * failures db.c sees itself are noted */
	sqlite3_config(SQLITE_CONFIG_LOG, db_fault_log_cb, NULL);
}

void db_fault_init(void)
{
	pthread_once(&db_fault_once, db_fault_install);
}

/* An error of the file system, by its errno. */
static enum db_fault db_fault_of_errno(int sys_errno)
{
	switch (sys_errno) {
	case ENOSPC:
	case EDQUOT:
		return DB_FAULT_FULL;
	case EROFS:
		return DB_FAULT_READONLY;
	case EACCES:
	case EPERM:
		return DB_FAULT_PERM;
	default:
		return DB_FAULT_IO;
	}
}

enum db_fault db_fault_of(int rc, int sys_errno)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return DB_FAULT_FULL;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_FAULT_LOCKED;
	case SQLITE_READONLY:
		return DB_FAULT_READONLY;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return DB_FAULT_PERM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return DB_FAULT_CORRUPT;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return db_fault_of_errno(sys_errno);
	default:
		return DB_FAULT_NONE;
	}
}

void db_fault_note(int rc, int sys_errno)
{
	enum db_fault f = db_fault_of(rc, sys_errno);

	if (f == DB_FAULT_NONE)
		return;
	db_fault_cur.fault = f;
	db_fault_cur.sys_errno = sys_errno;
	db_fault_cur.seq++;
}

unsigned long db_fault_seq(void)
{
	return db_fault_cur.seq;
}

enum db_fault db_fault_last(unsigned long seq, int *sys_errno)
{
	bool since = db_fault_cur.seq != seq;

	if (sys_errno)
		*sys_errno = since ? db_fault_cur.sys_errno : 0;
	return since ? db_fault_cur.fault : DB_FAULT_NONE;
}

/* Why path (or, with dir, its directory) cannot be written: EROFS,
 * EACCES ... or 0. */
static int db_fault_unwritable(const char *path, bool dir)
{
	char *copy = strdup(path), *slash;
	int e = 0;

	if (!copy)
		return 0;
	slash = strrchr(copy, '/');
	if (dir && slash)
		*(slash == copy ? slash + 1 : slash) = '\0';
	else if (dir)
		strcpy(copy, ".");
	if (access(copy, W_OK) < 0 && errno != ENOENT)
		e = errno;
	free(copy);
	return e;
}

enum db_fault db_fault_last_at(unsigned long seq, int *sys_errno,
			       const char *path)
{
	int e, w;
	enum db_fault f = db_fault_last(seq, &e);

	if (f == DB_FAULT_IO && (e == ENOENT || e == 0) && path &&
	    ((w = db_fault_unwritable(path, false)) ||
	     (w = db_fault_unwritable(path, true)))) {
		f = db_fault_of_errno(w);
		e = w;
	}
	if (sys_errno)
		*sys_errno = e;
	return f;
}

const char *db_fault_name(enum db_fault f)
{
	return f < DB_FAULT_NUM ? db_fault_names[f] : "unknown";
}

const char *db_fault_words(enum db_fault f, int sys_errno, char *buf,
			   size_t cap)
{
	switch (f) {
	case DB_FAULT_FULL:
		snprintf(buf, cap, "disk full");
		break;
	case DB_FAULT_LOCKED:
		snprintf(buf, cap, "locked by another process for longer "
			 "than %d s", DB_BUSY_TIMEOUT_MS / 1000);
		break;
	case DB_FAULT_READONLY:
		snprintf(buf, cap, "read-only");
		break;
	case DB_FAULT_PERM:
		snprintf(buf, cap, "permission denied");
		break;
	case DB_FAULT_CORRUPT:
		snprintf(buf, cap, "corrupt (restore a backup)");
		break;
	case DB_FAULT_IO:
		snprintf(buf, cap, "input/output error%s%s%s",
			 sys_errno ? " (" : "",
			 sys_errno ? strerror(sys_errno) : "",
			 sys_errno ? ")" : "");
		break;
	default:
		snprintf(buf, cap, "database error");
		break;
	}
	return buf;
}
