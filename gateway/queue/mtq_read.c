/*
 * mtq_read.c - reading messages of the MT queue for the API (see
 * mtq_read.h). A page walks the primary key backwards (newest first); a
 * page of one state has a statement per state, written with the state as a
 * literal so that the planner may use that state's partial index
 * (mt_sending, mt_failed, mt_expired: schema step 009). Its total counts
 * the same.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/queue/mtq_read.h"

/* The first part of message m whose receipt was not "delivered". */
#define MR_BAD_PART(col) \
	"(SELECT p." col " FROM mt_part p WHERE p.mt_id = m.id" \
	" AND p.dlr_state IS NOT NULL AND p.dlr_state <> 2 ORDER BY p.part LIMIT 1)"

#define MR_COLS \
	"SELECT m.id, m.dst, coalesce(m.src, ''), m.prio, m.state," \
	" m.attempts, m.parts, m.parts_acked, coalesce(m.link, '')," \
	" coalesce(m.smpp_status, -1), coalesce(" MR_BAD_PART("dlr_state") \
	", -1), coalesce(" MR_BAD_PART("dlr_err") ", -1), m.created_at," \
	" coalesce(m.submitted_at, 0), coalesce(m.done_at, 0)," \
	" coalesce(m.expires_at, 0), coalesce(m.campaign_id, 0), m.text" \
	" FROM mt m"

/* A page and the count of state s (0 to 5, enum mtq_state). */
#define MR_PAGE_OF(s)	MR_COLS " WHERE m.state = " #s \
			" ORDER BY m.id DESC LIMIT :limit OFFSET :offset"
#define MR_COUNT_OF(s)	"SELECT count(*) FROM mt WHERE state = " #s

enum mr_stmt { MR_GET, MR_PARTS, MR_PAGE, MR_COUNT,
	       MR_PAGE_STATE, MR_COUNT_STATE = MR_PAGE_STATE + MTQ_NUM_STATES,
	       MR_NUM = MR_COUNT_STATE + MTQ_NUM_STATES };
_Static_assert(MTQ_NUM_STATES == 6, "mr_sql lists states 0 to 5");

static const char *const mr_sql[MR_NUM] = {
	[MR_GET] = MR_COLS " WHERE m.id = :id",
	[MR_PARTS] =
		"SELECT part, link, smsc_id, coalesce(dlr_state, -1),"
		" coalesce(dlr_err, -1), coalesce(dlr_at, 0) FROM mt_part"
		" WHERE mt_id = :id ORDER BY part",
	[MR_PAGE] = MR_COLS " ORDER BY m.id DESC LIMIT :limit OFFSET :offset",
	[MR_COUNT] = "SELECT count(*) FROM mt",
	[MR_PAGE_STATE + 0] = MR_PAGE_OF(0), [MR_PAGE_STATE + 1] = MR_PAGE_OF(1),
	[MR_PAGE_STATE + 2] = MR_PAGE_OF(2), [MR_PAGE_STATE + 3] = MR_PAGE_OF(3),
	[MR_PAGE_STATE + 4] = MR_PAGE_OF(4), [MR_PAGE_STATE + 5] = MR_PAGE_OF(5),
	[MR_COUNT_STATE + 0] = MR_COUNT_OF(0),
	[MR_COUNT_STATE + 1] = MR_COUNT_OF(1),
	[MR_COUNT_STATE + 2] = MR_COUNT_OF(2),
	[MR_COUNT_STATE + 3] = MR_COUNT_OF(3),
	[MR_COUNT_STATE + 4] = MR_COUNT_OF(4),
	[MR_COUNT_STATE + 5] = MR_COUNT_OF(5),
};

struct mtq_reader {
	struct db *db;
	sqlite3_stmt *st[MR_NUM];
};

struct mtq_reader *mtq_reader_new(void *ctx, struct db *db)
{
	struct mtq_reader *r = talloc_zero(ctx, struct mtq_reader);

	if (!r)
		return NULL;
	r->db = db;
	if (db_prepare(db, mr_sql, MR_NUM, r->st)) {
		talloc_free(r);
		return NULL;
	}
	return r;
}

void mtq_reader_free(struct mtq_reader *r)
{
	if (!r)
		return;
	db_finalize(r->st, MR_NUM);
	talloc_free(r);
}

/* A row of MR_COLS; the text under ctx when ctx is given. */
static void mr_row(sqlite3_stmt *st, void *ctx, struct mtq_info *m)
{
	const unsigned char *t;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, m->dst, sizeof(m->dst));
	db_col_text(st, 2, m->src, sizeof(m->src));
	m->prio = sqlite3_column_int(st, 3);
	m->state = sqlite3_column_int(st, 4);
	m->attempts = sqlite3_column_int(st, 5);
	m->parts = sqlite3_column_int(st, 6);
	m->parts_acked = sqlite3_column_int(st, 7);
	db_col_text(st, 8, m->link, sizeof(m->link));
	m->smpp_status = sqlite3_column_int64(st, 9);
	m->dlr_state = sqlite3_column_int(st, 10);
	m->dlr_err = sqlite3_column_int(st, 11);
	m->created_ms = sqlite3_column_int64(st, 12);
	m->submitted_ms = sqlite3_column_int64(st, 13);
	m->done_ms = sqlite3_column_int64(st, 14);
	m->expires_ms = sqlite3_column_int64(st, 15);
	m->campaign_id = sqlite3_column_int64(st, 16);
	t = sqlite3_column_text(st, 17);
	if (ctx)
		m->text = talloc_strdup(ctx, t ? (const char *)t : "");
}

static int mr_parts(struct mtq_reader *r, void *ctx, int64_t id,
		    struct mtq_part_info **parts, unsigned *n)
{
	DB_STMT(st, r->st[MR_PARTS]);
	int rc = SQLITE_DONE;

	*n = 0;
	*parts = talloc_zero_array(ctx, struct mtq_part_info, 256);
	if (!*parts)
		return -ENOMEM;
	db_bind_int(st, ":id", id);
	while (*n < 256 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mtq_part_info *p = &(*parts)[(*n)++];

		p->part = sqlite3_column_int(st, 0);
		db_col_text(st, 1, p->link, sizeof(p->link));
		db_col_text(st, 2, p->smsc_id, sizeof(p->smsc_id));
		p->dlr_state = sqlite3_column_int(st, 3);
		p->dlr_err = sqlite3_column_int(st, 4);
		p->dlr_ms = sqlite3_column_int64(st, 5);
	}
	if (*n < 256 && rc != SQLITE_DONE)
		return db_step_error(r->db, st, rc, DQUEUE);
	return 0;
}

int mtq_reader_get(struct mtq_reader *r, void *ctx, int64_t id,
		   struct mtq_info *m, struct mtq_part_info **parts,
		   unsigned *n_parts)
{
	int rc;

	{
		DB_STMT(st, r->st[MR_GET]);

		db_bind_int(st, ":id", id);
		rc = db_step_row(r->db, st, DQUEUE);
		if (rc)
			return rc;
		mr_row(st, ctx, m);
	}
	if (!m->text)
		return -ENOMEM;
	return mr_parts(r, ctx, id, parts, n_parts);
}

int mtq_reader_page(struct mtq_reader *r, void *ctx, int state,
		    unsigned offset, unsigned limit, struct mtq_info **out,
		    unsigned *n, unsigned long *total)
{
	int rc = SQLITE_DONE;

	*n = 0;
	if (state >= MTQ_NUM_STATES)
		return -EINVAL;
	*out = talloc_zero_array(ctx, struct mtq_info, limit ? limit : 1);
	if (!*out)
		return -ENOMEM;
	{
		DB_STMT(st, r->st[state < 0 ? MR_PAGE : MR_PAGE_STATE + state]);

		db_bind_int(st, ":limit", limit);
		db_bind_int(st, ":offset", offset);
		while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
			mr_row(st, NULL, &(*out)[(*n)++]);
		if (*n < limit && rc != SQLITE_DONE)
			return db_step_error(r->db, st, rc, DQUEUE);
	}
	DB_STMT(cs, r->st[state < 0 ? MR_COUNT : MR_COUNT_STATE + state]);
	rc = db_step_row(r->db, cs, DQUEUE);
	if (!rc)
		*total = sqlite3_column_int64(cs, 0);
	return rc;
}
