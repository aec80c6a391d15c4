/*
 * charset.h - UTF-8 <-> GSM 03.38 / UCS-2 text coding and SMS splitting.
 *
 * Text is UTF-8 everywhere inside the gateway. On the wire an MT is GSM 03.38
 * (unpacked, one septet per octet, default + escape table) when every character
 * fits, else UCS-2 (UTF-16BE, surrogate pairs kept whole). Inbound text is
 * decoded from GSM (unpacked), IA5/ASCII, Latin-1 and UCS-2; invalid bytes are
 * replaced with U+FFFD, never fatal.
 */
#ifndef SGW_CHARSET_H
#define SGW_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SMPP data_coding values we produce or understand */
#define CHARSET_DCS_DEFAULT	0x00	/* SMSC default alphabet (GSM 03.38 here) */
#define CHARSET_DCS_IA5		0x01
#define CHARSET_DCS_BINARY	0x02
#define CHARSET_DCS_LATIN1	0x03
#define CHARSET_DCS_BINARY2	0x04
#define CHARSET_DCS_UCS2	0x08

/* Limits of one SMS (octets / characters) */
#define CHARSET_SMS_OCTETS	140
#define CHARSET_GSM_SINGLE	160	/* septets in one GSM SMS */
#define CHARSET_GSM_PART	153	/* septets per part with 8-bit-ref UDH */
#define CHARSET_UCS2_SINGLE	70	/* UTF-16 units in one UCS-2 SMS */
#define CHARSET_UCS2_PART	67	/* UTF-16 units per part with UDH */
#define CHARSET_MAX_PARTS	16	/* longest MT we accept */
#define CHARSET_UDH_LEN		6	/* 05 00 03 ref total seq */
#define CHARSET_PART_MAX	(CHARSET_UDH_LEN + CHARSET_GSM_SINGLE)

enum charset_enc {
	CHARSET_ENC_GSM7,	/* unpacked septets, one per octet */
	CHARSET_ENC_UCS2,	/* UTF-16BE */
};

/* One encoded part of an MT (without UDH; the caller adds UDH or SAR). */
struct charset_part {
	uint8_t data[CHARSET_GSM_SINGLE];
	uint16_t len;		/* octets in data */
};

/* The result of splitting one UTF-8 text. */
struct charset_split {
	enum charset_enc enc;
	unsigned n_parts;
	struct charset_part part[CHARSET_MAX_PARTS];
};

/* True when every code point of the UTF-8 text has a GSM 03.38 mapping
 * (default or escape table). Invalid UTF-8 makes it false. */
bool charset_fits_gsm(const char *utf8, size_t len);

/* Number of units the text takes in encoding enc: septets for GSM7 (an escaped
 * character counts 2), UTF-16 code units for UCS2. -EINVAL for a GSM7 request
 * on text that does not fit GSM. */
int charset_units(const char *utf8, size_t len, enum charset_enc enc);

/* Encode the whole UTF-8 text into out (no splitting), choosing GSM7 when it
 * fits, else UCS2. Returns octets written, -ENOSPC if cap is too small.
 * Used for message_payload. *enc receives the encoding chosen. */
int charset_encode(const char *utf8, size_t len, uint8_t *out, size_t cap,
		   enum charset_enc *enc);

/* Split into SMS parts: one part if it fits in 160 septets / 70 units, else
 * parts of 153 septets / 67 units, never cutting an escape sequence or a
 * surrogate pair. Returns the number of parts, or -EMSGSIZE when more than
 * max_parts (<= CHARSET_MAX_PARTS) would be needed. */
int charset_split(const char *utf8, size_t len, unsigned max_parts,
		  struct charset_split *out);

/* Decode inbound short_message bytes of SMPP data_coding dcs to UTF-8, NUL
 * terminated. GSM is unpacked septets (as SMPP carries it); 0xF0-coded DCS
 * classes map to their alphabet; binary is rendered as hex. Invalid bytes
 * become U+FFFD. Returns the UTF-8 length (excluding NUL), truncating at a
 * character boundary if cap is too small. */
int charset_decode(uint8_t dcs, const uint8_t *in, size_t len, char *out,
		   size_t cap);

/* Count UTF-8 code points; invalid sequences count one each. */
size_t charset_utf8_chars(const char *utf8, size_t len);

/* True when the len bytes at utf8 are well-formed UTF-8 (Unicode table
 * 3-7): no stray continuation bytes, no overlong forms, no surrogates,
 * nothing above U+10FFFF, no sequence cut by the end. The one validator of
 * text the gateway takes in; a NUL byte is a character like any other. */
bool charset_utf8_valid(const char *utf8, size_t len);

#endif
