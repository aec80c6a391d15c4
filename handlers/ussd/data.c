/*
 * ussd_data.c - the USSD menus' own two queries (see ussd_data.h), in one
 * statement table prepared once.
 *
 * Notices: the rows of the MT queue that belong to a campaign and went to
 * the number (sending, submitted or delivered), found through the partial
 * index mt_dst_notice, so the look-up costs the same whatever the size of
 * the queue. A notice that failed or expired never reached the phone and
 * is not listed.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/text/fmt.h"
#include "gateway/log.h"
#include "ussd_data.h"

enum ud_stmt { UD_ENROLMENT, UD_NOTICES, UD_NUM };

static const char *const ud_sql[UD_NUM] = {
	[UD_ENROLMENT] =
		"SELECT e.id FROM enrolment e JOIN course c ON c.id = e.course_id"
		" WHERE e.worker_id = :worker_id AND c.code = :code"
		" AND e.status <> 'cancelled' ORDER BY e.id DESC LIMIT 1",
	[UD_NOTICES] =
		"SELECT created_at, text FROM mt"
		" WHERE dst = :msisdn AND campaign_id IS NOT NULL"
		" AND state IN (1, 2, 3) ORDER BY id DESC LIMIT :max",
};

struct ussd_data {
	struct db *db;
	sqlite3_stmt *st[UD_NUM];
};

struct ussd_data *ussd_data_init(void *ctx, struct db *db)
{
	struct ussd_data *ud = talloc_zero(ctx, struct ussd_data);

	if (!ud)
		return NULL;
	talloc_set_name_const(ud, "ussd_data");
	ud->db = db;
	if (db_prepare(db, ud_sql, UD_NUM, ud->st) < 0) {
		talloc_free(ud);
		return NULL;
	}
	return ud;
}

void ussd_data_free(struct ussd_data *ud)
{
	if (!ud)
		return;
	db_finalize(ud->st, UD_NUM);
	talloc_free(ud);
}

static int ud_fail(struct ussd_data *ud, const char *what, int rc)
{
	LOGP(DUSSD, LOGL_ERROR, "%s: %s\n", what,
	     sqlite3_errmsg(db_handle(ud->db)));
	return db_errno(rc) < 0 ? db_errno(rc) : -EIO;
}

int ussd_data_enrolment(struct ussd_data *ud, int64_t worker_id,
			const char *code, int64_t *id)
{
	DB_STMT(st, ud->st[UD_ENROLMENT]);
	int rc;

	db_bind_int(st, ":worker_id", worker_id);
	db_bind_text(st, ":code", code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return -ENOENT;
	if (rc != SQLITE_ROW)
		return ud_fail(ud, "enrolment number", rc);
	*id = sqlite3_column_int64(st, 0);
	return 0;
}

int ussd_data_notices(struct ussd_data *ud, void *ctx, const char *msisdn,
		      unsigned max, struct ussd_notice *out, unsigned *n)
{
	DB_STMT(st, ud->st[UD_NOTICES]);
	int rc;

	*n = 0;
	db_bind_text(st, ":msisdn", msisdn);
	db_bind_int(st, ":max", max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		const unsigned char *t = sqlite3_column_text(st, 1);
		struct ussd_notice *o = &out[*n];

		fmt_local_date(sqlite3_column_int64(st, 0), o->date);
		o->text = talloc_strdup(ctx, t ? (const char *)t : "");
		if (!o->text)
			return -ENOMEM;
		(*n)++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ud_fail(ud, "notices", rc);
	return 0;
}
