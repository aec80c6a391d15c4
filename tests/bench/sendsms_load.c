/*
 * sendsms_load.c - queues MTs through an HTTP "sendsms" interface (Kannel's
 * smsbox) as fast as it takes them, for benchmarks.
 *
 *   sendsms_load -p PORT -n COUNT -b FIRST [-c CONC] [-u USER] [-P PASS]
 *                [-f FROM] [-t TEXT] [-T SECS] [-q]
 *
 * Sends COUNT requests
 *
 *   GET /cgi-bin/sendsms?username=USER&password=PASS&from=FROM&to=N&text=TEXT
 *
 * to 127.0.0.1:PORT, N running from FIRST to FIRST + COUNT - 1, over CONC
 * (default 50) HTTP/1.1 keep-alive connections, one request awaiting its
 * response on each (the concurrency is bounded by CONC). A response with
 * a 2xx status counts as accepted, any other as refused (the first few
 * bodies are said on stderr); a connection the server closes is opened
 * again and its unanswered request sent again. Without a response for -T
 * SECS (default 60) it gives up. At the end it prints
 *
 *   sendsms: N requests in T s = R/s over C connections (K reopened);
 *     A accepted, E refused; sendsms_load CPU X s
 *
 * and exits 0 when every request was accepted, else 1. One thread on
 * epoll; helpers from bench_util.c. Responses are read by Content-Length
 * or until the server closes; chunked ones are not understood.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bench_util.h"

#define REQ_MAX		2048
#define RESP_MAX	8192
#define SHOW_REFUSED	3

struct hconn {
	int fd;
	long msg;			/* the request in flight, -1: none */
	char req[REQ_MAX];
	size_t req_len, req_off;
	char resp[RESP_MAX];
	size_t resp_len;
};

static struct {
	int port, epfd;
	long count, next, done, accepted, refused, reopened;
	unsigned long long first;
	char query[REQ_MAX / 2];	/* user, password, from, text */
	struct hconn *conns;
	int conc;
} S;

/* Appends s to dst (at most cap octets in all) with %XX for all but
 * unreserved characters. */
static void url_cat(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(dst);

	for (; *s && n + 4 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-_.~", ch))
			dst[n++] = ch;
		else
			n += sprintf(dst + n, "%%%02X", ch);
	}
	dst[n] = '\0';
}

static void make_query(const char *user, const char *pass, const char *from,
		       const char *text)
{
	size_t cap = sizeof(S.query);

	strcpy(S.query, "username=");
	url_cat(S.query, cap, user);
	strcat(S.query, "&password=");
	url_cat(S.query, cap, pass);
	strcat(S.query, "&from=");
	url_cat(S.query, cap, from);
	strcat(S.query, "&text=");
	url_cat(S.query, cap, text);
}

static void conn_open(struct hconn *h)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = h };
	int one = 1;

	sa.sin_port = htons((uint16_t)S.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0)
		bu_die("socket");
	if (connect(h->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bu_die("connect");
	setsockopt(h->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, h->fd, &ev) < 0)
		bu_die("epoll_ctl");
	h->resp_len = 0;
}

/* Sends what is left of h's request; EPOLLOUT while some is. */
static void conn_send(struct hconn *h)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = h };

	while (h->req_off < h->req_len) {
		ssize_t n = send(h->fd, h->req + h->req_off,
				 h->req_len - h->req_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			bu_die("send");
		h->req_off += n;
	}
	if (h->req_off < h->req_len)
		ev.events |= EPOLLOUT;
	if (epoll_ctl(S.epfd, EPOLL_CTL_MOD, h->fd, &ev) < 0)
		bu_die("epoll_ctl");
}

/* The next request on h, if any is left. */
static void conn_next(struct hconn *h)
{
	int n;

	h->msg = -1;
	if (S.next >= S.count)
		return;
	h->msg = S.next++;
	n = snprintf(h->req, sizeof(h->req),
		     "GET /cgi-bin/sendsms?%s&to=%llu HTTP/1.1\r\n"
		     "Host: 127.0.0.1:%d\r\nConnection: keep-alive\r\n\r\n",
		     S.query, S.first + (unsigned long long)h->msg, S.port);
	if (n < 0 || (size_t)n >= sizeof(h->req))
		bu_fail("request too long");
	h->req_len = n;
	h->req_off = 0;
	conn_send(h);
}

/* Closes h and opens it again; its request, if unanswered, goes again. */
static void conn_reopen(struct hconn *h)
{
	epoll_ctl(S.epfd, EPOLL_CTL_DEL, h->fd, NULL);
	close(h->fd);
	S.reopened++;
	conn_open(h);
	if (h->msg >= 0) {
		h->req_off = 0;
		conn_send(h);
	}
}

/* A response's status, the length of its head and of its body (-1: until
 * the server closes), and whether the server closes after it. 0 when the
 * head is not all there yet, -1 when it is not HTTP. */
static int parse_head(const char *r, size_t len, int *status, size_t *head,
		      long *body, int *close_after)
{
	const char *end = memmem(r, len, "\r\n\r\n", 4), *p;

	if (!end)
		return len >= RESP_MAX - 1 ? -1 : 0;
	*head = end + 4 - r;
	if (sscanf(r, "HTTP/1.%*d %d", status) != 1)
		return -1;
	*body = -1;
	*close_after = strncmp(r, "HTTP/1.0", 8) == 0;
	for (p = strstr(r, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
		if (!strncasecmp(p + 2, "Content-Length:", 15))
			*body = strtol(p + 17, NULL, 10);
		else if (!strncasecmp(p + 2, "Connection: close", 17))
			*close_after = 1;
		else if (!strncasecmp(p + 2, "Transfer-Encoding:", 18))
			bu_fail("a chunked response: not understood");
	}
	if (*body < 0)
		*close_after = 1;
	if (*body >= 0 && *head + *body >= RESP_MAX)
		return -1;		/* larger than sendsms answers */
	return 1;
}

/* Counts the answer to h's request; shows the first refusals. */
static void answered(struct hconn *h, int status, const char *body, size_t n)
{
	S.done++;
	if (status >= 200 && status < 300) {
		S.accepted++;
		return;
	}
	if (S.refused++ < SHOW_REFUSED)
		fprintf(stderr, "sendsms_load: request %ld: HTTP %d: %.*s\n",
			h->msg, status, (int)(n > 200 ? 200 : n), body);
}

/* Handles what h read; eof: the server closed. */
static void on_response(struct hconn *h, int eof)
{
	int status, close_after, got;
	size_t head;
	long body;

	got = parse_head(h->resp, h->resp_len, &status, &head, &body,
			 &close_after);
	if (got < 0)
		bu_fail("a response that is not HTTP");
	if (!got || h->msg < 0) {
		if (eof)
			conn_reopen(h);
		return;
	}
	if (body >= 0 && h->resp_len < head + body)
		return;
	if (body < 0 && !eof)
		return;
	answered(h, status, h->resp + head, h->resp_len - head);
	h->resp_len = 0;
	h->msg = -1;
	if (close_after || eof)
		conn_reopen(h);
	conn_next(h);
}

static void on_readable(struct hconn *h)
{
	for (;;) {
		ssize_t n = recv(h->fd, h->resp + h->resp_len,
				 RESP_MAX - 1 - h->resp_len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {		/* closed (or reset) by the server */
			on_response(h, 1);
			return;
		}
		h->resp_len += n;
		h->resp[h->resp_len] = '\0';
		on_response(h, 0);
		if (h->resp_len == 0 && h->msg < 0)
			return;
	}
}

static void usage(void)
{
	fputs("usage: sendsms_load -p PORT -n COUNT -b FIRST [-c CONC] [-u USER]\n"
	      "                    [-P PASS] [-f FROM] [-t TEXT] [-T SECS] [-q]\n"
	      "  -p PORT   the sendsms interface on 127.0.0.1\n"
	      "  -n COUNT  requests, to FIRST .. FIRST + COUNT - 1\n"
	      "  -c CONC   keep-alive connections, one request each (50)\n"
	      "  -u, -P    username and password (bench, bench)\n"
	      "  -f FROM   the sender (12333); -t TEXT the text\n"
	      "  -T SECS   give up after this long without a response (60)\n",
	      stderr);
	exit(2);
}

static void options(int argc, char **argv, double *stall)
{
	const char *user = "bench", *pass = "bench", *from = "12333";
	const char *text = "skillgw bench message";
	int opt;

	S.conc = 50;
	while ((opt = getopt(argc, argv, "p:n:b:c:u:P:f:t:T:qh")) != -1) {
		switch (opt) {
		case 'p': S.port = bu_opt_long(optarg, 1, 65535, opt); break;
		case 'n': S.count = bu_opt_long(optarg, 1, LONG_MAX, opt); break;
		case 'b': S.first = bu_opt_long(optarg, 1, LONG_MAX, opt); break;
		case 'c': S.conc = bu_opt_long(optarg, 1, 10000, opt); break;
		case 'u': user = optarg; break;
		case 'P': pass = optarg; break;
		case 'f': from = optarg; break;
		case 't': text = optarg; break;
		case 'T': *stall = bu_opt_double(optarg, 1, 86400, opt); break;
		case 'q': bu_quiet = 1; break;
		default: usage();
		}
	}
	if (!S.port || !S.count || !S.first || optind != argc)
		usage();
	make_query(user, pass, from, text);
}

/* Runs until every request is answered; 0, or -1 on a stall. */
static int run(double stall)
{
	struct epoll_event ev[64];
	int64_t last = bu_now_ns();
	int i;

	for (i = 0; i < S.conc; i++) {
		S.conns[i].msg = -1;
		conn_open(&S.conns[i]);
		conn_next(&S.conns[i]);
	}
	while (S.done < S.count) {
		int n = epoll_wait(S.epfd, ev, 64, 1000);
		long before = S.done;

		if (n < 0 && errno != EINTR)
			bu_die("epoll_wait");
		for (i = 0; i < n; i++) {
			struct hconn *h = ev[i].data.ptr;

			if (ev[i].events & EPOLLOUT)
				conn_send(h);
			if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				on_readable(h);
		}
		if (S.done != before)
			last = bu_now_ns();
		else if (bu_now_ns() - last > (int64_t)(stall * BU_NS))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	double stall = 60, secs;
	int64_t t0;
	int rc;

	bu_prog = "sendsms_load";
	signal(SIGPIPE, SIG_IGN);
	options(argc, argv, &stall);
	S.conns = bu_xcalloc(S.conc, sizeof(*S.conns));
	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (S.epfd < 0)
		bu_die("epoll_create1");
	t0 = bu_now_ns();
	rc = run(stall);
	secs = (bu_now_ns() - t0) / 1e9;
	if (rc < 0)
		fprintf(stderr, "sendsms_load: no response for %.0f s, %ld of "
			"%ld answered: given up\n", stall, S.done, S.count);
	printf("sendsms: %ld requests in %.3f s = %.0f/s over %d connections "
	       "(%ld reopened); %ld accepted, %ld refused; sendsms_load CPU "
	       "%.2f s\n", S.done, secs, secs > 0 ? S.done / secs : 0, S.conc,
	       S.reopened, S.accepted, S.refused, bu_self_cpu());
	return rc == 0 && S.accepted == S.count ? 0 : 1;
}
