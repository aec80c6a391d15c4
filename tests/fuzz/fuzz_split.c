/*
 * fuzz_split.c - fuzz target for outbound text coding (gateway/text/charset.c):
 * charset_split, charset_encode, charset_units, charset_fits_gsm and
 * charset_utf8_chars on arbitrary octets taken as UTF-8, well-formed or
 * not.
 *
 * Checked: the split's parts fit an SMS (with room for the UDH when there
 * are several), GSM parts hold septets only and UCS-2 parts whole units;
 * the split and charset_encode produce the same octets; and for
 * well-formed text without U+0000 (which the decoder drops) decoding the
 * parts one by one gives back exactly the input, which fails if a cut
 * separates ESC from its character or a surrogate pair.
 */
#include <errno.h>

#include "gateway/text/charset.h"
#include "fuzz.h"

#define SPLIT_UCS2_PART_OCTETS	(CHARSET_UCS2_PART * 2)
#define SPLIT_GSM_SEPTET_MAX	0x7F
/* most UTF-8 octets one input octet decodes to, most UTF-16 octets one
 * UTF-8 octet encodes to (also the most septets: ESC + character) */
#define SPLIT_UTF8_PER_OCTET	3
#define SPLIT_UCS2_PER_OCTET	2

static void split_check_parts(const struct charset_split *sp)
{
	size_t max = sp->n_parts == 1 ? CHARSET_GSM_SINGLE :
		     sp->enc == CHARSET_ENC_GSM7 ? CHARSET_GSM_PART :
		     SPLIT_UCS2_PART_OCTETS;
	unsigned i, k;

	assert(sp->n_parts >= 1 && sp->n_parts <= CHARSET_MAX_PARTS);
	for (i = 0; i < sp->n_parts; i++) {
		const struct charset_part *p = &sp->part[i];

		assert(p->len <= max);
		assert(p->len > 0 || sp->n_parts == 1);
		if (sp->enc == CHARSET_ENC_UCS2) {
			assert(p->len % 2 == 0);
			assert(p->len <= CHARSET_SMS_OCTETS);
			continue;
		}
		for (k = 0; k < p->len; k++)
			assert(p->data[k] <= SPLIT_GSM_SEPTET_MAX);
	}
}

/* The parts, one after the other, against charset_encode of the text. */
static void split_check_encode(const struct charset_split *sp,
			       const char *s, size_t len)
{
	size_t cap = SPLIT_UCS2_PER_OCTET * len + 2, off = 0;
	uint8_t *enc = malloc(cap);
	enum charset_enc e;
	unsigned i;
	int n;

	assert(enc);
	n = charset_encode(s, len, enc, cap, &e);
	assert(n >= 0 && e == sp->enc);
	for (i = 0; i < sp->n_parts; i++) {
		const struct charset_part *p = &sp->part[i];

		assert(off + p->len <= (size_t)n);
		assert(memcmp(enc + off, p->data, p->len) == 0);
		off += p->len;
	}
	assert(off == (size_t)n);
	free(enc);
}

/* Decode every part on its own; together they must be the input. */
static void split_check_round_trip(const struct charset_split *sp,
				   const char *s, size_t len)
{
	uint8_t dcs = sp->enc == CHARSET_ENC_GSM7 ? CHARSET_DCS_DEFAULT :
						    CHARSET_DCS_UCS2;
	size_t cap = SPLIT_UTF8_PER_OCTET * CHARSET_GSM_SINGLE + 1, off = 0;
	char *buf = malloc(cap);
	unsigned i;
	int n;

	assert(buf);
	for (i = 0; i < sp->n_parts; i++) {
		n = charset_decode(dcs, sp->part[i].data, sp->part[i].len,
				   buf, cap);
		assert(n >= 0 && off + n <= len);
		assert(memcmp(s + off, buf, n) == 0);
		off += n;
	}
	assert(off == len);
	free(buf);
}

FUZZ_TARGET(split)
{
	const char *s = (const char *)data;
	bool valid = fuzz_utf8_valid(data, size);
	bool gsm = charset_fits_gsm(s, size);
	struct charset_split *sp = malloc(sizeof(*sp));
	int units, rc;

	assert(sp);
	assert(!gsm || valid);
	assert(charset_utf8_chars(s, size) <= size);
	units = charset_units(s, size, CHARSET_ENC_GSM7);
	assert(gsm ? units >= 0 : units == -EINVAL);
	units = charset_units(s, size, CHARSET_ENC_UCS2);
	assert(units >= 0 && (size_t)units <= size);

	rc = charset_split(s, size, 1, sp);
	assert(rc == 1 || rc == -EMSGSIZE);
	rc = charset_split(s, size, CHARSET_MAX_PARTS, sp);
	assert(rc == -EMSGSIZE || (rc > 0 && (unsigned)rc == sp->n_parts));
	assert(sp->enc == (gsm ? CHARSET_ENC_GSM7 : CHARSET_ENC_UCS2));
	if (rc > 0) {
		split_check_parts(sp);
		split_check_encode(sp, s, size);
		if (valid && !memchr(s, '\0', size))
			split_check_round_trip(sp, s, size);
	}
	free(sp);
	return 0;
}
