/*
 * notice_show.c - skillctl notice preview, list, status and report:
 * reading campaigns, never changing them. The counting, the samples, the
 * estimate and the report's rows are handlers/notice/campaign.c's (the
 * API shows the same); this file prints them.
 *
 * Failures are grouped by the SMPP status of a refused submit or the state
 * and error of the first part's receipt that was not "delivered". The
 * queries walk one campaign's rows through its indexes (mt_campaign,
 * UNIQUE(campaign_id, msisdn)): a second or so for a million recipients,
 * in skillctl, reading, so the daemon does not wait for it (WAL).
 *
 * The preview estimates the sending time from the links' max_tps times
 * notices.bulk_share (or the campaign's own rate), spread over the hours
 * outside quiet hours.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/notice/audience.h"
#include "handlers/notice/campaign.h"
#include "gateway/clock.h"
#include "notice_priv.h"
#include "gateway/db.h"
#include "gateway/smpp/dlr.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/mtq_campaign.h"
#include "handlers/notice/text.h"
#include "gateway/privfile.h"
#include "gateway/queue/quiet.h"

#define SHOW_REASONS_MAX	10
#define SHOW_LIST_MAX		200
#define SHOW_BAR_WIDTH		30
#define SHOW_REASON_LEN		96

/* One group of failures. */
struct show_reason {
	char text[SHOW_REASON_LEN];
	unsigned long count;
};

/* Open, prepare and load the campaign of the one argument. */
static int show_open(struct ctl_nt *c, int argc, char **argv,
		     struct notice **n)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int o, rc;

	optind = 0;
	opterr = 0;	/* one line of our own instead */
	while ((o = getopt_long(argc, argv, "j", lo, NULL)) != -1) {
		if (o != 'j')
			return ctl_nt_user(c, "usage: skillctl notice %s ID",
					   c->verb);
		c->json = true;
	}
	if (optind + 1 != argc)
		return ctl_nt_user(c, "usage: skillctl notice %s ID", c->verb);
	rc = ctl_nt_open(c, c);
	return rc == CTL_NT_OK ? ctl_nt_load(c, c, argv[optind], n) : rc;
}

/* ---- preview ------------------------------------------------------------- */

/* What the recipients are, after opt-outs and duplicates. */
static void show_detail(const struct notice *n,
			const struct campaign_preview *p, char *out,
			size_t cap)
{
	if (n->by_numbers)
		snprintf(out, cap, "%lu numbers in the file after %lu "
			 "duplicates, %lu opted out, %lu not on the roster",
			 p->nn.total, p->nn.duplicates, p->nn.opted_out,
			 p->nn.unknown);
	else
		snprintf(out, cap, "the filters match %lu workers: %lu opted "
			 "out, %lu without a bound number", p->ac.matched,
			 p->ac.opted_out, p->ac.no_number);
}

/* A duration as "45 s", "12 min", "3 h 20 min". */
static void show_span(int64_t ms, char *out, size_t cap)
{
	int64_t s = (ms + 999) / 1000;

	if (s < 60)
		snprintf(out, cap, "%lld s", (long long)s);
	else if (s < 3600)
		snprintf(out, cap, "%lld min", (long long)(s + 59) / 60);
	else
		snprintf(out, cap, "%lld h %lld min", (long long)s / 3600,
			 (long long)(s % 3600 + 59) / 60);
}

/* Sending time at the allowed rate, through quiet hours. */
static void show_duration(struct ctl_nt *c, const struct notice *n,
			  unsigned long recipients, unsigned parts, FILE *f)
{
	struct campaign_eta e;
	char when[32], until[32], span[32];

	if (campaign_estimate(&c->cfg, n, recipients, parts, clock_now_ms(),
			      &e) < 0)
		return;
	if (e.rate <= 0) {
		fprintf(f, "sending: the links set no max_tps and the campaign "
			"no --rate: as fast as the SMSCs take it\n");
		return;
	}
	ctl_nt_time(c, e.start_ms, when, sizeof(when));
	ctl_nt_time(c, e.end_ms, until, sizeof(until));
	show_span(e.work_ms, span, sizeof(span));
	fprintf(f, "sending: %.0f messages/s, %s of sending; quiet hours"
		" %s-%s (%s); from %s it ends about %s\n", e.rate, span,
		c->cfg.quiet_start, c->cfg.quiet_end, c->cfg.timezone, when,
		until);
	if (e.after_end)
		fprintf(f, "warning: the end time comes first: what is not sent "
			"by then expires\n");
}

static void show_sample_line(struct ctl_nt *c,
			     const struct campaign_sample *s, bool last)
{
	if (c->json) {
		printf("{\"msisdn\":\"%s\",\"parts\":%d,\"text\":", s->msisdn,
		       s->parts);
		ctl_nt_json_str(stdout, s->text);
		printf("}%s", last ? "" : ",");
		return;
	}
	printf("  %s (%d part%s): %s\n", s->msisdn, s->parts,
	       s->parts == 1 ? "" : "s", s->text);
}

int ctl_nt_preview(struct ctl_nt *c, int argc, char **argv)
{
	struct campaign_preview *p = talloc_zero(c, struct campaign_preview);
	struct notice *n = NULL;
	char detail[160];
	unsigned i;
	int rc = show_open(c, argc, argv, &n);

	if (rc != CTL_NT_OK)
		return rc;
	if (!p || campaign_preview(c->nd, c->ad, n, NULL, 0, p) < 0)
		return ctl_nt_sys(c, "reading the roster", -EIO);
	show_detail(n, p, detail, sizeof(detail));
	if (c->json)
		printf("{\"id\":%lld,\"state\":\"%s\",\"recipients\":%lu,"
		       "\"max_parts\":%u,\"rate\":%.1f,\"samples\":[",
		       (long long)n->id, notice_state_str(n->state),
		       p->recipients, n->parts,
		       campaign_rate(&c->cfg, n->parts, n->rate));
	else
		printf("campaign %lld \"%s\" (%s), created by %s\naudience: %s\n"
		       "recipients: %lu (%s)\nsamples:\n", (long long)n->id,
		       n->name, notice_state_str(n->state), n->created_by,
		       n->audience_json, p->recipients, detail);
	for (i = 0; i < p->n_samples; i++)
		show_sample_line(c, &p->sample[i], i + 1 == p->n_samples);
	if (c->json) {
		printf("]}\n");
		return CTL_NT_OK;
	}
	printf("parts: the samples take up to %u SMS part(s), the longest "
	       "values %u (notices.max_parts %u): at most %lu SMS in all\n",
	       p->sample_parts, n->parts, c->cfg.notice_max_parts,
	       p->recipients * n->parts);
	show_duration(c, n, p->recipients, p->sample_parts ? p->sample_parts :
		      n->parts, stdout);
	return CTL_NT_OK;
}

/* ---- list ---------------------------------------------------------------- */

static void show_list_row(struct ctl_nt *c, const struct notice *n, bool last)
{
	char created[32], start[32], end[32];

	ctl_nt_time(c, n->created_at, created, sizeof(created));
	ctl_nt_time(c, n->start_at, start, sizeof(start));
	ctl_nt_time(c, n->end_at, end, sizeof(end));
	if (!c->json) {
		printf("%5lld  %-9s  %-16s  %-16s  %-16s  %s\n",
		       (long long)n->id, notice_state_str(n->state), created,
		       *start ? start : "-", *end ? end : "-", n->name);
		return;
	}
	printf("{\"id\":%lld,\"state\":\"%s\",\"name\":", (long long)n->id,
	       notice_state_str(n->state));
	ctl_nt_json_str(stdout, n->name);
	printf(",\"created_at\":%" PRId64 ",\"start_at\":%" PRId64
	       ",\"end_at\":%" PRId64 ",\"created_by\":", n->created_at,
	       n->start_at, n->end_at);
	ctl_nt_json_str(stdout, n->created_by);
	printf("}%s", last ? "" : ",");
}

int ctl_nt_list(struct ctl_nt *c, int argc, char **argv)
{
	struct notice **v = NULL;
	unsigned n = 0, i;
	int rc;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json")))
		return ctl_nt_user(c, "usage: skillctl notice list [--json]");
	c->json |= argc == 2;
	rc = ctl_nt_open(c, c);
	if (rc != CTL_NT_OK)
		return rc;
	if (notice_list(c->nd, c, NOTICE_NUM_STATES, SHOW_LIST_MAX, &v, &n) < 0)
		return ctl_nt_sys(c, "reading the campaigns", -EIO);
	if (c->json)
		printf("[");
	else
		printf("%5s  %-9s  %-16s  %-16s  %-16s  %s\n", "ID", "STATE",
		       "CREATED", "START", "END", "NAME");
	for (i = 0; i < n; i++)
		show_list_row(c, v[i], i + 1 == n);
	if (c->json)
		printf("]\n");
	return CTL_NT_OK;
}

/* ---- status -------------------------------------------------------------- */

static int show_reasons(struct ctl_nt *c, const struct notice *n,
			struct show_reason *r, unsigned *got)
{
	struct mtq_failure f[SHOW_REASONS_MAX];
	unsigned i;
	int rc = mtq_camp_failures(notice_queue(c->nd), n->id, f,
				   SHOW_REASONS_MAX, got);

	for (i = 0; rc == 0 && i < *got; i++) {
		dlr_why(f[i].state, f[i].smpp_status, f[i].dlr_state,
			f[i].dlr_err, r[i].text, sizeof(r[i].text));
		r[i].count = f[i].count;
	}
	return rc;
}

static void show_status_json(const struct notice *n,
			     const struct campaign_counts *k,
			     const struct show_reason *r, unsigned nr)
{
	unsigned i;

	printf("{\"id\":%lld,\"state\":\"%s\",\"name\":", (long long)n->id,
	       notice_state_str(n->state));
	ctl_nt_json_str(stdout, n->name);
	printf(",\"progress\":%.4f,\"recipients\":{\"expected\":%lu,"
	       "\"listed\":%lu", campaign_progress(k), k->expected, k->listed);
	for (i = 0; i < NOTICE_R_NUM; i++)
		printf(",\"%s\":%lu", notice_rcpt_state_str(i), k->rcpt[i]);
	printf("},\"messages\":{");
	for (i = 0; i < MTQ_NUM_STATES; i++)
		printf("%s\"%s\":%lu", i ? "," : "", mtq_state_str(i), k->mt[i]);
	printf("},\"failures\":[");
	for (i = 0; i < nr; i++) {
		printf("%s{\"reason\":", i ? "," : "");
		ctl_nt_json_str(stdout, r[i].text);
		printf(",\"count\":%lu}", r[i].count);
	}
	printf("]}\n");
}

static void show_status_text(struct ctl_nt *c, const struct notice *n,
			     const struct campaign_counts *k,
			     const struct show_reason *r, unsigned nr)
{
	double p = campaign_progress(k);
	unsigned fill = (unsigned)(p * SHOW_BAR_WIDTH + 0.5), i;
	char bar[SHOW_BAR_WIDTH + 1], t[32];

	memset(bar, '#', fill);
	memset(bar + fill, '.', SHOW_BAR_WIDTH - fill);
	bar[SHOW_BAR_WIDTH] = '\0';
	ctl_nt_time(c, n->started_at, t, sizeof(t));
	printf("campaign %lld \"%s\": %s%s%s\n", (long long)n->id, n->name,
	       notice_state_str(n->state), *t ? ", started " : "", t);
	printf("[%s] %3.0f%%  %lu recipients%s\n", bar, p * 100,
	       k->expected, n->listed ? "" : " (roster still being walked)");
	printf("recipients: pending %lu, with a message %lu, opted out %lu, "
	       "cancelled %lu, bad %lu\n", k->rcpt[NOTICE_R_PENDING],
	       k->rcpt[NOTICE_R_QUEUED], k->rcpt[NOTICE_R_OPTOUT],
	       k->rcpt[NOTICE_R_CANCELLED], k->rcpt[NOTICE_R_BAD]);
	printf("messages: queued %lu, sending %lu, submitted %lu, delivered %lu,"
	       " failed %lu, expired %lu\n", k->mt[MTQ_QUEUED],
	       k->mt[MTQ_SENDING], k->mt[MTQ_SUBMITTED], k->mt[MTQ_DELIVERED],
	       k->mt[MTQ_FAILED], k->mt[MTQ_EXPIRED]);
	for (i = 0; i < nr; i++)
		printf("%s %lu  %s\n", i ? "         " : "failures:", r[i].count,
		       r[i].text);
}

int ctl_nt_status(struct ctl_nt *c, int argc, char **argv)
{
	struct show_reason r[SHOW_REASONS_MAX];
	struct campaign_counts k;
	struct notice *n = NULL;
	unsigned nr = 0;
	int rc = show_open(c, argc, argv, &n);

	memset(&k, 0, sizeof(k));
	if (rc == CTL_NT_OK && (campaign_counts(c->nd, c->ad, n, &k) < 0 ||
				show_reasons(c, n, r, &nr) < 0))
		rc = ctl_nt_sys(c, "reading the campaign", -EIO);
	if (rc == CTL_NT_OK && c->json)
		show_status_json(n, &k, r, nr);
	else if (rc == CTL_NT_OK)
		show_status_text(c, n, &k, r, nr);
	return rc;
}

/* ---- report -------------------------------------------------------------- */

static void show_report_time(void *data, int64_t ms, char *out, size_t cap)
{
	ctl_nt_time(data, ms, out, cap);
}

int ctl_nt_report(struct ctl_nt *c, int argc, char **argv)
{
	struct notice *n = NULL;
	struct privfile *pf = NULL;
	unsigned long rows = 0;
	int rc;

	if (argc != 3)
		return ctl_nt_user(c, "usage: skillctl notice report ID FILE.csv");
	rc = show_open(c, argc - 1, argv, &n);
	if (rc == CTL_NT_OK && !(pf = privfile_create(c, argv[2])))
		rc = ctl_nt_user(c, "%s: %s", argv[2], strerror(errno));
	if (rc == CTL_NT_OK &&
	    campaign_report(c->nd, n, privfile_stream(pf), show_report_time, c,
			    dlr_why, &rows) < 0)
		rc = ctl_nt_sys(c, "reading the recipients", -EIO);
	if (rc == CTL_NT_OK) {
		int e = privfile_commit(pf);

		if (e < 0)
			rc = ctl_nt_sys(c, argv[2], e);
	} else {
		privfile_abort(pf);
	}
	if (rc == CTL_NT_OK && c->json) {
		printf("{\"id\":%lld,\"rows\":%lu,\"file\":", (long long)n->id,
		       rows);
		ctl_nt_json_str(stdout, argv[2]);
		printf("}\n");
	} else if (rc == CTL_NT_OK) {
		printf("campaign %lld: %lu recipients written to %s\n",
		       (long long)n->id, rows, argv[2]);
	}
	return rc;
}
