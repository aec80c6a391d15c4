/*
 * charset.c - UTF-8 <-> GSM 03.38 / UCS-2 text coding and SMS splitting.
 *
 * Outbound text is UTF-8. It is read one code point at a time by a strict
 * decoder (Unicode "well-formed byte sequences" table: no overlongs, no
 * surrogates, nothing above U+10FFFF); an ill-formed sequence becomes one
 * U+FFFD per maximal ill-formed subpart, as Unicode recommends, so every
 * function here counts and replaces invalid input the same way. When each
 * code point has a GSM 03.38 mapping (default table, or ESC + escape table),
 * the text goes out as unpacked septets, one per octet; otherwise the whole
 * text is UTF-16BE (surrogate pairs above U+FFFF), with U+FFFD written for
 * the bytes the strict decoder rejected. Splitting walks the text once to
 * choose the encoding and count its units, encodes it once and cuts the
 * octets into parts, stepping back one octet when a cut would separate ESC
 * from its character and one unit when it would separate a surrogate pair.
 *
 * Inbound short_message bytes are decoded by hand (GSM, IA5, Latin-1, UTF-16BE,
 * hex for binary) into a bounded writer that only ever appends whole UTF-8
 * characters, so the result is valid UTF-8 and NUL terminated however small
 * the buffer and however broken the input. Values 0x00-0x0F of data_coding
 * carry their SMPP meaning; 0x10 and above follow the GSM 03.38 DCS groups.
 *
 * The reverse GSM table is built when the program loads, so that the
 * API's threads may split texts too.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include "gateway/text/charset.h"

/* Unicode code points and ranges */
#define UNI_REPLACEMENT		0xFFFDu
#define UNI_NUL			0x0000u
#define UNI_ASCII_LAST		0x7Fu
#define UNI_LATIN1_LAST		0xFFu
#define UNI_MAX			0x10FFFFu
#define UNI_SURR_FIRST		0xD800u
#define UNI_SURR_LAST		0xDFFFu
#define UNI_FORM_FEED		0x000Cu
#define UNI_EURO		0x20ACu

/* UTF-8 */
#define UTF8_MAX_OCTETS		4
#define UTF8_CONT_BITS		6
#define UTF8_CONT_MASK		0x3Fu	/* payload of a continuation byte */
#define UTF8_CONT_TAG		0x80u	/* 10xxxxxx */
#define UTF8_2_TAG		0xC0u	/* 110xxxxx */
#define UTF8_3_TAG		0xE0u	/* 1110xxxx */
#define UTF8_4_TAG		0xF0u	/* 11110xxx */
#define UTF8_1_LAST		0x7Fu	/* highest code point in 1 octet */
#define UTF8_2_LAST		0x7FFu	/* ... in 2 octets */
#define UTF8_3_LAST		0xFFFFu	/* ... in 3 octets */

/* UTF-16 */
#define UTF16_UNIT_OCTETS	2
#define UTF16_HIGH_FIRST	0xD800u
#define UTF16_HIGH_LAST		0xDBFFu
#define UTF16_LOW_FIRST		0xDC00u
#define UTF16_LOW_LAST		0xDFFFu
#define UTF16_SUPP_BASE		0x10000u	/* first code point needing a pair */
#define UTF16_PAYLOAD_BITS	10
#define UTF16_HIGH_OCTET_MASK	0xFCu		/* top 6 bits of the first octet */
#define UTF16_HIGH_OCTET_TAG	0xD8u		/* ... of a high surrogate */

/* GSM 03.38 */
#define GSM_ALPHABET_SIZE	128
#define GSM_ESC			0x1Bu
#define GSM_MAX_SEPTETS		2	/* ESC + character */
#define GSM_REV_NONE		0xFFFFu	/* reverse table: no mapping */
#define GSM_REV_ESC_FLAG	0x100u	/* reverse table: escape table code */
#define GSM_REV_CODE_MASK	0xFFu

/* Binary rendered as hex */
#define HEX_PER_OCTET		2
#define NIBBLE_BITS		4
#define NIBBLE_MASK		0x0Fu

/* GSM 03.38 DCS coding groups (data_coding 0x10 and above) */
#define DCS_SMPP_LAST		0x0Fu	/* 0x00-0x0F: SMPP meanings */
#define DCS_GROUP_MASK		0xF0u
#define DCS_GENERAL_MASK	0xC0u	/* 00xx and 01xx: general data coding */
#define DCS_GENERAL_LAST	0x7Fu
#define DCS_GENERAL_COMPRESSED	0x20u	/* bit 5 */
#define DCS_ALPHA_MASK		0x0Cu	/* bits 3-2 */
#define DCS_ALPHA_GSM		0x00u
#define DCS_ALPHA_8BIT		0x04u
#define DCS_ALPHA_UCS2		0x08u
#define DCS_MWI_DISCARD		0xC0u	/* GSM 7-bit */
#define DCS_MWI_STORE		0xD0u	/* GSM 7-bit */
#define DCS_MWI_STORE_UCS2	0xE0u
#define DCS_CLASS		0xF0u	/* data coding / message class */
#define DCS_CLASS_8BIT		0x04u	/* bit 2 */

/* GSM 03.38 default alphabet: septet -> Unicode. 0x1B is the escape. */
static const uint16_t gsm_default[GSM_ALPHABET_SIZE] = {
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,	/* @£$¥èéùì */
	0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,	/* òÇ\nØø\rÅå */
	0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,	/* Δ_ΦΓΛΩΠΨ */
	0x03A3, 0x0398, 0x039E, UNI_REPLACEMENT,			/* ΣΘΞ ESC */
					0x00C6, 0x00E6, 0x00DF, 0x00C9,	/* ÆæßÉ */
	0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027,	/*  !"#¤%&' */
	0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,	/* ()*+,-./ */
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,	/* 01234567 */
	0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,	/* 89:;<=>? */
	0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,	/* ¡ABCDEFG */
	0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,	/* HIJKLMNO */
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,	/* PQRSTUVW */
	0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,	/* XYZÄÖÑÜ§ */
	0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,	/* ¿abcdefg */
	0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,	/* hijklmno */
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,	/* pqrstuvw */
	0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,	/* xyzäöñüà */
};

/* GSM 03.38 escape table: the septet after ESC -> Unicode. */
static const struct gsm_escape {
	uint8_t code;
	uint16_t cp;
} gsm_escape[] = {
	{ 0x0A, UNI_FORM_FEED },
	{ 0x14, '^' },
	{ 0x28, '{' },
	{ 0x29, '}' },
	{ 0x2F, '\\' },
	{ 0x3C, '[' },
	{ 0x3D, '~' },
	{ 0x3E, ']' },
	{ 0x40, '|' },
	{ 0x65, UNI_EURO },
};

/* Well-formed UTF-8 lead bytes (Unicode table 3-7): how many continuation
 * bytes follow and which range the first of them must be in. The narrowed
 * ranges exclude overlongs, surrogates and code points above U+10FFFF. */
static const struct utf8_lead {
	uint8_t first, last;	/* range of lead bytes */
	uint8_t n_cont;		/* continuation bytes that follow */
	uint8_t payload;	/* mask of the lead byte's payload bits */
	uint8_t lo, hi;		/* allowed range of the second byte */
} utf8_leads[] = {
	{ 0xC2, 0xDF, 1, 0x1F, 0x80, 0xBF },
	{ 0xE0, 0xE0, 2, 0x0F, 0xA0, 0xBF },	/* no overlongs */
	{ 0xE1, 0xEC, 2, 0x0F, 0x80, 0xBF },
	{ 0xED, 0xED, 2, 0x0F, 0x80, 0x9F },	/* no surrogates */
	{ 0xEE, 0xEF, 2, 0x0F, 0x80, 0xBF },
	{ 0xF0, 0xF0, 3, 0x07, 0x90, 0xBF },	/* no overlongs */
	{ 0xF1, 0xF3, 3, 0x07, 0x80, 0xBF },
	{ 0xF4, 0xF4, 3, 0x07, 0x80, 0x8F },	/* nothing above U+10FFFF */
};
#define UTF8_CONT_FIRST	0x80u
#define UTF8_CONT_LAST	0xBFu

/* One code point read from UTF-8. */
struct u8char {
	uint32_t cp;	/* the code point; U+FFFD when !valid */
	uint8_t len;	/* octets consumed, at least 1 */
	bool valid;
};

/* Read the code point at s (len >= 1). An ill-formed sequence consumes its
 * maximal ill-formed subpart (at least one byte) and reads as U+FFFD. */
static struct u8char utf8_next(const uint8_t *s, size_t len)
{
	struct u8char c = { .cp = UNI_REPLACEMENT, .len = 1, .valid = false };
	const struct utf8_lead *l = NULL;
	uint8_t lo, hi;
	uint32_t cp;
	unsigned i;

	if (s[0] <= UNI_ASCII_LAST)
		return (struct u8char){ .cp = s[0], .len = 1, .valid = true };
	for (i = 0; i < ARRAY_SIZE(utf8_leads); i++) {
		if (s[0] >= utf8_leads[i].first && s[0] <= utf8_leads[i].last) {
			l = &utf8_leads[i];
			break;
		}
	}
	if (!l)
		return c;
	cp = s[0] & l->payload;
	lo = l->lo;
	hi = l->hi;
	for (i = 1; i <= l->n_cont; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			c.len = i;
			return c;
		}
		cp = (cp << UTF8_CONT_BITS) | (s[i] & UTF8_CONT_MASK);
		lo = UTF8_CONT_FIRST;
		hi = UTF8_CONT_LAST;
	}
	return (struct u8char){ .cp = cp, .len = l->n_cont + 1, .valid = true };
}

/* Write cp as UTF-8 into buf; cp must be a Unicode scalar value. Returns the
 * octets written. */
static unsigned utf8_put(uint32_t cp, uint8_t buf[UTF8_MAX_OCTETS])
{
	if (cp <= UTF8_1_LAST) {
		buf[0] = cp;
		return 1;
	}
	if (cp <= UTF8_2_LAST) {
		buf[0] = UTF8_2_TAG | (cp >> UTF8_CONT_BITS);
		buf[1] = UTF8_CONT_TAG | (cp & UTF8_CONT_MASK);
		return 2;
	}
	if (cp <= UTF8_3_LAST) {
		buf[0] = UTF8_3_TAG | (cp >> (2 * UTF8_CONT_BITS));
		buf[1] = UTF8_CONT_TAG | ((cp >> UTF8_CONT_BITS) & UTF8_CONT_MASK);
		buf[2] = UTF8_CONT_TAG | (cp & UTF8_CONT_MASK);
		return 3;
	}
	buf[0] = UTF8_4_TAG | (cp >> (3 * UTF8_CONT_BITS));
	buf[1] = UTF8_CONT_TAG | ((cp >> (2 * UTF8_CONT_BITS)) & UTF8_CONT_MASK);
	buf[2] = UTF8_CONT_TAG | ((cp >> UTF8_CONT_BITS) & UTF8_CONT_MASK);
	buf[3] = UTF8_CONT_TAG | (cp & UTF8_CONT_MASK);
	return 4;
}

/* ---- GSM 03.38 lookup ---- */

/* Reverse table for U+0000..U+00FF: GSM_REV_NONE, a default-table code, or
 * GSM_REV_ESC_FLAG | escape-table code. */
static uint16_t gsm_rev_latin1[UNI_LATIN1_LAST + 1];

/* Built when the program loads, before main() and any thread. */
__attribute__((constructor)) static void gsm_rev_build(void)
{
	unsigned i;

	for (i = 0; i <= UNI_LATIN1_LAST; i++)
		gsm_rev_latin1[i] = GSM_REV_NONE;
	for (i = 0; i < ARRAY_SIZE(gsm_escape); i++) {
		if (gsm_escape[i].cp <= UNI_LATIN1_LAST)
			gsm_rev_latin1[gsm_escape[i].cp] = GSM_REV_ESC_FLAG | gsm_escape[i].code;
	}
	for (i = 0; i < GSM_ALPHABET_SIZE; i++) {
		if (i != GSM_ESC && gsm_default[i] <= UNI_LATIN1_LAST)
			gsm_rev_latin1[gsm_default[i]] = i;
	}
}


/* The GSM septets for code point cp: returns 1 (default table), 2 (ESC +
 * escape table) or 0 when cp has no mapping. */
static unsigned gsm_lookup(uint32_t cp, uint8_t sept[GSM_MAX_SEPTETS])
{
	unsigned i;

	if (cp <= UNI_LATIN1_LAST) {
		uint16_t r;

		r = gsm_rev_latin1[cp];
		if (r == GSM_REV_NONE)
			return 0;
		if (!(r & GSM_REV_ESC_FLAG)) {
			sept[0] = r;
			return 1;
		}
		sept[0] = GSM_ESC;
		sept[1] = r & GSM_REV_CODE_MASK;
		return 2;
	}
	/* Greek capitals and the euro: few, so a scan is fine */
	for (i = 0; i < GSM_ALPHABET_SIZE; i++) {
		if (i != GSM_ESC && gsm_default[i] == cp) {
			sept[0] = i;
			return 1;
		}
	}
	for (i = 0; i < ARRAY_SIZE(gsm_escape); i++) {
		if (gsm_escape[i].cp == cp) {
			sept[0] = GSM_ESC;
			sept[1] = gsm_escape[i].code;
			return 2;
		}
	}
	return 0;
}

/* The code point of the escape-table septet code, or U+FFFD if unknown. */
static uint32_t gsm_escaped_cp(uint8_t code)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(gsm_escape); i++) {
		if (gsm_escape[i].code == code)
			return gsm_escape[i].cp;
	}
	return UNI_REPLACEMENT;
}

/* ---- counting ---- */

size_t charset_utf8_chars(const char *utf8, size_t len)
{
	const uint8_t *s = (const uint8_t *)utf8;
	size_t pos = 0, n = 0;

	if (!utf8)
		return 0;
	while (pos < len) {
		pos += utf8_next(s + pos, len - pos).len;
		n++;
	}
	return n;
}

bool charset_utf8_valid(const char *utf8, size_t len)
{
	const uint8_t *s = (const uint8_t *)utf8;
	size_t pos = 0;

	if (!utf8 && len)
		return false;
	while (pos < len) {
		struct u8char c = utf8_next(s + pos, len - pos);

		if (!c.valid)
			return false;
		pos += c.len;
	}
	return true;
}

/* What one walk over a text finds: whether every character has a GSM
 * mapping, its septets while it has, and its UTF-16 units (an invalid
 * sequence is U+FFFD: one unit, no GSM mapping). */
struct measure {
	bool gsm;
	size_t septets, units;
};

static struct measure text_measure(const uint8_t *s, size_t len)
{
	struct measure m = { .gsm = true };
	size_t pos = 0;

	while (pos < len) {
		struct u8char c = utf8_next(s + pos, len - pos);
		uint8_t sept[GSM_MAX_SEPTETS];
		unsigned n = m.gsm && c.valid ? gsm_lookup(c.cp, sept) : 0;

		m.gsm = m.gsm && n;
		m.septets += n;
		m.units += c.cp >= UTF16_SUPP_BASE ? 2 : 1;
		pos += c.len;
	}
	return m;
}

bool charset_fits_gsm(const char *utf8, size_t len)
{
	if (!utf8 && len)
		return false;
	return text_measure((const uint8_t *)utf8, len).gsm;
}

int charset_units(const char *utf8, size_t len, enum charset_enc enc)
{
	struct measure m;
	size_t n;

	if ((!utf8 && len) || (enc != CHARSET_ENC_GSM7 && enc != CHARSET_ENC_UCS2))
		return -EINVAL;
	m = text_measure((const uint8_t *)utf8, len);
	if (enc == CHARSET_ENC_GSM7 && !m.gsm)
		return -EINVAL;
	n = enc == CHARSET_ENC_GSM7 ? m.septets : m.units;
	return n > INT_MAX ? -EMSGSIZE : (int)n;
}

/* ---- encoding ---- */

/* Septets of the UTF-8 text into out. -EINVAL if a character has no GSM
 * mapping, -ENOSPC if cap is too small. */
static int gsm_encode(const uint8_t *s, size_t len, uint8_t *out, size_t cap)
{
	size_t pos = 0, o = 0;

	if (cap > INT_MAX)
		cap = INT_MAX;
	while (pos < len) {
		struct u8char c = utf8_next(s + pos, len - pos);
		uint8_t sept[GSM_MAX_SEPTETS];
		unsigned n = c.valid ? gsm_lookup(c.cp, sept) : 0;

		if (!n)
			return -EINVAL;
		if (n > cap - o)
			return -ENOSPC;
		memcpy(out + o, sept, n);
		o += n;
		pos += c.len;
	}
	return o;
}

/* cp as UTF-16BE at out (a pair above U+FFFF). Octets written, or 0 when
 * fewer than that are left. */
static unsigned ucs2_put(uint32_t cp, uint8_t *out, size_t left)
{
	uint32_t v;

	if (cp < UTF16_SUPP_BASE) {
		if (left < UTF16_UNIT_OCTETS)
			return 0;
		out[0] = cp >> CHAR_BIT;
		out[1] = cp & UCHAR_MAX;
		return UTF16_UNIT_OCTETS;
	}
	if (left < 2 * UTF16_UNIT_OCTETS)
		return 0;
	v = cp - UTF16_SUPP_BASE;
	ucs2_put(UTF16_HIGH_FIRST + (v >> UTF16_PAYLOAD_BITS), out, left);
	ucs2_put(UTF16_LOW_FIRST + (v & ((1u << UTF16_PAYLOAD_BITS) - 1)),
		 out + UTF16_UNIT_OCTETS, left - UTF16_UNIT_OCTETS);
	return 2 * UTF16_UNIT_OCTETS;
}

/* UTF-16BE of the UTF-8 text into out, U+FFFD for each ill-formed subpart
 * (utf8_next() reads it so). -ENOSPC if cap is too small. */
static int ucs2_encode(const uint8_t *s, size_t len, uint8_t *out, size_t cap)
{
	size_t pos = 0, o = 0;

	if (cap > INT_MAX)
		cap = INT_MAX;
	while (pos < len) {
		struct u8char c = utf8_next(s + pos, len - pos);
		unsigned n = ucs2_put(c.cp, out + o, cap - o);

		if (!n)
			return -ENOSPC;
		o += n;
		pos += c.len;
	}
	return o;
}

/* Encode in enc; the GSM7 caller has checked that the text fits. */
static int encode_as(enum charset_enc enc, const uint8_t *s, size_t len,
		     uint8_t *out, size_t cap)
{
	if (enc == CHARSET_ENC_GSM7)
		return gsm_encode(s, len, out, cap);
	return ucs2_encode(s, len, out, cap);
}

int charset_encode(const char *utf8, size_t len, uint8_t *out, size_t cap,
		   enum charset_enc *enc)
{
	enum charset_enc e;

	if ((!utf8 && len) || (!out && cap))
		return -EINVAL;
	e = charset_fits_gsm(utf8, len) ? CHARSET_ENC_GSM7 : CHARSET_ENC_UCS2;
	if (enc)
		*enc = e;
	return encode_as(e, (const uint8_t *)utf8, len, out, cap);
}

/* ---- splitting ---- */

/* Octets of one part when split, and of one unsplit SMS. */
static size_t part_octets(enum charset_enc enc)
{
	return enc == CHARSET_ENC_GSM7 ? CHARSET_GSM_PART
				       : CHARSET_UCS2_PART * UTF16_UNIT_OCTETS;
}

static size_t single_units(enum charset_enc enc)
{
	return enc == CHARSET_ENC_GSM7 ? CHARSET_GSM_SINGLE : CHARSET_UCS2_SINGLE;
}

/* How many of the avail octets at p go into this part: at most want, minus
 * the first half of an escape sequence or surrogate pair at the cut. */
static size_t cut_len(enum charset_enc enc, const uint8_t *p, size_t avail, size_t want)
{
	if (avail <= want)
		return avail;
	if (enc == CHARSET_ENC_GSM7)
		return p[want - 1] == GSM_ESC ? want - 1 : want;
	if ((p[want - UTF16_UNIT_OCTETS] & UTF16_HIGH_OCTET_MASK) == UTF16_HIGH_OCTET_TAG)
		return want - UTF16_UNIT_OCTETS;
	return want;
}

/* Big enough for the longest text CHARSET_MAX_PARTS parts can carry in
 * either encoding. */
#define SPLIT_BUF_OCTETS	(CHARSET_MAX_PARTS * CHARSET_GSM_PART)
_Static_assert(CHARSET_UCS2_PART * UTF16_UNIT_OCTETS <= CHARSET_GSM_PART,
	       "split buffer sized for GSM parts must hold UCS-2 parts");
_Static_assert(CHARSET_UCS2_SINGLE * UTF16_UNIT_OCTETS <= CHARSET_GSM_SINGLE,
	       "a part's data must hold one unsplit UCS-2 SMS");

/* Encode the text that needs more than one SMS and cut it into parts. */
static int split_multi(enum charset_enc enc, const uint8_t *s, size_t len,
		       unsigned max_parts, struct charset_split *out)
{
	uint8_t buf[SPLIT_BUF_OCTETS];
	size_t want = part_octets(enc), pos = 0, total;
	int rc = encode_as(enc, s, len, buf, max_parts * want);

	if (rc == -ENOSPC)
		return -EMSGSIZE;
	if (rc < 0)
		return rc;
	total = rc;
	while (pos < total) {
		struct charset_part *part;
		size_t n;

		if (out->n_parts >= max_parts)
			return -EMSGSIZE;
		n = cut_len(enc, buf + pos, total - pos, want);
		part = &out->part[out->n_parts++];
		memcpy(part->data, buf + pos, n);
		part->len = n;
		pos += n;
	}
	return out->n_parts;
}

int charset_split(const char *utf8, size_t len, unsigned max_parts,
		  struct charset_split *out)
{
	const uint8_t *s = (const uint8_t *)utf8;
	struct measure m;
	enum charset_enc enc;
	size_t units;
	int rc;

	if (!out || (!utf8 && len) || max_parts < 1 || max_parts > CHARSET_MAX_PARTS)
		return -EINVAL;
	/* no clearing of the parts (2.6 KB): n_parts says which are written */
	out->n_parts = 0;
	m = text_measure(s, len);
	enc = m.gsm ? CHARSET_ENC_GSM7 : CHARSET_ENC_UCS2;
	units = m.gsm ? m.septets : m.units;
	out->enc = enc;
	if (units > single_units(enc)) {
		rc = split_multi(enc, s, len, max_parts, out);
		if (rc < 0)
			out->n_parts = 0;
		return rc;
	}
	rc = encode_as(enc, s, len, out->part[0].data, sizeof(out->part[0].data));
	if (rc < 0)
		return rc;
	out->part[0].len = rc;
	out->n_parts = 1;
	return 1;
}

/* ---- decoding ---- */

/* Bounded UTF-8 writer: appends whole characters only, keeps room for the NUL. */
struct u8out {
	char *buf;
	size_t cap;	/* including the NUL, >= 1 */
	size_t len;
	bool full;	/* a character did not fit: write nothing more */
};

/* Append code point cp. U+0000 is dropped: the result is a C string, and some
 * SMSCs NUL-terminate short_message. Non-scalar values become U+FFFD. */
static void out_cp(struct u8out *o, uint32_t cp)
{
	uint8_t tmp[UTF8_MAX_OCTETS];
	unsigned n;

	if (o->full || cp == UNI_NUL)
		return;
	if (cp > UNI_MAX || (cp >= UNI_SURR_FIRST && cp <= UNI_SURR_LAST))
		cp = UNI_REPLACEMENT;
	n = utf8_put(cp, tmp);
	if (n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, tmp, n);
	o->len += n;
}

/* Append one octet as two lowercase hex digits, both or none. */
static void out_hex(struct u8out *o, uint8_t b)
{
	static const char digits[] = "0123456789abcdef";

	if (o->full)
		return;
	if (HEX_PER_OCTET >= o->cap - o->len) {
		o->full = true;
		return;
	}
	o->buf[o->len++] = digits[b >> NIBBLE_BITS];
	o->buf[o->len++] = digits[b & NIBBLE_MASK];
}

static void decode_gsm(const uint8_t *in, size_t len, struct u8out *o)
{
	size_t i = 0;

	while (i < len && !o->full) {
		uint8_t b = in[i++];

		if (b >= GSM_ALPHABET_SIZE) {
			out_cp(o, UNI_REPLACEMENT);
		} else if (b != GSM_ESC) {
			out_cp(o, gsm_default[b]);
		} else if (i < len) {
			/* ESC and its septet are one character, known or not */
			out_cp(o, gsm_escaped_cp(in[i++]));
		} else {
			out_cp(o, UNI_REPLACEMENT);
		}
	}
}

static void decode_ia5(const uint8_t *in, size_t len, struct u8out *o)
{
	size_t i;

	for (i = 0; i < len && !o->full; i++)
		out_cp(o, in[i] <= UNI_ASCII_LAST ? in[i] : UNI_REPLACEMENT);
}

static void decode_latin1(const uint8_t *in, size_t len, struct u8out *o)
{
	size_t i;

	for (i = 0; i < len && !o->full; i++)
		out_cp(o, in[i]);
}

static void decode_hex(const uint8_t *in, size_t len, struct u8out *o)
{
	size_t i;

	for (i = 0; i < len && !o->full; i++)
		out_hex(o, in[i]);
}

/* UTF-16BE: pairs joined, lone surrogates and an odd last octet -> U+FFFD. */
static void decode_ucs2(const uint8_t *in, size_t len, struct u8out *o)
{
	size_t i = 0;

	while (i + UTF16_UNIT_OCTETS <= len && !o->full) {
		uint32_t u = (uint32_t)in[i] << CHAR_BIT | in[i + 1];
		uint32_t lo;

		i += UTF16_UNIT_OCTETS;
		if (u < UTF16_HIGH_FIRST || u > UTF16_LOW_LAST) {
			out_cp(o, u);
			continue;
		}
		if (u > UTF16_HIGH_LAST || i + UTF16_UNIT_OCTETS > len) {
			out_cp(o, UNI_REPLACEMENT);
			continue;
		}
		lo = (uint32_t)in[i] << CHAR_BIT | in[i + 1];
		if (lo < UTF16_LOW_FIRST || lo > UTF16_LOW_LAST) {
			out_cp(o, UNI_REPLACEMENT);	/* lo is read again next round */
			continue;
		}
		i += UTF16_UNIT_OCTETS;
		out_cp(o, UTF16_SUPP_BASE + ((u - UTF16_HIGH_FIRST) << UTF16_PAYLOAD_BITS)
			  + (lo - UTF16_LOW_FIRST));
	}
	if (i < len)
		out_cp(o, UNI_REPLACEMENT);
}

enum alphabet {
	ALPHA_GSM,
	ALPHA_IA5,
	ALPHA_LATIN1,
	ALPHA_UCS2,
	ALPHA_BINARY,
};

/* SMPP 3.4 meanings of data_coding 0x00-0x0F; the rest are tried as Latin-1. */
static enum alphabet dcs_smpp_alphabet(uint8_t dcs)
{
	switch (dcs) {
	case CHARSET_DCS_DEFAULT:	return ALPHA_GSM;
	case CHARSET_DCS_IA5:		return ALPHA_IA5;
	case CHARSET_DCS_BINARY:
	case CHARSET_DCS_BINARY2:	return ALPHA_BINARY;
	case CHARSET_DCS_UCS2:		return ALPHA_UCS2;
	default:			return ALPHA_LATIN1;
	}
}

/* GSM 03.38 general data coding (00xx and 01xx, the latter only marking the
 * message for automatic deletion): compressed text cannot be read, so it is
 * shown as hex like 8-bit data. */
static enum alphabet dcs_general_alphabet(uint8_t dcs)
{
	if (dcs & DCS_GENERAL_COMPRESSED)
		return ALPHA_BINARY;
	switch (dcs & DCS_ALPHA_MASK) {
	case DCS_ALPHA_GSM:	return ALPHA_GSM;
	case DCS_ALPHA_8BIT:	return ALPHA_BINARY;
	case DCS_ALPHA_UCS2:	return ALPHA_UCS2;
	default:		return ALPHA_LATIN1;	/* reserved */
	}
}

static enum alphabet dcs_alphabet(uint8_t dcs)
{
	if (dcs <= DCS_SMPP_LAST)
		return dcs_smpp_alphabet(dcs);
	if (dcs <= DCS_GENERAL_LAST)
		return dcs_general_alphabet(dcs);
	switch (dcs & DCS_GROUP_MASK) {
	case DCS_MWI_DISCARD:
	case DCS_MWI_STORE:	return ALPHA_GSM;
	case DCS_MWI_STORE_UCS2: return ALPHA_UCS2;
	case DCS_CLASS:		return (dcs & DCS_CLASS_8BIT) ? ALPHA_BINARY : ALPHA_GSM;
	default:		return ALPHA_LATIN1;	/* reserved groups */
	}
}

/* Besides the documented contract: -EINVAL when out is NULL, cap is 0 (no
 * room even for the NUL) or in is NULL with len > 0. */
int charset_decode(uint8_t dcs, const uint8_t *in, size_t len, char *out,
		   size_t cap)
{
	struct u8out o = { .buf = out, .cap = cap > INT_MAX ? INT_MAX : cap };

	if (!out || !cap || (!in && len))
		return -EINVAL;
	switch (dcs_alphabet(dcs)) {
	case ALPHA_GSM:		decode_gsm(in, len, &o);	break;
	case ALPHA_IA5:		decode_ia5(in, len, &o);	break;
	case ALPHA_LATIN1:	decode_latin1(in, len, &o);	break;
	case ALPHA_UCS2:	decode_ucs2(in, len, &o);	break;
	case ALPHA_BINARY:	decode_hex(in, len, &o);	break;
	}
	out[o.len] = '\0';
	return o.len;
}
