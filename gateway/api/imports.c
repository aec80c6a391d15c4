/*
 * imports.c - /api/v1/imports: a CSV file of the bureau (UTF-8 or GBK, any
 * kind skillctl import takes) checked, and imported when asked, by a job
 * in a worker thread with its own database connection.
 *
 * The job: a validation pass over the whole file (the import engine's dry
 * run, handlers/data/import.c: every row goes through the real statements
 * in transactions of IMPORTS_CHUNK rows that are rolled back, so every bad
 * row is found and listed, at most IMPORTS_ISSUES_MAX of them); then, when
 * the mode is apply and no row is bad (or skip_bad), the apply pass in
 * committed transactions of IMPORTS_CHUNK rows. The job's connection is a
 * bulk writer (db_set_bulk(), gateway/db.c): when the daemon's loop waits
 * for the write lock, a transaction ends after IMPORTS_CHUNK_MS and the
 * job pauses IMPORTS_PAUSE_US while the loop, which polls for a busy lock
 * every millisecond, takes it. So SMS replies and USSD wait a few
 * milliseconds for the lock while a million rows go in (make bench
 * measures the whole effect).
 *
 * What the thread and the loop share (progress, the problems found) sits
 * behind the job's mutex; the lists are malloc'ed (thread-safe) and freed
 * by the loop. Jobs are kept in memory for this run of the daemon (at most
 * IMPORTS_KEEP); an uploaded file stays until its job is applied or
 * forgotten, so a validated file can be applied without a second upload.
 * Decisions an applied file writes are told to the workers
 * (handlers/notice/notify.h) unless ?notify=false (a backfill); the job
 * counts them either way. The engine writes the import's audit row (actor the account, "from the
 * API (ADDRESS)", the counts); the upload and a validation are audited
 * here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "handlers/data/import.h"

#define IMPORTS_CHUNK		2000	/* rows per transaction, at most */
#define IMPORTS_CHUNK_MS	5	/* shorter when the loop waits */
#define IMPORTS_PAUSE_US	2000	/* then: the loop's turn */
#define IMPORTS_ISSUES_MAX	1000	/* bad rows listed */
#define IMPORTS_WARNINGS_MAX	100
#define IMPORTS_KEEP		32	/* jobs remembered */
#define IMPORTS_ERR_MAX		512

enum job_state { JOB_QUEUED, JOB_VALIDATING, JOB_APPLYING, JOB_DONE,
		 JOB_FAILED, JOB_CANCELLED };
enum job_result { JOB_R_NONE, JOB_R_VALID, JOB_R_INVALID, JOB_R_APPLIED,
		  JOB_R_STOPPED };

static const char *const job_states[] = { "queued", "validating",
	"applying", "done", "failed", "cancelled" };
static const char *const job_results[] = { NULL, "valid", "invalid",
	"applied", "stopped" };

struct job_issue {
	unsigned line;
	char *column;			/* malloc'ed, NULL: the row */
	char *reason;			/* malloc'ed */
};

struct job_issues {
	struct job_issue *v;		/* malloc'ed */
	unsigned n, cap, max;
	unsigned long total;
};

struct imp_job {
	struct llist_head list;		/* newest first */
	struct api_imports *im;
	int64_t id;
	enum import_kind kind;
	bool apply, skip_bad, validated;
	bool no_notify;			/* a backfill: decisions told to nobody */
	char *path;			/* the upload, "" once removed */
	uint64_t size;
	char created_by[ACCT_TOKEN_NAME_MAX + 8], client[HTTPD_ADDR_MAX];
	int64_t created_ms, started_ms, finished_ms;
	struct api_task *task;		/* while it runs */
	/* shared with the thread, under mu */
	pthread_mutex_t mu;
	enum job_state state;
	enum job_result result;
	struct import_result r;
	uint64_t bytes_read, bytes_total;
	struct job_issues bad, warn;
	char error[IMPORTS_ERR_MAX];
};

struct api_imports {
	struct api_server *s;
	struct llist_head jobs;
	unsigned n;
	int64_t next_id;
};

/* ---- jobs --------------------------------------------------------------- */

static void job_issues_clear(struct job_issues *l)
{
	unsigned i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].column);
		free(l->v[i].reason);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	l->total = 0;
}

static void job_unlink(struct imp_job *j)
{
	if (j->path && *j->path) {
		unlink(j->path);
		j->path[0] = '\0';
	}
}

static void job_free(struct imp_job *j)
{
	llist_del(&j->list);
	j->im->n--;
	job_unlink(j);
	job_issues_clear(&j->bad);
	job_issues_clear(&j->warn);
	pthread_mutex_destroy(&j->mu);
	talloc_free(j);
}

/* Forget the oldest finished jobs beyond IMPORTS_KEEP. */
static void jobs_trim(struct api_imports *im)
{
	struct imp_job *j, *old;

	while (im->n > IMPORTS_KEEP) {
		old = NULL;
		llist_for_each_entry(j, &im->jobs, list)	/* newest first */
			if (!j->task)
				old = j;
		if (!old)
			return;
		job_free(old);
	}
}

struct api_imports *api_imports_new(struct api_server *s)
{
	struct api_imports *im = talloc_zero(s, struct api_imports);

	if (!im)
		return NULL;
	im->s = s;
	im->next_id = 1;
	INIT_LLIST_HEAD(&im->jobs);
	return im;
}

/* After api_tasks_free(): no thread runs. */
void api_imports_free(struct api_imports *im)
{
	struct imp_job *j, *t;

	if (!im)
		return;
	llist_for_each_entry_safe(j, t, &im->jobs, list)
		job_free(j);
	talloc_free(im);
}

static struct imp_job *job_find(struct api_imports *im, int64_t id)
{
	struct imp_job *j;

	llist_for_each_entry(j, &im->jobs, list)
		if (j->id == id)
			return j;
	return NULL;
}

/* ---- in the thread ------------------------------------------------------ */

/* Keep one problem (malloc: the thread's and the loop's alike). */
static void job_issue_add(struct job_issues *l, const struct import_issue *is)
{
	struct job_issue *v;

	l->total++;
	if (l->n >= l->max)
		return;
	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 64;

		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = (struct job_issue){ .line = is->line,
		.column = is->column ? strdup(is->column) : NULL,
		.reason = strdup(is->reason) };
	if (l->v[l->n].reason)
		l->n++;
	else
		free(l->v[l->n].column);
}

static void job_issue_cb(void *data, const struct import_issue *is)
{
	struct imp_job *j = data;

	pthread_mutex_lock(&j->mu);
	job_issue_add(is->warning ? &j->warn : &j->bad, is);
	pthread_mutex_unlock(&j->mu);
}

static void job_progress_cb(void *data, uint64_t done, uint64_t total,
			    const struct import_result *r)
{
	struct imp_job *j = data;

	pthread_mutex_lock(&j->mu);
	j->bytes_read = done;
	j->bytes_total = total;
	j->r = *r;
	pthread_mutex_unlock(&j->mu);
}

static bool job_cancelled_cb(void *data)
{
	return api_task_cancelled(data);
}

static void job_set(struct imp_job *j, enum job_state st,
		    enum job_result res, const struct import_result *r)
{
	pthread_mutex_lock(&j->mu);
	if (st == JOB_APPLYING && j->state != JOB_APPLYING) {
		/* the apply pass lists and counts afresh */
		job_issues_clear(&j->bad);
		job_issues_clear(&j->warn);
		memset(&j->r, 0, sizeof(j->r));
		j->bytes_read = 0;
	}
	j->state = st;
	if (res != JOB_R_NONE)
		j->result = res;
	if (r)
		j->r = *r;
	pthread_mutex_unlock(&j->mu);
}

/* One pass of the engine; messages about the file itself into j->error. */
static int job_pass(struct api_task *t, struct imp_job *j, struct db *db,
		    bool dry_run, struct import_result *r)
{
	const struct config *c = api_task_server(t)->cfg;
	char *msg = NULL, *name;
	size_t len = 0;
	FILE *err = open_memstream(&msg, &len);
	int rc;

	name = talloc_asprintf(api_task_mem(t), "the API (%s)", j->client);
	if (!err || !name) {
		if (err)
			fclose(err);
		free(msg);
		return -ENOMEM;
	}
	rc = import_file(db, &(struct import_opts){
		.kind = j->kind, .path = j->path, .skip_bad = j->skip_bad,
		.operator_name = j->created_by, .country_code = c->country_code,
		.numbers = c->numbers,
		.now_ms = clock_now_ms(), .err = err,
		.progress = job_progress_cb, .progress_data = j, .name = name,
		.issue = job_issue_cb, .issue_data = j, .chunk = IMPORTS_CHUNK,
		.chunk_ms = IMPORTS_CHUNK_MS,
		.dry_run = dry_run, .no_notify = j->no_notify,
		.cancelled = job_cancelled_cb,
		.cancel_data = t, .pause_us = IMPORTS_PAUSE_US }, r);
	fclose(err);
	pthread_mutex_lock(&j->mu);
	if (len)
		snprintf(j->error, sizeof(j->error), "%.*s", (int)len -
			 (msg[len - 1] == '\n'), msg);
	pthread_mutex_unlock(&j->mu);
	free(msg);
	return rc;
}

static int job_work(struct api_task *t, struct db *db)
{
	struct imp_job *j = api_task_data(t);
	struct import_result r;
	int rc = 0;

	db_set_bulk(db, true);	/* gives way to the loop */
	if (!j->validated) {
		job_set(j, JOB_VALIDATING, JOB_R_NONE, NULL);
		rc = job_pass(t, j, db, true, &r);
		job_set(j, JOB_VALIDATING, rc == 0 ? JOB_R_VALID :
			rc == -EINVAL && r.bad ? JOB_R_INVALID : JOB_R_NONE, &r);
		if (rc == -EINVAL && r.bad && j->skip_bad)
			rc = 0;
		if (rc || !j->apply)
			return rc;
	}
	job_set(j, JOB_APPLYING, JOB_R_NONE, NULL);
	rc = job_pass(t, j, db, false, &r);
	job_set(j, JOB_APPLYING, rc == 0 ? JOB_R_APPLIED : r.stopped ?
		JOB_R_STOPPED : JOB_R_NONE, &r);
	return rc;
}

/* ---- on the loop -------------------------------------------------------- */

static void job_issues_json(struct json_w *w, const char *k,
			    const struct job_issues *l)
{
	unsigned i;

	json_key(w, k);
	json_arr(w);
	for (i = 0; i < l->n; i++) {
		json_obj(w);
		json_kint(w, "line", l->v[i].line);
		json_key(w, "column");
		json_str(w, l->v[i].column);
		json_kstr(w, "reason", l->v[i].reason);
		json_end(w);
	}
	json_end(w);
}

static double job_fraction(const struct imp_job *j)
{
	double f = j->bytes_total ? (double)j->bytes_read / j->bytes_total : 0;

	if (j->state == JOB_DONE)
		return 1;
	if (!j->apply || j->validated)
		return f;
	return j->state == JOB_APPLYING ? 0.5 + f / 2 : f / 2;
}

static void job_progress_json(struct json_w *w, const struct imp_job *j)
{
	json_key(w, "progress");
	json_obj(w);
	json_kstr(w, "phase", j->state == JOB_QUEUED ? "queued" :
		  j->state == JOB_VALIDATING ? "validating" :
		  j->state == JOB_APPLYING ? "applying" : "done");
	json_kint(w, "bytes_read", j->bytes_read);
	json_kint(w, "bytes_total", j->bytes_total);
	json_kint(w, "rows_read", j->r.rows);
	json_kint(w, "rows_applied", j->r.applied);
	json_knum(w, "fraction", job_fraction(j));
	json_end(w);
}

static void job_counts_json(struct json_w *w, const struct imp_job *j)
{
	json_kint(w, "rows", j->r.rows);
	json_kint(w, "imported", j->r.imported);
	json_kint(w, "updated", j->r.updated);
	json_kint(w, "unchanged", j->r.unchanged);
	json_kint(w, "bad", j->bad.total ? j->bad.total : j->r.bad);
	json_kint(w, "warnings", j->warn.total);
	json_kint(w, "applied_rows", j->r.applied);
	json_kint(w, "notifications", j->r.notify);
	json_kint(w, "notifications_nonumber", j->r.notify_nonumber);
}

/* The job as JSON (details: the problems too); under its mutex. */
static void job_json(struct json_w *w, struct imp_job *j, bool details)
{
	pthread_mutex_lock(&j->mu);
	json_obj(w);
	json_kint(w, "id", j->id);
	json_kstr(w, "kind", import_kind_name(j->kind));
	json_kstr(w, "mode", j->apply ? "apply" : "validate");
	json_kbool(w, "skip_bad", j->skip_bad);
	json_kbool(w, "notify", !j->no_notify);
	json_kstr(w, "state", job_states[j->state]);
	json_key(w, "result");
	json_str(w, job_results[j->result]);
	json_kint(w, "size", j->size);
	json_key(w, "encoding");
	json_str(w, j->r.rows || j->state >= JOB_DONE ?
		 csv_encoding_name(j->r.encoding) : NULL);
	job_progress_json(w, j);
	job_counts_json(w, j);
	if (details) {
		job_issues_json(w, "bad_rows", &j->bad);
		json_kbool(w, "bad_rows_truncated", j->bad.total > j->bad.n);
		job_issues_json(w, "warning_rows", &j->warn);
	}
	json_kopt(w, "error", j->error);
	json_kstr(w, "created_by", j->created_by);
	json_ktime(w, "created_at", j->created_ms);
	json_ktime(w, "started_at", j->started_ms);
	json_ktime(w, "finished_at", j->finished_ms);
	json_end(w);
	pthread_mutex_unlock(&j->mu);
}

/* Why a job failed, in j->error: the storage's fault in words (disk
 * full, locked ...), where, and what stays (committed chunks do). */
static void job_error(struct imp_job *j, struct api_task *t, int rc)
{
	char why[128];
	int e;
	enum db_fault f = api_task_fault(t, &e);

	if (f == DB_FAULT_NONE) {
		snprintf(j->error, sizeof(j->error), "%s", strerror(-rc));
		return;
	}
	snprintf(j->error, sizeof(j->error), "the database %s: %s (at line "
		 "%u); %s", j->im->s->cfg->db_path,
		 db_fault_words(f, e, why, sizeof(why)), j->r.fault_line,
		 j->r.applied ? "the rows of the chunks committed before "
		 "stay (applied_rows)" : "nothing imported");
}

/* The thread has ended: the job's final state, its file, its audit. */
static void job_done(struct api_task *t)
{
	struct imp_job *j = api_task_data(t);
	int rc = api_task_rc(t);

	j->task = NULL;
	j->finished_ms = clock_now_ms();
	pthread_mutex_lock(&j->mu);
	j->state = rc == -ECANCELED ? JOB_CANCELLED :
		   j->result != JOB_R_NONE ? JOB_DONE : JOB_FAILED;
	if (j->state == JOB_FAILED && !j->error[0])
		job_error(j, t, rc);
	if (j->result == JOB_R_VALID || j->result == JOB_R_INVALID)
		j->validated = true;
	pthread_mutex_unlock(&j->mu);
	if (!j->apply || j->result == JOB_R_INVALID)
		api_audit_as(j->im->s, j->created_by, j->client,
			     "import_checked", "%s job %lld: %s, rows %lu, bad "
			     "%lu", import_kind_name(j->kind), (long long)j->id,
			     job_results[j->result] ? job_results[j->result] :
			     "failed", j->r.rows, j->bad.total);
	if (j->apply || j->state != JOB_DONE)
		job_unlink(j);		/* a validated file waits for apply */
}

static int job_start(struct api_server *s, struct imp_job *j)
{
	struct api_task *t = api_task_new(s, API_TASK_IMPORT, NULL, true,
					  job_work, job_done, j);

	if (!t)
		return -ENOMEM;
	j->task = t;
	j->state = JOB_QUEUED;
	j->started_ms = clock_now_ms();
	if (api_task_start(t) < 0) {
		j->task = NULL;
		return -EBUSY;
	}
	return 0;
}

/* ?skip_bad=true|false|1|0; false after answering 400. */
static bool imports_flag(struct api_req *r, const char *k, bool *out)
{
	const char *v = api_query(r, k);

	if (!v)
		return true;
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else {
		api_error(r, API_E_BAD_REQUEST, "%s: true or false", k);
		return false;
	}
	return true;
}

/* A job for the request's upload; NULL after answering. */
static struct imp_job *imports_job_new(struct api_req *r, int kind, bool apply,
				       bool skip_bad)
{
	struct api_imports *im = r->s->imports;
	struct imp_job *j = talloc_zero(im, struct imp_job);

	if (!j) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&j->mu, NULL);
	j->im = im;
	j->id = im->next_id++;
	j->kind = kind;
	j->apply = apply;
	j->skip_bad = skip_bad;
	j->size = r->len;
	j->created_ms = clock_now_ms();
	j->bad.max = IMPORTS_ISSUES_MAX;
	j->warn.max = IMPORTS_WARNINGS_MAX;
	OSMO_STRLCPY_ARRAY(j->created_by, r->who.name);
	OSMO_STRLCPY_ARRAY(j->client, r->client);
	j->path = talloc_steal(j, r->upload_path);	/* the job's now */
	r->upload_path = NULL;
	close(r->upload_fd);
	r->upload_fd = -1;
	llist_add(&j->list, &im->jobs);
	im->n++;
	return j;
}

/* The answer to a job just started: 202, audited. */
static void imports_started(struct api_req *r, struct imp_job *j)
{
	struct json_w *w = api_json(r);

	api_audit(r, "import_start", "%s job %lld: %s%s%s, %llu octets",
		  import_kind_name(j->kind), (long long)j->id,
		  j->apply ? "apply" : "validate",
		  j->skip_bad ? " skipping bad rows" : "",
		  j->no_notify ? " telling nobody" : "",
		  (unsigned long long)j->size);
	job_json(w, j, true);
	api_reply_json(r, 202, w);
	jobs_trim(r->s->imports);
}

void api_imports_create(struct api_req *r)
{
	const char *kind = api_query(r, "kind"), *mode = api_query(r, "mode");
	int k = import_kind_parse(kind);
	bool skip_bad = false, notify = true;
	struct imp_job *j;

	if (k < 0 || (mode && strcmp(mode, "validate") && strcmp(mode, "apply"))
	    || !imports_flag(r, "skip_bad", &skip_bad) ||
	    !imports_flag(r, "notify", &notify)) {
		if (!r->answered)
			api_error(r, API_E_BAD_REQUEST, "give ?kind=workers, "
				  "institutions, occupations, courses, "
				  "subsidies, certificates or enrolments, and "
				  "mode=validate or apply");
		return;
	}
	if (!r->len || !r->upload_path) {
		api_error(r, API_E_BAD_REQUEST, "the body is the CSV file");
		return;
	}
	if (api_tasks_busy(r->s, API_TASK_IMPORT)) {
		api_error(r, API_E_CONFLICT, "an import is running: one at a "
			  "time");
		return;
	}
	j = imports_job_new(r, k, mode && !strcmp(mode, "apply"), skip_bad);
	if (!j)
		return;
	j->no_notify = !notify;
	if (job_start(r->s, j) < 0) {
		job_free(j);
		api_error(r, API_E_BUSY, "the import could not be started");
		return;
	}
	imports_started(r, j);
}

static struct imp_job *imports_job_of(struct api_req *r)
{
	struct imp_job *j;
	int64_t id;

	if (!api_param_id(r, 0, &id))
		return NULL;
	j = job_find(r->s->imports, id);
	if (!j)
		api_error(r, API_E_NOT_FOUND, "no import %lld (this run of "
			  "the daemon)", (long long)id);
	return j;
}

void api_import_get(struct api_req *r)
{
	struct imp_job *j = imports_job_of(r);
	struct json_w *w;

	if (!j)
		return;
	w = api_json(r);
	job_json(w, j, true);
	api_reply_json(r, 200, w);
}

void api_imports_list(struct api_req *r)
{
	struct api_imports *im = r->s->imports;
	unsigned limit, offset, i = 0;
	struct imp_job *j;
	struct json_w *w;

	if (!api_page(r, &limit, &offset))
		return;
	w = api_json(r);
	api_list_begin(w);
	llist_for_each_entry(j, &im->jobs, list) {
		if (i >= offset && i < offset + limit)
			job_json(w, j, false);
		i++;
	}
	api_list_end(w, im->n, limit, offset);
	api_reply_json(r, 200, w);
}

void api_import_apply(struct api_req *r)
{
	struct imp_job *j = imports_job_of(r);
	bool skip_bad = false, notify = !j || !j->no_notify;

	if (!j || !imports_flag(r, "skip_bad", &skip_bad) ||
	    !imports_flag(r, "notify", &notify))
		return;
	if (j->task || j->apply || !j->validated || !j->path || !*j->path ||
	    (j->result != JOB_R_VALID && !skip_bad)) {
		api_error(r, API_E_CONFLICT, "only a validated file waiting to "
			  "be applied (with bad rows: skip_bad=true)");
		return;
	}
	if (api_tasks_busy(r->s, API_TASK_IMPORT)) {
		api_error(r, API_E_CONFLICT, "an import is running: one at a "
			  "time");
		return;
	}
	j->apply = true;
	j->skip_bad = skip_bad || j->skip_bad;
	j->no_notify = !notify;
	if (job_start(r->s, j) < 0) {
		j->apply = false;
		api_error(r, API_E_BUSY, "the import could not be started");
		return;
	}
	imports_started(r, j);
}

void api_import_delete(struct api_req *r)
{
	struct imp_job *j = imports_job_of(r);

	if (!j)
		return;
	api_audit(r, "import_stop", "%s job %lld: %s",
		  import_kind_name(j->kind), (long long)j->id,
		  j->task ? "stopped" : "forgotten");
	if (j->task) {		/* it stops at its chunk's end */
		api_task_cancel(j->task);
	} else {
		job_free(j);
	}
	api_reply_empty(r, 204);
}
