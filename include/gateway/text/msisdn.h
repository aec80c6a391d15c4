/*
 * msisdn.h - mobile number normalisation and masking.
 *
 * Numbers are stored in international form without '+': 8613800138000.
 * "+86 138-0013-8000", "0086 13800138000", "8613800138000" and
 * "13800138000" are one number.
 */
#ifndef SGW_MSISDN_H
#define SGW_MSISDN_H

#include <stddef.h>

#define MSISDN_MAX	21	/* SMPP address incl. NUL */

/* Normalise in (spaces, dashes, dots and parentheses ignored; a leading
 * '+' or "00" marks an international number) with country code cc.
 * National numbers get cc prepended; numbers that already start with cc
 * and are long enough are taken as international. 0, -EINVAL for anything
 * that is not 5-20 digits after cleaning, -ENOSPC if cap is too small. */
int msisdn_normalise(const char *in, const char *cc, char *out, size_t cap);

/* Which numbers an operator may type (gateway.numbers). */
enum msisdn_plan {
	MSISDN_PLAN_CN,		/* Chinese mobile numbers only */
	MSISDN_PLAN_E164,	/* those, and any international number */
};

/* A number an operator typed (a line of skillctl send --file, a CSV
 * field, the API's "to"): normalised like msisdn_normalise() if it is one
 * of the plan's, else -EINVAL with *why saying what is wrong with it
 * ("is not 11 digits"), to follow the number in a message. cn: a Chinese
 * mobile number, 11 digits starting 13 to 19, alone or after 86, +86 or
 * 0086; e164 also: + or 00, then 7 to 15 digits not starting with 0 (the
 * country code first), or such digits alone. Spaces, dashes, dots and
 * parentheses are ignored. -ENOSPC if cap is too small. */
int msisdn_entry(const char *in, enum msisdn_plan plan, char *out,
		 size_t cap, const char **why);

/* A number as people other than its owner may see it: 8613800138000 ->
 * 138****8000 (a Chinese number without its 86), else the first 3 and last
 * 4 digits; shorter ones all stars. Always NUL-terminated (cap > 0). */
void msisdn_mask(const char *msisdn, char *out, size_t cap);

#endif
