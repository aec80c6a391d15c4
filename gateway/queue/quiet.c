/*
 * quiet.c - quiet hours and local time in the configured zone.
 *
 * The C library converts between Unix time and local time only in the
 * zone named by the TZ environment variable. Every conversion here sets TZ
 * to the configured zone, calls localtime_r() or mktime(), and restores the
 * caller's TZ (or its absence) before returning, so the rest of the process
 * never sees a different zone and the machine's own zone never matters.
 * The daemon is single-threaded; skillctl too.
 *
 * A quiet window is [start, end) in local minutes. Whether a time t is in
 * it depends only on the local hour and minute of t; the edge (when the
 * answer changes) is the next local occurrence of end (inside) or start
 * (outside), converted back with mktime() and tm_isdst = -1, so a daylight
 * saving change between t and the edge is accounted for. A local edge that
 * does not exist (skipped by a DST change) is normalised forward by
 * mktime(); an edge that would not be after t (a repeated hour) is replaced
 * by t + one minute, when the question is simply asked again.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/text/fmt.h"
#include "gateway/queue/quiet.h"

#define QUIET_RETRY_MS		60000	/* re-ask after a DST oddity */
#define QUIET_MAX_EDGES		20000	/* quiet_finish: ~27 years */
#define QUIET_ZONEINFO		"/usr/share/zoneinfo"
#define QUIET_ENV_MAX		256

/* The caller's TZ, kept while ours is set. */
struct quiet_env {
	bool had;
	char old[QUIET_ENV_MAX];
};

static void quiet_tz_enter(const char *tz, struct quiet_env *e)
{
	const char *o = getenv("TZ");

	e->had = o && strlen(o) < sizeof(e->old);
	if (e->had)
		memcpy(e->old, o, strlen(o) + 1);
	setenv("TZ", tz, 1);
	tzset();
}

static void quiet_tz_leave(const struct quiet_env *e)
{
	if (e->had)
		setenv("TZ", e->old, 1);
	else
		unsetenv("TZ");
	tzset();
}

int quiet_parse_hhmm(const char *s)
{
	unsigned h, m;
	int n = -1;

	if (!s || sscanf(s, "%2u:%2u%n", &h, &m, &n) != 2 || n < 0 || s[n] ||
	    h > 23 || m > 59 || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	return (int)(h * 60 + m);
}

/* A POSIX TZ string: a name of 3+ letters (or <...>) then an offset. */
static bool quiet_posix_tz(const char *tz)
{
	const char *p = tz;

	if (*p == '<') {
		p = strchr(p, '>');
		if (!p)
			return false;
		p++;
	} else {
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			p++;
		if (p - tz < 3)
			return false;
	}
	if (*p == '+' || *p == '-')
		p++;
	return *p >= '0' && *p <= '9';
}

bool quiet_tz_valid(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[512];

	if (!tz || !*tz || strlen(tz) >= QUIET_TZ_MAX)
		return false;
	if (quiet_posix_tz(tz))
		return true;
	if (tz[0] == '/' || strstr(tz, ".."))
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir :
		 QUIET_ZONEINFO, tz);
	return access(path, R_OK) == 0;
}

int quiet_init(struct quiet *q, const char *start, const char *end,
	       const char *tz)
{
	memset(q, 0, sizeof(*q));
	q->start_min = quiet_parse_hhmm(start);
	q->end_min = quiet_parse_hhmm(end);
	if (q->start_min < 0 || q->end_min < 0 || !quiet_tz_valid(tz))
		return -EINVAL;
	snprintf(q->tz, sizeof(q->tz), "%s", tz);
	return 0;
}

int quiet_localtime(const char *tz, int64_t t, struct tm *tm)
{
	struct quiet_env e;
	time_t s = (time_t)(t / 1000);
	struct tm *r;

	quiet_tz_enter(tz, &e);
	r = localtime_r(&s, tm);
	quiet_tz_leave(&e);
	return r ? 0 : -EINVAL;
}

int64_t quiet_mktime(const char *tz, struct tm *tm)
{
	struct quiet_env e;
	time_t s;

	quiet_tz_enter(tz, &e);
	s = mktime(tm);
	quiet_tz_leave(&e);
	return (int64_t)s * 1000;
}

static bool quiet_in_window(int start, int end, int m)
{
	if (start < end)
		return m >= start && m < end;
	return m >= start || m < end;
}

/* Fill the cache of q for time t. */
static void quiet_compute(struct quiet *q, int64_t t)
{
	struct tm tm;
	int m, b;
	int64_t edge;

	q->from_ms = t;
	if (quiet_localtime(q->tz, t, &tm) < 0) {
		q->in_quiet = false;
		q->edge_ms = t + QUIET_RETRY_MS;
		return;
	}
	m = tm.tm_hour * 60 + tm.tm_min;
	q->in_quiet = quiet_in_window(q->start_min, q->end_min, m);
	b = q->in_quiet ? q->end_min : q->start_min;
	if (m >= b)
		tm.tm_mday++;	/* the next one is tomorrow's */
	tm.tm_hour = b / 60;
	tm.tm_min = b % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	edge = quiet_mktime(q->tz, &tm);
	q->edge_ms = edge > t ? edge : t + QUIET_RETRY_MS;
}

bool quiet_at(struct quiet *q, int64_t t, int64_t *edge_ms)
{
	if (q->start_min == q->end_min) {
		if (edge_ms)
			*edge_ms = INT64_MAX;
		return false;
	}
	if (t < q->from_ms || t >= q->edge_ms || !q->edge_ms)
		quiet_compute(q, t);
	if (edge_ms)
		*edge_ms = q->edge_ms;
	return q->in_quiet;
}

int64_t quiet_next_open(struct quiet *q, int64_t t)
{
	int64_t edge;

	return quiet_at(q, t, &edge) ? edge : t;
}

int64_t quiet_finish(struct quiet *q, int64_t t, int64_t work_ms)
{
	int64_t edge;
	unsigned i;

	for (i = 0; i < QUIET_MAX_EDGES; i++) {
		if (quiet_at(q, t, &edge)) {
			t = edge;
			continue;
		}
		if (edge == INT64_MAX || edge - t >= work_ms)
			return t + work_ms;
		work_ms -= edge - t;
		t = edge;
	}
	return INT64_MAX;
}

void quiet_format(const char *tz, int64_t t, char *out, size_t cap)
{
	struct tm tm;

	if (quiet_localtime(tz, t, &tm) < 0 ||
	    !strftime(out, cap, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, cap, "?");
}

/* "HH:MM" or "HH:MM:SS" at s; the characters read, or -EINVAL. */
static int quiet_parse_clock(const char *s, int *h, int *mi, int *sec)
{
	int k = -1, k2 = -1;

	if (sscanf(s, "%2d:%2d%n", h, mi, &k) != 2 || k < 0)
		return -EINVAL;
	if (s[k] != ':')
		return k;
	if (sscanf(s + k + 1, "%2d%n", sec, &k2) != 1 || k2 < 0)
		return -EINVAL;
	return k + 1 + k2;
}

int quiet_parse_time(const char *tz, const char *s, int64_t *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = -1, k;
	struct tm tm = { 0 };

	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n < 0)
		return -EINVAL;
	s += n;
	if (*s == ' ' || *s == 'T') {
		k = quiet_parse_clock(s + 1, &h, &mi, &sec);
		if (k < 0)
			return -EINVAL;
		s += 1 + k;
	}
	if (*s || !fmt_date_valid(y, mo, d) || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 59)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	*t = quiet_mktime(tz, &tm);
	return 0;
}
