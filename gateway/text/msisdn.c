/*
 * msisdn.c - mobile number normalisation to international digits.
 *
 * The rules are those of Chinese numbering (country code 86, mobile numbers
 * of 11 digits starting with 1), written generally enough for short codes
 * and for other country codes given in the configuration.
 * msisdn_entry() is stricter, for what operators type: the numbers of the
 * plan of gateway.numbers and nothing else, with the reason of a refusal.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "gateway/text/msisdn.h"

#define MSISDN_MIN_DIGITS	5
#define MSISDN_MAX_DIGITS	20
#define MSISDN_NATIONAL_MOBILE	11	/* 1xx xxxx xxxx */

/* Keep the digits; note a leading '+' or "00" (international). */
static int msisdn_digits(const char *in, char *d, size_t cap, int *intl)
{
	size_t n = 0;
	const char *p = in;

	while (*p == ' ')
		p++;
	*intl = 0;
	if (*p == '+') {
		*intl = 1;
		p++;
	}
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= cap)
				return -E2BIG;
			d[n++] = *p;
		} else if (!strchr(" -.()", *p)) {
			return -EINVAL;
		}
	}
	d[n] = '\0';
	if (!*intl && n > 2 && d[0] == '0' && d[1] == '0') {
		memmove(d, d + 2, n - 1);
		*intl = 1;
	}
	return 0;
}

int msisdn_normalise(const char *in, const char *cc, char *out, size_t cap)
{
	char d[MSISDN_MAX_DIGITS + 8];
	size_t n, ccl = cc ? strlen(cc) : 0;
	int intl;

	if (!in || msisdn_digits(in, d, sizeof(d), &intl) < 0)
		return -EINVAL;
	n = strlen(d);
	if (n < MSISDN_MIN_DIGITS || n > MSISDN_MAX_DIGITS)
		return -EINVAL;
	if (!intl && ccl && n == MSISDN_NATIONAL_MOBILE && d[0] == '1') {
		if (ccl + n + 1 > cap)
			return -ENOSPC;
		memcpy(out, cc, ccl);
		memcpy(out + ccl, d, n + 1);
		return 0;
	}
	if (n + 1 > cap)
		return -ENOSPC;
	memcpy(out, d, n + 1);
	return 0;
}

#define MSISDN_CN_CC		"86"	/* the country of MSISDN_PLAN_CN */
#define MSISDN_E164_MIN		7	/* digits of an international number */
#define MSISDN_E164_MAX		15	/* E.164's longest */

/* 11 digits, 1 and then 3..9: a Chinese mobile number. NULL, or what is
 * wrong with it. */
static const char *msisdn_cn_mobile(const char *d)
{
	if (strlen(d) != MSISDN_NATIONAL_MOBILE)
		return "is not 11 digits";
	if (d[0] != '1' || d[1] < '3')
		return "does not start with 13..19";
	return NULL;
}

/* d (digits; intl: it had + or 00) as a Chinese mobile number into out
 * (86 and 11 digits). 0, or -EINVAL with *why. */
static int msisdn_entry_cn(const char *d, int intl, char *out, size_t cap,
			   const char **why)
{
	size_t ccl = strlen(MSISDN_CN_CC);

	if (intl || (strlen(d) == ccl + MSISDN_NATIONAL_MOBILE &&
		     !strncmp(d, MSISDN_CN_CC, ccl))) {
		if (strncmp(d, MSISDN_CN_CC, ccl)) {
			*why = "is not of country code " MSISDN_CN_CC;
			return -EINVAL;
		}
		d += ccl;
	}
	if ((*why = msisdn_cn_mobile(d)))
		return -EINVAL;
	if (ccl + MSISDN_NATIONAL_MOBILE + 1 > cap)
		return -ENOSPC;
	memcpy(out, MSISDN_CN_CC, ccl);
	memcpy(out + ccl, d, MSISDN_NATIONAL_MOBILE + 1);
	return 0;
}

/* d (digits; intl: it had + or 00) as an international number: 7 to 15
 * digits, the first not 0. 0, or -EINVAL with *why. */
static int msisdn_entry_intl(const char *d, char *out, size_t cap,
			     const char **why)
{
	size_t n = strlen(d);

	if (n < MSISDN_E164_MIN || n > MSISDN_E164_MAX || d[0] == '0') {
		*why = "is neither a Chinese mobile number nor an "
		       "international one (+, country code and number: 7 to "
		       "15 digits)";
		return -EINVAL;
	}
	if (n + 1 > cap)
		return -ENOSPC;
	memcpy(out, d, n + 1);
	return 0;
}

int msisdn_entry(const char *in, enum msisdn_plan plan, char *out,
		 size_t cap, const char **why)
{
	char d[MSISDN_MAX_DIGITS + 8];
	int intl, rc;

	rc = in ? msisdn_digits(in, d, sizeof(d), &intl) : -EINVAL;
	if (rc < 0) {
		*why = rc == -E2BIG ? "is too long" :
		       "has characters other than digits";
		return -EINVAL;
	}
	rc = msisdn_entry_cn(d, intl, out, cap, why);
	if (rc != -EINVAL || plan == MSISDN_PLAN_CN)
		return rc;
	return msisdn_entry_intl(d, out, cap, why);
}

#define MSISDN_MASK_HEAD	3	/* digits shown before the stars */
#define MSISDN_MASK_TAIL	4	/* and after them */
#define MSISDN_CN_LEN		13	/* 86 + 11 digits */

void msisdn_mask(const char *msisdn, char *out, size_t cap)
{
	size_t n = strlen(msisdn), i;

	if (!cap)
		return;
	if (n == MSISDN_CN_LEN && !strncmp(msisdn, MSISDN_CN_CC, 2)) {
		msisdn += 2;
		n -= 2;
	}
	if (n >= cap)
		n = cap - 1;
	for (i = 0; i < n; i++)
		out[i] = (n >= MSISDN_MASK_HEAD + MSISDN_MASK_TAIL + 1 &&
			  (i < MSISDN_MASK_HEAD || i >= n - MSISDN_MASK_TAIL)) ?
			 msisdn[i] : '*';
	out[n] = '\0';
}
