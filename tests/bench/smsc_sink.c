/*
 * smsc_sink.c - a fast SMPP 3.4 SMSC that accepts everything, for benchmarks.
 *
 *   smsc_sink -p PORT [-d] [-q] [-f FILE]
 *
 * Listens on 127.0.0.1:PORT (0: any free port; -f FILE then tells which,
 * and its appearance tells a script the sink is listening) and accepts any number of ESME connections. It
 * answers bind_transceiver / bind_transmitter / bind_receiver (always OK),
 * enquire_link and unbind, and every submit_sm at once with a submit_sm_resp
 * whose message_id is a decimal counter. With -d it also sends, for every
 * submit_sm, a delivery receipt deliver_sm (esm_class 0x04, the `id:… stat:`
 * text plus the receipted_message_id and message_state = 2 TLVs) on the same
 * connection if it is a transceiver, else on a bound receiver; the ESME's
 * deliver_sm_resp is read and ignored. Unknown commands get generic_nack.
 * -q silences the per-connection log lines on stderr.
 *
 * It is one thread on epoll and hand-codes the few PDUs it needs: no SMPP
 * library is on the measured path. Each readable connection is drained until
 * EAGAIN, every complete PDU in the buffer is answered into one output
 * buffer, and that buffer leaves in as few send() calls as the kernel allows,
 * so a window of N submits costs one read and one write rather than N of
 * each. Framing handles PDUs split across reads; a command_length below 16
 * or above 64 KiB closes that connection. When the output buffer backs up
 * (the ESME is not reading) the sink stops reading from it until it drains.
 *
 * It counts submit_sm and, on SIGTERM / SIGINT or when the last bound ESME
 * unbinds, prints one line to stdout and exits 0:
 *
 *   sink: N submit_sm in T s (R/s)
 *
 * where T runs from the first submit_sm to the last one received.
 */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define HDR_LEN		16
#define PDU_MAX		(64 * 1024)
#define IN_CAP		(1024 * 1024)		/* >= PDU_MAX, read buffer */
#define OUT_HIGH	(8 * 1024 * 1024)	/* stop reading above this */
#define MAX_EVENTS	64

#define GENERIC_NACK		0x80000000u
#define BIND_RECEIVER		0x00000001u
#define BIND_TRANSMITTER	0x00000002u
#define SUBMIT_SM		0x00000004u
#define DELIVER_SM		0x00000005u
#define UNBIND			0x00000006u
#define BIND_TRANSCEIVER	0x00000009u
#define ENQUIRE_LINK		0x00000015u
#define RESP_BIT		0x80000000u

#define ESME_ROK		0x00
#define ESME_RINVCMDID		0x03

#define TLV_RECEIPTED_MSG_ID	0x001E
#define TLV_MESSAGE_STATE	0x0427

enum bind_kind { B_NONE, B_TX, B_RX, B_TRX };

struct conn {
	int fd;
	enum bind_kind bound;
	uint32_t seq;			/* our own outbound sequence numbers */
	uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	int want_out;			/* EPOLLOUT registered */
	int reading;			/* EPOLLIN registered */
	int closing;			/* close once output is flushed */
	struct conn *next;
};

static struct {
	int quiet;
	int dlr;
	int epfd;
	struct conn *conns;
	unsigned long long submits;
	unsigned long long next_msgid;
	struct timespec first, last;
	int got_unbind;
	int done;
} S;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	if (S.quiet)
		return;
	va_start(ap, fmt);
	fputs("sink: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void die(const char *what)
{
	fprintf(stderr, "sink: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return p + 4;
}

static uint8_t *wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
	return p + 2;
}

/* Writes the decimal form of v with a NUL; returns the length without it. */
static size_t utoa10(char *dst, unsigned long long v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	dst[n] = '\0';
	return n;
}

/* Room for `need` more octets at the end of the output buffer. */
static uint8_t *out_reserve(struct conn *c, size_t need)
{
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + need > c->out_cap) {
		if (c->out_off) {
			memmove(c->out, c->out + c->out_off,
				c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		if (c->out_len + need > c->out_cap) {
			size_t cap = c->out_cap ? c->out_cap : 65536;
			uint8_t *nb;

			while (cap < c->out_len + need)
				cap *= 2;
			nb = realloc(c->out, cap);
			if (!nb)
				die("realloc");
			c->out = nb;
			c->out_cap = cap;
		}
	}
	return c->out + c->out_len;
}

/* Appends a PDU whose body is `body`/`blen` (may be 0). */
static void put_pdu(struct conn *c, uint32_t id, uint32_t status, uint32_t seq,
		    const void *body, size_t blen)
{
	uint8_t *p = out_reserve(c, HDR_LEN + blen);

	p = wr32(p, HDR_LEN + blen);
	p = wr32(p, id);
	p = wr32(p, status);
	p = wr32(p, seq);
	if (blen)
		memcpy(p, body, blen);
	c->out_len += HDR_LEN + blen;
}

static void ep_update(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };
	int want_out = c->out_len > c->out_off;
	int reading = !c->closing && c->out_len - c->out_off < OUT_HIGH;

	if (want_out == c->want_out && reading == c->reading)
		return;
	ev.events = (reading ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0);
	if (epoll_ctl(S.epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		die("epoll_ctl");
	c->want_out = want_out;
	c->reading = reading;
}

/* Closes c; clears later events of the current epoll batch that name it. */
static void conn_drop(struct conn *c, struct epoll_event *later, int nlater)
{
	struct conn **pp;

	for (pp = &S.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	epoll_ctl(S.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
	for (int i = 0; i < nlater; i++)
		if (later[i].data.ptr == c)
			later[i].data.ptr = NULL;
}

static int any_bound_or_closing(void)
{
	struct conn *c;

	for (c = S.conns; c; c = c->next)
		if (c->bound != B_NONE || c->closing)
			return 1;
	return 0;
}

/* Sends what is buffered. 0, or -1 when the connection is gone. */
static int flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			logf_("fd %d: send: %s", c->fd, strerror(errno));
			return -1;
		}
		c->out_off += n;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->closing)
			return -1;
	}
	return 0;
}

/* The connection a receipt for a submit on `c` goes out on, or NULL. */
static struct conn *dlr_conn(struct conn *c)
{
	struct conn *r;

	if (c->bound == B_TRX)
		return c;
	for (r = S.conns; r; r = r->next)
		if ((r->bound == B_RX || r->bound == B_TRX) && !r->closing)
			return r;
	return NULL;
}

/* Skips a C-octet string of at most `max` octets incl. NUL at *p; copies it
 * to dst (cap >= max). -1 when it runs past end or is too long. */
static int get_cstr(const uint8_t **p, const uint8_t *end, char *dst,
		    size_t max)
{
	size_t i;

	for (i = 0; *p + i < end && i < max; i++)
		if ((*p)[i] == 0) {
			if (dst)
				memcpy(dst, *p, i + 1);
			*p += i + 1;
			return 0;
		}
	return -1;
}

/*
 * Builds a delivery receipt for the submit_sm body `b`/`blen` (acknowledged
 * with message id `id`) on connection r. The original destination becomes
 * the source and vice versa; a body too short to parse gets empty addresses.
 */
static void put_receipt(struct conn *r, const uint8_t *b, size_t blen,
			const char *id, size_t idlen)
{
	const uint8_t *p = b, *end = b + blen;
	char src[22] = "", dst[22] = "";
	uint8_t src_ton = 0, src_npi = 0, dst_ton = 0, dst_npi = 0;
	uint8_t body[512], *q = body;
	char text[160];
	int tlen;

	if (get_cstr(&p, end, NULL, 6) == 0 && end - p >= 2) {
		src_ton = p[0];
		src_npi = p[1];
		p += 2;
		if (get_cstr(&p, end, src, 21) == 0 && end - p >= 2) {
			dst_ton = p[0];
			dst_npi = p[1];
			p += 2;
			if (get_cstr(&p, end, dst, 21) < 0)
				dst[0] = '\0';
		} else {
			src[0] = '\0';
		}
	}
	tlen = snprintf(text, sizeof(text),
			"id:%s sub:001 dlvrd:001 submit date:2401010000 "
			"done date:2401010000 stat:DELIVRD err:000 text:", id);
	if (tlen < 0 || tlen > 254)
		tlen = 0;

	*q++ = 0;				/* service_type "" */
	*q++ = dst_ton;
	*q++ = dst_npi;
	q = (uint8_t *)stpcpy((char *)q, dst) + 1;
	*q++ = src_ton;
	*q++ = src_npi;
	q = (uint8_t *)stpcpy((char *)q, src) + 1;
	*q++ = 0x04;				/* esm_class: SMSC receipt */
	*q++ = 0;				/* protocol_id */
	*q++ = 0;				/* priority_flag */
	*q++ = 0;				/* schedule_delivery_time */
	*q++ = 0;				/* validity_period */
	*q++ = 0;				/* registered_delivery */
	*q++ = 0;				/* replace_if_present */
	*q++ = 0;				/* data_coding */
	*q++ = 0;				/* sm_default_msg_id */
	*q++ = (uint8_t)tlen;
	memcpy(q, text, tlen);
	q += tlen;
	q = wr16(q, TLV_RECEIPTED_MSG_ID);
	q = wr16(q, idlen + 1);
	memcpy(q, id, idlen + 1);
	q += idlen + 1;
	q = wr16(q, TLV_MESSAGE_STATE);
	q = wr16(q, 1);
	*q++ = 2;				/* DELIVERED */

	r->seq = r->seq >= 0x7FFFFFFFu ? 1 : r->seq + 1;
	put_pdu(r, DELIVER_SM, ESME_ROK, r->seq, body, q - body);
}

static void on_submit(struct conn *c, uint32_t seq, const uint8_t *b,
		      size_t blen)
{
	char id[24];
	size_t idlen;
	struct conn *r;

	if (S.submits == 0)
		clock_gettime(CLOCK_MONOTONIC, &S.first);
	S.submits++;
	idlen = utoa10(id, ++S.next_msgid);
	put_pdu(c, SUBMIT_SM | RESP_BIT, ESME_ROK, seq, id, idlen + 1);
	if (S.dlr && (r = dlr_conn(c)))
		put_receipt(r, b, blen, id, idlen);
}

static void on_bind(struct conn *c, uint32_t id, uint32_t seq)
{
	static const char sysid[] = "smsc_sink";

	c->bound = id == BIND_TRANSCEIVER ? B_TRX :
		   id == BIND_TRANSMITTER ? B_TX : B_RX;
	logf_("fd %d: bound as %s", c->fd,
	      c->bound == B_TRX ? "transceiver" :
	      c->bound == B_TX ? "transmitter" : "receiver");
	put_pdu(c, id | RESP_BIT, ESME_ROK, seq, sysid, sizeof(sysid));
}

/* Answers one complete PDU. */
static void on_pdu(struct conn *c, const uint8_t *pdu, uint32_t len)
{
	uint32_t id = rd32(pdu + 4), seq = rd32(pdu + 12);

	switch (id) {
	case SUBMIT_SM:
		on_submit(c, seq, pdu + HDR_LEN, len - HDR_LEN);
		break;
	case BIND_TRANSCEIVER:
	case BIND_TRANSMITTER:
	case BIND_RECEIVER:
		on_bind(c, id, seq);
		break;
	case ENQUIRE_LINK:
		put_pdu(c, ENQUIRE_LINK | RESP_BIT, ESME_ROK, seq, NULL, 0);
		break;
	case UNBIND:
		logf_("fd %d: unbind", c->fd);
		put_pdu(c, UNBIND | RESP_BIT, ESME_ROK, seq, NULL, 0);
		c->bound = B_NONE;
		c->closing = 1;
		S.got_unbind = 1;
		break;
	default:
		if (id & RESP_BIT)	/* deliver_sm_resp, enquire_link_resp… */
			break;
		put_pdu(c, GENERIC_NACK, ESME_RINVCMDID, seq, NULL, 0);
		break;
	}
}

/* Reads until EAGAIN and answers every complete PDU. -1: drop connection. */
static int on_readable(struct conn *c)
{
	unsigned long long before = S.submits;

	for (;;) {
		size_t off = 0;
		ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len,
				 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			logf_("fd %d: recv: %s", c->fd, strerror(errno));
			return -1;
		}
		if (n == 0) {
			logf_("fd %d: closed by peer", c->fd);
			return -1;
		}
		c->in_len += n;
		while (c->in_len - off >= HDR_LEN && !c->closing) {
			uint32_t len = rd32(c->in + off);

			if (len < HDR_LEN || len > PDU_MAX) {
				fprintf(stderr, "sink: fd %d: bad command_length"
					" %u, closing\n", c->fd, len);
				return -1;
			}
			if (c->in_len - off < len)
				break;
			on_pdu(c, c->in + off, len);
			off += len;
		}
		if (off) {
			memmove(c->in, c->in + off, c->in_len - off);
			c->in_len -= off;
		}
		if (c->closing || c->out_len - c->out_off >= OUT_HIGH)
			break;
	}
	if (S.submits != before)
		clock_gettime(CLOCK_MONOTONIC, &S.last);
	return 0;
}

static void on_accept(int lfd)
{
	for (;;) {
		struct epoll_event ev;
		struct conn *c;
		int one = 1;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				logf_("accept: %s", strerror(errno));
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c || !(c->in = malloc(IN_CAP)))
			die("malloc");
		c->fd = fd;
		c->reading = 1;
		c->next = S.conns;
		S.conns = c;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			die("epoll_ctl");
		logf_("fd %d: connected", fd);
	}
}

static void report(void)
{
	double t = 0;

	if (S.submits)
		t = (S.last.tv_sec - S.first.tv_sec) +
		    (S.last.tv_nsec - S.first.tv_nsec) / 1e9;
	printf("sink: %llu submit_sm in %.3f s (%.0f/s)\n", S.submits, t,
	       t > 0 ? S.submits / t : 0.0);
	fflush(stdout);
}

/* Writes the port through a temporary name and rename(), so a reader that
 * sees FILE sees the whole number. */
static void write_port_file(const char *path, long port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%ld\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		die(path);
}

static void usage(void)
{
	fputs("usage: smsc_sink -p PORT [-d] [-q] [-f FILE]\n"
	      "  -p PORT  listen on 127.0.0.1:PORT (0: a free port)\n"
	      "  -d       send a delivery receipt for every submit_sm\n"
	      "  -q       no connection log on stderr\n"
	      "  -f FILE  once listening, write the port number to FILE\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev, evs[MAX_EVENTS];
	sigset_t mask;
	int opt, lfd, sfd, one = 1;
	long port = -1;
	const char *port_file = NULL;
	socklen_t salen = sizeof(sa);
	static char lmark, smark;	/* epoll tags for the two fixed fds */

	while ((opt = getopt(argc, argv, "p:dqf:h")) != -1) {
		switch (opt) {
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 'd':
			S.dlr = 1;
			break;
		case 'q':
			S.quiet = 1;
			break;
		case 'f':
			port_file = optarg;
			break;
		default:
			usage();
		}
	}
	if (port < 0 || port > 65535 || optind != argc)
		usage();

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		die("sigprocmask");
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd");

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(lfd, 16) < 0)
		die("listen");
	if (getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0)
		die("getsockname");
	port = ntohs(sa.sin_port);
	if (port_file)
		write_port_file(port_file, port);

	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (S.epfd < 0)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.ptr = &lmark;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll_ctl");
	ev.data.ptr = &smark;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, sfd, &ev) < 0)
		die("epoll_ctl");
	logf_("listening on 127.0.0.1:%ld%s", port,
	      S.dlr ? ", receipts on" : "");

	while (!S.done) {
		int i, n = epoll_wait(S.epfd, evs, MAX_EVENTS, -1);
		struct conn *c;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			if (!evs[i].data.ptr)	/* freed earlier in this batch */
				continue;
			if (evs[i].data.ptr == &lmark) {
				on_accept(lfd);
				continue;
			}
			if (evs[i].data.ptr == &smark) {
				S.done = 1;
				continue;
			}
			c = evs[i].data.ptr;
			if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
			    on_readable(c) < 0)
				conn_drop(c, evs + i + 1, n - i - 1);
		}
		/* Flush every connection with pending output: a submit on a
		 * transmitter may have queued a receipt on another one. */
		for (c = S.conns; c;) {
			struct conn *nx = c->next;

			if ((c->out_len > c->out_off || c->closing) &&
			    flush_out(c) < 0)
				conn_drop(c, NULL, 0);
			else
				ep_update(c);
			c = nx;
		}
		/* An ESME unbound and none is left bound: the run is over. */
		if (S.got_unbind && !any_bound_or_closing())
			S.done = 1;
	}
	report();
	return 0;
}
