/*
 * msisdn.c - mobile number normalisation to international digits.
 *
 * The rules are those of Chinese numbering (country code 86, mobile numbers
 * of 11 digits starting with 1), written generally enough for short codes
 * and for other country codes given in the configuration.
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
				return -EINVAL;
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

#define MSISDN_MASK_HEAD	3	/* digits shown before the stars */
#define MSISDN_MASK_TAIL	4	/* and after them */
#define MSISDN_CN_CC		"86"	/* shown without it: 138****8000 */
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
