/*
 * input.c - what a phone typed, read the same way by every channel: the
 * normalisation of a text (SMS, USSD answer) and the two arguments workers
 * type, a code of digits and a resident ID with a name.
 *
 * Workers type on feature phones and on smartphones with Chinese input
 * methods, which produce full-width letters and digits ("ｂｍ　２０３１"),
 * Chinese punctuation ("补贴，查询") and sometimes no space at all. A small
 * UTF-8 decoder walks the text, folds full-width ASCII to half-width and
 * Latin letters to upper case, and turns every separator (spaces of every
 * width, control characters, ASCII and CJK punctuation, invalid bytes) into
 * one space. Middle dots stay, because they are part of names written in
 * Chinese characters ("阿依古丽·买买提"). The question mark is kept as
 * well: "?" alone is a keyword of the SMS commands.
 *
 * Every buffer is fixed and every write bounded (fuzzed through
 * tests/fuzz/fuzz_command.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gateway/text/input.h"

#define INPUT_UTF8_MAX	4
#define INPUT_FW_FIRST	0xFF01	/* full-width '!' */
#define INPUT_FW_LAST	0xFF5E	/* full-width '~' */
#define INPUT_FW_OFFSET	0xFEE0	/* full-width minus half-width */
#define INPUT_CP_BAD	(-1)	/* an invalid UTF-8 byte */

/* ------------------------------------------------------------------ */
/* Normalisation                                                       */

/* Decode one code point at s (n > 0 bytes left). Returns the bytes used
 * (1 for an invalid byte, with *cp = INPUT_CP_BAD). Overlong forms,
 * surrogates and values beyond U+10FFFF are invalid. */
static size_t input_utf8_next(const unsigned char *s, size_t n, int32_t *cp)
{
	static const int32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	int32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, v = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, v = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, v = s[0] & 0x07;
	else
		goto bad;
	if (len > n)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = INPUT_CP_BAD;
	return 1;
}

static size_t input_utf8_put(int32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xC0 | (cp >> 6);
		out[1] = 0x80 | (cp & 0x3F);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xE0 | (cp >> 12);
		out[1] = 0x80 | ((cp >> 6) & 0x3F);
		out[2] = 0x80 | (cp & 0x3F);
		return 3;
	}
	out[0] = 0xF0 | (cp >> 18);
	out[1] = 0x80 | ((cp >> 12) & 0x3F);
	out[2] = 0x80 | ((cp >> 6) & 0x3F);
	out[3] = 0x80 | (cp & 0x3F);
	return 4;
}

/* Code point ranges that separate words (after full-width folding). */
static const struct { int32_t lo, hi; } input_sep_ranges[] = {
	{ 0x00, 0x20 },		/* controls and space */
	{ '!', '/' }, { ':', '>' }, { '@', '@' }, { '[', '`' }, { '{', 0x7F },
	{ 0x80, 0xA0 },		/* C1 controls, no-break space */
	{ 0xAD, 0xAD },		/* soft hyphen */
	{ 0x2000, 0x2021 },	/* spaces, dashes, quotes, daggers */
	{ 0x2023, 0x206F },	/* ellipsis ... invisible operators */
	{ 0x3000, 0x3003 },	/* ideographic space, 、 。 〃 */
	{ 0x3008, 0x3011 },	/* 〈〉《》「」『』【】 */
	{ 0x3014, 0x301F },	/* 〔〕 and other brackets, wave dash */
	{ 0xFE10, 0xFE19 },	/* vertical forms */
	{ 0xFE30, 0xFE4F },	/* CJK compatibility forms */
	{ 0xFE50, 0xFE6B },	/* small forms */
	{ 0xFEFF, 0xFEFF },	/* byte order mark */
	{ 0xFF5F, 0xFF65 },	/* half-width CJK punctuation */
	{ 0xFFF9, 0xFFFD },	/* specials, replacement character */
};

static bool input_is_sep(int32_t cp)
{
	size_t i;

	if (cp == INPUT_CP_BAD)
		return true;
	for (i = 0; i < sizeof(input_sep_ranges) / sizeof(input_sep_ranges[0]); i++)
		if (cp >= input_sep_ranges[i].lo && cp <= input_sep_ranges[i].hi)
			return true;
	return false;
}

/* One code point as the parser sees it: folded, upper case, or -1 for a
 * separator. */
static int32_t input_fold(int32_t cp)
{
	if (cp >= INPUT_FW_FIRST && cp <= INPUT_FW_LAST)
		cp -= INPUT_FW_OFFSET;
	if (input_is_sep(cp))
		return -1;
	if (cp >= 'a' && cp <= 'z')
		cp -= 'a' - 'A';
	return cp;
}

size_t input_normalise(const char *text, size_t len, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, o = 0;
	bool space = false;

	if (!cap)
		return 0;
	while (text && i < len) {
		char enc[INPUT_UTF8_MAX];
		int32_t cp;
		size_t n;

		i += input_utf8_next(s + i, len - i, &cp);
		cp = input_fold(cp);
		if (cp < 0) {
			space = o > 0;
			continue;
		}
		n = input_utf8_put(cp, enc);
		if (o + space + n >= cap)
			break;
		if (space)
			out[o++] = ' ';
		space = false;
		memcpy(out + o, enc, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

/* ------------------------------------------------------------------ */
/* Arguments                                                           */

#define INPUT_ID_LEN	18	/* resident ID: 17 digits + digit or X */

int input_digits(const char *s, char *out, size_t cap)
{
	size_t n;

	if (cap)
		out[0] = '\0';
	s += strcspn(s, "0123456789");
	n = strspn(s, "0123456789");
	if (!n)
		return -ENOENT;
	if (n >= cap)
		return -EINVAL;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* The first run of digits (with an X right after it) in s: *at, *len. */
static bool input_id_run(const char *s, const char **at, size_t *len)
{
	size_t n;

	s += strcspn(s, "0123456789");
	n = strspn(s, "0123456789");
	if (!n)
		return false;
	if (s[n] == 'X')
		n++;
	*at = s;
	*len = n;
	return true;
}

int input_id_name(const char *s, char *id, size_t id_cap, char *name,
			size_t name_cap)
{
	const char *at;
	size_t len, o = 0, i;

	if (id_cap)
		id[0] = '\0';
	if (name_cap)
		name[0] = '\0';
	if (!input_id_run(s, &at, &len))
		return -ENOENT;
	if (len != INPUT_ID_LEN || strspn(at, "0123456789") < INPUT_ID_LEN - 1 ||
	    id_cap <= INPUT_ID_LEN)
		return -EINVAL;
	memcpy(id, at, INPUT_ID_LEN);
	id[INPUT_ID_LEN] = '\0';
	/* the name: everything before and after the ID, without spaces */
	for (i = 0; s[i]; i++) {
		if (s + i == at) {
			i += len - 1;
			continue;
		}
		if (s[i] == ' ')
			continue;
		if (o + 1 >= name_cap)
			return -EMSGSIZE;
		name[o++] = s[i];
	}
	if (!o)
		return -ENODATA;
	name[o] = '\0';
	return 0;
}
