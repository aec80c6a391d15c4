/*
 * quiet.h - quiet hours for bulk notices, and local time in the zone of
 * the configuration.
 *
 * Quiet hours are a daily window of local time, e.g. 21:00-08:00 in
 * Asia/Shanghai, in which no bulk message leaves. The window may run
 * across midnight (start > end) or not (start < end); start == end means
 * there are none. Local time is taken in the zone the configuration names
 * (notices.timezone: an IANA name such as "Asia/Shanghai", or a POSIX TZ
 * string such as "CST-8"), never in the machine's zone: the conversion
 * sets TZ for the duration of one call and puts the caller's back.
 *
 * quiet_at() caches its answer until the next edge of the window, so the
 * dispatcher may ask it on every loop iteration: the zone is looked at
 * twice a day. Times are Unix milliseconds (clock_now_ms()).
 */
#ifndef SGW_QUIET_H
#define SGW_QUIET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define QUIET_TZ_MAX	64
#define QUIET_DAY_MIN	(24 * 60)

struct quiet {
	int start_min, end_min;		/* minutes after local midnight */
	char tz[QUIET_TZ_MAX];
	/* cache: the answer holds for from_ms <= t < edge_ms */
	int64_t from_ms, edge_ms;
	bool in_quiet;
};

/* "21:00" (or "9:05") -> minutes after midnight; -EINVAL otherwise. */
int quiet_parse_hhmm(const char *s);

/* Is tz a zone this machine knows: a file below the zoneinfo directory
 * ($TZDIR or /usr/share/zoneinfo) or a POSIX TZ string with an offset
 * ("CST-8", "UTC0")? */
bool quiet_tz_valid(const char *tz);

/* Set q up; -EINVAL for a bad time or zone. */
int quiet_init(struct quiet *q, const char *start, const char *end,
	       const char *tz);

/* Is t in quiet hours? *edge_ms (may be NULL) gets when that changes
 * (INT64_MAX when there are no quiet hours). */
bool quiet_at(struct quiet *q, int64_t t, int64_t *edge_ms);

/* t when t is outside quiet hours, else the end of the quiet hours that
 * contain t: the first time at or after t that bulk may leave. */
int64_t quiet_next_open(struct quiet *q, int64_t t);

/* Sending time needed: starting at t, how long until `work_ms` of
 * sending have happened outside quiet hours. Returns the finishing time. */
int64_t quiet_finish(struct quiet *q, int64_t t, int64_t work_ms);

/* The local time of t in zone tz into *tm. 0 or -EINVAL. */
int quiet_localtime(const char *tz, int64_t t, struct tm *tm);

/* The Unix ms of local time *tm (tm_isdst -1: the zone decides) in zone
 * tz; fields out of range are normalised as mktime() does. */
int64_t quiet_mktime(const char *tz, struct tm *tm);

/* t as "2026-07-01 09:30" in zone tz. */
void quiet_format(const char *tz, int64_t t, char *out, size_t cap);

/* Parse "2026-07-01 09:30", "2026-07-01T09:30[:SS]" or "2026-07-01"
 * (midnight) as local time in tz. 0 with *t set, or -EINVAL. */
int quiet_parse_time(const char *tz, const char *s, int64_t *t);

#endif
