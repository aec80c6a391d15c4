/*
 * report.c - skillctl report quality | course: the figures of training
 * quality (handlers/quality/report.h) for the bureau.
 *
 *   report quality [--by institution|occupation|course]
 *                  [--institution CODE] [--since DATE] [--json]
 *                  [--csv FILE]
 *       per group of the courses that ended on or after DATE: trainees,
 *       pass rate, attendance confirmed and never, survey answers and
 *       average score, follow-ups answered, employed and self-employed;
 *       --csv writes every figure as the bureau's spreadsheet (0600,
 *       through a temporary renamed into place; "-": standard output)
 *   report course CODE [--json]
 *       one course: each check day, the trainees never confirmed
 *       (masked), the codes refused, the survey with its comments, each
 *       follow-up round
 *
 * --json (here or before the verb) writes what the API answers
 * (gateway/api/quality_json.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "ctl_data.h"
#include "gateway/api/json.h"
#include "gateway/api/quality_json.h"
#include "gateway/db.h"
#include "gateway/privfile.h"
#include "gateway/text/fmt.h"
#include "handlers/quality/report.h"

#define CTL_REPORT_ROWS_MAX	10000

struct ctl_report {
	const char *verb, *code, *csv;
	char since[FMT_ISO_DATE];
	struct quality_filter f;
	bool json;
};

static int ctl_report_usage(void)
{
	fprintf(stderr, "usage: skillctl report quality [--by institution|"
		"occupation|course] [--institution CODE] [--since DATE] "
		"[--json] [--csv FILE]\n"
		"       skillctl report course CODE [--json]\n");
	return CTL_DATA_USER;
}

static int ctl_report_opt(struct ctl_report *a, int o, const char *arg)
{
	switch (o) {
	case 'b':
		if ((int)(a->f.by = quality_by_parse(arg)) >= 0)
			return 0;
		fprintf(stderr, "skillctl report: --by: '%s' is not "
			"institution, occupation or course\n", arg);
		return -1;
	case 'i': a->f.institution = arg; return 0;
	case 's':
		if (fmt_date_parse(arg, a->since) == 0) {
			a->f.since = a->since;
			return 0;
		}
		fprintf(stderr, "skillctl report: --since: '%s' is not a date "
			"(write 2026-12-01)\n", arg);
		return -1;
	case 'j': a->json = true; return 0;
	case 'c': a->csv = arg; return 0;
	default: return -1;
	}
}

static int ctl_report_args(int argc, char **argv, struct ctl_report *a)
{
	static const struct option lo[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "institution", required_argument, NULL, 'i' },
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	optind = 0;	/* GNU: re-initialise, so options may follow the verb */
	while ((o = getopt_long(argc, argv, "b:i:s:jc:", lo, NULL)) != -1)
		if (ctl_report_opt(a, o, optarg) < 0)
			return -1;
	if (optind >= argc)
		return -1;
	a->verb = argv[optind++];
	if (!strcmp(a->verb, "quality"))
		return optind == argc ? 0 : -1;
	if (strcmp(a->verb, "course") || optind + 1 != argc || a->csv)
		return -1;
	a->code = argv[optind];
	return 0;
}

/* ---- report quality -------------------------------------------------------- */

/* A rate as "62.5%", "-" when there is none. */
static const char *ctl_pct(double v, char *buf, size_t cap)
{
	if (v < 0)
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.1f%%", v * 100);
	return buf;
}

static void ctl_quality_text(const struct quality_row *r, unsigned n)
{
	char p[6][16], avg[16];
	unsigned i;

	/* the name last: Chinese is wider than printf pads */
	printf("%-8s %7s %8s %7s %7s %7s %7s %6s %8s %8s %8s  %s\n", "code",
	       "courses", "trainees", "passed", "checked", "never", "rated",
	       "score", "followed", "employed", "business", "name");
	for (i = 0; i < n; i++) {
		snprintf(avg, sizeof(avg), r[i].score_avg < 0 ? "-" : "%.2f",
			 r[i].score_avg);
		printf("%-8s %7lu %8lu %7s %7s %7lu %7s %6s %8s %8s %8s  %s\n",
		       r[i].key, r[i].courses, r[i].trainees,
		       ctl_pct(r[i].pass_rate, p[0], 16),
		       ctl_pct(r[i].confirm_rate, p[1], 16), r[i].never,
		       ctl_pct(r[i].rated_rate, p[2], 16), avg,
		       ctl_pct(r[i].reported_rate, p[3], 16),
		       ctl_pct(r[i].employed_rate, p[4], 16),
		       ctl_pct(r[i].business_rate, p[5], 16), r[i].name);
	}
	if (!n)
		printf("no figures yet\n");
}

static int ctl_quality_csv(const struct ctl_report *a, struct db *db)
{
	bool to_stdout = !strcmp(a->csv, "-");
	struct privfile *pf = to_stdout ? NULL : privfile_create(NULL, a->csv);
	unsigned long n = 0;
	int rc;

	if (!to_stdout && !pf) {
		fprintf(stderr, "skillctl report: %s: %s\n", a->csv,
			strerror(errno));
		return CTL_DATA_USER;
	}
	rc = quality_report_csv(db, &a->f, pf ? privfile_stream(pf) : stdout,
				&n);
	if (pf && rc == 0)
		rc = privfile_commit(pf);
	else
		privfile_abort(pf);
	if (rc) {
		fprintf(stderr, "skillctl report: %s: database or write "
			"error\n", a->csv);
		return CTL_DATA_SYS;
	}
	if (!to_stdout)
		printf("wrote %lu row(s) to %s\n", n, a->csv);
	return CTL_DATA_OK;
}

static int ctl_quality(void *ctx, const struct ctl_report *a, struct db *db)
{
	struct quality_row *r = talloc_array(ctx, struct quality_row,
					     CTL_REPORT_ROWS_MAX);
	struct json_w *w;
	unsigned n = 0;

	if (a->csv)
		return ctl_quality_csv(a, db);
	if (!r || quality_report(db, &a->f, r, CTL_REPORT_ROWS_MAX, &n) < 0) {
		fprintf(stderr, "skillctl report: cannot read the figures\n");
		return CTL_DATA_SYS;
	}
	if (!a->json) {
		ctl_quality_text(r, n);
		return CTL_DATA_OK;
	}
	w = json_w_new(ctx, 0);
	quality_json_rows(w, r, n);
	printf("%s\n", json_w_text(w));
	return CTL_DATA_OK;
}

/* ---- report course --------------------------------------------------------- */

static void ctl_course_text(const struct quality_course *c)
{
	char p[16];
	unsigned i;

	printf("%s %s (%s, %s) %s to %s, %lu trainee(s); checks: %s\n",
	       c->code, c->name, c->institution, c->occupation, c->start,
	       c->end, c->trainees, *c->checks ? c->checks : "none");
	for (i = 0; i < c->n_days; i++)
		printf("  check %s: %lu asked, %lu confirmed (%s), %lu without "
		       "a number, %lu opted out\n", c->days[i].day,
		       c->days[i].asked, c->days[i].confirmed,
		       ctl_pct(c->days[i].share, p, sizeof(p)),
		       c->days[i].nonumber, c->days[i].optout);
	printf("  never confirmed: %u; codes refused: %lu late, %lu from "
	       "another number\n", c->n_never, c->late, c->other);
	for (i = 0; i < c->n_never; i++)
		printf("    %-8s %s %-13s %lu check(s)%s\n", c->never[i].name,
		       c->never[i].id, *c->never[i].msisdn ?
		       c->never[i].msisdn : "-", c->never[i].checks,
		       c->never[i].other ? ", its code used by another number" :
		       "");
	printf("  survey: %lu asked, %lu rated", c->surveys, c->rated);
	if (c->score_avg >= 0)
		printf(", average %.2f (1 to 5: %lu %lu %lu %lu %lu)", c->score_avg,
		       c->score[0], c->score[1], c->score[2], c->score[3],
		       c->score[4]);
	printf("\n");
	for (i = 0; i < c->n_comments; i++)
		printf("    %d %s: %s\n", c->comments[i].score,
		       c->comments[i].name, c->comments[i].text);
	for (i = 0; i < c->n_rounds; i++)
		printf("  follow-up %d months: %lu asked, %lu answered: %lu "
		       "employed, %lu self-employed, %lu not yet\n",
		       c->rounds[i].months, c->rounds[i].asked,
		       c->rounds[i].answered, c->rounds[i].employed,
		       c->rounds[i].business, c->rounds[i].seeking);
}

static int ctl_course(void *ctx, const struct ctl_report *a, struct db *db)
{
	struct quality_course *c;
	struct json_w *w;
	int rc = quality_course_get(db, ctx, a->code, &c);

	if (rc == -ENOENT) {
		fprintf(stderr, "skillctl report: no course %s\n", a->code);
		return CTL_DATA_USER;
	}
	if (rc < 0) {
		fprintf(stderr, "skillctl report: cannot read course %s\n",
			a->code);
		return CTL_DATA_SYS;
	}
	if (!a->json) {
		ctl_course_text(c);
		return CTL_DATA_OK;
	}
	w = json_w_new(ctx, 0);
	quality_json_course(w, c);
	printf("%s\n", json_w_text(w));
	return CTL_DATA_OK;
}

int ctl_report_run(void *ctx, const char *config, bool json, int argc,
		   char **argv)
{
	struct ctl_report a = { .json = json };
	struct config cfg;
	struct db *db;
	int rc;

	if (ctl_report_args(argc, argv, &a) < 0)
		return ctl_report_usage();
	rc = ctl_data_open(ctx, config, &cfg, &db);
	if (rc != CTL_DATA_OK)
		return rc;
	rc = a.code ? ctl_course(ctx, &a, db) : ctl_quality(ctx, &a, db);
	db_close(db);
	return rc;
}
