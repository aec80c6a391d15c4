/*
 * httpd.h - libmicrohttpd inside the osmo select loop, without threads of
 * its own: the frame both HTTP listeners of the daemon share (the USSD
 * callback, gateway/ussd/http.c, and the bureau's API, gateway/api/).
 *
 * MHD runs in "external" mode with epoll: its epoll fd is an osmo_fd, and
 * MHD_run() is called when that fd is readable and from a timer set to
 * MHD_get_timeout(). A request that must wait for something the loop does
 * later (the group commit, a worker thread) suspends its connection
 * (MHD_suspend_connection); httpd_resume() resumes it and makes the loop
 * call MHD_run() soon, whose call of the access handler sends the answer.
 * Nothing here blocks: MHD reads and writes its sockets non-blocking.
 *
 * TLS: when params.cert_pem and key_pem are set (the PEM texts, not file
 * names), MHD serves HTTPS with GnuTLS.
 *
 * The allow-list helpers are the address filter of an accept policy:
 * "10.0.0.0/8", "::1", "127.0.0.1" (IPv4-mapped IPv6 peers are seen as
 * IPv4).
 */
#ifndef SGW_HTTPD_H
#define SGW_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>
#include <microhttpd.h>
#include <osmocom/core/linuxlist.h>

struct httpd;

struct httpd_params {
	const char *name;		/* in log lines: "USSD HTTP", "API" */
	int log_cat;			/* libosmocore log category */
	const char *addr;		/* IPv4 or IPv6 literal */
	uint16_t port;
	unsigned max_conns;
	unsigned timeout_s;		/* an idle connection is closed */
	const char *cert_pem, *key_pem;	/* both set: HTTPS */
	MHD_AcceptPolicyCallback accept;
	void *accept_cls;
	MHD_AccessHandlerCallback access;
	void *access_cls;
	MHD_RequestCompletedCallback completed;
	void *completed_cls;
};

/* Listen and serve on the loop. NULL when the address is not usable or
 * the port cannot be bound (logged). */
struct httpd *httpd_start(void *ctx, const struct httpd_params *p);
/* Stop: suspended connections must have been resumed before (MHD does not
 * stop with suspended connections); httpd_stop() resumes what is left. */
void httpd_stop(struct httpd *h);

/* A suspended connection, kept in the caller's request (so that
 * httpd_stop() can resume what is left without a search). */
struct httpd_wait {
	struct llist_head list;
	struct MHD_Connection *conn;
	bool on;			/* suspended now */
};

/* Suspend c until httpd_resume(w); w must stay valid until then. */
void httpd_suspend(struct httpd *h, struct httpd_wait *w,
		   struct MHD_Connection *c);
/* Resume w's connection (nothing when it is not suspended) and make the
 * loop run MHD soon. */
void httpd_resume(struct httpd *h, struct httpd_wait *w);
/* Forget w without resuming (its connection is being closed by MHD). */
void httpd_forget(struct httpd *h, struct httpd_wait *w);
/* Run MHD soon (from the loop, outside MHD's callbacks too). */
void httpd_kick(struct httpd *h);

/* The port actually bound (port 0 in the params: any). */
uint16_t httpd_port(const struct httpd *h);

/* ---- client addresses ---- */

#define HTTPD_ADDR_MAX	48	/* an address as text, with its NUL */

struct httpd_net {
	int af;
	uint8_t addr[16];
	unsigned bits;
};

/* "10.0.0.0/8" into n. 0 or -EINVAL. */
int httpd_net_parse(const char *s, struct httpd_net *n);
/* Is the peer sa in one of the n networks? */
bool httpd_net_match(const struct httpd_net *nets, unsigned n,
		     const struct sockaddr *sa);
/* Is the peer sa a loopback address (127.0.0.0/8, ::1)? */
bool httpd_sa_loopback(const struct sockaddr *sa);
/* The client of c as text ("127.0.0.1"); *loopback (may be NULL). */
void httpd_client(struct MHD_Connection *c, char *out, size_t cap,
		  bool *loopback);

#endif
