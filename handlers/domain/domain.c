/*
 * domain.c - set-up of the domain layer, and what its files share: the
 * savepoint around each write, error logging, the local date.
 *
 * Writes go into the group-commit transaction of the daemon (db_begin()),
 * which many handlers share in one loop iteration. A handler's write is
 * several statements (the change and its audit row), so each runs inside
 * SAVEPOINT dom: if any statement fails, ROLLBACK TO undoes just this
 * handler's part and the rest of the iteration commits as usual.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "handlers/domain/audit.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "domain_priv.h"
#include "gateway/log.h"

const char *const dom_tx_sql[DT_NUM] = {
	[DT_SAVEPOINT]		= "SAVEPOINT dom",
	[DT_RELEASE]		= "RELEASE dom",
	[DT_ROLLBACK_TO]	= "ROLLBACK TO dom",
};

static const struct value_string dom_result_names[] = {
	{ DOM_OK,		"ok" },
	{ DOM_NOT_FOUND,	"not_found" },
	{ DOM_NOT_OPEN,		"not_open" },
	{ DOM_DEADLINE,		"deadline" },
	{ DOM_FULL,		"full" },
	{ DOM_ALREADY,		"already" },
	{ DOM_NOT_ENROLLED,	"not_enrolled" },
	{ DOM_STARTED,		"started" },
	{ DOM_BAD_ID,		"bad_id" },
	{ DOM_NO_MATCH,		"no_match" },
	{ DOM_ID_BOUND,		"id_bound" },
	{ DOM_NUMBER_BOUND,	"number_bound" },
	{ DOM_LOCKED,		"locked" },
	{ DOM_RULE_YEAR,	"rule_year" },
	{ DOM_RULE_SAME,	"rule_same" },
	{ DOM_INVALID,		"invalid" },
	{ 0, NULL }
};

const char *dom_result_str(int rc)
{
	if (rc < 0)
		return "error";
	return get_value_string(dom_result_names, rc);
}

struct dom *dom_init(void *ctx, struct db *db, const struct dom_params *p)
{
	struct dom *d = talloc_zero(ctx, struct dom);

	if (!d)
		return NULL;
	d->db = db;
	if (p)
		d->p = *p;
	if (!d->p.reg_max_failures)
		d->p.reg_max_failures = DOM_DEFAULT_REG_FAILURES;
	d->audit = audit_init(d, db);
	if (!d->audit ||
	    db_prepare(db, dom_tx_sql, DT_NUM, d->tx) ||
	    db_prepare(db, dom_worker_sql, DW_NUM, d->w) ||
	    db_prepare(db, dom_course_sql, DC_NUM, d->c) ||
	    db_prepare(db, dom_enrol_sql, DE_NUM, d->e) ||
	    db_prepare(db, dom_subsidy_sql, DS_NUM, d->s)) {
		dom_free(d);
		return NULL;
	}
	return d;
}

void dom_free(struct dom *d)
{
	if (!d)
		return;
	db_finalize(d->tx, DT_NUM);
	db_finalize(d->w, DW_NUM);
	db_finalize(d->c, DC_NUM);
	db_finalize(d->e, DE_NUM);
	db_finalize(d->s, DS_NUM);
	audit_free(d->audit);
	talloc_free(d);
}

int dom_err(struct dom *d, sqlite3_stmt *st, int rc)
{
	return db_step_error(d->db, st, rc, DHAND);
}

int dom_list(struct dom *d, sqlite3_stmt *list, void *ctx, int64_t worker_id,
	     size_t elem, void **out, unsigned *n,
	     void (*row)(sqlite3_stmt *st, void *item))
{
	DB_STMT(st, list);
	int rc;

	*n = 0;
	/* Items are zeroed one by one as rows fill them: zeroing all
	 * DOM_LIST_MAX (50 KB of subsidies) was a quarter of the
	 * instructions of an SMS reply, for the one to three rows a worker
	 * has. */
	*out = talloc_size(ctx, elem * DOM_LIST_MAX);
	if (!*out)
		return -ENOMEM;
	db_bind_int(st, ":worker_id", worker_id);
	db_bind_int(st, ":limit", DOM_LIST_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		void *item = (char *)*out + elem * (*n)++;

		memset(item, 0, elem);
		row(st, item);
	}
	return rc == SQLITE_DONE ? DOM_OK : dom_err(d, st, rc);
}

static int dom_tx(struct dom *d, enum dom_tx_stmt which)
{
	sqlite3_stmt *st = d->tx[which];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : dom_err(d, st, rc);
}

int dom_write_begin(struct dom *d)
{
	/* inside someone's transaction (skillctl, a test) use it */
	if (sqlite3_get_autocommit(db_handle(d->db)) && db_begin(d->db))
		return -EIO;
	return dom_tx(d, DT_SAVEPOINT);
}

int dom_write_end(struct dom *d, int rc)
{
	if (rc >= 0)
		return dom_tx(d, DT_RELEASE) ? -EIO : rc;
	/* ROLLBACK TO keeps the savepoint open: release it too */
	if (dom_tx(d, DT_ROLLBACK_TO) || dom_tx(d, DT_RELEASE))
		return -EIO;
	return rc;
}

void dom_today(int64_t now_ms, char today[FMT_ISO_DATE])
{
	fmt_local_date(now_ms, today);
}
