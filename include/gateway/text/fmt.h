/*
 * fmt.h - how dates, money and names are written: parsed from what the
 * bureau's spreadsheets contain, rendered for what workers read.
 *
 * Dates are ISO (2026-12-01) in the database and Chinese style (2026年12月1日)
 * in replies. The local date is China Standard Time, UTC+8 all year (China
 * has one time zone and no daylight saving), fixed here rather than taken
 * from the server's TZ, which is often UTC.
 *
 * Money is integer fen. fmt_yuan() renders it as yuan with two decimals and
 * no unit or thousands separator, "1500.00": the unit 元 belongs to the reply
 * texts in conf/ ("补贴{amount}元"), and separators are not used in Chinese
 * SMS.
 */
#ifndef SGW_FMT_H
#define SGW_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FMT_ISO_DATE		11	/* "2026-12-01" + NUL */
#define FMT_CN_DATE		24	/* "2026年12月31日" + NUL, with room */
#define FMT_YUAN		24	/* "-92233720368547758.08" + NUL */
#define FMT_CN_UTC_OFFSET_S	(8 * 3600)
#define FMT_YUAN_MAX_FEN	((int64_t)100000000 * 100)	/* 1e8 yuan */

/* A proleptic Gregorian calendar date with year 1..9999. */
bool fmt_date_valid(int y, int m, int d);

/* Parse a date as spreadsheets write it: 2026-12-01, 2026-12-1, 2026/12/1,
 * 2026.12.01, 20261201, 2026年12月1日 (spaces around ignored). Writes ISO to
 * out. 0, or -EINVAL for anything else or a day that does not exist. */
int fmt_date_parse(const char *in, char out[FMT_ISO_DATE]);

/* The China local date of a Unix time in ms, ISO. */
void fmt_local_date(int64_t ms, char out[FMT_ISO_DATE]);

/* Unix ms of 00:00 China time on the ISO date iso; -1 if iso is not one. */
int64_t fmt_local_midnight_ms(const char *iso);

/* "2026年12月1日", or "12月1日" without the year. -EINVAL (and "") when iso
 * is not an ISO date, -ENOSPC when cap is too small. */
int fmt_date_cn(const char *iso, bool with_year, char *out, size_t cap);

/* fen as yuan with two decimals: 150000 -> "1500.00", 5 -> "0.05". */
void fmt_yuan(int64_t fen, char *out, size_t cap);

/* Parse yuan as a spreadsheet writes them: "1500", "1500.5", "1,500.00",
 * "1500元", "¥1500", "￥1,500". 0 with *fen set; -EINVAL when it is not an
 * amount (also negative ones, or more than two decimals), -ERANGE above
 * FMT_YUAN_MAX_FEN. */
int fmt_yuan_parse(const char *in, int64_t *fen);

/* Hours of a day as "08:30-17:30" (also "8:30-17:30", "08:30～17:30",
 * "08:30至17:30"; the end may be 24:00): *start and *end in minutes after
 * midnight, start < end. 0, or -EINVAL for anything else. */
int fmt_hours_parse(const char *in, int *start, int *end);

/* Number of UTF-8 characters of s; -1 if s is not valid UTF-8. */
int fmt_utf8_chars(const char *s);

/* Mask a name for display, by characters (UTF-8): one character -> "*",
 * 张明 -> 张*, 张小明 -> 张*明, 欧阳小明 -> 欧**明. 0, -EINVAL for invalid
 * UTF-8 or an empty name (out becomes "*"), -ENOSPC if cap is too small. */
int fmt_name_mask(const char *name, char *out, size_t cap);

#endif
