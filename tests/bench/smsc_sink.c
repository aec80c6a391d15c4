/*
 * smsc_sink.c - a fast SMPP 3.4 SMSC that accepts everything, for benchmarks.
 *
 *   smsc_sink -p PORT [-d] [-q] [-f FILE] [-n COUNT] [-s FILE]
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
 * With -n COUNT it prints, as soon as COUNT submit_sm have come,
 *
 *   sink: COUNT submit_sm, the last at UNIX_TIME
 *
 * (CLOCK_REALTIME with nanoseconds, to be set against a script's `date
 * +%s.%N`) and goes on as before; with -s FILE it writes the count of
 * submit_sm so far to FILE about once a second (a script sees progress,
 * or a stall).
 *
 * It is one thread on epoll and hand-codes the few PDUs it needs (the
 * helpers it shares with mo_load.c and ussd_load.c are in smpp_min.c and
 * bench_util.c): no SMPP library is
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "smpp_min.h"

#define OUT_HIGH	(8 * 1024 * 1024)	/* stop reading above this */
#define MAX_EVENTS	64

#define TLV_RECEIPTED_MSG_ID	0x001E
#define TLV_MESSAGE_STATE	0x0427

static struct {
	int dlr;
	int epfd;
	struct sm_conn *conns;
	unsigned long long submits;
	unsigned long long next_msgid;
	struct timespec first, last;
	unsigned long long count;	/* -n */
	const char *progress;		/* -s */
	int64_t progress_at;
	int got_unbind;
	int done;
} S;

/* Closes c; clears later events of the current epoll batch that name it. */
static void conn_drop(struct sm_conn *c, struct epoll_event *later, int nlater)
{
	struct sm_conn **pp;

	for (pp = &S.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	sm_conn_free(S.epfd, c);
	for (int i = 0; i < nlater; i++)
		if (later[i].data.ptr == c)
			later[i].data.ptr = NULL;
}

static int any_bound_or_closing(void)
{
	struct sm_conn *c;

	for (c = S.conns; c; c = c->next)
		if (c->bound != SM_B_NONE || c->closing)
			return 1;
	return 0;
}

/* Sends what is buffered. 0, or -1 when the connection is gone. */
static int flush_out(struct sm_conn *c)
{
	if (sm_flush(c->fd, &c->out) < 0) {
		bu_log("fd %d: send: %s", c->fd, strerror(errno));
		return -1;
	}
	if (!sm_buf_pending(&c->out) && c->closing)
		return -1;
	return 0;
}

/* The connection a receipt for a submit on `c` goes out on, or NULL. */
static struct sm_conn *dlr_conn(struct sm_conn *c)
{
	struct sm_conn *r;

	if (c->bound == SM_B_TRX)
		return c;
	for (r = S.conns; r; r = r->next)
		if ((r->bound == SM_B_RX || r->bound == SM_B_TRX) && !r->closing)
			return r;
	return NULL;
}

/*
 * Builds a delivery receipt for the submit_sm body `b`/`blen` (acknowledged
 * with message id `id`) on connection r. The original destination becomes
 * the source and vice versa; a body too short to parse gets empty addresses.
 */
static void put_receipt(struct sm_conn *r, const uint8_t *b, size_t blen,
			const char *id, size_t idlen)
{
	struct sm_sm s;
	uint8_t body[512], *q;
	char text[160];
	int tlen;

	if (sm_parse_sm(b, blen, &s) < 0)
		memset(&s, 0, sizeof(s));
	tlen = snprintf(text, sizeof(text),
			"id:%s sub:001 dlvrd:001 submit date:2401010000 "
			"done date:2401010000 stat:DELIVRD err:000 text:", id);
	if (tlen < 0 || tlen > 254)
		tlen = 0;
	/* esm_class 0x04: an SMSC delivery receipt */
	q = sm_put_sm(body, &s.dst, &s.src, 0x04, 0, text, (uint8_t)tlen);
	q = sm_wr16(q, TLV_RECEIPTED_MSG_ID);
	q = sm_wr16(q, idlen + 1);
	memcpy(q, id, idlen + 1);
	q += idlen + 1;
	q = sm_wr16(q, TLV_MESSAGE_STATE);
	q = sm_wr16(q, 1);
	*q++ = 2;				/* DELIVERED */
	sm_put_pdu(&r->out, SM_DELIVER_SM, SM_ESME_ROK, sm_conn_seq(r), body,
		   q - body);
}

/* -n: the line that tells a script the COUNT-th submit_sm has come. */
static void count_reached(void)
{
	printf("sink: %llu submit_sm, the last at %.6f\n", S.count, bu_wall_s());
	fflush(stdout);
}

static void on_submit(struct sm_conn *c, uint32_t seq, const uint8_t *b,
		      size_t blen)
{
	char id[24];
	size_t idlen;
	struct sm_conn *r;

	if (S.submits == 0)
		clock_gettime(CLOCK_MONOTONIC, &S.first);
	if (++S.submits == S.count)
		count_reached();
	idlen = sm_utoa10(id, ++S.next_msgid);
	sm_put_pdu(&c->out, SM_SUBMIT_SM | SM_RESP_BIT, SM_ESME_ROK, seq, id,
		   idlen + 1);
	if (S.dlr && (r = dlr_conn(c)))
		put_receipt(r, b, blen, id, idlen);
}

/* Answers one complete PDU. */
static void on_pdu(struct sm_conn *c, const uint8_t *pdu, uint32_t len,
		   void *arg)
{
	uint32_t id = sm_rd32(pdu + 4), seq = sm_rd32(pdu + 12);

	if (id == SM_SUBMIT_SM) {
		on_submit(c, seq, pdu + SM_HDR_LEN, len - SM_HDR_LEN);
		return;
	}
	/* deliver_sm_resp, enquire_link_resp… are left alone */
	sm_answer_admin(c, id, seq, "smsc_sink");
	if (id == SM_UNBIND)
		S.got_unbind = 1;
}

/* Reads and answers. -1: drop the connection. */
static int on_readable(struct sm_conn *c)
{
	unsigned long long before = S.submits;

	if (sm_conn_read(c, on_pdu, NULL, OUT_HIGH) < 0)
		return -1;
	if (S.submits != before)
		clock_gettime(CLOCK_MONOTONIC, &S.last);
	return 0;
}

static void on_accept(int lfd)
{
	struct sm_conn *c;

	while ((c = sm_conn_accept(S.epfd, lfd))) {
		c->next = S.conns;
		S.conns = c;
	}
}

/* -s: the count so far, at most once a second. */
static void write_progress(void)
{
	int64_t now = bu_now_ns();
	char tmp[4096];
	FILE *f;

	if (!S.progress || now < S.progress_at)
		return;
	S.progress_at = now + BU_NS;
	snprintf(tmp, sizeof(tmp), "%s.tmp", S.progress);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%llu\n", S.submits) < 0 || fclose(f) != 0 ||
	    rename(tmp, S.progress) < 0)
		bu_die(S.progress);
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
	fputs("usage: smsc_sink -p PORT [-d] [-q] [-f FILE] [-n COUNT] [-s FILE]\n"
	      "  -p PORT   listen on 127.0.0.1:PORT (0: a free port)\n"
	      "  -d        send a delivery receipt for every submit_sm\n"
	      "  -q        no connection log on stderr\n"
	      "  -f FILE   once listening, write the port number to FILE\n"
	      "  -n COUNT  print the time of the COUNT-th submit_sm\n"
	      "  -s FILE   write the count of submit_sm to FILE each second\n",
	      stderr);
	exit(2);
}

static void options(int argc, char **argv, long *port, const char **port_file)
{
	int opt;

	while ((opt = getopt(argc, argv, "p:dqf:n:s:h")) != -1) {
		switch (opt) {
		case 'p': *port = bu_opt_long(optarg, 0, 65535, opt); break;
		case 'd': S.dlr = 1; break;
		case 'q': bu_quiet = 1; break;
		case 'f': *port_file = optarg; break;
		case 'n': S.count = bu_opt_long(optarg, 1, 1L << 40, opt); break;
		case 's': S.progress = optarg; break;
		default: usage();
		}
	}
	if (*port < 0 || optind != argc)
		usage();
}

/* Handles one batch of events; lmark and smark tag the two fixed fds. */
static void handle(struct epoll_event *evs, int n, int lfd, void *lmark,
		   void *smark)
{
	for (int i = 0; i < n; i++) {
		struct sm_conn *c = evs[i].data.ptr;

		if (!c)			/* freed earlier in this batch */
			continue;
		if (evs[i].data.ptr == lmark) {
			on_accept(lfd);
			continue;
		}
		if (evs[i].data.ptr == smark) {
			S.done = 1;
			continue;
		}
		if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
		    on_readable(c) < 0)
			conn_drop(c, evs + i + 1, n - i - 1);
	}
}

/* Flushes every connection with pending output: a submit on a transmitter
 * may have queued a receipt on another one. */
static void flush_all(void)
{
	struct sm_conn *c, *nx;

	for (c = S.conns; c; c = nx) {
		nx = c->next;
		if ((sm_buf_pending(&c->out) || c->closing) && flush_out(c) < 0)
			conn_drop(c, NULL, 0);
		else
			sm_conn_watch(S.epfd, c, OUT_HIGH);
	}
}

int main(int argc, char **argv)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[MAX_EVENTS];
	const char *port_file = NULL;
	long port = -1;
	int lfd, sfd;
	static char lmark, smark;	/* epoll tags for the two fixed fds */

	bu_prog = "sink";
	options(argc, argv, &port, &port_file);
	sfd = bu_signalfd(0);
	lfd = sm_listen(port, &port);
	if (port_file)
		sm_write_port_file(port_file, port);

	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (S.epfd < 0)
		bu_die("epoll_create1");
	ev.data.ptr = &lmark;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		bu_die("epoll_ctl");
	ev.data.ptr = &smark;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, sfd, &ev) < 0)
		bu_die("epoll_ctl");
	bu_log("listening on 127.0.0.1:%ld%s", port,
	       S.dlr ? ", receipts on" : "");

	while (!S.done) {
		int n = epoll_wait(S.epfd, evs, MAX_EVENTS,
				   S.progress ? 1000 : -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			bu_die("epoll_wait");
		}
		handle(evs, n, lfd, &lmark, &smark);
		flush_all();
		write_progress();
		/* An ESME unbound and none is left bound: the run is over. */
		if (S.got_unbind && !any_bound_or_closing())
			S.done = 1;
	}
	report();
	return 0;
}
