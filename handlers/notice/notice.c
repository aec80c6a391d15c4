/*
 * notice.c - campaigns and recipients in the database (see notice.h).
 *
 * A campaign row carries its resolved audience as JSON arrays of codes,
 * read back into struct audience for the statements of audience.c. States
 * are stored as words; a state change is one UPDATE guarded by the states
 * it may come from, written as ",draft,paused," and matched with instr(),
 * so two operators racing each other cannot both win.
 *
 * The statements on mt use the partial index mt_campaign_queued (queued
 * campaign rows only), so taking a campaign's queued rows back or counting
 * them costs what is queued, not what the campaign ever sent. The count of
 * rows in a link's window walks mt_state (state = 1: the windows) with the
 * campaign test made unindexable (+campaign_id), for the same reason.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/queue/mtq_campaign.h"
#include "handlers/notice/notice.h"

#define NOTICE_STRAYS_SCAN	64	/* campaigns with queued rows looked at */

#define NOTICE_COLS \
	"id, name, text, body, audience, f_region, f_group, f_course," \
	" f_occupation, f_enrol_status, f_subsidy_status, by_numbers," \
	" course_id, parts, state, start_at, end_at, rate, cursor, listed," \
	" pace_at, created_by, created_at, updated_at, started_at, finished_at"

/* A recipient row with what its text needs (r: campaign_recipient). */
#define NOTICE_RCPT_SELECT \
	"SELECT r.id, r.msisdn, w.name, g.name, c.name, c.start_date," \
	" coalesce(w.opted_out, 0) <> 0 OR EXISTS (SELECT 1 FROM notice_optout o" \
	"  WHERE o.msisdn = r.msisdn)" \
	" FROM campaign_recipient r LEFT JOIN worker w ON w.msisdn = r.msisdn" \
	" LEFT JOIN region g ON g.code = w.region" \
	" LEFT JOIN course c ON c.id = r.course_id"

enum notice_stmt {
	NOTICE_INSERT,
	NOTICE_ADD_NUMBER,
	NOTICE_DELETE,
	NOTICE_GET,
	NOTICE_LIST,
	NOTICE_LIST_STATE,
	NOTICE_SET_STATE,
	NOTICE_PROGRESS,
	NOTICE_HOLD_RCPT,
	NOTICE_HAS_PENDING,
	NOTICE_PENDING,
	NOTICE_FIRST,
	NOTICE_MARK,
	NOTICE_STRAY,
	NOTICE_NUMBERS,
	NOTICE_OPTOUT_ADD,
	NOTICE_OPTOUT_DEL,
	NOTICE_LIST_PAGE,
	NOTICE_COUNT,
	NOTICE_RCPT_COUNTS,
	NOTICE_REPORT,
	NOTICE_NUM_STMT
};

static const char *const notice_sql[] = {
	[NOTICE_INSERT] =
		"INSERT INTO campaign (name, text, body, audience, f_region,"
		" f_group, f_course, f_occupation, f_enrol_status,"
		" f_subsidy_status, by_numbers, course_id, parts, start_at,"
		" end_at, rate, created_by, created_at, updated_at)"
		" VALUES (:name, :text, :body, :audience, :region, :grp,"
		" :course, :occupation, :estatus, :sstatus, :by_numbers,"
		" :course_id, :parts, :start_at, :end_at, :rate, :by, :now,"
		" :now)",
	[NOTICE_ADD_NUMBER] =
		"INSERT OR IGNORE INTO campaign_recipient (campaign_id, msisdn,"
		" worker_id, course_id, state) VALUES (:id, :msisdn,"
		" (SELECT id FROM worker WHERE msisdn = :msisdn), :course_id,"
		" 'pending')",
	[NOTICE_DELETE] =
		"DELETE FROM campaign WHERE id = :id",
	[NOTICE_GET] =
		"SELECT " NOTICE_COLS " FROM campaign WHERE id = :id",
	[NOTICE_LIST] =
		"SELECT " NOTICE_COLS " FROM campaign ORDER BY id DESC LIMIT :n",
	[NOTICE_LIST_STATE] =
		"SELECT " NOTICE_COLS " FROM campaign WHERE state = :state"
		" ORDER BY id LIMIT :n",
	[NOTICE_SET_STATE] =
		"UPDATE campaign SET state = :to, updated_at = :now,"
		" started_at = CASE WHEN :to = 'running' THEN"
		"  coalesce(started_at, :now) ELSE started_at END,"
		" finished_at = CASE WHEN :to IN ('cancelled', 'done', 'expired')"
		"  THEN :now ELSE finished_at END,"
		/* what was paced before a pause was taken back */
		" pace_at = CASE WHEN :to = 'running' THEN 0 ELSE pace_at END"
		" WHERE id = :id AND instr(:from, ',' || state || ',') > 0",
	[NOTICE_PROGRESS] =
		"UPDATE campaign SET cursor = :cursor, listed = :listed,"
		" pace_at = :pace_at, updated_at = :now WHERE id = :id",
	/* a queued message that leaves the queue: its recipient waits again
	 * (pending) or is cancelled */
	[NOTICE_HOLD_RCPT] =
		"UPDATE campaign_recipient SET state = :state, mt_id = NULL"
		" WHERE campaign_id = :id AND msisdn = :msisdn"
		" AND mt_id = :mt_id",
	[NOTICE_HAS_PENDING] =
		"SELECT EXISTS (SELECT 1 FROM campaign_recipient"
		" WHERE campaign_id = :id AND state = 'pending')",
	[NOTICE_PENDING] =
		NOTICE_RCPT_SELECT " WHERE r.campaign_id = :id"
		" AND r.state = 'pending' ORDER BY r.id LIMIT :n",
	[NOTICE_FIRST] =
		NOTICE_RCPT_SELECT " WHERE r.campaign_id = :id"
		" ORDER BY r.id LIMIT :n",
	[NOTICE_MARK] =
		"UPDATE campaign_recipient SET state = :state, mt_id = :mt_id"
		" WHERE id = :id",
	/* a campaign with messages still queued that should have none */
	[NOTICE_STRAY] =
		"SELECT state FROM campaign WHERE id = :id"
		" AND state IN ('paused', 'cancelled', 'expired')"
		" AND (state = 'paused' OR finished_at >= :since)",
	[NOTICE_NUMBERS] =
		"SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM worker w"
		"  WHERE w.msisdn = r.msisdn AND w.opted_out <> 0) OR EXISTS"
		"  (SELECT 1 FROM notice_optout o WHERE o.msisdn = r.msisdn)), 0),"
		" coalesce(sum(r.worker_id IS NULL), 0),"
		" (SELECT coalesce(json_extract(audience, '$.duplicates'), 0)"
		"  FROM campaign WHERE id = :id)"
		" FROM campaign_recipient r WHERE r.campaign_id = :id",
	[NOTICE_OPTOUT_ADD] =
		"INSERT OR IGNORE INTO notice_optout (msisdn, at)"
		" VALUES (:msisdn, :now)",
	[NOTICE_OPTOUT_DEL] =
		"DELETE FROM notice_optout WHERE msisdn = :msisdn",
	[NOTICE_LIST_PAGE] =
		"SELECT " NOTICE_COLS " FROM campaign ORDER BY id DESC"
		" LIMIT :n OFFSET :offset",
	[NOTICE_COUNT] =
		"SELECT count(*) FROM campaign",
	[NOTICE_RCPT_COUNTS] =
		"SELECT state, count(*) FROM campaign_recipient"
		" WHERE campaign_id = :id GROUP BY state",
	[NOTICE_REPORT] =
		"SELECT msisdn, state, mt_id FROM campaign_recipient"
		" WHERE campaign_id = :id ORDER BY id",
};

static const char *const notice_state_names[NOTICE_NUM_STATES] = {
	[NOTICE_DRAFT] = "draft",
	[NOTICE_RUNNING] = "running",
	[NOTICE_PAUSED] = "paused",
	[NOTICE_CANCELLED] = "cancelled",
	[NOTICE_DONE] = "done",
	[NOTICE_EXPIRED] = "expired",
};

static const char *const notice_rcpt_names[NOTICE_R_NUM] = {
	[NOTICE_R_PENDING] = "pending",
	[NOTICE_R_QUEUED] = "queued",
	[NOTICE_R_OPTOUT] = "optout",
	[NOTICE_R_CANCELLED] = "cancelled",
	[NOTICE_R_BAD] = "bad",
};

struct notice_db {
	struct db *db;
	struct mtq_camp *mc;		/* the campaigns' rows of the queue */
	sqlite3_stmt *st[NOTICE_NUM_STMT];
};

const char *notice_state_str(enum notice_state s)
{
	return (unsigned)s < NOTICE_NUM_STATES ? notice_state_names[s] : "?";
}

const char *notice_rcpt_state_str(enum notice_rcpt_state s)
{
	return (unsigned)s < NOTICE_R_NUM ? notice_rcpt_names[s] : "?";
}

static enum notice_state notice_state_parse(const char *s)
{
	unsigned i;

	for (i = 0; s && i < NOTICE_NUM_STATES; i++)
		if (!strcmp(s, notice_state_names[i]))
			return i;
	return NOTICE_DRAFT;	/* the CHECK allows nothing else */
}

struct notice_db *notice_db_init(void *ctx, struct db *db)
{
	struct notice_db *n = talloc_zero(ctx, struct notice_db);

	if (!n)
		return NULL;
	n->db = db;
	n->mc = mtq_camp_init(n, db);
	if (!n->mc || db_prepare(db, notice_sql, NOTICE_NUM_STMT, n->st)) {
		mtq_camp_free(n->mc);
		talloc_free(n);
		return NULL;
	}
	return n;
}

void notice_db_free(struct notice_db *n)
{
	if (!n)
		return;
	db_finalize(n->st, NOTICE_NUM_STMT);
	mtq_camp_free(n->mc);
	talloc_free(n);
}

struct mtq_camp *notice_queue(struct notice_db *n)
{
	return n->mc;
}

/* 0 binds NULL (no start, no end). */
static void notice_bind_time(sqlite3_stmt *st, const char *name, int64_t t)
{
	db_bind_id(st, name, t);
}

int notice_insert(struct notice_db *n, const struct notice *c, int64_t now,
		  int64_t *id)
{
	DB_STMT(st, n->st[NOTICE_INSERT]);
	int rc = db_begin(n->db);

	if (rc)
		return rc;
	db_bind_text(st, ":name", c->name);
	db_bind_text(st, ":text", c->text);
	db_bind_text(st, ":body", c->body);
	db_bind_text(st, ":audience", c->audience_json);
	db_bind_text(st, ":region", c->au.region);
	db_bind_text(st, ":grp", c->au.group);
	db_bind_text(st, ":course", c->au.course);
	db_bind_text(st, ":occupation", c->au.occupation);
	db_bind_text(st, ":estatus", c->au.enrol_status);
	db_bind_text(st, ":sstatus", c->au.subsidy_status);
	db_bind_int(st, ":by_numbers", c->by_numbers);
	db_bind_id(st, ":course_id", c->au.course_id);
	db_bind_int(st, ":parts", c->parts);
	notice_bind_time(st, ":start_at", c->start_at);
	notice_bind_time(st, ":end_at", c->end_at);
	db_bind_int(st, ":rate", c->rate);
	db_bind_text(st, ":by", c->created_by);
	db_bind_int(st, ":now", now);
	rc = db_step_done(n->db, st, DSCHED);
	if (!rc)
		*id = sqlite3_last_insert_rowid(db_handle(n->db));
	return rc;
}

int notice_add_number(struct notice_db *n, int64_t id, const char *msisdn,
		      int64_t course_id)
{
	DB_STMT(st, n->st[NOTICE_ADD_NUMBER]);
	int rc = db_begin(n->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	db_bind_text(st, ":msisdn", msisdn);
	db_bind_id(st, ":course_id", course_id);
	return db_step_changes(n->db, st, DSCHED);
}

int notice_delete(struct notice_db *n, int64_t id)
{
	DB_STMT(st, n->st[NOTICE_DELETE]);
	int rc = db_begin(n->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	return db_step_done(n->db, st, DSCHED);
}

/* Text column i as a talloc string under ctx (NULL for SQL NULL). */
static char *notice_col_dup(void *ctx, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? talloc_strdup(ctx, (const char *)s) : NULL;
}

/* The audience columns (5..10, 12) of a NOTICE_COLS row. */
static void notice_row_audience(struct notice *c, sqlite3_stmt *st)
{
	c->au.region = notice_col_dup(c, st, 5);
	c->au.group = notice_col_dup(c, st, 6);
	c->au.course = notice_col_dup(c, st, 7);
	c->au.occupation = notice_col_dup(c, st, 8);
	c->au.enrol_status = notice_col_dup(c, st, 9);
	c->au.subsidy_status = notice_col_dup(c, st, 10);
	c->au.course_id = sqlite3_column_int64(st, 12);
}

/* A NOTICE_COLS row as a struct notice under ctx. */
static struct notice *notice_from_row(void *ctx, sqlite3_stmt *st)
{
	struct notice *c = talloc_zero(ctx, struct notice);

	if (!c)
		return NULL;
	c->id = sqlite3_column_int64(st, 0);
	c->name = notice_col_dup(c, st, 1);
	c->text = notice_col_dup(c, st, 2);
	c->body = notice_col_dup(c, st, 3);
	c->audience_json = notice_col_dup(c, st, 4);
	notice_row_audience(c, st);
	c->by_numbers = sqlite3_column_int(st, 11);
	c->parts = sqlite3_column_int(st, 13);
	c->state = notice_state_parse((const char *)sqlite3_column_text(st, 14));
	c->start_at = sqlite3_column_int64(st, 15);
	c->end_at = sqlite3_column_int64(st, 16);
	c->rate = sqlite3_column_int(st, 17);
	c->cursor = sqlite3_column_int64(st, 18);
	c->listed = sqlite3_column_int(st, 19);
	c->pace_at = sqlite3_column_int64(st, 20);
	c->created_by = notice_col_dup(c, st, 21);
	c->created_at = sqlite3_column_int64(st, 22);
	c->updated_at = sqlite3_column_int64(st, 23);
	c->started_at = sqlite3_column_int64(st, 24);
	c->finished_at = sqlite3_column_int64(st, 25);
	if (!c->name || !c->text || !c->body || !c->audience_json) {
		talloc_free(c);
		return NULL;
	}
	return c;
}

int notice_get(struct notice_db *n, void *ctx, int64_t id,
	       struct notice **out)
{
	DB_STMT(st, n->st[NOTICE_GET]);
	int rc;

	db_bind_int(st, ":id", id);
	rc = db_step_row(n->db, st, DSCHED);
	if (rc)
		return rc;
	*out = notice_from_row(ctx, st);
	return *out ? 0 : -ENOMEM;
}

int notice_list(struct notice_db *n, void *ctx, enum notice_state only,
		unsigned max, struct notice ***out, unsigned *cnt)
{
	DB_STMT(st, n->st[only < NOTICE_NUM_STATES ? NOTICE_LIST_STATE :
			  NOTICE_LIST]);
	struct notice **v = talloc_zero_array(ctx, struct notice *, max + 1);
	int rc = SQLITE_DONE;

	*out = v;
	*cnt = 0;
	if (!v)
		return -ENOMEM;
	if (only < NOTICE_NUM_STATES)
		db_bind_text(st, ":state", notice_state_names[only]);
	db_bind_int(st, ":n", max);
	while (*cnt < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[*cnt] = notice_from_row(v, st);
		if (!v[*cnt])
			return -ENOMEM;
		(*cnt)++;
	}
	if (*cnt < max && rc != SQLITE_DONE)
		return db_step_error(n->db, st, rc, DSCHED);
	return 0;
}

int notice_list_page(struct notice_db *n, void *ctx, unsigned offset,
		     unsigned limit, struct notice ***out, unsigned *cnt,
		     unsigned long *total)
{
	DB_STMT(st, n->st[NOTICE_LIST_PAGE]);
	struct notice **v = talloc_zero_array(ctx, struct notice *, limit + 1);
	int rc = SQLITE_DONE;

	*out = v;
	*cnt = 0;
	if (!v)
		return -ENOMEM;
	db_bind_int(st, ":n", limit);
	db_bind_int(st, ":offset", offset);
	while (*cnt < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[*cnt] = notice_from_row(v, st);
		if (!v[*cnt])
			return -ENOMEM;
		(*cnt)++;
	}
	if (*cnt < limit && rc != SQLITE_DONE)
		return db_step_error(n->db, st, rc, DSCHED);
	DB_STMT(cs, n->st[NOTICE_COUNT]);
	rc = db_step_row(n->db, cs, DSCHED);
	if (!rc)
		*total = sqlite3_column_int64(cs, 0);
	return rc;
}

/* ",draft,paused," for a mask of states. */
static void notice_mask_str(unsigned mask, char *out, size_t cap)
{
	size_t o = snprintf(out, cap, ",");
	unsigned s;

	for (s = 0; s < NOTICE_NUM_STATES && o < cap; s++)
		if (mask & NOTICE_BIT(s))
			o += snprintf(out + o, cap - o, "%s,",
				      notice_state_names[s]);
}

int notice_set_state(struct notice_db *n, int64_t id, enum notice_state to,
		     unsigned from_mask, int64_t now)
{
	DB_STMT(st, n->st[NOTICE_SET_STATE]);
	char from[96];
	struct notice *c = NULL;
	int rc = db_begin(n->db);

	if (rc)
		return rc;
	notice_mask_str(from_mask, from, sizeof(from));
	db_bind_int(st, ":id", id);
	db_bind_text(st, ":to", notice_state_names[to]);
	db_bind_text(st, ":from", from);
	db_bind_int(st, ":now", now);
	rc = db_step_done(n->db, st, DSCHED);
	if (rc || sqlite3_changes(db_handle(n->db)))
		return rc;
	rc = notice_get(n, NULL, id, &c);	/* which refusal? */
	talloc_free(c);
	return rc ? rc : -EPERM;
}

int notice_save_progress(struct notice_db *n, const struct notice *c,
			 int64_t now)
{
	DB_STMT(st, n->st[NOTICE_PROGRESS]);
	int rc = db_begin(n->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", c->id);
	db_bind_int(st, ":cursor", c->cursor);
	db_bind_int(st, ":listed", c->listed);
	db_bind_int(st, ":pace_at", c->pace_at);
	db_bind_int(st, ":now", now);
	return db_step_done(n->db, st, DSCHED);
}

/* Run statement idx with :id (and :state / :now when given). Returns the
 * rows changed. */
/* The recipient of a message that leaves the queue (mtq_camp_row_fn). */
struct notice_hold_ctx {
	struct notice_db *n;
	int64_t id;
	const char *state;
};

static int notice_hold_row(void *data, int64_t mt_id, const char *dst)
{
	struct notice_hold_ctx *h = data;
	DB_STMT(st, h->n->st[NOTICE_HOLD_RCPT]);
	int rc;

	db_bind_int(st, ":id", h->id);
	db_bind_text(st, ":state", h->state);
	db_bind_text(st, ":msisdn", dst);
	db_bind_int(st, ":mt_id", mt_id);
	rc = db_step_changes(h->n->db, st, DSCHED);
	return rc < 0 ? rc : 0;
}

int notice_hold(struct notice_db *n, int64_t id, bool cancel)
{
	struct notice_hold_ctx h = { n, id, notice_rcpt_names[
		cancel ? NOTICE_R_CANCELLED : NOTICE_R_PENDING] };

	return mtq_camp_unqueue(n->mc, id, false, 0, notice_hold_row, &h);
}

int notice_expire_rows(struct notice_db *n, int64_t id, int64_t now)
{
	return mtq_camp_unqueue(n->mc, id, true, now, NULL, NULL);
}

/* A single integer of statement idx for campaign id. */
static int notice_int(struct notice_db *n, enum notice_stmt idx, int64_t id,
		      int64_t *out)
{
	DB_STMT(st, n->st[idx]);
	int rc;

	db_bind_int(st, ":id", id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return db_step_error(n->db, st, rc, DSCHED);
	*out = sqlite3_column_int64(st, 0);
	return 0;
}

int notice_queued(struct notice_db *n, int64_t id, unsigned *count)
{
	return mtq_camp_queued(n->mc, id, count);
}

int notice_busy(struct notice_db *n, int64_t id, bool *sending,
		bool *pending)
{
	int64_t p = 0;
	int rc = mtq_camp_sending(n->mc, id, sending);

	if (!rc)
		rc = notice_int(n, NOTICE_HAS_PENDING, id, &p);
	*pending = p;
	return rc;
}

/* Rows of a NOTICE_RCPT_SELECT statement into r. */
static int notice_rcpts(struct notice_db *n, enum notice_stmt idx,
			int64_t id, struct notice_rcpt *r, unsigned max,
			unsigned *got)
{
	DB_STMT(st, n->st[idx]);
	int rc = SQLITE_DONE;

	db_bind_int(st, ":id", id);
	db_bind_int(st, ":n", max);
	for (*got = 0; *got < max && (rc = sqlite3_step(st)) == SQLITE_ROW;
	     (*got)++) {
		struct notice_rcpt *x = &r[*got];

		x->id = sqlite3_column_int64(st, 0);
		db_col_text(st, 1, x->msisdn, sizeof(x->msisdn));
		db_col_text(st, 2, x->name, sizeof(x->name));
		db_col_text(st, 3, x->region, sizeof(x->region));
		db_col_text(st, 4, x->course, sizeof(x->course));
		db_col_text(st, 5, x->start_date, sizeof(x->start_date));
		x->opted_out = sqlite3_column_int(st, 6);
	}
	if (*got < max && rc != SQLITE_DONE)
		return db_step_error(n->db, st, rc, DSCHED);
	return 0;
}

int notice_pending(struct notice_db *n, int64_t id, struct notice_rcpt *r,
		   unsigned max, unsigned *got)
{
	return notice_rcpts(n, NOTICE_PENDING, id, r, max, got);
}

int notice_first(struct notice_db *n, int64_t id, struct notice_rcpt *r,
		 unsigned max, unsigned *got)
{
	return notice_rcpts(n, NOTICE_FIRST, id, r, max, got);
}

int notice_mark(struct notice_db *n, int64_t rid,
		enum notice_rcpt_state state, int64_t mt_id)
{
	DB_STMT(st, n->st[NOTICE_MARK]);
	int rc = db_begin(n->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", rid);
	db_bind_text(st, ":state", notice_rcpt_names[state]);
	db_bind_id(st, ":mt_id", mt_id);
	return db_step_done(n->db, st, DSCHED);
}

/* Is campaign id one that should have nothing queued? 1 with *state. */
static int notice_stray(struct notice_db *n, int64_t id, int64_t since,
			enum notice_state *state)
{
	DB_STMT(st, n->st[NOTICE_STRAY]);
	int rc;

	db_bind_int(st, ":id", id);
	db_bind_int(st, ":since", since);
	rc = db_step_row(n->db, st, DSCHED);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	*state = notice_state_parse((const char *)sqlite3_column_text(st, 0));
	return 1;
}

int notice_strays(struct notice_db *n, int64_t since, int64_t *ids,
		  enum notice_state *states, unsigned max, unsigned *got)
{
	int64_t with[NOTICE_STRAYS_SCAN];
	unsigned n_with, i;
	int rc = mtq_camp_with_queued(n->mc, with, NOTICE_STRAYS_SCAN, &n_with);

	for (*got = 0, i = 0; rc >= 0 && i < n_with && *got < max; i++) {
		rc = notice_stray(n, with[i], since, &states[*got]);
		if (rc == 1)
			ids[(*got)++] = with[i];
	}
	return rc < 0 ? rc : 0;
}

int notice_numbers(struct notice_db *n, int64_t id, struct notice_numbers *c)
{
	DB_STMT(st, n->st[NOTICE_NUMBERS]);
	int rc;

	db_bind_int(st, ":id", id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return db_step_error(n->db, st, rc, DSCHED);
	c->total = sqlite3_column_int64(st, 0);
	c->opted_out = sqlite3_column_int64(st, 1);
	c->unknown = sqlite3_column_int64(st, 2);
	c->duplicates = sqlite3_column_int64(st, 3);
	return 0;
}

int notice_optout_number(struct notice_db *n, const char *msisdn, bool out,
			 int64_t now)
{
	DB_STMT(st, n->st[out ? NOTICE_OPTOUT_ADD : NOTICE_OPTOUT_DEL]);
	int rc = db_begin(n->db);

	if (rc)
		return rc;
	db_bind_text(st, ":msisdn", msisdn);
	if (out)
		db_bind_int(st, ":now", now);
	return db_step_done(n->db, st, DSCHED);
}

static enum notice_rcpt_state notice_rcpt_parse(const char *s)
{
	unsigned i;

	for (i = 0; s && i < NOTICE_R_NUM; i++)
		if (!strcmp(s, notice_rcpt_names[i]))
			return i;
	return NOTICE_R_BAD;
}

int notice_rcpt_counts(struct notice_db *n, int64_t id,
		       unsigned long counts[NOTICE_R_NUM],
		       unsigned long *listed)
{
	DB_STMT(st, n->st[NOTICE_RCPT_COUNTS]);
	int rc;

	memset(counts, 0, NOTICE_R_NUM * sizeof(counts[0]));
	*listed = 0;
	db_bind_int(st, ":id", id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned long k = sqlite3_column_int64(st, 1);

		counts[notice_rcpt_parse((const char *)
					 sqlite3_column_text(st, 0))] += k;
		*listed += k;
	}
	return rc == SQLITE_DONE ? 0 : db_step_error(n->db, st, rc, DSCHED);
}

int notice_each_rcpt(struct notice_db *n, int64_t id, notice_rcpt_fn fn,
		     void *data)
{
	DB_STMT(st, n->st[NOTICE_REPORT]);
	int rc;

	db_bind_int(st, ":id", id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t mt_id = sqlite3_column_type(st, 2) == SQLITE_NULL ?
				0 : sqlite3_column_int64(st, 2);

		rc = fn(data, (const char *)sqlite3_column_text(st, 0),
			notice_rcpt_parse((const char *)
					  sqlite3_column_text(st, 1)), mt_id);
		if (rc < 0)
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : db_step_error(n->db, st, rc, DSCHED);
}
