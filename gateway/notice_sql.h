/*
 * notice_sql.h - SQLite helpers shared by the files of the notice campaigns
 * (audience.c, notice.c, scheduler.c; private to them).
 *
 * NSQL_STMT(var, st) names a prepared statement for the rest of the scope
 * and resets it and clears its bindings on every way out, so no path can
 * leave a statement half-stepped. Parameters are bound by name; a wrong
 * name is a programming error and asserts on the first test that runs it.
 */
#ifndef SGW_NOTICE_SQL_H
#define SGW_NOTICE_SQL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>
#include <osmocom/core/utils.h>

#include "db.h"
#include "log.h"

#define NSQL_STMT(var, st) \
	sqlite3_stmt *var __attribute__((cleanup(nsql_release))) = (st)

static inline void nsql_release(sqlite3_stmt **st)
{
	sqlite3_reset(*st);
	sqlite3_clear_bindings(*st);
}

static inline void nsql_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int rc = sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name),
				    v);

	OSMO_ASSERT(rc == SQLITE_OK);
}

/* NULL binds SQL NULL; the string must live until the reset. */
static inline void nsql_text(sqlite3_stmt *st, const char *name,
			     const char *s)
{
	int i = sqlite3_bind_parameter_index(st, name);
	int rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) :
		     sqlite3_bind_null(st, i);

	OSMO_ASSERT(rc == SQLITE_OK);
}

/* 0 binds SQL NULL. */
static inline void nsql_id(sqlite3_stmt *st, const char *name, int64_t id)
{
	int i = sqlite3_bind_parameter_index(st, name);
	int rc = id ? sqlite3_bind_int64(st, i, id) : sqlite3_bind_null(st, i);

	OSMO_ASSERT(rc == SQLITE_OK);
}

/* Copy text column i into buf (NULL becomes ""), cut to cap. */
static inline void nsql_col(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(buf, cap, "%s", s ? (const char *)s : "");
}

/* Log a failed step and turn it into a negative errno. */
static inline int nsql_err(struct db *db, sqlite3_stmt *st, int rc)
{
	LOGP(DSCHED, LOGL_ERROR, "%s (in: %.60s)\n",
	     sqlite3_errmsg(db_handle(db)), sqlite3_sql(st));
	return db_errno(rc) ? db_errno(rc) : -EIO;
}

/* Step a statement that returns no row. */
static inline int nsql_done(struct db *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	return rc == SQLITE_DONE ? 0 : nsql_err(db, st, rc);
}

#endif
