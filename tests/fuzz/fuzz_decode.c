/*
 * fuzz_decode.c - fuzz target for the inbound text decoder, charset_decode
 * (gateway/text/charset.c). The first input octet is the SMPP data_coding, so
 * the fuzzer reaches every value (SMPP 0x00-0x0F and the GSM 03.38 DCS
 * groups above), the second sets the size of a small output buffer, and
 * the rest is the short_message.
 *
 * Whatever the octets, the result is well-formed UTF-8, NUL-terminated,
 * without an embedded NUL, at most three octets of UTF-8 per input octet,
 * and decoding into a smaller buffer gives a prefix of it (the writer
 * appends whole characters or stops).
 */
#include "gateway/text/charset.h"
#include "fuzz.h"

#define DECODE_SMALL_MAX	32	/* largest "small" output buffer */
#define DECODE_UTF8_PER_OCTET	3	/* U+FFFD for one bad octet */

/* Decode into a buffer of exactly cap octets and check the contract. */
static char *decode_checked(uint8_t dcs, const uint8_t *in, size_t len,
			    size_t cap, int *n)
{
	char *out = malloc(cap);

	assert(out);
	*n = charset_decode(dcs, in, len, out, cap);
	assert(*n >= 0 && (size_t)*n < cap);
	assert(out[*n] == '\0' && strlen(out) == (size_t)*n);
	assert(fuzz_utf8_valid((const uint8_t *)out, *n));
	return out;
}

FUZZ_TARGET(decode)
{
	size_t len, cap_small;
	const uint8_t *in;
	char *full, *part;
	int n, m;
	uint8_t dcs;

	if (size < 2)
		return 0;
	dcs = data[0];
	cap_small = 1 + data[1] % DECODE_SMALL_MAX;
	in = data + 2;
	len = size - 2;

	full = decode_checked(dcs, in, len, DECODE_UTF8_PER_OCTET * len + 1,
			      &n);
	part = decode_checked(dcs, in, len, cap_small, &m);
	assert(m <= n && memcmp(part, full, m) == 0);
	free(part);
	free(full);
	return 0;
}
