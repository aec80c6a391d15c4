/*
 * bench_mtq.c - micro-benchmark of the durable MT queue (gateway/mtq.c).
 *
 *   bench_mtq [N [BATCH]]        defaults: 200000 messages, 500 per commit
 *
 * Not a test: it prints figures. On a temporary database file (removed at
 * the end) it measures, with one group commit per BATCH rows as the daemon
 * does per loop tick:
 *
 *   1. enqueue: N messages (single-part UCS-2 notices, 3 priorities);
 *   2. the life of a message: mtq_fetch of BATCH rows from the full queue,
 *      mtq_part_submitted for each, a delivered receipt (mtq_dlr) for each,
 *      then the commit - until the queue is empty. The time of each kind of
 *      call is reported too, commits included in the total.
 *
 * Build (from the top directory, after `make` has written build/schema.h):
 *   cc -std=gnu11 -O2 -Iinclude -Ibuild tests/bench/bench_mtq.c \
 *      gateway/mtq.c gateway/db.c gateway/clock.c gateway/log.c \
 *      gateway/charset.c gateway/dlr.c -o build/bench_mtq \
 *      $(pkg-config --libs libosmocore sqlite3 talloc)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>

#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"

#define BENCH_N_DEFAULT		200000
#define BENCH_BATCH_DEFAULT	500
#define BENCH_LINK		"bench"
#define BENCH_TEXT \
	"【揭阳人社】您报名的电工（四级）培训班将于3月5日开课，请准时参加。回TD退订"

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_mtq: %s failed: %d\n", what, rc);
	exit(1);
}

static void commit(struct db *db, double *t_commit)
{
	double t0 = mono_s();
	int rc = db_commit(db);

	if (rc)
		die("db_commit", rc);
	*t_commit += mono_s() - t0;
}

static void bench_enqueue(struct db *db, struct mtq *q, unsigned n,
			  unsigned batch)
{
	struct mtq_new m = { .text = BENCH_TEXT };
	double t0 = mono_s(), t_commit = 0, t;
	char dst[24];
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		snprintf(dst, sizeof(dst), "8613%09u", i);
		m.dst = dst;
		m.prio = i % 3;
		rc = mtq_enqueue(q, &m, NULL);
		if (rc)
			die("mtq_enqueue", rc);
		if ((i + 1) % batch == 0)
			commit(db, &t_commit);
	}
	commit(db, &t_commit);
	t = mono_s() - t0;
	printf("enqueue:  %u MT in %.3f s = %.0f MT/s (commits %.3f s)\n",
	       n, t, n / t, t_commit);
}

struct life_times {
	double fetch, submit, dlr, commit;
};

/* One tick: fetch a batch, ack and deliver every message of it. Returns how
 * many were fetched. */
static int bench_tick(struct db *db, struct mtq *q, unsigned batch,
		      struct life_times *lt)
{
	void *ctx = talloc_new(NULL);
	LLIST_HEAD(list);
	struct mtq_msg *msg;
	int64_t now = clock_now_ms();
	char smsc[24];
	double t0 = mono_s(), t1, t2;
	int n = mtq_fetch(q, ctx, now, batch, &list), rc;

	if (n < 0)
		die("mtq_fetch", n);
	t1 = mono_s();
	llist_for_each_entry(msg, &list, list) {
		snprintf(smsc, sizeof(smsc), "%lld", (long long)msg->id);
		rc = mtq_part_submitted(q, msg->id, BENCH_LINK, 1, smsc, now);
		if (rc)
			die("mtq_part_submitted", rc);
	}
	t2 = mono_s();
	llist_for_each_entry(msg, &list, list) {
		snprintf(smsc, sizeof(smsc), "%lld", (long long)msg->id);
		rc = mtq_dlr(q, BENCH_LINK, smsc, MTQ_RCPT_DELIVERED, 0, now, NULL);
		if (rc)
			die("mtq_dlr", rc);
	}
	lt->fetch += t1 - t0;
	lt->submit += t2 - t1;
	lt->dlr += mono_s() - t2;
	commit(db, &lt->commit);
	talloc_free(ctx);
	return n;
}

static void bench_life(struct db *db, struct mtq *q, unsigned n,
		       unsigned batch)
{
	struct life_times lt = { 0 };
	unsigned long counts[MTQ_NUM_STATES];
	double t0 = mono_s(), t;
	unsigned done = 0;
	int got;

	while ((got = bench_tick(db, q, batch, &lt)) > 0)
		done += got;
	t = mono_s() - t0;
	printf("fetch+submitted+dlr: %u MT in %.3f s = %.0f MT/s\n",
	       done, t, done / t);
	printf("  per MT: fetch %.2f us, part_submitted %.2f us, dlr %.2f us,"
	       " commit %.2f us\n", lt.fetch * 1e6 / done,
	       lt.submit * 1e6 / done, lt.dlr * 1e6 / done,
	       lt.commit * 1e6 / done);
	if (mtq_counts(q, counts) == 0)
		printf("  rows delivered: %lu of %u\n", counts[MTQ_DELIVERED],
		       n);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? strtoul(argv[1], NULL, 10) : BENCH_N_DEFAULT;
	unsigned batch = argc > 2 ? strtoul(argv[2], NULL, 10) :
		BENCH_BATCH_DEFAULT;
	const struct mtq_params p = {
		.max_attempts = 8, .retry_min_s = 1, .retry_max_s = 60,
		.validity_s = 86400, .max_parts = 8,
	};
	void *ctx = talloc_named_const(NULL, 0, "bench_mtq");
	char path[] = "/tmp/bench_mtq_XXXXXX", aux[64];
	struct db *db;
	struct mtq *q;
	int fd;

	if (!n || !batch)
		return 1;
	sgw_log_init(ctx, "error", NULL);
	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp", -1);
	close(fd);
	db = db_open(ctx, path, true);
	q = db ? mtq_init(ctx, db, &p) : NULL;
	if (!q)
		die("db_open/mtq_init", -1);
	printf("bench_mtq: %u messages, commit every %u, sqlite %s, %s\n", n,
	       batch, sqlite3_libversion(), path);
	bench_enqueue(db, q, n, batch);
	bench_life(db, q, n, batch);
	mtq_free(q);
	db_close(db);
	unlink(path);
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
	talloc_free(ctx);
	return 0;
}
