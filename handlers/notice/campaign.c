/*
 * campaign.c - checking, previewing, following and moving campaigns
 * (see campaign.h), for skillctl notice and the API alike.
 *
 * The length check renders the message as it will be sent, signature and
 * opt-out hint included, with the longest values the audience can put into
 * it (a four-character name, the longest course and region names), so a
 * campaign that is accepted never needs more than notices.max_parts.
 * Counts come from the rows themselves: recipients by state, messages by
 * the state of their mt rows (which receipts update); the queries walk
 * one campaign's rows through its indexes.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/config.h"
#include "gateway/queue/quiet.h"
#include "gateway/text/charset.h"
#include "handlers/data/csv.h"
#include "handlers/domain/audit.h"
#include "handlers/notice/audience.h"
#include "handlers/notice/campaign.h"

#define CAMPAIGN_SAMPLE_NAME	4	/* characters of a long name: 欧阳小明 */
#define CAMPAIGN_SAMPLE_DATE	"2026-12-31"
#define CAMPAIGN_WIDE		"\xe4\xb8\xad"	/* 中 */
#define CAMPAIGN_WHY_MAX	96

/* ---- checking a new campaign -------------------------------------------- */

/* n wide characters under ctx. */
static char *campaign_wide(void *ctx, unsigned n)
{
	char *s = talloc_strdup(ctx, "");

	while (s && n--)
		s = talloc_strdup_append(s, CAMPAIGN_WIDE);
	return s;
}

/* The message with the longest values: fits in notices.max_parts? */
static int campaign_length(struct audience_db *ad, void *ctx,
			   const struct config *cfg, struct notice *n,
			   char *why, size_t cap)
{
	unsigned course = 0, region = 0, chars = 0;
	struct notice_vals v = { .start_date = CAMPAIGN_SAMPLE_DATE };
	char out[NOTICE_TEXT_MAX];
	int rc = audience_longest(ad, &n->au, &course, &region), parts;

	if (rc < 0)
		return rc;
	v.name = campaign_wide(ctx, CAMPAIGN_SAMPLE_NAME);
	v.course = campaign_wide(ctx, course);
	v.region = campaign_wide(ctx, region);
	rc = notice_text_render(n->body, &v, out, sizeof(out));
	parts = rc < 0 ? -EMSGSIZE : notice_text_parts(out, &chars);
	if (parts > 0 && (unsigned)parts <= cfg->notice_max_parts) {
		n->parts = parts;
		return 0;
	}
	if (parts < 0)
		snprintf(why, cap, "text: with the signature, the opt-out hint "
			 "and the longest values it needs more than %d SMS "
			 "parts; notices.max_parts is %u", CHARSET_MAX_PARTS,
			 cfg->notice_max_parts);
	else
		snprintf(why, cap, "text: with the signature, the opt-out hint "
			 "and the longest values it is %u characters = %d SMS "
			 "parts (Chinese: 70 in one, 67 per part when split); "
			 "notices.max_parts is %u", chars, parts,
			 cfg->notice_max_parts);
	return -EINVAL;
}

/* What the configuration and the operator's words must be. */
static int campaign_check_text(const struct config *cfg,
			       const struct audience_args *aud,
			       const struct notice *n, unsigned *uses,
			       char *why, size_t cap)
{
	if (!*cfg->signature || !*cfg->optout_hint) {
		snprintf(why, cap, "%s is empty in %s: every notice carries the "
			 "bureau's signature and the opt-out hint",
			 *cfg->signature ? "notices.optout_hint" :
			 "commands.signature", cfg->file);
		return -EINVAL;
	}
	if (!n->name || !*n->name || strlen(n->name) > CAMPAIGN_NAME_MAX) {
		snprintf(why, cap, "--name: 1 to %d bytes", CAMPAIGN_NAME_MAX);
		return -EINVAL;
	}
	if (notice_text_check(n->text, uses, why, cap) < 0) {
		char tmp[CAMPAIGN_WHY_MAX * 2];

		snprintf(tmp, sizeof(tmp), "text: %s", why);
		snprintf(why, cap, "%s", tmp);
		return -EINVAL;
	}
	if (n->by_numbers && (aud->region || aud->group || aud->occupation ||
			      aud->enrol_status || aud->subsidy_status)) {
		snprintf(why, cap, "--numbers takes no other audience option "
			 "(only --course, for {course})");
		return -EINVAL;
	}
	return 0;
}

/* Times: the caller parsed them; here only their order. */
static int campaign_check_times(const struct notice *n, int64_t now,
				char *why, size_t cap)
{
	if (n->end_at && n->end_at <= now) {
		snprintf(why, cap, "--end: has passed");
		return -EINVAL;
	}
	if (n->end_at && n->start_at && n->end_at <= n->start_at) {
		snprintf(why, cap, "--end must be after --start");
		return -EINVAL;
	}
	return 0;
}

int campaign_check(struct audience_db *ad, void *ctx, const struct config *cfg,
		   const struct audience_args *aud, int64_t now,
		   struct notice *n, char *why, size_t cap)
{
	unsigned uses = 0;
	int rc = campaign_check_text(cfg, aud, n, &uses, why, cap);

	if (!rc)
		rc = audience_resolve(ad, ctx, aud, &n->au, why, cap);
	if (rc)
		return rc;
	if ((uses & (NOTICE_PH_BIT(NOTICE_PH_COURSE) |
		     NOTICE_PH_BIT(NOTICE_PH_START_DATE))) &&
	    !(n->by_numbers ? n->au.course_id : audience_has_course(&n->au))) {
		snprintf(why, cap, "text: {course} and {start_date} need %s",
			 n->by_numbers ? "one --course" :
			 "--course, --occupation or --enrolment-status");
		return -EINVAL;
	}
	n->body = notice_text_body(ctx, cfg->signature, n->text,
				   cfg->optout_hint);
	if (!n->body)
		return -ENOMEM;
	rc = campaign_check_times(n, now, why, cap);
	return rc ? rc : campaign_length(ad, ctx, cfg, n, why, cap);
}

char *campaign_audience_json(void *ctx, const struct audience_args *a,
			     const char *numbers, unsigned long lines,
			     unsigned long duplicates)
{
	const char *keys[] = { "region", "group", "course", "occupation",
			       "enrolment_status", "subsidy_status", "numbers" };
	const char *vals[] = { a->region, a->group, a->course, a->occupation,
			       a->enrol_status, a->subsidy_status, numbers };
	char *j = talloc_strdup(ctx, "{");
	unsigned i;

	for (i = 0; j && i < ARRAY_SIZE(keys); i++)
		if (vals[i])
			j = talloc_asprintf_append(j, "%s\"%s\":%s",
						   j[1] ? "," : "", keys[i],
						   audience_json_str(j, vals[i]));
	if (j && numbers)
		j = talloc_asprintf_append(j, ",\"lines\":%lu,\"duplicates\":%lu",
					   lines, duplicates);
	return j ? talloc_strdup_append(j, "}") : NULL;
}

/* ---- preview ------------------------------------------------------------ */

/* Render one recipient's message into s. */
static void campaign_render(const struct notice *n, const char *msisdn,
			    const struct notice_vals *v,
			    struct campaign_sample *s)
{
	OSMO_STRLCPY_ARRAY(s->msisdn, msisdn);
	notice_text_render(n->body, v, s->text, sizeof(s->text));
	s->parts = notice_text_parts(s->text, NULL);
}

static int campaign_samples_roster(struct audience_db *ad,
				   const struct notice *n,
				   struct campaign_preview *p)
{
	struct audience_sample a[CAMPAIGN_SAMPLES];
	unsigned i;
	int rc = audience_samples(ad, &n->au, a, CAMPAIGN_SAMPLES,
				  &p->n_samples);

	for (i = 0; !rc && i < p->n_samples; i++)
		campaign_render(n, a[i].msisdn, &(struct notice_vals){
			a[i].name, a[i].course, a[i].start_date, a[i].region },
			&p->sample[i]);
	return rc;
}

static int campaign_samples_stored(struct notice_db *nd,
				   const struct notice *n,
				   struct campaign_preview *p)
{
	struct notice_rcpt r[CAMPAIGN_SAMPLES];
	unsigned i;
	int rc = notice_first(nd, n->id, r, CAMPAIGN_SAMPLES, &p->n_samples);

	for (i = 0; !rc && i < p->n_samples; i++)
		campaign_render(n, r[i].msisdn, &(struct notice_vals){
			r[i].name, r[i].course, r[i].start_date, r[i].region },
			&p->sample[i]);
	return rc;
}

int campaign_preview(struct notice_db *nd, struct audience_db *ad,
		     const struct notice *n, const char (*nums)[MSISDN_MAX],
		     size_t n_nums, struct campaign_preview *p)
{
	unsigned i;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!n->by_numbers) {
		rc = audience_count(ad, &n->au, &p->ac);
		p->recipients = p->ac.recipients;
		if (!rc)
			rc = campaign_samples_roster(ad, n, p);
	} else if (n->id) {
		rc = notice_numbers(nd, n->id, &p->nn);
		p->recipients = p->nn.total - p->nn.opted_out;
		if (!rc)
			rc = campaign_samples_stored(nd, n, p);
	} else {	/* not stored yet: the numbers as given */
		rc = 0;
		p->recipients = p->nn.total = n_nums;
		for (i = 0; i < n_nums && i < CAMPAIGN_SAMPLES; i++)
			campaign_render(n, nums[i], &(struct notice_vals){ 0 },
					&p->sample[p->n_samples++]);
	}
	for (i = 0; i < p->n_samples; i++)
		if (p->sample[i].parts > (int)p->sample_parts)
			p->sample_parts = p->sample[i].parts;
	return rc;
}

double campaign_rate(const struct config *cfg, unsigned parts, unsigned rate)
{
	double sum = 0;
	unsigned k;

	for (k = 0; k < cfg->n_links; k++) {
		if (!cfg->link[k].max_tps) {
			sum = 0;
			break;
		}
		sum += cfg->link[k].max_tps * cfg->bulk_share / 100.0;
	}
	sum = parts ? sum / parts : sum;
	if (rate && (sum == 0 || rate < sum))
		return rate;
	return sum;
}

int campaign_estimate(const struct config *cfg, const struct notice *n,
		      unsigned long recipients, unsigned parts, int64_t now,
		      struct campaign_eta *e)
{
	struct quiet q;

	memset(e, 0, sizeof(*e));
	e->rate = campaign_rate(cfg, parts, n->rate);
	e->start_ms = n->start_at > now ? n->start_at : now;
	if (e->rate <= 0)
		return 0;
	e->work_ms = (int64_t)(recipients / e->rate * 1000.0);
	if (quiet_init(&q, cfg->quiet_start, cfg->quiet_end,
		       cfg->timezone) < 0)
		return -EINVAL;
	e->end_ms = quiet_finish(&q, e->start_ms, e->work_ms);
	e->after_end = n->end_at && e->end_ms > n->end_at;
	return 0;
}

/* ---- progress ----------------------------------------------------------- */

int campaign_counts(struct notice_db *nd, struct audience_db *ad,
		    const struct notice *n, struct campaign_counts *k)
{
	struct audience_count ac = { 0 };
	int rc;

	memset(k, 0, sizeof(*k));
	rc = notice_rcpt_counts(nd, n->id, k->rcpt, &k->listed);
	if (!rc)
		rc = mtq_camp_counts(notice_queue(nd), n->id, k->mt);
	if (rc)
		return rc;
	k->expected = k->listed;
	if (!n->listed && audience_count(ad, &n->au, &ac) == 0 &&
	    ac.recipients > k->listed)
		k->expected = ac.recipients;
	return 0;
}

double campaign_progress(const struct campaign_counts *k)
{
	unsigned long open = k->rcpt[NOTICE_R_PENDING] + k->mt[MTQ_QUEUED] +
			     k->mt[MTQ_SENDING];
	unsigned long all = k->expected > k->listed ? k->expected : k->listed;

	if (!all)
		return 1.0;
	return open >= k->listed ? 0.0 : (double)(k->listed - open) / all;
}

/* ---- report ------------------------------------------------------------- */

struct campaign_rep {
	struct notice_db *nd;
	const struct notice *n;
	FILE *f;
	campaign_time_fn tf;
	void *tf_data;
	campaign_why_fn why;
	unsigned long rows;
};

/* What became of a recipient: its message's state when it has one. */
static const char *campaign_outcome(const struct notice *n,
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

static int campaign_rep_row(void *data, const char *msisdn,
			    enum notice_rcpt_state r, int64_t mt_id)
{
	struct campaign_rep *c = data;
	char sub[32] = "", done[32] = "", why[CAMPAIGN_WHY_MAX] = "";
	struct mtq_outcome o = { 0 };
	bool has_mt = false;
	int rc = 0;

	if (mt_id) {
		rc = mtq_outcome(notice_queue(c->nd), mt_id, &o);
		has_mt = rc == 0;
		if (rc == -ENOENT)
			rc = 0;
	}
	if (rc < 0)
		return rc;
	c->tf(c->tf_data, o.submitted_ms, sub, sizeof(sub));
	c->tf(c->tf_data, o.done_ms, done, sizeof(done));
	if (has_mt && (o.state == MTQ_FAILED || o.state == MTQ_EXPIRED))
		c->why(o.state, o.smpp_status, o.dlr_state, o.dlr_err, why,
		       sizeof(why));
	csv_put(c->f, msisdn, CSV_PUT_FIRST | CSV_PUT_TEXT);
	csv_put(c->f, campaign_outcome(c->n, r, &o, has_mt), 0);
	csv_put(c->f, sub, 0);
	csv_put(c->f, done, 0);
	csv_put(c->f, why, 0);
	csv_put_end(c->f);
	c->rows++;
	return ferror(c->f) ? -EIO : 0;
}

int campaign_report(struct notice_db *nd, const struct notice *n, FILE *f,
		    campaign_time_fn tf, void *tf_data, campaign_why_fn why,
		    unsigned long *rows)
{
	struct campaign_rep c = { nd, n, f, tf, tf_data, why, 0 };
	int rc;

	csv_put_bom(f);
	csv_put(f, "msisdn", CSV_PUT_FIRST);
	csv_put(f, "outcome", 0);
	csv_put(f, "submitted_at", 0);
	csv_put(f, "done_at", 0);
	csv_put(f, "reason", 0);
	csv_put_end(f);
	rc = notice_each_rcpt(nd, n->id, campaign_rep_row, &c);
	*rows = c.rows;
	return rc;
}

/* ---- the operator's moves ----------------------------------------------- */

static const struct {
	const char *verb;
	enum notice_state to;
	unsigned from;			/* NOTICE_BIT()s */
	int hold;			/* -1 nothing, 0 back to pending, 1 cancel */
	const char *action;		/* audit */
	const char *refusal;		/* when the state does not allow it */
} campaign_moves[CAMPAIGN_NUM_MOVES] = {
	[CAMPAIGN_START] = { "start", NOTICE_RUNNING, NOTICE_BIT(NOTICE_DRAFT),
		-1, "notice_start",
		"only a draft can be started (resume a paused one)" },
	[CAMPAIGN_PAUSE] = { "pause", NOTICE_PAUSED,
		NOTICE_BIT(NOTICE_RUNNING), 0, "notice_pause",
		"only a running campaign can be paused" },
	[CAMPAIGN_RESUME] = { "resume", NOTICE_RUNNING,
		NOTICE_BIT(NOTICE_PAUSED), -1, "notice_resume",
		"only a paused campaign can be resumed" },
	[CAMPAIGN_CANCEL] = { "cancel", NOTICE_CANCELLED,
		NOTICE_BIT(NOTICE_DRAFT) | NOTICE_BIT(NOTICE_RUNNING) |
		NOTICE_BIT(NOTICE_PAUSED), 1, "notice_cancel",
		"it has ended already" },
};

int campaign_move_parse(const char *verb)
{
	unsigned i;

	for (i = 0; verb && i < CAMPAIGN_NUM_MOVES; i++)
		if (!strcmp(verb, campaign_moves[i].verb))
			return i;
	return -1;
}

const char *campaign_move_str(enum campaign_move m)
{
	return (unsigned)m < CAMPAIGN_NUM_MOVES ? campaign_moves[m].verb : "?";
}

enum notice_state campaign_move_to(enum campaign_move m)
{
	return campaign_moves[m].to;
}

/* What forbids starting or resuming now, if anything. */
static int campaign_may_run(const struct notice *n, int64_t now, char *why,
			    size_t cap)
{
	if (n->end_at && n->end_at <= now) {
		snprintf(why, cap, "campaign %lld: its end time has passed",
			 (long long)n->id);
		return -EINVAL;
	}
	if (n->by_numbers && !n->listed) {
		snprintf(why, cap, "campaign %lld: the writing of its numbers "
			 "did not finish; create it again", (long long)n->id);
		return -EINVAL;
	}
	return 0;
}

int campaign_move(struct notice_db *nd, struct audit *a, struct notice *n,
		  enum campaign_move m, const char *actor, const char *where,
		  int64_t now, int *held, char *why, size_t cap)
{
	int rc = 0;

	*held = 0;
	if (campaign_moves[m].to == NOTICE_RUNNING)
		rc = campaign_may_run(n, now, why, cap);
	if (!rc)
		rc = notice_set_state(nd, n->id, campaign_moves[m].to,
				      campaign_moves[m].from, now);
	if (rc == -EPERM)
		snprintf(why, cap, "campaign %lld is %s: %s", (long long)n->id,
			 notice_state_str(n->state), campaign_moves[m].refusal);
	if (!rc && campaign_moves[m].hold >= 0)
		rc = *held = notice_hold(nd, n->id, campaign_moves[m].hold);
	if (rc >= 0)
		rc = audit_log(a, now, actor, campaign_moves[m].action,
			       "%scampaign %lld \"%s\"", where ? where : "",
			       (long long)n->id, n->name);
	if (rc >= 0)
		n->state = campaign_moves[m].to;
	return rc < 0 ? rc : 0;
}
