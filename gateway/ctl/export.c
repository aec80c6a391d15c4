/*
 * export.c - skillctl export enrolments [--since DATE] FILE.csv
 *
 * Writes the enrolments for the back office (format in export.h). The file
 * holds names and ID numbers: it is written mode 0600 under a fresh
 * temporary name beside FILE and renamed into place when complete
 * (privfile.h), so a reader never sees half of it; "-" writes to stdout.
 * The export is audited with the operator's name.
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

/* Export into path (a private temporary renamed into place) or stdout. */
static int ctl_export_write(const struct ctl_export *a, struct db *db,
			    const char *cc, unsigned long *n)
{
	bool to_stdout = !strcmp(a->path, "-");
	struct privfile *pf = to_stdout ? NULL : privfile_create(NULL, a->path);
	int rc;

	if (!to_stdout && !pf) {
		fprintf(stderr, "skillctl export: %s: %s\n", a->path,
			strerror(errno));
		return CTL_DATA_USER;
	}
	rc = export_enrolments(db, pf ? privfile_stream(pf) : stdout,
			       a->has_since ? a->since : NULL, cc, n);
	if (pf && rc == 0)
		rc = privfile_commit(pf);
	else
		privfile_abort(pf);
	if (rc)
		fprintf(stderr, "skillctl export: %s: %s\n", a->path,
			rc == -EIO ? "database or write error" : strerror(-rc));
	return rc ? CTL_DATA_SYS : CTL_DATA_OK;
}

int ctl_export_run(const char *config, bool json, int argc, char **argv)
{
	void *ctx;
	struct ctl_export a = { 0 };
	struct config cfg;
	struct db *db = NULL;
	struct audit *au;
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
		rc = ctl_export_write(&a, db, cfg.country_code, &n);
	if (rc == CTL_DATA_OK) {
		au = audit_init(ctx, db);
		if (!au || audit_log(au, clock_now_ms(),
				     ctl_data_operator(a.operator_name),
				     "export", "%lu enrolments since %s to %s",
				     n, a.has_since ? a.since : "the start",
				     a.path) || db_commit(db))
			fprintf(stderr, "skillctl export: cannot write the "
				"audit row\n");
		audit_free(au);
		if (json)
			printf("{\"exported\":%lu}\n", n);
		else if (strcmp(a.path, "-"))
			printf("exported %lu enrolments to %s\n", n, a.path);
	}
	db_close(db);
	talloc_free(ctx);
	return rc;
}
