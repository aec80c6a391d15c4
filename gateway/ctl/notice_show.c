/*
 * notice_show.c - skillctl notice preview, list, status and report:
 * reading campaigns, never changing them.
 *
 * Counts come from the rows themselves: the recipients by their state, the
 * messages by the state of their mt rows (which delivery receipts update),
 * failures grouped by the SMPP status of a refused submit or the state and
 * error of the first part's receipt that was not "delivered". The queries
 * walk one campaign's rows through its indexes (mt_campaign,
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
#include "gateway/clock.h"
#include "handlers/data/csv.h"
#include "notice_priv.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/smpp/dlr.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/mtq_campaign.h"
#include "handlers/notice/text.h"
#include "gateway/privfile.h"
#include "gateway/queue/quiet.h"
#include "gateway/smpp/pdu.h"

#define SHOW_SAMPLES		3
#define SHOW_REASONS_MAX	10
#define SHOW_LIST_MAX		200
#define SHOW_BAR_WIDTH		30
#define SHOW_REASON_LEN		96

enum show_stmt {
	SHOW_RCPT_COUNTS,
	SHOW_REPORT,
	SHOW_NUM_STMT
};

static const char *const show_sql[] = {
	[SHOW_RCPT_COUNTS] =
		"SELECT state, count(*) FROM campaign_recipient"
		" WHERE campaign_id = :id GROUP BY state",
	[SHOW_REPORT] =
		"SELECT msisdn, state, mt_id FROM campaign_recipient"
		" WHERE campaign_id = :id ORDER BY id",
};

/* What status shows. */
struct show_counts {
	unsigned long rcpt[NOTICE_R_NUM];
	unsigned long mt[MTQ_NUM_STATES];
	unsigned long listed;		/* recipient rows */
	unsigned long expected;		/* recipients in all (estimate) */
};

/* One group of failures. */
struct show_reason {
	char text[SHOW_REASON_LEN];
	unsigned long count;
};

static int show_prepare(struct ctl_nt *c, sqlite3_stmt **st)
{
	return db_prepare(c->db, show_sql, SHOW_NUM_STMT, st) ?
	       ctl_nt_sys(c, "preparing statements", -EIO) : CTL_NT_OK;
}

/* Open, prepare and load the campaign of the one argument. */
static int show_open(struct ctl_nt *c, int argc, char **argv,
		     sqlite3_stmt **st, struct notice **n)
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
	if (rc == CTL_NT_OK && st)
		rc = show_prepare(c, st);
	return rc == CTL_NT_OK ? ctl_nt_load(c, c, argv[optind], n) : rc;
}

/* ---- preview ------------------------------------------------------------- */

/* Up to SHOW_SAMPLES recipients as values for rendering. */
struct show_sample {
	char msisdn[MSISDN_MAX];
	char name[DOM_NAME_MAX], region[DOM_NAME_MAX];
	char course[DOM_TEXT_MAX], start_date[FMT_ISO_DATE];
};

static int show_samples(struct ctl_nt *c, const struct notice *n,
			struct show_sample *s, unsigned *got)
{
	struct notice_rcpt r[SHOW_SAMPLES];
	struct audience_sample a[SHOW_SAMPLES];
	unsigned i;
	int rc;

	if (!n->by_numbers) {
		rc = audience_samples(c->ad, &n->au, a, SHOW_SAMPLES, got);
		for (i = 0; !rc && i < *got; i++)
			memcpy(&s[i], &a[i], sizeof(s[i]));
		return rc;
	}
	rc = notice_first(c->nd, n->id, r, SHOW_SAMPLES, got);
	for (i = 0; !rc && i < *got; i++) {
		OSMO_STRLCPY_ARRAY(s[i].msisdn, r[i].msisdn);
		OSMO_STRLCPY_ARRAY(s[i].name, r[i].name);
		OSMO_STRLCPY_ARRAY(s[i].region, r[i].region);
		OSMO_STRLCPY_ARRAY(s[i].course, r[i].course);
		OSMO_STRLCPY_ARRAY(s[i].start_date, r[i].start_date);
	}
	return rc;
}

/* Recipients after opt-outs and duplicates, with what was left out. */
struct show_audience {
	unsigned long recipients;
	char detail[160];
};

static int show_audience(struct ctl_nt *c, const struct notice *n,
			 struct show_audience *a)
{
	struct audience_count ac;
	struct notice_numbers nn;
	int rc;

	if (n->by_numbers) {
		rc = notice_numbers(c->nd, n->id, &nn);
		a->recipients = nn.total - nn.opted_out;
		snprintf(a->detail, sizeof(a->detail), "%lu numbers in the file"
			 " after %lu duplicates, %lu opted out, %lu not on the "
			 "roster", nn.total, nn.duplicates, nn.opted_out,
			 nn.unknown);
		return rc;
	}
	rc = audience_count(c->ad, &n->au, &ac);
	a->recipients = ac.recipients;
	snprintf(a->detail, sizeof(a->detail), "the filters match %lu workers:"
		 " %lu opted out, %lu without a bound number", ac.matched,
		 ac.opted_out, ac.no_number);
	return rc;
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
	double rate = ctl_nt_rate(c, parts, n->rate);
	int64_t now = clock_now_ms(), start, end, work;
	char when[32], until[32], span[32];
	struct quiet q;

	if (rate <= 0) {
		fprintf(f, "sending: the links set no max_tps and the campaign "
			"no --rate: as fast as the SMSCs take it\n");
		return;
	}
	work = (int64_t)(recipients / rate * 1000.0);
	start = n->start_at > now ? n->start_at : now;
	if (quiet_init(&q, c->cfg.quiet_start, c->cfg.quiet_end,
		       c->cfg.timezone) < 0)
		return;
	end = quiet_finish(&q, start, work);
	ctl_nt_time(c, start, when, sizeof(when));
	ctl_nt_time(c, end, until, sizeof(until));
	show_span(work, span, sizeof(span));
	fprintf(f, "sending: %.0f messages/s, %s of sending; quiet hours"
		" %s-%s (%s); from %s it ends about %s\n", rate, span,
		c->cfg.quiet_start, c->cfg.quiet_end, c->cfg.timezone, when,
		until);
	if (n->end_at && end > n->end_at)
		fprintf(f, "warning: the end time comes first: what is not sent "
			"by then expires\n");
}

static void show_sample_line(struct ctl_nt *c, const struct notice *n,
			     const struct show_sample *s, unsigned *parts,
			     bool last)
{
	struct notice_vals v = { s->name, s->course, s->start_date, s->region };
	char text[NOTICE_TEXT_MAX];
	int p;

	notice_text_render(n->body, &v, text, sizeof(text));
	p = notice_text_parts(text, NULL);
	if (p > (int)*parts)
		*parts = p;
	if (c->json) {
		printf("{\"msisdn\":\"%s\",\"parts\":%d,\"text\":", s->msisdn, p);
		ctl_nt_json_str(stdout, text);
		printf("}%s", last ? "" : ",");
		return;
	}
	printf("  %s (%d part%s): %s\n", s->msisdn, p, p == 1 ? "" : "s", text);
}

int ctl_nt_preview(struct ctl_nt *c, int argc, char **argv)
{
	struct show_sample s[SHOW_SAMPLES];
	struct show_audience a = { 0 };
	struct notice *n = NULL;
	unsigned got = 0, parts = 0, i;
	int rc = show_open(c, argc, argv, NULL, &n);

	if (rc != CTL_NT_OK)
		return rc;
	if (show_audience(c, n, &a) < 0 || show_samples(c, n, s, &got) < 0)
		return ctl_nt_sys(c, "reading the roster", -EIO);
	if (c->json)
		printf("{\"id\":%lld,\"state\":\"%s\",\"recipients\":%lu,"
		       "\"max_parts\":%u,\"rate\":%.1f,\"samples\":[",
		       (long long)n->id, notice_state_str(n->state),
		       a.recipients, n->parts, ctl_nt_rate(c, n->parts, n->rate));
	else
		printf("campaign %lld \"%s\" (%s), created by %s\naudience: %s\n"
		       "recipients: %lu (%s)\nsamples:\n", (long long)n->id,
		       n->name, notice_state_str(n->state), n->created_by,
		       n->audience_json, a.recipients, a.detail);
	for (i = 0; i < got; i++)
		show_sample_line(c, n, &s[i], &parts, i + 1 == got);
	if (c->json) {
		printf("]}\n");
		return CTL_NT_OK;
	}
	printf("parts: the samples take up to %u SMS part(s), the longest "
	       "values %u (notices.max_parts %u): at most %lu SMS in all\n",
	       parts, n->parts, c->cfg.notice_max_parts,
	       a.recipients * n->parts);
	show_duration(c, n, a.recipients, parts ? parts : n->parts, stdout);
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

static enum notice_rcpt_state show_rcpt_state(const char *s)
{
	unsigned i;

	for (i = 0; s && i < NOTICE_R_NUM; i++)
		if (!strcmp(s, notice_rcpt_state_str(i)))
			return i;
	return NOTICE_R_BAD;
}

static int show_counts(struct ctl_nt *c, sqlite3_stmt **sts,
		       const struct notice *n, struct show_counts *k)
{
	struct audience_count ac = { 0 };
	int rc = SQLITE_DONE;

	{
		DB_STMT(st, sts[SHOW_RCPT_COUNTS]);
		db_bind_int(st, ":id", n->id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			k->rcpt[show_rcpt_state((const char *)
				sqlite3_column_text(st, 0))] +=
				sqlite3_column_int64(st, 1);
			k->listed += sqlite3_column_int64(st, 1);
		}
	}
	if (rc != SQLITE_DONE ||
	    mtq_camp_counts(notice_queue(c->nd), n->id, k->mt) < 0)
		return -EIO;
	k->expected = k->listed;
	if (!n->listed && audience_count(c->ad, &n->au, &ac) == 0 &&
	    ac.recipients > k->listed)
		k->expected = ac.recipients;
	return 0;
}

/* Why a failed or expired message did not arrive, in words, from the
 * columns at i: mt state, smpp_status, receipt state, receipt error. */
static void show_why(enum mtq_state state, uint32_t status, int dlr_state,
		     int dlr_err, char *out, size_t cap)
{
	if (dlr_state >= 0)
		snprintf(out, cap, "receipt %s, error %d",
			 dlr_state_str(dlr_state), dlr_err);
	else if (status)
		snprintf(out, cap, "SMSC refused: %s (0x%02x)",
			 smpp_pdu_status_str(status), status);
	else if (state == MTQ_EXPIRED)
		snprintf(out, cap, "expired: validity or end time passed");
	else
		snprintf(out, cap, "failed: no answer from the SMSC");
}

static int show_reasons(struct ctl_nt *c, const struct notice *n,
			struct show_reason *r, unsigned *got)
{
	struct mtq_failure f[SHOW_REASONS_MAX];
	unsigned i;
	int rc = mtq_camp_failures(notice_queue(c->nd), n->id, f,
				   SHOW_REASONS_MAX, got);

	for (i = 0; rc == 0 && i < *got; i++) {
		show_why(f[i].state, f[i].smpp_status, f[i].dlr_state,
			 f[i].dlr_err, r[i].text, sizeof(r[i].text));
		r[i].count = f[i].count;
	}
	return rc;
}

/* Share of the recipients that need nothing more: listed and neither
 * pending nor with a message still queued or in a window. */
static double show_progress(const struct show_counts *k)
{
	unsigned long open = k->rcpt[NOTICE_R_PENDING] + k->mt[MTQ_QUEUED] +
			     k->mt[MTQ_SENDING];
	unsigned long all = k->expected > k->listed ? k->expected : k->listed;

	if (!all)
		return 1.0;
	return open >= k->listed ? 0.0 : (double)(k->listed - open) / all;
}

static void show_status_json(const struct notice *n,
			     const struct show_counts *k,
			     const struct show_reason *r, unsigned nr)
{
	unsigned i;

	printf("{\"id\":%lld,\"state\":\"%s\",\"name\":", (long long)n->id,
	       notice_state_str(n->state));
	ctl_nt_json_str(stdout, n->name);
	printf(",\"progress\":%.4f,\"recipients\":{\"expected\":%lu,"
	       "\"listed\":%lu", show_progress(k), k->expected, k->listed);
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
			     const struct show_counts *k,
			     const struct show_reason *r, unsigned nr)
{
	double p = show_progress(k);
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
	sqlite3_stmt *st[SHOW_NUM_STMT] = { 0 };
	struct show_reason r[SHOW_REASONS_MAX];
	struct show_counts k;
	struct notice *n = NULL;
	unsigned nr = 0;
	int rc = show_open(c, argc, argv, st, &n);

	memset(&k, 0, sizeof(k));
	if (rc == CTL_NT_OK && (show_counts(c, st, n, &k) < 0 ||
				show_reasons(c, n, r, &nr) < 0))
		rc = ctl_nt_sys(c, "reading the campaign", -EIO);
	if (rc == CTL_NT_OK && c->json)
		show_status_json(n, &k, r, nr);
	else if (rc == CTL_NT_OK)
		show_status_text(c, n, &k, r, nr);
	db_finalize(st, SHOW_NUM_STMT);
	return rc;
}

/* ---- report -------------------------------------------------------------- */

/* The outcome of one report row, in a word. */
/* What became of a recipient: its message's state when it has one. */
static const char *show_outcome(const struct notice *n,
				enum notice_rcpt_state r,
				const struct mtq_outcome *o, bool has_mt)
{
	if (r == NOTICE_R_QUEUED)
		return has_mt ? mtq_state_str(o->state) : "unknown";
	if (r == NOTICE_R_PENDING && (n->state == NOTICE_CANCELLED ||
				      n->state == NOTICE_EXPIRED))
		return notice_state_str(n->state);
	return notice_rcpt_state_str(r);
}

/* One recipient (a row of SHOW_REPORT) as a line of the report. */
static int show_report_row(struct ctl_nt *c, FILE *f, sqlite3_stmt *st,
			   const struct notice *n)
{
	char sub[32] = "", done[32] = "", why[SHOW_REASON_LEN] = "";
	enum notice_rcpt_state r = show_rcpt_state(
		(const char *)sqlite3_column_text(st, 1));
	struct mtq_outcome o = { 0 };
	bool has_mt = false;
	int rc = 0;

	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		rc = mtq_outcome(notice_queue(c->nd),
				 sqlite3_column_int64(st, 2), &o);
		has_mt = rc == 0;
		if (rc == -ENOENT)
			rc = 0;
	}
	if (rc < 0)
		return rc;
	ctl_nt_time(c, o.submitted_ms, sub, sizeof(sub));
	ctl_nt_time(c, o.done_ms, done, sizeof(done));
	if (has_mt && (o.state == MTQ_FAILED || o.state == MTQ_EXPIRED))
		show_why(o.state, o.smpp_status, o.dlr_state, o.dlr_err, why,
			 sizeof(why));
	csv_put(f, (const char *)sqlite3_column_text(st, 0),
		CSV_PUT_FIRST | CSV_PUT_TEXT);
	csv_put(f, show_outcome(n, r, &o, has_mt), 0);
	csv_put(f, sub, 0);
	csv_put(f, done, 0);
	csv_put(f, why, 0);
	csv_put_end(f);
	return 0;
}

static int show_report_write(struct ctl_nt *c, sqlite3_stmt **sts,
			     const struct notice *n, FILE *f,
			     unsigned long *rows)
{
	DB_STMT(st, sts[SHOW_REPORT]);
	int rc;

	csv_put_bom(f);
	csv_put(f, "msisdn", CSV_PUT_FIRST);
	csv_put(f, "outcome", 0);
	csv_put(f, "submitted_at", 0);
	csv_put(f, "done_at", 0);
	csv_put(f, "reason", 0);
	csv_put_end(f);
	db_bind_int(st, ":id", n->id);
	for (*rows = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; (*rows)++)
		if (show_report_row(c, f, st, n) < 0)
			return -EIO;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int ctl_nt_report(struct ctl_nt *c, int argc, char **argv)
{
	sqlite3_stmt *st[SHOW_NUM_STMT] = { 0 };
	struct notice *n = NULL;
	struct privfile *pf = NULL;
	unsigned long rows = 0;
	int rc;

	if (argc != 3)
		return ctl_nt_user(c, "usage: skillctl notice report ID FILE.csv");
	rc = show_open(c, argc - 1, argv, st, &n);
	if (rc == CTL_NT_OK && !(pf = privfile_create(c, argv[2])))
		rc = ctl_nt_user(c, "%s: %s", argv[2], strerror(errno));
	if (rc == CTL_NT_OK &&
	    show_report_write(c, st, n, privfile_stream(pf), &rows) < 0)
		rc = ctl_nt_sys(c, "reading the recipients", -EIO);
	if (rc == CTL_NT_OK) {
		int e = privfile_commit(pf);

		if (e < 0)
			rc = ctl_nt_sys(c, argv[2], e);
	} else {
		privfile_abort(pf);
	}
	if (rc == CTL_NT_OK && c->json)
		printf("{\"id\":%lld,\"rows\":%lu,\"file\":", (long long)n->id,
		       rows);
	if (rc == CTL_NT_OK && c->json) {
		ctl_nt_json_str(stdout, argv[2]);
		printf("}\n");
	} else if (rc == CTL_NT_OK) {
		printf("campaign %lld: %lu recipients written to %s\n",
		       (long long)n->id, rows, argv[2]);
	}
	db_finalize(st, SHOW_NUM_STMT);
	return rc;
}
