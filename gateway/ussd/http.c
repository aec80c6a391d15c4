/*
 * http.c - the USSD aggregator callback over HTTP (see http.h).
 *
 * A request goes through the access handler up to three times: first with
 * the headers (method, secret, announced length are checked: an early
 * refusal is remembered and sent once the body is in, as MHD wants), then
 * once per piece of body (kept up to ussd.http.max_body), then at the end,
 * when the form is read and checked and the step handed to the dialogues
 * (ussd_http_step). A step that only read answers at once (http_reply()
 * runs inside ussd_http_step and the reply is queued right away); one that
 * wrote answers after the group commit: the connection is suspended
 * meanwhile, and http_reply() resumes it and schedules MHD_run(), whose
 * call of the handler sends the reply.
 *
 * Clients are filtered at accept time by address (ussd.http.allow; empty:
 * the loopback addresses). Nothing here is seen by a worker: error bodies
 * are for the aggregator's operators and are English. MHD runs on the
 * loop through the frame's gateway/httpd.c, as the API does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/vty.h>

#include "gateway/config.h"
#include "gateway/httpd.h"
#include "gateway/text/fmt.h"
#include "gateway/log.h"
#include "gateway/text/msisdn.h"
#include "gateway/ussd/ussd.h"
#include "gateway/ussd/http.h"

#define HTTP_TIMEOUT_S		30	/* idle connection */
#define HTTP_FIELD_MAX		1024	/* octets of one form field */
#define HTTP_CODE_MAX		24	/* a service code */
#define HTTP_FORM_TYPE		"application/x-www-form-urlencoded"

struct http_stats {
	unsigned long requests, refused, bad, answered;
};

struct ussd_http {
	const struct config *cfg;
	struct ussd *u;
	struct httpd *d;
	struct httpd_net allow[CONFIG_HTTP_ALLOW_MAX + 2];
	unsigned n_allow;
	struct http_stats st;
};

/* One request. */
struct http_req {
	struct httpd_wait wait_conn;	/* suspended while waiting */
	struct ussd_http *h;
	struct MHD_Connection *conn;
	char *body;
	size_t len;
	unsigned status;		/* an early refusal, 0: none */
	const char *reason;
	struct ussd_wait *wait;		/* the step waiting for its reply */
	char *reply;			/* "CON ..." / "END ..." */
};

/* ------------------------------------------------------------------ */
/* Who may call                                                        */

static enum MHD_Result http_accept(void *cls, const struct sockaddr *sa,
				   socklen_t len)
{
	struct ussd_http *h = cls;

	if (httpd_net_match(h->allow, h->n_allow, sa))
		return MHD_YES;
	h->st.refused++;
	LOGP(DUSSD, LOGL_NOTICE, "HTTP: a client not on ussd.http.allow was "
	     "refused\n");
	return MHD_NO;
}

static void http_allow_init(struct ussd_http *h)
{
	const struct config_ussd *c = &h->cfg->ussd;
	unsigned i;

	for (i = 0; i < c->n_allow; i++)
		if (httpd_net_parse(c->allow[i], &h->allow[h->n_allow]) == 0)
			h->n_allow++;
	if (c->n_allow)
		return;
	httpd_net_parse("127.0.0.0/8", &h->allow[h->n_allow++]);
	httpd_net_parse("::1", &h->allow[h->n_allow++]);
}

/* ------------------------------------------------------------------ */
/* The form                                                            */

static int http_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode n octets of a urlencoded value into out. */
static int http_decode(const char *v, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)v[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 2 < n ? http_hex(v[i + 1]) : -1;
			int lo = i + 2 < n ? http_hex(v[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = hi << 4 | lo;
			i += 2;
		}
		if (o + 1 >= cap)
			return -ENOSPC;
		out[o++] = c;
	}
	out[o] = '\0';
	return 1;
}

int ussd_http_form(const char *body, const char *name, char *out,
		   size_t cap)
{
	size_t nl = strlen(name);
	const char *p = body;

	while (p && *p) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t kl = eq ? (size_t)(eq - p) : len;

		if (kl == nl && !strncmp(p, name, nl))
			return http_decode(eq ? eq + 1 : p + len,
					   eq ? len - kl - 1 : 0, out, cap);
		p += len + (p[len] == '&');
	}
	return 0;
}

/* One required field; NULL with the reason in *why when it is bad. */
static const char *http_field(const char *body, const char *name, char *out,
			      size_t cap, char *why, size_t why_cap)
{
	int rc = ussd_http_form(body, name, out, cap);

	if (rc == 1 && fmt_utf8_chars(out) >= 0)
		return out;
	snprintf(why, why_cap, "%s: %s\n", name, rc == 0 ? "missing" :
		 rc == -ENOSPC ? "too long" : "not valid (encoding)");
	return NULL;
}

static bool http_sid_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < USSD_SID_MAX &&
	       !s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-_.:")];
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

static enum MHD_Result http_send(struct http_req *r, unsigned status,
				 const char *body)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(body), (void *)body,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	if (status != MHD_HTTP_OK)
		r->h->st.bad++;
	else
		r->h->st.answered++;
	return ret;
}

/* The reply of the dialogue, after the commit: resume the connection. */
static void http_reply(void *data, const char *text, bool end)
{
	struct http_req *r = data;

	r->wait = NULL;
	r->reply = talloc_asprintf(r, "%s %s", end ? "END" : "CON", text);
	httpd_resume(r->h->d, &r->wait_conn);
	httpd_kick(r->h->d);	/* MHD_run soon */
}

/* Equal strings, in a time that does not depend on where they differ. */
static bool http_same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= a[i] ^ b[i];
	return !d;
}

/* Headers: secret, announced size. */
static void http_first(struct http_req *r)
{
	const struct config_ussd *c = &r->h->cfg->ussd;
	const char *v;

	v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (c->secret[0]) {
		const char *got = MHD_lookup_connection_value(r->conn,
					MHD_HEADER_KIND, c->secret_header);

		if (!got || !http_same(got, c->secret)) {
			r->status = MHD_HTTP_FORBIDDEN;
			r->reason = "bad or missing shared secret\n";
		}
	}
	if (!r->status && v && strtoull(v, NULL, 10) > c->max_body) {
		r->status = MHD_HTTP_CONTENT_TOO_LARGE;
		r->reason = "request body too large\n";
	}
}

/* The whole request is in: read the form and start the step. */
static enum MHD_Result http_step(struct http_req *r)
{
	char sid[HTTP_FIELD_MAX], code[HTTP_FIELD_MAX], phone[HTTP_FIELD_MAX],
	     text[HTTP_FIELD_MAX], msisdn[MSISDN_MAX], why[128];
	const char *body = r->body ? r->body : "";
	const char *type = MHD_lookup_connection_value(r->conn,
			MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	if (!type || strncasecmp(type, HTTP_FORM_TYPE, strlen(HTTP_FORM_TYPE)))
		return http_send(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				 "expected a form: " HTTP_FORM_TYPE "\n");
	if (!http_field(body, "sessionId", sid, sizeof(sid), why, sizeof(why)) ||
	    !http_field(body, "serviceCode", code, sizeof(code), why,
			sizeof(why)) ||
	    !http_field(body, "phoneNumber", phone, sizeof(phone), why,
			sizeof(why)) ||
	    !http_field(body, "text", text, sizeof(text), why, sizeof(why)))
		return http_send(r, MHD_HTTP_BAD_REQUEST, why);
	if (!http_sid_ok(sid))
		return http_send(r, MHD_HTTP_BAD_REQUEST, "sessionId: not valid "
				 "(1-47 of A-Z a-z 0-9 - _ . :)\n");
	if (!*code || strlen(code) >= HTTP_CODE_MAX ||
	    code[strspn(code, "0123456789*#")])
		return http_send(r, MHD_HTTP_BAD_REQUEST,
				 "serviceCode: not a USSD code\n");
	if (msisdn_normalise(phone, r->h->cfg->country_code, msisdn,
			     sizeof(msisdn)) < 0)
		return http_send(r, MHD_HTTP_BAD_REQUEST,
				 "phoneNumber: not a telephone number\n");
	if (ussd_http_step(r->h->u, sid, msisdn, text, http_reply, r,
			   &r->wait) < 0)
		return http_send(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "out of memory\n");
	if (r->reply)		/* answered at once (no commit to wait for) */
		return http_send(r, MHD_HTTP_OK, r->reply);
	httpd_suspend(r->h->d, &r->wait_conn, r->conn);
	return MHD_YES;
}

/* A piece of body: kept up to max_body, then refused. */
static void http_body(struct http_req *r, const char *data, size_t n)
{
	size_t max = r->h->cfg->ussd.max_body;
	char *b;

	if (r->status)
		return;
	if (r->len + n > max) {
		r->status = MHD_HTTP_CONTENT_TOO_LARGE;
		r->reason = "request body too large\n";
		return;
	}
	b = talloc_realloc_size(r, r->body, r->len + n + 1);
	if (!b) {
		r->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		r->reason = "out of memory\n";
		return;
	}
	memcpy(b + r->len, data, n);
	r->len += n;
	b[r->len] = '\0';
	r->body = b;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *c,
				   const char *url, const char *method,
				   const char *version, const char *data,
				   size_t *size, void **con_cls)
{
	struct ussd_http *h = cls;
	struct http_req *r = *con_cls;

	if (!r) {
		r = talloc_zero(h, struct http_req);
		if (!r)
			return MHD_NO;
		r->h = h;
		r->conn = c;
		*con_cls = r;
		h->st.requests++;
		if (strcmp(method, MHD_HTTP_METHOD_POST)) {
			r->status = MHD_HTTP_METHOD_NOT_ALLOWED;
			r->reason = "only POST\n";
		} else {
			http_first(r);
		}
		return MHD_YES;
	}
	if (*size) {
		http_body(r, data, *size);
		*size = 0;
		return MHD_YES;
	}
	if (r->status)
		return http_send(r, r->status, r->reason);
	if (r->reply)
		return http_send(r, MHD_HTTP_OK, r->reply);
	if (r->wait)		/* still waiting: nothing to send yet */
		return MHD_YES;
	return http_step(r);
}

static void http_completed(void *cls, struct MHD_Connection *c,
			   void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct http_req *r = *con_cls;

	if (!r)
		return;
	if (r->wait)
		ussd_http_cancel(r->h->u, r->wait);
	httpd_forget(r->h->d, &r->wait_conn);
	talloc_free(r);
	*con_cls = NULL;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

struct ussd_http *ussd_http_init(void *ctx, const struct config *cfg,
				 struct ussd *u)
{
	struct ussd_http *h = talloc_zero(ctx, struct ussd_http);
	const struct config_ussd *c = &cfg->ussd;

	if (!h)
		return NULL;
	talloc_set_name_const(h, "ussd_http");
	h->cfg = cfg;
	h->u = u;
	http_allow_init(h);
	h->d = httpd_start(h, &(struct httpd_params){
		.name = "USSD HTTP", .log_cat = DUSSD,
		.addr = c->http_addr, .port = c->http_port,
		.max_conns = c->http_max_conns, .timeout_s = HTTP_TIMEOUT_S,
		.accept = http_accept, .accept_cls = h,
		.access = http_access, .access_cls = h,
		.completed = http_completed, .completed_cls = h });
	if (!h->d) {
		talloc_free(h);
		return NULL;
	}
	return h;
}

void ussd_http_free(struct ussd_http *h)
{
	if (!h)
		return;
	httpd_stop(h->d);
	talloc_free(h);
}

void ussd_http_vty_show(const struct ussd_http *h, struct vty *vty)
{
	vty_out(vty, "USSD over HTTP on %s:%u: requests %lu, answered %lu, "
		"refused clients %lu, errors %lu%s", h->cfg->ussd.http_addr,
		h->cfg->ussd.http_port, h->st.requests, h->st.answered,
		h->st.refused, h->st.bad, VTY_NEWLINE);
}
