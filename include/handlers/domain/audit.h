/*
 * audit.h - the audit log: who did what, when (table audit).
 *
 * actor is the number that asked (8613800138000) or an operator's name;
 * action is a short word from the list below; detail is free text for a
 * human (never parsed). Rows are written in the caller's transaction if one
 * is open, else in the group-commit transaction (db_begin()).
 *
 * Actions used so far: register, register_fail, lockout, enrol, cancel,
 * optout, optin, import, import_refused, export.
 */
#ifndef SGW_AUDIT_H
#define SGW_AUDIT_H

#include <stdint.h>

struct db;
struct audit;

struct audit *audit_init(void *ctx, struct db *db);
void audit_free(struct audit *a);

/* Append one row; detail is printf-style (NULL for none). 0 or -EIO. */
int audit_log(struct audit *a, int64_t at_ms, const char *actor,
	      const char *action, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
