/*
 * notice.c - skillctl notice: the verb table, what the verbs share,
 * and the verbs that move a campaign between states (start, pause,
 * resume, cancel).
 *
 * A state change is campaign_move() of handlers/notice/campaign.c (the
 * API's too): one guarded UPDATE (notice_set_state), so an operator
 * racing another, or the daemon ending the campaign, cannot be overruled;
 * pause and cancel also take the campaign's queued messages back from the
 * queue in the same transaction (the daemon finishes what a link already
 * holds). Each change is written to the audit log with the operator's
 * name (--operator, else $USER) in that transaction too.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/notice/audience.h"
#include "handlers/notice/campaign.h"
#include "handlers/domain/audit.h"
#include "gateway/clock.h"
#include "ctl_data.h"
#include "ctl_notice.h"
#include "notice_priv.h"
#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "fault.h"
#include "gateway/queue/quiet.h"

/* ---- shared -------------------------------------------------------------- */

int ctl_nt_open(struct ctl_nt *c, void *ctx)
{
	int rc;

	c->fault_seq = db_fault_seq();
	rc = ctl_data_open(ctx, c->config, &c->cfg, &c->db);

	if (rc != CTL_DATA_OK)
		return rc;
	c->nd = notice_db_init(ctx, c->db);
	c->ad = audience_db_init(ctx, c->db);
	c->audit = audit_init(ctx, c->db);
	if (!c->nd || !c->ad || !c->audit)
		return ctl_nt_sys(c, "preparing statements", -EIO);
	return CTL_NT_OK;
}

int ctl_nt_user(const struct ctl_nt *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "skillctl notice %s: ", c->verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_NT_USER;
}

int ctl_nt_fault(const struct ctl_nt *c, const char *kept)
{
	char verb[32];

	if (!kept && !strcmp(c->verb, "create"))
		kept = "nothing created";
	else if (!kept && !strcmp(c->verb, "report"))
		kept = "no report written";
	else if (!kept)
		kept = "the campaign is unchanged";
	snprintf(verb, sizeof(verb), "notice %s", c->verb);
	return ctl_fault(verb, c->cfg.db_path, c->fault_seq, NULL, kept);
}

int ctl_nt_sys(const struct ctl_nt *c, const char *what, int rc)
{
	if (c->db && db_fault_last(c->fault_seq, NULL) != DB_FAULT_NONE)
		return ctl_nt_fault(c, NULL);
	fprintf(stderr, "skillctl notice %s: %s: %s\n", c->verb, what,
		strerror(rc < 0 ? -rc : rc));
	return CTL_NT_SYS;
}

int ctl_nt_commit(struct ctl_nt *c)
{
	int rc = db_commit(c->db);

	return rc < 0 ? ctl_nt_sys(c, "database commit", rc) : CTL_NT_OK;
}

int ctl_nt_load(struct ctl_nt *c, void *ctx, const char *s,
		struct notice **out)
{
	char *end;
	long long id = s ? strtoll(s, &end, 10) : 0;
	int rc;

	if (!s || !*s || *end || id <= 0)
		return ctl_nt_user(c, "give a campaign number (skillctl notice "
				   "list shows them)");
	rc = notice_get(c->nd, ctx, id, out);
	if (rc == -ENOENT)
		return ctl_nt_user(c, "there is no campaign %lld", id);
	return rc ? ctl_nt_sys(c, "reading the campaign", rc) : CTL_NT_OK;
}

void ctl_nt_json_str(FILE *f, const char *s)
{
	char *q = audience_json_str(NULL, s ? s : "");

	fputs(q ? q : "\"\"", f);
	talloc_free(q);
}

void ctl_nt_time(const struct ctl_nt *c, int64_t t, char *out, size_t cap)
{
	if (!t)
		snprintf(out, cap, "%s", "");
	else
		quiet_format(c->cfg.timezone, t, out, cap);
}

/* ---- state changes ------------------------------------------------------- */

/* The arguments of a state verb: ID [--operator NAME] [--json]. */
static int ctl_nt_move_args(struct ctl_nt *c, int argc, char **argv,
			    const char **id)
{
	static const struct option lo[] = {
		{ "operator", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	optind = 0;
	opterr = 0;	/* one line of our own instead */
	while ((o = getopt_long(argc, argv, "o:j", lo, NULL)) != -1) {
		switch (o) {
		case 'o': c->operator_name = optarg; break;
		case 'j': c->json = true; break;
		default: return -1;
		}
	}
	*id = optind + 1 == argc ? argv[optind] : NULL;
	return *id ? 0 : -1;
}

static void ctl_nt_moved(const struct ctl_nt *c, const struct notice *n,
			 enum campaign_move m, int held)
{
	char when[32];

	if (c->json) {
		printf("{\"id\":%lld,\"state\":\"%s\",\"taken_back\":%d}\n",
		       (long long)n->id, notice_state_str(n->state),
		       held > 0 ? held : 0);
		return;
	}
	printf("campaign %lld \"%s\": %s", (long long)n->id, n->name,
	       notice_state_str(n->state));
	if (held > 0)
		printf(", %d queued messages taken back", held);
	if (n->state == NOTICE_RUNNING && n->start_at > clock_now_ms()) {
		ctl_nt_time(c, n->start_at, when, sizeof(when));
		printf(", sending from %s", when);
	}
	printf("\n");
}

/* Move campaign n (handlers/notice/campaign.c) with its audit row, in one
 * transaction. */
static int ctl_nt_apply(struct ctl_nt *c, struct notice *n,
			enum campaign_move m)
{
	char why[160];
	int held = 0;
	int rc = campaign_move(c->nd, c->audit, n, m,
			       ctl_data_operator(c->operator_name), NULL,
			       clock_now_ms(), &held, why, sizeof(why));

	if (rc == -EPERM || rc == -EINVAL)
		return ctl_nt_user(c, "%s", why);
	if (rc < 0)
		return ctl_nt_sys(c, "changing the campaign", rc);
	rc = ctl_nt_commit(c);
	if (rc == CTL_NT_OK)
		ctl_nt_moved(c, n, m, held);
	return rc;
}

static int ctl_nt_move(struct ctl_nt *c, int argc, char **argv)
{
	int m = campaign_move_parse(c->verb);
	struct notice *n = NULL;
	const char *id;
	int rc;

	if (m < 0 || ctl_nt_move_args(c, argc, argv, &id) < 0)
		return ctl_nt_user(c, "usage: skillctl notice %s ID "
				   "[--operator NAME]", c->verb);
	rc = ctl_nt_open(c, c);
	if (rc == CTL_NT_OK)
		rc = ctl_nt_load(c, c, id, &n);
	return rc == CTL_NT_OK ? ctl_nt_apply(c, n, m) : rc;
}

/* ---- the verb table ------------------------------------------------------ */

static const struct {
	const char *name;
	int (*run)(struct ctl_nt *c, int argc, char **argv);
} ctl_nt_verbs[] = {
	{ "create", ctl_nt_create },
	{ "preview", ctl_nt_preview },
	{ "start", ctl_nt_move },
	{ "pause", ctl_nt_move },
	{ "resume", ctl_nt_move },
	{ "cancel", ctl_nt_move },
	{ "list", ctl_nt_list },
	{ "status", ctl_nt_status },
	{ "report", ctl_nt_report },
};

int ctl_notice_run(const char *config, bool json, int argc, char **argv)
{
	struct ctl_nt *c = talloc_zero(NULL, struct ctl_nt);
	unsigned i;
	int rc = CTL_NT_USER;

	if (!c)
		return CTL_NT_SYS;
	c->config = config;
	c->json = json;
	c->verb = argc > 1 ? argv[1] : "";
	for (i = 0; i < sizeof(ctl_nt_verbs) / sizeof(ctl_nt_verbs[0]); i++)
		if (!strcmp(c->verb, ctl_nt_verbs[i].name))
			break;
	if (i < sizeof(ctl_nt_verbs) / sizeof(ctl_nt_verbs[0]))
		rc = ctl_nt_verbs[i].run(c, argc - 1, argv + 1);
	else
		fprintf(stderr, "skillctl notice: give one of create, preview,"
			" start, pause, resume, cancel, list, status, report "
			"(see skillctl --help)\n");
	audit_free(c->audit);
	audience_db_free(c->ad);
	notice_db_free(c->nd);
	db_close(c->db);
	talloc_free(c);
	return rc;
}
