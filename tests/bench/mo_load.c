/*
 * mo_load.c - an SMSC that sends SMS commands (MO) to skillgw and times the
 * replies, for benchmarks.
 *
 *   mo_load -p PORT [-f FILE] -n NUMBERS [-t TEXT] [-g PID] [-B SECS]
 *           [-D SECS] [-o FILE] [-q] [-v] PHASE...
 *
 * PHASE is r:RATE:SECS (open loop: RATE MOs a second for SECS seconds, on
 * a fixed schedule whatever the replies do) or c:N:SECS (closed loop: N MOs
 * awaiting their reply at all times, for SECS seconds); a phase named with
 * a capital (R:, C:) is a warm-up, run and printed as such. Phases run one
 * after the other on the same bind; after each, the replies still due are
 * awaited up to -D SECS (default 5): what has not come by then is lost.
 *
 * It listens on 127.0.0.1:PORT (0: a free one; -f FILE then tells which,
 * and its appearance tells a script it listens), waits up to -B SECS
 * (default 60) for an ESME to bind as transceiver or receiver, and then
 * sends deliver_sm from the numbers of NUMBERS (one a line: national or
 * international digits, an optional '+'), taken in file order and round
 * and round, each as "86" + national number, TON 1 / NPI 1, to 12333, with
 * TEXT (default "BT") in data_coding 0. A number whose reply is still due
 * is skipped. It answers every submit_sm at once with a submit_sm_resp
 * (decimal message ids), enquire_link and unbind; deliver_sm_resp are
 * timed too.
 *
 * The latency of an MO runs from its deliver_sm to the first submit_sm
 * whose destination_addr is the MO's source: a reply in several parts
 * counts at its first part (UDH IEI 0 or 8 sequence 1, or
 * sar_segment_seqnum 1; the other parts are only counted). In the open
 * loop an MO's clock starts at its scheduled time, not when it could be
 * written, so a generator that falls behind shows as latency, not as a
 * lower rate (the lag is printed too); in the closed loop it starts when
 * the deliver_sm is queued for sending.
 *
 * For each phase it prints MOs sent, replies, lost, replies per second
 * (from the phase start to the last reply), p50 / p99 / p99.9 / max of
 * the reply latency and of the deliver_sm_resp, the CPU of process -g PID
 * (the gateway; or -g FILE, a file holding its pid), per reply too, and
 * how long it waited, runnable, for a CPU, its own CPU and that of every
 * other process on the machine (other work disturbs the figures) over the
 * same time, and the shortest time between two MOs from one number (the
 * gateway's per-number rate limit must not cut in); with -o FILE the same
 * figures also go to FILE, one tab-separated line a phase (see usage());
 * with -v also, per second, the replies and the slowest of them, which
 * shows periodic stalls. After the last phase it prints "end: N numbers"
 * and keeps answering until the ESME unbinds or closes (at most -B SECS
 * more), so a script can stop the gateway cleanly; then it exits 0; 1 on
 * errors (no bind, connection lost during a phase, bad arguments).
 *
 * One thread on epoll; the PDU helpers are shared with smsc_sink.c
 * (smpp_min.c). Timing is CLOCK_MONOTONIC; the schedule of the open loop
 * uses epoll_pwait2 (nanosecond timeouts) where the kernel has it.
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
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "smpp_min.h"

#define IN_CAP		(1024 * 1024)		/* >= SM_PDU_MAX */
#define OUT_HIGH	(16 * 1024 * 1024)	/* open loop: stop adding */
#define MAX_CONNS	4
#define MAX_EVENTS	64
#define MAX_PHASES	32
#define ACK_RING	(1u << 20)		/* deliver_sm awaiting resp */
#define RING_MIN	(1u << 20)		/* MOs awaiting a reply */
#define NS		1000000000LL
#define SETTLE_NS	(NS / 5)		/* after the bind */

#define CC		86ULL			/* country code */
#define CC_SCALE	100000000000ULL		/* 10^11: a national number */

#define UDH_FLAG	0x40
#define IEI_CONCAT8	0x00
#define IEI_CONCAT16	0x08
#define TLV_SAR_SEQNUM	0x020F

enum bind_kind { B_NONE, B_TX, B_RX, B_TRX };

struct conn {
	int fd;
	enum bind_kind bound;
	uint8_t *in;
	size_t in_len;
	struct sm_buf out;
	int want_out;
	int closing;
};

struct phase {
	char kind;		/* 'r' open, 'c' closed loop */
	int warmup;
	double rate;		/* r: MOs a second */
	unsigned n;		/* c: MOs outstanding */
	double secs;
};

/* Latencies of one phase in microseconds. */
struct lat {
	uint32_t *v;
	size_t n, cap;
};

struct pending {
	uint32_t idx;		/* into numbers */
	int64_t t;		/* its clock start */
};

static struct {
	int quiet;
	int verbose;			/* -v: a line per second of a phase */
	int epfd, lfd, sfd;
	struct conn *conns[MAX_CONNS];
	int n_conns;
	int stop;			/* signal */
	int broken;			/* the ESME went away mid-run */

	/* numbers */
	uint64_t *num;			/* international, as an integer */
	int64_t *due;			/* clock start of its MO; 0: none due */
	int64_t *last;			/* when its last MO was made */
	uint32_t *ht;			/* number -> index + 1 */
	uint32_t ht_mask;
	uint32_t n_num, next;

	/* MOs awaiting a reply, in the order sent */
	struct pending *ring;
	uint32_t ring_mask, head, tail;
	uint32_t outstanding;

	/* deliver_sm awaiting deliver_sm_resp, by sequence number */
	int64_t *ack_t;
	uint32_t seq;

	const char *text;
	size_t text_len;
	FILE *tsv;			/* -o: one line a phase */
	const char *gw_pid;		/* a number, or a file holding it */
	int64_t drain_ns;
	int64_t base;			/* clock origin: times stay > 0 */

	/* the phase running */
	const struct phase *ph;
	int64_t t0, t_end_send, t_last_reply, max_lag;
	uint64_t sent, answered, lost, unmatched, extra_parts, submits;
	uint64_t acks, ack_errors;
	int64_t min_gap;
	struct lat lat, ack;
	unsigned long long msgid;
	/* -v: per second since the phase start, replies and the slowest */
	uint32_t *sec_n, *sec_max_us;
	size_t n_secs;
} S;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	if (S.quiet)
		return;
	va_start(ap, fmt);
	fputs("mo_load: ", stderr);
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
	fputs("mo_load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec - S.base;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		sm_die("calloc");
	return p;
}

static void lat_add(struct lat *l, int64_t ns)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 65536;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			sm_die("realloc");
		l->v = v;
		l->cap = cap;
	}
	if (ns < 0)
		ns = 0;
	l->v[l->n++] = ns / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ns / 1000);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted l in milliseconds. */
static double lat_pct(const struct lat *l, double p)
{
	size_t k;

	if (!l->n)
		return 0;
	k = (size_t)(p * l->n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > l->n)
		k = l->n;
	return l->v[k - 1] / 1000.0;
}

/* ---- numbers -------------------------------------------------------------- */

static uint32_t hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* Index of number x, or -1. */
static long num_find(uint64_t x)
{
	uint32_t h = hash_u64(x) & S.ht_mask;

	while (S.ht[h]) {
		if (S.num[S.ht[h] - 1] == x)
			return S.ht[h] - 1;
		h = (h + 1) & S.ht_mask;
	}
	return -1;
}

/* Digits (an optional '+', separators ignored) to the international number
 * as an integer: 11 national digits starting with 1 get the 86. 0: not a
 * number. */
static uint64_t num_parse(const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i, digits = 0;

	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (++digits > 19)
				return 0;
			v = v * 10 + (uint64_t)(s[i] - '0');
		} else if (!strchr("+ -\r", s[i])) {
			return 0;
		}
	}
	if (digits == 11 && v / 10000000000ULL == 1)
		v += CC * CC_SCALE;
	return digits >= 5 ? v : 0;
}

static void numbers_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[128];
	size_t cap = 0, ht_size = 2, skipped = 0;
	uint32_t i;

	if (!f)
		sm_die(path);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\n");
		uint64_t v;

		if (!len)
			continue;
		v = num_parse(line, len);
		if (!v) {
			skipped++;
			continue;
		}
		if (S.n_num == cap) {
			cap = cap ? cap * 2 : 65536;
			S.num = realloc(S.num, cap * sizeof(*S.num));
			if (!S.num)
				sm_die("realloc");
		}
		S.num[S.n_num++] = v;
		if (S.n_num == UINT32_MAX / 4)
			break;
	}
	fclose(f);
	if (!S.n_num)
		fail("%s: no numbers", path);
	while (ht_size < 2 * (size_t)S.n_num)
		ht_size *= 2;
	S.ht = xcalloc(ht_size, sizeof(*S.ht));
	S.ht_mask = (uint32_t)(ht_size - 1);
	for (i = 0; i < S.n_num; i++) {
		uint32_t h = hash_u64(S.num[i]) & S.ht_mask;

		while (S.ht[h]) {
			if (S.num[S.ht[h] - 1] == S.num[i])
				break;
			h = (h + 1) & S.ht_mask;
		}
		if (S.ht[h]) {		/* a repeat: drop it */
			S.num[i--] = S.num[--S.n_num];
			skipped++;
			continue;
		}
		S.ht[h] = i + 1;
	}
	S.due = xcalloc(S.n_num, sizeof(*S.due));
	S.last = xcalloc(S.n_num, sizeof(*S.last));
	for (ht_size = RING_MIN; ht_size < (size_t)S.n_num + 1; ht_size *= 2)
		;
	S.ring = xcalloc(ht_size, sizeof(*S.ring));
	S.ring_mask = (uint32_t)(ht_size - 1);
	if (skipped)
		logf_("%s: %zu lines skipped (not a number, or repeated)",
		      path, skipped);
}

/* ---- connections -------------------------------------------------------- */

static void ep_update(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };
	int want_out = sm_buf_pending(&c->out) > 0;

	if (want_out == c->want_out)
		return;
	ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0);
	if (epoll_ctl(S.epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		sm_die("epoll_ctl");
	c->want_out = want_out;
}

static void conn_drop(struct conn *c)
{
	int i;

	for (i = 0; i < S.n_conns; i++)
		if (S.conns[i] == c) {
			S.conns[i] = S.conns[--S.n_conns];
			break;
		}
	if (c->bound != B_NONE && !c->closing)
		S.broken = 1;
	epoll_ctl(S.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out.p);
	free(c);
}

/* The connection MOs go out on: the first transceiver or receiver. */
static struct conn *mo_conn(void)
{
	int i;

	for (i = 0; i < S.n_conns; i++)
		if ((S.conns[i]->bound == B_TRX || S.conns[i]->bound == B_RX) &&
		    !S.conns[i]->closing)
			return S.conns[i];
	return NULL;
}

/* ---- MO out ------------------------------------------------------------- */

/* Next number without a reply due, or -1. */
static long next_number(void)
{
	uint32_t k;

	for (k = 0; k < S.n_num; k++) {
		uint32_t i = S.next;

		S.next = S.next + 1 == S.n_num ? 0 : S.next + 1;
		if (!S.due[i])
			return i;
	}
	return -1;
}

/* Queues one deliver_sm on c whose clock starts at t (now: written at
 * `now`). 0, or -1 when every number has a reply due. */
static int send_mo(struct conn *c, int64_t t, int64_t now)
{
	long i = next_number();
	uint8_t *p;
	char src[24];
	size_t n;

	if (i < 0)
		return -1;
	if (S.tail - S.head > S.ring_mask) {	/* full: the oldest is lost */
		struct pending *o = &S.ring[S.head++ & S.ring_mask];

		if (S.due[o->idx] == o->t) {
			S.due[o->idx] = 0;
			S.outstanding--;
			S.lost++;
		}
	}
	n = sm_utoa10(src, S.num[i]);
	S.seq = S.seq >= 0x7FFFFFFFu ? 1 : S.seq + 1;
	p = sm_begin_pdu(&c->out, SM_DELIVER_SM, SM_ESME_ROK, S.seq,
			 64 + S.text_len);
	*p++ = 0;				/* service_type "" */
	*p++ = 1;				/* source TON international */
	*p++ = 1;				/* source NPI ISDN */
	memcpy(p, src, n + 1);
	p += n + 1;
	*p++ = 0;				/* dest TON unknown */
	*p++ = 1;				/* dest NPI ISDN */
	memcpy(p, "12333", 6);
	p += 6;
	*p++ = 0;				/* esm_class */
	*p++ = 0;				/* protocol_id */
	*p++ = 0;				/* priority_flag */
	*p++ = 0;				/* schedule_delivery_time */
	*p++ = 0;				/* validity_period */
	*p++ = 0;				/* registered_delivery */
	*p++ = 0;				/* replace_if_present */
	*p++ = 0;				/* data_coding: SMSC default */
	*p++ = 0;				/* sm_default_msg_id */
	*p++ = (uint8_t)S.text_len;
	memcpy(p, S.text, S.text_len);
	p += S.text_len;
	sm_end_pdu(&c->out, p);

	S.ack_t[S.seq & (ACK_RING - 1)] = now;
	S.due[i] = t;
	if (S.last[i] && t - S.last[i] < S.min_gap)
		S.min_gap = t - S.last[i];
	S.last[i] = t;
	S.ring[S.tail & S.ring_mask] = (struct pending){ (uint32_t)i, t };
	S.tail++;
	S.outstanding++;
	S.sent++;
	return 0;
}

/* Replies due since before `cutoff` (all when cutoff is INT64_MAX) are
 * lost; entries already answered are dropped from the ring. */
static void sweep(int64_t cutoff)
{
	while (S.head != S.tail) {
		struct pending *p = &S.ring[S.head & S.ring_mask];

		if (S.due[p->idx] == p->t) {
			if (p->t >= cutoff)
				break;
			S.due[p->idx] = 0;
			S.outstanding--;
			S.lost++;
		}
		S.head++;
	}
}

/* Sends what the phase wants now; returns the next time it wants to send
 * (INT64_MAX: when a reply comes). */
static int64_t pump(int64_t now)
{
	const struct phase *ph = S.ph;
	struct conn *c = mo_conn();

	if (!ph || !c || now >= S.t_end_send)
		return INT64_MAX;
	if (ph->kind == 'c') {
		while (S.outstanding < ph->n && send_mo(c, now, now) == 0)
			;
		return INT64_MAX;
	}
	for (;;) {
		int64_t t = S.t0 + (int64_t)((double)S.sent * NS / ph->rate);

		if (t >= S.t_end_send)
			return INT64_MAX;
		if (t > now)
			return t;
		if (sm_buf_pending(&c->out) > OUT_HIGH)
			return now + NS / 1000;	/* blocked: look again */
		if (now - t > S.max_lag)
			S.max_lag = now - t;
		if (send_mo(c, t, now) < 0)
			return now + NS / 1000;
	}
}

/* ---- PDUs in ------------------------------------------------------------ */

/* Whether a submit_sm body is the first (or only) part of its message. */
static int first_part(uint8_t esm, const uint8_t *sm, size_t sm_len,
		      const uint8_t *tlv, const uint8_t *end)
{
	if ((esm & UDH_FLAG) && sm_len > 0) {
		size_t udhl = sm[0], k = 1;

		while (k + 2 <= udhl + 1 && k + 2 <= sm_len) {
			uint8_t iei = sm[k], ielen = sm[k + 1];
			const uint8_t *v = sm + k + 2;

			if (k + 2 + ielen > sm_len)
				break;
			if (iei == IEI_CONCAT8 && ielen == 3)
				return v[2] <= 1;
			if (iei == IEI_CONCAT16 && ielen == 4)
				return v[3] <= 1;
			k += 2 + ielen;
		}
	}
	while (end - tlv >= 4) {
		uint16_t tag = sm_rd16(tlv), len = sm_rd16(tlv + 2);

		if (end - tlv - 4 < len)
			break;
		if (tag == TLV_SAR_SEQNUM && len == 1)
			return tlv[4] <= 1;
		tlv += 4 + len;
	}
	return 1;
}

static void on_submit(struct conn *c, uint32_t seq, const uint8_t *b,
		      size_t blen, int64_t now)
{
	const uint8_t *p = b, *end = b + blen, *sm;
	char id[24], dst[24];
	uint8_t esm, sm_len;
	size_t idlen;
	long i;

	idlen = sm_utoa10(id, ++S.msgid);
	sm_put_pdu(&c->out, SM_SUBMIT_SM | SM_RESP_BIT, SM_ESME_ROK, seq, id,
		   idlen + 1);
	S.submits++;
	/* service_type, source TON/NPI/addr, dest TON/NPI/addr, esm_class,
	 * protocol_id, priority, schedule, validity, registered_delivery,
	 * replace, data_coding, sm_default_msg_id, sm_length */
	if (sm_get_cstr(&p, end, NULL, 6) < 0 || end - p < 2)
		goto bad;
	p += 2;
	if (sm_get_cstr(&p, end, NULL, 21) < 0 || end - p < 2)
		goto bad;
	p += 2;
	if (sm_get_cstr(&p, end, dst, 21) < 0 || end - p < 3)
		goto bad;
	esm = p[0];
	p += 3;
	if (sm_get_cstr(&p, end, NULL, 17) < 0 ||
	    sm_get_cstr(&p, end, NULL, 17) < 0 || end - p < 5)
		goto bad;
	sm_len = p[4];
	sm = p + 5;
	if (end - sm < sm_len)
		goto bad;
	if (!first_part(esm, sm, sm_len, sm + sm_len, end)) {
		S.extra_parts++;
		return;
	}
	i = num_find(num_parse(dst, strlen(dst)));
	if (i < 0 || !S.due[i]) {
		S.unmatched++;
		return;
	}
	lat_add(&S.lat, now - S.due[i]);
	if (S.verbose) {
		size_t sec = (size_t)((now - S.t0) / NS);
		uint32_t us = (uint32_t)((now - S.due[i]) / 1000);

		if (sec < S.n_secs) {
			S.sec_n[sec]++;
			if (us > S.sec_max_us[sec])
				S.sec_max_us[sec] = us;
		}
	}
	S.due[i] = 0;
	S.outstanding--;
	S.answered++;
	S.t_last_reply = now;
	return;
bad:
	S.unmatched++;
}

static void on_pdu(struct conn *c, const uint8_t *pdu, uint32_t len,
		   int64_t now)
{
	static const char sysid[] = "mo_load";
	uint32_t id = sm_rd32(pdu + 4), status = sm_rd32(pdu + 8);
	uint32_t seq = sm_rd32(pdu + 12);
	int64_t *t;

	switch (id) {
	case SM_SUBMIT_SM:
		on_submit(c, seq, pdu + SM_HDR_LEN, len - SM_HDR_LEN, now);
		break;
	case SM_DELIVER_SM | SM_RESP_BIT:
		t = &S.ack_t[seq & (ACK_RING - 1)];
		if (*t) {
			lat_add(&S.ack, now - *t);
			*t = 0;
		}
		S.acks++;
		if (status != SM_ESME_ROK)
			S.ack_errors++;
		break;
	case SM_BIND_TRANSCEIVER:
	case SM_BIND_TRANSMITTER:
	case SM_BIND_RECEIVER:
		c->bound = id == SM_BIND_TRANSCEIVER ? B_TRX :
			   id == SM_BIND_TRANSMITTER ? B_TX : B_RX;
		logf_("fd %d: bound as %s", c->fd, c->bound == B_TRX ?
		      "transceiver" : c->bound == B_TX ? "transmitter" :
		      "receiver");
		sm_put_pdu(&c->out, id | SM_RESP_BIT, SM_ESME_ROK, seq, sysid,
			   sizeof(sysid));
		break;
	case SM_ENQUIRE_LINK:
		sm_put_pdu(&c->out, SM_ENQUIRE_LINK | SM_RESP_BIT, SM_ESME_ROK,
			   seq, NULL, 0);
		break;
	case SM_UNBIND:
		logf_("fd %d: unbind", c->fd);
		sm_put_pdu(&c->out, SM_UNBIND | SM_RESP_BIT, SM_ESME_ROK, seq,
			   NULL, 0);
		if (S.ph)
			S.broken = 1;
		c->bound = B_NONE;
		c->closing = 1;
		break;
	default:
		if (id & SM_RESP_BIT)
			break;
		sm_put_pdu(&c->out, SM_GENERIC_NACK, SM_ESME_RINVCMDID, seq,
			   NULL, 0);
		break;
	}
}

/* Reads until EAGAIN and handles every complete PDU. -1: drop it. */
static int on_readable(struct conn *c)
{
	for (;;) {
		size_t off = 0;
		int64_t now;
		ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len,
				 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			logf_("fd %d: recv: %s", c->fd, strerror(errno));
			return -1;
		}
		if (n == 0) {
			logf_("fd %d: closed by peer", c->fd);
			return -1;
		}
		now = now_ns();
		c->in_len += n;
		for (;;) {
			uint32_t len;
			int got = sm_pdu_len(c->in + off, c->in_len - off, &len);

			if (got < 0) {
				fprintf(stderr, "mo_load: fd %d: bad command_length"
					" %u, closing\n", c->fd, len);
				return -1;
			}
			if (!got)
				break;
			on_pdu(c, c->in + off, len, now);
			off += len;
		}
		if (off) {
			memmove(c->in, c->in + off, c->in_len - off);
			c->in_len -= off;
		}
	}
}

static void on_accept(void)
{
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct conn *c;
		int fd = sm_accept(S.lfd);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				logf_("accept: %s", strerror(errno));
			return;
		}
		if (S.n_conns == MAX_CONNS) {
			logf_("fd %d: too many connections, closed", fd);
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->in = malloc(IN_CAP);
		if (!c->in)
			sm_die("malloc");
		c->fd = fd;
		S.conns[S.n_conns++] = c;
		ev.data.ptr = c;
		if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			sm_die("epoll_ctl");
		logf_("fd %d: connected", fd);
	}
}

/* ---- the loop ----------------------------------------------------------- */

/* Waits for events until `until` at the latest and handles them. */
static void step(int64_t until)
{
	static int no_pwait2;
	struct epoll_event evs[MAX_EVENTS];
	int64_t wait = until - now_ns();
	int i, n;

	if (wait < 0)
		wait = 0;
	if (!no_pwait2) {
		struct timespec ts = { wait / NS, wait % NS };

		n = epoll_pwait2(S.epfd, evs, MAX_EVENTS, &ts, NULL);
		if (n < 0 && errno == ENOSYS) {
			no_pwait2 = 1;
			return;
		}
	} else {
		n = epoll_wait(S.epfd, evs, MAX_EVENTS,
			       (int)((wait + 999999) / 1000000));
	}
	if (n < 0) {
		if (errno == EINTR)
			return;
		sm_die("epoll_wait");
	}
	for (i = 0; i < n; i++) {
		void *ptr = evs[i].data.ptr;
		struct conn *c = ptr;
		int j, live = 0;

		if (ptr == &S.lfd) {
			on_accept();
			continue;
		}
		if (ptr == &S.sfd) {
			S.stop = 1;
			continue;
		}
		for (j = 0; j < S.n_conns; j++)	/* dropped in this batch? */
			live |= S.conns[j] == c;
		if (!live)
			continue;
		if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
		    on_readable(c) < 0)
			conn_drop(c);
	}
}

/* Sends what the phase wants and flushes every connection; returns the
 * next time the phase wants to send. */
static int64_t flush_all(void)
{
	int64_t next = pump(now_ns());
	int i;

	for (i = 0; i < S.n_conns; i++) {
		struct conn *c = S.conns[i];

		if (sm_flush(c->fd, &c->out) < 0) {
			logf_("fd %d: send: %s", c->fd, strerror(errno));
			conn_drop(c);
			i--;
		} else if (c->closing && !sm_buf_pending(&c->out)) {
			conn_drop(c);
			i--;
		} else {
			ep_update(c);
		}
	}
	return next;
}

/* The process -g names: a pid, or a file that holds one (read each time:
 * a script may start that process after this one). 0: none. */
static long gw_pid(void)
{
	char *end;
	long pid;
	FILE *f;

	if (!S.gw_pid)
		return 0;
	pid = strtol(S.gw_pid, &end, 10);
	if (*S.gw_pid && !*end)
		return pid;
	f = fopen(S.gw_pid, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

/* user + system CPU of pid in seconds, -1 when unknown */
static double proc_cpu(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
			 " %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/* Seconds pid has waited, runnable, for a CPU (/proc/PID/schedstat, the
 * second field): the gateway delayed by other work. -1 when unknown. */
static double proc_runq_wait(long pid)
{
	unsigned long long run, wait;
	char path[64];
	FILE *f;
	int n;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/schedstat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%llu %llu", &run, &wait);
	fclose(f);
	return n == 2 ? wait / 1e9 : -1;
}

/* Busy and total CPU time of the machine in clock ticks (/proc/stat), so
 * that a run disturbed by other work shows. -1 when unknown. */
static int machine_cpu(unsigned long long *busy, unsigned long long *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	/* user nice system idle iowait irq softirq steal */
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 4)
		return -1;
	*total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	*busy = *total - v[3] - v[4];
	return 0;
}

static double self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void print_phase(const struct phase *ph, int64_t t_end, double gw_cpu,
			double gw_wait, double my_cpu, double machine)
{
	double wall = (double)(t_end - S.t0) / NS;
	double busy = (double)((S.t_last_reply > S.t0 ? S.t_last_reply : t_end)
			       - S.t0) / NS;

	qsort(S.lat.v, S.lat.n, sizeof(*S.lat.v), cmp_u32);
	qsort(S.ack.v, S.ack.n, sizeof(*S.ack.v), cmp_u32);
	if (ph->kind == 'r')
		printf("%sopen loop %.0f MO/s for %.0f s:", ph->warmup ?
		       "warm-up, " : "", ph->rate, ph->secs);
	else
		printf("%sclosed loop, %u outstanding, %.0f s:", ph->warmup ?
		       "warm-up, " : "", ph->n, ph->secs);
	printf(" %llu MO, %llu replies, %llu lost: %.0f replies/s\n",
	       (unsigned long long)S.sent, (unsigned long long)S.answered,
	       (unsigned long long)S.lost,
	       busy > 0 ? S.answered / busy : 0.0);
	printf("  reply latency ms: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
	       lat_pct(&S.lat, .5), lat_pct(&S.lat, .99),
	       lat_pct(&S.lat, .999), lat_pct(&S.lat, 1));
	printf("  deliver_sm_resp ms: p50 %.2f  p99 %.2f  max %.2f"
	       " (%llu, %llu not ESME_ROK)\n",
	       lat_pct(&S.ack, .5), lat_pct(&S.ack, .99), lat_pct(&S.ack, 1),
	       (unsigned long long)S.acks, (unsigned long long)S.ack_errors);
	printf("  CPU over %.1f s, %% of one core: skillgw ", wall);
	if (gw_cpu >= 0)
		printf("%.0f", wall > 0 ? 100 * gw_cpu / wall : 0);
	else
		printf("?");
	if (gw_wait >= 0 && wall > 0)
		printf(" (and %.0f waiting for a CPU)", 100 * gw_wait / wall);
	if (gw_cpu >= 0 && S.answered)
		printf(" = %.0f us a reply", 1e6 * gw_cpu / S.answered);
	printf(", mo_load %.0f", wall > 0 ? 100 * my_cpu / wall : 0);
	if (machine >= 0 && gw_cpu >= 0 && wall > 0) {
		/* the rest of the machine's busy time: other processes */
		double other = machine * sysconf(_SC_NPROCESSORS_ONLN) -
			       (gw_cpu + my_cpu) / wall;

		printf(", other processes %.0f (%ld cores)",
		       other > 0 ? 100 * other : 0,
		       sysconf(_SC_NPROCESSORS_ONLN));
	}
	printf("\n");
	printf("  submit_sm %llu (%llu later parts), %llu unmatched",
	       (unsigned long long)S.submits,
	       (unsigned long long)S.extra_parts,
	       (unsigned long long)S.unmatched);
	if (ph->kind == 'r')
		printf("; behind schedule at most %.2f ms",
		       (double)S.max_lag / 1e6);
	if (S.min_gap < INT64_MAX)
		printf("; a number's MOs at least %.1f s apart",
		       (double)S.min_gap / NS);
	printf("\n");
	fflush(stdout);
	if (S.verbose) {
		size_t k, last = 0;

		for (k = 0; k < S.n_secs; k++)
			if (S.sec_n[k])
				last = k + 1;
		for (k = 0; k < last; k++)
			printf("  second %zu: %u replies, slowest %.2f ms\n", k,
			       S.sec_n[k], S.sec_max_us[k] / 1000.0);
		fflush(stdout);
	}
	if (S.tsv) {
		fprintf(S.tsv, "%c\t%.0f\t%d\t%llu\t%llu\t%llu\t%.0f\t%.3f\t%.3f"
			"\t%.3f\t%.3f\t%.0f\n", ph->kind,
			ph->kind == 'r' ? ph->rate : ph->n, ph->warmup,
			(unsigned long long)S.sent,
			(unsigned long long)S.answered,
			(unsigned long long)S.lost,
			busy > 0 ? S.answered / busy : 0.0,
			lat_pct(&S.lat, .5), lat_pct(&S.lat, .99),
			lat_pct(&S.lat, .999), lat_pct(&S.lat, 1),
			gw_cpu >= 0 && wall > 0 ? 100 * gw_cpu / wall : -1);
		fflush(S.tsv);
	}
}

static int run_phase(const struct phase *ph)
{
	long pid = gw_pid();
	double gw0 = proc_cpu(pid), my0 = self_cpu(), gw1, my1, machine = -1;
	double wait0 = proc_runq_wait(pid), wait1;
	unsigned long long b0 = 0, c0 = 0, b1, c1;
	int64_t next, t_end;

	machine_cpu(&b0, &c0);
	S.ph = ph;
	S.sent = S.answered = S.lost = S.unmatched = S.extra_parts = 0;
	S.submits = S.acks = S.ack_errors = 0;
	S.max_lag = 0;
	S.min_gap = INT64_MAX;
	S.lat.n = S.ack.n = 0;
	if (S.verbose) {
		free(S.sec_n);
		free(S.sec_max_us);
		S.n_secs = (size_t)(ph->secs + (double)S.drain_ns / NS) + 2;
		S.sec_n = xcalloc(S.n_secs, sizeof(*S.sec_n));
		S.sec_max_us = xcalloc(S.n_secs, sizeof(*S.sec_max_us));
	}
	S.t0 = now_ns();
	S.t_last_reply = 0;
	S.t_end_send = S.t0 + (int64_t)(ph->secs * NS);
	for (;;) {
		int64_t now;

		next = flush_all();
		now = now_ns();
		if (S.stop || S.broken || !mo_conn())
			break;
		if (now >= S.t_end_send &&
		    (!S.outstanding || now >= S.t_end_send + S.drain_ns))
			break;
		sweep(now - S.drain_ns);
		if (now >= S.t_end_send)
			next = S.t_end_send + S.drain_ns;
		else if (next > S.t_end_send)
			next = S.t_end_send;
		if (next > now + NS / 10)
			next = now + NS / 10;
		step(next);
	}
	t_end = S.outstanding || !S.t_last_reply ? now_ns() : S.t_last_reply;
	gw1 = proc_cpu(pid);
	wait1 = proc_runq_wait(pid);
	my1 = self_cpu();
	if (c0 && machine_cpu(&b1, &c1) == 0 && c1 > c0)
		machine = (double)(b1 - b0) / (c1 - c0);
	sweep(INT64_MAX);
	S.ph = NULL;
	print_phase(ph, t_end, gw0 >= 0 && gw1 >= 0 ? gw1 - gw0 : -1,
		    wait0 >= 0 && wait1 >= 0 ? wait1 - wait0 : -1, my1 - my0,
		    machine);
	if (S.stop)
		return -1;
	if (S.broken || !mo_conn()) {
		fprintf(stderr, "mo_load: the ESME went away during the run\n");
		return -1;
	}
	return 0;
}

static void parse_phase(struct phase *ph, const char *arg)
{
	char kind, *end;
	double a, secs;

	if (!arg[0] || arg[1] != ':')
		goto bad;
	kind = arg[0];
	a = strtod(arg + 2, &end);
	if (*end != ':')
		goto bad;
	secs = strtod(end + 1, &end);
	if (*end || secs <= 0 || secs > 3600 || a <= 0)
		goto bad;
	ph->warmup = kind == 'R' || kind == 'C';
	ph->kind = kind == 'R' ? 'r' : kind == 'C' ? 'c' : kind;
	ph->secs = secs;
	if (ph->kind == 'r' && a <= 1e7)
		ph->rate = a;
	else if (ph->kind == 'c' && a <= 1e6 && a == (unsigned)a)
		ph->n = (unsigned)a;
	else
		goto bad;
	return;
bad:
	fail("bad phase \"%s\": r:RATE:SECS or c:N:SECS", arg);
}

static void usage(void)
{
	fputs("usage: mo_load -p PORT [-f FILE] -n NUMBERS [-t TEXT] [-g PID]\n"
	      "               [-B SECS] [-D SECS] [-o FILE] [-q] [-v] PHASE...\n"
	      "  -p PORT     listen on 127.0.0.1:PORT (0: a free port)\n"
	      "  -f FILE     once listening, write the port number to FILE\n"
	      "  -n NUMBERS  senders, one number a line, used round and round\n"
	      "  -t TEXT     the MO text (default BT), data_coding 0\n"
	      "  -g PID      report this process's CPU (the gateway); or a\n"
	      "              file holding the pid, read at each phase\n"
	      "  -B SECS     wait this long for the bind (default 60)\n"
	      "  -D SECS     await replies this long after a phase (default 5)\n"
	      "  -o FILE     also one tab-separated line a phase: r|c, rate|N,\n"
	      "              warm-up 0|1, MOs, replies, lost, replies/s,\n"
	      "              p50, p99, p99.9, max (ms), skillgw CPU % (-1: ?)\n"
	      "  -q          no connection log on stderr\n"
	      "  -v          also, per second of each phase, the replies and\n"
	      "              the slowest one (periodic stalls show)\n"
	      "  PHASE       r:RATE:SECS open loop, c:N:SECS closed loop;\n"
	      "              R: and C: are the same, printed as warm-up\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct phase phases[MAX_PHASES];
	const char *port_file = NULL, *numbers = NULL;
	double bind_wait = 60, drain = 5;
	int opt, n_phases = 0, i, rc = 0;
	long port = -1;
	sigset_t mask;
	int64_t deadline;

	sm_prog = "mo_load";
	S.text = "BT";
	while ((opt = getopt(argc, argv, "p:f:n:t:g:B:D:o:qvh")) != -1) {
		switch (opt) {
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 'f': port_file = optarg; break;
		case 'n': numbers = optarg; break;
		case 't': S.text = optarg; break;
		case 'g': S.gw_pid = optarg; break;
		case 'B': bind_wait = strtod(optarg, NULL); break;
		case 'D': drain = strtod(optarg, NULL); break;
		case 'o':
			S.tsv = fopen(optarg, "w");
			if (!S.tsv)
				sm_die(optarg);
			break;
		case 'q': S.quiet = 1; break;
		case 'v': S.verbose = 1; break;
		default: usage();
		}
	}
	if (port < 0 || port > 65535 || !numbers || optind == argc ||
	    argc - optind > MAX_PHASES || bind_wait <= 0 || drain <= 0)
		usage();
	S.text_len = strlen(S.text);
	if (S.text_len > 160)
		fail("-t: at most 160 characters");
	for (i = optind; i < argc; i++)
		parse_phase(&phases[n_phases++], argv[i]);
	S.drain_ns = (int64_t)(drain * NS);
	S.base = 0;
	S.base = now_ns() - NS;
	numbers_load(numbers);
	S.ack_t = xcalloc(ACK_RING, sizeof(*S.ack_t));

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		sm_die("sigprocmask");
	S.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (S.sfd < 0)
		sm_die("signalfd");
	S.lfd = sm_listen(port, &port);
	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (S.epfd < 0)
		sm_die("epoll_create1");
	ev.data.ptr = &S.lfd;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, S.lfd, &ev) < 0)
		sm_die("epoll_ctl");
	ev.data.ptr = &S.sfd;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, S.sfd, &ev) < 0)
		sm_die("epoll_ctl");
	if (port_file)
		sm_write_port_file(port_file, port);
	logf_("listening on 127.0.0.1:%ld, %u numbers", port, S.n_num);

	deadline = now_ns() + (int64_t)(bind_wait * NS);
	while (!mo_conn() && !S.stop && now_ns() < deadline) {
		flush_all();
		step(deadline);
	}
	if (!mo_conn()) {
		fprintf(stderr, "mo_load: no ESME bound as transceiver or"
			" receiver in %.0f s\n", bind_wait);
		return 1;
	}
	deadline = now_ns() + SETTLE_NS;	/* let its start-up finish */
	while (now_ns() < deadline && !S.stop) {
		flush_all();
		step(deadline);
	}
	for (i = 0; i < n_phases && rc == 0; i++)
		rc = run_phase(&phases[i]);
	if (rc == 0) {
		/* the ESME may now unbind and go (a script stops it once it
		 * sees this line): answered until then, at most -B SECS */
		printf("end: %u numbers\n", S.n_num);
		fflush(stdout);
		deadline = now_ns() + (int64_t)(bind_wait * NS);
		while (S.n_conns && !S.stop && now_ns() < deadline) {
			flush_all();
			step(deadline);
		}
	}
	for (i = 0; i < S.n_conns; i++)	/* what is left: the last resps */
		sm_flush(S.conns[i]->fd, &S.conns[i]->out);
	return rc ? 1 : 0;
}
