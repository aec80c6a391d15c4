/*
 * storage.c - the daemon's storage state: a fault of the database's
 * storage said once when it begins and once when it ends, writes tried
 * again by themselves until they work, the reserve against a full disk,
 * and the thread that keeps the WAL within its bound.
 *
 * A fault begins at the first storage fault the loop's thread notes (a
 * failed write, a commit SQLite rolled back, a BEGIN that waited for the
 * lock in vain: db_fault.h). Nothing else has to be done for the service
 * to stay right meanwhile: an MO whose transaction fails is answered with
 * a temporary error (its answer waits for the commit, gateway/smpp/
 * link_mo.c), a message taken from the queue goes out only once the
 * commit that marked it sending is on disk (gateway/queue/dispatch.c),
 * and what was committed before stays. This file says so once (one log
 * line; show queue in the VTY; skillgw_storage_fault in /metrics) and
 * finds the end: once a second, after the group commit, a probe writes a
 * few pages and deletes them in one transaction (row 2 of table
 * storage_reserve). When that commits, writes work again: one more log
 * line, and the SMSCs' retries and the queue carry on where they were.
 *
 * A full disk: row 1 of storage_reserve holds gateway.storage_reserve MiB
 * of zeros, written at start. At the first SQLITE_FULL the daemon deletes
 * it; its pages become free pages of the database file, and new rows go
 * into them (and are checkpointed) without the file growing, so MOs and
 * their replies go on being stored, on purpose, while the operator frees
 * space. The WAL needs no new space either: journal_size_limit keeps its
 * file (db_wal.c) and a restarted WAL is written over. The fault lasts
 * until the reserve can be written again, i.e. until the disk has that
 * much room once more, even if writes work before.
 *
 * A lock kept by another process (an operator's sqlite3 shell, a long
 * skillctl import): the first BEGIN of an iteration waits the busy timeout
 * (5 s), later ones of the same iteration fail at once (db.c). While the
 * fault lasts the loop waits STORAGE_LOCKED_WAIT_MS only, so that it keeps
 * answering (with temporary errors) instead of standing still 5 s per
 * iteration; the probe finds when the lock is free.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/storage.h"

#define STORAGE_TICK_S		1	/* probe and gauges, once a second */
#define STORAGE_PROBE_BYTES	(64 * 1024)
#define STORAGE_LOCKED_WAIT_MS	100	/* busy timeout during a lock */
#define STORAGE_MIB		(1024 * 1024)

enum st_stmt {
	ST_RESERVE_SET,
	ST_RESERVE_DROP,
	ST_RESERVE_BYTES,
	ST_PROBE_ADD,
	ST_PROBE_DROP,
	ST_NUM
};

static const char *const st_sql[ST_NUM] = {
	[ST_RESERVE_SET] =
		"INSERT INTO storage_reserve (id, pad) VALUES (1, "
		"zeroblob(:bytes)) ON CONFLICT (id) DO UPDATE SET "
		"pad = excluded.pad WHERE length(pad) <> :bytes",
	[ST_RESERVE_DROP] = "DELETE FROM storage_reserve WHERE id = 1",
	[ST_RESERVE_BYTES] =
		"SELECT coalesce(max(length(pad)), 0) FROM storage_reserve "
		"WHERE id = 1",
	[ST_PROBE_ADD] =
		"INSERT OR REPLACE INTO storage_reserve (id, pad) "
		"VALUES (2, zeroblob(:bytes))",
	[ST_PROBE_DROP] = "DELETE FROM storage_reserve WHERE id = 2",
};

struct storage {
	struct db *db;
	sqlite3_stmt *st[ST_NUM];
	struct db_wal_keeper *keeper;
	struct osmo_timer_list tick;
	bool tick_due;			/* the tick fired: probe, gauges */
	void (*resume_cb)(void *data);
	void *resume_data;
	unsigned long seq_seen;		/* db_fault_seq() at the last look */
	struct storage_status s;
};

static const char *const st_cause_lbl[] = { "cause", NULL };
static struct metrics_family st_fault_gauge = {
	.name = "skillgw_storage_fault",
	.help = "1 while the database's storage fails, by cause (disk_full, "
		"locked, read_only, permission_denied, corrupt, io_error).",
	.type = METRICS_GAUGE, .labels = st_cause_lbl };
static struct metrics_family st_reserve_gauge = {
	.name = "skillgw_storage_reserve_bytes",
	.help = "Space kept in the database against a full disk (0 while "
		"released).",
	.type = METRICS_GAUGE };
static struct metrics_family st_wal_gauge = {
	.name = "skillgw_storage_wal_bytes",
	.help = "Size of the database's WAL file.",
	.type = METRICS_GAUGE };

/* ---- writes of its own ---------------------------------------------------- */

/* Step the n statements of which (binding :bytes where they have it) as
 * a unit of work (db.h), and commit. A unit: the group's transaction may
 * hold writes of hooks that ran in the last commit, and a failure here
 * must not take them with it. 0 or a negative errno. */
static int storage_write(struct storage *st, const enum st_stmt *which,
			 unsigned n, int64_t bytes)
{
	int rc = db_unit_begin(st->db), c;
	unsigned i;

	for (i = 0; rc == 0 && i < n; i++) {
		DB_STMT(s, st->st[which[i]]);

		if (sqlite3_bind_parameter_index(s, ":bytes"))
			db_bind_int(s, ":bytes", bytes);
		rc = db_step_done(st->db, s, DDB);
	}
	rc = db_unit_end(st->db, rc);
	c = db_commit(st->db);
	return rc ? rc : c;
}

static int64_t storage_reserve_read(struct storage *st)
{
	DB_STMT(s, st->st[ST_RESERVE_BYTES]);

	return db_step_row(st->db, s, DDB) == 0 ?
	       sqlite3_column_int64(s, 0) : 0;
}

/* Write the reserve (again), or drop it when none is wanted. */
static int storage_reserve_keep(struct storage *st)
{
	static const enum st_stmt set[] = { ST_RESERVE_SET };
	static const enum st_stmt drop[] = { ST_RESERVE_DROP };
	int rc = st->s.reserve_want ?
		 storage_write(st, set, 1, st->s.reserve_want) :
		 storage_write(st, drop, 1, 0);

	st->s.reserve_bytes = storage_reserve_read(st);
	return rc;
}

/* A few pages written and deleted: do writes work? */
static int storage_probe_write(struct storage *st)
{
	static const enum st_stmt probe[] = { ST_PROBE_ADD, ST_PROBE_DROP };

	return storage_write(st, probe, 2, STORAGE_PROBE_BYTES);
}

/* ---- the fault ------------------------------------------------------------ */

static void storage_gauges(struct storage *st)
{
	enum db_fault f;

	for (f = DB_FAULT_NONE + 1; f < DB_FAULT_NUM; f++)
		metrics_set(&st_fault_gauge, st->s.fault == f, db_fault_name(f));
	metrics_set(&st_reserve_gauge, st->s.reserve_bytes);
	st->s.wal_bytes = db_wal_keeper_bytes(st->keeper);
	st->s.wal_trims = db_wal_keeper_trims(st->keeper);
	metrics_set(&st_wal_gauge, st->s.wal_bytes);
}

static void storage_begin(struct storage *st, enum db_fault f, int e)
{
	static const enum st_stmt drop[] = { ST_RESERVE_DROP };
	char why[128];
	bool released = false;

	st->s = (struct storage_status){ .fault = f, .sys_errno = e,
		.since_ms = clock_now_ms(), .errors = 1,
		.faults = st->s.faults + 1, .reserve_want = st->s.reserve_want,
		.reserve_bytes = st->s.reserve_bytes };
	if (f == DB_FAULT_FULL && st->s.reserve_bytes > 0 &&
	    storage_write(st, drop, 1, 0) == 0) {
		released = true;
		st->s.reserve_bytes = 0;
	}
	if (f == DB_FAULT_LOCKED)
		db_set_busy_timeout(st->db, STORAGE_LOCKED_WAIT_MS);
	if (released)
		LOGP(DDB, LOGL_ERROR, "storage: %s: %s: released the %lld MiB "
		     "reserve; MOs and replies are stored in it, then "
		     "answered with a temporary error until there is space\n",
		     db_path(st->db), db_fault_words(f, e, why, sizeof(why)),
		     (long long)st->s.reserve_want / STORAGE_MIB);
	else
		LOGP(DDB, LOGL_ERROR, "storage: %s: %s: MOs are answered with "
		     "a temporary error and messages wait until writes work "
		     "again\n", db_path(st->db),
		     db_fault_words(f, e, why, sizeof(why)));
	storage_gauges(st);
}

static void storage_end(struct storage *st)
{
	int64_t s = (clock_now_ms() - st->s.since_ms) / 1000;

	LOGP(DDB, LOGL_NOTICE, "storage: %s: writes work again after %lld s "
	     "(%lu failed): service resumed%s\n", db_path(st->db),
	     (long long)s, st->s.errors, st->s.fault == DB_FAULT_FULL &&
	     st->s.reserve_want ? ", the reserve is kept again" : "");
	if (st->s.fault == DB_FAULT_LOCKED)
		db_set_busy_timeout(st->db, DB_BUSY_TIMEOUT_MS);
	st->s.fault = DB_FAULT_NONE;
	st->s.sys_errno = 0;
	storage_gauges(st);
	if (st->resume_cb)
		st->resume_cb(st->resume_data);
}

/* Once a second during a fault: has it ended? A full disk ends when the
 * reserve is back. */
static void storage_probe(struct storage *st)
{
	st->s.writes_ok = storage_probe_write(st) == 0;
	if (!st->s.writes_ok)
		return;
	if (st->s.fault == DB_FAULT_FULL &&
	    st->s.reserve_bytes < st->s.reserve_want &&
	    storage_reserve_keep(st) < 0)
		return;
	storage_end(st);
}

void storage_after_commit(struct storage *st)
{
	int e;
	enum db_fault f = db_fault_last_at(st->seq_seen, &e,
					   db_path(st->db));

	if (f != DB_FAULT_NONE && st->s.fault == DB_FAULT_NONE)
		storage_begin(st, f, e);
	else if (f != DB_FAULT_NONE)
		st->s.errors++;
	else if (st->tick_due && st->s.fault != DB_FAULT_NONE)
		storage_probe(st);
	if (st->tick_due)
		storage_gauges(st);
	st->tick_due = false;
	/* its own writes' faults are no news */
	st->seq_seen = db_fault_seq();
}

static void storage_tick_cb(void *data)
{
	struct storage *st = data;

	st->tick_due = true;	/* the loop iterates: after_commit runs */
	osmo_timer_schedule(&st->tick, STORAGE_TICK_S, 0);
}

/* ---- life ----------------------------------------------------------------- */

void storage_on_resume(struct storage *st, void (*cb)(void *data),
		       void *data)
{
	st->resume_cb = cb;
	st->resume_data = data;
}

void storage_status(const struct storage *st, struct storage_status *out)
{
	*out = st->s;
	out->wal_bytes = db_wal_keeper_bytes(st->keeper);
	out->wal_trims = db_wal_keeper_trims(st->keeper);
}

struct storage *storage_init(void *ctx, struct db *db, unsigned reserve_mb)
{
	struct storage *st = talloc_zero(ctx, struct storage);

	if (!st)
		return NULL;
	st->db = db;
	st->s.reserve_want = (int64_t)reserve_mb * STORAGE_MIB;
	st->seq_seen = db_fault_seq();
	if (db_prepare(db, st_sql, ST_NUM, st->st) < 0) {
		talloc_free(st);
		return NULL;
	}
	st->keeper = db_wal_keeper_start(st, db);
	if (!st->keeper)
		LOGP(DDB, LOGL_ERROR, "%s: no WAL keeper thread: the WAL is "
		     "trimmed by the daemon's commits only\n", db_path(db));
	/* a full disk at start: the first storage_after_commit() says so */
	storage_reserve_keep(st);
	osmo_timer_setup(&st->tick, storage_tick_cb, st);
	osmo_timer_schedule(&st->tick, STORAGE_TICK_S, 0);
	storage_gauges(st);
	return st;
}

/* At the end: how long the loop's commits took, and who checkpointed
 * (tests/bench/run.sh prints the line). */
static void storage_log_commits(struct storage *st)
{
	struct db_commit_stats cs;
	struct db_wal_counts c;

	db_commit_stats(st->db, &cs);
	db_wal_keeper_counts(st->keeper, &c);
	LOGP(DDB, LOGL_NOTICE, "commits: %lu, longest %.1f ms, %lu over %d ms; "
	     "WAL checkpoints: %lu by the keeper thread, %lu tails (longest "
	     "%.1f ms) and %lu by the loop, %lu truncations\n", cs.n,
	     cs.max_us / 1000.0, cs.slow, DB_COMMIT_SLOW_US / 1000, c.passive,
	     c.tails, c.tail_max_us / 1000.0, c.loop,
	     db_wal_keeper_trims(st->keeper));
}

void storage_free(struct storage *st)
{
	if (!st)
		return;
	osmo_timer_del(&st->tick);
	storage_log_commits(st);
	db_wal_keeper_stop(st->keeper);
	db_finalize(st->st, ST_NUM);
	talloc_free(st);
}
