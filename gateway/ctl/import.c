/*
 * import.c - skillctl import KIND FILE.csv [--skip-bad] [--dry-run]
 * [--no-notify] [--operator NAME]
 *
 * Imports one of the bureau's CSV files (handlers/data/import.c does the work):
 * bad rows are printed on stderr as FILE:LINE: column: reason, a progress
 * bar is drawn when stderr is a terminal, and the summary lines
 * "imported N, updated M, skipped K" and "notifications: N queued, M
 * workers without a bound number" go to stdout (with --json, one JSON
 * object instead). Without --skip-bad, one bad row means nothing is
 * imported and the exit status is 1; with it, the bad rows are skipped,
 * the rest is committed and the status is 0. --dry-run does everything
 * and keeps nothing: the lines say what the file would do. --no-notify (a
 * backfill, history) tells nobody of the decisions in the file and says
 * how many would have been told. --columns lists the columns a kind
 * accepts.
 *
 * Also the helpers both data verbs share: opening the configuration and
 * database, and the operator's name for the audit log.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>

#include "gateway/clock.h"
#include "ctl_data.h"
#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "fault.h"
#include "handlers/domain/codes.h"
#include "handlers/data/import.h"
#include "progress.h"

struct ctl_import {
	const char *kind_name, *path, *operator_name;
	bool skip_bad, columns, dry_run, no_notify;
	int kind;
};

int ctl_data_open(void *ctx, const char *config, struct config *cfg,
		  struct db **db)
{
	config_defaults(cfg);
	if (config_load(cfg, config, stderr) != 0 ||
	    codes_load(cfg->glossary_path, stderr) != 0)
		return CTL_DATA_USER;
	*db = db_open(ctx, cfg->db_path, true);
	if (!*db)
		return ctl_fault("cannot open the database", cfg->db_path, 0,
				 NULL, "nothing done");
	return CTL_DATA_OK;
}

const char *ctl_data_operator(const char *given)
{
	const struct passwd *pw;
	const char *user = getenv("USER");

	if (given && *given)
		return given;
	if (user && *user)
		return user;
	pw = getpwuid(getuid());
	return (pw && pw->pw_name) ? pw->pw_name : "operator";
}

static void ctl_import_kinds(FILE *f)
{
	int k;

	for (k = 0; k < IMPORT_NUM_KINDS; k++)
		fprintf(f, "%s%s", k ? ", " : "", import_kind_name(k));
}

static int ctl_import_args(int argc, char **argv, struct ctl_import *a)
{
	static const struct option lo[] = {
		{ "skip-bad", no_argument, NULL, 's' },
		{ "operator", required_argument, NULL, 'o' },
		{ "columns", no_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-notify", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	optind = 0;	/* GNU: re-initialise, so options may follow the arguments */
	while ((o = getopt_long(argc, argv, "so:cnq", lo, NULL)) != -1) {
		switch (o) {
		case 's': a->skip_bad = true; break;
		case 'o': a->operator_name = optarg; break;
		case 'c': a->columns = true; break;
		case 'n': a->dry_run = true; break;
		case 'q': a->no_notify = true; break;
		default: return -1;
		}
	}
	if (optind < argc)
		a->kind_name = argv[optind++];
	if (optind < argc)
		a->path = argv[optind++];
	if (!a->kind_name || optind < argc || (!a->path && !a->columns))
		return -1;
	a->kind = import_kind_parse(a->kind_name);
	return 0;
}

static void ctl_import_progress(void *data, uint64_t done, uint64_t total,
				const struct import_result *r)
{
	progress_update(data, done, total, r->rows);
}

/* What the import did (or, for a dry run, would do) to the notifications:
 * queued, would have been (--no-notify), would be (--dry-run). */
static void ctl_import_notify(const struct ctl_import *a,
			      const struct import_result *r)
{
	unsigned long n = r->notify, u = r->notify_nonumber;

	if (!n && !u) {
		printf("notifications: none\n");
		return;
	}
	if (a->no_notify)
		printf("notifications: none queued (--no-notify); %lu would "
		       "have been", n);
	else
		printf("notifications: %lu %s", n, a->dry_run ?
		       "would be queued" : "queued");
	if (u)
		printf(", %lu worker%s without a bound number", u,
		       u == 1 ? "" : "s");
	putchar('\n');
}

static void ctl_import_summary(const struct ctl_import *a, bool json,
			       const struct import_result *r)
{
	if (json) {
		printf("{\"kind\":\"%s\",\"rows\":%lu,\"imported\":%lu,"
		       "\"updated\":%lu,\"unchanged\":%lu,\"skipped\":%lu,"
		       "\"warnings\":%lu,\"encoding\":\"%s\",\"dry_run\":%s,"
		       "\"notify\":%lu,\"notify_nonumber\":%lu,"
		       "\"notify_suppressed\":%s}\n", a->kind_name,
		       r->rows, r->imported, r->updated, r->unchanged, r->bad,
		       r->warnings, csv_encoding_name(r->encoding),
		       a->dry_run ? "true" : "false", r->notify,
		       r->notify_nonumber, a->no_notify ? "true" : "false");
		return;
	}
	if (a->dry_run)
		printf("dry run: nothing was changed; the file would have "
		       "imported %lu, updated %lu, skipped %lu", r->imported,
		       r->updated, r->bad);
	else
		printf("imported %lu, updated %lu, skipped %lu", r->imported,
		       r->updated, r->bad);
	if (r->unchanged || r->warnings)
		printf(" (%lu unchanged, %lu warnings)", r->unchanged,
		       r->warnings);
	putchar('\n');
	ctl_import_notify(a, r);
}

/* Map import_file()'s result to an exit status, saying why if needed: a
 * database error in one line (fault.h), since seq. */
static int ctl_import_status(const struct ctl_import *a, int rc,
			     const struct import_result *r,
			     const char *db_path, unsigned long seq)
{
	char where[CONFIG_PATH_MAX + 16];

	if (rc == 0)
		return CTL_DATA_OK;
	if (rc == -EINVAL && r->bad)
		fprintf(stderr, "%s: %lu bad row%s: nothing imported (give "
			"--skip-bad to import the good rows)\n", a->path,
			r->bad, r->bad == 1 ? "" : "s");
	else if (rc == -EINVAL)
		fprintf(stderr, "%s: nothing imported\n", a->path);
	if (rc == -EINVAL || rc == -ENOENT || rc == -EACCES || rc == -EISDIR)
		return CTL_DATA_USER;
	snprintf(where, sizeof(where), "%s:%u", a->path, r->fault_line);
	return ctl_fault("import", db_path, seq, r->fault_line ? where :
			 a->path, "nothing imported");
}

static int ctl_import_do(const struct ctl_import *a, const char *config,
			 bool json)
{
	void *ctx = talloc_named_const(NULL, 0, "ctl_import");
	struct import_result r;
	struct progress bar;
	struct config cfg;
	struct db *db = NULL;
	unsigned long seq = db_fault_seq();
	int rc = ctl_data_open(ctx, config, &cfg, &db);

	if (rc == CTL_DATA_OK) {
		struct import_opts o = {
			.kind = a->kind, .path = a->path,
			.skip_bad = a->skip_bad, .dry_run = a->dry_run,
			.no_notify = a->no_notify,
			.operator_name = ctl_data_operator(a->operator_name),
			.country_code = cfg.country_code,
			.numbers = cfg.numbers,
			.now_ms = clock_now_ms(), .err = stderr,
			.progress = ctl_import_progress, .progress_data = &bar,
		};

		progress_init(&bar, stderr, a->path);
		rc = import_file(db, &o, &r);
		progress_done(&bar);
		if (rc == 0)
			ctl_import_summary(a, json, &r);
		rc = ctl_import_status(a, rc, &r, cfg.db_path, seq);
	}
	db_close(db);
	talloc_free(ctx);
	return rc;
}

int ctl_import_run(const char *config, bool json, int argc, char **argv)
{
	struct ctl_import a = { 0 };

	/* A batch of millions of statements: SQLite's memory statistics
	 * take a global mutex per allocation (about a tenth of the time of
	 * a roster import) and nothing here reads them. Only possible
	 * before SQLite is initialised, which db_open() does below. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

	if (ctl_import_args(argc, argv, &a) < 0) {
		fprintf(stderr, "skillctl import: give KIND FILE.csv "
			"[--skip-bad] [--dry-run] [--no-notify] [--operator NAME];"
			" KIND is one of ");
		ctl_import_kinds(stderr);
		fputs("\n", stderr);
		return CTL_DATA_USER;
	}
	if (a.kind < 0) {
		fprintf(stderr, "skillctl import: unknown kind '%s': give one "
			"of ", a.kind_name);
		ctl_import_kinds(stderr);
		fputs("\n", stderr);
		return CTL_DATA_USER;
	}
	if (a.columns) {
		import_describe(a.kind, stdout);
		return CTL_DATA_OK;
	}
	return ctl_import_do(&a, config, json);
}
