/*
 * subsidy.c - a worker's subsidies, and the subsidy rule for a
 * training that has not happened yet.
 *
 * The rule (国办发〔2019〕24号): at most DOM_RULE_MAX_PER_YEAR training
 * subsidies per worker and calendar year, and never two for the same
 * occupation at the same level. Rejected subsidies were never received, so
 * they do not count. The import applies the same rule to stored rows
 * (handlers/data/import_subsidy.c); keep the two in step.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/db_stmt.h"
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
		" s.year, s.rule_flag IS NOT NULL FROM subsidy s"
		" LEFT JOIN course c ON c.id = s.course_id"
		" LEFT JOIN occupation o ON o.code = s.occupation"
		" WHERE s.worker_id = :worker_id"
		" ORDER BY s.applied_date DESC, s.id DESC LIMIT :limit",
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
	s->flagged = sqlite3_column_int(st, 13);
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
