/*
 * import_roster.c - importing the roster (workers).
 *
 * Natural key: the resident ID. One upsert per row and no query before it:
 * the region is checked against the catalogue in memory, a repeated ID in
 * the file against the key set, and the database answers the rest through
 * constraints (a number already bound to someone else).
 *
 * Numbers: a row with a mobile number binds it to the worker ('roster'),
 * replacing a different number bound earlier; a row without one keeps
 * whatever the worker has (a number bound by registering over SMS or USSD
 * is not undone by the next roster). The opt-out flag is the worker's own
 * choice and never imported.
 */
#include <errno.h>
#include <string.h>

#include "handlers/domain/codes.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "handlers/domain/idcard.h"
#include "import_priv.h"
#include "gateway/text/msisdn.h"

enum { W_ID, W_NAME, W_MOBILE, W_REGION, W_GROUPS, W_BIRTH, W_NUM };

static const struct csv_column imp_worker_cols[W_NUM] = {
	[W_ID]     = { "身份证号|身份证号码|公民身份号码|id_number|resident_id|id",
		       CSV_COL_REQUIRED },
	[W_NAME]   = { "姓名|name", CSV_COL_REQUIRED },
	[W_MOBILE] = { "手机号|手机号码|手机|联系电话|mobile|phone|msisdn", 0 },
	[W_REGION] = { "区县|所属区县|地区|region|county", CSV_COL_REQUIRED },
	[W_GROUPS] = { "重点群体|人员类别|key_groups|groups", 0 },
	[W_BIRTH]  = { "出生日期|birth_date", 0 },
};

enum { WS_UPSERT, WS_HOLDER, WS_NUM };

static const char *const imp_worker_sql[WS_NUM] = {
	/* The WHERE makes an unchanged row return nothing (IMP_SAME). */
	[WS_UPSERT] =
		"INSERT INTO worker (id_number, name, msisdn, region,"
		" key_groups, birth_date, bound_by, bound_at, created_at,"
		" updated_at) VALUES (:id_number, :name, :msisdn, :region,"
		" :groups, :birth, CASE WHEN :msisdn IS NULL THEN NULL"
		" ELSE 'roster' END, CASE WHEN :msisdn IS NULL THEN NULL"
		" ELSE :now END, :now, :now)"
		" ON CONFLICT (id_number) DO UPDATE SET"
		" name = excluded.name, region = excluded.region,"
		" key_groups = excluded.key_groups,"
		" birth_date = excluded.birth_date,"
		" msisdn = coalesce(excluded.msisdn, worker.msisdn),"
		" bound_by = CASE WHEN excluded.msisdn IS NULL OR"
		"  excluded.msisdn = worker.msisdn THEN worker.bound_by"
		"  ELSE 'roster' END,"
		" bound_at = CASE WHEN excluded.msisdn IS NULL OR"
		"  excluded.msisdn = worker.msisdn THEN worker.bound_at"
		"  ELSE excluded.bound_at END,"
		" updated_at = excluded.updated_at"
		" WHERE worker.name <> excluded.name"
		" OR worker.region <> excluded.region"
		" OR worker.key_groups <> excluded.key_groups"
		" OR worker.birth_date <> excluded.birth_date"
		" OR (excluded.msisdn IS NOT NULL"
		"  AND excluded.msisdn IS NOT worker.msisdn)",
	/* error path only: who holds the number */
	[WS_HOLDER] =
		"SELECT id_number, bound_by FROM worker WHERE msisdn = :msisdn",
};

/* A UNIQUE clash on msisdn: say who has the number. */
static int imp_worker_clash(struct imp *im, const char *msisdn)
{
	DB_STMT(st, im->st[WS_HOLDER]);
	char masked[IDCARD_MASKED], holder[IDCARD_LEN + 1], by[8];
	unsigned line;

	db_bind_text(st, ":msisdn", msisdn);
	if (sqlite3_step(st) != SQLITE_ROW)
		return imp_db_err(im, st);
	db_col_text(st, 0, holder, sizeof(holder));
	db_col_text(st, 1, by, sizeof(by));
	idcard_mask(holder, masked);
	line = imp_keys_line(im->keys, holder);
	if (line)
		return imp_bad(im, W_MOBILE, "mobile number %s is also given "
			       "to %s on line %u", msisdn, masked, line);
	return imp_bad(im, W_MOBILE, "mobile number %s is already bound to "
		       "worker %s (by %s)", msisdn, masked, by);
}

static int imp_worker_store(struct imp *im, const struct idcard *id,
			    const char *name, const char *msisdn,
			    const char *region, const char *groups)
{
	DB_STMT(st, im->st[WS_UPSERT]);
	int rc;

	db_bind_text(st, ":id_number", id->id);
	db_bind_text(st, ":name", name);
	db_bind_opt(st, ":msisdn", msisdn);
	db_bind_text(st, ":region", region);
	db_bind_text(st, ":groups", groups);
	db_bind_text(st, ":birth", id->birth);
	db_bind_int(st, ":now", im->now);
	rc = imp_upsert(im, st);
	if (rc != IMP_CONSTRAINT)
		return rc;
	if (im->ext_rc == SQLITE_CONSTRAINT_UNIQUE && *msisdn)
		return imp_worker_clash(im, msisdn);
	return imp_bad(im, -1, "refused by the database: %s",
		       sqlite3_errmsg(im->h));
}

static bool imp_worker_groups(struct imp *im, char *out, size_t cap)
{
	char bad[64];

	if (codes_key_groups(imp_field(im, W_GROUPS), out, cap, bad,
			     sizeof(bad)) == 0)
		return true;
	return imp_bad(im, W_GROUPS, "unknown key group '%s' (graduate, "
		       "migrant, unemployed, ... or the Chinese term)", bad),
	       false;
}

/* An optional birth date must agree with the ID's. */
static bool imp_worker_birth(struct imp *im, const struct idcard *id)
{
	char birth[FMT_ISO_DATE];

	if (!imp_date(im, W_BIRTH, false, birth))
		return false;
	if (birth[0] && id->birth[0] && strcmp(birth, id->birth))
		return imp_bad(im, W_BIRTH, "birth date %s does not match the "
			       "resident ID (%s)", birth, id->birth), false;
	return true;
}

static int imp_worker_row(struct imp *im)
{
	char msisdn[MSISDN_MAX], groups[CODES_GROUPS_MAX];
	const char *name, *region;
	struct idcard id;
	bool id_ok;

	id_ok = imp_id_number(im, W_ID, &id);
	imp_person_name(im, W_NAME, &name);
	imp_mobile(im, W_MOBILE, msisdn, sizeof(msisdn));
	imp_region(im, W_REGION, &region);
	imp_worker_groups(im, groups, sizeof(groups));
	if (id_ok) {
		imp_worker_birth(im, &id);
		imp_key(im, W_ID, id.id);
	}
	if (im->row_errors)
		return IMP_BAD;
	return imp_worker_store(im, &id, name, msisdn, region, groups);
}

const struct imp_kind imp_kind_workers = {
	.name = "workers",
	.cols = imp_worker_cols,
	.n_cols = W_NUM,
	.sql = imp_worker_sql,
	.n_sql = WS_NUM,
	.needs = IMP_NEED_REGIONS,
	.row = imp_worker_row,
};
