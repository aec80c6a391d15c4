/*
 * mtq_campaign.c - the rows of notice campaigns in the MT queue (see
 * mtq_campaign.h): taken back on pause, cancel, expiry; counted for the
 * scheduler; summed up for a campaign's status and report.
 *
 * Queued campaign rows are found through the partial index
 * mt_campaign_queued (only queued campaign rows are in it, so it stays
 * small however large the queue is); INDEXED BY keeps the planner on it
 * without statistics, which would otherwise walk every queued row of
 * mt_ready, bulk sends of skillctl included.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/queue/mtq_campaign.h"

/* The first part of message m whose receipt was not "delivered". */
#define MC_BAD_PART(col) \
	"(SELECT p." col " FROM mt_part p WHERE p.mt_id = m.id" \
	" AND p.dlr_state IS NOT NULL AND p.dlr_state <> 2 ORDER BY p.part LIMIT 1)"

#define MC_QUEUED	" FROM mt INDEXED BY mt_campaign_queued" \
			" WHERE campaign_id = :cid AND state = 0"

enum mc_stmt {
	MC_LIST_QUEUED, MC_DELETE_QUEUED, MC_EXPIRE_QUEUED, MC_COUNT_QUEUED,
	MC_SENDING, MC_WITH_QUEUED, MC_COUNTS, MC_FAILURES, MC_OUTCOME,
	MC_NUM
};

static const char *const mc_sql[MC_NUM] = {
	[MC_LIST_QUEUED] = "SELECT id, dst" MC_QUEUED,
	[MC_DELETE_QUEUED] = "DELETE FROM mt WHERE id IN (SELECT id" MC_QUEUED ")",
	[MC_EXPIRE_QUEUED] =
		"UPDATE mt SET state = 5, done_at = :now WHERE id IN"
		" (SELECT id" MC_QUEUED ")",
	[MC_COUNT_QUEUED] = "SELECT count(*)" MC_QUEUED,
	[MC_SENDING] =
		"SELECT EXISTS (SELECT 1 FROM mt WHERE state = 1"
		" AND +campaign_id = :cid)",
	[MC_WITH_QUEUED] =
		"SELECT DISTINCT campaign_id FROM mt INDEXED BY mt_campaign_queued"
		" WHERE state = 0 AND campaign_id IS NOT NULL LIMIT :n",
	[MC_COUNTS] =
		"SELECT state, count(*) FROM mt WHERE campaign_id = :cid"
		" GROUP BY state",
	[MC_FAILURES] =
		"SELECT m.state, m.smpp_status, " MC_BAD_PART("dlr_state") ","
		" " MC_BAD_PART("dlr_err") ", count(*) AS n FROM mt m"
		" WHERE m.campaign_id = :cid AND m.state IN (4, 5)"
		" GROUP BY 1, 2, 3, 4 ORDER BY n DESC LIMIT :n",
	[MC_OUTCOME] =
		"SELECT m.state, m.smpp_status, " MC_BAD_PART("dlr_state") ","
		" " MC_BAD_PART("dlr_err") ", m.submitted_at, m.done_at"
		" FROM mt m WHERE m.id = :id",
};

struct mtq_camp {
	struct db *db;
	sqlite3_stmt *st[MC_NUM];
};

struct mtq_camp *mtq_camp_init(void *ctx, struct db *db)
{
	struct mtq_camp *c = talloc_zero(ctx, struct mtq_camp);

	if (!c)
		return NULL;
	c->db = db;
	if (db_prepare(db, mc_sql, MC_NUM, c->st) < 0) {
		talloc_free(c);
		return NULL;
	}
	return c;
}

void mtq_camp_free(struct mtq_camp *c)
{
	if (!c)
		return;
	db_finalize(c->st, MC_NUM);
	talloc_free(c);
}

/* Each queued row of cid to fn. */
static int mc_each_queued(struct mtq_camp *c, int64_t cid,
			  mtq_camp_row_fn fn, void *data)
{
	DB_STMT(st, c->st[MC_LIST_QUEUED]);
	int rc;

	db_bind_int(st, ":cid", cid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int e = fn(data, sqlite3_column_int64(st, 0),
			   (const char *)sqlite3_column_text(st, 1));

		if (e < 0)
			return e;
	}
	return rc == SQLITE_DONE ? 0 : db_step_error(c->db, st, rc, DQUEUE);
}

int mtq_camp_unqueue(struct mtq_camp *c, int64_t cid, bool expire,
		     int64_t now_ms, mtq_camp_row_fn fn, void *data)
{
	DB_STMT(st, c->st[expire ? MC_EXPIRE_QUEUED : MC_DELETE_QUEUED]);
	int rc = db_begin(c->db);

	if (rc == 0 && fn)
		rc = mc_each_queued(c, cid, fn, data);
	if (rc)
		return rc;
	db_bind_int(st, ":cid", cid);
	if (expire)
		db_bind_int(st, ":now", now_ms);
	return db_step_changes(c->db, st, DQUEUE);
}

/* One integer of statement which for campaign cid. */
static int mc_int(struct mtq_camp *c, enum mc_stmt which, int64_t cid,
		  int64_t *v)
{
	DB_STMT(st, c->st[which]);
	int rc;

	db_bind_int(st, ":cid", cid);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return db_step_error(c->db, st, rc, DQUEUE);
	*v = sqlite3_column_int64(st, 0);
	return 0;
}

int mtq_camp_queued(struct mtq_camp *c, int64_t cid, unsigned *n)
{
	int64_t v = 0;
	int rc = mc_int(c, MC_COUNT_QUEUED, cid, &v);

	*n = v;
	return rc;
}

int mtq_camp_sending(struct mtq_camp *c, int64_t cid, bool *sending)
{
	int64_t v = 0;
	int rc = mc_int(c, MC_SENDING, cid, &v);

	*sending = v;
	return rc;
}

int mtq_camp_with_queued(struct mtq_camp *c, int64_t *ids, unsigned max,
			 unsigned *n)
{
	DB_STMT(st, c->st[MC_WITH_QUEUED]);
	int rc = SQLITE_DONE;

	db_bind_int(st, ":n", max);
	for (*n = 0; *n < max && (rc = sqlite3_step(st)) == SQLITE_ROW; (*n)++)
		ids[*n] = sqlite3_column_int64(st, 0);
	if (*n < max && rc != SQLITE_DONE)
		return db_step_error(c->db, st, rc, DQUEUE);
	return 0;
}

int mtq_camp_counts(struct mtq_camp *c, int64_t cid,
		    unsigned long counts[MTQ_NUM_STATES])
{
	DB_STMT(st, c->st[MC_COUNTS]);
	int rc, s;

	memset(counts, 0, MTQ_NUM_STATES * sizeof(counts[0]));
	db_bind_int(st, ":cid", cid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = sqlite3_column_int(st, 0);
		if (s >= 0 && s < MTQ_NUM_STATES)
			counts[s] = sqlite3_column_int64(st, 1);
	}
	return rc == SQLITE_DONE ? 0 : db_step_error(c->db, st, rc, DQUEUE);
}

/* A NULL column as -1. */
static int mc_col_or(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 :
	       sqlite3_column_int(st, col);
}

int mtq_camp_failures(struct mtq_camp *c, int64_t cid,
		      struct mtq_failure *out, unsigned max, unsigned *n)
{
	DB_STMT(st, c->st[MC_FAILURES]);
	int rc = SQLITE_DONE;

	db_bind_int(st, ":cid", cid);
	db_bind_int(st, ":n", max);
	for (*n = 0; *n < max && (rc = sqlite3_step(st)) == SQLITE_ROW;
	     (*n)++) {
		out[*n] = (struct mtq_failure){
			.state = sqlite3_column_int(st, 0),
			.smpp_status = sqlite3_column_int64(st, 1),
			.dlr_state = mc_col_or(st, 2),
			.dlr_err = mc_col_or(st, 3),
			.count = sqlite3_column_int64(st, 4),
		};
	}
	if (*n < max && rc != SQLITE_DONE)
		return db_step_error(c->db, st, rc, DQUEUE);
	return 0;
}

int mtq_outcome(struct mtq_camp *c, int64_t mt_id, struct mtq_outcome *o)
{
	DB_STMT(st, c->st[MC_OUTCOME]);
	int rc;

	db_bind_int(st, ":id", mt_id);
	rc = db_step_row(c->db, st, DQUEUE);
	if (rc)
		return rc;
	*o = (struct mtq_outcome){
		.state = sqlite3_column_int(st, 0),
		.smpp_status = sqlite3_column_int64(st, 1),
		.dlr_state = mc_col_or(st, 2),
		.dlr_err = mc_col_or(st, 3),
		.submitted_ms = sqlite3_column_int64(st, 4),
		.done_ms = sqlite3_column_int64(st, 5),
	};
	return 0;
}
