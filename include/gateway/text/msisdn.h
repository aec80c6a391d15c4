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

/* A number as people other than its owner may see it: 8613800138000 ->
 * 138****8000 (a Chinese number without its 86), else the first 3 and last
 * 4 digits; shorter ones all stars. Always NUL-terminated (cap > 0). */
void msisdn_mask(const char *msisdn, char *out, size_t cap);

#endif
