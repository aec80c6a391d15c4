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
 * counted. One thread on epoll; PDU helpers from smpp_min.c; the clock is
 * CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "smpp_min.h"

#define IN_CAP		(1024 * 1024)	/* >= SM_PDU_MAX */
#define NS		1000000000LL
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
	int quiet;
	int epfd, lfd, fd;
	uint8_t *in;
	size_t in_len;
	struct sm_buf out;
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

	uint32_t *lat;		/* measured step latencies, us */
	size_t n_lat, cap_lat;
	uint64_t errors, bulk, steps_all;
	int measuring, draining;
} S;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	if (S.quiet)
		return;
	va_start(ap, fmt);
	fputs("ussd_load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						      noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ussd_load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		sm_die("calloc");
	return p;
}

static void lat_add(int64_t ns)
{
	if (S.n_lat == S.cap_lat) {
		S.cap_lat = S.cap_lat ? 2 * S.cap_lat : 65536;
		S.lat = realloc(S.lat, S.cap_lat * sizeof(*S.lat));
		if (!S.lat)
			sm_die("realloc");
	}
	S.lat[S.n_lat++] = ns / 1000;
}

/* ------------------------------------------------------------------ */
/* Dialogues                                                           */

/* deliver_sm from the slot's number: text with op and its_session_info. */
static void send_step(struct slot *sl, const char *text, uint8_t op,
		      int end)
{
	size_t tl = strlen(text);
	uint8_t *b = sm_begin_pdu(&S.out, SM_DELIVER_SM, SM_ESME_ROK,
				  S.seq = S.seq >= 0x7FFFFFFF ? 1 : S.seq + 1,
				  96 + tl);
	char num[24];

	sm_utoa10(num, sl->num);
	*b++ = 0;				/* service_type */
	*b++ = 1;				/* source TON international */
	*b++ = 1;				/* NPI ISDN */
	b = (uint8_t *)stpcpy((char *)b, num) + 1;
	*b++ = 0;
	*b++ = 1;
	b = (uint8_t *)stpcpy((char *)b, "12333") + 1;
	memset(b, 0, 8);	/* esm, pid, prio, sched, valid, reg, repl, dcs */
	b += 8;
	*b++ = 0;				/* sm_default_msg_id */
	*b++ = tl;
	memcpy(b, text, tl);
	b += tl;
	b = sm_wr16(b, TLV_USSD_OP);
	b = sm_wr16(b, 1);
	*b++ = op;
	b = sm_wr16(b, TLV_ITS);
	b = sm_wr16(b, 2);
	*b++ = sl->sess;
	*b++ = (uint8_t)(sl->seq << 1) | (end ? ITS_END : 0);
	sm_end_pdu(&S.out, b);
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
		lat_add(t - sl->t);
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
static int parse_submit(const uint8_t *p, const uint8_t *end, uint64_t *dst,
			uint8_t *op)
{
	char d[24];
	unsigned sm_len;

	*op = 0;
	if (sm_get_cstr(&p, end, NULL, 6) < 0 || end - p < 2)
		return -1;
	p += 2;
	if (sm_get_cstr(&p, end, NULL, 21) < 0 || end - p < 2)
		return -1;
	p += 2;
	if (sm_get_cstr(&p, end, d, 21) < 0 || end - p < 3)
		return -1;
	p += 3;				/* esm_class, protocol_id, priority */
	if (sm_get_cstr(&p, end, NULL, 17) < 0 ||
	    sm_get_cstr(&p, end, NULL, 17) < 0 || end - p < 5)
		return -1;
	sm_len = p[4];
	p += 5 + sm_len;
	while (end - p >= 4) {
		unsigned tag = sm_rd16(p), len = sm_rd16(p + 2);

		if (tag == TLV_USSD_OP && len >= 1 && end - p >= 5)
			*op = p[4];
		p += 4 + len;
	}
	*dst = strtoull(d, NULL, 10);
	return 0;
}

static void on_submit(uint32_t seq, const uint8_t *b, size_t blen)
{
	char id[24];
	size_t idlen = sm_utoa10(id, ++S.msgid);
	int64_t t = now_ns();
	uint64_t dst;
	uint8_t op;

	sm_put_pdu(&S.out, SM_SUBMIT_SM | SM_RESP_BIT, SM_ESME_ROK, seq, id,
		   idlen + 1);
	if (parse_submit(b, b + blen, &dst, &op) < 0)
		fail("a submit_sm that does not parse");
	if (!op) {
		S.bulk += S.measuring;
		return;
	}
	if (dst < S.first || dst - S.first >= S.count ||
	    S.slot_of[dst - S.first] < 0)
		return;			/* a screen for a dialogue given up */
	slot_screen(S.slot_of[dst - S.first], op, t);
}

static void on_bound(uint32_t id, uint32_t seq)
{
	static const char sysid[] = "ussd_load";
	uint32_t k;

	sm_put_pdu(&S.out, id | SM_RESP_BIT, SM_ESME_ROK, seq, sysid,
		   sizeof(sysid));
	if (S.bound || id != SM_BIND_TRANSCEIVER)
		return;
	S.bound = 1;
	logf_("bound; %u dialogues at once", S.conc);
	S.t_next = now_ns();
	S.t_measure = S.t_next + (int64_t)(S.warm_s * NS);
	S.t_stop = S.t_measure + (int64_t)(S.run_s * NS);
	for (k = 0; k < S.conc; k++)
		slot_ready(k);
}

static void on_pdu(const uint8_t *pdu, uint32_t len)
{
	uint32_t id = sm_rd32(pdu + 4), seq = sm_rd32(pdu + 12);

	switch (id) {
	case SM_SUBMIT_SM:
		on_submit(seq, pdu + SM_HDR_LEN, len - SM_HDR_LEN);
		break;
	case SM_BIND_TRANSCEIVER:
	case SM_BIND_TRANSMITTER:
	case SM_BIND_RECEIVER:
		on_bound(id, seq);
		break;
	case SM_ENQUIRE_LINK:
		sm_put_pdu(&S.out, id | SM_RESP_BIT, SM_ESME_ROK, seq, NULL, 0);
		break;
	case SM_UNBIND:
		sm_put_pdu(&S.out, id | SM_RESP_BIT, SM_ESME_ROK, seq, NULL, 0);
		fail("the gateway unbound during the run");
	default:
		if (!(id & SM_RESP_BIT))
			sm_put_pdu(&S.out, SM_GENERIC_NACK, SM_ESME_RINVCMDID,
				   seq, NULL, 0);
		break;		/* deliver_sm_resp: not timed here */
	}
}

/* ------------------------------------------------------------------ */
/* The connection                                                      */

static void on_readable(void)
{
	for (;;) {
		ssize_t n = read(S.fd, S.in + S.in_len, IN_CAP - S.in_len);
		size_t off = 0;
		uint32_t len;
		int rc;

		if (n == 0)
			fail("the gateway closed the connection");
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			sm_die("read");
		S.in_len += n;
		while ((rc = sm_pdu_len(S.in + off, S.in_len - off, &len)) == 1) {
			on_pdu(S.in + off, len);
			off += len;
		}
		if (rc < 0)
			fail("a PDU of %u octets", len);
		memmove(S.in, S.in + off, S.in_len - off);
		S.in_len -= off;
	}
}

static void ep_set(int fd, uint32_t events, int add)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (epoll_ctl(S.epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) < 0)
		sm_die("epoll_ctl");
}

static void on_accept(void)
{
	int fd = sm_accept(S.lfd);

	if (fd < 0)
		return;
	if (S.fd >= 0) {	/* one gateway connection is all we serve */
		close(fd);
		return;
	}
	S.fd = fd;
	ep_set(fd, EPOLLIN, 1);
	logf_("connection from the gateway");
}

static void flush(void)
{
	if (S.fd < 0)
		return;
	if (sm_flush(S.fd, &S.out) < 0)
		fail("send: %s", strerror(errno));
	ep_set(S.fd, EPOLLIN | (sm_buf_pending(&S.out) ? EPOLLOUT : 0), 0);
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

static double cpu_s(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		       &ut, &st);
	fclose(f);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(double p)
{
	size_t i = (size_t)(p * (S.n_lat - 1) + 0.5);

	return S.n_lat ? S.lat[i] / 1000.0 : 0;
}

static void report(double secs, double gw_cpu, double own_cpu)
{
	qsort(S.lat, S.n_lat, sizeof(*S.lat), cmp_u32);
	char mode[64];

	if (S.rate)
		snprintf(mode, sizeof(mode), "open loop at %.0f/s, lag %.1f ms",
			 S.rate, S.max_lag / (double)MS);
	else
		snprintf(mode, sizeof(mode), "closed loop");
	printf("ussd: %zu steps in %.1f s = %.0f steps/s, %u dialogues at once"
	       " (%s); step latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
	       " max %.2f ms; errors %llu\n", S.n_lat, secs,
	       S.n_lat / secs, S.conc, mode, pct(0.5), pct(0.99), pct(0.999),
	       S.n_lat ? S.lat[S.n_lat - 1] / 1000.0 : 0,
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
		case 'p': *port = atol(optarg); break;
		case 'f': *file = optarg; break;
		case 'b': S.first = strtoull(optarg, NULL, 10); break;
		case 'n': S.count = atol(optarg); break;
		case 'c': S.conc = atol(optarg); break;
		case 'r': S.rate = atof(optarg); break;
		case 'w': S.warm_s = atof(optarg); break;
		case 'd': S.run_s = atof(optarg); break;
		case 'B': S.bind_s = atof(optarg); break;
		case 'g': S.gw_pid_file = optarg; break;
		case 'q': S.quiet = 1; break;
		default: usage();
		}
	}
	if (*port < 0 || !S.first || !S.count || !S.conc || S.conc > S.count ||
	    S.run_s <= 0 || S.rate < 0)
		usage();
}

static double own_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
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
		FILE *f = S.gw_pid_file ? fopen(S.gw_pid_file, "r") : NULL;

		if (f && fscanf(f, "%ld", &S.gw_pid) != 1)
			S.gw_pid = 0;
		if (f)
			fclose(f);
		S.measuring = 1;
		*gw0 = S.gw_pid ? cpu_s(S.gw_pid) : 0;
		*own0 = own_cpu();
	}
	if (S.measuring && t >= S.t_stop) {
		S.measuring = 0;
		S.draining = 1;
		*secs = (t - S.t_measure) / (double)NS;
		*gw1 = S.gw_pid ? cpu_s(S.gw_pid) : 0;
		*own1 = own_cpu();
	}
	return S.draining && (!awaited() || t >= S.t_stop + DRAIN_NS);
}

int main(int argc, char **argv)
{
	struct epoll_event ev[16];
	double gw0 = 0, own0 = 0, secs = 0, gw1 = 0, own1 = 0;
	const char *file = NULL;
	long port = -1, bound;
	int64_t deadline;
	uint32_t i;

	sm_prog = "ussd_load";
	signal(SIGPIPE, SIG_IGN);
	options(argc, argv, &port, &file);
	S.slots = xcalloc(S.conc, sizeof(*S.slots));
	S.idle = xcalloc(S.conc, sizeof(*S.idle));
	S.slot_of = xcalloc(S.count, sizeof(*S.slot_of));
	for (i = 0; i < S.count; i++)
		S.slot_of[i] = -1;
	S.in = xcalloc(1, IN_CAP);
	S.fd = -1;
	S.lfd = sm_listen(port, &bound);
	if (file)
		sm_write_port_file(file, bound);
	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (S.epfd < 0)
		sm_die("epoll_create1");
	ep_set(S.lfd, EPOLLIN, 1);
	deadline = now_ns() + (int64_t)(S.bind_s * NS);
	for (;;) {
		int n = epoll_wait(S.epfd, ev, 16, S.rate ? 1 : TICK_MS), k;

		for (k = 0; k < n; k++) {
			if (ev[k].data.fd == S.lfd)
				on_accept();
			else if (ev[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				on_readable();
		}
		if (S.rate && S.bound)
			schedule(now_ns());
		flush();
		if (!S.bound && now_ns() > deadline)
			fail("no bind within %.0f s", S.bind_s);
		if (phase(now_ns(), &gw0, &own0, &secs, &gw1, &own1))
			break;
	}
	report(secs, gw1 - gw0, own1 - own0);
	return 0;
}
