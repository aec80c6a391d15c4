/*
 * db.h - the SQLite database: opening, schema, prepared statements and the
 * group commit.
 *
 * One connection per process, WAL mode. Each module keeps its SQL in a
 * static table indexed by an enum and prepares it once through db_prepare().
 * Functions of all modules return 0 or a negative errno: -ENOENT no row,
 * -EEXIST unique clash, -EINVAL bad input, -EBUSY locked, -EIO anything else.
 *
 * Group commit: writers call db_begin() before they write; the first call in
 * a loop iteration opens a BEGIN IMMEDIATE transaction, later ones are free.
 * main.c calls db_commit() once per loop iteration; after the COMMIT the
 * hooks registered with db_after_commit() run in order with the outcome (0 or
 * the negative errno of a failed commit, after which everything written in
 * the iteration is rolled back). That is how a deliver_sm_resp leaves only
 * after its MO is on disk.
 */
#ifndef SGW_DB_H
#define SGW_DB_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

/* The WAL's bound: a connection that restarts the WAL (after a complete
 * checkpoint) truncates its file to this size (PRAGMA journal_size_limit),
 * and db_wal_trim() truncates a larger one. Above it only while a
 * transaction larger than it is open, or until the next trim after one
 * ended (committed or not). */
#define DB_WAL_LIMIT		(8 * 1024 * 1024)
#define DB_WAL_LIMIT_SQL	"8388608"
/* The daemon's checkpoints (db_wal.c): its thread is woken when a commit
 * leaves this many pages in the WAL (SQLite's own autocheckpoint point);
 * past DB_WAL_HARD_LIMIT bytes the loop checkpoints itself. */
#define DB_WAL_PASSIVE_PAGES	1000
#define DB_WAL_HARD_LIMIT	(2 * DB_WAL_LIMIT)

struct db;

typedef void (*db_commit_cb)(void *data, int rc);

/* Open (creating if allowed) the database at path: WAL, busy timeout,
 * foreign keys, bootstrap from schema.sql on an empty file, upgrades by
 * PRAGMA user_version. NULL on error (logged). */
struct db *db_open(void *ctx, const char *path, bool create);
void db_close(struct db *db);
/* Close, finalizing every statement still prepared on the connection: for
 * a worker thread's connection, whose modules' statement tables go away
 * with the thread's memory (never call their free functions after). */
void db_close_all(struct db *db);
/* on: this connection (a worker thread's) writes many transactions in a
 * row and gives way to the process's other connections (see db.c). */
void db_set_bulk(struct db *db, bool on);
/* A bulk writer's: true when another connection waits for the write lock
 * (end the transaction soon). Call db_bulk_yield() after each transaction
 * (committed or not): it pauses pause_us if a connection waited, so that
 * it takes the lock. */
bool db_bulk_wanted(const struct db *db);
void db_bulk_yield(struct db *db, unsigned pause_us);
sqlite3 *db_handle(struct db *db);
const char *db_path(const struct db *db);
/* How long a writer waits for the lock: DB_BUSY_TIMEOUT_MS (db_fault.h)
 * after db_open(). */
void db_set_busy_timeout(struct db *db, unsigned ms);

/* The size of the WAL file in bytes (0: none), or a negative errno. */
int64_t db_wal_bytes(const struct db *db);
/* A WAL file larger than DB_WAL_LIMIT: checkpoint and truncate it, without
 * waiting for other connections. 0 (done, or nothing to do), -EBUSY (a
 * reader or writer is in the way: try later), -EIO. */
int db_wal_trim(struct db *db);

/* The daemon's: a thread with a connection of its own to db's file that
 * checkpoints the WAL (PASSIVE) and trims it (db_wal_trim()), so the loop
 * never waits for it; db's own autocheckpoint is off until the keeper
 * stops (the loop checkpoints only past DB_WAL_HARD_LIMIT). NULL on
 * error (db keeps its autocheckpoint). */
struct db_wal_keeper;
struct db_wal_keeper *db_wal_keeper_start(void *ctx, struct db *db);
/* The WAL's size at the keeper's last look; WALs it truncated. */
int64_t db_wal_keeper_bytes(const struct db_wal_keeper *k);
unsigned long db_wal_keeper_trims(const struct db_wal_keeper *k);
/* PASSIVE checkpoints of the thread that copied pages; the loop's of a
 * WAL's last few pages; the loop's past DB_WAL_HARD_LIMIT (the thread was
 * behind). */
struct db_wal_counts {
	unsigned long passive, tails, loop;
	int64_t tail_max_us;		/* the longest of the loop's tails */
};
void db_wal_keeper_counts(const struct db_wal_keeper *k,
			  struct db_wal_counts *c);
/* Stops the thread; db's autocheckpoint is on again. */
void db_wal_keeper_stop(struct db_wal_keeper *k);

/* How long the COMMITs of db_commit() took: their number, the longest,
 * and those over DB_COMMIT_SLOW_US. */
#define DB_COMMIT_SLOW_US	5000
struct db_commit_stats {
	unsigned long n, slow;
	int64_t max_us;
};
void db_commit_stats(const struct db *db, struct db_commit_stats *out);

/* The loop's connection: a page cache of 8 MiB instead of
 * SQLite's 2 MiB. With 2 MiB the queue's writes pushed the upper pages of
 * the roster's b-trees out, and an SMS command read them again from the
 * file (a system call each): BT on 1,000,000 workers, 100 outstanding,
 * seven runs each alternately, median 14,000 replies/s at 60 us of CPU
 * each with 2 MiB, 15,800 at 51 us with 8 MiB; RSS with 1,000,000 queued
 * 19 MiB instead of 12.5 (16 MiB of cache: 28 MiB). Other connections keep
 * SQLite's default. */
#define DB_LOOP_CACHE_SQL	"-8192"		/* KiB, as PRAGMA cache_size */
int db_set_loop_cache(struct db *db);

/* false: a commit survives a crash of the process (synchronous=NORMAL, the
 * default after db_open); true: also a power cut (synchronous=FULL, one
 * fsync per group commit). */
int db_set_durability(struct db *db, bool fsync_each_commit);

/* Schema version this build writes (the number of upgrade steps). */
int db_schema_version(void);

/* Prepare n statements from sql[] into out[]. 0 or -EIO (logged with the
 * failing SQL). */
int db_prepare(struct db *db, const char *const *sql, unsigned n,
	       sqlite3_stmt **out);
void db_finalize(sqlite3_stmt **st, unsigned n);

/* Map an SQLite result code to 0 / negative errno. */
int db_errno(int rc);
/* The log level of a failed call with result rc: LOGL_INFO for a storage
 * fault (db_fault.h: said once elsewhere), else LOGL_ERROR. */
int db_log_level(int rc);
/* The log level for a failure a module saw as a negative errno:
 * LOGL_INFO when a storage fault was noted on this thread since its last
 * transaction ended (the daemon says that once, gateway/storage.c: not
 * once per message), else LOGL_ERROR. */
int db_fail_level(void);

/* Group commit, see above. After a BEGIN that waited for the lock in vain,
 * db_begin() fails at once (-EBUSY) until db_commit(): one wait per loop
 * iteration, not one per message. */
int db_begin(struct db *db);
int db_commit(struct db *db);
/* End the open transaction without keeping it (hooks get -ECANCELED).
 * Nothing to roll back when SQLite did it already (a full disk, an I/O
 * error). */
void db_rollback(struct db *db);
bool db_in_txn(const struct db *db);
int db_after_commit(struct db *db, db_commit_cb cb, void *data);

/* A unit of work inside the group commit that succeeds or leaves nothing:
 * db_unit_begin() opens the transaction if needed and a savepoint;
 * db_unit_end(db, rc) keeps what was written when rc >= 0 and undoes it
 * when rc < 0, and returns rc. Units do not nest. */
int db_unit_begin(struct db *db);
int db_unit_end(struct db *db, int rc);

#endif
