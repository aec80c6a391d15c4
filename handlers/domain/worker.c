/*
 * worker.c - workers: finding the one behind a number, registration
 * (binding a number to a roster entry) with its daily lockout, opt-out.
 *
 * Registration answers a stranger, so it gives nothing away: an ID that is
 * not on the roster and a name that does not match get the same answer
 * (DOM_NO_MATCH), and every failed attempt counts toward the lock of the
 * number for the rest of the local day (table reg_failure). A locked number
 * is refused before anything is looked up. The bind itself is one UPDATE
 * that only binds an unbound entry, so two numbers racing for one ID cannot
 * both win; the UNIQUE index on msisdn does the same for one number racing
 * for two IDs.
 */
#include <errno.h>
#include <string.h>

#include "handlers/domain/audit.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "domain_priv.h"
#include "gateway/log.h"

#define DOM_WORKER_COLS							\
	"SELECT w.id, w.id_number, w.name, coalesce(w.msisdn, ''),"	\
	" w.region, r.name, w.key_groups, w.birth_date, w.opted_out,"	\
	" coalesce(w.bound_by, '')"					\
	" FROM worker w JOIN region r ON r.code = w.region"

const char *const dom_worker_sql[DW_NUM] = {
	[DW_BY_MSISDN] = DOM_WORKER_COLS " WHERE w.msisdn = :msisdn",
	[DW_BY_ID_NUMBER] = DOM_WORKER_COLS " WHERE w.id_number = :id_number",
	[DW_BIND] =
		"UPDATE worker SET msisdn = :msisdn, bound_by = :via,"
		" bound_at = :now, updated_at = :now"
		" WHERE id = :id AND msisdn IS NULL",
	[DW_FAIL_GET] =
		"SELECT count FROM reg_failure WHERE msisdn = :msisdn"
		" AND day = :day",
	[DW_FAIL_ADD] =
		"INSERT INTO reg_failure (msisdn, day, count)"
		" VALUES (:msisdn, :day, 1)"
		" ON CONFLICT (msisdn, day) DO UPDATE SET count = count + 1"
		" RETURNING count",
	[DW_OPTOUT] =
		"UPDATE worker SET opted_out = :out, updated_at = :now"
		" WHERE id = :id AND opted_out <> :out",
	[DW_EXISTS] = "SELECT 1 FROM worker WHERE id = :id",
	[DW_BY_ID] = DOM_WORKER_COLS " WHERE w.id = :id",
};

static void dom_worker_row(sqlite3_stmt *st, struct dom_worker *w)
{
	memset(w, 0, sizeof(*w));
	w->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, w->id_number, sizeof(w->id_number));
	db_col_text(st, 2, w->name, sizeof(w->name));
	db_col_text(st, 3, w->msisdn, sizeof(w->msisdn));
	db_col_text(st, 4, w->region, sizeof(w->region));
	db_col_text(st, 5, w->region_name, sizeof(w->region_name));
	db_col_text(st, 6, w->key_groups, sizeof(w->key_groups));
	db_col_text(st, 7, w->birth_date, sizeof(w->birth_date));
	w->opted_out = sqlite3_column_int(st, 8);
	db_col_text(st, 9, w->bound_by, sizeof(w->bound_by));
}

/* One worker by a text key (statement which, parameter name). */
static int dom_worker_get(struct dom *d, enum dom_worker_stmt which,
			  const char *param, const char *key,
			  struct dom_worker *w)
{
	DB_STMT(st, d->w[which]);
	int rc;

	db_bind_text(st, param, key);
	rc = db_step_row(d->db, st, DHAND);
	if (rc)
		return rc == -ENOENT ? DOM_NOT_FOUND : rc;
	dom_worker_row(st, w);
	return DOM_OK;
}

int dom_worker_by_msisdn(struct dom *d, const char *msisdn,
			 struct dom_worker *w)
{
	return dom_worker_get(d, DW_BY_MSISDN, ":msisdn", msisdn, w);
}

int dom_worker_by_id_number(struct dom *d, const char *id_number,
			    struct dom_worker *w)
{
	return dom_worker_get(d, DW_BY_ID_NUMBER, ":id_number", id_number, w);
}

int dom_reg_status(struct dom *d, const char *msisdn, int64_t now_ms,
		   unsigned *failures)
{
	DB_STMT(st, d->w[DW_FAIL_GET]);
	char day[FMT_ISO_DATE];
	unsigned n = 0;
	int rc;

	dom_today(now_ms, day);
	db_bind_text(st, ":msisdn", msisdn);
	db_bind_text(st, ":day", day);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else if (rc != SQLITE_DONE)
		return dom_err(d, st, rc);
	if (failures)
		*failures = n;
	return n >= d->p.reg_max_failures ? DOM_LOCKED : DOM_OK;
}

/* Count a failed attempt; audit it, and the lockout when it locks. */
static int dom_reg_fail(struct dom *d, const char *msisdn, int why,
			const char *id_number, int64_t now_ms,
			struct dom_reg *out)
{
	DB_STMT(st, d->w[DW_FAIL_ADD]);
	char day[FMT_ISO_DATE], masked[IDCARD_MASKED];
	int rc;

	dom_today(now_ms, day);
	db_bind_text(st, ":msisdn", msisdn);
	db_bind_text(st, ":day", day);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return dom_err(d, st, rc);
	out->failures = sqlite3_column_int(st, 0);
	out->locked_now = out->failures == d->p.reg_max_failures;
	idcard_mask(id_number, masked);
	if (audit_log(d->audit, now_ms, msisdn, "register_fail",
		      "%s, ID %s, failure %u of %u", dom_result_str(why),
		      masked, out->failures, d->p.reg_max_failures))
		return -EIO;
	if (out->locked_now &&
	    audit_log(d->audit, now_ms, msisdn, "lockout",
		      "%u failed registrations on %s", out->failures, day))
		return -EIO;
	return why;
}

static int dom_bind(struct dom *d, const char *msisdn, enum dom_via via,
		    int64_t id, int64_t now_ms)
{
	DB_STMT(st, d->w[DW_BIND]);
	int rc;

	db_bind_text(st, ":msisdn", msisdn);
	db_bind_text(st, ":via", via == DOM_VIA_USSD ? "ussd" : "sms");
	db_bind_int(st, ":now", now_ms);
	db_bind_int(st, ":id", id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return DOM_NUMBER_BOUND;
	if (rc != SQLITE_DONE)
		return dom_err(d, st, rc);
	return sqlite3_changes(db_handle(d->db)) ? DOM_OK : DOM_ID_BOUND;
}

/* Trim ASCII and ideographic spaces (U+3000) around s into out. */
static void dom_trim(const char *s, char *out, size_t cap)
{
	static const char ideo[] = "\xe3\x80\x80";
	size_t n;

	for (;;) {
		if (*s == ' ' || *s == '\t')
			s++;
		else if (!strncmp(s, ideo, 3))
			s += 3;
		else
			break;
	}
	n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		else if (n >= 3 && !strncmp(s + n - 3, ideo, 3))
			n -= 3;
		else
			break;
	}
	snprintf(out, cap, "%.*s", (int)n, s);
}

/* The checks of dom_register after the lock: DOM_OK with out->w the
 * worker to bind, or why not. *id is always filled. */
static int dom_reg_match(struct dom *d, const char *msisdn, const char *idn,
			 const char *name, int64_t now_ms, struct dom_reg *out,
			 struct idcard *id)
{
	char today[FMT_ISO_DATE], clean[DOM_NAME_MAX];
	enum idcard_status id_st;
	int rc;

	dom_today(now_ms, today);
	id_st = idcard_check(idn, today, id);
	rc = dom_worker_by_msisdn(d, msisdn, &out->w);
	if (rc < 0)
		return rc;
	if (rc == DOM_OK)
		return (id_st == IDCARD_OK &&
			!strcmp(out->w.id_number, id->id)) ?
		       DOM_ALREADY : DOM_NUMBER_BOUND;
	if (id_st != IDCARD_OK)
		return DOM_BAD_ID;
	rc = dom_worker_by_id_number(d, id->id, &out->w);
	if (rc < 0)
		return rc;
	dom_trim(name ? name : "", clean, sizeof(clean));
	if (rc == DOM_NOT_FOUND || strcmp(clean, out->w.name))
		return DOM_NO_MATCH;
	return out->w.msisdn[0] ? DOM_ID_BOUND : DOM_OK;
}

static int dom_register_locked(struct dom *d, const char *msisdn,
			       const char *idn, const char *name,
			       enum dom_via via, int64_t now_ms,
			       struct dom_reg *out)
{
	struct idcard id;
	char masked[IDCARD_MASKED];
	int rc;

	rc = dom_reg_status(d, msisdn, now_ms, &out->failures);
	if (rc != DOM_OK)
		return rc;
	rc = dom_reg_match(d, msisdn, idn, name, now_ms, out, &id);
	if (rc == DOM_OK)
		rc = dom_bind(d, msisdn, via, out->w.id, now_ms);
	if (rc == DOM_BAD_ID || rc == DOM_NO_MATCH || rc == DOM_ID_BOUND)
		return dom_reg_fail(d, msisdn, rc, id.id, now_ms, out);
	if (rc != DOM_OK)
		return rc;
	snprintf(out->w.msisdn, sizeof(out->w.msisdn), "%s", msisdn);
	snprintf(out->w.bound_by, sizeof(out->w.bound_by), "%s",
		 via == DOM_VIA_USSD ? "ussd" : "sms");
	idcard_mask(out->w.id_number, masked);
	if (audit_log(d->audit, now_ms, msisdn, "register", "ID %s via %s",
		      masked, out->w.bound_by))
		return -EIO;
	return DOM_OK;
}

int dom_register(struct dom *d, const char *msisdn, const char *id_number,
		 const char *name, enum dom_via via, int64_t now_ms,
		 struct dom_reg *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->left = d->p.reg_max_failures;
	if (!msisdn || !*msisdn)
		return -EINVAL;
	rc = dom_write_begin(d);
	if (rc)
		return rc;
	rc = dom_register_locked(d, msisdn, id_number ? id_number : "", name,
				 via, now_ms, out);
	out->left = out->failures < d->p.reg_max_failures ?
		    d->p.reg_max_failures - out->failures : 0;
	return dom_write_end(d, rc);
}

/* Change the flag: DOM_OK, DOM_ALREADY (no row changed), or errno. */
static int dom_optout_update(struct dom *d, int64_t worker_id, bool out,
			     int64_t now_ms)
{
	DB_STMT(st, d->w[DW_OPTOUT]);
	int rc;

	db_bind_int(st, ":out", out);
	db_bind_int(st, ":now", now_ms);
	db_bind_int(st, ":id", worker_id);
	rc = db_step_changes(d->db, st, DHAND);
	return rc < 0 ? rc : rc ? DOM_OK : DOM_ALREADY;
}

static int dom_worker_exists(struct dom *d, int64_t worker_id)
{
	DB_STMT(st, d->w[DW_EXISTS]);
	int rc;

	db_bind_int(st, ":id", worker_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return DOM_OK;
	return rc == SQLITE_DONE ? DOM_NOT_FOUND : dom_err(d, st, rc);
}

int dom_set_optout(struct dom *d, int64_t worker_id, bool opted_out,
		   const char *actor, int64_t now_ms)
{
	int rc = dom_write_begin(d);

	if (rc)
		return rc;
	rc = dom_optout_update(d, worker_id, opted_out, now_ms);
	if (rc == DOM_ALREADY && (rc = dom_worker_exists(d, worker_id)) == DOM_OK)
		rc = DOM_ALREADY;
	if (rc == DOM_OK && audit_log(d->audit, now_ms, actor,
				      opted_out ? "optout" : "optin",
				      "worker %lld", (long long)worker_id))
		rc = -EIO;
	return dom_write_end(d, rc);
}

int dom_worker_by_id(struct dom *d, int64_t id, struct dom_worker *w)
{
	DB_STMT(st, d->w[DW_BY_ID]);
	int rc;

	db_bind_int(st, ":id", id);
	rc = db_step_row(d->db, st, DHAND);
	if (rc)
		return rc == -ENOENT ? DOM_NOT_FOUND : rc;
	dom_worker_row(st, w);
	return DOM_OK;
}
