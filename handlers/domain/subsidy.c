/*
 * subsidy.c - a worker's subsidies, and the subsidy rule for a
 * training that has not happened yet.
 *
 * The rule (国办发〔2019〕24号): at most DOM_RULE_MAX_PER_YEAR training
 * subsidies per worker and calendar year, and never two for the same
 * occupation at the same level. Rejected subsidies were never received, so
 * they do not count. The import applies the same rule to stored rows
 * (handlers/data/import_subsidy.c); keep the two in step.
 *
 * A decision on one subsidy (dom_subsidy_set_status, the API's PATCH) is
 * the single-record form of the subsidy import: the same checks of the
 * status and its reason and dates, one UPDATE, then the same flags
 * recomputed for the worker's subsidies (DS_FLAG, DS_UNFLAG: the import's
 * statements for one worker instead of the file's).
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/db_stmt.h"
#include "handlers/domain/audit.h"
#include "domain_priv.h"

#define DOM_TRAINING_COUNTS \
	" kind = 'training' AND status <> 'rejected' AND worker_id = :worker_id"

const char *const dom_subsidy_sql[DS_NUM] = {
	[DS_LIST] =
		"SELECT s.reference, s.kind, coalesce(c.code, ''),"
		" coalesce(c.name, ''), coalesce(o.name, ''),"
		" coalesce(s.level, 0), s.amount_fen, s.status,"
		" coalesce(s.reason, ''), s.applied_date,"
		" coalesce(s.decided_date, ''), coalesce(s.paid_date, ''),"
		" s.year, coalesce(s.rule_flag, ''), s.worker_id FROM subsidy s"
		" LEFT JOIN course c ON c.id = s.course_id"
		" LEFT JOIN occupation o ON o.code = s.occupation"
		" WHERE s.worker_id = :worker_id"
		" ORDER BY s.applied_date DESC, s.id DESC LIMIT :limit",
	[DS_GET] =
		"SELECT s.reference, s.kind, coalesce(c.code, ''),"
		" coalesce(c.name, ''), coalesce(o.name, ''),"
		" coalesce(s.level, 0), s.amount_fen, s.status,"
		" coalesce(s.reason, ''), s.applied_date,"
		" coalesce(s.decided_date, ''), coalesce(s.paid_date, ''),"
		" s.year, coalesce(s.rule_flag, ''), s.worker_id FROM subsidy s"
		" LEFT JOIN course c ON c.id = s.course_id"
		" LEFT JOIN occupation o ON o.code = s.occupation"
		" WHERE s.reference = :ref",
	[DS_SET] =
		"UPDATE subsidy SET status = :status, reason = :reason,"
		" decided_date = :decided, paid_date = :paid, updated_at = :now"
		" WHERE reference = :ref",
	/* the import's flags (import_subsidy.c SS_FLAG) for one worker */
	[DS_FLAG] =
		"WITH t AS (SELECT id, year,"
		"  row_number() OVER (PARTITION BY worker_id, year"
		"   ORDER BY applied_date, reference) AS n_year,"
		"  row_number() OVER same AS n_same,"
		"  first_value(reference) OVER same AS first_ref"
		"  FROM subsidy WHERE kind = 'training' AND status <> 'rejected'"
		"  AND worker_id = :worker_id"
		"  WINDOW same AS (PARTITION BY worker_id, occupation, level"
		"   ORDER BY applied_date, reference)),"
		" f AS (SELECT id, CASE WHEN n_same > 1 THEN"
		"   'same occupation and level as ' || first_ref"
		"  WHEN n_year > :max THEN 'training subsidy ' || n_year"
		"   || ' in ' || year || ', at most ' || :max || ' a year'"
		"  END AS flag FROM t)"
		" UPDATE subsidy SET rule_flag = f.flag FROM f"
		" WHERE subsidy.id = f.id AND subsidy.rule_flag IS NOT f.flag",
	[DS_UNFLAG] =
		"UPDATE subsidy SET rule_flag = NULL WHERE rule_flag IS NOT NULL"
		" AND (kind <> 'training' OR status = 'rejected')"
		" AND worker_id = :worker_id",
	[DS_RULE] =
		"SELECT (SELECT count(*) FROM subsidy WHERE" DOM_TRAINING_COUNTS
		"  AND year = :year),"
		" (SELECT reference FROM subsidy WHERE" DOM_TRAINING_COUNTS
		"  AND occupation = :occupation AND level = :level"
		"  ORDER BY applied_date, reference LIMIT 1)",
};

static void dom_subsidy_row(sqlite3_stmt *st, void *item)
{
	struct dom_subsidy *s = item;

	db_col_text(st, 0, s->reference, sizeof(s->reference));
	db_col_text(st, 1, s->kind, sizeof(s->kind));
	db_col_text(st, 2, s->course_code, sizeof(s->course_code));
	db_col_text(st, 3, s->course_name, sizeof(s->course_name));
	db_col_text(st, 4, s->occupation_name, sizeof(s->occupation_name));
	s->level = sqlite3_column_int(st, 5);
	s->amount_fen = sqlite3_column_int64(st, 6);
	db_col_text(st, 7, s->status, sizeof(s->status));
	db_col_text(st, 8, s->reason, sizeof(s->reason));
	db_col_text(st, 9, s->applied_date, sizeof(s->applied_date));
	db_col_text(st, 10, s->decided_date, sizeof(s->decided_date));
	db_col_text(st, 11, s->paid_date, sizeof(s->paid_date));
	s->year = sqlite3_column_int(st, 12);
	db_col_text(st, 13, s->rule_flag, sizeof(s->rule_flag));
	s->flagged = s->rule_flag[0] != '\0';
	s->worker_id = sqlite3_column_int64(st, 14);
}

int dom_subsidies(struct dom *d, void *ctx, int64_t worker_id,
		  struct dom_subsidy **out, unsigned *n)
{
	return dom_list(d, d->s[DS_LIST], ctx, worker_id, sizeof(**out),
			(void **)out, n, dom_subsidy_row);
}

int dom_subsidy_rule(struct dom *d, int64_t worker_id, const char *occupation,
		     int level, int year, struct dom_rule *out)
{
	DB_STMT(st, d->s[DS_RULE]);
	int rc;

	memset(out, 0, sizeof(*out));
	db_bind_int(st, ":worker_id", worker_id);
	db_bind_int(st, ":year", year);
	db_bind_text(st, ":occupation", occupation ? occupation : "");
	db_bind_int(st, ":level", level);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return dom_err(d, st, rc);
	out->year_count = sqlite3_column_int(st, 0);
	db_col_text(st, 1, out->same_reference, sizeof(out->same_reference));
	if (out->same_reference[0])
		return DOM_RULE_SAME;
	return out->year_count >= DOM_RULE_MAX_PER_YEAR ? DOM_RULE_YEAR :
							   DOM_OK;
}

int dom_subsidy_get(struct dom *d, const char *reference,
		    struct dom_subsidy *s)
{
	DB_STMT(st, d->s[DS_GET]);
	int rc;

	db_bind_text(st, ":ref", reference);
	rc = db_step_row(d->db, st, DHAND);
	if (rc)
		return rc == -ENOENT ? DOM_NOT_FOUND : rc;
	memset(s, 0, sizeof(*s));
	dom_subsidy_row(st, s);
	return DOM_OK;
}

#define DOM_SUBSIDY_REASON_CHARS	128	/* as the import */

/* The change's values checked against the stored subsidy s (the rules of
 * import_subsidy.c): DOM_OK with *status the code, or DOM_INVALID. */
static int dom_subsidy_check(const struct dom_subsidy *s,
			     const struct dom_subsidy_change *c,
			     const char **status, char *why, size_t cap)
{
	const char *paid = c->paid_date ? c->paid_date : s->paid_date;
	const char *decided = c->decided_date ? c->decided_date :
			      s->decided_date;
	int n = c->reason ? fmt_utf8_chars(c->reason) : 0;

	*status = c->status ? codes_find(&codes_subsidy_status, c->status) :
		  NULL;
	if (!*status)
		snprintf(why, cap, "status: '%.40s' is not a subsidy status "
			 "(received, reviewing, approved, paid, rejected, or "
			 "the Chinese term)", c->status ? c->status : "");
	else if (n < 0 || n > DOM_SUBSIDY_REASON_CHARS ||
		 (c->reason && c->reason[strcspn(c->reason, "\r\n\t")]))
		snprintf(why, cap, "reason: one line of at most %d characters",
			 DOM_SUBSIDY_REASON_CHARS);
	else if (!strcmp(*status, "rejected") && (!c->reason || !*c->reason))
		snprintf(why, cap, "reason: is empty; a rejected subsidy "
			 "(不予补贴) needs the reason");
	else if (!strcmp(*status, "paid") && !*paid)
		snprintf(why, cap, "paid_date: is empty; a paid subsidy has its "
			 "paid date");
	else if (*decided && strcmp(decided, s->applied_date) < 0)
		snprintf(why, cap, "decided_date: %s is before the application "
			 "(%s)", decided, s->applied_date);
	else if (*paid && strcmp(paid, s->applied_date) < 0)
		snprintf(why, cap, "paid_date: %s is before the application "
			 "(%s)", paid, s->applied_date);
	else
		return DOM_OK;
	return DOM_INVALID;
}

/* A given date in ISO form into out ("": none given). */
static int dom_subsidy_date(const char *in, const char *what,
			    char out[FMT_ISO_DATE], char *why, size_t cap)
{
	out[0] = '\0';
	if (!in || fmt_date_parse(in, out) == 0)
		return DOM_OK;
	snprintf(why, cap, "%s: '%.20s' is not a date (write 2026-12-01)",
		 what, in);
	return DOM_INVALID;
}

/* Run a statement of the worker's flags. */
static int dom_subsidy_flags(struct dom *d, int64_t worker_id)
{
	int rc;

	{
		DB_STMT(st, d->s[DS_FLAG]);

		db_bind_int(st, ":worker_id", worker_id);
		db_bind_int(st, ":max", DOM_RULE_MAX_PER_YEAR);
		rc = db_step_done(d->db, st, DHAND);
	}
	if (rc)
		return rc;
	DB_STMT(st, d->s[DS_UNFLAG]);
	db_bind_int(st, ":worker_id", worker_id);
	return db_step_done(d->db, st, DHAND);
}

static int dom_subsidy_write(struct dom *d, const struct dom_subsidy *s,
			     const char *status, const char *reason,
			     const char *decided, const char *paid,
			     int64_t now_ms)
{
	DB_STMT(st, d->s[DS_SET]);
	int rc;

	db_bind_text(st, ":ref", s->reference);
	db_bind_text(st, ":status", status);
	db_bind_opt(st, ":reason", reason);
	db_bind_opt(st, ":decided", decided);
	db_bind_opt(st, ":paid", paid);
	db_bind_int(st, ":now", now_ms);
	rc = db_step_done(d->db, st, DHAND);
	return rc ? rc : dom_subsidy_flags(d, s->worker_id);
}

int dom_subsidy_set_status(struct dom *d, const char *reference,
			   const struct dom_subsidy_change *c,
			   const char *actor, const char *where,
			   int64_t now_ms, struct dom_subsidy *out,
			   char *why, size_t cap)
{
	char decided[FMT_ISO_DATE], paid[FMT_ISO_DATE];
	struct dom_subsidy_change dated;
	struct dom_subsidy s;
	const char *status;
	int rc = dom_subsidy_get(d, reference, &s);

	if (rc != DOM_OK)
		return rc;
	if (dom_subsidy_date(c->decided_date, "decided_date", decided, why,
			     cap) || dom_subsidy_date(c->paid_date, "paid_date",
						      paid, why, cap))
		return DOM_INVALID;
	rc = dom_subsidy_check(&s, &(struct dom_subsidy_change){ c->status,
		c->reason, c->decided_date ? decided : NULL,
		c->paid_date ? paid : NULL }, &status, why, cap);
	if (rc != DOM_OK)
		return rc;
	/* a decision made now, without its date: dated today */
	if (!c->decided_date && !*s.decided_date &&
	    (!strcmp(status, "approved") || !strcmp(status, "rejected"))) {
		fmt_local_date(now_ms, decided);
		dated = *c;
		dated.decided_date = decided;
		c = &dated;
	}
	rc = dom_write_begin(d);
	if (!rc)
		rc = dom_subsidy_write(d, &s, status, c->reason,
				       c->decided_date ? decided :
				       s.decided_date, c->paid_date ? paid :
				       s.paid_date, now_ms);
	if (!rc)
		rc = audit_log(d->audit, now_ms, actor, "subsidy_status",
			       "%s%s: %s -> %s", where ? where : "",
			       s.reference, s.status, status);
	rc = dom_write_end(d, rc);
	return rc ? rc : dom_subsidy_get(d, reference, out);
}
