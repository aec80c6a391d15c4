/*
 * checks.c - a course's attendance checks as the bureau writes them and as
 * they are stored (see checks.h): the text is cut into words at the
 * separators spreadsheets and Chinese input methods produce; one short
 * number (with 次 or 天 after it, or not) is a count of random days,
 * anything else must be dates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/domain/checks.h"

#define CHECKS_WORD_MAX		32
#define CHECKS_NUM_DIGITS	2	/* "10": longer digit runs are dates */

/* Separators: ASCII, then 、 ， ； (UTF-8). */
static const char *const checks_seps[] = {
	";", ",", " ", "\t", "\xe3\x80\x81", "\xef\xbc\x8c", "\xef\xbc\x9b",
};
/* What may follow a count: 次 天 日. */
static const char *const checks_units[] = {
	"\xe6\xac\xa1", "\xe5\xa4\xa9", "\xe6\x97\xa5",
};

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

/* Length of the separator at p, 0 if none. */
static size_t checks_sep(const char *p)
{
	unsigned i;

	for (i = 0; i < N_OF(checks_seps); i++)
		if (!strncmp(p, checks_seps[i], strlen(checks_seps[i])))
			return strlen(checks_seps[i]);
	return 0;
}

/* A count of random days: 1..2 digits, a unit or not. 0 if w is none. */
static unsigned checks_count(const char *w)
{
	size_t n = strspn(w, "0123456789");
	unsigned i;

	if (!n || n > CHECKS_NUM_DIGITS)
		return 0;
	for (i = 0; w[n] && i < N_OF(checks_units); i++)
		if (!strcmp(w + n, checks_units[i]))
			break;
	if (w[n] && i == N_OF(checks_units))
		return 0;
	return (unsigned)strtoul(w, NULL, 10);
}

static int checks_day_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Add the date w to c unless it is there. */
static int checks_add_day(struct checks *c, const char *w)
{
	char iso[FMT_ISO_DATE];
	unsigned i;

	if (fmt_date_parse(w, iso) < 0)
		return -EINVAL;
	for (i = 0; i < c->n_days; i++)
		if (!strcmp(c->day[i], iso))
			return 0;
	if (c->n_days == CHECKS_DAYS_MAX)
		return -EINVAL;
	memcpy(c->day[c->n_days++], iso, FMT_ISO_DATE);
	return 0;
}

/* One word: a count (alone) or a day. */
static int checks_word(struct checks *c, const char *w, unsigned *words)
{
	unsigned n = checks_count(w);

	(*words)++;
	if (n) {
		if (n > CHECKS_DAYS_MAX || c->random || c->n_days)
			return -EINVAL;
		c->random = n;
		return 0;
	}
	return c->random ? -EINVAL : checks_add_day(c, w);
}

int checks_parse(const char *in, struct checks *c)
{
	const char *p = in ? in : "";
	char w[CHECKS_WORD_MAX];
	unsigned words = 0;
	size_t n;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	while (*p && !rc) {
		while ((n = checks_sep(p)))
			p += n;
		for (n = 0; p[n] && !checks_sep(p + n); n++)
			;
		if (!n)
			break;
		if (n >= sizeof(w))
			return -EINVAL;
		memcpy(w, p, n);
		w[n] = '\0';
		p += n;
		rc = checks_word(c, w, &words);
	}
	if (rc || (c->random && words > 1)) {
		memset(c, 0, sizeof(*c));
		return -EINVAL;
	}
	qsort(c->day, c->n_days, FMT_ISO_DATE, checks_day_cmp);
	return 0;
}

void checks_format(const struct checks *c, char *out, size_t cap)
{
	size_t o = 0;
	unsigned i;

	if (!cap)
		return;
	out[0] = '\0';
	if (c->random) {
		snprintf(out, cap, "%u", c->random);
		return;
	}
	for (i = 0; i < c->n_days && o < cap; i++)
		o += snprintf(out + o, cap - o, "%s%s", i ? "," : "",
			      c->day[i]);
}
