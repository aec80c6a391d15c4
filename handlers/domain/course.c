/*
 * course.c - the course catalogue as a worker browses it: one course
 * by code, the open courses (home region first), the words a worker may
 * type to narrow the list, and the region and group menus of USSD.
 *
 * A course is open for enrolment when its status is open, its deadline is
 * today or later and a seat is left. The filter's fields are bound as
 * parameters ('' means any); words are matched with instr(), never LIKE,
 * so '%' or '_' typed by a worker mean nothing special.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "domain_priv.h"

#define DOM_OPEN_WHERE							\
	" c.status = 'open' AND c.enrol_deadline >= :today"		\
	" AND c.seats_taken < c.capacity"

const char *const dom_course_sql[DC_NUM] = {
	[DC_GET] = DOM_COURSE_SELECT " WHERE c.code = :code",
	[DC_OPEN] = DOM_COURSE_SELECT " WHERE" DOM_OPEN_WHERE
		" AND (:region = '' OR c.region = :region)"
		" AND (:occupation = '' OR c.occupation = :occupation)"
		" AND (:grp = '' OR o.grp = :grp)"
		" AND (:word = '' OR instr(o.name, :word) > 0)"
		" ORDER BY c.region <> :home, c.start_date, c.code"
		" LIMIT :limit OFFSET :offset",
	[DC_REGIONS] = "SELECT code, name FROM region ORDER BY code",
	[DC_GROUPS] =
		"SELECT o.grp FROM course c"
		" JOIN occupation o ON o.code = c.occupation WHERE"
		DOM_OPEN_WHERE " AND (:region = '' OR c.region = :region)"
		" GROUP BY o.grp ORDER BY count(*) DESC, o.grp",
	/* a prefix must name exactly one region: LIMIT 2 tells */
	[DC_WORD_REGION] =
		"SELECT code, (code = :w OR name = :w) AS exact FROM region"
		" WHERE code = :w OR name = :w OR instr(name, :w) = 1"
		" ORDER BY exact DESC, code LIMIT 2",
	[DC_WORD_GROUP] = "SELECT 1 FROM occupation WHERE grp = :w LIMIT 1",
	[DC_WORD_OCC] = "SELECT code FROM occupation WHERE code = :w",
	[DC_WORD_OCC_IN] =
		"SELECT 1 FROM occupation WHERE instr(name, :w) > 0 LIMIT 1",
};

void dom_course_row(sqlite3_stmt *st, struct dom_course *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, c->code, sizeof(c->code));
	db_col_text(st, 2, c->name, sizeof(c->name));
	db_col_text(st, 3, c->occupation, sizeof(c->occupation));
	db_col_text(st, 4, c->occupation_name, sizeof(c->occupation_name));
	db_col_text(st, 5, c->group, sizeof(c->group));
	c->level = sqlite3_column_int(st, 6);
	db_col_text(st, 7, c->training_type, sizeof(c->training_type));
	db_col_text(st, 8, c->institution, sizeof(c->institution));
	db_col_text(st, 9, c->institution_name, sizeof(c->institution_name));
	c->catalogued = sqlite3_column_int(st, 10);
	db_col_text(st, 11, c->region, sizeof(c->region));
	db_col_text(st, 12, c->region_name, sizeof(c->region_name));
	db_col_text(st, 13, c->start_date, sizeof(c->start_date));
	db_col_text(st, 14, c->end_date, sizeof(c->end_date));
	db_col_text(st, 15, c->enrol_deadline, sizeof(c->enrol_deadline));
	c->capacity = sqlite3_column_int(st, 16);
	c->seats_taken = sqlite3_column_int(st, 17);
	c->subsidy_fen = sqlite3_column_int64(st, 18);
	db_col_text(st, 19, c->status, sizeof(c->status));
}

int dom_course_get(struct dom *d, const char *code, struct dom_course *c)
{
	DB_STMT(st, d->c[DC_GET]);
	int rc;

	db_bind_text(st, ":code", code ? code : "");
	rc = db_step_row(d->db, st, DHAND);
	if (rc)
		return rc == -ENOENT ? DOM_NOT_FOUND : rc;
	dom_course_row(st, c);
	return DOM_OK;
}

static void dom_filter_bind(sqlite3_stmt *st, const struct dom_course_filter *f)
{
	db_bind_text(st, ":region", f->region);
	db_bind_text(st, ":occupation", f->occupation);
	db_bind_text(st, ":grp", f->group);
	db_bind_text(st, ":word", f->word);
	db_bind_text(st, ":home", f->home_region);
}

int dom_courses_open(struct dom *d, void *ctx,
		     const struct dom_course_filter *f, int64_t now_ms,
		     unsigned offset, unsigned limit, struct dom_course **out,
		     unsigned *n, bool *more)
{
	DB_STMT(st, d->c[DC_OPEN]);
	static const struct dom_course_filter any;	/* all "" */
	char today[FMT_ISO_DATE];
	int rc;

	*n = 0;
	*more = false;
	if (limit > DOM_LIST_MAX)
		limit = DOM_LIST_MAX;
	*out = talloc_zero_array(ctx, struct dom_course, limit ? limit : 1);
	if (!*out)
		return -ENOMEM;
	dom_today(now_ms, today);
	dom_filter_bind(st, f ? f : &any);
	db_bind_text(st, ":today", today);
	db_bind_int(st, ":limit", limit + 1);	/* one more: a next page? */
	db_bind_int(st, ":offset", offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == limit) {
			*more = true;
			break;
		}
		dom_course_row(st, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dom_err(d, st, rc);
	return DOM_OK;
}

/* Step a statement bound to :w; copy column 0 of the first row into out
 * (may be NULL). DOM_OK when there is a row; for regions, a second row
 * makes a prefix ambiguous (DOM_NOT_FOUND) unless the first is exact. */
static int dom_word_one(struct dom *d, enum dom_course_stmt which,
			const char *word, char *out, size_t cap)
{
	DB_STMT(st, d->c[which]);
	int rc;

	db_bind_text(st, ":w", word);
	rc = db_step_row(d->db, st, DHAND);
	if (rc)
		return rc == -ENOENT ? DOM_NOT_FOUND : rc;
	if (out)
		db_col_text(st, 0, out, cap);
	if (which != DC_WORD_REGION || sqlite3_column_int(st, 1))
		return DOM_OK;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return DOM_NOT_FOUND;	/* "揭": 揭东区 or 揭西县? */
	return rc == SQLITE_DONE ? DOM_OK : dom_err(d, st, rc);
}

int dom_course_word(struct dom *d, const char *word,
		    struct dom_course_filter *f)
{
	char code[DOM_CODE_MAX];
	int rc;

	if (!word || !*word)
		return DOM_NOT_FOUND;
	rc = dom_word_one(d, DC_WORD_REGION, word, code, sizeof(code));
	if (rc == DOM_OK) {
		snprintf(f->region, sizeof(f->region), "%s", code);
		return DOM_OK;
	}
	if (rc == DOM_NOT_FOUND)
		rc = dom_word_one(d, DC_WORD_GROUP, word, NULL, 0);
	if (rc == DOM_OK) {
		snprintf(f->group, sizeof(f->group), "%s", word);
		return DOM_OK;
	}
	if (rc == DOM_NOT_FOUND)
		rc = dom_word_one(d, DC_WORD_OCC, word, code, sizeof(code));
	if (rc == DOM_OK) {
		snprintf(f->occupation, sizeof(f->occupation), "%s", code);
		return DOM_OK;
	}
	if (rc == DOM_NOT_FOUND)
		rc = dom_word_one(d, DC_WORD_OCC_IN, word, NULL, 0);
	if (rc == DOM_OK)
		snprintf(f->word, sizeof(f->word), "%s", word);
	return rc;
}

int dom_regions(struct dom *d, void *ctx, struct dom_region **out,
		unsigned *n)
{
	DB_STMT(st, d->c[DC_REGIONS]);
	int rc = SQLITE_DONE;

	*n = 0;
	*out = talloc_zero_array(ctx, struct dom_region, DOM_LIST_MAX);
	if (!*out)
		return -ENOMEM;
	while (*n < DOM_LIST_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_text(st, 0, (*out)[*n].code, sizeof((*out)[*n].code));
		db_col_text(st, 1, (*out)[*n].name, sizeof((*out)[*n].name));
		(*n)++;
	}
	if (*n < DOM_LIST_MAX && rc != SQLITE_DONE)
		return dom_err(d, st, rc);
	return DOM_OK;
}

int dom_groups(struct dom *d, void *ctx, const char *region, int64_t now_ms,
	       char ***out, unsigned *n)
{
	DB_STMT(st, d->c[DC_GROUPS]);
	char today[FMT_ISO_DATE];
	int rc = SQLITE_DONE;

	*n = 0;
	*out = talloc_zero_array(ctx, char *, DOM_LIST_MAX);
	if (!*out)
		return -ENOMEM;
	dom_today(now_ms, today);
	db_bind_text(st, ":today", today);
	db_bind_text(st, ":region", region ? region : "");
	while (*n < DOM_LIST_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		(*out)[*n] = talloc_strdup(*out,
				(const char *)sqlite3_column_text(st, 0));
		if (!(*out)[(*n)++])
			return -ENOMEM;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dom_err(d, st, rc);
	return DOM_OK;
}
