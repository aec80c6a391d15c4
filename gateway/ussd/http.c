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
 * are for the aggregator's operators and are English.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/vty.h>

#include "gateway/config.h"
#include "gateway/text/fmt.h"
#include "gateway/log.h"
#include "gateway/text/msisdn.h"
#include "gateway/ussd/ussd.h"
#include "gateway/ussd/http.h"

#define HTTP_TIMEOUT_S		30	/* idle connection */
#define HTTP_FIELD_MAX		1024	/* octets of one form field */
#define HTTP_CODE_MAX		24	/* a service code */
#define HTTP_FORM_TYPE		"application/x-www-form-urlencoded"

/* One address range of the allow-list. */
struct http_net {
	int af;
	uint8_t addr[16];
	unsigned bits;
};

struct http_stats {
	unsigned long requests, refused, bad, answered;
};

struct ussd_http {
	const struct config *cfg;
	struct ussd *u;
	struct MHD_Daemon *d;
	struct osmo_fd ofd;
	struct osmo_timer_list timer;
	struct http_net allow[CONFIG_HTTP_ALLOW_MAX + 2];
	unsigned n_allow;
	struct llist_head suspended;	/* requests waiting for a reply */
	struct http_stats st;
};

/* One request. */
struct http_req {
	struct llist_head list;		/* in h->suspended while waiting */
	struct ussd_http *h;
	struct MHD_Connection *conn;
	char *body;
	size_t len;
	unsigned status;		/* an early refusal, 0: none */
	const char *reason;
	struct ussd_wait *wait;		/* the step waiting for its reply */
	char *reply;			/* "CON ..." / "END ..." */
	bool suspended;
};

/* ------------------------------------------------------------------ */
/* The loop                                                            */

static void http_arm(struct ussd_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->d, &ms) == MHD_YES)
		osmo_timer_schedule(&h->timer, ms / 1000, (ms % 1000) * 1000);
	else
		osmo_timer_del(&h->timer);
}

static void http_run(struct ussd_http *h)
{
	MHD_run(h->d);
	http_arm(h);
}

static int http_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	http_run(ofd->data);
	return 0;
}

static void http_timer_cb(void *data)
{
	http_run(data);
}

/* ------------------------------------------------------------------ */
/* Who may call                                                        */

static int http_net_parse(const char *s, struct http_net *n)
{
	char addr[48];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);

	if (len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, len);
	addr[len] = '\0';
	n->af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(n->af, addr, n->addr) != 1)
		return -EINVAL;
	n->bits = slash ? (unsigned)atoi(slash + 1) :
		  (n->af == AF_INET ? 32 : 128);
	return 0;
}

static bool http_net_has(const struct http_net *n, int af, const uint8_t *a)
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (af != n->af || memcmp(a, n->addr, full))
		return false;
	return !rest || !((a[full] ^ n->addr[full]) & (0xFF00 >> rest));
}

static enum MHD_Result http_accept(void *cls, const struct sockaddr *sa,
				   socklen_t len)
{
	struct ussd_http *h = cls;
	const uint8_t *a = NULL;
	uint8_t v4[4];
	int af = sa->sa_family;
	unsigned i;

	if (af == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (af == AF_INET6) {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
			memcpy(v4, a + 12, 4);
			a = v4;
			af = AF_INET;
		}
	}
	for (i = 0; a && i < h->n_allow; i++)
		if (http_net_has(&h->allow[i], af, a))
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
		if (http_net_parse(c->allow[i], &h->allow[h->n_allow]) == 0)
			h->n_allow++;
	if (c->n_allow)
		return;
	http_net_parse("127.0.0.0/8", &h->allow[h->n_allow++]);
	http_net_parse("::1", &h->allow[h->n_allow++]);
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
	if (r->suspended) {
		llist_del(&r->list);
		r->suspended = false;
		MHD_resume_connection(r->conn);
	}
	osmo_timer_schedule(&r->h->timer, 0, 0);	/* MHD_run soon */
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
	MHD_suspend_connection(r->conn);
	r->suspended = true;
	llist_add_tail(&r->list, &r->h->suspended);
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
	if (r->suspended)
		llist_del(&r->list);
	talloc_free(r);
	*con_cls = NULL;
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	LOGP(DUSSD, LOGL_NOTICE, "HTTP: %s%s", buf,
	     buf[0] && buf[strlen(buf) - 1] == '\n' ? "" : "\n");
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int http_sockaddr(const struct config_ussd *c,
			 struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, c->http_addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(c->http_port);
		return 0;
	}
	if (inet_pton(AF_INET6, c->http_addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(c->http_port);
		return 0;
	}
	return -EINVAL;
}

static struct MHD_Daemon *http_start(struct ussd_http *h,
				     const struct sockaddr_storage *ss)
{
	const struct config_ussd *c = &h->cfg->ussd;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG |
			 (ss->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);

	return MHD_start_daemon(flags, c->http_port, http_accept, h,
		http_access, h,
		MHD_OPTION_SOCK_ADDR, ss,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
		MHD_OPTION_CONNECTION_LIMIT, c->http_max_conns,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
		MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
		MHD_OPTION_END);
}

struct ussd_http *ussd_http_init(void *ctx, const struct config *cfg,
				 struct ussd *u)
{
	struct ussd_http *h = talloc_zero(ctx, struct ussd_http);
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;

	if (!h)
		return NULL;
	talloc_set_name_const(h, "ussd_http");
	h->cfg = cfg;
	h->u = u;
	INIT_LLIST_HEAD(&h->suspended);
	osmo_timer_setup(&h->timer, http_timer_cb, h);
	http_allow_init(h);
	if (http_sockaddr(&cfg->ussd, &ss) < 0 || !(h->d = http_start(h, &ss)))
		goto fail;
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		goto fail;
	osmo_fd_setup(&h->ofd, info->epoll_fd, OSMO_FD_READ, http_fd_cb, h, 0);
	if (osmo_fd_register(&h->ofd) < 0)
		goto fail;
	http_arm(h);
	return h;
fail:
	LOGP(DUSSD, LOGL_ERROR, "HTTP: cannot listen on %s:%u\n",
	     cfg->ussd.http_addr, cfg->ussd.http_port);
	ussd_http_free(h);
	return NULL;
}

void ussd_http_free(struct ussd_http *h)
{
	struct http_req *r, *t;

	if (!h)
		return;
	/* MHD may not be stopped with suspended connections */
	llist_for_each_entry_safe(r, t, &h->suspended, list) {
		llist_del(&r->list);
		r->suspended = false;
		MHD_resume_connection(r->conn);
	}
	if (h->ofd.fd > 0 && osmo_fd_is_registered(&h->ofd))
		osmo_fd_unregister(&h->ofd);
	osmo_timer_del(&h->timer);
	if (h->d)
		MHD_stop_daemon(h->d);
	talloc_free(h);
}

void ussd_http_vty_show(const struct ussd_http *h, struct vty *vty)
{
	vty_out(vty, "USSD over HTTP on %s:%u: requests %lu, answered %lu, "
		"refused clients %lu, errors %lu%s", h->cfg->ussd.http_addr,
		h->cfg->ussd.http_port, h->st.requests, h->st.answered,
		h->st.refused, h->st.bad, VTY_NEWLINE);
}
