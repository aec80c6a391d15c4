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
 * It is one thread on epoll and hand-codes the few PDUs it needs (the
 * helpers it shares with mo_load.c are in smpp_min.c): no SMPP library is
 * on the measured path. Each readable connection is drained until
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
#include <errno.h>
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

#include "smpp_min.h"

#define IN_CAP		(1024 * 1024)		/* >= SM_PDU_MAX, read buffer */
#define OUT_HIGH	(8 * 1024 * 1024)	/* stop reading above this */
#define MAX_EVENTS	64

#define TLV_RECEIPTED_MSG_ID	0x001E
#define TLV_MESSAGE_STATE	0x0427

enum bind_kind { B_NONE, B_TX, B_RX, B_TRX };

struct conn {
	int fd;
	enum bind_kind bound;
	uint32_t seq;			/* our own outbound sequence numbers */
	uint8_t *in;
	size_t in_len;
	struct sm_buf out;
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

static void ep_update(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };
	int want_out = sm_buf_pending(&c->out) > 0;
	int reading = !c->closing && sm_buf_pending(&c->out) < OUT_HIGH;

	if (want_out == c->want_out && reading == c->reading)
		return;
	ev.events = (reading ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0);
	if (epoll_ctl(S.epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		sm_die("epoll_ctl");
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
	free(c->out.p);
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
	if (sm_flush(c->fd, &c->out) < 0) {
		logf_("fd %d: send: %s", c->fd, strerror(errno));
		return -1;
	}
	if (!sm_buf_pending(&c->out) && c->closing)
		return -1;
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

	if (sm_get_cstr(&p, end, NULL, 6) == 0 && end - p >= 2) {
		src_ton = p[0];
		src_npi = p[1];
		p += 2;
		if (sm_get_cstr(&p, end, src, 21) == 0 && end - p >= 2) {
			dst_ton = p[0];
			dst_npi = p[1];
			p += 2;
			if (sm_get_cstr(&p, end, dst, 21) < 0)
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
	q = sm_wr16(q, TLV_RECEIPTED_MSG_ID);
	q = sm_wr16(q, idlen + 1);
	memcpy(q, id, idlen + 1);
	q += idlen + 1;
	q = sm_wr16(q, TLV_MESSAGE_STATE);
	q = sm_wr16(q, 1);
	*q++ = 2;				/* DELIVERED */

	r->seq = r->seq >= 0x7FFFFFFFu ? 1 : r->seq + 1;
	sm_put_pdu(&r->out, SM_DELIVER_SM, SM_ESME_ROK, r->seq, body, q - body);
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
	idlen = sm_utoa10(id, ++S.next_msgid);
	sm_put_pdu(&c->out, SM_SUBMIT_SM | SM_RESP_BIT, SM_ESME_ROK, seq, id,
		   idlen + 1);
	if (S.dlr && (r = dlr_conn(c)))
		put_receipt(r, b, blen, id, idlen);
}

static void on_bind(struct conn *c, uint32_t id, uint32_t seq)
{
	static const char sysid[] = "smsc_sink";

	c->bound = id == SM_BIND_TRANSCEIVER ? B_TRX :
		   id == SM_BIND_TRANSMITTER ? B_TX : B_RX;
	logf_("fd %d: bound as %s", c->fd,
	      c->bound == B_TRX ? "transceiver" :
	      c->bound == B_TX ? "transmitter" : "receiver");
	sm_put_pdu(&c->out, id | SM_RESP_BIT, SM_ESME_ROK, seq, sysid,
		   sizeof(sysid));
}

/* Answers one complete PDU. */
static void on_pdu(struct conn *c, const uint8_t *pdu, uint32_t len)
{
	uint32_t id = sm_rd32(pdu + 4), seq = sm_rd32(pdu + 12);

	switch (id) {
	case SM_SUBMIT_SM:
		on_submit(c, seq, pdu + SM_HDR_LEN, len - SM_HDR_LEN);
		break;
	case SM_BIND_TRANSCEIVER:
	case SM_BIND_TRANSMITTER:
	case SM_BIND_RECEIVER:
		on_bind(c, id, seq);
		break;
	case SM_ENQUIRE_LINK:
		sm_put_pdu(&c->out, SM_ENQUIRE_LINK | SM_RESP_BIT, SM_ESME_ROK,
			   seq, NULL, 0);
		break;
	case SM_UNBIND:
		logf_("fd %d: unbind", c->fd);
		sm_put_pdu(&c->out, SM_UNBIND | SM_RESP_BIT, SM_ESME_ROK, seq,
			   NULL, 0);
		c->bound = B_NONE;
		c->closing = 1;
		S.got_unbind = 1;
		break;
	default:
		if (id & SM_RESP_BIT)	/* deliver_sm_resp, enquire_link_resp… */
			break;
		sm_put_pdu(&c->out, SM_GENERIC_NACK, SM_ESME_RINVCMDID, seq,
			   NULL, 0);
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
		while (!c->closing) {
			uint32_t len;
			int got = sm_pdu_len(c->in + off, c->in_len - off, &len);

			if (got < 0) {
				fprintf(stderr, "sink: fd %d: bad command_length"
					" %u, closing\n", c->fd, len);
				return -1;
			}
			if (!got)
				break;
			on_pdu(c, c->in + off, len);
			off += len;
		}
		if (off) {
			memmove(c->in, c->in + off, c->in_len - off);
			c->in_len -= off;
		}
		if (c->closing || sm_buf_pending(&c->out) >= OUT_HIGH)
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
		int fd = sm_accept(lfd);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				logf_("accept: %s", strerror(errno));
			return;
		}
		c = calloc(1, sizeof(*c));
		if (!c || !(c->in = malloc(IN_CAP)))
			sm_die("malloc");
		c->fd = fd;
		c->reading = 1;
		c->next = S.conns;
		S.conns = c;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			sm_die("epoll_ctl");
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
	struct epoll_event ev, evs[MAX_EVENTS];
	sigset_t mask;
	int opt, lfd, sfd;
	long port = -1;
	const char *port_file = NULL;
	static char lmark, smark;	/* epoll tags for the two fixed fds */

	sm_prog = "sink";

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
		sm_die("sigprocmask");
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		sm_die("signalfd");

	lfd = sm_listen(port, &port);
	if (port_file)
		sm_write_port_file(port_file, port);

	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (S.epfd < 0)
		sm_die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.ptr = &lmark;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		sm_die("epoll_ctl");
	ev.data.ptr = &smark;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, sfd, &ev) < 0)
		sm_die("epoll_ctl");
	logf_("listening on 127.0.0.1:%ld%s", port,
	      S.dlr ? ", receipts on" : "");

	while (!S.done) {
		int i, n = epoll_wait(S.epfd, evs, MAX_EVENTS, -1);
		struct conn *c;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			sm_die("epoll_wait");
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

			if ((sm_buf_pending(&c->out) || c->closing) &&
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
