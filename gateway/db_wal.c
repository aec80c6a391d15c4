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
 * later. skillctl trims before it closes.
 *
 * The daemon's checkpoints run off the loop (db_wal_keeper_*): its loop
 * connection has SQLite's autocheckpoint off (a checkpoint inside the
 * group commit made commits of 10-18 ms), and a thread with a connection
 * of its own checkpoints PASSIVE (copying the WAL into the database
 * without blocking the loop's writes) every DB_WAL_KEEPER_MS when the loop
 * has committed since, and at once
 * when a commit of the loop leaves DB_WAL_PASSIVE_PAGES or more in the
 * WAL; it truncates a WAL over DB_WAL_LIMIT when the loop commits nothing.
 * A transaction that begins after a complete checkpoint starts the WAL
 * over; as the thread seldom ends on the last frame between two of the
 * loop's transactions, the loop copies the last DB_WAL_TAIL_PAGES or fewer
 * itself once the WAL has 2 * DB_WAL_PASSIVE_PAGES (8 MiB, DB_WAL_LIMIT):
 * that costs the loop a small copy and the database file's fsync, once
 * per 2,000 pages written, instead of the whole checkpoint every 1,000.
 * Should the thread fall behind (a slow disk, a long reader), the loop
 * checkpoints itself when the WAL has gone on growing past
 * DB_WAL_HARD_LIMIT, and says so: that bounds the WAL to about
 * DB_WAL_HARD_LIMIT and two group commits.
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

#define DB_WAL_KEEPER_MS	250	/* a PASSIVE checkpoint this often */
#define DB_WAL_LOOP_LOG_MS	60000	/* the loop's checkpoints: said so often */
#define DB_WAL_TAIL_PAGES	256	/* the loop copies a tail this long */

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
	sqlite3 *loop;			/* the loop's connection (its hook) */
	int hard_frames;		/* DB_WAL_HARD_LIMIT in frames */
	int over_frames;		/* the WAL when first past it, or 0 */
	int last_frames;		/* the WAL at the loop's last commit */
	int64_t loop_logged_ms;		/* the loop's last checkpoint said */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;			/* under mu */
	bool wake;			/* under mu: checkpoint now */
	unsigned done_epoch;		/* under mu: the thread's last */
	int done_frames;		/*  checkpoint: frames copied */
	atomic_uint epoch;		/* WALs started over (seen by the loop) */
	atomic_bool busy;		/* the thread is checkpointing */
	atomic_ulong commits;		/* the loop's commits */
	atomic_llong bytes;		/* the WAL's size, last look */
	atomic_ulong trims;		/* WALs truncated */
	atomic_ulong passive;		/* PASSIVE checkpoints that copied */
	atomic_ulong tails;		/* the loop's checkpoints of a tail */
	atomic_llong tail_max_us;	/* the longest of them */
	atomic_ulong loop_ckpts;	/* checkpoints the loop had to do */
};

static int64_t db_wal_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sleep a period, or until woken or told to stop. True: stop. */
static bool db_wal_keeper_wait(struct db_wal_keeper *k)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += DB_WAL_KEEPER_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&k->mu);
	while (!k->stop && !k->wake &&
	       pthread_cond_timedwait(&k->cv, &k->mu, &until) != ETIMEDOUT)
		;
	k->wake = false;
	stop = k->stop;
	pthread_mutex_unlock(&k->mu);
	return stop;
}

/* The loop's fallback: the thread is behind, the WAL past its hard bound.
 * Said at once, then at most once a DB_WAL_LOOP_LOG_MS. */
static void db_wal_loop_checkpoint(struct db_wal_keeper *k, sqlite3 *h,
				   const char *name, int frames)
{
	int64_t now = db_wal_mono_us() / 1000;
	unsigned long n;
	int rc = sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE,
					   NULL, NULL);

	if (rc != SQLITE_OK)	/* a reader or the thread in the way */
		return;
	n = atomic_fetch_add(&k->loop_ckpts, 1) + 1;
	if (k->loop_logged_ms && now - k->loop_logged_ms < DB_WAL_LOOP_LOG_MS)
		return;
	k->loop_logged_ms = now;
	LOGP(DDB, LOGL_NOTICE, "%s: WAL of %d pages past its bound: the loop "
	     "checkpointed it itself (%lu times so far): the thread is behind"
	     "\n", k->path, frames, n);
}

static void db_wal_wake(struct db_wal_keeper *k)
{
	pthread_mutex_lock(&k->mu);
	if (!k->wake) {
		k->wake = true;
		pthread_cond_signal(&k->cv);
	}
	pthread_mutex_unlock(&k->mu);
}

/* Frames of this WAL the thread has copied into the database (0: none,
 * or its last checkpoint was of a WAL since started over). */
static int db_wal_backfilled(struct db_wal_keeper *k)
{
	int n;

	pthread_mutex_lock(&k->mu);
	n = k->done_epoch == atomic_load(&k->epoch) ? k->done_frames : 0;
	pthread_mutex_unlock(&k->mu);
	return n;
}

/* The loop copies the WAL's last DB_WAL_TAIL_PAGES or fewer, timed. */
static void db_wal_tail(struct db_wal_keeper *k, sqlite3 *h, const char *name)
{
	int64_t t0 = db_wal_mono_us(), us;

	if (sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL,
				      NULL) != SQLITE_OK)
		return;
	us = db_wal_mono_us() - t0;
	atomic_fetch_add(&k->tails, 1);
	if (us > atomic_load(&k->tail_max_us))
		atomic_store(&k->tail_max_us, us);
}

/* More than a tail left to copy, past DB_WAL_HARD_LIMIT and grown since
 * the last commit that found it so: the loop checkpoints (true). One large
 * transaction, such as the storage reserve at the start, leaves it to the
 * thread. */
static bool db_wal_hard(struct db_wal_keeper *k, sqlite3 *h,
			const char *name, int frames)
{
	if (frames < k->hard_frames) {
		k->over_frames = 0;
		return false;
	}
	if (!k->over_frames || frames <= k->over_frames) {
		k->over_frames = frames;
		return false;
	}
	k->over_frames = 0;
	db_wal_loop_checkpoint(k, h, name, frames);
	return true;
}

/* SQLite's WAL hook on the loop's connection, after each commit (it takes
 * the place of the autocheckpoint). Past DB_WAL_PASSIVE_PAGES, while the
 * thread is not checkpointing: it is woken when more than
 * DB_WAL_TAIL_PAGES are left to copy; else, past 2 * DB_WAL_PASSIVE_PAGES,
 * the loop copies that tail itself (see the file comment). */
static int db_wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	struct db_wal_keeper *k = arg;

	atomic_fetch_add(&k->commits, 1);
	if (frames < k->last_frames)	/* the WAL started over */
		atomic_fetch_add(&k->epoch, 1);
	k->last_frames = frames;
	if (frames < DB_WAL_PASSIVE_PAGES) {
		k->over_frames = 0;
		return SQLITE_OK;
	}
	if (atomic_load(&k->busy))	/* the thread is at it */
		return SQLITE_OK;
	if (frames - db_wal_backfilled(k) <= DB_WAL_TAIL_PAGES) {
		k->over_frames = 0;
		if (frames >= 2 * DB_WAL_PASSIVE_PAGES)
			db_wal_tail(k, h, name);
	} else if (!db_wal_hard(k, h, name, frames)) {
		db_wal_wake(k);
	}
	return SQLITE_OK;
}

/* A PASSIVE checkpoint; what it copied is noted for the loop's hook. */
static void db_wal_keeper_passive(struct db_wal_keeper *k, struct db *db)
{
	unsigned epoch = atomic_load(&k->epoch);
	int log = 0, done = 0, rc;

	atomic_store(&k->busy, true);
	rc = sqlite3_wal_checkpoint_v2(db_handle(db), NULL,
				       SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	atomic_store(&k->busy, false);
	if (rc != SQLITE_OK)
		return;
	pthread_mutex_lock(&k->mu);
	k->done_epoch = epoch;
	k->done_frames = done;
	pthread_mutex_unlock(&k->mu);
	if (done > 0)
		atomic_fetch_add(&k->passive, 1);
}

/* One round of the thread: a PASSIVE checkpoint when the loop has
 * committed since the last round; else a WAL over the bound is truncated
 * (truncating takes the write lock: never while the loop writes). */
static void db_wal_keeper_round(struct db_wal_keeper *k, struct db *db,
				unsigned long *commits)
{
	unsigned long now = atomic_load(&k->commits);

	if (now != *commits)
		db_wal_keeper_passive(k, db);
	else if (db_wal_bytes(db) > DB_WAL_LIMIT && db_wal_trim(db) == 0)
		atomic_fetch_add(&k->trims, 1);
	*commits = now;
	atomic_store(&k->bytes, db_wal_bytes(db));
}

static void *db_wal_keeper_main(void *arg)
{
	struct db_wal_keeper *k = arg;
	struct db *db = db_open(k->mem, k->path, false);
	unsigned long commits = ~0UL;

	if (!db) {
		LOGP(DDB, LOGL_ERROR, "%s: the WAL keeper has no connection: "
		     "the WAL is trimmed by the daemon's commits only\n",
		     k->path);
		return NULL;
	}
	while (!db_wal_keeper_wait(k))
		db_wal_keeper_round(k, db, &commits);
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

/* The loop's connection: the hook instead of the autocheckpoint. */
static void db_wal_keeper_hook(struct db_wal_keeper *k, struct db *db)
{
	sqlite3_stmt *st = NULL;
	int page = 4096;

	if (sqlite3_prepare_v2(db_handle(db), "PRAGMA page_size", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0)
		page = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	k->hard_frames = DB_WAL_HARD_LIMIT / (page + 24);	/* + a header */
	k->loop = db_handle(db);
	sqlite3_wal_hook(k->loop, db_wal_hook, k);
}

struct db_wal_keeper *db_wal_keeper_start(void *ctx, struct db *db)
{
	struct db_wal_keeper *k = talloc_zero(ctx, struct db_wal_keeper);

	if (!k)
		return NULL;
	k->path = talloc_strdup(k, db_path(db));
	/* a tree of its own: the thread allocates in it, the loop does not */
	k->mem = talloc_named_const(NULL, 0, "db_wal_keeper");
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (!k->path || !k->mem || db_wal_keeper_thread(k) < 0) {
		talloc_free(k->mem);
		talloc_free(k);
		return NULL;
	}
	db_wal_keeper_hook(k, db);
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

void db_wal_keeper_counts(const struct db_wal_keeper *k,
			  struct db_wal_counts *c)
{
	c->passive = k ? atomic_load(&k->passive) : 0;
	c->tails = k ? atomic_load(&k->tails) : 0;
	c->tail_max_us = k ? atomic_load(&k->tail_max_us) : 0;
	c->loop = k ? atomic_load(&k->loop_ckpts) : 0;
}

void db_wal_keeper_stop(struct db_wal_keeper *k)
{
	if (!k)
		return;
	/* the loop's connection checkpoints for itself again */
	sqlite3_wal_autocheckpoint(k->loop, DB_WAL_PASSIVE_PAGES);
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
