/*
 * import.c - the import engine: one CSV file into the database in one
 * transaction, or in chunks (see import.h for the contract, import_priv.h
 * for the parts).
 *
 * The order: open and decode the file (csv.c), map its header to the
 * kind's columns, load the catalogues the kind checks against, prepare the
 * kind's statements, BEGIN IMMEDIATE, one row function call per record,
 * the kind's finishing pass, the count of the notifications the rows
 * caused (deleted with no_notify: import_notify.c), then COMMIT, or
 * ROLLBACK when a row was bad and skip_bad is not set, or for a dry run.
 * The audit row goes into the same transaction; a refused import is
 * audited after the rollback.
 *
 * In chunks (opts.chunk rows): the same per chunk, the kind's finishing
 * pass included; a dry run rolls every chunk back, a real one commits it
 * (and stops at a chunk with a bad row unless skip_bad), and the audit row
 * has a transaction of its own at the end. Between chunks the kind's begin
 * runs again (its temporary tables start empty), opts.cancelled is asked,
 * and the engine pauses opts.pause_us if a writer waited for the lock (the
 * daemon's loop polls every millisecond, db.c): it takes it then. A chunk
 * ends before opts.chunk rows when, after opts.chunk_ms, another
 * connection waits (db_bulk_wanted(): the caller made its connection a
 * bulk writer), so the loop waits for about chunk_ms, not for a chunk.
 *
 * The connection's page cache is raised for the import: a million-row
 * roster touches two large indexes (resident ID, number) in random order,
 * and with SQLite's default 2 MB cache most upserts would wait for a read.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/domain/audit.h"
#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "gateway/db_stmt.h"
#include "import_priv.h"
#include "gateway/log.h"

#define IMP_PROGRESS_EVERY	4096		/* rows */
#define IMP_CACHE_PRAGMA	"PRAGMA cache_size = -262144"	/* 256 MiB */

static const struct imp_kind *const imp_kinds[IMPORT_NUM_KINDS] = {
	[IMPORT_WORKERS]	= &imp_kind_workers,
	[IMPORT_INSTITUTIONS]	= &imp_kind_institutions,
	[IMPORT_OCCUPATIONS]	= &imp_kind_occupations,
	[IMPORT_COURSES]	= &imp_kind_courses,
	[IMPORT_SUBSIDIES]	= &imp_kind_subsidies,
	[IMPORT_CERTIFICATES]	= &imp_kind_certificates,
	[IMPORT_ENROLMENTS]	= &imp_kind_enrolments,
};

enum imp_tx { IT_BEGIN, IT_COMMIT, IT_ROLLBACK, IT_CACHE, IT_NUM };

static const char *const imp_tx_sql[IT_NUM] = {
	[IT_BEGIN]	= "BEGIN IMMEDIATE",
	[IT_COMMIT]	= "COMMIT",
	[IT_ROLLBACK]	= "ROLLBACK",
	[IT_CACHE]	= IMP_CACHE_PRAGMA,
};

int import_kind_parse(const char *name)
{
	unsigned i;

	for (i = 0; name && i < IMPORT_NUM_KINDS; i++)
		if (!strcmp(imp_kinds[i]->name, name))
			return i;
	return -1;
}

const char *import_kind_name(enum import_kind k)
{
	return k < IMPORT_NUM_KINDS ? imp_kinds[k]->name : "?";
}

void import_describe(enum import_kind kind, FILE *out)
{
	const struct imp_kind *k = imp_kinds[kind];
	unsigned i;

	fprintf(out, "%s:\n", k->name);
	for (i = 0; i < k->n_cols; i++) {
		if (k->cols[i].flags & CSV_COL_IGNORED)
			continue;
		fprintf(out, "  %-9s ", (k->cols[i].flags & CSV_COL_REQUIRED) ?
			"required" : "optional");
		for (const char *p = k->cols[i].names; *p; p++) {
			if (*p == '|')
				fputs(" / ", out);
			else
				putc(*p, out);
		}
		putc('\n', out);
	}
}

/* Run one of the fixed statements of the engine. A failure that is a
 * storage fault is noted for the caller's one line (db_fault.h), not
 * printed; a ROLLBACK after SQLite rolled back by itself (a full disk, an
 * I/O error) is not tried. */
static int imp_exec(struct imp *im, sqlite3_stmt **tx, enum imp_tx which)
{
	int rc;

	if (which == IT_ROLLBACK && sqlite3_get_autocommit(im->h))
		return 0;
	rc = sqlite3_step(tx[which]);
	sqlite3_reset(tx[which]);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	db_fault_note(rc, sqlite3_system_errno(im->h));
	if (db_fault_of(rc, 0) == DB_FAULT_NONE)
		fprintf(im->o->err, "%s: database: %s\n", im->name,
			sqlite3_errmsg(im->h));
	if (!im->r->fault_line)
		im->r->fault_line = im->rec.line;
	return db_errno(rc) == -EBUSY ? -EBUSY : -EIO;
}

/* Read the header and map it to the kind's columns. */
static int imp_header(struct imp *im, struct csv *csv)
{
	unsigned i;
	int rc = csv_next(csv, &im->rec);

	if (rc == 0) {
		fprintf(im->o->err, "%s: empty file (no header row)\n",
			im->name);
		return -EINVAL;
	}
	if (rc < 0) {
		fprintf(im->o->err, "%s\n", csv_error(csv));
		return -EINVAL;
	}
	if (csv_map_header(&im->rec, im->kind->cols, im->kind->n_cols, im->col,
			   im->o->err, im->name))
		return -EINVAL;
	for (i = 0; i < im->kind->n_cols; i++)
		if (im->col[i] >= 0)
			im->hdr[i] = talloc_strdup(im, im->rec.field[im->col[i]]);
	im->n_hdr = im->rec.n;
	return 0;
}

/* All fields empty: a row Excel leaves behind (",,,,"), skipped. */
static bool imp_row_empty(const struct csv_record *r)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->field[i][strspn(r->field[i], " \t")])
			return false;
	return true;
}

/* Fields beyond the header's must be empty. */
static bool imp_row_fits(struct imp *im)
{
	unsigned i;

	for (i = im->n_hdr; i < im->rec.n; i++) {
		if (im->rec.field[i][strspn(im->rec.field[i], " \t")]) {
			imp_bad(im, -1, "row has %u fields, the header %u",
				im->rec.n, im->n_hdr);
			return false;
		}
	}
	return true;
}

/* One record: count its outcome. 0, or a negative errno to stop. */
static int imp_one(struct imp *im)
{
	int rc;

	im->r->rows++;
	im->row_errors = 0;
	rc = imp_row_fits(im) ? im->kind->row(im) : IMP_BAD;
	if (rc < 0)
		return rc;
	im->chunk_rows++;
	if (rc == IMP_BAD || im->row_errors) {
		im->r->bad++;
		im->chunk_bad++;
	}
	else if (rc == IMP_NEW)
		im->r->imported++;
	else if (rc == IMP_CHANGED)
		im->r->updated++;
	else
		im->r->unchanged++;
	return 0;
}

static void imp_progress(struct imp *im, struct csv *csv, bool force)
{
	if (im->o->progress && (force || !(im->r->rows % IMP_PROGRESS_EVERY)))
		im->o->progress(im->o->progress_data, csv_pos(csv),
				csv_size(csv), im->r);
}

/* A record the reader could not read (it went on after it). */
static void imp_malformed(struct imp *im, struct csv *csv)
{
	if (im->o->issue)
		im->o->issue(im->o->issue_data, &(struct import_issue){
			.line = im->rec.line, .reason = csv_error(csv) });
	else
		fprintf(im->o->err, "%s\n", csv_error(csv));
	im->r->rows++;
	im->r->bad++;
	im->chunk_rows++;
	im->chunk_bad++;
}

/* A chunk of max rows is full, or has run for opts.chunk_ms while another
 * connection waits for the lock (the clock is read every 16 rows). */
static bool imp_chunk_full(struct imp *im, unsigned long max)
{
	if (im->chunk_rows >= max)
		return true;
	if (!im->o->chunk_ms || im->chunk_rows % 16 || !db_bulk_wanted(im->db))
		return false;
	return clock_mono_us() >= im->chunk_end_us;
}

/* The records after the header, at most max (0: all); *more when the file
 * goes on. 0, or a negative errno. */
static int imp_rows(struct imp *im, struct csv *csv, unsigned long max,
		    bool *more)
{
	int rc;

	*more = false;
	im->chunk_rows = im->chunk_bad = 0;
	im->chunk_end_us = clock_mono_us() + im->o->chunk_ms * 1000LL;
	while ((rc = csv_next(csv, &im->rec)) != 0) {
		if (rc == -EINVAL) {	/* malformed, reader went on */
			imp_malformed(im, csv);
			continue;
		}
		if (rc < 0) {
			fprintf(im->o->err, "%s\n", csv_error(csv));
			return rc == -EILSEQ ? -EINVAL : -EIO;
		}
		if (imp_row_empty(&im->rec))
			continue;
		if ((rc = imp_one(im)) < 0)
			return rc;
		imp_progress(im, csv, false);
		if (max && imp_chunk_full(im, max)) {
			*more = true;
			return 0;
		}
	}
	imp_progress(im, csv, true);
	return 0;
}

static void imp_audit(struct imp *im, const char *action)
{
	struct audit *a = audit_init(im, im->db);
	const struct import_result *r = im->r;

	if (!a || audit_log(a, im->now, im->o->operator_name, action,
			    "%s from %s: rows %lu, imported %lu, updated %lu, "
			    "unchanged %lu, bad %lu, warnings %lu",
			    im->kind->name, im->name, r->rows, r->imported,
			    r->updated, r->unchanged, r->bad, r->warnings))
		LOGP(DHAND, LOGL_ERROR, "import: cannot write the audit row\n");
	audit_free(a);
}

/* Rows are in; the transaction is open. Commit or roll back. */
static int imp_end(struct imp *im, sqlite3_stmt **tx, int rc)
{
	if (rc == 0 && im->kind->finish)
		rc = im->kind->finish(im);
	if (rc == 0 && im->r->bad && !im->o->skip_bad)
		rc = -EINVAL;
	if (rc == 0)
		rc = imp_notify_tally(im, !im->o->no_notify);
	if (rc == 0 && im->o->dry_run) {
		imp_exec(im, tx, IT_ROLLBACK);	/* counted, nothing kept */
		return 0;
	}
	if (rc == 0) {
		imp_audit(im, "import");
		return imp_exec(im, tx, IT_COMMIT);
	}
	imp_exec(im, tx, IT_ROLLBACK);
	if (rc == -EINVAL && !im->o->dry_run && !imp_exec(im, tx, IT_BEGIN)) {
		imp_audit(im, "import_refused");	/* on its own */
		imp_exec(im, tx, IT_COMMIT);
	}
	return rc;
}

/* One chunk's end: its finishing pass, then COMMIT (a real run) or
 * ROLLBACK (a dry run, an error, a bad row without skip_bad). */
static int imp_chunk_end(struct imp *im, sqlite3_stmt **tx, int rc)
{
	const struct import_opts *o = im->o;

	if (rc == 0 && im->kind->finish)
		rc = im->kind->finish(im);
	if (rc == 0 && !o->dry_run && im->chunk_bad && !o->skip_bad) {
		im->r->stopped = true;
		im->r->stop_line = im->rec.line;
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = imp_notify_tally(im, !o->no_notify);
	if (rc == 0 && !o->dry_run) {
		rc = imp_exec(im, tx, IT_COMMIT);
		if (rc == 0)
			im->r->applied += im->chunk_rows - im->chunk_bad;
		return rc;
	}
	imp_exec(im, tx, IT_ROLLBACK);
	return rc;
}

/* The audit row of a chunked real run, in a transaction of its own. */
static void imp_chunks_audit(struct imp *im, sqlite3_stmt **tx, int rc)
{
	if (im->o->dry_run || imp_exec(im, tx, IT_BEGIN))
		return;
	imp_audit(im, rc == 0 ? "import" : im->r->applied ? "import_stopped" :
		  "import_refused");
	imp_exec(im, tx, IT_COMMIT);
}

/* Transactions of o->chunk rows until the end of the file. */
static int imp_chunks(struct imp *im, sqlite3_stmt **tx, struct csv *csv)
{
	const struct import_opts *o = im->o;
	bool more = true;
	int rc = 0;

	while (!rc && more) {
		rc = imp_exec(im, tx, IT_BEGIN);
		if (rc)
			break;
		rc = imp_notify_mark(im);
		rc = imp_chunk_end(im, tx, rc ? rc :
				   imp_rows(im, csv, o->chunk, &more));
		imp_progress(im, csv, true);
		if (!rc && more && o->cancelled && o->cancelled(o->cancel_data))
			rc = -ECANCELED;
		if (!rc && more)
			db_bulk_yield(im->db, o->pause_us); /* the loop's turn */
		if (!rc && more && im->kind->begin)
			rc = im->kind->begin(im);	/* empty temp tables */
	}
	if (!rc && o->dry_run && im->r->bad && !o->skip_bad)
		rc = -EINVAL;
	imp_chunks_audit(im, tx, rc);
	return rc;
}

/* Set-up done: statements, transaction, rows. */
static int imp_run(struct imp *im, struct csv *csv)
{
	sqlite3_stmt *tx[IT_NUM] = { NULL };
	int rc;

	if (db_prepare(im->db, imp_tx_sql, IT_NUM, tx))
		return -EIO;
	rc = imp_exec(im, tx, IT_CACHE);
	if (!rc && im->kind->begin)
		rc = im->kind->begin(im);
	if (!rc && db_prepare(im->db, im->kind->sql, im->kind->n_sql, im->st))
		rc = -EIO;
	if (!rc && im->o->chunk)
		rc = imp_chunks(im, tx, csv);
	else if (!rc && !(rc = imp_exec(im, tx, IT_BEGIN))) {
		bool more;

		rc = imp_notify_mark(im);
		rc = imp_end(im, tx, rc ? rc : imp_rows(im, csv, 0, &more));
	}
	db_finalize(im->st, im->kind->n_sql);
	db_finalize(tx, IT_NUM);
	return rc;
}

static int imp_open(struct imp *im, FILE **f, struct csv **csv)
{
	char err[CSV_ERR_MAX + 256];
	int e;

	*f = fopen(im->o->path, "rb");
	if (!*f) {
		e = errno;
		fprintf(im->o->err, "%s: %s\n", im->name, strerror(e));
		return -e;
	}
	*csv = csv_open(im, *f, im->name, err, sizeof(err));
	if (!*csv) {
		fprintf(im->o->err, "%s\n", err);
		return -EINVAL;
	}
	im->r->encoding = csv_encoding(*csv);
	return 0;
}

int import_file(struct db *db, const struct import_opts *o,
		struct import_result *r)
{
	struct imp *im = talloc_zero(NULL, struct imp);
	struct csv *csv = NULL;
	FILE *f = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!im)
		return -ENOMEM;
	OSMO_ASSERT(o->kind < IMPORT_NUM_KINDS && !db_in_txn(db));
	*im = (struct imp){ .db = db, .h = db_handle(db), .o = o, .r = r,
			    .kind = imp_kinds[o->kind], .now = o->now_ms,
			    .name = o->name ? o->name : o->path };
	fmt_local_date(o->now_ms, im->today);
	im->keys = imp_keys_new(im);
	rc = im->keys ? imp_open(im, &f, &csv) : -ENOMEM;
	if (!rc)
		rc = imp_header(im, csv);
	if (!rc && imp_cat_load(im, im->kind->needs))
		rc = -EIO;
	if (!rc)
		rc = imp_run(im, csv);
	if (csv)
		r->encoding = csv_encoding(csv);	/* known after reading */
	if (f)
		fclose(f);
	talloc_free(im);
	return rc;
}
