/*
 * fmt.c - dates, money and names: parsing what spreadsheets contain and
 * rendering what workers read (see fmt.h for the conventions).
 *
 * Everything here is pure: no allocation, no global state, no locale. The
 * local date is computed with a fixed UTC+8 offset, so the results do not
 * depend on the TZ of the machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gateway/text/charset.h"
#include "gateway/text/fmt.h"

#define FMT_MS_PER_S	1000
#define FMT_UTF8_YUAN	"\xc2\xa5"		/* ¥ U+00A5 */
#define FMT_UTF8_FWYUAN	"\xef\xbf\xa5"		/* ￥ U+FFE5 */
#define FMT_UTF8_YUANZI	"\xe5\x85\x83"		/* 元 */
#define FMT_UTF8_NIAN	"\xe5\xb9\xb4"		/* 年 */
#define FMT_UTF8_YUE	"\xe6\x9c\x88"		/* 月 */
#define FMT_UTF8_RI	"\xe6\x97\xa5"		/* 日 */
#define FMT_UTF8_TILDE	"\xef\xbd\x9e"		/* ～ U+FF5E */
#define FMT_UTF8_ZHI	"\xe8\x87\xb3"		/* 至 */
#define FMT_UTF8_DASH	"\xe2\x80\x94"		/* — U+2014 */

bool fmt_date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Write y-m-d (already checked to be a date) as ISO. The modulos only tell
 * the compiler that the numbers fit. */
static void fmt_iso_write(char out[FMT_ISO_DATE], int y, int m, int d)
{
	snprintf(out, FMT_ISO_DATE, "%04u-%02u-%02u", (unsigned)y % 10000,
		 (unsigned)m % 100, (unsigned)d % 100);
}

/* Read 1..max digits at *p into *v; advance. false if there is none. */
static bool fmt_num(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n > 0;
}

/* Skip the literal s at *p if it is there. */
static bool fmt_skip(const char **p, const char *s)
{
	size_t n = strlen(s);

	if (strncmp(*p, s, n))
		return false;
	*p += n;
	return true;
}

static const char *fmt_skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* After the year: "-M-D", "/M/D", ".M.D" or "年M月D日". */
static bool fmt_date_rest(const char **p, int *m, int *d)
{
	char sep = **p;

	if (sep == '-' || sep == '/' || sep == '.') {
		(*p)++;
		if (!fmt_num(p, 2, m) || **p != sep)
			return false;
		(*p)++;
		return fmt_num(p, 2, d);
	}
	return fmt_skip(p, FMT_UTF8_NIAN) && fmt_num(p, 2, m) &&
	       fmt_skip(p, FMT_UTF8_YUE) && fmt_num(p, 2, d) &&
	       fmt_skip(p, FMT_UTF8_RI);
}

int fmt_date_parse(const char *in, char out[FMT_ISO_DATE])
{
	const char *p = fmt_skip_spaces(in ? in : "");
	int y, m, d;

	out[0] = '\0';
	if (strspn(p, "0123456789") == 8) {		/* 20261201 */
		fmt_num(&p, 4, &y);
		fmt_num(&p, 2, &m);
		fmt_num(&p, 2, &d);
	} else if (strspn(p, "0123456789") != 4 || !fmt_num(&p, 4, &y) ||
		   !fmt_date_rest(&p, &m, &d)) {
		return -EINVAL;
	}
	if (*fmt_skip_spaces(p) || !fmt_date_valid(y, m, d))
		return -EINVAL;
	fmt_iso_write(out, y, m, d);
	return 0;
}

/* Split a strict ISO date. */
static bool fmt_iso_split(const char *iso, int *y, int *m, int *d)
{
	if (!iso || strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-' ||
	    strspn(iso, "0123456789") != 4 ||
	    strspn(iso + 5, "0123456789") != 2 ||
	    strspn(iso + 8, "0123456789") != 2)
		return false;
	*y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 +
	     (iso[2] - '0') * 10 + (iso[3] - '0');
	*m = (iso[5] - '0') * 10 + (iso[6] - '0');
	*d = (iso[8] - '0') * 10 + (iso[9] - '0');
	return fmt_date_valid(*y, *m, *d);
}

void fmt_local_date(int64_t ms, char out[FMT_ISO_DATE])
{
	/* floor division, so times before 1970 work too */
	int64_t s = (ms >= 0 ? ms : ms - (FMT_MS_PER_S - 1)) / FMT_MS_PER_S;
	time_t t = (time_t)(s + FMT_CN_UTC_OFFSET_S);
	struct tm tm;

	gmtime_r(&t, &tm);
	fmt_iso_write(out, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int64_t fmt_local_midnight_ms(const char *iso)
{
	struct tm tm = { 0 };
	int y, m, d;

	if (!fmt_iso_split(iso, &y, &m, &d))
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return ((int64_t)timegm(&tm) - FMT_CN_UTC_OFFSET_S) * FMT_MS_PER_S;
}

int fmt_date_cn(const char *iso, bool with_year, char *out, size_t cap)
{
	int y, m, d, n;

	if (cap)
		out[0] = '\0';
	if (!fmt_iso_split(iso, &y, &m, &d))
		return -EINVAL;
	if (with_year)
		n = snprintf(out, cap, "%d" FMT_UTF8_NIAN "%d" FMT_UTF8_YUE
			     "%d" FMT_UTF8_RI, y, m, d);
	else
		n = snprintf(out, cap, "%d" FMT_UTF8_YUE "%d" FMT_UTF8_RI, m,
			     d);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			out[0] = '\0';
		return -ENOSPC;
	}
	return 0;
}

void fmt_yuan(int64_t fen, char *out, size_t cap)
{
	/* unsigned, so that INT64_MIN has a magnitude */
	uint64_t mag = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;

	snprintf(out, cap, "%s%llu.%02llu", fen < 0 ? "-" : "",
		 (unsigned long long)(mag / 100),
		 (unsigned long long)(mag % 100));
}

/* Digits with optional thousands commas; at least one digit. */
static int fmt_yuan_int(const char **p, int64_t *v)
{
	int digits = 0;

	*v = 0;
	for (;; (*p)++) {
		if (**p == ',' && digits && (*p)[1] >= '0' && (*p)[1] <= '9')
			continue;
		if (**p < '0' || **p > '9')
			break;
		if (*v > FMT_YUAN_MAX_FEN / 100)
			return -ERANGE;
		*v = *v * 10 + (**p - '0');
		digits++;
	}
	return digits ? 0 : -EINVAL;
}

int fmt_yuan_parse(const char *in, int64_t *fen)
{
	const char *p = fmt_skip_spaces(in ? in : "");
	int64_t yuan, cents = 0;
	int rc;

	if (!fmt_skip(&p, FMT_UTF8_YUAN))
		fmt_skip(&p, FMT_UTF8_FWYUAN);
	rc = fmt_yuan_int(&p, &yuan);
	if (rc)
		return rc;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		cents = (*p++ - '0') * 10;
		if (*p >= '0' && *p <= '9')
			cents += *p++ - '0';
	}
	fmt_skip(&p, FMT_UTF8_YUANZI);
	if (*fmt_skip_spaces(p))
		return -EINVAL;
	if (yuan > FMT_YUAN_MAX_FEN / 100 ||
	    yuan * 100 + cents > FMT_YUAN_MAX_FEN)
		return -ERANGE;
	*fen = yuan * 100 + cents;
	return 0;
}

/* "H:MM" or "HH:MM" at *p, up to 24:00; advance. */
static bool fmt_hhmm(const char **p, int *min)
{
	int h, m;
	const char *q = *p;

	if (!fmt_num(&q, 2, &h) || !fmt_skip(&q, ":") || q[0] < '0' ||
	    q[0] > '9' || !fmt_num(&q, 2, &m) || m > 59 || h > 24 ||
	    (h == 24 && m))
		return false;
	*min = h * 60 + m;
	*p = q;
	return true;
}

int fmt_hours_parse(const char *in, int *start, int *end)
{
	static const char *const seps[] = { "-", FMT_UTF8_TILDE, "~",
					    FMT_UTF8_ZHI, FMT_UTF8_DASH };
	const char *p = fmt_skip_spaces(in ? in : "");
	bool sep = false;
	unsigned i;

	if (!fmt_hhmm(&p, start))
		return -EINVAL;
	p = fmt_skip_spaces(p);
	for (i = 0; i < sizeof(seps) / sizeof(seps[0]) && !sep; i++)
		sep = fmt_skip(&p, seps[i]);
	p = fmt_skip_spaces(p);
	if (!sep || !fmt_hhmm(&p, end) || *fmt_skip_spaces(p) ||
	    *start >= *end || *start >= 24 * 60)
		return -EINVAL;
	return 0;
}

int fmt_utf8_chars(const char *s)
{
	size_t len = strlen(s);

	return charset_utf8_valid(s, len) ? (int)charset_utf8_chars(s, len) :
					    -1;
}

int fmt_name_mask(const char *name, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)name;
	int n = name ? fmt_utf8_chars(name) : -1;
	size_t len, first, last_at, tail, stars;

	if (cap < 2)
		return -ENOSPC;
	strcpy(out, "*");
	if (n <= 0)
		return -EINVAL;
	if (n == 1)
		return 0;
	len = strlen(name);
	first = 1;			/* the first character, valid UTF-8 */
	while ((p[first] & 0xc0) == 0x80)
		first++;
	last_at = len - 1;		/* start of the last character */
	while ((p[last_at] & 0xc0) == 0x80)
		last_at--;
	tail = n > 2 ? len - last_at : 0;	/* two characters: no tail */
	stars = n - 1 - (n > 2);
	if (first + stars + tail + 1 > cap)
		return -ENOSPC;
	memcpy(out, name, first);
	memset(out + first, '*', stars);
	memcpy(out + first + stars, name + last_at, tail);
	out[first + stars + tail] = '\0';
	return 0;
}
