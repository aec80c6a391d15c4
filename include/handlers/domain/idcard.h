/*
 * idcard.h - the resident identity number of GB 11643-1999 (居民身份证号码).
 *
 * 18 characters: a 6-digit administrative code of the place of first
 * registration, the birth date YYYYMMDD, a 3-digit sequence (odd for men) and
 * a check character from ISO 7064 MOD 11-2 over the first 17 digits, 'X'
 * standing for 10. idcard_check() says whether a string is one, and if not,
 * precisely why (idcard_explain() turns that into an English sentence for
 * the operator). It does not say whether the person exists.
 */
#ifndef SGW_IDCARD_H
#define SGW_IDCARD_H

#include <stddef.h>

#define IDCARD_LEN	18
#define IDCARD_MASKED	(IDCARD_LEN + 1)	/* 445***********123X + NUL */

enum idcard_status {
	IDCARD_OK = 0,
	IDCARD_ELEN,		/* not 18 characters */
	IDCARD_EDIGIT,		/* a non-digit in 1..17, or 18th not digit/X */
	IDCARD_EPROVINCE,	/* first two digits are no province code */
	IDCARD_EDATE,		/* digits 7..14 are no calendar date >= 1900 */
	IDCARD_EFUTURE,		/* birth date after today */
	IDCARD_ECHECK,		/* check character wrong */
};

/* What idcard_check() found. */
struct idcard {
	char id[IDCARD_LEN + 1];	/* normalised: trimmed, 'x' -> 'X' */
	char region[7];			/* first six digits */
	char birth[11];			/* ISO date, "1990-03-15" */
	int male;			/* 1 man, 0 woman (17th digit odd) */
	size_t len;			/* characters given, after trimming */
	unsigned bad_pos;		/* EDIGIT: 1-based position */
	char check_want;		/* ECHECK: the right check character */
};

/* Check the resident ID in (ASCII; spaces around it are ignored, a final
 * 'x' is taken as 'X'). today is the ISO local date that birth dates may not
 * pass. Fills *out as far as it got; returns IDCARD_OK or the first problem
 * found, in the order of enum idcard_status. */
enum idcard_status idcard_check(const char *in, const char *today,
				struct idcard *out);

/* The check character ('0'..'9' or 'X') of 17 digits, or 0 if d has a
 * non-digit among its first 17 characters. */
char idcard_check_char(const char *d);

/* One English sentence saying what is wrong, e.g. "checksum digit should be
 * 7" or "resident ID '12345' is not 18 characters (5)". */
void idcard_explain(enum idcard_status st, const struct idcard *c,
		    char *buf, size_t cap);

/* Mask for display: the first 3 and the last 4 characters stay, the rest
 * becomes '*': 445***********123X. out must hold IDCARD_MASKED bytes; an
 * input that is not 18 characters long is masked completely. */
void idcard_mask(const char *id, char *out);

#endif
