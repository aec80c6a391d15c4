/*
 * mo_load.c - an SMSC that sends SMS commands (MO) to skillgw and times the
 * replies, for benchmarks.
 *
 *   mo_load -p PORT [-f FILE] -n NUMBERS [-t TEXT] [-g PIDS] [-l LABEL]
 *           [-B SECS] [-D SECS] [-o FILE] [-q] [-v] PHASE...
 *
 * PHASE is r:RATE:SECS (open loop: RATE MOs a second for SECS seconds, on
 * a fixed schedule whatever the replies do), c:N:SECS (closed loop: N MOs
 * awaiting their reply at all times, for SECS seconds) or w:N:SECS (a
 * window: N deliver_sm awaiting their deliver_sm_resp at all times, the
 * replies counted and timed as they come); a phase named with a capital
 * (R:, C:, W:) is a warm-up, run and printed as such. Phases run one
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
 * the reply latency and of the deliver_sm_resp, the CPU of the processes
 * -g PIDS (the gateway: PID[,PID...], or a file holding them; -l LABEL
 * names them in the output, default skillgw), per reply too, and
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
 * One thread on epoll; the PDU helpers are shared with smsc_sink.c and
 * ussd_load.c (smpp_min.c, bench_util.c). Timing is CLOCK_MONOTONIC; the schedule of the open loop
 * uses epoll_pwait2 (nanosecond timeouts) where the kernel has it.
 */
#define _GNU_SOURCE
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

#define OUT_HIGH	(16 * 1024 * 1024)	/* open loop: stop adding */
#define MAX_CONNS	4
#define MAX_EVENTS	64
#define MAX_PHASES	32
#define ACK_RING	(1u << 20)		/* deliver_sm awaiting resp */
#define RING_MIN	(1u << 20)		/* MOs awaiting a reply */
#define NS		BU_NS
#define SETTLE_NS	(NS / 5)		/* after the bind */

#define CC		86ULL			/* country code */
#define CC_SCALE	100000000000ULL		/* 10^11: a national number */

#define UDH_FLAG	0x40
#define IEI_CONCAT8	0x00
#define IEI_CONCAT16	0x08
#define TLV_SAR_SEQNUM	0x020F

struct phase {
	char kind;		/* 'r' open, 'c' closed loop, 'w' window */
	int warmup;
	double rate;		/* r: MOs a second */
	unsigned n;		/* c: MOs outstanding, w: deliver_sm */
	double secs;
};

struct pending {
	uint32_t idx;		/* into numbers */
	int64_t t;		/* its clock start */
};

static struct {
	int verbose;			/* -v: a line per second of a phase */
	int epfd, lfd, sfd;
	struct sm_conn *conns[MAX_CONNS];
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
	uint32_t unacked;		/* deliver_sm awaiting their resp */

	/* deliver_sm awaiting deliver_sm_resp, by sequence number */
	int64_t *ack_t;
	uint32_t seq;

	const char *text;
	size_t text_len;
	FILE *tsv;			/* -o: one line a phase */
	const char *gw_pid;		/* -g: numbers, or a file holding them */
	const char *gw_label;		/* -l */
	int64_t drain_ns;
	int64_t base;			/* clock origin: times stay > 0 */

	/* the phase running */
	const struct phase *ph;
	int64_t t0, t_end_send, t_last_reply, max_lag;
	uint64_t sent, answered, lost, unmatched, extra_parts, submits;
	uint64_t acks, ack_errors;
	int64_t min_gap;
	struct bu_lat lat, ack;
	unsigned long long msgid;
	/* -v: per second since the phase start, replies and the slowest */
	uint32_t *sec_n, *sec_max_us;
	size_t n_secs;
} S;

/* The clock of the run: nanoseconds since S.base (times stay > 0). */
static int64_t now_ns(void)
{
	return bu_now_ns() - S.base;
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
		bu_die(path);
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
				bu_die("realloc");
		}
		S.num[S.n_num++] = v;
		if (S.n_num == UINT32_MAX / 4)
			break;
	}
	fclose(f);
	if (!S.n_num)
		bu_fail("%s: no numbers", path);
	while (ht_size < 2 * (size_t)S.n_num)
		ht_size *= 2;
	S.ht = bu_xcalloc(ht_size, sizeof(*S.ht));
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
	S.due = bu_xcalloc(S.n_num, sizeof(*S.due));
	S.last = bu_xcalloc(S.n_num, sizeof(*S.last));
	for (ht_size = RING_MIN; ht_size < (size_t)S.n_num + 1; ht_size *= 2)
		;
	S.ring = bu_xcalloc(ht_size, sizeof(*S.ring));
	S.ring_mask = (uint32_t)(ht_size - 1);
	if (skipped)
		bu_log("%s: %zu lines skipped (not a number, or repeated)",
		      path, skipped);
}

/* ---- connections -------------------------------------------------------- */

static void conn_drop(struct sm_conn *c)
{
	int i;

	for (i = 0; i < S.n_conns; i++)
		if (S.conns[i] == c) {
			S.conns[i] = S.conns[--S.n_conns];
			break;
		}
	if (c->bound != SM_B_NONE && !c->closing)
		S.broken = 1;
	sm_conn_free(S.epfd, c);
}

/* The connection MOs go out on: the first transceiver or receiver. */
static struct sm_conn *mo_conn(void)
{
	int i;

	for (i = 0; i < S.n_conns; i++)
		if ((S.conns[i]->bound == SM_B_TRX ||
		     S.conns[i]->bound == SM_B_RX) &&
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
static int send_mo(struct sm_conn *c, int64_t t, int64_t now)
{
	static const struct sm_addr to = { 0, 1, "12333" };	/* unknown, ISDN */
	struct sm_addr from = { 1, 1, "" };		/* international, ISDN */
	long i = next_number();
	uint8_t *p;

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
	sm_utoa10(from.addr, S.num[i]);
	S.seq = S.seq >= 0x7FFFFFFFu ? 1 : S.seq + 1;
	p = sm_begin_pdu(&c->out, SM_DELIVER_SM, SM_ESME_ROK, S.seq,
			 64 + S.text_len);
	p = sm_put_sm(p, &from, &to, 0, 0, S.text, (uint8_t)S.text_len);
	sm_end_pdu(&c->out, p);

	S.ack_t[S.seq & (ACK_RING - 1)] = now;
	S.due[i] = t;
	if (S.last[i] && t - S.last[i] < S.min_gap)
		S.min_gap = t - S.last[i];
	S.last[i] = t;
	S.ring[S.tail & S.ring_mask] = (struct pending){ (uint32_t)i, t };
	S.tail++;
	S.outstanding++;
	S.unacked++;
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
	struct sm_conn *c = mo_conn();

	if (!ph || !c || now >= S.t_end_send)
		return INT64_MAX;
	if (ph->kind == 'c') {
		while (S.outstanding < ph->n && send_mo(c, now, now) == 0)
			;
		return INT64_MAX;
	}
	if (ph->kind == 'w') {
		while (S.unacked < ph->n && send_mo(c, now, now) == 0)
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

/* Whether submit_sm s is the first (or only) part of its message. */
static int first_part(const struct sm_sm *s)
{
	const uint8_t *v;
	uint16_t len;

	if ((s->esm & UDH_FLAG) && s->sm_len > 0) {
		size_t udhl = s->sm[0], k = 1;

		while (k + 2 <= udhl + 1 && k + 2 <= s->sm_len) {
			uint8_t iei = s->sm[k], ielen = s->sm[k + 1];

			v = s->sm + k + 2;
			if (k + 2 + ielen > s->sm_len)
				break;
			if (iei == IEI_CONCAT8 && ielen == 3)
				return v[2] <= 1;
			if (iei == IEI_CONCAT16 && ielen == 4)
				return v[3] <= 1;
			k += 2 + ielen;
		}
	}
	v = sm_find_tlv(s->tlv, s->end, TLV_SAR_SEQNUM, &len);
	return v && len == 1 ? v[0] <= 1 : 1;
}

/* -v: the reply of latency `us` came `now`. */
static void per_second(int64_t now, uint32_t us)
{
	size_t sec = (size_t)((now - S.t0) / NS);

	if (sec < S.n_secs) {
		S.sec_n[sec]++;
		if (us > S.sec_max_us[sec])
			S.sec_max_us[sec] = us;
	}
}

static void on_submit(struct sm_conn *c, uint32_t seq, const uint8_t *b,
		      size_t blen, int64_t now)
{
	struct sm_sm s;
	char id[24];
	size_t idlen;
	long i;

	idlen = sm_utoa10(id, ++S.msgid);
	sm_put_pdu(&c->out, SM_SUBMIT_SM | SM_RESP_BIT, SM_ESME_ROK, seq, id,
		   idlen + 1);
	S.submits++;
	if (sm_parse_sm(b, blen, &s) < 0) {
		S.unmatched++;
		return;
	}
	if (!first_part(&s)) {
		S.extra_parts++;
		return;
	}
	i = num_find(num_parse(s.dst.addr, strlen(s.dst.addr)));
	if (i < 0 || !S.due[i]) {
		S.unmatched++;
		return;
	}
	bu_lat_add(&S.lat, now - S.due[i]);
	if (S.verbose)
		per_second(now, (uint32_t)((now - S.due[i]) / 1000));
	S.due[i] = 0;
	S.outstanding--;
	S.answered++;
	S.t_last_reply = now;
}

static void on_deliver_resp(uint32_t seq, uint32_t status, int64_t now)
{
	int64_t *t = &S.ack_t[seq & (ACK_RING - 1)];

	if (*t) {
		bu_lat_add(&S.ack, now - *t);
		*t = 0;
	}
	S.acks++;
	if (S.unacked)
		S.unacked--;
	if (status != SM_ESME_ROK)
		S.ack_errors++;
}

static void on_pdu(struct sm_conn *c, const uint8_t *pdu, uint32_t len,
		   void *arg)
{
	uint32_t id = sm_rd32(pdu + 4), status = sm_rd32(pdu + 8);
	uint32_t seq = sm_rd32(pdu + 12);

	switch (id) {
	case SM_SUBMIT_SM:
		on_submit(c, seq, pdu + SM_HDR_LEN, len - SM_HDR_LEN, now_ns());
		break;
	case SM_DELIVER_SM | SM_RESP_BIT:
		on_deliver_resp(seq, status, now_ns());
		break;
	default:
		sm_answer_admin(c, id, seq, "mo_load");
		if (id == SM_UNBIND && S.ph)
			S.broken = 1;
		break;
	}
}

static void on_accept(void)
{
	struct sm_conn *c;

	while ((c = sm_conn_accept(S.epfd, S.lfd))) {
		if (S.n_conns == MAX_CONNS) {
			bu_log("fd %d: too many connections, closed", c->fd);
			sm_conn_free(S.epfd, c);
			continue;
		}
		S.conns[S.n_conns++] = c;
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
		bu_die("epoll_wait");
	}
	for (i = 0; i < n; i++) {
		void *ptr = evs[i].data.ptr;
		struct sm_conn *c = ptr;
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
		    sm_conn_read(c, on_pdu, NULL, SIZE_MAX) < 0)
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
		struct sm_conn *c = S.conns[i];

		if (sm_flush(c->fd, &c->out) < 0) {
			bu_log("fd %d: send: %s", c->fd, strerror(errno));
			conn_drop(c);
			i--;
		} else if (c->closing && !sm_buf_pending(&c->out)) {
			conn_drop(c);
			i--;
		} else {
			sm_conn_watch(S.epfd, c, SIZE_MAX);
		}
	}
	return next;
}

/* CPU seconds of a phase: the gateway's (-g; -1: unknown), how long it
 * waited for a CPU, this process's and the machine's busy share. */
struct cpu {
	double gw, gw_wait, mine, machine;
};

static void print_cpu(const struct cpu *u, double wall)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	printf("  CPU over %.1f s, %% of one core: %s ", wall, S.gw_label);
	if (u->gw >= 0)
		printf("%.0f", wall > 0 ? 100 * u->gw / wall : 0);
	else
		printf("?");
	if (u->gw_wait >= 0 && wall > 0)
		printf(" (and %.0f waiting for a CPU)", 100 * u->gw_wait / wall);
	if (u->gw >= 0 && S.answered)
		printf(" = %.0f us a reply", 1e6 * u->gw / S.answered);
	printf(", mo_load %.0f", wall > 0 ? 100 * u->mine / wall : 0);
	if (u->machine >= 0 && u->gw >= 0 && wall > 0) {
		/* the rest of the machine's busy time: other processes */
		double other = u->machine * cores - (u->gw + u->mine) / wall;

		printf(", other processes %.0f (%ld cores)",
		       other > 0 ? 100 * other : 0, cores);
	}
	printf("\n");
}

/* -v: per second, the replies and the slowest of them. */
static void print_seconds(void)
{
	size_t k, last = 0;

	for (k = 0; k < S.n_secs; k++)
		if (S.sec_n[k])
			last = k + 1;
	for (k = 0; k < last; k++)
		printf("  second %zu: %u replies, slowest %.2f ms\n", k,
		       S.sec_n[k], S.sec_max_us[k] / 1000.0);
	fflush(stdout);
}

/* -o: one tab-separated line (see usage()). */
static void print_tsv(const struct phase *ph, double busy, double wall,
		      double gw_cpu)
{
	fprintf(S.tsv, "%c\t%.0f\t%d\t%llu\t%llu\t%llu\t%.0f\t%.3f\t%.3f"
		"\t%.3f\t%.3f\t%.0f\t%.1f\t%llu\n", ph->kind,
		ph->kind == 'r' ? ph->rate : ph->n, ph->warmup,
		(unsigned long long)S.sent, (unsigned long long)S.answered,
		(unsigned long long)S.lost,
		busy > 0 ? S.answered / busy : 0.0,
		bu_lat_rank(&S.lat, .5), bu_lat_rank(&S.lat, .99),
		bu_lat_rank(&S.lat, .999), bu_lat_rank(&S.lat, 1),
		gw_cpu >= 0 && wall > 0 ? 100 * gw_cpu / wall : -1,
		gw_cpu >= 0 && S.answered ? 1e6 * gw_cpu / S.answered : -1,
		(unsigned long long)S.submits);
	fflush(S.tsv);
}

static void print_counts(const struct phase *ph)
{
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
}

static void print_phase(const struct phase *ph, int64_t t_end,
			const struct cpu *u)
{
	double wall = (double)(t_end - S.t0) / NS;
	double busy = (double)((S.t_last_reply > S.t0 ? S.t_last_reply : t_end)
			       - S.t0) / NS;

	bu_lat_sort(&S.lat);
	bu_lat_sort(&S.ack);
	if (ph->kind == 'r')
		printf("%sopen loop %.0f MO/s for %.0f s:", ph->warmup ?
		       "warm-up, " : "", ph->rate, ph->secs);
	else if (ph->kind == 'c')
		printf("%sclosed loop, %u outstanding, %.0f s:", ph->warmup ?
		       "warm-up, " : "", ph->n, ph->secs);
	else
		printf("%swindow of %u deliver_sm, %.0f s:", ph->warmup ?
		       "warm-up, " : "", ph->n, ph->secs);
	printf(" %llu MO, %llu replies, %llu lost: %.0f replies/s\n",
	       (unsigned long long)S.sent, (unsigned long long)S.answered,
	       (unsigned long long)S.lost,
	       busy > 0 ? S.answered / busy : 0.0);
	printf("  reply latency ms: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
	       bu_lat_rank(&S.lat, .5), bu_lat_rank(&S.lat, .99),
	       bu_lat_rank(&S.lat, .999), bu_lat_rank(&S.lat, 1));
	printf("  deliver_sm_resp ms: p50 %.2f  p99 %.2f  max %.2f"
	       " (%llu, %llu not ESME_ROK)\n",
	       bu_lat_rank(&S.ack, .5), bu_lat_rank(&S.ack, .99),
	       bu_lat_rank(&S.ack, 1),
	       (unsigned long long)S.acks, (unsigned long long)S.ack_errors);
	print_cpu(u, wall);
	print_counts(ph);
	fflush(stdout);
	if (S.verbose)
		print_seconds();
	if (S.tsv)
		print_tsv(ph, busy, wall, u->gw);
}

/* Starts (start = 1) or ends the CPU measurement of a phase into u. */
static void measure_cpu(struct cpu *u, int start)
{
	static unsigned long long b0, c0;
	static struct cpu at0;
	unsigned long long b1, c1;
	long pids[BU_MAX_PIDS];
	int n = bu_pids(S.gw_pid, pids, BU_MAX_PIDS);
	struct cpu now = {
		bu_procs_cpu(pids, n), bu_procs_runq_wait(pids, n),
		bu_self_cpu(), -1
	};

	if (start) {
		at0 = now;
		b0 = c0 = 0;
		bu_machine_cpu(&b0, &c0);
		return;
	}
	u->gw = at0.gw >= 0 && now.gw >= 0 ? now.gw - at0.gw : -1;
	u->gw_wait = at0.gw_wait >= 0 && now.gw_wait >= 0 ?
		     now.gw_wait - at0.gw_wait : -1;
	u->mine = now.mine - at0.mine;
	u->machine = -1;
	if (c0 && bu_machine_cpu(&b1, &c1) == 0 && c1 > c0)
		u->machine = (double)(b1 - b0) / (c1 - c0);
}

static int run_phase(const struct phase *ph)
{
	struct cpu u;
	int64_t next, t_end;

	measure_cpu(&u, 1);
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
		S.sec_n = bu_xcalloc(S.n_secs, sizeof(*S.sec_n));
		S.sec_max_us = bu_xcalloc(S.n_secs, sizeof(*S.sec_max_us));
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
	measure_cpu(&u, 0);
	sweep(INT64_MAX);
	S.ph = NULL;
	print_phase(ph, t_end, &u);
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
	ph->warmup = kind == 'R' || kind == 'C' || kind == 'W';
	ph->kind = kind == 'R' ? 'r' : kind == 'C' ? 'c' : kind == 'W' ? 'w' :
		   kind;
	ph->secs = secs;
	if (ph->kind == 'r' && a <= 1e7)
		ph->rate = a;
	else if ((ph->kind == 'c' || ph->kind == 'w') && a <= 1e6 &&
		 a == (unsigned)a)
		ph->n = (unsigned)a;
	else
		goto bad;
	return;
bad:
	bu_fail("bad phase \"%s\": r:RATE:SECS, c:N:SECS or w:N:SECS", arg);
}

static void usage(void)
{
	fputs("usage: mo_load -p PORT [-f FILE] -n NUMBERS [-t TEXT] [-g PIDS]\n"
	      "               [-l LABEL] [-B SECS] [-D SECS] [-o FILE] [-q] [-v]\n"
	      "               PHASE...\n"
	      "  -p PORT     listen on 127.0.0.1:PORT (0: a free port)\n"
	      "  -f FILE     once listening, write the port number to FILE\n"
	      "  -n NUMBERS  senders, one number a line, used round and round\n"
	      "  -t TEXT     the MO text (default BT), data_coding 0\n"
	      "  -g PIDS     report the CPU of these processes (the gateway),\n"
	      "              PID[,PID...]; or a file holding them, read at\n"
	      "              each phase\n"
	      "  -l LABEL    their name in the output (default skillgw)\n"
	      "  -B SECS     wait this long for the bind (default 60)\n"
	      "  -D SECS     await replies this long after a phase (default 5)\n"
	      "  -o FILE     also one tab-separated line a phase: r|c|w, rate|N,\n"
	      "              warm-up 0|1, MOs, replies, lost, replies/s,\n"
	      "              p50, p99, p99.9, max (ms), -g CPU % and us a\n"
	      "              reply (-1: ?), submit_sm (every part)\n"
	      "  -q          no connection log on stderr\n"
	      "  -v          also, per second of each phase, the replies and\n"
	      "              the slowest one (periodic stalls show)\n"
	      "  PHASE       r:RATE:SECS open loop, c:N:SECS closed loop,\n"
	      "              w:N:SECS window of N deliver_sm; R: C: W: are\n"
	      "              the same, printed as warm-up\n",
	      stderr);
	exit(2);
}

struct opts {
	long port;
	const char *port_file, *numbers;
	double bind_wait, drain;
};

/* Options into o and S; returns the index of the first PHASE. */
static int options(int argc, char **argv, struct opts *o)
{
	int opt;

	while ((opt = getopt(argc, argv, "p:f:n:t:g:l:B:D:o:qvh")) != -1) {
		switch (opt) {
		case 'p': o->port = bu_opt_long(optarg, 0, 65535, opt); break;
		case 'f': o->port_file = optarg; break;
		case 'n': o->numbers = optarg; break;
		case 't': S.text = optarg; break;
		case 'g': S.gw_pid = optarg; break;
		case 'l': S.gw_label = optarg; break;
		case 'B': o->bind_wait = bu_opt_double(optarg, 0.1, 1e6, opt); break;
		case 'D': o->drain = bu_opt_double(optarg, 0.001, 1e6, opt); break;
		case 'o':
			S.tsv = fopen(optarg, "w");
			if (!S.tsv)
				bu_die(optarg);
			break;
		case 'q': bu_quiet = 1; break;
		case 'v': S.verbose = 1; break;
		default: usage();
		}
	}
	if (o->port < 0 || !o->numbers || optind == argc ||
	    argc - optind > MAX_PHASES)
		usage();
	S.text_len = strlen(S.text);
	if (S.text_len > 160)
		bu_fail("-t: at most 160 characters");
	return optind;
}

/* The listening socket and the signalfd on S.epfd. */
static void set_up(long port, const char *port_file)
{
	struct epoll_event ev = { .events = EPOLLIN };

	S.sfd = bu_signalfd(1);
	S.lfd = sm_listen(port, &port);
	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (S.epfd < 0)
		bu_die("epoll_create1");
	ev.data.ptr = &S.lfd;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, S.lfd, &ev) < 0)
		bu_die("epoll_ctl");
	ev.data.ptr = &S.sfd;
	if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, S.sfd, &ev) < 0)
		bu_die("epoll_ctl");
	if (port_file)
		sm_write_port_file(port_file, port);
	bu_log("listening on 127.0.0.1:%ld, %u numbers", port, S.n_num);
}

/* Answers until `until`, while cond() holds. */
static void serve(int64_t until, int (*cond)(void))
{
	while (cond() && !S.stop && now_ns() < until) {
		flush_all();
		step(until);
	}
}

static int unbound(void) { return !mo_conn(); }
static int settling(void) { return 1; }
static int connected(void) { return S.n_conns > 0; }

int main(int argc, char **argv)
{
	struct opts o = { .port = -1, .bind_wait = 60, .drain = 5 };
	struct phase phases[MAX_PHASES];
	int n_phases = 0, i, rc = 0;

	bu_prog = "mo_load";
	S.text = "BT";
	S.gw_label = "skillgw";
	for (i = options(argc, argv, &o); i < argc; i++)
		parse_phase(&phases[n_phases++], argv[i]);
	S.drain_ns = (int64_t)(o.drain * NS);
	S.base = bu_now_ns() - NS;
	numbers_load(o.numbers);
	S.ack_t = bu_xcalloc(ACK_RING, sizeof(*S.ack_t));
	set_up(o.port, o.port_file);

	serve(now_ns() + (int64_t)(o.bind_wait * NS), unbound);
	if (!mo_conn()) {
		fprintf(stderr, "mo_load: no ESME bound as transceiver or"
			" receiver in %.0f s\n", o.bind_wait);
		return 1;
	}
	serve(now_ns() + SETTLE_NS, settling);	/* let its start-up finish */
	for (i = 0; i < n_phases && rc == 0; i++)
		rc = run_phase(&phases[i]);
	if (rc == 0) {
		/* the ESME may now unbind and go (a script stops it once it
		 * sees this line): answered until then, at most -B SECS */
		printf("end: %u numbers\n", S.n_num);
		fflush(stdout);
		serve(now_ns() + (int64_t)(o.bind_wait * NS), connected);
	}
	for (i = 0; i < S.n_conns; i++)	/* what is left: the last resps */
		sm_flush(S.conns[i]->fd, &S.conns[i]->out);
	return rc ? 1 : 0;
}
