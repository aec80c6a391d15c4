/*
 * audit.h - the audit log: who did what, when (table audit).
 *
 * actor is the number that asked (8613800138000) or an operator's name;
 * action is a short word from the list below; detail is free text for a
 * human (never parsed). Rows are written in the caller's transaction if one
 * is open, else in the group-commit transaction (db_begin()).
 *
 * Actions used so far: register, register_fail, lockout, enrol, cancel,
 * optout, optin, import, import_refused, import_stopped, export,
 * notice_create/start/pause/resume/cancel, subsidy_status; of the API's
 * accounts: login, login_failed, lockout, logout, user_add, user_passwd,
 * user_role, user_disable, user_enable, token_create, token_revoke; and of
 * the API: message_send, import_start, import_checked, import_stop. The
 * API's rows say "from ADDRESS: " first.
 */
#ifndef SGW_AUDIT_H
#define SGW_AUDIT_H

#include <stdint.h>

struct db;
struct audit;

struct audit *audit_init(void *ctx, struct db *db);
void audit_free(struct audit *a);

/* One row of the log. */
struct audit_entry {
	int64_t id, at;
	char *actor, *action, *detail;	/* talloc'ed */
};

/* What to list: NULL / 0 for any. */
struct audit_filter {
	const char *actor, *action;
	int64_t since, until;		/* ms, inclusive */
};

/* A page of the log, newest first; *total rows match. */
int audit_list(struct audit *a, void *ctx, const struct audit_filter *f,
	       unsigned offset, unsigned limit, struct audit_entry **out,
	       unsigned *n, unsigned long *total);

/* Append one row; detail is printf-style (NULL for none). 0 or -EIO. */
int audit_log(struct audit *a, int64_t at_ms, const char *actor,
	      const char *action, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
