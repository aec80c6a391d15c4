/*
 * audit.c - appending to the audit log (see audit.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <osmocom/core/talloc.h>

#include "handlers/domain/audit.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"

#define AUDIT_DETAIL_MAX	512

enum audit_stmt {
	AUDIT_INSERT,
	AUDIT_NUM_STMT
};

static const char *const audit_sql[] = {
	[AUDIT_INSERT] =
		"INSERT INTO audit (at, actor, action, detail)"
		" VALUES (:at, :actor, :action, :detail)",
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
		LOGP(DHAND, LOGL_ERROR, "audit: %s\n",
		     sqlite3_errmsg(db_handle(a->db)));
		return -EIO;
	}
	return 0;
}
