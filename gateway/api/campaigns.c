/*
 * campaigns.c - /api/v1/campaigns: preview and create (the checks of
 * skillctl notice create, handlers/notice/campaign.c), list, status,
 * preview of a stored one, start / pause / resume / cancel, and the
 * per-recipient report as CSV.
 *
 * Where it runs: the list and the moves on the loop (a page of a small
 * table; one guarded UPDATE and at most notices.ahead rows taken back);
 * everything that walks the roster or a campaign's recipients in a worker
 * thread with its own connection (counting an audience over a million
 * workers, writing a file of numbers, counting a campaign's messages,
 * the report). Times given as local text are parsed on the loop
 * (quiet.h sets TZ: not in a thread); the report's times are formatted in
 * the thread with the zone's offset of the moment it was asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/queue/quiet.h"
#include "gateway/smpp/dlr.h"
#include "gateway/text/msisdn.h"
#include "handlers/domain/audit.h"
#include "handlers/notice/audience.h"
#include "handlers/notice/campaign.h"

#define CAMP_NUMBERS_MAX	100000
#define CAMP_SLICE		10000	/* numbers per transaction */
#define CAMP_LIST_ITEMS		64	/* values of one audience filter */

/* One request's campaign work, shared by the loop and the thread. */
struct camp_job {
	struct api_server *s;
	struct notice n;		/* what to make, or the stored one */
	struct audience_args aud;
	char (*nums)[MSISDN_MAX];
	size_t n_nums;
	unsigned long lines, dups;
	char actor[ACCT_TOKEN_NAME_MAX + 8], client[HTTPD_ADDR_MAX];
	int64_t now;
	long tz_offset_s;		/* the report's times */
	int fd;				/* the report's file */
	/* results */
	int rc;
	char why[API_WHY_MAX];
	struct notice *got;
	struct campaign_preview p;
	struct campaign_counts k;
	struct mtq_failure f[CAMPAIGN_REASONS_MAX];
	unsigned nf;
	unsigned long rows;
};

static struct camp_job *camp_job_new(struct api_req *r)
{
	struct camp_job *j = talloc_zero(r, struct camp_job);

	if (!j)
		return NULL;
	j->s = r->s;
	j->fd = -1;
	j->now = clock_now_ms();
	OSMO_STRLCPY_ARRAY(j->actor, r->who.name);
	OSMO_STRLCPY_ARRAY(j->client, r->client);
	return j;
}

static void camp_start(struct api_req *r, struct camp_job *j,
		       api_task_work work, api_task_done done)
{
	struct api_task *t = api_task_new(r->s, API_TASK_READ, r, true, work,
					  done, j);

	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}

/* ---- reading a draft from JSON ------------------------------------------ */

static int camp_sort_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* "numbers": normalised, sorted, unique. false after answering 400. */
static bool camp_numbers(struct api_req *r, struct camp_job *j,
			 const struct json_val *v)
{
	size_t i, o = 0;

	if (v->type != JSON_ARR || !v->n || v->n > CAMP_NUMBERS_MAX) {
		api_error(r, API_E_BAD_REQUEST, "numbers: an array of 1 to %d "
			  "numbers", CAMP_NUMBERS_MAX);
		return false;
	}
	j->nums = talloc_zero_size(j, v->n * (size_t)MSISDN_MAX);
	for (i = 0; j->nums && i < v->n; i++) {
		const struct json_val *x = v->item[i];
		const char *why = "is not a string";

		if (x->type != JSON_STR ||
		    msisdn_entry(x->str, r->s->cfg->numbers, j->nums[i],
				 MSISDN_MAX, &why) < 0) {
			api_error(r, API_E_BAD_REQUEST, "numbers[%zu]: '%.24s' "
				  "%s", i, x->type == JSON_STR ? x->str : "",
				  why);
			return false;
		}
	}
	if (!j->nums) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return false;
	}
	qsort(j->nums, v->n, MSISDN_MAX, camp_sort_cmp);
	for (i = 0; i < v->n; i++)
		if (!o || strcmp(j->nums[o - 1], j->nums[i]))
			memmove(j->nums[o++], j->nums[i], MSISDN_MAX);
	j->lines = v->n;
	j->dups = v->n - o;
	j->n_nums = o;
	j->n.by_numbers = true;
	return true;
}

/* A local time of start or end; false after answering 400. */
static bool camp_time(struct api_req *r, const char *k, int64_t *out)
{
	const char *s = NULL, *tz = r->s->cfg->timezone;
	char why[API_WHY_MAX];

	if (json_get_str(r->json, k, false, 32, &s, why, sizeof(why))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return false;
	}
	if (s && quiet_parse_time(tz, s, out) < 0) {
		api_error(r, API_E_BAD_REQUEST, "%s: '%s' is not a time like "
			  "2026-07-01 09:30 (%s)", k, s, tz);
		return false;
	}
	return true;
}

static int camp_lists(struct api_req *r, struct camp_job *j, char *why,
		      size_t cap)
{
	struct audience_args *a = &j->aud;

	return json_get_list(j, r->json, "region", CAMP_LIST_ITEMS, &a->region,
			     why, cap) ||
	       json_get_list(j, r->json, "group", CAMP_LIST_ITEMS, &a->group,
			     why, cap) ||
	       json_get_list(j, r->json, "course", CAMP_LIST_ITEMS, &a->course,
			     why, cap) ||
	       json_get_list(j, r->json, "occupation", CAMP_LIST_ITEMS,
			     &a->occupation, why, cap) ||
	       json_get_list(j, r->json, "enrolment_status", CAMP_LIST_ITEMS,
			     &a->enrol_status, why, cap) ||
	       json_get_list(j, r->json, "subsidy_status", CAMP_LIST_ITEMS,
			     &a->subsidy_status, why, cap) ? -EINVAL : 0;
}

/* The body into j (name required when need_name). false after 400. */
static bool camp_read(struct api_req *r, struct camp_job *j, bool need_name)
{
	static const char *const keys[] = { "name", "text", "region", "group",
		"course", "occupation", "enrolment_status", "subsidy_status",
		"numbers", "start", "end", "rate", NULL };
	const struct json_val *nums = json_get(r->json, "numbers");
	const char *name = "", *text = NULL;
	char why[API_WHY_MAX];
	int64_t rate = 0;

	if (json_only(r->json, keys, why, sizeof(why)) ||
	    json_get_str(r->json, "name", need_name, CAMPAIGN_NAME_MAX, &name,
			 why, sizeof(why)) ||
	    json_get_str(r->json, "text", true, NOTICE_INPUT_MAX, &text, why,
			 sizeof(why)) ||
	    json_get_int(r->json, "rate", false, 0, 1000000, &rate, why,
			 sizeof(why)) || camp_lists(r, j, why, sizeof(why))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return false;
	}
	j->n.name = talloc_strdup(j, *name ? name : "preview");
	j->n.text = talloc_strdup(j, text);
	j->n.rate = rate;
	j->n.created_by = talloc_strdup(j, r->who.name);
	if (!camp_time(r, "start", &j->n.start_at) ||
	    !camp_time(r, "end", &j->n.end_at))
		return false;
	return !nums || nums->type == JSON_NULL || camp_numbers(r, j, nums);
}

/* ---- preview and create (in the thread) --------------------------------- */

static int camp_check(struct camp_job *j, void *mem, struct audience_db *ad)
{
	int rc = campaign_check(ad, mem, j->s->cfg, &j->aud, j->now, &j->n,
				j->why, sizeof(j->why));

	if (rc == -EINVAL)
		api_why_names(j->why);
	return rc;
}

static int camp_preview_work(struct api_task *t, struct db *db)
{
	struct camp_job *j = api_task_data(t);
	void *mem = api_task_mem(t);
	struct notice_db *nd = notice_db_init(mem, db);
	struct audience_db *ad = audience_db_init(mem, db);

	if (!nd || !ad)
		return j->rc = -EIO;
	j->rc = camp_check(j, mem, ad);
	if (!j->rc)
		j->rc = campaign_preview(nd, ad, &j->n,
					 (const char (*)[MSISDN_MAX])j->nums,
					 j->n_nums, &j->p);
	return j->rc;
}

/* The numbers, CAMP_SLICE per transaction. */
static int camp_insert_numbers(struct camp_job *j, struct db *db,
			       struct notice_db *nd)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < j->n_nums; i++) {
		rc = notice_add_number(nd, j->n.id, j->nums[i],
				       j->n.au.course_id);
		if (rc >= 0)	/* 1 added, 0 there already */
			rc = (i + 1) % CAMP_SLICE == 0 ? db_commit(db) : 0;
	}
	return rc < 0 ? rc : 0;
}

static int camp_insert(struct camp_job *j, void *mem, struct db *db,
		       struct notice_db *nd)
{
	struct audit *a = audit_init(mem, db);
	int rc = a ? notice_insert(nd, &j->n, j->now, &j->n.id) : -EIO;

	if (!rc)
		rc = audit_log(a, j->now, j->actor, "notice_create", "from %s: "
			       "campaign %lld \"%s\" audience %s", j->client,
			       (long long)j->n.id, j->n.name,
			       j->n.audience_json);
	if (!rc && j->n.by_numbers)
		rc = camp_insert_numbers(j, db, nd);
	j->n.listed = true;
	if (!rc && j->n.by_numbers)
		rc = notice_save_progress(nd, &j->n, j->now);
	if (!rc)
		rc = db_commit(db);
	if (rc && j->n.id && notice_delete(nd, j->n.id) == 0)
		db_commit(db);
	return rc;
}

static int camp_create_work(struct api_task *t, struct db *db)
{
	struct camp_job *j = api_task_data(t);
	void *mem = api_task_mem(t);
	struct notice_db *nd = notice_db_init(mem, db);
	struct audience_db *ad = audience_db_init(mem, db);
	struct audience_count ac;

	if (!nd || !ad)
		return j->rc = -EIO;
	j->rc = camp_check(j, mem, ad);
	if (j->rc)
		return j->rc;
	j->n.audience_json = campaign_audience_json(mem, &j->aud,
		j->n.by_numbers ? "api" : NULL, j->lines, j->dups);
	if (!j->n.audience_json)
		return j->rc = -ENOMEM;
	j->p.recipients = j->n.by_numbers ? j->n_nums :
		audience_count(ad, &j->n.au, &ac) < 0 ? 0 : ac.recipients;
	return j->rc = camp_insert(j, mem, db, nd);
}

/* ---- preview and create (on the loop) ----------------------------------- */

static void camp_detail(struct json_w *w, const struct notice *n,
			const struct camp_job *j)
{
	json_key(w, "detail");
	json_obj(w);
	if (n->by_numbers) {
		json_kint(w, "numbers", j->p.nn.total);
		json_kint(w, "duplicates", n->id ? j->p.nn.duplicates : j->dups);
		json_kint(w, "opted_out", j->p.nn.opted_out);
		json_kint(w, "unknown", j->p.nn.unknown);
	} else {
		json_kint(w, "matched", j->p.ac.matched);
		json_kint(w, "opted_out", j->p.ac.opted_out);
		json_kint(w, "no_number", j->p.ac.no_number);
	}
	json_end(w);
}

static void camp_samples(struct json_w *w, const struct campaign_preview *p)
{
	unsigned i;

	json_key(w, "samples");
	json_arr(w);
	for (i = 0; i < p->n_samples; i++) {
		json_obj(w);
		json_kstr(w, "msisdn", p->sample[i].msisdn);
		json_kstr(w, "text", p->sample[i].text);
		json_kint(w, "parts", p->sample[i].parts);
		json_end(w);
	}
	json_end(w);
}

/* The preview of n (its estimate through quiet hours: the loop's). */
static void camp_preview_json(struct api_req *r, struct camp_job *j,
			      const struct notice *n, struct json_w *w)
{
	const struct config *c = r->s->cfg;
	unsigned parts = j->p.sample_parts ? j->p.sample_parts : n->parts;
	struct campaign_eta e;

	campaign_estimate(c, n, j->p.recipients, parts, clock_now_ms(), &e);
	json_obj(w);
	if (n->id)
		json_kint(w, "id", n->id);
	json_kint(w, "recipients", j->p.recipients);
	camp_detail(w, n, j);
	json_kstr(w, "body", n->body);
	json_kstr(w, "signature", c->signature);
	json_kstr(w, "optout_hint", c->optout_hint);
	json_kint(w, "parts", parts);
	json_kint(w, "longest_parts", n->parts);
	json_kint(w, "max_parts", c->notice_max_parts);
	json_knum(w, "rate", e.rate);
	json_knum(w, "duration_s", e.work_ms / 1000.0);
	json_ktime(w, "start_at", e.start_ms);
	json_ktime(w, "ends_at", e.end_ms);
	json_kbool(w, "after_end", e.after_end);
	json_key(w, "quiet");
	json_obj(w);
	json_kstr(w, "start", c->quiet_start);
	json_kstr(w, "end", c->quiet_end);
	json_kstr(w, "timezone", c->timezone);
	json_end(w);
	camp_samples(w, &j->p);
	json_end(w);
}

/* The thread's outcome as an error; true when one was answered. */
static bool camp_failed(struct api_req *r, const struct camp_job *j, int rc)
{
	if (rc == -EINVAL)
		api_error(r, API_E_BAD_REQUEST, "%s", j->why);
	else if (rc == -ENOENT)
		api_error(r, API_E_NOT_FOUND, "no such campaign");
	else if (rc < 0)
		api_error(r, API_E_STORAGE, "the database could not be read or "
			  "written: %s", strerror(-rc));
	return rc < 0;
}

static void camp_preview_done(struct api_task *t)
{
	struct camp_job *j = api_task_data(t);
	struct api_req *r = api_task_req(t);
	struct json_w *w;

	if (!r || camp_failed(r, j, api_task_rc(t)))
		return;
	w = api_json(r);
	camp_preview_json(r, j, &j->n, w);
	api_reply_json(r, 200, w);
}

void api_campaigns_preview(struct api_req *r)
{
	struct camp_job *j = camp_job_new(r);

	if (!j)
		api_error(r, API_E_INTERNAL, "out of memory");
	else if (camp_read(r, j, false))
		camp_start(r, j, camp_preview_work, camp_preview_done);
}

static void camp_create_done(struct api_task *t)
{
	struct camp_job *j = api_task_data(t);
	struct api_req *r = api_task_req(t);
	struct json_w *w;

	if (!r || camp_failed(r, j, api_task_rc(t)))
		return;
	w = api_json(r);
	json_obj(w);
	json_kint(w, "id", j->n.id);
	json_kstr(w, "state", "draft");
	json_kint(w, "recipients", j->p.recipients);
	json_kint(w, "parts", j->n.parts);
	json_end(w);
	api_reply_json(r, 201, w);	/* the thread committed it */
}

void api_campaigns_create(struct api_req *r)
{
	struct camp_job *j = camp_job_new(r);

	if (!j)
		api_error(r, API_E_INTERNAL, "out of memory");
	else if (camp_read(r, j, true))
		camp_start(r, j, camp_create_work, camp_create_done);
}

/* ---- a stored campaign -------------------------------------------------- */

static void camp_summary(struct json_w *w, const struct notice *n)
{
	json_kint(w, "id", n->id);
	json_kstr(w, "name", n->name);
	json_kstr(w, "state", notice_state_str(n->state));
	json_kstr(w, "created_by", n->created_by);
	json_ktime(w, "created_at", n->created_at);
	json_ktime(w, "start_at", n->start_at);
	json_ktime(w, "end_at", n->end_at);
	json_kint(w, "rate", n->rate);
	json_kint(w, "parts", n->parts);
	json_kbool(w, "by_numbers", n->by_numbers);
	json_ktime(w, "started_at", n->started_at);
	json_ktime(w, "finished_at", n->finished_at);
}

void api_campaigns_list(struct api_req *r)
{
	struct notice **v;
	unsigned limit, offset, n, i;
	unsigned long total = 0;
	struct json_w *w;

	if (!api_page(r, &limit, &offset))
		return;
	if (notice_list_page(r->s->nd, r, offset, limit, &v, &n, &total)) {
		api_error(r, API_E_STORAGE, "the campaigns could not be read");
		return;
	}
	w = api_json(r);
	api_list_begin(w);
	for (i = 0; i < n; i++) {
		json_obj(w);
		camp_summary(w, v[i]);
		json_end(w);
	}
	api_list_end(w, total, limit, offset);
	api_reply_json(r, 200, w);
}

/* Load campaign j->n.id in the thread. */
static int camp_load(struct api_task *t, struct db *db,
		     struct notice_db **nd, struct audience_db **ad)
{
	struct camp_job *j = api_task_data(t);
	void *mem = api_task_mem(t);

	*nd = notice_db_init(mem, db);
	*ad = audience_db_init(mem, db);
	if (!*nd || !*ad)
		return -EIO;
	return notice_get(*nd, mem, j->n.id, &j->got);
}

static int camp_status_work(struct api_task *t, struct db *db)
{
	struct camp_job *j = api_task_data(t);
	struct notice_db *nd;
	struct audience_db *ad;
	int rc = camp_load(t, db, &nd, &ad);

	if (!rc)
		rc = campaign_counts(nd, ad, j->got, &j->k);
	if (!rc)
		rc = mtq_camp_failures(notice_queue(nd), j->got->id, j->f,
				       CAMPAIGN_REASONS_MAX, &j->nf);
	return rc;
}

static void camp_counts_json(struct json_w *w, const struct camp_job *j)
{
	char why[128];
	unsigned i;

	json_knum(w, "progress", campaign_progress(&j->k));
	json_key(w, "recipients");
	json_obj(w);
	json_kint(w, "expected", j->k.expected);
	json_kint(w, "listed", j->k.listed);
	for (i = 0; i < NOTICE_R_NUM; i++)
		json_kint(w, notice_rcpt_state_str(i), j->k.rcpt[i]);
	json_end(w);
	json_key(w, "messages");
	json_obj(w);
	for (i = 0; i < MTQ_NUM_STATES; i++)
		json_kint(w, mtq_state_str(i), j->k.mt[i]);
	json_end(w);
	json_key(w, "failures");
	json_arr(w);
	for (i = 0; i < j->nf; i++) {
		dlr_why(j->f[i].state, j->f[i].smpp_status, j->f[i].dlr_state,
			j->f[i].dlr_err, why, sizeof(why));
		json_obj(w);
		json_kstr(w, "reason", why);
		json_kint(w, "count", j->f[i].count);
		json_end(w);
	}
	json_end(w);
}

static void camp_status_done(struct api_task *t)
{
	struct camp_job *j = api_task_data(t);
	struct api_req *r = api_task_req(t);
	struct json_w *w;

	if (!r || camp_failed(r, j, api_task_rc(t)))
		return;
	w = api_json(r);
	json_obj(w);
	camp_summary(w, j->got);
	json_kstr(w, "text", j->got->text);
	json_kstr(w, "body", j->got->body);
	json_key(w, "audience");
	json_raw(w, j->got->audience_json);	/* written by us as JSON */
	camp_counts_json(w, j);
	json_end(w);
	api_reply_json(r, 200, w);
}

/* A job for the campaign of the path; NULL after answering. */
static struct camp_job *camp_job_id(struct api_req *r)
{
	struct camp_job *j;
	int64_t id;

	if (!api_param_id(r, 0, &id))
		return NULL;
	j = camp_job_new(r);
	if (!j)
		api_error(r, API_E_INTERNAL, "out of memory");
	else
		j->n.id = id;
	return j;
}

void api_campaign_get(struct api_req *r)
{
	struct camp_job *j = camp_job_id(r);

	if (j)
		camp_start(r, j, camp_status_work, camp_status_done);
}

static int camp_stored_preview_work(struct api_task *t, struct db *db)
{
	struct camp_job *j = api_task_data(t);
	struct notice_db *nd;
	struct audience_db *ad;
	int rc = camp_load(t, db, &nd, &ad);

	return rc ? rc : campaign_preview(nd, ad, j->got, NULL, 0, &j->p);
}

static void camp_stored_preview_done(struct api_task *t)
{
	struct camp_job *j = api_task_data(t);
	struct api_req *r = api_task_req(t);
	struct json_w *w;

	if (!r || camp_failed(r, j, api_task_rc(t)))
		return;
	w = api_json(r);
	camp_preview_json(r, j, j->got, w);
	api_reply_json(r, 200, w);
}

void api_campaign_preview(struct api_req *r)
{
	struct camp_job *j = camp_job_id(r);

	if (j)
		camp_start(r, j, camp_stored_preview_work,
			   camp_stored_preview_done);
}

/* ---- start, pause, resume, cancel (on the loop) ------------------------- */

void api_campaign_move(struct api_req *r)
{
	char why[API_WHY_MAX], *where;
	int m = campaign_move_parse(r->param[1]), held = 0, rc;
	struct notice *n;
	struct json_w *w;
	int64_t id;

	if (m < 0) {
		api_error(r, API_E_NOT_FOUND, "no such action: start, pause, "
			  "resume or cancel");
		return;
	}
	if (!api_param_id(r, 0, &id))
		return;
	rc = notice_get(r->s->nd, r, id, &n);
	if (rc) {
		api_error(r, rc == -ENOENT ? API_E_NOT_FOUND : API_E_STORAGE,
			  "no campaign %lld", (long long)id);
		return;
	}
	where = talloc_asprintf(r, "from %s: ", r->client);
	rc = db_unit_begin(r->s->p.db);
	if (!rc)
		rc = campaign_move(r->s->nd, r->s->audit, n, m, r->who.name,
				   where, clock_now_ms(), &held, why,
				   sizeof(why));
	rc = db_unit_end(r->s->p.db, rc);
	if (rc == -EPERM || rc == -EINVAL) {
		api_error(r, API_E_CONFLICT, "%s", why);
		return;
	}
	if (rc < 0) {
		api_error(r, API_E_STORAGE, "the database did not take it");
		return;
	}
	w = api_json(r);
	json_obj(w);
	json_kint(w, "id", n->id);
	json_kstr(w, "state", notice_state_str(n->state));
	json_kint(w, "taken_back", held > 0 ? held : 0);
	json_end(w);
	api_reply_after_commit(r, 200, w);
}

/* ---- the report (in the thread) ----------------------------------------- */

/* A time in the zone's offset of the moment the report was asked for. */
static void camp_report_time(void *data, int64_t ms, char *out, size_t cap)
{
	const struct camp_job *j = data;
	time_t t = ms / 1000 + j->tz_offset_s;
	struct tm tm;

	if (!ms) {
		*out = '\0';
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M", &tm);
}

static int camp_report_work(struct api_task *t, struct db *db)
{
	struct camp_job *j = api_task_data(t);
	struct notice_db *nd;
	struct audience_db *ad;
	FILE *f = NULL;
	int rc = camp_load(t, db, &nd, &ad);

	if (!rc && (j->fd = api_tmpfile(j->s, api_task_mem(t), "report")) < 0)
		rc = -EIO;
	if (!rc && !(f = fdopen(dup(j->fd), "w")))
		rc = -EIO;
	if (!rc)
		rc = campaign_report(nd, j->got, f, camp_report_time, j,
				     dlr_why, &j->rows);
	if (f && fclose(f) && !rc)
		rc = -EIO;
	return rc;
}

static void camp_report_done(struct api_task *t)
{
	struct camp_job *j = api_task_data(t);
	struct api_req *r = api_task_req(t);
	off_t size = j->fd >= 0 ? lseek(j->fd, 0, SEEK_END) : -1;
	char name[48];

	if (!r || camp_failed(r, j, api_task_rc(t)) || size < 0) {
		if (r && size < 0 && api_task_rc(t) >= 0)
			api_error(r, API_E_STORAGE, "the report could not be "
				  "written");
		if (j->fd >= 0)
			close(j->fd);
		return;
	}
	lseek(j->fd, 0, SEEK_SET);
	snprintf(name, sizeof(name), "campaign-%lld.csv", (long long)j->n.id);
	api_reply_fd(r, j->fd, size, "text/csv; charset=utf-8", name);
}

void api_campaign_report(struct api_req *r)
{
	struct camp_job *j = camp_job_id(r);
	struct tm tm;

	if (!j)
		return;
	if (quiet_localtime(r->s->cfg->timezone, clock_now_ms(), &tm) == 0)
		j->tz_offset_s = tm.tm_gmtoff;
	camp_start(r, j, camp_report_work, camp_report_done);
}
