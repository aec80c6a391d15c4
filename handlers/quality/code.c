/*
 * code.c - the check-in codes of attendance checks: six decimal digits
 * drawn from the kernel's random source (getrandom), so that nobody can
 * tell one trainee's code from another's or from the day before.
 *
 * A 32-bit draw is reduced to 0..n-1 without bias by rejecting the draws
 * of the incomplete last block (the largest multiple of n up to 2^32 is
 * the bound): for a code (n = 10^6) one draw in 4,295 is taken again. The
 * same draws pick the random check days (plan.c).
 *
 * A code as typed is its digits (spaces between them allowed) up to the
 * first other character: "QD123456 谢谢" and "到课123456好的" are the code.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "handlers/quality/quality.h"
#include "quality_priv.h"

#define CODE_SPACE	1000000u	/* 10^QUALITY_CODE_DIGITS */
#define CODE_TRIES	64		/* draws before giving up */

_Static_assert(QUALITY_CODE_DIGITS == 6, "CODE_SPACE is 10^6");

int quality_random_below(uint32_t n, uint32_t *out)
{
	uint64_t bound = ((uint64_t)UINT32_MAX + 1) / n * n;
	uint32_t v;
	unsigned i;

	for (i = 0; n && i < CODE_TRIES; i++) {
		if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
			return -EIO;
		if (v < bound) {
			*out = v % n;
			return 0;
		}
	}
	return -EIO;
}

int quality_code_new(char out[QUALITY_CODE_LEN])
{
	uint32_t v;
	int rc = quality_random_below(CODE_SPACE, &v);

	if (rc < 0)
		return rc;
	snprintf(out, QUALITY_CODE_LEN, "%06u", (unsigned)v);
	return 0;
}

int quality_code_parse(const char *in, char out[QUALITY_CODE_LEN])
{
	unsigned n = 0;

	for (; in && *in; in++) {
		if (*in == ' ')
			continue;
		if (*in < '0' || *in > '9')
			break;		/* words after the code: ignored */
		if (n == QUALITY_CODE_DIGITS)
			return -EINVAL;
		out[n++] = *in;
	}
	out[n] = '\0';
	return n == QUALITY_CODE_DIGITS ? 0 : -EINVAL;
}
