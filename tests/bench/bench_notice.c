/*
 * bench_notice.c - micro-benchmark of the campaign scheduler
 * (gateway/scheduler.c): how long a campaign of N recipients takes to
 * become queue rows, and how long one scheduler step may hold the loop.
 *
 *   bench_notice [N]        default 1000000 workers on the roster
 *
 * Not a test: it prints figures. On a temporary database file (removed at
 * the end) with a roster of N workers (one SQL statement):
 *
 *   1. the preview count of the audience (skillctl notice preview);
 *   2. expansion: one campaign to the whole roster with the default
 *      settings (notices.batch, ahead, scan), stepped back to back, each
 *      step followed by its group commit, while a stand-in for the links
 *      takes every queued row at once (so the queue stays at `ahead`, as it
 *      does when the links keep up): the time until every recipient has
 *      its mt row, recipients per second, and the longest and mean step
 *      (step + commit), which is what a USSD screen or an SMS reply may
 *      wait behind. The daemon, too, runs its steps back to back while
 *      the links take the rows (handlers/notice/scheduler.c), so the rate
 *      of the steps alone is printed, with what one step per
 *      notices.tick_ms (as before) would allow.
 *
 * Built by make bench (build/bench_notice).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>

#include "handlers/notice/audience.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "handlers/notice/notice.h"
#include "handlers/notice/scheduler.h"

#define BENCH_N_DEFAULT		1000000
#define BENCH_SLOW_STEP_S	0.010	/* a step this long is counted */
#define BENCH_BODY \
	"【揭阳人社】{name}您好，新一期电工、焊工免费培训开始报名，" \
	"回KC查课程。回TD退订"

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_notice: %s failed: %d\n", what, rc);
	exit(1);
}

static void exec_sql(struct db *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bench_notice: %s\n", err);
		exit(1);
	}
}

static void roster(struct db *db, unsigned n)
{
	char sql[768];
	double t0 = mono_s();

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
		 " WHERE i < %u) INSERT INTO worker (id, id_number, name, msisdn,"
		 " region, key_groups, birth_date, bound_by, created_at,"
		 " updated_at) SELECT i, 'B' || i, '张小' || (i %% 100),"
		 " printf('86139%%08d', i), CASE i %% 5 WHEN 0 THEN '445202'"
		 " WHEN 1 THEN '445203' WHEN 2 THEN '445222' WHEN 3 THEN '445224'"
		 " ELSE '445281' END, CASE WHEN i %% 3 = 0 THEN 'migrant' ELSE ''"
		 " END, '1990-01-01', 'roster', 0, 0 FROM c", n);
	exec_sql(db, sql);
	printf("roster: %u workers written in %.1f s\n", n, mono_s() - t0);
}

static int64_t campaign(struct notice_db *nd, struct db *db)
{
	struct notice c = { .name = "bench", .text = "t", .body = BENCH_BODY,
			    .audience_json = "{}", .parts = 1,
			    .created_by = "bench" };
	int64_t id = 0;
	int rc = notice_insert(nd, &c, clock_now_ms(), &id);

	if (!rc)
		rc = notice_set_state(nd, id, NOTICE_RUNNING,
				      NOTICE_BIT(NOTICE_DRAFT), clock_now_ms());
	if (rc || db_commit(db))
		die("creating a campaign", rc);
	return id;
}

static void bench_count(struct audience_db *ad)
{
	struct audience au = { 0 };
	struct audience_count c;
	double t0 = mono_s();
	int rc = audience_count(ad, &au, &c);

	if (rc)
		die("audience_count", rc);
	printf("preview count of the whole roster: %lu recipients in %.3f s\n",
	       c.recipients, mono_s() - t0);
	au.region = "[\"445281\"]";
	au.group = "[\"migrant\"]";
	t0 = mono_s();
	if (audience_count(ad, &au, &c))
		die("audience_count", -1);
	printf("preview count, region and key group: %lu recipients in %.3f s\n",
	       c.recipients, mono_s() - t0);
}

/* The links, as fast as can be: every queued row is taken. */
static void take_all(struct db *db)
{
	exec_sql(db, "UPDATE mt SET state = 2 WHERE id IN (SELECT id FROM mt"
		 " INDEXED BY mt_campaign_queued WHERE campaign_id IS NOT NULL"
		 " AND state = 0)");
	if (db_commit(db))
		die("db_commit", -1);
}

/* Steps until n messages are queued; prints the figures. */
static void bench_steps(struct sched *s, struct db *db, unsigned long n,
			const struct config *cfg)
{
	const struct sched_stats *st = sched_stats(s);
	double t0 = mono_s(), step, longest = 0, in_steps = 0, commit;
	double longest_commit = 0;
	unsigned steps = 0, over = 0;
	int rc;

	while (st->queued + st->optout + st->bad < n) {
		step = mono_s();
		rc = sched_step(s, clock_now_ms());
		commit = mono_s();
		if (rc < 0 || db_commit(db))
			die("sched_step", rc);
		commit = mono_s() - commit;
		step = mono_s() - step;
		in_steps += step;
		if (step > longest)
			longest = step;
		if (commit > longest_commit)
			longest_commit = commit;
		over += step > BENCH_SLOW_STEP_S;
		steps++;
		take_all(db);
	}
	t0 = mono_s() - t0;
	printf("expansion: %lu recipients queued in %.1f s = %.0f/s (%.1f s in "
	       "the scheduler); %u steps of up to %u, longest %.1f ms, mean "
	       "%.2f ms (step + commit)\n", st->queued, t0, st->queued / t0,
	       in_steps, steps, cfg->notice_batch, longest * 1000,
	       in_steps * 1000 / steps);
	printf("  steps over %.0f ms: %u of %u; longest commit alone %.1f ms "
	       "(WAL checkpoints)\n", BENCH_SLOW_STEP_S * 1000, over, steps,
	       longest_commit * 1000);
	printf("  the daemon runs steps back to back while there is room: at "
	       "most %.0f recipients/s in its steps (one per notices.tick_ms, "
	       "%u ms, would be %.0f/s)\n", st->queued / in_steps,
	       cfg->notice_tick_ms,
	       (double)st->queued / steps * 1000 / cfg->notice_tick_ms);
}

static void run(void *ctx, const char *path, unsigned n)
{
	struct mtq_params mp = { .max_attempts = 3, .retry_min_s = 1,
				 .retry_max_s = 10, .max_parts = 8 };
	struct config cfg;
	struct db *db = db_open(ctx, path, true);
	struct mtq *q = db ? mtq_init(ctx, db, &mp) : NULL;
	struct audience_db *ad = q ? audience_db_init(ctx, db) : NULL;
	struct notice_db *nd = ad ? notice_db_init(ctx, db) : NULL;
	struct sched *s;

	if (!nd)
		die("opening the database", -1);
	config_defaults(&cfg);
	snprintf(cfg.quiet_start, sizeof(cfg.quiet_start), "00:00");
	snprintf(cfg.quiet_end, sizeof(cfg.quiet_end), "00:00");
	roster(db, n);
	bench_count(ad);
	campaign(nd, db);
	s = sched_init(ctx, &cfg, db, q, NULL, NULL);
	if (!s)
		die("sched_init", -1);
	printf("defaults: notices.batch %u, ahead %u, scan %u, tick_ms %u\n",
	       cfg.notice_batch, cfg.notice_ahead, cfg.notice_scan,
	       cfg.notice_tick_ms);
	bench_steps(s, db, n, &cfg);
	sched_free(s);
	notice_db_free(nd);
	audience_db_free(ad);
	mtq_free(q);
	db_close(db);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? strtoul(argv[1], NULL, 10) : BENCH_N_DEFAULT;
	char path[] = "/tmp/bench_notice_XXXXXX", p2[64];
	void *ctx = talloc_named_const(NULL, 0, "bench_notice");
	int fd;

	if (!n)
		return 1;
	sgw_log_init(ctx, "error", NULL);
	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp", -1);
	close(fd);
	printf("bench_notice: a campaign to %u workers, database %s\n", n, path);
	run(ctx, path, n);
	unlink(path);
	snprintf(p2, sizeof(p2), "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", path);
	unlink(p2);
	talloc_free(ctx);
	return 0;
}
