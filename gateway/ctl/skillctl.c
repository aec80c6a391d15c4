/*
 * skillctl.c - the operator's command line: works on the gateway's database
 * with the gateway's configuration file, while the daemon runs.
 *
 * Verbs so far:
 *   send   queue MTs (one number, or a file of numbers); the daemon picks
 *          them up within queue.poll_ms
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
#include "gateway/text/msisdn.h"
#include "gateway/queue/mtq.h"

#define CTL_EXIT_OK	0
#define CTL_EXIT_USER	1
#define CTL_EXIT_SYS	2
#define CTL_LINE_MAX	256

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
		"                     file (one per line, # starts a comment)\n"
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
		"Exit status: 0 success, 1 user error, 2 system error.\n",
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

/* ---- send ---------------------------------------------------------------- */

struct ctl_send {
	const char *to, *file, *text, *from;
	enum mtq_prio prio;
	unsigned validity;
	unsigned long queued;
	int64_t first_id, last_id;
};

static int ctl_send_one(struct ctl *c, struct ctl_send *s, const char *number,
			const char *where)
{
	char dst[MSISDN_MAX];
	struct mtq_new m = {
		.dst = dst, .src = s->from, .text = s->text,
		.prio = s->prio, .validity_s = s->validity,
	};
	int64_t id;
	int rc;

	if (msisdn_normalise(number, c->cfg.country_code, dst, sizeof(dst)) < 0) {
		fprintf(stderr, "%s: number: '%s' is not a phone number\n", where, number);
		return CTL_EXIT_USER;
	}
	rc = mtq_enqueue(c->q, &m, &id);
	if (rc == -EMSGSIZE) {
		fprintf(stderr, "%s: text: longer than %u SMS parts\n", where,
			c->cfg.max_parts);
		return CTL_EXIT_USER;
	}
	if (rc == -EINVAL) {
		fprintf(stderr, "%s: text: empty or not valid UTF-8\n", where);
		return CTL_EXIT_USER;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: database error: %s\n", where, strerror(-rc));
		return CTL_EXIT_SYS;
	}
	if (!s->queued++)
		s->first_id = id;
	s->last_id = id;
	return CTL_EXIT_OK;
}

static char *ctl_trim(char *p)
{
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return p;
}

/* Every line is checked; nothing is queued unless every line is good. */
static int ctl_send_file(struct ctl *c, struct ctl_send *s)
{
	char line[CTL_LINE_MAX], where[CONFIG_PATH_MAX + 16];
	FILE *f = fopen(s->file, "r");
	unsigned lineno = 0;
	int rc, worst = CTL_EXIT_OK;

	if (!f) {
		fprintf(stderr, "skillctl: %s: %s\n", s->file, strerror(errno));
		return CTL_EXIT_USER;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = ctl_trim(line);

		lineno++;
		if (!*p || *p == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%u", s->file, lineno);
		rc = ctl_send_one(c, s, p, where);
		if (rc > worst)
			worst = rc;
	}
	fclose(f);
	return worst;
}

static int ctl_send_args(int argc, char **argv, struct ctl_send *s)
{
	static const struct option lo[] = {
		{ "to", required_argument, NULL, 't' },
		{ "file", required_argument, NULL, 'f' },
		{ "text", required_argument, NULL, 'x' },
		{ "from", required_argument, NULL, 's' },
		{ "prio", required_argument, NULL, 'p' },
		{ "validity", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	s->prio = MTQ_PRIO_REPLY;
	optind = 1;
	while ((o = getopt_long(argc, argv, "t:f:x:s:p:v:", lo, NULL)) != -1) {
		switch (o) {
		case 't': s->to = optarg; break;
		case 'f': s->file = optarg; break;
		case 'x': s->text = optarg; break;
		case 's': s->from = optarg; break;
		case 'v': s->validity = strtoul(optarg, NULL, 10); break;
		case 'p':
			if (!strcmp(optarg, "bulk"))
				s->prio = MTQ_PRIO_BULK;
			else if (strcmp(optarg, "reply"))
				return -1;
			break;
		default: return -1;
		}
	}
	return (!s->text || (!s->to == !s->file)) ? -1 : 0;
}

static int ctl_send(struct ctl *c, int argc, char **argv)
{
	struct ctl_send s = {};
	int rc;

	if (ctl_send_args(argc, argv, &s) < 0) {
		fprintf(stderr, "skillctl send: give --text and either --to NUMBER or "
			"--file NUMBERS (see skillctl --help)\n");
		return CTL_EXIT_USER;
	}
	if ((rc = ctl_open(c)) != CTL_EXIT_OK)
		return rc;
	db_begin(c->db);
	rc = s.file ? ctl_send_file(c, &s) : ctl_send_one(c, &s, s.to, "--to");
	if (rc != CTL_EXIT_OK) {
		sqlite3_exec(db_handle(c->db), "ROLLBACK", NULL, NULL, NULL);
		fprintf(stderr, "skillctl send: nothing queued\n");
		return rc;
	}
	if (db_commit(c->db) < 0) {
		fprintf(stderr, "skillctl send: database error, nothing queued\n");
		return CTL_EXIT_SYS;
	}
	if (c->json)
		printf("{\"queued\":%lu,\"first_id\":%lld,\"last_id\":%lld}\n", s.queued,
		       (long long)s.first_id, (long long)s.last_id);
	else if (s.queued == 1)
		printf("queued message %lld\n", (long long)s.first_id);
	else
		printf("queued %lu messages (%lld..%lld)\n", s.queued,
		       (long long)s.first_id, (long long)s.last_id);
	return CTL_EXIT_OK;
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
