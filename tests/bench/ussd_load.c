/*
 * ussd_load.c - an SMSC that dials USSD dialogues into skillgw and times
 * each step, for benchmarks.
 *
 *   ussd_load -p PORT [-f FILE] -b FIRST -n COUNT [-c CONC] [-r RATE]
 *             [-w SECS] [-d SECS] [-B SECS] [-g PIDFILE] [-q]
 *
 * It listens on 127.0.0.1:PORT (0: a free one; -f FILE then tells which),
 * waits up to -B SECS (default 60) for the gateway to bind as transceiver,
 * and keeps CONC dialogues (default 200) going at once, each from its own
 * number of FIRST .. FIRST + COUNT - 1 (international digits; COUNT >=
 * CONC; the numbers are taken round and round). A dialogue walks the
 * script below: dial *12333# (deliver_sm, ussd_service_op 1, its_session_info
 * with a new session number), then the answers (op 18); each step waits
 * for the gateway's screen (a submit_sm carrying ussd_service_op), which is
 * answered at once like every other submit_sm. Without -r (closed loop,
 * the most the gateway does) the next step leaves immediately; with -r
 * RATE (open loop) steps leave on a fixed schedule of RATE a second, each
 * from a slot whose screen has come (if none is free the schedule slips,
 * and the slip is printed as the generator's lag). After the last screen the phone hangs up (op 18 with the
 * its_session_info end bit, no screen expected) and the slot starts a new
 * dialogue on the next number. A screen with op 17 before the script's end
 * (the dialogue ended: gone, busy, an error) counts as an error and the
 * slot starts over.
 *
 * The latency of a step runs from its deliver_sm being queued for sending
 * to the screen's submit_sm being read: request in, response submitted,
 * the loopback both ways included. The first -w SECS (default 2) are a
 * warm-up; the next -d SECS (default 10) are measured; then it prints
 *
 *   ussd: N steps in T s = R steps/s, C dialogues at once (closed loop |
 *     open loop at RATE/s, lag L ms); step latency p50 A ms, p99 B ms,
 *     p99.9 C ms, max D ms; errors E
 *   other submit_sm (bulk) in the same time: K = R/s
 *   CPU: gateway G% of one core, ussd_load L%   (-g: the gateway's pid
 *                                                 in PIDFILE, read when
 *                                                 the measurement starts)
 *
 * and exits 0 (1: no bind, the connection lost, bad arguments). Submit_sm
 * that carry no ussd_service_op (a bulk send running alongside) are only
 * counted. One thread on epoll; PDU helpers from smpp_min.c, the rest
 * shared with the other tools from bench_util.c; the clock is
 * CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "smpp_min.h"

#define NS		BU_NS
#define MS		1000000LL
#define DRAIN_NS	(2 * NS)	/* steps still due after the run */
#define TICK_MS		10

#define TLV_USSD_OP	0x0501
#define TLV_ITS		0x1383
#define OP_BEGIN	1
#define OP_CONTINUE	18
#define OP_END		17
#define ITS_END		0x01

/* The dialogue every slot walks: read-only steps through the menus. */
static const char *const script[] = {
	"*12333#",	/* main menu */
	"1",		/* subsidies: a lookup per step */
	"0",		/* back */
	"2",		/* enrolment: regions */
	"1",		/* the worker's region: occupation groups */
	"1",		/* the first group: a page of open courses */
	"1",		/* the first course: its detail (enrolment preview) */
	"0",		/* back to the courses */
	"00",		/* the main menu */
};
#define SCRIPT_LEN	(sizeof(script) / sizeof(script[0]))

struct slot {
	uint64_t num;		/* its number now */
	unsigned step;		/* index into script of the next/awaited step */
	uint8_t sess, seq;	/* its_session_info */
	int64_t t;		/* when the step left, 0: none awaited */
};

static struct {
	int epfd, lfd;
	struct sm_conn *c;	/* the gateway's connection, NULL before */
	int bound;

	uint64_t first;
	uint32_t count, next;	/* numbers, the next one to take */
	struct slot *slots;
	uint32_t conc;
	int32_t *slot_of;	/* number index -> slot, -1 */

	double warm_s, run_s, bind_s;
	double rate;		/* open loop: steps a second, 0: closed */
	int64_t t_next;		/* open loop: when the next step is due */
	int64_t max_lag;
	uint32_t *idle;		/* open loop: slots ready for a step (ring) */
	uint32_t idle_head, idle_n;
	const char *gw_pid_file;
	long gw_pid;
	int64_t t_measure, t_stop;
	uint32_t seq;
	unsigned long long msgid;

	struct bu_lat lat;	/* measured step latencies */
	uint64_t errors, bulk, steps_all;
	int measuring, draining;
} S;

#define now_ns bu_now_ns

/* ------------------------------------------------------------------ */
/* Dialogues                                                           */

/* deliver_sm from the slot's number: text with op and its_session_info. */
static void send_step(struct slot *sl, const char *text, uint8_t op,
		      int end)
{
	static const struct sm_addr to = { 0, 1, "12333" };	/* unknown, ISDN */
	struct sm_addr from = { 1, 1, "" };		/* international, ISDN */
	size_t tl = strlen(text);
	uint8_t *b = sm_begin_pdu(&S.c->out, SM_DELIVER_SM, SM_ESME_ROK,
				  S.seq = S.seq >= 0x7FFFFFFF ? 1 : S.seq + 1,
				  96 + tl);

	sm_utoa10(from.addr, sl->num);
	b = sm_put_sm(b, &from, &to, 0, 0, text, (uint8_t)tl);
	b = sm_wr16(b, TLV_USSD_OP);
	b = sm_wr16(b, 1);
	*b++ = op;
	b = sm_wr16(b, TLV_ITS);
	b = sm_wr16(b, 2);
	*b++ = sl->sess;
	*b++ = (uint8_t)(sl->seq << 1) | (end ? ITS_END : 0);
	sm_end_pdu(&S.c->out, b);
}

/* A new dialogue of a slot: the next number, a new session. */
static void slot_begin(struct slot *sl, uint32_t k)
{
	uint32_t idx;

	if (sl->num)
		S.slot_of[sl->num - S.first] = -1;
	do {	/* a number no other slot holds */
		idx = S.next;
		S.next = (S.next + 1) % S.count;
	} while (S.slot_of[idx] >= 0);
	S.slot_of[idx] = k;
	sl->num = S.first + idx;
	sl->sess++;
	sl->seq = 0;
	send_step(sl, script[0], OP_BEGIN, 0);
}

/* Send the slot's next step: dial, or the answer of the script. */
static void slot_fire(uint32_t k)
{
	struct slot *sl = &S.slots[k];

	sl->t = now_ns();
	if (sl->step == 0) {
		slot_begin(sl, k);
		return;
	}
	sl->seq++;
	send_step(sl, script[sl->step], OP_CONTINUE, 0);
}

/* The slot is ready for its next step: now, or when the schedule says. */
static void slot_ready(uint32_t k)
{
	if (S.draining)
		return;
	if (!S.rate) {
		slot_fire(k);
		return;
	}
	S.idle[(S.idle_head + S.idle_n++) % S.conc] = k;
}

/* Open loop: the steps due by now, from the ready slots. */
static void schedule(int64_t t)
{
	int64_t period = (int64_t)(NS / S.rate);

	while (!S.draining && S.t_next <= t && S.idle_n) {
		uint32_t k = S.idle[S.idle_head];

		S.idle_head = (S.idle_head + 1) % S.conc;
		S.idle_n--;
		if (S.measuring && t - S.t_next > S.max_lag)
			S.max_lag = t - S.t_next;
		slot_fire(k);
		S.t_next += period;
	}
}

/* The screen of a slot's step arrived with op. */
static void slot_screen(uint32_t k, uint8_t op, int64_t t)
{
	struct slot *sl = &S.slots[k];

	if (!sl->t)
		return;			/* not awaited: a timeout screen */
	S.steps_all++;
	if (S.measuring)
		bu_lat_add(&S.lat, t - sl->t);
	sl->t = 0;
	if (op == OP_END) {		/* ended early: gone, busy, error */
		S.errors++;
		sl->step = 0;
	} else if (++sl->step == SCRIPT_LEN) {	/* hang up */
		sl->seq++;
		send_step(sl, "", OP_CONTINUE, 1);
		sl->step = 0;
	}
	slot_ready(k);
}

/* ------------------------------------------------------------------ */
/* PDUs from the gateway                                               */

/* The ussd_service_op of a submit_sm body (0: none) and its destination. */
static int parse_submit(const uint8_t *b, size_t blen, uint64_t *dst,
			uint8_t *op)
{
	const uint8_t *v;
	struct sm_sm s;
	uint16_t len;

	if (sm_parse_sm(b, blen, &s) < 0)
		return -1;
	v = sm_find_tlv(s.tlv, s.end, TLV_USSD_OP, &len);
	*op = v && len >= 1 ? v[0] : 0;
	*dst = strtoull(s.dst.addr, NULL, 10);
	return 0;
}

static void on_submit(uint32_t seq, const uint8_t *b, size_t blen)
{
	char id[24];
	size_t idlen = sm_utoa10(id, ++S.msgid);
	int64_t t = now_ns();
	uint64_t dst;
	uint8_t op;

	sm_put_pdu(&S.c->out, SM_SUBMIT_SM | SM_RESP_BIT, SM_ESME_ROK, seq, id,
		   idlen + 1);
	if (parse_submit(b, blen, &dst, &op) < 0)
		bu_fail("a submit_sm that does not parse");
	if (!op) {
		S.bulk += S.measuring;
		return;
	}
	if (dst < S.first || dst - S.first >= S.count ||
	    S.slot_of[dst - S.first] < 0)
		return;			/* a screen for a dialogue given up */
	slot_screen(S.slot_of[dst - S.first], op, t);
}

/* The gateway bound as transceiver: the dialogues start. */
static void on_bound(void)
{
	uint32_t k;

	S.bound = 1;
	bu_log("bound; %u dialogues at once", S.conc);
	S.t_next = now_ns();
	S.t_measure = S.t_next + (int64_t)(S.warm_s * NS);
	S.t_stop = S.t_measure + (int64_t)(S.run_s * NS);
	for (k = 0; k < S.conc; k++)
		slot_ready(k);
}

static void on_pdu(struct sm_conn *c, const uint8_t *pdu, uint32_t len,
		   void *arg)
{
	uint32_t id = sm_rd32(pdu + 4), seq = sm_rd32(pdu + 12);

	if (id == SM_SUBMIT_SM) {
		on_submit(seq, pdu + SM_HDR_LEN, len - SM_HDR_LEN);
		return;
	}
	if (id == SM_UNBIND)
		bu_fail("the gateway unbound during the run");
	/* binds, enquire_link; deliver_sm_resp are not timed here */
	sm_answer_admin(c, id, seq, "ussd_load");
	if (!S.bound && c->bound == SM_B_TRX)
		on_bound();
}

/* ------------------------------------------------------------------ */
/* The connection                                                      */

static void on_accept(void)
{
	struct sm_conn *c;

	while ((c = sm_conn_accept(S.epfd, S.lfd))) {
		if (S.c) {	/* one gateway connection is all we serve */
			sm_conn_free(S.epfd, c);
			continue;
		}
		S.c = c;
		bu_log("connection from the gateway");
	}
}

static void flush(void)
{
	if (!S.c)
		return;
	if (sm_flush(S.c->fd, &S.c->out) < 0)
		bu_fail("send: %s", strerror(errno));
	sm_conn_watch(S.epfd, S.c, SIZE_MAX);
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

/* CPU seconds of pid, 0 when unknown. */
static double cpu_s(long pid)
{
	double s = bu_proc_cpu(pid);

	return s < 0 ? 0 : s;
}

static void report(double secs, double gw_cpu, double own_cpu)
{
	size_t n = S.lat.n;
	char mode[64];

	bu_lat_sort(&S.lat);

	if (S.rate)
		snprintf(mode, sizeof(mode), "open loop at %.0f/s, lag %.1f ms",
			 S.rate, S.max_lag / (double)MS);
	else
		snprintf(mode, sizeof(mode), "closed loop");
	printf("ussd: %zu steps in %.1f s = %.0f steps/s, %u dialogues at once"
	       " (%s); step latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
	       " max %.2f ms; errors %llu\n", n, secs, n / secs, S.conc, mode,
	       bu_lat_index(&S.lat, 0.5), bu_lat_index(&S.lat, 0.99),
	       bu_lat_index(&S.lat, 0.999), bu_lat_index(&S.lat, 1),
	       (unsigned long long)S.errors);
	printf("other submit_sm (bulk) in the same time: %llu = %.0f/s\n",
	       (unsigned long long)S.bulk, S.bulk / secs);
	if (S.gw_pid)
		printf("CPU: gateway %.0f%% of one core, ussd_load %.0f%%\n",
		       100 * gw_cpu / secs, 100 * own_cpu / secs);
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Main                                                                */

static void usage(void)
{
	fprintf(stderr, "usage: ussd_load -p PORT [-f FILE] -b FIRST -n COUNT "
		"[-c CONC] [-r RATE] [-w SECS] [-d SECS] [-B SECS] [-g PIDFILE] "
		"[-q]\n");
	exit(1);
}

static void options(int argc, char **argv, long *port, const char **file)
{
	int c;

	S.conc = 200;
	S.warm_s = 2;
	S.run_s = 10;
	S.bind_s = 60;
	while ((c = getopt(argc, argv, "p:f:b:n:c:r:w:d:B:g:q")) != -1) {
		switch (c) {
		case 'p': *port = bu_opt_long(optarg, 0, 65535, c); break;
		case 'f': *file = optarg; break;
		case 'b': S.first = bu_opt_long(optarg, 1, LONG_MAX, c); break;
		case 'n': S.count = bu_opt_long(optarg, 1, INT32_MAX, c); break;
		case 'c': S.conc = bu_opt_long(optarg, 1, INT32_MAX, c); break;
		case 'r': S.rate = bu_opt_double(optarg, 0, 1e7, c); break;
		case 'w': S.warm_s = bu_opt_double(optarg, 0, 3600, c); break;
		case 'd': S.run_s = bu_opt_double(optarg, 0.1, 3600, c); break;
		case 'B': S.bind_s = bu_opt_double(optarg, 0.1, 1e6, c); break;
		case 'g': S.gw_pid_file = optarg; break;
		case 'q': bu_quiet = 1; break;
		default: usage();
		}
	}
	if (*port < 0 || !S.first || !S.count || !S.conc || S.conc > S.count ||
	    S.run_s <= 0 || S.rate < 0)
		usage();
}

static int awaited(void)
{
	uint32_t k;

	for (k = 0; k < S.conc; k++)
		if (S.slots[k].t)
			return 1;
	return 0;
}

/* Phases by the clock: warm-up, measure, drain. 1 when it is all over. */
static int phase(int64_t t, double *gw0, double *own0, double *secs,
		 double *gw1, double *own1)
{
	if (!S.bound)
		return 0;
	if (!S.measuring && !S.draining && t >= S.t_measure) {
		if (bu_pids(S.gw_pid_file, &S.gw_pid, 1) < 1)
			S.gw_pid = 0;
		S.measuring = 1;
		*gw0 = S.gw_pid ? cpu_s(S.gw_pid) : 0;
		*own0 = bu_self_cpu();
	}
	if (S.measuring && t >= S.t_stop) {
		S.measuring = 0;
		S.draining = 1;
		*secs = (t - S.t_measure) / (double)NS;
		*gw1 = S.gw_pid ? cpu_s(S.gw_pid) : 0;
		*own1 = bu_self_cpu();
	}
	return S.draining && (!awaited() || t >= S.t_stop + DRAIN_NS);
}

/* The listening socket on S.epfd (data.ptr &S.lfd). */
static void set_up(long port, const char *file)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &S.lfd };
	long bound;

	S.lfd = sm_listen(port, &bound);
	if (file)
		sm_write_port_file(file, bound);
	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (S.epfd < 0)
		bu_die("epoll_create1");
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, S.lfd, &ev) < 0)
		bu_die("epoll_ctl");
}

/* One batch of events. */
static void handle(const struct epoll_event *ev, int n)
{
	int k;

	for (k = 0; k < n; k++) {
		if (ev[k].data.ptr == &S.lfd)
			on_accept();
		else if ((ev[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
			 sm_conn_read(S.c, on_pdu, NULL, SIZE_MAX) < 0)
			bu_fail("the connection to the gateway is gone");
	}
}

int main(int argc, char **argv)
{
	struct epoll_event ev[16];
	double gw0 = 0, own0 = 0, secs = 0, gw1 = 0, own1 = 0;
	const char *file = NULL;
	long port = -1;
	int64_t deadline;
	uint32_t i;

	bu_prog = "ussd_load";
	signal(SIGPIPE, SIG_IGN);
	options(argc, argv, &port, &file);
	S.slots = bu_xcalloc(S.conc, sizeof(*S.slots));
	S.idle = bu_xcalloc(S.conc, sizeof(*S.idle));
	S.slot_of = bu_xcalloc(S.count, sizeof(*S.slot_of));
	for (i = 0; i < S.count; i++)
		S.slot_of[i] = -1;
	set_up(port, file);
	deadline = now_ns() + (int64_t)(S.bind_s * NS);
	for (;;) {
		int n = epoll_wait(S.epfd, ev, 16, S.rate ? 1 : TICK_MS);

		handle(ev, n);
		if (S.rate && S.bound)
			schedule(now_ns());
		flush();
		if (!S.bound && now_ns() > deadline)
			bu_fail("no bind within %.0f s", S.bind_s);
		if (phase(now_ns(), &gw0, &own0, &secs, &gw1, &own1))
			break;
	}
	report(secs, gw1 - gw0, own1 - own0);
	return 0;
}
