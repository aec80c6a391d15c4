/*
 * hsql.h - small SQLite helpers shared by the files of handlers/ (private:
 * not in include/).
 *
 * HSQL_STMT(var, st) names a prepared statement for the rest of the scope
 * and resets it and clears its bindings on every way out, so no path can
 * leave a statement half-stepped (holding a read snapshot or pointing at a
 * caller's string). Parameters are bound by name; a wrong name is a
 * programming error and asserts on the first test that runs the statement.
 */
#ifndef SGW_HSQL_H
#define SGW_HSQL_H

#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>
#include <osmocom/core/utils.h>

#define HSQL_STMT(var, st) \
	sqlite3_stmt *var __attribute__((cleanup(hsql_release))) = (st)

static inline void hsql_release(sqlite3_stmt **st)
{
	sqlite3_reset(*st);
	sqlite3_clear_bindings(*st);
}

static inline void hsql_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int rc = sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name),
				    v);

	OSMO_ASSERT(rc == SQLITE_OK);
}

/* NULL binds SQL NULL. The string must live until the statement is reset. */
static inline void hsql_text(sqlite3_stmt *st, const char *name,
			     const char *s)
{
	int i = sqlite3_bind_parameter_index(st, name);
	int rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) :
		     sqlite3_bind_null(st, i);

	OSMO_ASSERT(rc == SQLITE_OK);
}

/* "" and NULL bind SQL NULL. */
static inline void hsql_opt(sqlite3_stmt *st, const char *name, const char *s)
{
	hsql_text(st, name, s && *s ? s : NULL);
}

/* Copy text column i into buf (NULL becomes ""), truncating to cap. */
static inline void hsql_col(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(buf, cap, "%s", s ? (const char *)s : "");
}

#endif
