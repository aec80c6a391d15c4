/*
 * skillctl.c - the operator's command line: works on the gateway's database
 * with the gateway's configuration file, while the daemon runs.
 *
 * Verbs so far:
 *   send   queue MTs (one number, or a file of numbers; gateway/ctl/send.c)
 *   queue  messages by state
 *   import, export  the bureau's CSV files (gateway/ctl/import.c,
 *          gateway/ctl/export.c)
 *   notice bulk notice campaigns (gateway/ctl/notice*.c)
 *   notify what became of the notifications (gateway/ctl/notify.c)
 *   report the figures of training quality (gateway/ctl/report.c)
 *   quarantine  received PDUs the daemon died on (gateway/ctl/quarantine.c)
 *   user, token  accounts of the API and console, API tokens
 *          (gateway/ctl/user.c, gateway/ctl/token.c)
 * Exit status: 0 success, 1 a user error (one line saying what), 2 a system
 * error (database, file system).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/config.h"
#include "ctl_account.h"
#include "ctl_data.h"
#include "ctl_notice.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"

#define CTL_EXIT_OK	0
#define CTL_EXIT_USER	1
#define CTL_EXIT_SYS	2

struct ctl {
	const char *config;
	bool json;
	struct config cfg;
	struct db *db;
	struct mtq *q;
};

static void ctl_usage(FILE *out)
{
	fprintf(out,
		"Usage: skillctl [-c FILE] [--json] COMMAND [ARGS]\n"
		"Operator's tool for skillgw; works on the database named in FILE.\n\n"
		"Commands:\n"
		"  send --to NUMBER --text TEXT [--from SENDER] [--prio reply|bulk]\n"
		"       [--validity SECONDS]\n"
		"  send --file NUMBERS.txt --text TEXT ...\n"
		"                     queue an SMS to one number, or to every number of a\n"
		"                     file (one per line, # starts a comment): numbers as\n"
		"                     gateway.numbers allows (Chinese mobile numbers, or\n"
		"                     any E.164 number too); every bad line is listed and\n"
		"                     nothing is queued; all or nothing\n"
		"  queue              messages in the queue by state\n"
		"  import KIND FILE.csv [--skip-bad] [--dry-run] [--no-notify]\n"
		"       [--operator NAME]\n"
		"                     import a CSV file (UTF-8 or GBK) of the bureau; KIND is\n"
		"                     workers, institutions, occupations, courses, subsidies,\n"
		"                     certificates or enrolments; bad rows are listed and\n"
		"                     nothing is imported unless --skip-bad is given;\n"
		"                     decisions in it are texted to the workers unless\n"
		"                     --no-notify (history); --dry-run keeps nothing and\n"
		"                     says what it would do\n"
		"  import KIND --columns\n"
		"                     the columns a KIND file has (Chinese or English names)\n"
		"  export enrolments [--since DATE] FILE.csv\n"
		"                     the enrolments for the back office (UTF-8 with BOM)\n"
		"  notice create --name NAME (--text TEXT | --text-file FILE) [AUDIENCE]\n"
		"       [--start TIME] [--end TIME] [--rate N] [--operator NAME]\n"
		"                     a bulk notice campaign (a draft); AUDIENCE combines\n"
		"                     --region, --group (key group), --course, --occupation,\n"
		"                     --enrolment-status, --subsidy-status (each a list:\n"
		"                     a,b), or is --numbers FILE.csv; the text may use\n"
		"                     {name} (masked) {name_plain} {course} {start_date}\n"
		"                     {region}; times are local (notices.timezone), e.g.\n"
		"                     \"2026-07-01 09:30\"; --rate caps messages per second\n"
		"  notice preview ID  recipients, SMS parts, sending time, three samples\n"
		"  notice start|pause|resume|cancel ID [--operator NAME]\n"
		"  notice list        the campaigns\n"
		"  notice status ID   progress, recipients and messages by state, failures\n"
		"  notice report ID FILE.csv\n"
		"                     the outcome for every recipient\n"
		"  user add NAME --role admin|operator|viewer [--password-stdin]\n"
		"                     an account of the API and console; the password\n"
		"                     is asked on the terminal (no echo) or read as one\n"
		"                     line of standard input\n"
		"  user passwd NAME [--password-stdin]\n"
		"  user disable|enable NAME   (disable ends its sessions)\n"
		"  user role NAME ROLE\n"
		"  user list          the accounts\n"
		"  token create --name NAME --role ROLE\n"
		"                     an API token for a machine, printed once\n"
		"                     (Authorization: Bearer TOKEN)\n"
		"  token list\n"
		"  token revoke ID\n"
		"  notify status [--since DATE]\n"
		"                     notifications per day and kind: queued, sent,\n"
		"                     delivered, failed, without a bound number\n"
		"  notify list [--kind KIND] [--before ID] [--limit N]\n"
		"                     the newest notifications, numbers masked\n"
		"  report quality [--by institution|occupation|course]\n"
		"       [--institution CODE] [--since DATE] [--json] [--csv FILE]\n"
		"                     training quality per group of the courses that\n"
		"                     ended since DATE: pass rate, attendance confirmed,\n"
		"                     trainees never confirmed, survey answers and score,\n"
		"                     follow-ups answered, employed and self-employed;\n"
		"                     --csv writes them for a spreadsheet\n"
		"  report course CODE [--json]\n"
		"                     one course: each check day, the trainees never\n"
		"                     confirmed (masked), the survey's scores and\n"
		"                     comments, each follow-up round\n"
		"  quarantine list    received PDUs the daemon died on, kept out of its way\n"
		"  quarantine release DIGEST\n"
		"                     handle that PDU again when the SMSC retries it\n\n"
		"Options:\n"
		"  -c, --config FILE  configuration file (default %s/skillgw.conf)\n"
		"  -j, --json         machine-readable output\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n\n"
		"Exit status: 0 success, 1 user error, 2 system error. A database that\n"
		"cannot be written (disk full, locked by another process, read-only,\n"
		"permission denied, corrupt) stops a command at the first error, with\n"
		"one line saying which and what was kept.\n",
		SKILLGW_SYSCONFDIR);
}

static int ctl_open(struct ctl *c)
{
	struct mtq_params p;
	int rc;

	config_defaults(&c->cfg);
	rc = config_load(&c->cfg, c->config, stderr);
	if (rc != 0)
		return CTL_EXIT_USER;
	c->db = db_open(c, c->cfg.db_path, true);
	if (!c->db) {
		fprintf(stderr, "skillctl: cannot open the database %s\n", c->cfg.db_path);
		return CTL_EXIT_SYS;
	}
	p = (struct mtq_params){
		.max_attempts = c->cfg.max_attempts,
		.retry_min_s = c->cfg.retry_min_s,
		.retry_max_s = c->cfg.retry_max_s,
		.validity_s = c->cfg.validity_s,
		.max_parts = c->cfg.max_parts,
	};
	c->q = mtq_init(c, c->db, &p);
	return c->q ? CTL_EXIT_OK : CTL_EXIT_SYS;
}

/* ---- send (gateway/ctl/send.c) ---------------------------------------- */

static int ctl_send(struct ctl *c, int argc, char **argv)
{
	return ctl_send_run(c->config, c->json, argc, argv);
}

/* ---- queue --------------------------------------------------------------- */

static int ctl_queue(struct ctl *c, int argc, char **argv)
{
	unsigned long n[MTQ_NUM_STATES];
	unsigned i;
	int rc;

	if ((rc = ctl_open(c)) != CTL_EXIT_OK)
		return rc;
	if (mtq_counts(c->q, n) < 0) {
		fprintf(stderr, "skillctl queue: cannot read the queue\n");
		return CTL_EXIT_SYS;
	}
	for (i = 0; i < MTQ_NUM_STATES; i++) {
		if (c->json)
			printf("%s\"%s\":%lu", i ? "," : "{", mtq_state_str(i), n[i]);
		else
			printf("%-10s %lu\n", mtq_state_str(i), n[i]);
	}
	if (c->json)
		printf("}\n");
	return CTL_EXIT_OK;
}

/* ---- import, export (gateway/ctl/import.c, export.c) -------------------- */

static int ctl_import(struct ctl *c, int argc, char **argv)
{
	return ctl_import_run(c->config, c->json, argc, argv);
}

static int ctl_export(struct ctl *c, int argc, char **argv)
{
	return ctl_export_run(c->config, c->json, argc, argv);
}

/* ---- notice campaigns (gateway/ctl_notice*.c) --------------------------- */

static int ctl_notice(struct ctl *c, int argc, char **argv)
{
	return ctl_notice_run(c->config, c->json, argc, argv);
}

static int ctl_notify(struct ctl *c, int argc, char **argv)
{
	return ctl_notify_run(c, c->config, c->json, argc, argv);
}

static int ctl_report(struct ctl *c, int argc, char **argv)
{
	return ctl_report_run(c, c->config, c->json, argc, argv);
}

static int ctl_quarantine(struct ctl *c, int argc, char **argv)
{
	return ctl_quarantine_run(c, c->config, c->json, argc, argv);
}

/* ---- accounts and tokens (gateway/ctl/user.c, token.c) ----------------- */

static int ctl_user(struct ctl *c, int argc, char **argv)
{
	return ctl_user_run(c->config, c->json, argc, argv);
}

static int ctl_token(struct ctl *c, int argc, char **argv)
{
	return ctl_token_run(c->config, c->json, argc, argv);
}

/* ---- main ---------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*run)(struct ctl *c, int argc, char **argv);
} ctl_verbs[] = {
	{ "send", ctl_send },
	{ "queue", ctl_queue },
	{ "import", ctl_import },
	{ "export", ctl_export },
	{ "notice", ctl_notice },
	{ "user", ctl_user },
	{ "token", ctl_token },
	{ "notify", ctl_notify },
	{ "report", ctl_report },
	{ "quarantine", ctl_quarantine },
};

static int ctl_global_opts(int argc, char **argv, struct ctl *c)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	c->config = SKILLGW_SYSCONFDIR "/skillgw.conf";
	/* '+': stop at the verb; its options are its own */
	while ((o = getopt_long(argc, argv, "+c:jhV", lo, NULL)) != -1) {
		switch (o) {
		case 'c': c->config = optarg; break;
		case 'j': c->json = true; break;
		case 'h': ctl_usage(stdout); exit(CTL_EXIT_OK);
		case 'V': printf("skillctl %s\n", SKILLGW_VERSION); exit(CTL_EXIT_OK);
		default: ctl_usage(stderr); exit(CTL_EXIT_USER);
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	void *root = talloc_named_const(NULL, 0, "skillctl");
	struct ctl *c = talloc_zero(root, struct ctl);
	int first, rc = CTL_EXIT_USER;
	unsigned i;

	first = ctl_global_opts(argc, argv, c);
	if (first >= argc) {
		ctl_usage(stderr);
		return CTL_EXIT_USER;
	}
	sgw_log_init(root, "error", NULL);
	for (i = 0; i < sizeof(ctl_verbs) / sizeof(ctl_verbs[0]); i++)
		if (!strcmp(argv[first], ctl_verbs[i].name))
			break;
	if (i == sizeof(ctl_verbs) / sizeof(ctl_verbs[0]))
		fprintf(stderr, "skillctl: unknown command '%s' (see skillctl --help)\n",
			argv[first]);
	else
		rc = ctl_verbs[i].run(c, argc - first, argv + first);
	if (c->q)
		mtq_free(c->q);
	if (c->db)
		db_close(c->db);
	talloc_free(root);
	return rc;
}
