/*
 * db_wal.c - the WAL's bound: its size, the checkpoint that truncates it,
 * and the daemon's thread that does so off the loop.
 *
 * Every connection sets PRAGMA journal_size_limit = DB_WAL_LIMIT (db.c):
 * when a writer restarts the WAL after a complete checkpoint, its commit
 * truncates the file to that size. That keeps the WAL of a busy daemon
 * within the bound, and keeps that much of it (the WAL is written over,
 * not grown, after a restart), so that its commits need no new space on a
 * full disk. It does not help after a transaction larger than the bound
 * when nobody writes next (a failed 300,000-row skillctl send on a full
 * disk left a 23 MiB WAL there until the daemon stopped): db_wal_trim()
 * then checkpoints with SQLITE_CHECKPOINT_TRUNCATE, which empties the file.
 *
 * The trim never waits: its busy handler is off, so when a reader or a
 * writer is in the way it returns -EBUSY at once and is tried again
 * later. In the daemon it runs in a thread of its own with its own
 * connection, once a second (db_wal_keeper_*), so the loop never spends a
 * checkpoint's time on it; skillctl trims before it closes.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <osmocom/core/talloc.h>

#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "gateway/log.h"

#define DB_WAL_KEEPER_PERIOD_S	1

int64_t db_wal_bytes(const struct db *db)
{
	char wal[4096];
	struct stat sb;

	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", db_path(db)) >=
	    sizeof(wal))
		return -ENAMETOOLONG;
	if (stat(wal, &sb) < 0)
		return errno == ENOENT ? 0 : -errno;
	return sb.st_size;
}

int db_wal_trim(struct db *db)
{
	sqlite3 *h = db_handle(db);
	int64_t n = db_wal_bytes(db);
	int rc;

	if (n <= DB_WAL_LIMIT)
		return 0;
	db_set_busy_timeout(db, 0);
	rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				       NULL, NULL);
	db_set_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK) {
		LOGP(DDB, LOGL_INFO, "%s: WAL of %lld bytes truncated\n",
		     db_path(db), (long long)n);
		return 0;
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return -EBUSY;
	db_fault_note(rc, sqlite3_system_errno(h));
	LOGP(DDB, db_log_level(rc), "%s: cannot truncate the WAL: %s\n",
	     db_path(db), sqlite3_errmsg(h));
	return -EIO;
}

/* ---- the daemon's thread -------------------------------------------------- */

struct db_wal_keeper {
	char *path;
	void *mem;			/* the thread's memory */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;			/* under mu */
	atomic_llong bytes;		/* the WAL's size, last look */
	atomic_ulong trims;		/* WALs truncated */
};

/* Sleep a period, or until told to stop. True: stop. */
static bool db_wal_keeper_wait(struct db_wal_keeper *k)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += DB_WAL_KEEPER_PERIOD_S;
	pthread_mutex_lock(&k->mu);
	while (!k->stop &&
	       pthread_cond_timedwait(&k->cv, &k->mu, &until) != ETIMEDOUT)
		;
	stop = k->stop;
	pthread_mutex_unlock(&k->mu);
	return stop;
}

static void *db_wal_keeper_main(void *arg)
{
	struct db_wal_keeper *k = arg;
	struct db *db = db_open(k->mem, k->path, false);

	if (!db) {
		LOGP(DDB, LOGL_ERROR, "%s: the WAL keeper has no connection: "
		     "the WAL is trimmed by the daemon's commits only\n",
		     k->path);
		return NULL;
	}
	while (!db_wal_keeper_wait(k)) {
		if (db_wal_bytes(db) > DB_WAL_LIMIT && db_wal_trim(db) == 0)
			atomic_fetch_add(&k->trims, 1);
		atomic_store(&k->bytes, db_wal_bytes(db));
	}
	db_close_all(db);
	return NULL;
}

/* The thread, with every signal blocked: the loop takes them (signalfd),
 * and one delivered to this thread would end the process. */
static int db_wal_keeper_thread(struct db_wal_keeper *k)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&k->th, NULL, db_wal_keeper_main, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc ? -rc : 0;
}

struct db_wal_keeper *db_wal_keeper_start(void *ctx, const char *path)
{
	struct db_wal_keeper *k = talloc_zero(ctx, struct db_wal_keeper);

	if (!k)
		return NULL;
	k->path = talloc_strdup(k, path);
	/* a tree of its own: the thread allocates in it, the loop does not */
	k->mem = talloc_named_const(NULL, 0, "db_wal_keeper");
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (!k->path || !k->mem || db_wal_keeper_thread(k) < 0) {
		talloc_free(k->mem);
		talloc_free(k);
		return NULL;
	}
	return k;
}

int64_t db_wal_keeper_bytes(const struct db_wal_keeper *k)
{
	return k ? atomic_load(&k->bytes) : 0;
}

unsigned long db_wal_keeper_trims(const struct db_wal_keeper *k)
{
	return k ? atomic_load(&k->trims) : 0;
}

void db_wal_keeper_stop(struct db_wal_keeper *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = true;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->th, NULL);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	talloc_free(k->mem);
	talloc_free(k);
}
