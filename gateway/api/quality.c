/*
 * quality.c - the figures of training quality for the bureau
 * (handlers/quality/report.h), read in a task thread:
 *
 *   GET /api/v1/quality?by=&institution=&since=
 *       per institution (default), occupation or course of the courses
 *       that ended on or after since: {items, total} (quality_json.h)
 *   GET /api/v1/quality/courses/{code}
 *       one course: check days, trainees never confirmed (masked), the
 *       survey with its comments (names masked), follow-up rounds
 *   GET /api/v1/exports/quality?by=&institution=&since=
 *       the same figures as CSV (UTF-8 with BOM, a Chinese header)
 *
 * Nothing here names a worker in clear: any role may read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>

#include "api_priv.h"
#include "gateway/api/json.h"
#include "gateway/api/quality_json.h"
#include "gateway/text/fmt.h"
#include "handlers/quality/report.h"

#define QUALITY_API_ROWS_MAX	5000
#define QUALITY_API_CODE_MAX	16

struct quality_q {
	struct api_server *s;
	struct quality_filter f;
	char since[FMT_ISO_DATE];
	char inst[QUALITY_API_CODE_MAX + 1];
	char code[QUALITY_API_CODE_MAX + 1];
	struct quality_row *rows;		/* the task's memory */
	unsigned n;
	struct quality_course *course;
	int fd;
	unsigned long csv_rows;
};

static void quality_start(struct api_req *r, struct quality_q *q,
			  api_task_work work, api_task_done done)
{
	struct api_task *t = api_task_new(r->s, API_TASK_READ, r, true, work,
					  done, q);

	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}

/* ?by=, ?institution=, ?since=; NULL after answering 400. */
static struct quality_q *quality_args(struct api_req *r)
{
	struct quality_q *q = talloc_zero(r, struct quality_q);
	const char *by = api_query(r, "by"), *inst = api_query(r, "institution");
	const char *since = api_query(r, "since");

	if (!q) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return NULL;
	}
	q->s = r->s;
	q->fd = -1;
	if (by && (int)(q->f.by = quality_by_parse(by)) < 0) {
		api_error(r, API_E_BAD_REQUEST, "by: institution, occupation "
			  "or course");
		return NULL;
	}
	if (since && fmt_date_parse(since, q->since) < 0) {
		api_error(r, API_E_BAD_REQUEST, "since: a date, 2026-12-01");
		return NULL;
	}
	if (inst && (!*inst || strlen(inst) > QUALITY_API_CODE_MAX)) {
		api_error(r, API_E_BAD_REQUEST, "institution: an institution's "
			  "code");
		return NULL;
	}
	q->f.since = since ? q->since : NULL;
	q->f.institution = inst ? strcpy(q->inst, inst) : NULL;
	return q;
}

/* ---- per group -------------------------------------------------------------- */

static int quality_rows_work(struct api_task *t, struct db *db)
{
	struct quality_q *q = api_task_data(t);

	q->rows = talloc_array(api_task_mem(t), struct quality_row,
			       QUALITY_API_ROWS_MAX);
	if (!q->rows)
		return -ENOMEM;
	return quality_report(db, &q->f, q->rows, QUALITY_API_ROWS_MAX, &q->n);
}

static void quality_rows_done(struct api_task *t)
{
	struct quality_q *q = api_task_data(t);
	struct api_req *r = api_task_answerable(t, "the figures");
	struct json_w *w;

	if (!r)
		return;
	w = api_json(r);
	quality_json_rows(w, q->rows, q->n);
	api_reply_json(r, 200, w);
}

void api_quality_report(struct api_req *r)
{
	struct quality_q *q = quality_args(r);

	if (q)
		quality_start(r, q, quality_rows_work, quality_rows_done);
}

/* ---- one course ------------------------------------------------------------- */

static int quality_course_work(struct api_task *t, struct db *db)
{
	struct quality_q *q = api_task_data(t);

	return quality_course_get(db, api_task_mem(t), q->code, &q->course);
}

static void quality_course_done(struct api_task *t)
{
	struct quality_q *q = api_task_data(t);
	struct api_req *r = api_task_req(t);
	struct json_w *w;

	if (r && api_task_rc(t) == -ENOENT) {
		api_error(r, API_E_NOT_FOUND, "no course %s", q->code);
		return;
	}
	r = api_task_answerable(t, "the course's figures");
	if (!r)
		return;
	w = api_json(r);
	quality_json_course(w, q->course);
	api_reply_json(r, 200, w);
}

void api_quality_course(struct api_req *r)
{
	struct quality_q *q = talloc_zero(r, struct quality_q);
	const char *code = r->param[0];

	if (!q) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	if (!code || !*code || strlen(code) > QUALITY_API_CODE_MAX ||
	    code[strspn(code, "0123456789")]) {
		api_error(r, API_E_NOT_FOUND, "no such course");
		return;
	}
	strcpy(q->code, code);
	quality_start(r, q, quality_course_work, quality_course_done);
}

/* ---- CSV -------------------------------------------------------------------- */

static int quality_csv_work(struct api_task *t, struct db *db)
{
	struct quality_q *q = api_task_data(t);
	FILE *f;
	int rc;

	q->fd = api_tmpfile(q->s, api_task_mem(t), "export");
	if (q->fd < 0 || !(f = fdopen(dup(q->fd), "w")))
		return -EIO;
	rc = quality_report_csv(db, &q->f, f, &q->csv_rows);
	if (fclose(f) && !rc)
		rc = -EIO;
	return rc;
}

static void quality_csv_done(struct api_task *t)
{
	struct quality_q *q = api_task_data(t);
	struct api_req *r = api_task_req(t);
	off_t size = q->fd >= 0 ? lseek(q->fd, 0, SEEK_END) : -1;
	char name[64];

	if (!r || api_task_rc(t) < 0 || size < 0) {
		if (r)
			api_error(r, API_E_STORAGE, "the figures could not be "
				  "written");
		if (q->fd >= 0)
			close(q->fd);
		return;
	}
	lseek(q->fd, 0, SEEK_SET);
	snprintf(name, sizeof(name), "quality-%s-%s.csv",
		 quality_by_str(q->f.by), q->f.since ? q->f.since : "all");
	api_reply_fd(r, q->fd, size, "text/csv; charset=utf-8", name);
}

void api_quality_export(struct api_req *r)
{
	struct quality_q *q = quality_args(r);

	if (q)
		quality_start(r, q, quality_csv_work, quality_csv_done);
}
