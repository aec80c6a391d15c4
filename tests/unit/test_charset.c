/*
 * test_charset.c - unit tests of gateway/text/charset.c.
 *
 * Covers GSM 03.38 detection and encoding (escapes count two septets), the
 * UCS-2 path through iconv (surrogate pairs), splitting at the 160/153 and
 * 70/67 boundaries without cutting an escape or a pair, the -EMSGSIZE limit,
 * inbound decoding of every data_coding family, invalid input on both sides,
 * and a seeded random sweep that checks the decoder always yields valid,
 * NUL-terminated UTF-8 within the buffer.
 */
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/text/charset.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define ZH		"\xe4\xb8\xad"		/* 中 U+4E2D */
#define ZH_UCS2		"\x4e\x2d"
#define EMOJI		"\xf0\x9f\x98\x80"	/* 😀 U+1F600 */
#define EMOJI_UCS2	"\xd8\x3d\xde\x00"
#define EURO		"\xe2\x82\xac"		/* € */
#define REPL		"\xef\xbf\xbd"		/* U+FFFD */
#define CJK_FIRST	0x4E00u
#define CJK_SPAN	0x5000u
#define DECODE_CAP	8192

/* A growable UTF-8 test text. */
struct text {
	char *s;
	size_t len;
};

static void text_add(struct text *t, const char *piece, size_t n)
{
	t->s = realloc(t->s, t->len + n + 1);
	assert_non_null(t->s);
	memcpy(t->s + t->len, piece, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void text_rep(struct text *t, const char *piece, unsigned times)
{
	while (times--)
		text_add(t, piece, strlen(piece));
}

/* Append a BMP code point as UTF-8 (test helper, 3-octet range only). */
static void text_add_bmp(struct text *t, unsigned cp)
{
	char b[3] = { (char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
		      (char)(0x80 | (cp & 0x3F)) };

	text_add(t, b, sizeof(b));
}

/* n different CJK ideographs. */
static void text_add_cjk(struct text *t, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		text_add_bmp(t, CJK_FIRST + (i * 37u) % CJK_SPAN);
}

static void text_free(struct text *t)
{
	free(t->s);
	t->s = NULL;
	t->len = 0;
}

/* True when s[0..len) is valid UTF-8, judged by glibc's own decoder. */
static bool valid_utf8(const char *s, size_t len)
{
	iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
	char *in = (char *)s, buf[4 * DECODE_CAP], *out = buf;
	size_t in_left = len, out_left = sizeof(buf);
	size_t rc;

	assert_true(cd != (iconv_t)-1);
	rc = iconv(cd, &in, &in_left, &out, &out_left);
	iconv_close(cd);
	return rc != (size_t)-1 && in_left == 0;
}

/* Decode and compare with the expected UTF-8. */
static void check_decode(uint8_t dcs, const char *in, size_t len, const char *want)
{
	char out[DECODE_CAP];
	int rc = charset_decode(dcs, (const uint8_t *)in, len, out, sizeof(out));

	assert_int_equal(rc, strlen(want));
	assert_string_equal(out, want);
}

/* Encode and compare octets and encoding. */
static void check_encode(const char *utf8, size_t len, const char *want, size_t want_len,
			 enum charset_enc want_enc)
{
	uint8_t out[DECODE_CAP];
	enum charset_enc enc;
	int rc = charset_encode(utf8, len, out, sizeof(out), &enc);

	assert_int_equal(rc, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(enc, want_enc);
}

/* Concatenate the parts of a split. */
static size_t split_concat(const struct charset_split *sp, uint8_t *buf)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < sp->n_parts; i++) {
		memcpy(buf + n, sp->part[i].data, sp->part[i].len);
		n += sp->part[i].len;
	}
	return n;
}

/* ---- GSM detection and encoding ---- */

static void test_ascii(void **state)
{
	const char *s = "Hello world 123";
	struct charset_split sp;

	assert_true(charset_fits_gsm(s, strlen(s)));
	assert_int_equal(charset_units(s, strlen(s), CHARSET_ENC_GSM7), 15);
	assert_int_equal(charset_units(s, strlen(s), CHARSET_ENC_UCS2), 15);
	check_encode(s, strlen(s), s, strlen(s), CHARSET_ENC_GSM7);
	assert_int_equal(charset_split(s, strlen(s), CHARSET_MAX_PARTS, &sp), 1);
	assert_int_equal(sp.enc, CHARSET_ENC_GSM7);
	assert_int_equal(sp.part[0].len, 15);
	assert_memory_equal(sp.part[0].data, s, 15);
}

static void test_gsm_specials(void **state)
{
	const char *s = "@\xc2\xa3$\xc2\xa5\xc3\xa8\xc3\xa9\xc3\x87_";	/* @£$¥èéÇ_ */
	const char *greek = "\xce\x94\xce\xa6\xce\x93\xce\x9b\xce\xa9\xce\xa0"
			    "\xce\xa8\xce\xa3\xce\x98\xce\x9e";		/* ΔΦΓΛΩΠΨΣΘΞ */
	const char *latin = "\xc2\xa1\xc2\xbf\xc3\x84\xc3\x96\xc3\x91\xc3\x9c"
			    "\xc2\xa7\xc3\xa4\xc3\xb6\xc3\xb1\xc3\xbc\xc3\xa0";	/* ¡¿ÄÖÑÜ§äöñüà */

	check_encode(s, strlen(s), "\x00\x01\x02\x03\x04\x05\x09\x11", 8, CHARSET_ENC_GSM7);
	check_encode(greek, strlen(greek), "\x10\x12\x13\x14\x15\x16\x17\x18\x19\x1a", 10,
		     CHARSET_ENC_GSM7);
	check_encode(latin, strlen(latin), "\x40\x60\x5b\x5c\x5d\x5e\x5f\x7b\x7c\x7d\x7e\x7f",
		     12, CHARSET_ENC_GSM7);
	assert_int_equal(charset_units(greek, strlen(greek), CHARSET_ENC_GSM7), 10);
}

static void test_gsm_escapes(void **state)
{
	const char *s = "{}[]" EURO;
	const char *t = "^\\~|\f";

	assert_true(charset_fits_gsm(s, strlen(s)));
	assert_int_equal(charset_units(s, strlen(s), CHARSET_ENC_GSM7), 10);
	assert_int_equal(charset_units(s, strlen(s), CHARSET_ENC_UCS2), 5);
	check_encode(s, strlen(s), "\x1b\x28\x1b\x29\x1b\x3c\x1b\x3e\x1b\x65", 10,
		     CHARSET_ENC_GSM7);
	check_encode(t, strlen(t), "\x1b\x14\x1b\x2f\x1b\x3d\x1b\x40\x1b\x0a", 10,
		     CHARSET_ENC_GSM7);
	/* line feed is in the default table, form feed in the escape table */
	check_encode("\n\r", 2, "\x0a\x0d", 2, CHARSET_ENC_GSM7);
}

static void test_not_gsm(void **state)
{
	const char *zh = ZH;
	const char *cedilla = "\xc3\xa7";	/* ç: only Ç is in the table */

	assert_false(charset_fits_gsm(zh, strlen(zh)));
	assert_false(charset_fits_gsm("a\tb", 3));
	assert_false(charset_fits_gsm("a\0b", 3));
	assert_false(charset_fits_gsm(cedilla, strlen(cedilla)));
	assert_int_equal(charset_units(zh, strlen(zh), CHARSET_ENC_GSM7), -EINVAL);
	assert_int_equal(charset_units(zh, strlen(zh), CHARSET_ENC_UCS2), 1);
	assert_true(charset_fits_gsm("", 0));
	assert_true(charset_fits_gsm(NULL, 0));
	assert_false(charset_fits_gsm(NULL, 1));
}

/* ---- GSM splitting ---- */

static void test_gsm_160_161(void **state)
{
	struct text t = { 0 };
	struct charset_split sp;

	text_rep(&t, "a", 160);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 1);
	assert_int_equal(sp.part[0].len, 160);
	text_add(&t, "b", 1);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 2);
	assert_int_equal(sp.enc, CHARSET_ENC_GSM7);
	assert_int_equal(sp.part[0].len, CHARSET_GSM_PART);
	assert_int_equal(sp.part[1].len, 8);
	assert_int_equal(sp.part[1].data[7], 'b');
	text_free(&t);

	/* an escape makes 159 characters 160 septets, 160 characters 161 */
	text_rep(&t, "a", 158);
	text_add(&t, EURO, strlen(EURO));
	assert_int_equal(charset_units(t.s, t.len, CHARSET_ENC_GSM7), 160);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 1);
	assert_int_equal(sp.part[0].len, 160);
	text_add(&t, "a", 1);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 2);
	text_free(&t);
}

static void test_gsm_escape_at_cut(void **state)
{
	struct text t = { 0 };
	struct charset_split sp;
	uint8_t all[DECODE_CAP], joined[DECODE_CAP];
	enum charset_enc enc;
	int n;

	text_rep(&t, "a", 152);
	text_add(&t, EURO, strlen(EURO));	/* septets 153 and 154 */
	text_rep(&t, "b", 10);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 2);
	assert_int_equal(sp.part[0].len, 152);
	assert_int_equal(sp.part[1].len, 12);
	assert_int_equal(sp.part[1].data[0], 0x1b);
	assert_int_equal(sp.part[1].data[1], 0x65);
	n = charset_encode(t.s, t.len, all, sizeof(all), &enc);
	assert_int_equal(n, 164);
	assert_int_equal(split_concat(&sp, joined), n);
	assert_memory_equal(all, joined, n);
	text_free(&t);

	/* an escape ending exactly at septet 153 stays whole in part 1 */
	text_rep(&t, "a", 151);
	text_add(&t, EURO, strlen(EURO));
	text_rep(&t, "b", 10);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 2);
	assert_int_equal(sp.part[0].len, 153);
	assert_int_equal(sp.part[0].data[151], 0x1b);
	assert_int_equal(sp.part[0].data[152], 0x65);
	text_free(&t);
}

/* ---- UCS-2 and splitting ---- */

static void test_ucs2_70_71(void **state)
{
	struct text t = { 0 };
	struct charset_split sp;

	text_rep(&t, ZH, 70);
	assert_int_equal(charset_units(t.s, t.len, CHARSET_ENC_UCS2), 70);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 1);
	assert_int_equal(sp.enc, CHARSET_ENC_UCS2);
	assert_int_equal(sp.part[0].len, CHARSET_SMS_OCTETS);
	assert_memory_equal(sp.part[0].data, ZH_UCS2, 2);
	text_add(&t, ZH, strlen(ZH));
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 2);
	assert_int_equal(sp.part[0].len, 2 * CHARSET_UCS2_PART);
	assert_int_equal(sp.part[1].len, 2 * 4);
	text_free(&t);
}

static void test_ucs2_300_chars(void **state)
{
	struct text t = { 0 };
	struct charset_split sp;
	uint8_t joined[DECODE_CAP];
	char back[DECODE_CAP];
	size_t n;
	unsigned i;

	text_add_cjk(&t, 300);
	assert_int_equal(charset_utf8_chars(t.s, t.len), 300);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 5);
	for (i = 0; i < 4; i++)
		assert_int_equal(sp.part[i].len, 2 * CHARSET_UCS2_PART);
	assert_int_equal(sp.part[4].len, 2 * (300 - 4 * CHARSET_UCS2_PART));
	n = split_concat(&sp, joined);
	assert_int_equal(charset_decode(CHARSET_DCS_UCS2, joined, n, back, sizeof(back)),
			 t.len);
	assert_string_equal(back, t.s);
	text_free(&t);
}

static void test_surrogate_pair_at_cut(void **state)
{
	struct text t = { 0 };
	struct charset_split sp;
	uint8_t joined[DECODE_CAP];
	char back[DECODE_CAP];
	size_t n;

	text_add_cjk(&t, 66);
	text_add(&t, EMOJI, strlen(EMOJI));	/* units 67 and 68 */
	text_add_cjk(&t, 10);
	assert_int_equal(charset_units(t.s, t.len, CHARSET_ENC_UCS2), 78);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 2);
	assert_int_equal(sp.part[0].len, 2 * 66);
	assert_int_equal(sp.part[1].len, 2 * 12);
	assert_memory_equal(sp.part[1].data, EMOJI_UCS2, 4);
	n = split_concat(&sp, joined);
	assert_int_equal(charset_decode(CHARSET_DCS_UCS2, joined, n, back, sizeof(back)),
			 t.len);
	assert_string_equal(back, t.s);
	text_free(&t);

	/* ending exactly at unit 67 the pair stays in part 1 */
	text_add_cjk(&t, 65);
	text_add(&t, EMOJI, strlen(EMOJI));
	text_add_cjk(&t, 10);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 2);
	assert_int_equal(sp.part[0].len, 2 * CHARSET_UCS2_PART);
	assert_memory_equal(sp.part[0].data + 130, EMOJI_UCS2, 4);
	text_free(&t);

	/* 68 characters + emoji = 70 units: still one SMS */
	text_add_cjk(&t, 68);
	text_add(&t, EMOJI, strlen(EMOJI));
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), 1);
	assert_int_equal(sp.part[0].len, CHARSET_SMS_OCTETS);
	text_free(&t);
}

static void test_mixed(void **state)
{
	const char *s = "Hi \xe4\xbd\xa0\xe5\xa5\xbd" EMOJI;	/* Hi 你好😀 */

	assert_false(charset_fits_gsm(s, strlen(s)));
	assert_int_equal(charset_utf8_chars(s, strlen(s)), 6);
	assert_int_equal(charset_units(s, strlen(s), CHARSET_ENC_UCS2), 7);
	check_encode(s, strlen(s), "\x00H\x00i\x00 \x4f\x60\x59\x7d" EMOJI_UCS2, 14,
		     CHARSET_ENC_UCS2);
	/* one non-GSM character turns GSM escapes into plain UCS-2 */
	check_encode("{" ZH, 4, "\x00{\x4e\x2d", 4, CHARSET_ENC_UCS2);
}

static void test_emsgsize(void **state)
{
	struct text t = { 0 };
	struct charset_split sp;

	text_rep(&t, "a", CHARSET_MAX_PARTS * CHARSET_GSM_PART);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), CHARSET_MAX_PARTS);
	text_add(&t, "a", 1);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), -EMSGSIZE);
	assert_int_equal(sp.n_parts, 0);
	text_free(&t);

	text_rep(&t, "a", 2 * CHARSET_GSM_PART);
	assert_int_equal(charset_split(t.s, t.len, 2, &sp), 2);
	text_add(&t, "a", 1);
	assert_int_equal(charset_split(t.s, t.len, 2, &sp), -EMSGSIZE);
	assert_int_equal(charset_split(t.s, t.len, 1, &sp), -EMSGSIZE);
	text_free(&t);

	/* the septets fit 16 x 153, but each cut steps back from an escape */
	text_rep(&t, EURO, CHARSET_MAX_PARTS * CHARSET_GSM_PART / 2);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), -EMSGSIZE);
	text_free(&t);

	text_add_cjk(&t, CHARSET_MAX_PARTS * CHARSET_UCS2_PART);
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), CHARSET_MAX_PARTS);
	text_add(&t, ZH, strlen(ZH));
	assert_int_equal(charset_split(t.s, t.len, CHARSET_MAX_PARTS, &sp), -EMSGSIZE);
	text_free(&t);

	assert_int_equal(charset_split("a", 1, 0, &sp), -EINVAL);
	assert_int_equal(charset_split("a", 1, CHARSET_MAX_PARTS + 1, &sp), -EINVAL);
	assert_int_equal(charset_split("a", 1, 1, NULL), -EINVAL);
}

static void test_empty(void **state)
{
	struct charset_split sp;
	uint8_t out[4];
	char dec[4] = "xyz";
	enum charset_enc enc;

	assert_int_equal(charset_split("", 0, 1, &sp), 1);
	assert_int_equal(sp.part[0].len, 0);
	assert_int_equal(charset_encode("", 0, out, sizeof(out), &enc), 0);
	assert_int_equal(enc, CHARSET_ENC_GSM7);
	assert_int_equal(charset_decode(CHARSET_DCS_UCS2, NULL, 0, dec, sizeof(dec)), 0);
	assert_string_equal(dec, "");
	assert_int_equal(charset_utf8_chars("", 0), 0);
}

static void test_encode_enospc(void **state)
{
	uint8_t out[8];
	enum charset_enc enc;

	assert_int_equal(charset_encode("hello", 5, out, 4, &enc), -ENOSPC);
	assert_int_equal(charset_encode("hello", 5, out, 5, &enc), 5);
	assert_int_equal(charset_encode("abc" EURO, 6, out, 4, &enc), -ENOSPC);
	assert_int_equal(charset_encode(ZH ZH, 6, out, 3, &enc), -ENOSPC);
	assert_int_equal(charset_encode(ZH ZH, 6, out, 4, &enc), 4);
	assert_int_equal(enc, CHARSET_ENC_UCS2);
	assert_int_equal(charset_encode(EMOJI, 4, out, 2, &enc), -ENOSPC);
	assert_int_equal(charset_encode("a\xff", 2, out, 3, &enc), -ENOSPC);
	assert_int_equal(charset_encode("a\xff", 2, out, 4, NULL), 4);
}

/* ---- invalid UTF-8 in outbound text ---- */

static void test_invalid_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t chars;
	} cases[] = {
		{ "a\xff" "b", 3 },
		{ "\xe4\xb8" "a", 2 },		/* truncated 3-octet sequence */
		{ "\xc0\xaf", 2 },		/* overlong '/' */
		{ "\xed\xa0\x80", 3 },		/* encoded surrogate */
		{ "\xf4\x90\x80\x80", 4 },	/* above U+10FFFF */
		{ "x\xf0\x9f\x98", 2 },		/* emoji cut short */
		{ "\x80\x80", 2 },		/* lone continuations */
	};
	unsigned i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		size_t len = strlen(cases[i].s);

		assert_false(charset_utf8_valid(cases[i].s, len));
		assert_false(charset_fits_gsm(cases[i].s, len));
		assert_int_equal(charset_utf8_chars(cases[i].s, len), cases[i].chars);
		assert_int_equal(charset_units(cases[i].s, len, CHARSET_ENC_UCS2),
				 cases[i].chars);
		assert_int_equal(charset_units(cases[i].s, len, CHARSET_ENC_GSM7), -EINVAL);
	}
	check_encode("a\xff" "b", 3, "\x00" "a\xff\xfd\x00" "b", 6, CHARSET_ENC_UCS2);
	check_encode("\xe4\xb8" "a" ZH, 6, "\xff\xfd\x00" "a" ZH_UCS2, 6, CHARSET_ENC_UCS2);
	check_encode("x\xf0\x9f\x98", 4, "\x00x\xff\xfd", 4, CHARSET_ENC_UCS2);
	assert_int_equal(charset_utf8_chars("a" EURO ZH EMOJI, 11), 4);
	/* the edges of the valid ranges, a NUL inside, nothing at all */
	assert_true(charset_utf8_valid("a" EURO ZH EMOJI, 11));
	assert_true(charset_utf8_valid("\xc2\x80\xdf\xbf\xe0\xa0\x80"
				       "\xed\x9f\xbf\xee\x80\x80"
				       "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 21));
	assert_true(charset_utf8_valid("a\0b", 3));
	assert_true(charset_utf8_valid(NULL, 0));
	assert_false(charset_utf8_valid(ZH, 2));	/* cut by len */
	assert_false(charset_utf8_valid("\xe0\x9f\xbf", 3)); /* overlong */
}

/* ---- decoding ---- */

static void test_decode_gsm_round_trip(void **state)
{
	static const uint8_t esc[] = { 0x0a, 0x14, 0x28, 0x29, 0x2f, 0x3c, 0x3d, 0x3e,
				       0x40, 0x65 };
	uint8_t in[256], again[512];
	char utf8[DECODE_CAP];
	enum charset_enc enc;
	size_t n = 0;
	unsigned i;
	int len;

	for (i = 0; i < 0x80; i++) {
		if (i != 0x1b)
			in[n++] = i;
	}
	for (i = 0; i < ARRAY_LEN(esc); i++) {
		in[n++] = 0x1b;
		in[n++] = esc[i];
	}
	len = charset_decode(CHARSET_DCS_DEFAULT, in, n, utf8, sizeof(utf8));
	assert_true(len > 0);
	assert_true(valid_utf8(utf8, len));
	assert_int_equal(charset_utf8_chars(utf8, len), 127 + ARRAY_LEN(esc));
	assert_true(charset_fits_gsm(utf8, len));
	assert_int_equal(charset_encode(utf8, len, again, sizeof(again), &enc), n);
	assert_int_equal(enc, CHARSET_ENC_GSM7);
	assert_memory_equal(in, again, n);

	check_decode(CHARSET_DCS_DEFAULT, "H\x00\x1b\x65\x1b\x0a\x0a", 7, "H@" EURO "\f\n");
}

static void test_decode_gsm_invalid(void **state)
{
	check_decode(CHARSET_DCS_DEFAULT, "\x1b\x1b", 2, REPL);
	check_decode(CHARSET_DCS_DEFAULT, "\x1b\x41z", 3, REPL "z");
	check_decode(CHARSET_DCS_DEFAULT, "a\x80\xff", 3, "a" REPL REPL);
	check_decode(CHARSET_DCS_DEFAULT, "a\x1b", 2, "a" REPL);
	check_decode(CHARSET_DCS_DEFAULT, "\x1b\xff" "b", 3, REPL "b");
}

static void test_decode_ucs2_invalid(void **state)
{
	check_decode(CHARSET_DCS_UCS2, "\x00\x41\x00", 3, "A" REPL);
	check_decode(CHARSET_DCS_UCS2, "\x00", 1, REPL);
	check_decode(CHARSET_DCS_UCS2, "\xd8\x3d\x00\x41", 4, REPL "A");
	check_decode(CHARSET_DCS_UCS2, "\xdc\x00\x00\x41", 4, REPL "A");
	check_decode(CHARSET_DCS_UCS2, "\x00\x41\xd8\x3d", 4, "A" REPL);
	check_decode(CHARSET_DCS_UCS2, "\xd8\x3d\xd8\x3d\xde\x00", 6, REPL EMOJI);
	check_decode(CHARSET_DCS_UCS2, "\xd8\x3d\xde", 3, REPL REPL);
	check_decode(CHARSET_DCS_UCS2, EMOJI_UCS2 ZH_UCS2, 6, EMOJI ZH);
}

static void test_decode_dcs(void **state)
{
	static const struct {
		uint8_t dcs;
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ 0x00, "\x40", 1, "\xc2\xa1" },	/* GSM ¡ */
		{ 0x01, "\x40", 1, "@" },		/* IA5, not the GSM group */
		{ 0x01, "Hi\x80", 3, "Hi" REPL },
		{ 0x02, "\x01\xab", 2, "01ab" },
		{ 0x03, "caf\xe9", 4, "caf\xc3\xa9" },
		{ 0x04, "\xff\x00", 2, "ff00" },
		{ 0x05, "\xe9", 1, "\xc3\xa9" },	/* SMPP JIS: tried as Latin-1 */
		{ 0x08, ZH_UCS2, 2, ZH },
		{ 0x0c, "\xe9", 1, "\xc3\xa9" },	/* SMPP reserved */
		{ 0x10, "\x00", 1, "@" },		/* general group: GSM, class 0 */
		{ 0x11, "\x00", 1, "@" },
		{ 0x14, "\x00\x7f", 2, "007f" },	/* general group: 8-bit */
		{ 0x18, ZH_UCS2, 2, ZH },		/* general group: UCS2 */
		{ 0x1c, "\xe9", 1, "\xc3\xa9" },	/* reserved alphabet */
		{ 0x30, "\x12", 1, "12" },		/* compressed */
		{ 0x48, ZH_UCS2, 2, ZH },		/* auto-deletion group, UCS2 */
		{ 0x80, "\xe9", 1, "\xc3\xa9" },	/* reserved group */
		{ 0xc0, "\x00", 1, "@" },		/* MWI discard */
		{ 0xd8, "\x00", 1, "@" },		/* MWI store */
		{ 0xe0, ZH_UCS2, 2, ZH },		/* MWI store, UCS2 */
		{ 0xf0, "\x00\x1b\x65", 3, "@" EURO },	/* class 0, GSM */
		{ 0xf1, "\x00", 1, "@" },
		{ 0xf4, "\x00\xfe", 2, "00fe" },	/* class 0, 8-bit */
		{ 0xf6, "\x9a", 1, "9a" },
		{ 0xff, "\xab", 1, "ab" },
	};
	unsigned i;

	for (i = 0; i < ARRAY_LEN(cases); i++)
		check_decode(cases[i].dcs, cases[i].in, cases[i].len, cases[i].want);
}

static void test_decode_nul_dropped(void **state)
{
	check_decode(CHARSET_DCS_LATIN1, "ab\0", 3, "ab");
	check_decode(CHARSET_DCS_IA5, "a\0b", 3, "ab");
	check_decode(CHARSET_DCS_UCS2, "\x00\x00\x00" "a", 4, "a");
	check_decode(CHARSET_DCS_BINARY, "\0", 1, "00");
}

static void test_decode_truncated(void **state)
{
	char out[16];

	memset(out, 'x', sizeof(out));
	assert_int_equal(charset_decode(CHARSET_DCS_UCS2, (const uint8_t *)ZH_UCS2 ZH_UCS2
					ZH_UCS2, 6, out, 7), 6);
	assert_string_equal(out, ZH ZH);
	assert_int_equal(charset_decode(CHARSET_DCS_UCS2, (const uint8_t *)ZH_UCS2 ZH_UCS2,
					4, out, 6), 3);
	assert_string_equal(out, ZH);
	assert_int_equal(charset_decode(CHARSET_DCS_UCS2, (const uint8_t *)EMOJI_UCS2, 4,
					out, 4), 0);
	assert_string_equal(out, "");
	assert_int_equal(charset_decode(CHARSET_DCS_DEFAULT, (const uint8_t *)"a\x1b\x65" "b", 4,
					out, 4), 1);
	assert_string_equal(out, "a");
	assert_int_equal(charset_decode(CHARSET_DCS_BINARY, (const uint8_t *)"\x01\x02\x03",
					3, out, 4), 2);
	assert_string_equal(out, "01");
	assert_int_equal(charset_decode(CHARSET_DCS_BINARY, (const uint8_t *)"\x01\x02\x03",
					3, out, 7), 6);
	assert_string_equal(out, "010203");
	assert_int_equal(charset_decode(CHARSET_DCS_LATIN1, (const uint8_t *)"abc", 3,
					out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(charset_decode(CHARSET_DCS_LATIN1, (const uint8_t *)"abc", 3,
					out, 0), -EINVAL);
	assert_int_equal(charset_decode(CHARSET_DCS_LATIN1, NULL, 3, out, 4), -EINVAL);
	assert_int_equal(charset_decode(CHARSET_DCS_LATIN1, (const uint8_t *)"a", 1,
					NULL, 4), -EINVAL);
}

/* ---- random sweep ---- */

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Random bytes biased towards UTF-8/UTF-16 lead and surrogate octets. */
static void random_bytes(uint8_t *buf, size_t n)
{
	static const uint8_t spicy[] = { 0x00, 0x1b, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xd8,
					 0xdb, 0xdc, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4,
					 0xf5, 0xff };
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = rng() % 2 ? spicy[rng() % ARRAY_LEN(spicy)] : rng() & 0xff;
}

static void test_random_decode(void **state)
{
	uint8_t in[600];
	char out[DECODE_CAP];
	unsigned round;

	for (round = 0; round < 20000; round++) {
		size_t len = rng() % sizeof(in), cap = 1 + rng() % 1200;
		uint8_t dcs = rng() & 0xff;
		int rc;

		random_bytes(in, len);
		rc = charset_decode(dcs, in, len, out, cap);
		assert_true(rc >= 0 && (size_t)rc < cap);
		assert_int_equal(out[rc], '\0');
		assert_int_equal(strlen(out), rc);
		assert_true(valid_utf8(out, rc));
	}
}

/* Random outbound text: split parts re-decode to as many characters as the
 * input had (each ill-formed subpart is one U+FFFD). */
static void test_random_split(void **state)
{
	uint8_t in[1200], joined[DECODE_CAP];
	char back[DECODE_CAP];
	struct charset_split sp;
	unsigned round, i;

	for (round = 0; round < 3000; round++) {
		size_t len = rng() % sizeof(in), n;
		int parts, rc;

		random_bytes(in, len);
		for (i = 0; i < len; i++)
			in[i] = in[i] ? in[i] : 'x';	/* NUL is dropped by decode */
		parts = charset_split((const char *)in, len, CHARSET_MAX_PARTS, &sp);
		if (parts == -EMSGSIZE)
			continue;
		assert_true(parts >= 1 && parts <= CHARSET_MAX_PARTS);
		n = split_concat(&sp, joined);
		for (i = 0; i < sp.n_parts; i++)
			assert_true(sp.part[i].len <= (sp.enc == CHARSET_ENC_GSM7 ?
					CHARSET_GSM_SINGLE : CHARSET_SMS_OCTETS));
		rc = charset_decode(sp.enc == CHARSET_ENC_GSM7 ? CHARSET_DCS_DEFAULT :
				    CHARSET_DCS_UCS2, joined, n, back, sizeof(back));
		assert_true(rc >= 0);
		assert_int_equal(charset_utf8_chars(back, rc),
				 charset_utf8_chars((const char *)in, len));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_gsm_specials),
		cmocka_unit_test(test_gsm_escapes),
		cmocka_unit_test(test_not_gsm),
		cmocka_unit_test(test_gsm_160_161),
		cmocka_unit_test(test_gsm_escape_at_cut),
		cmocka_unit_test(test_ucs2_70_71),
		cmocka_unit_test(test_ucs2_300_chars),
		cmocka_unit_test(test_surrogate_pair_at_cut),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_emsgsize),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_encode_enospc),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_decode_gsm_round_trip),
		cmocka_unit_test(test_decode_gsm_invalid),
		cmocka_unit_test(test_decode_ucs2_invalid),
		cmocka_unit_test(test_decode_dcs),
		cmocka_unit_test(test_decode_nul_dropped),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_random_decode),
		cmocka_unit_test(test_random_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
