/*
 * bench_util.c - the helpers of the benchmark tools that are not SMPP
 * (bench_util.h): messages, clocks, options, latencies, CPU time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

const char *bu_prog = "bench";
int bu_quiet;

void bu_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", bu_prog, what, strerror(errno));
	exit(1);
}

static void say(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", bu_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void bu_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(1);
}

void bu_log(const char *fmt, ...)
{
	va_list ap;

	if (bu_quiet)
		return;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

int64_t bu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * BU_NS + ts.tv_nsec;
}

double bu_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void *bu_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		bu_die("calloc");
	return p;
}

long bu_opt_long(const char *arg, long min, long max, int opt)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		bu_fail("-%c: \"%s\" is not a whole number from %ld to %ld",
			opt, arg, min, max);
	return v;
}

double bu_opt_double(const char *arg, double min, double max, int opt)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= min && v <= max))
		bu_fail("-%c: \"%s\" is not a number from %g to %g", opt, arg,
			min, max);
	return v;
}

/* ---- latencies ------------------------------------------------------------ */

void bu_lat_add(struct bu_lat *l, int64_t ns)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 65536;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			bu_die("realloc");
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

void bu_lat_sort(struct bu_lat *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_u32);
}

double bu_lat_rank(const struct bu_lat *l, double p)
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

double bu_lat_index(const struct bu_lat *l, double p)
{
	if (!l->n)
		return 0;
	return l->v[(size_t)(p * (l->n - 1) + 0.5)] / 1000.0;
}

/* ---- CPU time ------------------------------------------------------------- */

/* Whole numbers of s: at most max, 0 when there are none. */
static int parse_pids(const char *s, long *pids, int max)
{
	int n = 0;

	while (*s && n < max) {
		char *end;
		long v = strtol(s, &end, 10);

		if (end == s)
			break;
		if (v > 0)
			pids[n++] = v;
		s = end + strspn(end, ", \t\r\n");
	}
	return n;
}

int bu_pids(const char *arg, long *pids, int max)
{
	char buf[256];
	size_t len;
	FILE *f;

	if (!arg || !*arg)
		return 0;
	if (strspn(arg, "0123456789,") == strlen(arg))
		return parse_pids(arg, pids, max);
	f = fopen(arg, "r");
	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	return parse_pids(buf, pids, max);
}

double bu_proc_cpu(long pid)
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

double bu_proc_runq_wait(long pid)
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

static double sum_of(const long *pids, int n, double (*fn)(long))
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++) {
		double v = fn(pids[i]);

		if (v < 0)
			return -1;
		sum += v;
	}
	return n ? sum : -1;
}

double bu_procs_cpu(const long *pids, int n)
{
	return sum_of(pids, n, bu_proc_cpu);
}

double bu_procs_runq_wait(const long *pids, int n)
{
	return sum_of(pids, n, bu_proc_runq_wait);
}

int bu_machine_cpu(unsigned long long *busy, unsigned long long *total)
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

double bu_self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int bu_signalfd(int hup)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (hup)
		sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		bu_die("sigprocmask");
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		bu_die("signalfd");
	return fd;
}
