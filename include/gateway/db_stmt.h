/*
 * db_stmt.h - using one prepared statement of db.h: scope, binding by name,
 * reading a text column, stepping, and turning a failed step into the
 * negative errno of db.h. Shared by the modules of gateway/ and handlers/
 * that keep their SQL in a table prepared with db_prepare().
 *
 * DB_STMT(var, st) names a prepared statement for the rest of the scope
 * and resets it and clears its bindings on every way out, so no path can
 * leave a statement half-stepped (holding a read snapshot or pointing at a
 * caller's string). Parameters are bound by name without copying: a
 * string must live until the statement is reset. Binding fails only for a
 * wrong parameter name, a programming error that asserts on the first test
 * that runs the statement.
 */
#ifndef SGW_DB_STMT_H
#define SGW_DB_STMT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>
#include <osmocom/core/utils.h>

#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "gateway/log.h"

#define DB_STMT(var, st) \
	sqlite3_stmt *var __attribute__((cleanup(db_stmt_release))) = (st)

static inline void db_stmt_release(sqlite3_stmt **st)
{
	sqlite3_reset(*st);
	sqlite3_clear_bindings(*st);
}

static inline void db_bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int rc = sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name),
				    v);

	OSMO_ASSERT(rc == SQLITE_OK);
}

/* NULL binds SQL NULL. */
static inline void db_bind_text(sqlite3_stmt *st, const char *name,
				const char *s)
{
	int i = sqlite3_bind_parameter_index(st, name);
	int rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) :
		     sqlite3_bind_null(st, i);

	OSMO_ASSERT(rc == SQLITE_OK);
}

/* "" and NULL bind SQL NULL. */
static inline void db_bind_opt(sqlite3_stmt *st, const char *name,
			       const char *s)
{
	db_bind_text(st, name, s && *s ? s : NULL);
}

/* A row id; 0 binds SQL NULL. */
static inline void db_bind_id(sqlite3_stmt *st, const char *name, int64_t id)
{
	int i = sqlite3_bind_parameter_index(st, name);
	int rc = id ? sqlite3_bind_int64(st, i, id) : sqlite3_bind_null(st, i);

	OSMO_ASSERT(rc == SQLITE_OK);
}

/* Copy text column i into buf (NULL becomes ""), cut to cap. */
static inline void db_col_text(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(buf, cap, "%s", s ? (const char *)s : "");
}

/* Log a failed step (result rc) in category cat (a storage fault at INFO
 * only, see db_log_level()), note it (db_fault.h) and turn it into a
 * negative errno. */
static inline int db_step_error(struct db *db, sqlite3_stmt *st, int rc,
				int cat)
{
	db_fault_note(rc, sqlite3_system_errno(db_handle(db)));
	LOGP(cat, db_log_level(rc), "%s (in: %.60s)\n",
	     sqlite3_errmsg(db_handle(db)), sqlite3_sql(st));
	return db_errno(rc) ? db_errno(rc) : -EIO;
}

/* Step st to its first row: 0 on a row (read before the scope ends),
 * -ENOENT when there is none, else db_step_error(). */
static inline int db_step_row(struct db *db, sqlite3_stmt *st, int cat)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT : db_step_error(db, st, rc, cat);
}

/* Step a statement that returns no row: 0 or db_step_error(). */
static inline int db_step_done(struct db *db, sqlite3_stmt *st, int cat)
{
	int rc = sqlite3_step(st);

	return rc == SQLITE_DONE ? 0 : db_step_error(db, st, rc, cat);
}

/* Step a statement that writes and returns no row: the number of rows it
 * changed, or db_step_error(). */
static inline int db_step_changes(struct db *db, sqlite3_stmt *st, int cat)
{
	int rc = db_step_done(db, st, cat);

	return rc ? rc : sqlite3_changes(db_handle(db));
}

#endif
