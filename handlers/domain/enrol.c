/*
 * enrol.c - enrolment, cancellation and the training record.
 *
 * Capacity is the schema's job, not this file's: enrolling is one INSERT
 * ... SELECT that only finds an open course before its deadline, and the
 * enrolment trigger that takes the seat fails the CHECK course_full when
 * none is left, which undoes the whole INSERT. SQLite runs one writer at a
 * time, so however many workers enrol at once, the course never holds more
 * than its capacity; the unique index enrolment_active refuses a second
 * active enrolment of the same worker. When the INSERT does nothing, the
 * course is read to say why. dom_enrol_preview() makes the same decisions
 * in the same order without writing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/domain/audit.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "domain_priv.h"

const char *const dom_enrol_sql[DE_NUM] = {
	[DE_ENROL] =
		"INSERT INTO enrolment (worker_id, course_id, status, channel,"
		" created_at, updated_at)"
		" SELECT :worker_id, id, 'enrolled', :via, :now, :now"
		" FROM course WHERE code = :code AND status = 'open'"
		" AND enrol_deadline >= :today",
	[DE_ACTIVE] =
		"SELECT e.status FROM enrolment e"
		" JOIN course c ON c.id = e.course_id"
		" WHERE e.worker_id = :worker_id AND c.code = :code"
		" AND e.status <> 'cancelled'",
	[DE_ID] =
		"SELECT e.id FROM enrolment e JOIN course c ON c.id = e.course_id"
		" WHERE e.worker_id = :worker_id AND c.code = :code"
		" AND e.status <> 'cancelled' ORDER BY e.id DESC LIMIT 1",
	[DE_CANCEL] =
		"UPDATE enrolment SET status = 'cancelled',"
		" cancelled_by = 'worker', updated_at = :now"
		" WHERE worker_id = :worker_id AND status = 'enrolled'"
		" AND course_id = (SELECT id FROM course WHERE code = :code"
		"  AND start_date > :today)",
	[DE_TRAININGS] =
		"SELECT c.code, c.name, o.name, c.level, i.name, c.start_date,"
		" c.end_date, e.status, coalesce(e.result, ''),"
		" coalesce(ce.number, '') FROM enrolment e"
		" JOIN course c ON c.id = e.course_id"
		" JOIN occupation o ON o.code = c.occupation"
		" JOIN institution i ON i.code = c.institution"
		" LEFT JOIN certificate ce ON ce.id = e.certificate_id"
		" WHERE e.worker_id = :worker_id AND e.status <> 'cancelled'"
		" ORDER BY c.start_date DESC, e.id DESC LIMIT :limit",
	/* every enrolment, cancelled ones too, newest first */
	[DE_ALL] =
		"SELECT c.code, c.name, o.name, c.level, i.name, c.start_date,"
		" c.end_date, e.status, coalesce(e.result, ''),"
		" coalesce(ce.number, '') FROM enrolment e"
		" JOIN course c ON c.id = e.course_id"
		" JOIN occupation o ON o.code = c.occupation"
		" JOIN institution i ON i.code = c.institution"
		" LEFT JOIN certificate ce ON ce.id = e.certificate_id"
		" WHERE e.worker_id = :worker_id ORDER BY e.id DESC LIMIT :limit",
	[DE_CERTS] =
		"SELECT ce.number, ce.kind, coalesce(o.name, ''),"
		" coalesce(ce.level, 0), ce.issued_date FROM certificate ce"
		" LEFT JOIN occupation o ON o.code = ce.occupation"
		" WHERE ce.worker_id = :worker_id"
		" ORDER BY ce.issued_date DESC, ce.id DESC LIMIT :limit",
	[DE_SKILLS] =
		"SELECT o.name, min(ce.level) FROM certificate ce"
		" JOIN occupation o ON o.code = ce.occupation"
		" WHERE ce.worker_id = :worker_id AND ce.level IS NOT NULL"
		" AND ce.kind IN ('qualification', 'skill_level')"
		" GROUP BY ce.occupation ORDER BY min(ce.level), o.name"
		" LIMIT :limit",
};

/* Why the enrolling INSERT found no course: DOM_NOT_FOUND, DOM_NOT_OPEN,
 * DOM_DEADLINE (or DOM_OK if it would have). Fills *c. */
static int dom_course_closed(struct dom *d, const char *code,
			     const char *today, struct dom_course *c)
{
	int rc = dom_course_get(d, code, c);

	if (rc != DOM_OK)
		return rc;
	if (strcmp(c->status, "open"))
		return DOM_NOT_OPEN;
	if (strcmp(c->enrol_deadline, today) < 0)
		return DOM_DEADLINE;
	return DOM_OK;
}

/* Does the worker hold a seat in the course? DOM_OK (status in st),
 * DOM_NOT_ENROLLED. */
static int dom_active(struct dom *d, int64_t worker_id, const char *code,
		      char *status, size_t cap)
{
	DB_STMT(st, d->e[DE_ACTIVE]);
	int rc;

	db_bind_int(st, ":worker_id", worker_id);
	db_bind_text(st, ":code", code);
	rc = db_step_row(d->db, st, DHAND);
	if (rc)
		return rc == -ENOENT ? DOM_NOT_ENROLLED : rc;
	db_col_text(st, 0, status, cap);
	return DOM_OK;
}

int dom_enrolment_id(struct dom *d, int64_t worker_id, const char *code,
		     int64_t *id)
{
	DB_STMT(st, d->e[DE_ID]);
	int rc;

	db_bind_int(st, ":worker_id", worker_id);
	db_bind_text(st, ":code", code);
	rc = db_step_row(d->db, st, DHAND);
	if (rc)
		return rc == -ENOENT ? DOM_NOT_ENROLLED : rc;
	*id = sqlite3_column_int64(st, 0);
	return DOM_OK;
}

int dom_enrol_preview(struct dom *d, int64_t worker_id, const char *code,
		      int64_t now_ms, struct dom_course *c, int *rule_rc,
		      struct dom_rule *rule)
{
	char today[FMT_ISO_DATE], status[12];
	struct dom_rule tmp;
	int rc;

	dom_today(now_ms, today);
	rc = dom_course_closed(d, code ? code : "", today, c);
	if (rc == DOM_OK) {
		rc = dom_active(d, worker_id, code, status, sizeof(status));
		if (rc == DOM_OK)
			rc = DOM_ALREADY;
		else if (rc == DOM_NOT_ENROLLED)
			rc = c->seats_taken >= c->capacity ? DOM_FULL : DOM_OK;
	}
	if (rc < 0 || rc == DOM_NOT_FOUND || !rule_rc)
		return rc;
	*rule_rc = dom_subsidy_rule(d, worker_id, c->occupation, c->level,
				    atoi(c->start_date), rule ? rule : &tmp);
	return *rule_rc < 0 ? *rule_rc : rc;
}

/* The INSERT: DOM_OK, DOM_NOT_FOUND (it found no open course), DOM_FULL,
 * DOM_ALREADY. */
static int dom_enrol_insert(struct dom *d, int64_t worker_id,
			    const char *code, enum dom_via via,
			    const char *today, int64_t now_ms)
{
	DB_STMT(st, d->e[DE_ENROL]);
	int rc;

	db_bind_int(st, ":worker_id", worker_id);
	db_bind_text(st, ":via", via == DOM_VIA_USSD ? "ussd" : "sms");
	db_bind_int(st, ":now", now_ms);
	db_bind_text(st, ":code", code);
	db_bind_text(st, ":today", today);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_CHECK)	/* course_full */
		return DOM_FULL;
	if (rc == SQLITE_CONSTRAINT_UNIQUE)	/* enrolment_active */
		return DOM_ALREADY;
	if (rc != SQLITE_DONE)
		return dom_err(d, st, rc);
	return sqlite3_changes(db_handle(d->db)) ? DOM_OK : DOM_NOT_FOUND;
}

int dom_enrol(struct dom *d, int64_t worker_id, const char *code,
	      enum dom_via via, const char *actor, int64_t now_ms,
	      struct dom_course *c)
{
	char today[FMT_ISO_DATE];
	struct dom_course tmp;
	int rc, got;

	c = c ? c : &tmp;
	memset(c, 0, sizeof(*c));
	code = code ? code : "";
	dom_today(now_ms, today);
	if ((rc = dom_write_begin(d)))
		return rc;
	rc = dom_enrol_insert(d, worker_id, code, via, today, now_ms);
	if (rc == DOM_NOT_FOUND) {
		rc = dom_course_closed(d, code, today, c);
		if (rc == DOM_OK)	/* cannot happen: same conditions */
			rc = DOM_NOT_OPEN;
	} else if (rc >= 0 && (got = dom_course_get(d, code, c)) < 0) {
		rc = got;
	}
	if (rc == DOM_OK && audit_log(d->audit, now_ms, actor, "enrol",
				      "worker %lld course %s via %s",
				      (long long)worker_id, code,
				      via == DOM_VIA_USSD ? "ussd" : "sms"))
		rc = -EIO;
	return dom_write_end(d, rc);
}

static int dom_cancel_update(struct dom *d, int64_t worker_id,
			     const char *code, const char *today,
			     int64_t now_ms)
{
	DB_STMT(st, d->e[DE_CANCEL]);
	int rc;

	db_bind_int(st, ":worker_id", worker_id);
	db_bind_text(st, ":code", code);
	db_bind_text(st, ":today", today);
	db_bind_int(st, ":now", now_ms);
	rc = db_step_changes(d->db, st, DHAND);
	return rc < 0 ? rc : rc ? DOM_OK : DOM_NOT_ENROLLED;
}

/* Why nothing was cancelled: DOM_NOT_FOUND, DOM_NOT_ENROLLED, DOM_STARTED */
static int dom_cancel_why(struct dom *d, int64_t worker_id, const char *code,
			  struct dom_course *c)
{
	char status[12];
	int rc = dom_course_get(d, code, c);

	if (rc != DOM_OK)
		return rc;
	rc = dom_active(d, worker_id, code, status, sizeof(status));
	if (rc != DOM_OK)
		return rc;
	return DOM_STARTED;	/* enrolled but started, or completed */
}

int dom_cancel(struct dom *d, int64_t worker_id, const char *code,
	       const char *actor, int64_t now_ms, struct dom_course *c)
{
	char today[FMT_ISO_DATE];
	struct dom_course tmp;
	int rc;

	c = c ? c : &tmp;
	memset(c, 0, sizeof(*c));
	code = code ? code : "";
	dom_today(now_ms, today);
	if ((rc = dom_write_begin(d)))
		return rc;
	rc = dom_cancel_update(d, worker_id, code, today, now_ms);
	if (rc == DOM_NOT_ENROLLED)
		rc = dom_cancel_why(d, worker_id, code, c);
	else if (rc == DOM_OK && (rc = dom_course_get(d, code, c)) == DOM_OK &&
		 audit_log(d->audit, now_ms, actor, "cancel",
			   "worker %lld course %s", (long long)worker_id, code))
		rc = -EIO;
	return dom_write_end(d, rc);
}

/* ---- the record ---- */

static void dom_training_row(sqlite3_stmt *st, void *item)
{
	struct dom_training *t = item;

	db_col_text(st, 0, t->code, sizeof(t->code));
	db_col_text(st, 1, t->name, sizeof(t->name));
	db_col_text(st, 2, t->occupation_name, sizeof(t->occupation_name));
	t->level = sqlite3_column_int(st, 3);
	db_col_text(st, 4, t->institution_name, sizeof(t->institution_name));
	db_col_text(st, 5, t->start_date, sizeof(t->start_date));
	db_col_text(st, 6, t->end_date, sizeof(t->end_date));
	db_col_text(st, 7, t->status, sizeof(t->status));
	db_col_text(st, 8, t->result, sizeof(t->result));
	db_col_text(st, 9, t->certificate, sizeof(t->certificate));
}

static void dom_cert_row(sqlite3_stmt *st, void *item)
{
	struct dom_cert *c = item;

	db_col_text(st, 0, c->number, sizeof(c->number));
	db_col_text(st, 1, c->kind, sizeof(c->kind));
	db_col_text(st, 2, c->occupation_name, sizeof(c->occupation_name));
	c->level = sqlite3_column_int(st, 3);
	db_col_text(st, 4, c->issued_date, sizeof(c->issued_date));
}

static void dom_skill_row(sqlite3_stmt *st, void *item)
{
	struct dom_skill *s = item;

	db_col_text(st, 0, s->occupation_name, sizeof(s->occupation_name));
	s->level = sqlite3_column_int(st, 1);
}

int dom_record(struct dom *d, void *ctx, int64_t worker_id,
	       struct dom_record *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = dom_list(d, d->e[DE_TRAININGS], ctx, worker_id,
		      sizeof(struct dom_training), (void **)&r->trainings,
		      &r->n_trainings, dom_training_row);
	if (rc == DOM_OK)
		rc = dom_list(d, d->e[DE_CERTS], ctx, worker_id,
			      sizeof(struct dom_cert), (void **)&r->certs,
			      &r->n_certs, dom_cert_row);
	if (rc == DOM_OK)
		rc = dom_list(d, d->e[DE_SKILLS], ctx, worker_id,
			      sizeof(struct dom_skill), (void **)&r->skills,
			      &r->n_skills, dom_skill_row);
	return rc;
}

int dom_enrolments(struct dom *d, void *ctx, int64_t worker_id,
		   struct dom_training **out, unsigned *n)
{
	return dom_list(d, d->e[DE_ALL], ctx, worker_id, sizeof(**out),
			(void **)out, n, dom_training_row);
}
