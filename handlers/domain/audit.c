/*
 * audit.c - appending to the audit log (see audit.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include <osmocom/core/talloc.h>

#include "handlers/domain/audit.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"

#define AUDIT_DETAIL_MAX	512

enum audit_stmt {
	AUDIT_INSERT,
	AUDIT_LIST,
	AUDIT_COUNT,
	AUDIT_NUM_STMT
};

/* Filters are parameters that may be NULL (any): no SQL is built. */
#define AUDIT_WHERE \
	" WHERE (:actor IS NULL OR actor = :actor)" \
	" AND (:action IS NULL OR action = :action)" \
	" AND at >= :since AND at <= :until"

static const char *const audit_sql[] = {
	[AUDIT_INSERT] =
		"INSERT INTO audit (at, actor, action, detail)"
		" VALUES (:at, :actor, :action, :detail)",
	[AUDIT_LIST] =
		"SELECT id, at, actor, action, coalesce(detail, '') FROM audit"
		AUDIT_WHERE " ORDER BY id DESC LIMIT :limit OFFSET :offset",
	[AUDIT_COUNT] = "SELECT count(*) FROM audit" AUDIT_WHERE,
};

struct audit {
	struct db *db;
	sqlite3_stmt *st[AUDIT_NUM_STMT];
};

struct audit *audit_init(void *ctx, struct db *db)
{
	struct audit *a = talloc_zero(ctx, struct audit);

	if (!a)
		return NULL;
	a->db = db;
	if (db_prepare(db, audit_sql, AUDIT_NUM_STMT, a->st)) {
		talloc_free(a);
		return NULL;
	}
	return a;
}

void audit_free(struct audit *a)
{
	if (!a)
		return;
	db_finalize(a->st, AUDIT_NUM_STMT);
	talloc_free(a);
}

int audit_log(struct audit *a, int64_t at_ms, const char *actor,
	      const char *action, const char *fmt, ...)
{
	DB_STMT(st, a->st[AUDIT_INSERT]);
	char detail[AUDIT_DETAIL_MAX];
	va_list ap;
	int rc;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	/* someone else's transaction, or the iteration's */
	if (sqlite3_get_autocommit(db_handle(a->db)) && db_begin(a->db))
		return -EIO;
	db_bind_int(st, ":at", at_ms);
	db_bind_text(st, ":actor", actor);
	db_bind_text(st, ":action", action);
	db_bind_text(st, ":detail", fmt ? detail : NULL);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		db_step_error(a->db, st, rc, DHAND);
		return -EIO;
	}
	return 0;
}

static void audit_bind_filter(sqlite3_stmt *st, const struct audit_filter *f)
{
	db_bind_opt(st, ":actor", f->actor);
	db_bind_opt(st, ":action", f->action);
	db_bind_int(st, ":since", f->since);
	db_bind_int(st, ":until", f->until ? f->until : INT64_MAX);
}

static int audit_count(struct audit *a, const struct audit_filter *f,
		       unsigned long *total)
{
	DB_STMT(st, a->st[AUDIT_COUNT]);
	int rc;

	audit_bind_filter(st, f);
	rc = db_step_row(a->db, st, DHAND);
	if (!rc)
		*total = sqlite3_column_int64(st, 0);
	return rc;
}

int audit_list(struct audit *a, void *ctx, const struct audit_filter *f,
	       unsigned offset, unsigned limit, struct audit_entry **out,
	       unsigned *n, unsigned long *total)
{
	DB_STMT(st, a->st[AUDIT_LIST]);
	int rc = SQLITE_DONE;

	*n = 0;
	*out = talloc_zero_array(ctx, struct audit_entry, limit ? limit : 1);
	if (!*out)
		return -ENOMEM;
	audit_bind_filter(st, f);
	db_bind_int(st, ":limit", limit);
	db_bind_int(st, ":offset", offset);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry *e = &(*out)[(*n)++];

		e->id = sqlite3_column_int64(st, 0);
		e->at = sqlite3_column_int64(st, 1);
		e->actor = talloc_strdup(*out, (const char *)
					 sqlite3_column_text(st, 2));
		e->action = talloc_strdup(*out, (const char *)
					  sqlite3_column_text(st, 3));
		e->detail = talloc_strdup(*out, (const char *)
					  sqlite3_column_text(st, 4));
	}
	if (*n < limit && rc != SQLITE_DONE)
		return db_step_error(a->db, st, rc, DHAND);
	return audit_count(a, f, total);
}
