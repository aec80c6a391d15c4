/*
 * httpd.c - libmicrohttpd on the osmo select loop (see httpd.h).
 *
 * MHD_USE_EPOLL without an internal thread gives one fd (MHD's epoll set)
 * that is readable whenever any listening or connected socket needs MHD:
 * it is registered as an osmo_fd, and MHD_run() also runs from a timer
 * armed with MHD_get_timeout() after every run (connection timeouts,
 * resumed connections). MHD_ALLOW_SUSPEND_RESUME lets a request wait for
 * the loop without blocking it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>

#include "gateway/httpd.h"

struct httpd {
	const char *name;
	int log_cat;
	struct MHD_Daemon *d;
	struct osmo_fd ofd;
	struct osmo_timer_list timer;
	struct llist_head waiting;	/* struct httpd_wait, suspended */
	uint16_t port;
};

static void httpd_arm(struct httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->d, &ms) == MHD_YES)
		osmo_timer_schedule(&h->timer, ms / 1000, (ms % 1000) * 1000);
	else
		osmo_timer_del(&h->timer);
}

static void httpd_run(struct httpd *h)
{
	MHD_run(h->d);
	httpd_arm(h);
}

static int httpd_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	httpd_run(ofd->data);
	return 0;
}

static void httpd_timer_cb(void *data)
{
	httpd_run(data);
}

void httpd_kick(struct httpd *h)
{
	osmo_timer_schedule(&h->timer, 0, 0);
}

void httpd_suspend(struct httpd *h, struct httpd_wait *w,
		   struct MHD_Connection *c)
{
	w->conn = c;
	w->on = true;
	llist_add_tail(&w->list, &h->waiting);
	MHD_suspend_connection(c);
}

void httpd_resume(struct httpd *h, struct httpd_wait *w)
{
	if (!w->on)
		return;
	llist_del(&w->list);
	w->on = false;
	MHD_resume_connection(w->conn);
	httpd_kick(h);
}

void httpd_forget(struct httpd *h, struct httpd_wait *w)
{
	if (!w->on)
		return;
	llist_del(&w->list);
	w->on = false;
}

uint16_t httpd_port(const struct httpd *h)
{
	return h->port;
}

/* ---- set-up ------------------------------------------------------------ */

static int httpd_sockaddr(const char *addr, uint16_t port,
			  struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return 0;
	}
	return -EINVAL;
}

static void httpd_log(void *cls, const char *fmt, va_list ap)
{
	struct httpd *h = cls;
	char buf[256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	LOGP(h->log_cat, LOGL_NOTICE, "%s: %s%s", h->name, buf,
	     buf[0] && buf[strlen(buf) - 1] == '\n' ? "" : "\n");
}

static struct MHD_Daemon *httpd_daemon(struct httpd *h,
				       const struct httpd_params *p,
				       const struct sockaddr_storage *ss)
{
	bool tls = p->cert_pem && p->key_pem && *p->cert_pem && *p->key_pem;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0) |
			 (ss->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);

	if (tls)
		return MHD_start_daemon(flags, p->port, p->accept,
			p->accept_cls, p->access, p->access_cls,
			MHD_OPTION_EXTERNAL_LOGGER, httpd_log, h,
			MHD_OPTION_SOCK_ADDR, ss,
			MHD_OPTION_NOTIFY_COMPLETED, p->completed,
			p->completed_cls,
			MHD_OPTION_CONNECTION_LIMIT, p->max_conns,
			MHD_OPTION_CONNECTION_TIMEOUT, p->timeout_s,
			MHD_OPTION_HTTPS_MEM_CERT, p->cert_pem,
			MHD_OPTION_HTTPS_MEM_KEY, p->key_pem,
			MHD_OPTION_END);
	return MHD_start_daemon(flags, p->port, p->accept, p->accept_cls,
		p->access, p->access_cls,
		MHD_OPTION_EXTERNAL_LOGGER, httpd_log, h,
		MHD_OPTION_SOCK_ADDR, ss,
		MHD_OPTION_NOTIFY_COMPLETED, p->completed, p->completed_cls,
		MHD_OPTION_CONNECTION_LIMIT, p->max_conns,
		MHD_OPTION_CONNECTION_TIMEOUT, p->timeout_s,
		MHD_OPTION_END);
}

static int httpd_register(struct httpd *h)
{
	const union MHD_DaemonInfo *info;

	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		return -EIO;
	osmo_fd_setup(&h->ofd, info->epoll_fd, OSMO_FD_READ, httpd_fd_cb, h,
		      0);
	if (osmo_fd_register(&h->ofd) < 0)
		return -EIO;
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : 0;
	httpd_arm(h);
	return 0;
}

struct httpd *httpd_start(void *ctx, const struct httpd_params *p)
{
	struct httpd *h = talloc_zero(ctx, struct httpd);
	struct sockaddr_storage ss;

	if (!h)
		return NULL;
	talloc_set_name_const(h, "httpd");
	h->name = p->name;
	h->log_cat = p->log_cat;
	h->ofd.fd = -1;
	INIT_LLIST_HEAD(&h->waiting);
	osmo_timer_setup(&h->timer, httpd_timer_cb, h);
	if (httpd_sockaddr(p->addr, p->port, &ss) < 0 ||
	    !(h->d = httpd_daemon(h, p, &ss)) || httpd_register(h) < 0) {
		LOGP(p->log_cat, LOGL_ERROR, "%s: cannot listen on %s:%u\n",
		     p->name, p->addr, p->port);
		httpd_stop(h);
		return NULL;
	}
	return h;
}

void httpd_stop(struct httpd *h)
{
	struct httpd_wait *w, *t;

	if (!h)
		return;
	/* MHD may not be stopped with suspended connections */
	llist_for_each_entry_safe(w, t, &h->waiting, list) {
		llist_del(&w->list);
		w->on = false;
		MHD_resume_connection(w->conn);
	}
	if (h->ofd.fd >= 0 && osmo_fd_is_registered(&h->ofd))
		osmo_fd_unregister(&h->ofd);
	osmo_timer_del(&h->timer);
	if (h->d)
		MHD_stop_daemon(h->d);
	talloc_free(h);
}

/* ---- client addresses -------------------------------------------------- */

int httpd_net_parse(const char *s, struct httpd_net *n)
{
	char addr[HTTPD_ADDR_MAX];
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

static bool httpd_net_has(const struct httpd_net *n, int af,
			  const uint8_t *a)
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (af != n->af || memcmp(a, n->addr, full))
		return false;
	return !rest || !((a[full] ^ n->addr[full]) & (0xFF00 >> rest));
}

/* The address octets of sa and its family (IPv4-mapped seen as IPv4). */
static const uint8_t *httpd_sa_bytes(const struct sockaddr *sa, int *af)
{
	const uint8_t *a;

	*af = sa->sa_family;
	if (*af == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	if (*af != AF_INET6)
		return NULL;
	a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
		*af = AF_INET;
		return a + 12;
	}
	return a;
}

bool httpd_net_match(const struct httpd_net *nets, unsigned n,
		     const struct sockaddr *sa)
{
	int af;
	const uint8_t *a = httpd_sa_bytes(sa, &af);
	unsigned i;

	for (i = 0; a && i < n; i++)
		if (httpd_net_has(&nets[i], af, a))
			return true;
	return false;
}

bool httpd_sa_loopback(const struct sockaddr *sa)
{
	int af;
	const uint8_t *a = httpd_sa_bytes(sa, &af);

	if (!a)
		return false;
	if (af == AF_INET)
		return a[0] == 127;
	return IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)a);
}

void httpd_client(struct MHD_Connection *c, char *out, size_t cap,
		  bool *loopback)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	int af = AF_UNSPEC;
	const uint8_t *a = sa ? httpd_sa_bytes(sa, &af) : NULL;

	if (loopback)
		*loopback = sa && httpd_sa_loopback(sa);
	if (!a || !inet_ntop(af, a, out, cap))
		snprintf(out, cap, "%s", "?");
}
