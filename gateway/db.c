/*
 * db.c - the SQLite database: opening, schema, prepared statements and the
 * group commit.
 *
 * The process keeps one connection in WAL mode, so readers such as skillctl
 * never block the writer. With synchronous=NORMAL (durability "crash") a
 * commit is a write to the WAL without an fsync: durable against a crash of
 * the process, ordered against power loss. synchronous=FULL (durability
 * "power-loss", the default of the daemon) adds one fsync per group commit,
 * so an MO that was acknowledged to the SMSC survives a power cut too.
 *
 * An empty database is bootstrapped from schema.sql; later versions are
 * the files of gateway/schema/, steps in db_steps[] indexed by PRAGMA
 * user_version, each run in its own transaction. The
 * schema version of this build is the number of steps, so there is no second
 * copy of it to keep in sync. A database written by a newer build is refused.
 *
 * Group commit: db_begin() opens one BEGIN IMMEDIATE per loop iteration,
 * db_commit() ends it and then runs the after-commit hooks with the outcome.
 * The invariant is that a hook registered before a COMMIT learns whether the
 * writes made before its registration are on disk: 0 when they are, a
 * negative errno when they were rolled back. If SQLite itself rolled the
 * transaction back under our feet (disk full, I/O error), db_begin() refuses
 * further writes for the rest of the iteration and db_commit() reports the
 * failure, so no hook is told "committed" for lost writes.
 *
 * Bulk writers: a connection of a worker thread that writes many
 * transactions in a row (the API's import) calls db_set_bulk(). The busy
 * handler of any other connection (the loop's) then raises a process-wide
 * flag (db_bulk_wanted()); the bulk writer ends its transaction early when
 * it sees it and pauses in db_bulk_yield() while the waiter, polling every
 * millisecond, takes the lock. Checkpoints stay SQLite's automatic ones on
 * every connection: the bulk writer's, after its own commits, copy most of
 * what it wrote, so the loop's are short; and only a checkpoint that the
 * loop completes right after its commit lets its next transaction restart
 * the WAL (leaving them all to the bulk writer grew the WAL to 800 MB in a
 * 1,000,000-row import, and every read of the loop slowed with it).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "gateway/log.h"
#include "gateway/privfile.h"

/* One upgrade step: from user_version == its index to index + 1. Step 0
 * creates the schema of an empty database (gateway/schema.sql), the others
 * are gateway/schema/NNN-*.sql in order: add a file for a new version, never
 * edit an earlier one. The Makefile turns them into db_steps[] (schema.h). */
struct db_step {
	const char *what;
	const char *sql;
};

#include "schema.h"

#define DB_CLOSE_TRIM_TRIES	20	/* db_close()'s trim: 200 ms at most */
#define DB_CLOSE_TRIM_PAUSE_US	10000

/* Statements of the group commit itself. */
enum db_stmt {
	DB_BEGIN,
	DB_COMMIT,
	DB_ROLLBACK,
	DB_SAVEPOINT,
	DB_RELEASE,
	DB_ROLLBACK_TO,
	DB_NUM_STMT
};

static const char *const db_stmt_sql[] = {
	[DB_BEGIN]	= "BEGIN IMMEDIATE",
	[DB_COMMIT]	= "COMMIT",
	[DB_ROLLBACK]	= "ROLLBACK",
	[DB_SAVEPOINT]	= "SAVEPOINT unit",
	[DB_RELEASE]	= "RELEASE unit",
	[DB_ROLLBACK_TO] = "ROLLBACK TO unit",
};

#define DB_BUSY_POLL_US		1000

/* Another connection waits for the write lock (its busy handler runs). */
static atomic_bool db_lock_wanted;

struct db_hook {
	db_commit_cb cb;
	void *data;
};

/* A growable list of hooks. Two of them are swapped at each commit so that
 * hooks registered while others run wait for the next commit. */
struct db_hooks {
	struct db_hook *v;
	unsigned n, cap;
};

struct db {
	sqlite3 *h;
	char *path;
	bool in_txn;			/* we opened a transaction */
	bool in_hooks;			/* db_run_hooks() is running */
	bool bulk;			/* db_set_bulk(): gives way to others */
	bool begin_busy;		/* BEGIN timed out in this iteration */
	bool in_unit;			/* db_unit_begin() made its savepoint */
	unsigned busy_ms;		/* db_set_busy_timeout() */
	unsigned long fault_seq;	/* db_fault_seq() at BEGIN */
	struct db_hooks pending;	/* run at the next db_commit() */
	struct db_hooks running;	/* being run now */
	struct db_commit_stats cs;	/* how long COMMITs took */
	sqlite3_stmt *st[DB_NUM_STMT];
};

int db_schema_version(void)
{
	return ARRAY_SIZE(db_steps);
}

sqlite3 *db_handle(struct db *db)
{
	return db->h;
}

bool db_in_txn(const struct db *db)
{
	return db->in_txn;
}

int db_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_CONSTRAINT:
		/* A unique clash is something the caller can act on; a
		 * NOT NULL, CHECK or foreign key violation is bad input and
		 * must not look temporary (retrying would fail forever). */
		if (rc == SQLITE_CONSTRAINT || rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return -EEXIST;
		return -EINVAL;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	default:
		return -EIO;
	}
}

int db_log_level(int rc)
{
	return db_fault_of(rc, 0) == DB_FAULT_NONE ? LOGL_ERROR : LOGL_INFO;
}

/* db_fault_seq() when this thread's last transaction ended. */
static __thread unsigned long db_seq_at_end;

int db_fail_level(void)
{
	return db_fault_last(db_seq_at_end, NULL) == DB_FAULT_NONE ?
	       LOGL_ERROR : LOGL_INFO;
}

/* A failed call of ours (result rc, what): noted as a fault if it is one
 * (db_fault.h), logged, turned into a negative errno. A storage fault is
 * logged at INFO only: the daemon says once when writes start and stop
 * failing (gateway/storage.c), skillctl says it in one line, not once per
 * statement. */
static int db_fail(struct db *db, int rc, const char *what)
{
	db_fault_note(rc, sqlite3_system_errno(db->h));
	LOGP(DDB, db_log_level(rc), "%s: %s: %s\n", db->path,
	     sqlite3_errmsg(db->h), what);
	return db_errno(rc) ? db_errno(rc) : -EIO;
}

/* Run a fixed piece of SQL (no input in it). 0 or negative errno, logged. */
static int db_exec(struct db *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(db, rc, sql);
}

/* Read a single integer (a PRAGMA or a count). */
static int db_query_int(struct db *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return rc == SQLITE_ROW ? 0 : db_fail(db, rc, sql);
}

/* Busy: try again every millisecond, up to DB_BUSY_TIMEOUT_MS. SQLite's
 * own handler backs off to 100 ms between tries, and a connection that
 * writes in a tight sequence of transactions (the API's import thread)
 * would then nearly always hold the lock when the waiter looks: the loop
 * could wait for the whole import. Polling every millisecond, it takes the
 * lock in the pause the importer makes between its transactions. */
static int db_busy_cb(void *data, int n)
{
	const struct db *db = data;

	if (!db->bulk)
		atomic_store_explicit(&db_lock_wanted, true,
				      memory_order_relaxed);
	if ((int64_t)n * DB_BUSY_POLL_US >= db->busy_ms * 1000LL)
		return 0;
	usleep(DB_BUSY_POLL_US);
	return 1;
}

#ifdef SKILLGW_TEST_HOOKS
/* The test build only (make test): $SKILLGW_TEST_MAX_PAGES caps the
 * database of this connection at that many pages, so that a test makes
 * SQLite answer SQLITE_FULL ("database or disk is full") as on a full disk,
 * without root or a small file system: pages another connection frees are
 * used again, pages beyond the cap are refused. */
static int db_test_max_pages(struct db *db)
{
	const char *v = getenv("SKILLGW_TEST_MAX_PAGES");
	unsigned long n = v ? strtoul(v, NULL, 10) : 0;
	char pragma[48];

	if (!n)
		return 0;
	/* a number we parsed, not text: formatting it is safe */
	snprintf(pragma, sizeof(pragma), "PRAGMA max_page_count = %lu", n);
	return db_exec(db, pragma);
}
#else
static int db_test_max_pages(struct db *db)
{
	return 0;
}
#endif

/* WAL whose file a reset truncates to DB_WAL_LIMIT (db.h), relaxed fsync
 * (see the file comment), foreign keys, temporary storage in memory, busy
 * timeout. */
static int db_configure(struct db *db)
{
	sqlite3_stmt *st;
	const char *mode = NULL;
	int rc;

	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_handler(db->h, db_busy_cb, db);
	rc = sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1, &st,
				NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || strcmp(mode, "wal"))
		LOGP(DDB, LOGL_NOTICE, "%s: journal mode is %s, not WAL\n",
		     db->path, mode ? mode : sqlite3_errmsg(db->h));
	sqlite3_finalize(st);
	/* temp_store: the ephemeral tables of IN (subquery) and RETURNING
	 * and the statement journals stay in RAM; on files (the default)
	 * every batch of the queue cost thousands of pwrite() calls to
	 * /var/tmp (bench_mtq: 54,000 -> 61,000 MT/s). */
	if (db_exec(db, "PRAGMA synchronous = NORMAL") ||
	    db_exec(db, "PRAGMA foreign_keys = ON") ||
	    db_exec(db, "PRAGMA temp_store = MEMORY") ||
	    db_exec(db, "PRAGMA journal_size_limit = " DB_WAL_LIMIT_SQL))
		return -EIO;
	return db_test_max_pages(db);
}

int db_set_loop_cache(struct db *db)
{
	return db_exec(db, "PRAGMA cache_size = " DB_LOOP_CACHE_SQL) ? -EIO : 0;
}

int db_set_durability(struct db *db, bool fsync_each_commit)
{
	return db_exec(db, fsync_each_commit ? "PRAGMA synchronous = FULL" :
			   "PRAGMA synchronous = NORMAL") ? -EIO : 0;
}

/* Run step i and record version i + 1, in one transaction. */
static int db_run_step(struct db *db, unsigned i)
{
	char pragma[48];

	/* The version number is ours, not input: formatting it is safe
	 * (PRAGMA takes no bound parameters). */
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %u", i + 1);
	if (db_exec(db, "BEGIN IMMEDIATE"))
		return -EIO;
	if (db_exec(db, db_steps[i].sql) || db_exec(db, pragma) ||
	    db_exec(db, "COMMIT")) {
		if (!sqlite3_get_autocommit(db->h))	/* SQLite may have */
			db_exec(db, "ROLLBACK");
		LOGP(DDB, LOGL_ERROR, "%s: upgrade step %u (%s) failed\n",
		     db->path, i, db_steps[i].what);
		return -EIO;
	}
	LOGP(DDB, LOGL_NOTICE, "%s: schema version %u: %s\n", db->path, i + 1,
	     db_steps[i].what);
	return 0;
}

/* Bring the schema to this build's version. Refuses a database of a newer
 * build and a non-empty database without a version (not ours). */
static int db_upgrade(struct db *db)
{
	int64_t ver, n_objects;
	unsigned i;

	if (db_query_int(db, "PRAGMA user_version", &ver) ||
	    db_query_int(db, "SELECT count(*) FROM sqlite_schema", &n_objects))
		return -EIO;
	if (ver > db_schema_version()) {
		LOGP(DDB, LOGL_ERROR, "%s: schema version %lld is newer than "
		     "this build knows (%d): refusing to open it; run the "
		     "newer skillgw or restore a backup\n", db->path,
		     (long long)ver, db_schema_version());
		return -EINVAL;
	}
	if (ver == 0 && n_objects > 0) {
		LOGP(DDB, LOGL_ERROR, "%s: has tables but no schema version: "
		     "not a skillgw database, refusing to touch it\n",
		     db->path);
		return -EINVAL;
	}
	for (i = ver; i < ARRAY_SIZE(db_steps); i++) {
		if (db_run_step(db, i))
			return -EIO;
	}
	return 0;
}

/* The file could not be opened (rc from SQLite, sys_errno from the
 * system): noted as a fault, logged. */
static void db_open_failed(const char *path, int rc, int sys_errno,
			   const char *why)
{
	db_fault_note(rc, sys_errno);
	LOGP(DDB, db_log_level(rc), "%s: cannot open: %s\n", path, why);
}

struct db *db_open(void *ctx, const char *path, bool create)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		    (create ? SQLITE_OPEN_CREATE : 0);
	struct db *db = talloc_zero(ctx, struct db);
	int rc;

	db_fault_init();
	if (!db)
		return NULL;
	db->path = talloc_strdup(db, path);
	db->busy_ms = DB_BUSY_TIMEOUT_MS;
	/* personal data: the file (and so its -wal and -shm) private */
	if (create && (rc = privfile_prepare_db(path)) < 0) {
		db_open_failed(path, SQLITE_CANTOPEN, -rc, strerror(-rc));
		talloc_free(db);
		return NULL;
	}
	rc = sqlite3_open_v2(path, &db->h, flags, NULL);
	if (rc != SQLITE_OK) {
		db_open_failed(path, rc, db->h ? sqlite3_system_errno(db->h) : 0,
			       db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		goto fail;
	}
	if (db_configure(db) || db_upgrade(db) ||
	    db_prepare(db, db_stmt_sql, DB_NUM_STMT, db->st))
		goto fail;
	LOGP(DDB, LOGL_INFO, "%s: open, schema version %d\n", path,
	     db_schema_version());
	return db;
fail:
	db_finalize(db->st, DB_NUM_STMT);
	sqlite3_close(db->h);
	talloc_free(db);
	return NULL;
}

/* A large transaction's WAL is not left behind: truncated, waiting a
 * little for another connection in the way (the daemon's checkpoint). */
static void db_close_trim(struct db *db)
{
	unsigned i;

	for (i = 0; i < DB_CLOSE_TRIM_TRIES && db_wal_trim(db) == -EBUSY; i++)
		usleep(DB_CLOSE_TRIM_PAUSE_US);
}

/* Commits what the last iteration left open (running its hooks), then
 * closes. Statements of other modules should be finalized first; if they
 * are not, SQLite closes once they are. */
void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->in_txn || db->pending.n)
		db_commit(db);
	db_close_trim(db);
	db_finalize(db->st, DB_NUM_STMT);
	if (sqlite3_close(db->h) != SQLITE_OK) {
		LOGP(DDB, LOGL_NOTICE, "%s: statements still prepared at "
		     "close\n", db->path);
		sqlite3_close_v2(db->h);
	}
	talloc_free(db);
}

void db_close_all(struct db *db)
{
	sqlite3_stmt *st;

	if (!db)
		return;
	if (db->in_txn || db->pending.n)
		db_commit(db);
	db_wal_trim(db);
	db_finalize(db->st, DB_NUM_STMT);
	while ((st = sqlite3_next_stmt(db->h, NULL)))
		sqlite3_finalize(st);
	sqlite3_close(db->h);
	talloc_free(db);
}

int db_prepare(struct db *db, const char *const *sql, unsigned n,
	       sqlite3_stmt **out)
{
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		if (!sql[i]) {
			LOGP(DDB, LOGL_ERROR, "statement %u has no SQL\n", i);
			goto fail;
		}
		rc = sqlite3_prepare_v3(db->h, sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &out[i],
					NULL);
		if (rc != SQLITE_OK) {
			LOGP(DDB, LOGL_ERROR, "%s: cannot prepare: %s: %s\n",
			     db->path, sqlite3_errmsg(db->h), sql[i]);
			goto fail;
		}
	}
	return 0;
fail:
	db_finalize(out, i);
	return -EIO;
}

void db_finalize(sqlite3_stmt **st, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		sqlite3_finalize(st[i]);
		st[i] = NULL;
	}
}

/* Step one of our own statements to completion and reset it. */
static int db_step_own(struct db *db, enum db_stmt which)
{
	int rc = sqlite3_step(db->st[which]);

	sqlite3_reset(db->st[which]);
	return rc == SQLITE_DONE ? 0 : db_fail(db, rc, db_stmt_sql[which]);
}

/* True when SQLite ended our transaction by itself (it rolls back on some
 * errors, e.g. SQLITE_FULL or SQLITE_IOERR). */
static bool db_txn_lost(const struct db *db)
{
	return db->in_txn && sqlite3_get_autocommit(db->h);
}

int db_begin(struct db *db)
{
	int rc;

	if (db_txn_lost(db)) {
		/* Everything written earlier in this iteration is gone: fail
		 * the rest of it too, db_commit() reports the loss. */
		return -EIO;
	}
	if (db->in_txn)
		return 0;
	if (db->begin_busy)	/* waited once in this iteration: enough */
		return -EBUSY;
	db->fault_seq = db_fault_seq();
	rc = db_step_own(db, DB_BEGIN);
	if (rc == -EBUSY)
		db->begin_busy = true;
	if (rc)
		return rc;
	db->in_txn = true;
	return 0;
}

/* Hand every pending hook the outcome. Hooks registered by a hook go to the
 * next commit. */
static void db_run_hooks(struct db *db, int rc)
{
	struct db_hooks tmp = db->running;
	unsigned i;

	if (db->in_hooks)	/* a hook committed: its hooks run next time */
		return;
	db->in_hooks = true;
	db->running = db->pending;
	db->pending = tmp;
	db->pending.n = 0;
	for (i = 0; i < db->running.n; i++)
		db->running.v[i].cb(db->running.v[i].data, rc);
	db->running.n = 0;
	db->in_hooks = false;
}

int db_unit_begin(struct db *db)
{
	int rc = db_begin(db);

	if (rc == 0)
		rc = db_step_own(db, DB_SAVEPOINT);
	db->in_unit = rc == 0;
	return rc;
}

/* A unit whose BEGIN failed (the lock, a full disk) has no savepoint to
 * undo or release. */
int db_unit_end(struct db *db, int rc)
{
	if (!db->in_unit)
		return rc;
	db->in_unit = false;
	if (rc < 0 && !db_txn_lost(db))
		db_step_own(db, DB_ROLLBACK_TO);
	if (!db_txn_lost(db))
		db_step_own(db, DB_RELEASE);
	return rc;
}

void db_set_bulk(struct db *db, bool on)
{
	db->bulk = on;
}

bool db_bulk_wanted(const struct db *db)
{
	return db->bulk && atomic_load_explicit(&db_lock_wanted,
						memory_order_relaxed);
}

void db_bulk_yield(struct db *db, unsigned pause_us)
{
	if (db->bulk && atomic_exchange(&db_lock_wanted, false))
		usleep(pause_us);
}

/* SQLite rolled the transaction back by itself: say why, from the fault
 * noted when it happened (its error message is gone by now). */
static void db_log_lost(struct db *db)
{
	char why[128];
	int e;
	enum db_fault f = db_fault_last(db->fault_seq, &e);

	LOGP(DDB, f ? LOGL_INFO : LOGL_ERROR, "%s: transaction was rolled "
	     "back by SQLite: %s\n", db->path,
	     db_fault_words(f, e, why, sizeof(why)));
}

/* The transaction is over (committed or not): hooks learn rc. */
static void db_end(struct db *db, int rc)
{
	db->in_txn = false;
	db->begin_busy = false;
	db_seq_at_end = db_fault_seq();
	db_run_hooks(db, rc);
}

static int64_t db_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* COMMIT, timed (its fsync and any checkpoint of the WAL hook in it). */
static int db_commit_timed(struct db *db)
{
	int64_t t0 = db_mono_us(), us;
	int rc = db_step_own(db, DB_COMMIT);

	us = db_mono_us() - t0;
	db->cs.n++;
	db->cs.slow += us > DB_COMMIT_SLOW_US;
	if (us > db->cs.max_us)
		db->cs.max_us = us;
	return rc;
}

int db_commit(struct db *db)
{
	int rc = 0;

	if (db_txn_lost(db)) {
		db_log_lost(db);
		rc = -EIO;
	} else if (db->in_txn) {
		rc = db_commit_timed(db);
		if (rc && !sqlite3_get_autocommit(db->h))
			db_step_own(db, DB_ROLLBACK);
	}
	db_end(db, rc);
	return rc;
}

void db_commit_stats(const struct db *db, struct db_commit_stats *out)
{
	*out = db->cs;
}

void db_rollback(struct db *db)
{
	/* after SQLITE_FULL or an I/O error SQLite has already rolled it
	 * back: a ROLLBACK would only fail ("no transaction is active") */
	if (!sqlite3_get_autocommit(db->h))
		db_step_own(db, DB_ROLLBACK);
	db_end(db, -ECANCELED);
}

void db_set_busy_timeout(struct db *db, unsigned ms)
{
	db->busy_ms = ms;
}

const char *db_path(const struct db *db)
{
	return db->path;
}

int db_after_commit(struct db *db, db_commit_cb cb, void *data)
{
	struct db_hooks *l = &db->pending;

	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 16;
		struct db_hook *v = talloc_realloc(db, l->v, struct db_hook,
						   cap);

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].cb = cb;
	l->v[l->n].data = data;
	l->n++;
	return 0;
}
