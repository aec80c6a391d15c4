/*
 * export.c - skillctl export enrolments [--since DATE] FILE.csv
 *
 * Writes the enrolments for the back office (format in export.h). The file
 * holds names and ID numbers: it is written mode 0600 under a fresh
 * temporary name beside FILE and renamed into place when complete
 * (privfile.h), so a reader never sees half of it; "-" writes to stdout.
 * The export is audited with the operator's name, and renamed into place
 * only once that is committed. A failure (the database's, in one line:
 * fault.h; or the file's: a full disk) leaves nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/domain/audit.h"
#include "gateway/clock.h"
#include "ctl_data.h"
#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "fault.h"
#include "handlers/data/export.h"
#include "gateway/text/fmt.h"
#include "gateway/privfile.h"

struct ctl_export {
	const char *what, *path, *operator_name;
	char since[FMT_ISO_DATE];
	bool has_since;
};

static int ctl_export_args(int argc, char **argv, struct ctl_export *a)
{
	static const struct option lo[] = {
		{ "since", required_argument, NULL, 's' },
		{ "operator", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	optind = 0;	/* GNU: re-initialise, so options may follow the arguments */
	while ((o = getopt_long(argc, argv, "s:o:", lo, NULL)) != -1) {
		switch (o) {
		case 's':
			if (fmt_date_parse(optarg, a->since) < 0) {
				fprintf(stderr, "skillctl export: --since: '%s'"
					" is not a date (write 2026-12-01)\n",
					optarg);
				return -1;
			}
			a->has_since = true;
			break;
		case 'o': a->operator_name = optarg; break;
		default: return -1;
		}
	}
	if (optind + 2 != argc)
		return -1;
	a->what = argv[optind];
	a->path = argv[optind + 1];
	return 0;
}

/* The export failed (rc): the database's fault since seq (fault.h), or
 * the file's own error. Returns an exit status. */
static int ctl_export_failed(const struct ctl_export *a, const char *db_path,
			     unsigned long seq, FILE *out)
{
	int e = 0;

	if (db_fault_last(seq, NULL) != DB_FAULT_NONE || !out)
		return ctl_fault("export", db_path, seq, NULL,
				 "nothing exported");
	if (fflush(out) != 0)	/* the write error again, with its errno */
		e = errno;
	fprintf(stderr, "skillctl export: %s: %s; nothing exported\n",
		a->path, e ? strerror(e) : "write error");
	return CTL_DATA_SYS;
}

/* The audit row of n exported rows, committed. */
static int ctl_export_audit(const struct ctl_export *a, void *ctx,
			    struct db *db, unsigned long n)
{
	struct audit *au = audit_init(ctx, db);
	int rc = au ? audit_log(au, clock_now_ms(),
				ctl_data_operator(a->operator_name), "export",
				"%lu enrolments since %s to %s", n,
				a->has_since ? a->since : "the start",
				a->path) : -ENOMEM;

	audit_free(au);
	if (rc == 0)
		rc = db_commit(db);
	else
		db_rollback(db);
	return rc;
}

/* Export into path or stdout, audited: the file is a private temporary
 * (privfile.h), renamed into place once its audit row is committed, so an
 * export is on disk only when the audit log says so. Exit status. */
static int ctl_export_write(const struct ctl_export *a, void *ctx,
			    struct db *db, const struct config *cfg,
			    unsigned long *n)
{
	bool to_stdout = !strcmp(a->path, "-");
	struct privfile *pf = to_stdout ? NULL : privfile_create(NULL, a->path);
	FILE *out = pf ? privfile_stream(pf) : stdout;
	unsigned long seq = db_fault_seq();
	int rc;

	if (!to_stdout && !pf) {
		fprintf(stderr, "skillctl export: %s: %s\n", a->path,
			strerror(errno));
		return CTL_DATA_USER;
	}
	rc = export_enrolments(db, out, a->has_since ? a->since : NULL,
			       cfg->country_code, n);
	if (rc == 0 && fflush(out) != 0)
		rc = -EIO;
	if (rc < 0) {
		rc = ctl_export_failed(a, cfg->db_path, seq, out);
		privfile_abort(pf);
		return rc;
	}
	if (ctl_export_audit(a, ctx, db, *n) < 0) {
		privfile_abort(pf);
		return ctl_fault("export", cfg->db_path, seq, NULL,
				 "nothing exported (its audit row could not "
				 "be written)");
	}
	rc = pf ? privfile_commit(pf) : 0;
	if (rc < 0)
		fprintf(stderr, "skillctl export: %s: %s; nothing exported\n",
			a->path, strerror(-rc));
	return rc < 0 ? CTL_DATA_SYS : CTL_DATA_OK;
}

int ctl_export_run(const char *config, bool json, int argc, char **argv)
{
	void *ctx;
	struct ctl_export a = { 0 };
	struct config cfg;
	struct db *db = NULL;
	unsigned long n = 0;
	int rc;

	if (ctl_export_args(argc, argv, &a) < 0 || strcmp(a.what, "enrolments")) {
		fprintf(stderr, "skillctl export: give enrolments [--since "
			"DATE] FILE.csv\n");
		return CTL_DATA_USER;
	}
	ctx = talloc_named_const(NULL, 0, "ctl_export");
	rc = ctl_data_open(ctx, config, &cfg, &db);
	if (rc == CTL_DATA_OK)
		rc = ctl_export_write(&a, ctx, db, &cfg, &n);
	if (rc == CTL_DATA_OK) {
		if (json)
			printf("{\"exported\":%lu}\n", n);
		else if (strcmp(a.path, "-"))
			printf("exported %lu enrolments to %s\n", n, a.path);
	}
	db_close(db);
	talloc_free(ctx);
	return rc;
}
