/*
 * bench_util.h - what the benchmark tools (smsc_sink.c, mo_load.c,
 * ussd_load.c, sendsms_load.c) share that is not SMPP: log lines and fatal
 * errors under the tool's name, the monotonic clock, checked allocation
 * and option values, a latency recorder with percentiles, the CPU time of
 * processes and of the machine, and the signalfd that ends a tool cleanly.
 *
 * No product header is included: the tools are plain programs. Errors that
 * leave a tool nothing to do end the process with a message prefixed by
 * bu_prog.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define BU_NS		1000000000LL
#define BU_MAX_PIDS	8

/* Prefix of every message ("sink", "mo_load"); set it in main(). */
extern const char *bu_prog;
/* bu_log() says nothing when set (-q). */
extern int bu_quiet;

/* "PROG: WHAT: strerror(errno)" on stderr, exit 1. */
void bu_die(const char *what) __attribute__((noreturn));
/* "PROG: MESSAGE" on stderr, exit 1. */
void bu_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* "PROG: MESSAGE" on stderr unless bu_quiet. */
void bu_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t bu_now_ns(void);
/* CLOCK_REALTIME in seconds, for lining up with a script's `date`. */
double bu_wall_s(void);

/* calloc() that ends the process when there is no memory. */
void *bu_xcalloc(size_t n, size_t size);

/* The value of option -opt: a whole number / a number in [min, max];
 * anything else ends the process with a message naming the option. */
long bu_opt_long(const char *arg, long min, long max, int opt);
double bu_opt_double(const char *arg, double min, double max, int opt);

/* Latencies in microseconds (saturated at UINT32_MAX, negatives as 0). */
struct bu_lat {
	uint32_t *v;
	size_t n, cap;
};

void bu_lat_add(struct bu_lat *l, int64_t ns);
void bu_lat_sort(struct bu_lat *l);
/* Of a sorted l, in milliseconds; 0 when empty. bu_lat_rank: the nearest
 * rank (the smallest value with at least p of them at or below it);
 * bu_lat_index: the value at index round(p * (n - 1)). */
double bu_lat_rank(const struct bu_lat *l, double p);
double bu_lat_index(const struct bu_lat *l, double p);

/* Process ids from "PID[,PID...]" or from a file holding them (white
 * space between), read anew at each call: a script may write it after the
 * tool started. Returns how many (at most max), 0 when none. */
int bu_pids(const char *arg, long *pids, int max);
/* user + system CPU of pid in seconds, -1 when unknown (/proc/PID/stat). */
double bu_proc_cpu(long pid);
/* Seconds pid waited, runnable, for a CPU (/proc/PID/schedstat), -1. */
double bu_proc_runq_wait(long pid);
/* The sum over n processes; -1 when one is unknown or n is 0. */
double bu_procs_cpu(const long *pids, int n);
double bu_procs_runq_wait(const long *pids, int n);
/* Busy and total CPU of the machine in clock ticks (/proc/stat); -1. */
int bu_machine_cpu(unsigned long long *busy, unsigned long long *total);
/* user + system CPU of this process in seconds. */
double bu_self_cpu(void);

/* Blocks SIGTERM, SIGINT (and SIGHUP when hup) and returns a non-blocking
 * signalfd that becomes readable when one comes. */
int bu_signalfd(int hup);

#endif
