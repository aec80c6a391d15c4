/*
 * api_priv.h - what the files of the API share (private; the public
 * interface is include/gateway/api/api.h).
 *
 * server.c   the listener, the routing table, a request's life (body,
 *            authentication, CSRF, answers, waiting for the commit)
 * auth.c     sessions, cookies, CSRF tokens, lock-outs, bearer tokens,
 *            /api/v1/session
 * task.c     worker threads with their own database connection
 * static.c   the console's files and openapi.json
 * one file per resource: status.c, messages.c, campaigns.c, imports.c,
 * exports.c, workers.c, metrics.c, admin.c (users, tokens, audit),
 * notify.c, quality.c (with quality_json.c, shared with skillctl)
 *
 * A handler gets a request whose route, credentials, role, CSRF token and
 * body (parsed JSON, or the uploaded file) were checked, and answers it
 * exactly once with api_reply_*() or api_error(), at once or later: after
 * the group commit (api_reply_after_commit()) or when a worker thread is
 * done. Meanwhile the connection is suspended and the loop goes on.
 */
#ifndef SGW_API_PRIV_H
#define SGW_API_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <osmocom/core/linuxlist.h>

#include "gateway/api/accounts.h"
#include "gateway/api/api.h"
#include "gateway/api/json.h"
#include "gateway/db_fault.h"
#include "gateway/httpd.h"

#define API_PARAMS_MAX		2	/* {id} segments of a path */
#define API_LIST_DEFAULT	50
#define API_LIST_MAX		500
#define API_WHY_MAX		320	/* a reason in an error message */

struct api_req;
struct api_server;
struct api_sessions;
struct api_tasks;
struct api_imports;
struct dom;
struct audit;
struct mtq_reader;
struct notice_db;

enum api_err {
	API_E_BAD_REQUEST,	/* 400 */
	API_E_UNAUTHORIZED,	/* 401 */
	API_E_FORBIDDEN,	/* 403 */
	API_E_CSRF,		/* 403 */
	API_E_NOT_FOUND,	/* 404 */
	API_E_METHOD,		/* 405 */
	API_E_CONFLICT,		/* 409 */
	API_E_TOO_LARGE,	/* 413 */
	API_E_MEDIA,		/* 415 */
	API_E_LOCKED,		/* 429 */
	API_E_BUSY,		/* 503: too much slow work at once */
	API_E_STORAGE,		/* 503: the database did not take it */
	API_E_INTERNAL,		/* 500 */
	API_E_NUM
};

/* ---- routes ---- */

#define API_F_WRITE	0x01	/* state-changing: audited */
#define API_F_JSON	0x02	/* a JSON body (required) */
#define API_F_UPLOAD	0x04	/* the body is a file (imports) */
#define API_F_PUBLIC	0x08	/* no credentials needed */
#define API_F_LOOPBACK	0x10	/* a loopback client needs none */
#define API_F_PREFIX	0x20	/* the pattern is a prefix (static files) */

typedef void (*api_handler)(struct api_req *r);

struct api_route {
	const char *method;		/* "GET" ... */
	const char *pattern;		/* "/api/v1/campaigns/{id}/start" */
	enum acct_role role;		/* the least role */
	unsigned flags;
	api_handler fn;
};

/* ---- who asks ---- */

enum api_via {
	API_VIA_NONE,
	API_VIA_SESSION,	/* the console's cookie */
	API_VIA_TOKEN,		/* Authorization: Bearer */
	API_VIA_LOOPBACK,	/* /metrics from the host itself */
};

struct api_session;

struct api_who {
	enum api_via via;
	char name[ACCT_TOKEN_NAME_MAX + 8];	/* account, or token:NAME */
	enum acct_role role;
	int64_t account_id;			/* sessions */
	struct api_session *session;
};

/* ---- one request ---- */

struct api_req {
	struct api_server *s;
	struct MHD_Connection *conn;
	struct httpd_wait wait;
	const struct api_route *route;
	const char *method;
	char *path;
	char *param[API_PARAMS_MAX];
	char client[HTTPD_ADDR_MAX];
	bool loopback;
	struct api_who who;
	/* the body */
	size_t limit, len;
	char *body;			/* JSON bodies */
	int upload_fd;			/* uploads, -1: none */
	char *upload_path;
	struct json_val *json;
	/* a refusal found before the body was in */
	enum api_err early;
	bool has_early;
	char *early_msg;
	/* the answer */
	bool started;			/* the handler ran */
	bool answered;
	struct MHD_Response *resp;
	unsigned status;
	bool suspended;
	unsigned holds;			/* commit hooks, tasks waiting */
	bool gone;			/* MHD closed it meanwhile */
	struct json_w *pending;		/* api_reply_after_commit() */
	unsigned pending_status;
	const char *set_cookie;
	unsigned retry_after;		/* 429: seconds */
	/* a 503 storage says why: the fault a task's thread met, else the
	 * one the loop's thread noted since the request came */
	unsigned long fault_seq;	/* db_fault_seq() then */
	enum db_fault fault;		/* a task's, DB_FAULT_NONE: none */
	int fault_errno;
};

/* ---- the server ---- */

struct api_server {
	const struct config *cfg;
	struct api_params p;
	struct httpd *d;
	bool tls;
	struct acct_store *accts;
	struct audit *audit;
	struct dom *dom;
	struct mtq_reader *mtq;		/* one message at a time */
	struct notice_db *nd;		/* campaigns' list and moves */
	struct api_sessions *sessions;
	struct api_tasks *tasks;
	struct api_imports *imports;
	char console_real[4096];	/* realpath of api.console_dir, "" */
	unsigned hooks;			/* commit hooks pending */
};

/* ---- answering (server.c) ---- */

void api_reply(struct api_req *r, unsigned status, struct MHD_Response *resp);
void api_reply_json(struct api_req *r, unsigned status, struct json_w *w);
void api_reply_empty(struct api_req *r, unsigned status);
/* The headers every answer carries: Cache-Control: no-store, nosniff,
 * the request's Set-Cookie, HSTS under TLS. */
void api_headers(struct api_req *r, struct MHD_Response *resp);
/* A response of text (copied) with the usual headers. */
struct MHD_Response *api_text_response(struct api_req *r, const char *text,
				       const char *type);
void api_error(struct api_req *r, enum api_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A file (its fd is taken and closed with the answer) as an attachment. */
void api_reply_fd(struct api_req *r, int fd, uint64_t size,
		  const char *type, const char *filename);
/* A new JSON writer under the request. */
struct json_w *api_json(struct api_req *r);
/* Answer w (NULL: no body) with status once the group commit kept what the
 * handler wrote; 503 storage when it did not. */
void api_reply_after_commit(struct api_req *r, unsigned status,
			    struct json_w *w);
/* Keep r alive while a task works for it (api_release() afterwards). */
void api_hold(struct api_req *r);
/* Drop a hold; frees r when MHD has closed it and nothing else holds it.
 * true when r is gone (do not answer). */
bool api_release(struct api_req *r);

/* ?name= of the request, or NULL. */
const char *api_query(struct api_req *r, const char *name);
/* ?limit= and ?offset=; false after answering 400. */
bool api_page(struct api_req *r, unsigned *limit, unsigned *offset);
/* The list envelope: {"items":[ ... opened; api_list_end() closes it with
 * total, limit and offset. */
void api_list_begin(struct json_w *w);
void api_list_end(struct json_w *w, unsigned long total, unsigned limit,
		  unsigned offset);
/* A path parameter as a positive integer; false after answering 404. */
bool api_param_id(struct api_req *r, unsigned i, int64_t *id);
/* A domain module's reason, with skillctl's option names ("--region:")
 * made the API's member names ("region:"). */
void api_why_names(char *why);

/* An unnamed temporary file beside the database (personal data: 0600,
 * unlinked at once); thread-safe when mem is the thread's. fd or -1. */
int api_tmpfile(const struct api_server *s, void *mem, const char *what);

/* The audit row of a state-changing call: actor who, detail "from
 * ADDRESS: ..." (printf). In the caller's unit of work. 0 or -EIO. */
int api_audit(struct api_req *r, const char *action, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Audit outside a request (an import job's end). */
int api_audit_as(struct api_server *s, const char *actor, const char *client,
		 const char *action, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* ---- authentication (auth.c) ---- */

struct api_sessions *api_sessions_new(struct api_server *s);
void api_sessions_free(struct api_sessions *ss);
/* Who sent r (cookie, bearer token, loopback). 0 with r->who set (via
 * NONE when there are no credentials), or an api_err to answer. */
int api_authenticate(struct api_req *r, char *why, size_t cap);
/* The session's CSRF token matches the request's X-CSRF-Token? */
bool api_csrf_ok(struct api_req *r);

void api_session_login(struct api_req *r);	/* POST /api/v1/session */
void api_session_get(struct api_req *r);	/* GET */
void api_session_logout(struct api_req *r);	/* DELETE */
/* End every session of an account (disabled, password changed). */
void api_sessions_end_account(struct api_server *s, int64_t account_id);

/* ---- worker threads (task.c) ---- */

enum api_task_class {
	API_TASK_HASH,		/* password hashing: 2 at a time */
	API_TASK_READ,		/* reads, exports, reports: 2 at a time */
	API_TASK_IMPORT,	/* one import at a time */
	API_TASK_NUM_CLASSES
};

struct api_task;
struct db;

/* In the worker thread: only t's own memory (api_task_mem()) and, when
 * asked for, its own database connection. Returns what done() sees in
 * api_task_rc(). */
typedef int (*api_task_work)(struct api_task *t, struct db *db);
/* In the loop, after the thread ended. */
typedef void (*api_task_done)(struct api_task *t);

struct api_tasks *api_tasks_new(struct api_server *s);
/* Stop: cancel what runs (api_task_cancelled() turns true), join every
 * thread, run no done() callbacks for requests that are gone. */
void api_tasks_free(struct api_tasks *ts);

/* A task for request r (may be NULL), which it holds until done() has
 * run. data: the caller's (under the task's memory or the loop's, read
 * by the thread only while it runs). with_db: open a connection. */
struct api_task *api_task_new(struct api_server *s, enum api_task_class c,
			      struct api_req *r, bool with_db,
			      api_task_work work, api_task_done done,
			      void *data);
/* Start it or queue it; -EBUSY (the task is freed) when its class is full:
 * answer 503 busy. */
int api_task_start(struct api_task *t);
void *api_task_mem(struct api_task *t);		/* thread-owned talloc */
struct api_server *api_task_server(struct api_task *t);
void *api_task_data(struct api_task *t);
struct api_req *api_task_req(struct api_task *t);	/* NULL if gone */
int api_task_rc(struct api_task *t);
/* The storage fault the task's thread met (DB_FAULT_NONE: none); a 503
 * storage answer to its request says it by itself. */
enum db_fault api_task_fault(const struct api_task *t, int *sys_errno);
/* A finished read: its request, or NULL when it is gone or the read failed
 * (then answered "WHAT could not be read", API_E_STORAGE). */
struct api_req *api_task_answerable(struct api_task *t, const char *what);
bool api_task_cancelled(struct api_task *t);
void api_task_cancel(struct api_task *t);
/* Running + waiting tasks of a class. */
unsigned api_tasks_busy(struct api_server *s, enum api_task_class c);

/* ---- files (static.c) ---- */

void api_static_init(struct api_server *s);
void api_static(struct api_req *r);		/* GET of a console file */
void api_openapi(struct api_req *r);		/* GET /api/v1/openapi.json */

/* ---- resources ---- */

void api_status(struct api_req *r);
void api_notify_days(struct api_req *r);	/* notify.c */
void api_notify_list(struct api_req *r);
void api_quality_report(struct api_req *r);	/* quality.c */
void api_quality_course(struct api_req *r);
void api_quality_export(struct api_req *r);
void api_metrics(struct api_req *r);
void api_messages_send(struct api_req *r);
void api_messages_list(struct api_req *r);
void api_message_get(struct api_req *r);
void api_campaigns_preview(struct api_req *r);
void api_campaigns_create(struct api_req *r);
void api_campaigns_list(struct api_req *r);
void api_campaign_get(struct api_req *r);
void api_campaign_preview(struct api_req *r);
void api_campaign_move(struct api_req *r);
void api_campaign_report(struct api_req *r);
void api_imports_create(struct api_req *r);
void api_imports_list(struct api_req *r);
void api_import_get(struct api_req *r);
void api_import_apply(struct api_req *r);
void api_import_delete(struct api_req *r);
struct api_imports *api_imports_new(struct api_server *s);
void api_imports_free(struct api_imports *im);
void api_export_enrolments(struct api_req *r);
void api_workers_find(struct api_req *r);
void api_worker_get(struct api_req *r);
void api_subsidy_get(struct api_req *r);
void api_subsidy_patch(struct api_req *r);
void api_users_list(struct api_req *r);
void api_users_add(struct api_req *r);
void api_user_patch(struct api_req *r);
void api_tokens_list(struct api_req *r);
void api_tokens_add(struct api_req *r);
void api_token_revoke(struct api_req *r);
void api_audit_list(struct api_req *r);

#endif
