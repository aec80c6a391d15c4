/*
 * server.c - the API's listener: the routing table and the life of a
 * request (see api_priv.h for the parts).
 *
 * MHD calls api_access() first with the headers only: the route is looked
 * up (404, 405), the credentials checked (401), the role (403), the CSRF
 * token of a cookie request that changes something (403 csrf), the
 * announced length (413) and the content type of a JSON body (415). A
 * refusal is remembered and answered once the body is in (read and
 * dropped, up to a bound: past it the connection is closed), as MHD
 * wants. Then once per piece of body: kept (JSON, at most api.max_body)
 * or written to a private temporary file beside the database (uploads, at
 * most api.max_upload). At the end the body is parsed and the handler
 * runs; if it does not answer at once the connection is suspended until
 * it does (after the group commit, or when a worker thread is done).
 *
 * Answers carry Cache-Control: no-store and X-Content-Type-Options:
 * nosniff; errors are {"error":{"code":"...","message":"..."}}.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq_read.h"
#include "handlers/domain/audit.h"
#include "handlers/domain/domain.h"
#include "handlers/notice/notice.h"

#define API_TIMEOUT_S		60	/* an idle connection */
#define API_DISCARD_MAX		(8u * 1024 * 1024)	/* body read after a refusal */
#define API_JSON_TYPE		"application/json"
#define API_MSG_MAX		512

/* The routes: the first whose method and pattern match. */
static const struct api_route api_routes[] = {
	{ "GET", "/api/v1/openapi.json", ACCT_VIEWER, API_F_PUBLIC, api_openapi },
	{ "POST", "/api/v1/session", ACCT_VIEWER,
	  API_F_PUBLIC | API_F_JSON | API_F_WRITE, api_session_login },
	{ "GET", "/api/v1/session", ACCT_VIEWER, 0, api_session_get },
	{ "DELETE", "/api/v1/session", ACCT_VIEWER, API_F_WRITE,
	  api_session_logout },
	{ "GET", "/api/v1/status", ACCT_VIEWER, 0, api_status },
	{ "POST", "/api/v1/messages", ACCT_OPERATOR, API_F_JSON | API_F_WRITE,
	  api_messages_send },
	{ "GET", "/api/v1/messages", ACCT_VIEWER, 0, api_messages_list },
	{ "GET", "/api/v1/messages/{id}", ACCT_VIEWER, 0, api_message_get },
	{ "POST", "/api/v1/campaigns/preview", ACCT_OPERATOR, API_F_JSON,
	  api_campaigns_preview },
	{ "POST", "/api/v1/campaigns", ACCT_OPERATOR, API_F_JSON | API_F_WRITE,
	  api_campaigns_create },
	{ "GET", "/api/v1/campaigns", ACCT_VIEWER, 0, api_campaigns_list },
	{ "GET", "/api/v1/campaigns/{id}", ACCT_VIEWER, 0, api_campaign_get },
	{ "GET", "/api/v1/campaigns/{id}/preview", ACCT_VIEWER, 0,
	  api_campaign_preview },
	{ "POST", "/api/v1/campaigns/{id}/{move}", ACCT_OPERATOR, API_F_WRITE,
	  api_campaign_move },
	{ "GET", "/api/v1/campaigns/{id}/report", ACCT_OPERATOR, 0,
	  api_campaign_report },
	{ "POST", "/api/v1/imports", ACCT_OPERATOR, API_F_UPLOAD | API_F_WRITE,
	  api_imports_create },
	{ "GET", "/api/v1/imports", ACCT_OPERATOR, 0, api_imports_list },
	{ "GET", "/api/v1/imports/{id}", ACCT_OPERATOR, 0, api_import_get },
	{ "DELETE", "/api/v1/imports/{id}", ACCT_OPERATOR, API_F_WRITE,
	  api_import_delete },
	{ "POST", "/api/v1/imports/{id}/apply", ACCT_OPERATOR, API_F_WRITE,
	  api_import_apply },
	{ "GET", "/api/v1/exports/enrolments", ACCT_OPERATOR, 0,
	  api_export_enrolments },
	{ "GET", "/api/v1/workers", ACCT_VIEWER, 0, api_workers_find },
	{ "GET", "/api/v1/workers/{id}", ACCT_VIEWER, 0, api_worker_get },
	{ "GET", "/api/v1/subsidies/{ref}", ACCT_VIEWER, 0, api_subsidy_get },
	{ "PATCH", "/api/v1/subsidies/{ref}", ACCT_OPERATOR,
	  API_F_JSON | API_F_WRITE, api_subsidy_patch },
	{ "GET", "/api/v1/notifications", ACCT_VIEWER, 0, api_notify_list },
	{ "GET", "/api/v1/notifications/days", ACCT_VIEWER, 0,
	  api_notify_days },
	{ "GET", "/api/v1/quality", ACCT_VIEWER, 0, api_quality_report },
	{ "GET", "/api/v1/quality/courses/{code}", ACCT_VIEWER, 0,
	  api_quality_course },
	{ "GET", "/api/v1/exports/quality", ACCT_VIEWER, 0,
	  api_quality_export },
	{ "GET", "/api/v1/admin/users", ACCT_ADMIN, 0, api_users_list },
	{ "POST", "/api/v1/admin/users", ACCT_ADMIN, API_F_JSON | API_F_WRITE,
	  api_users_add },
	{ "PATCH", "/api/v1/admin/users/{name}", ACCT_ADMIN,
	  API_F_JSON | API_F_WRITE, api_user_patch },
	{ "GET", "/api/v1/admin/tokens", ACCT_ADMIN, 0, api_tokens_list },
	{ "POST", "/api/v1/admin/tokens", ACCT_ADMIN, API_F_JSON | API_F_WRITE,
	  api_tokens_add },
	{ "DELETE", "/api/v1/admin/tokens/{id}", ACCT_ADMIN, API_F_WRITE,
	  api_token_revoke },
	{ "GET", "/api/v1/admin/audit", ACCT_ADMIN, 0, api_audit_list },
	{ "GET", "/metrics", ACCT_VIEWER, API_F_LOOPBACK, api_metrics },
	/* last: the console's files */
	{ "GET", "/", ACCT_VIEWER, API_F_PUBLIC | API_F_PREFIX, api_static },
};

static const struct {
	unsigned status;
	const char *code;
} api_errs[API_E_NUM] = {
	[API_E_BAD_REQUEST] = { 400, "bad_request" },
	[API_E_UNAUTHORIZED] = { 401, "unauthorized" },
	[API_E_FORBIDDEN] = { 403, "forbidden" },
	[API_E_CSRF] = { 403, "csrf" },
	[API_E_NOT_FOUND] = { 404, "not_found" },
	[API_E_METHOD] = { 405, "method_not_allowed" },
	[API_E_CONFLICT] = { 409, "conflict" },
	[API_E_TOO_LARGE] = { 413, "too_large" },
	[API_E_MEDIA] = { 415, "unsupported_media_type" },
	[API_E_LOCKED] = { 429, "locked" },
	[API_E_BUSY] = { 503, "busy" },
	[API_E_STORAGE] = { 503, "storage" },
	[API_E_INTERNAL] = { 500, "internal" },
};

/* ---- routing ------------------------------------------------------------ */

/* Does path match pattern? Its {x} segments go to r->param (when r). */
static bool api_match(const char *pattern, const char *path,
		      struct api_req *r)
{
	unsigned n = 0;

	while (*pattern && *path) {
		size_t lp = strcspn(pattern, "/"), ls = strcspn(path, "/");

		if (pattern[0] == '{' && ls && n < API_PARAMS_MAX) {
			if (r)
				r->param[n] = talloc_strndup(r, path, ls);
			n++;
		} else if (lp != ls || strncmp(pattern, path, lp)) {
			return false;
		}
		pattern += lp;
		path += ls;
		if (*pattern != *path)
			return false;
		if (*pattern) {
			pattern++;
			path++;
		}
	}
	return !*pattern && !*path;
}

/* The route of r; NULL with *method_mismatch when only the method differs. */
static const struct api_route *api_route_find(struct api_req *r,
					      bool *method_mismatch)
{
	unsigned i;

	*method_mismatch = false;
	for (i = 0; i < ARRAY_SIZE(api_routes); i++) {
		const struct api_route *rt = &api_routes[i];
		bool hit = rt->flags & API_F_PREFIX ?
			   strncmp(r->path, "/api/", 5) != 0 :
			   api_match(rt->pattern, r->path, NULL);

		if (!hit)
			continue;
		if (!strcmp(rt->method, r->method) ||
		    (!strcmp(rt->method, "GET") && !strcmp(r->method, "HEAD"))) {
			if (!(rt->flags & API_F_PREFIX))
				api_match(rt->pattern, r->path, r);
			return rt;
		}
		*method_mismatch = true;
	}
	return NULL;
}

/* The methods of the routes of path, for Allow. */
static void api_allow(struct api_req *r, struct MHD_Response *resp)
{
	char allow[64] = "";
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(api_routes); i++)
		if (!(api_routes[i].flags & API_F_PREFIX) &&
		    api_match(api_routes[i].pattern, r->path, NULL) &&
		    strlen(allow) + strlen(api_routes[i].method) + 3 <
		    sizeof(allow))
			snprintf(allow + strlen(allow), sizeof(allow) -
				 strlen(allow), "%s%s", *allow ? ", " : "",
				 api_routes[i].method);
	if (!*allow)
		snprintf(allow, sizeof(allow), "GET, HEAD");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
}

/* ---- answering ---------------------------------------------------------- */

void api_headers(struct api_req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (r->set_cookie)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
					r->set_cookie);
	if (r->s->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000");
}

void api_reply(struct api_req *r, unsigned status, struct MHD_Response *resp)
{
	if (r->answered || r->gone || !resp) {
		if (resp)
			MHD_destroy_response(resp);
		return;
	}
	r->answered = true;
	r->status = status;
	r->resp = resp;
	if (!r->s->d)
		return;
	httpd_resume(r->s->d, &r->wait);	/* nothing when not suspended */
}

struct json_w *api_json(struct api_req *r)
{
	return json_w_new(r, 0);
}

void api_reply_json(struct api_req *r, unsigned status, struct json_w *w)
{
	struct MHD_Response *resp;

	if (!w || json_w_failed(w)) {
		api_error(r, API_E_INTERNAL, "the answer could not be written");
		return;
	}
	resp = MHD_create_response_from_buffer(json_w_len(w),
		(void *)json_w_text(w), MHD_RESPMEM_MUST_COPY);
	if (resp) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					API_JSON_TYPE "; charset=utf-8");
		api_headers(r, resp);
	}
	api_reply(r, status, resp);
}

struct MHD_Response *api_text_response(struct api_req *r, const char *text,
				       const char *type)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);

	if (resp) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					type);
		api_headers(r, resp);
	}
	return resp;
}

void api_reply_empty(struct api_req *r, unsigned status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL,
		MHD_RESPMEM_PERSISTENT);

	if (resp)
		api_headers(r, resp);
	api_reply(r, status, resp);
}

/* A storage error's cause (a task's, or the loop's since the request
 * came), appended to msg in words; DB_FAULT_NONE if none is known. */
static enum db_fault api_error_cause(struct api_req *r, char *msg,
				     size_t cap)
{
	char why[128];
	size_t n = strlen(msg);
	int e = r->fault_errno;
	enum db_fault f = r->fault;

	if (f == DB_FAULT_NONE)
		f = db_fault_last_at(r->fault_seq, &e,
				     r->s->cfg->db_path);
	if (f != DB_FAULT_NONE && n < cap)
		snprintf(msg + n, cap - n, ": the database %s: %s",
			 r->s->cfg->db_path, db_fault_words(f, e, why,
							    sizeof(why)));
	return f;
}

void api_error(struct api_req *r, enum api_err e, const char *fmt, ...)
{
	char msg[API_MSG_MAX];
	struct json_w *w = api_json(r);
	struct MHD_Response *resp;
	enum db_fault f = DB_FAULT_NONE;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e == API_E_STORAGE)
		f = api_error_cause(r, msg, sizeof(msg));
	json_obj(w);
	json_key(w, "error");
	json_obj(w);
	json_kstr(w, "code", api_errs[e].code);
	json_kstr(w, "message", msg);
	if (f != DB_FAULT_NONE)
		json_kstr(w, "cause", db_fault_name(f));
	json_end(w);
	json_end(w);
	resp = MHD_create_response_from_buffer(json_w_len(w),
		(void *)json_w_text(w), MHD_RESPMEM_MUST_COPY);
	if (resp) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					API_JSON_TYPE "; charset=utf-8");
		api_headers(r, resp);
		if (e == API_E_METHOD)
			api_allow(r, resp);
		if (e == API_E_UNAUTHORIZED)
			MHD_add_response_header(resp,
				MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				"Bearer realm=\"skillgw\"");
		if (e == API_E_LOCKED && r->retry_after)
			MHD_add_response_header(resp,
				MHD_HTTP_HEADER_RETRY_AFTER,
				talloc_asprintf(r, "%u", r->retry_after));
	}
	api_reply(r, api_errs[e].status, resp);
}

void api_reply_fd(struct api_req *r, int fd, uint64_t size,
		  const char *type, const char *filename)
{
	struct MHD_Response *resp = MHD_create_response_from_fd64(size, fd);
	char disp[160];

	if (!resp) {
		close(fd);
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
				disp);
	api_headers(r, resp);
	api_reply(r, 200, resp);
}

/* ---- waiting ------------------------------------------------------------ */

void api_hold(struct api_req *r)
{
	r->holds++;
}

static void api_req_free(struct api_req *r);

bool api_release(struct api_req *r)
{
	OSMO_ASSERT(r->holds > 0);
	if (--r->holds || !r->gone)
		return r->gone;
	api_req_free(r);
	return true;
}

static void api_commit_cb(void *data, int rc)
{
	struct api_req *r = data;

	r->s->hooks--;
	if (rc == 0 && !r->pending)
		api_reply_empty(r, r->pending_status);
	else if (rc == 0)
		api_reply_json(r, r->pending_status, r->pending);
	else
		api_error(r, API_E_STORAGE, "the database did not keep it: %s",
			  strerror(-rc));
	api_release(r);
}

void api_reply_after_commit(struct api_req *r, unsigned status,
			    struct json_w *w)
{
	r->pending = w;
	r->pending_status = status;
	api_hold(r);
	if (db_after_commit(r->s->p.db, api_commit_cb, r) < 0) {
		api_release(r);
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	r->s->hooks++;
}

/* ---- small helpers for handlers ----------------------------------------- */

const char *api_query(struct api_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

static bool api_uint(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > max)
		return false;
	*out = v;
	return true;
}

bool api_page(struct api_req *r, unsigned *limit, unsigned *offset)
{
	const char *l = api_query(r, "limit"), *o = api_query(r, "offset");

	*limit = API_LIST_DEFAULT;
	*offset = 0;
	if ((l && (!api_uint(l, API_LIST_MAX, limit) || !*limit)) ||
	    (o && !api_uint(o, INT_MAX, offset))) {
		api_error(r, API_E_BAD_REQUEST, "limit: 1..%d, offset: 0 or "
			  "more", API_LIST_MAX);
		return false;
	}
	return true;
}

void api_list_begin(struct json_w *w)
{
	json_obj(w);
	json_key(w, "items");
	json_arr(w);
}

void api_list_end(struct json_w *w, unsigned long total, unsigned limit,
		  unsigned offset)
{
	json_end(w);
	json_kint(w, "total", total);
	json_kint(w, "limit", limit);
	json_kint(w, "offset", offset);
	json_end(w);
}

bool api_param_id(struct api_req *r, unsigned i, int64_t *id)
{
	char *end;
	const char *s = r->param[i];
	long long v = s && *s >= '1' && *s <= '9' ? strtoll(s, &end, 10) : 0;

	if (v <= 0 || *end) {
		api_error(r, API_E_NOT_FOUND, "no such object: '%.40s'",
			  s ? s : "");
		return false;
	}
	*id = v;
	return true;
}

void api_why_names(char *why)
{
	size_t n;
	char *p;

	if (strncmp(why, "--", 2))
		return;
	memmove(why, why + 2, strlen(why + 2) + 1);
	n = strcspn(why, ": ");
	for (p = why; p < why + n; p++)
		if (*p == '-')
			*p = '_';
}

int api_audit_as(struct api_server *s, const char *actor, const char *client,
		 const char *action, const char *fmt, ...)
{
	char detail[API_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return audit_log(s->audit, clock_now_ms(), actor, action,
			 "from %s: %s", client, detail);
}

int api_audit(struct api_req *r, const char *action, const char *fmt, ...)
{
	char detail[API_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return api_audit_as(r->s, *r->who.name ? r->who.name : "-", r->client,
			    action, "%s", detail);
}

int api_tmpfile(const struct api_server *s, void *mem, const char *what)
{
	const char *db = s->cfg->db_path, *slash = strrchr(db, '/');
	char *path = talloc_asprintf(mem, "%.*s/.skillgw-%s-XXXXXX",
				     slash ? (int)(slash - db) : 1,
				     slash ? db : ".", what);
	int fd = path ? mkstemp(path) : -1;

	if (fd >= 0) {
		unlink(path);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	talloc_free(path);
	return fd;
}

/* ---- a request's life --------------------------------------------------- */

static void api_req_free(struct api_req *r)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	if (r->upload_fd >= 0)
		close(r->upload_fd);
	if (r->upload_path)
		unlink(r->upload_path);
	talloc_free(r);
}

/* Remember a refusal, answered when the body is in. */
static void api_refuse(struct api_req *r, enum api_err e, const char *msg)
{
	if (r->has_early)
		return;
	r->has_early = true;
	r->early = e;
	r->early_msg = talloc_strdup(r, msg);
}

/* A private temporary file beside the database for an upload. */
static int api_upload_open(struct api_req *r)
{
	const char *db = r->s->cfg->db_path, *slash = strrchr(db, '/');

	r->upload_path = talloc_asprintf(r, "%.*s/.skillgw-upload-XXXXXX",
					 slash ? (int)(slash - db) : 1,
					 slash ? db : ".");
	if (!r->upload_path)
		return -ENOMEM;
	r->upload_fd = mkstemp(r->upload_path);	/* 0600 */
	if (r->upload_fd >= 0)
		fcntl(r->upload_fd, F_SETFD, FD_CLOEXEC);
	if (r->upload_fd < 0) {
		talloc_free(r->upload_path);
		r->upload_path = NULL;
		return -errno;
	}
	return 0;
}

/* The credentials and what they may do. */
static void api_check_who(struct api_req *r)
{
	char why[160] = "";
	int e = api_authenticate(r, why, sizeof(why));

	if (e) {
		api_refuse(r, e, why);
		return;
	}
	if (r->route->flags & API_F_PUBLIC)
		return;
	if (r->who.via == API_VIA_NONE)
		api_refuse(r, API_E_UNAUTHORIZED, "log in (POST /api/v1/session)"
			   " or send Authorization: Bearer TOKEN");
	else if (r->who.via != API_VIA_LOOPBACK &&
		 r->who.role < r->route->role)
		api_refuse(r, API_E_FORBIDDEN, "this needs the role admin or "
			   "operator");
	else if (r->who.via == API_VIA_SESSION && strcmp(r->method, "GET") &&
		 strcmp(r->method, "HEAD") && !api_csrf_ok(r))
		api_refuse(r, API_E_CSRF, "the X-CSRF-Token header is missing "
			   "or not this session's");
}

/* Announced length and content type. */
static void api_check_body(struct api_req *r)
{
	const char *len = MHD_lookup_connection_value(r->conn,
		MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *type = MHD_lookup_connection_value(r->conn,
		MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	const struct config_api *c = &r->s->cfg->api;

	r->limit = r->route->flags & API_F_UPLOAD ? c->max_upload :
		   c->max_body;
	if (len && strtoull(len, NULL, 10) > r->limit)
		api_refuse(r, API_E_TOO_LARGE, "the body is larger than the "
			   "limit (api.max_body, api.max_upload)");
	if ((r->route->flags & API_F_JSON) && type &&
	    strncasecmp(type, API_JSON_TYPE, strlen(API_JSON_TYPE)))
		api_refuse(r, API_E_MEDIA, "the body must be JSON: "
			   "Content-Type: " API_JSON_TYPE);
}

static void api_first(struct api_req *r)
{
	bool mismatch;

	r->route = api_route_find(r, &mismatch);
	if (!r->route) {
		api_refuse(r, mismatch ? API_E_METHOD : API_E_NOT_FOUND,
			   mismatch ? "this path takes other methods" :
			   "no such path");
		return;
	}
	api_check_who(r);
	api_check_body(r);
}

/* A piece of body. false: drop the connection (a refused body that goes
 * on and on). */
static bool api_body(struct api_req *r, const char *data, size_t n)
{
	char *b;

	r->len += n;
	if (r->len > r->limit)
		api_refuse(r, API_E_TOO_LARGE, "the body is larger than the "
			   "limit (api.max_body, api.max_upload)");
	if (r->has_early)
		return r->len <= (size_t)r->limit + API_DISCARD_MAX;
	if (r->route->flags & API_F_UPLOAD) {
		if ((r->upload_fd < 0 && api_upload_open(r) < 0) ||
		    write(r->upload_fd, data, n) != (ssize_t)n)
			api_refuse(r, API_E_STORAGE, "the upload could not be "
				   "stored");
		return true;
	}
	b = talloc_realloc_size(r, r->body, r->len + 1);
	if (!b) {
		api_refuse(r, API_E_INTERNAL, "out of memory");
		return true;
	}
	memcpy(b + r->len - n, data, n);
	b[r->len] = '\0';
	r->body = b;
	return true;
}

/* The body is in: refuse, or parse and hand over. */
static void api_run(struct api_req *r)
{
	char err[160];

	if (r->has_early) {
		api_error(r, r->early, "%s", r->early_msg ? r->early_msg : "");
		return;
	}
	if (r->route->flags & API_F_JSON) {
		if (!r->len) {
			api_error(r, API_E_BAD_REQUEST, "a JSON body is "
				  "required");
			return;
		}
		if (json_parse(r, r->body, r->len, &r->json, err,
			       sizeof(err)) < 0) {
			api_error(r, API_E_BAD_REQUEST, "bad JSON: %s", err);
			return;
		}
	}
	r->route->fn(r);
}

static struct api_req *api_req_new(struct api_server *s,
				   struct MHD_Connection *c, const char *url,
				   const char *method)
{
	struct api_req *r = talloc_zero(s, struct api_req);

	if (!r)
		return NULL;
	r->s = s;
	r->conn = c;
	r->upload_fd = -1;
	r->fault_seq = db_fault_seq();
	r->method = talloc_strdup(r, method);
	r->path = talloc_strdup(r, url);
	if (!r->method || !r->path) {
		talloc_free(r);
		return NULL;
	}
	httpd_client(c, r->client, sizeof(r->client), &r->loopback);
	return r;
}

static enum MHD_Result api_queue(struct api_req *r)
{
	enum MHD_Result ret = MHD_queue_response(r->conn, r->status, r->resp);

	MHD_destroy_response(r->resp);
	r->resp = NULL;
	return ret;
}

static enum MHD_Result api_access(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	struct api_server *s = cls;
	struct api_req *r = *con_cls;

	if (!r) {
		r = api_req_new(s, c, url, method);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		api_first(r);
		return MHD_YES;
	}
	if (*size) {
		bool keep = api_body(r, data, *size);

		*size = 0;
		return keep ? MHD_YES : MHD_NO;
	}
	if (!r->started) {
		r->started = true;
		api_run(r);
	}
	if (r->resp)
		return api_queue(r);
	if (!r->wait.on)
		httpd_suspend(s->d, &r->wait, c);
	return MHD_YES;
}

static void api_completed(void *cls, struct MHD_Connection *c,
			  void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct api_server *s = cls;
	struct api_req *r = *con_cls;

	if (!r)
		return;
	*con_cls = NULL;
	httpd_forget(s->d, &r->wait);
	r->conn = NULL;
	if (r->holds) {
		r->gone = true;
		return;
	}
	api_req_free(r);
}

/* ---- set-up ------------------------------------------------------------- */

/* The PEM files of api.cert and api.key, read at start. */
static char *api_read_file(void *ctx, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    n < 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = talloc_zero_size(ctx, n + 1)) &&
	    fread(buf, 1, n, f) != (size_t)n) {
		talloc_free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int api_listen(struct api_server *s)
{
	const struct config_api *c = &s->cfg->api;
	char *cert = NULL, *key = NULL;

	s->tls = c->cert[0] && c->key[0];
	if (s->tls && (!(cert = api_read_file(s, c->cert)) ||
		       !(key = api_read_file(s, c->key)))) {
		LOGP(DAPI, LOGL_ERROR, "API: cannot read %s or %s\n", c->cert,
		     c->key);
		return -EIO;
	}
	s->d = httpd_start(s, &(struct httpd_params){
		.name = "API", .log_cat = DAPI, .addr = c->addr,
		.port = c->port, .max_conns = c->max_conns,
		.timeout_s = API_TIMEOUT_S, .cert_pem = cert, .key_pem = key,
		.access = api_access, .access_cls = s,
		.completed = api_completed, .completed_cls = s });
	if (key)
		memset(key, 0, strlen(key));
	talloc_free(cert);
	talloc_free(key);
	return s->d ? 0 : -EIO;
}

struct api_server *api_init(void *ctx, const struct api_params *p)
{
	struct api_server *s = talloc_zero(ctx, struct api_server);

	if (!s)
		return NULL;
	talloc_set_name_const(s, "api");
	s->cfg = p->cfg;
	s->p = *p;
	s->accts = acct_open(s, p->db);
	s->audit = audit_init(s, p->db);
	s->dom = dom_init(s, p->db, &(struct dom_params){
		.reg_max_failures = p->cfg->reg_max_failures });
	s->mtq = mtq_reader_new(s, p->db);
	s->nd = notice_db_init(s, p->db);
	s->sessions = api_sessions_new(s);
	s->tasks = api_tasks_new(s);
	s->imports = api_imports_new(s);
	if (!s->accts || !s->audit || !s->dom || !s->mtq || !s->nd ||
	    !s->sessions ||
	    !s->tasks ||
	    !s->imports || api_listen(s) < 0) {
		api_free(s);
		return NULL;
	}
	api_static_init(s);
	LOGP(DAPI, LOGL_NOTICE, "API on %s://%s:%u/ (console %s)\n",
	     s->tls ? "https" : "http", p->cfg->api.addr, httpd_port(s->d),
	     *s->console_real ? s->console_real : "off");
	return s;
}

void api_free(struct api_server *s)
{
	if (!s)
		return;
	if (s->hooks)	/* answers waiting for a commit: let them have it */
		db_commit(s->p.db);
	httpd_stop(s->d);	/* closes the connections: requests go */
	s->d = NULL;
	api_tasks_free(s->tasks);	/* before the jobs they work for */
	api_imports_free(s->imports);
	api_sessions_free(s->sessions);
	notice_db_free(s->nd);
	mtq_reader_free(s->mtq);
	dom_free(s->dom);
	audit_free(s->audit);
	acct_close(s->accts);
	talloc_free(s);
}
