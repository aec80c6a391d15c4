/*
 * exports.c - GET /api/v1/exports/enrolments?since=YYYY-MM-DD: the
 * enrolments for the back office as CSV, the file of skillctl export
 * (handlers/data/export.c: UTF-8 with BOM, Chinese header, the import
 * takes it back).
 *
 * It walks every enrolment: a worker thread writes it with its own
 * connection into an unnamed temporary file beside the database (names
 * and ID numbers: mode 0600, unlinked at once), which is then sent from
 * the file. The export is audited with the account and the address.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/text/fmt.h"
#include "handlers/data/export.h"

struct export_job {
	struct api_server *s;
	char since[FMT_ISO_DATE];
	bool has_since;
	int fd;
	unsigned long rows;
};

static int export_work(struct api_task *t, struct db *db)
{
	struct export_job *j = api_task_data(t);
	FILE *f;
	int rc;

	j->fd = api_tmpfile(j->s, api_task_mem(t), "export");
	if (j->fd < 0 || !(f = fdopen(dup(j->fd), "w")))
		return -EIO;
	rc = export_enrolments(db, f, j->has_since ? j->since : NULL,
			       j->s->cfg->country_code, &j->rows);
	if (fclose(f) && !rc)
		rc = -EIO;
	return rc;
}

static void export_done(struct api_task *t)
{
	struct export_job *j = api_task_data(t);
	struct api_req *r = api_task_req(t);
	off_t size = j->fd >= 0 ? lseek(j->fd, 0, SEEK_END) : -1;
	char name[48];

	if (!r || api_task_rc(t) < 0 || size < 0) {
		if (r)
			api_error(r, API_E_STORAGE, "the export could not be "
				  "written");
		if (j->fd >= 0)
			close(j->fd);
		return;
	}
	api_audit(r, "export", "%lu enrolments since %s", j->rows,
		  j->has_since ? j->since : "the start");
	lseek(j->fd, 0, SEEK_SET);
	snprintf(name, sizeof(name), "enrolments-%s.csv",
		 j->has_since ? j->since : "all");
	api_reply_fd(r, j->fd, size, "text/csv; charset=utf-8", name);
}

void api_export_enrolments(struct api_req *r)
{
	struct export_job *j = talloc_zero(r, struct export_job);
	const char *since = api_query(r, "since");
	struct api_task *t;

	if (!j) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	j->s = r->s;
	j->fd = -1;
	if (since && fmt_date_parse(since, j->since) < 0) {
		api_error(r, API_E_BAD_REQUEST, "since: '%.20s' is not a date "
			  "(write 2026-12-01)", since);
		return;
	}
	j->has_since = since != NULL;
	t = api_task_new(r->s, API_TASK_READ, r, true, export_work,
			 export_done, j);
	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}
