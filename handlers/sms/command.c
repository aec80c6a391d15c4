/*
 * command.c - read the command word and the argument of an SMS.
 *
 * Workers type on feature phones and on smartphones with Chinese input
 * methods, which produce full-width letters and digits ("ｂｍ　２０３１"),
 * Chinese punctuation ("补贴，查询") and sometimes no space at all
 * ("BM2031", "报名2031"). The text is therefore first normalised
 * (command_normalise): a small UTF-8 decoder walks it, folds full-width
 * ASCII to half-width and Latin letters to upper case, and turns every
 * separator (spaces of every width, control characters, ASCII and CJK
 * punctuation, invalid bytes) into one space. Middle dots stay, because
 * they are part of names written in Chinese characters ("阿依古丽·买买提").
 * The question mark is kept as well: "?" alone is a keyword.
 *
 * The first word is then looked up in cmd_keywords, the one keyword table:
 * first as a whole word, then as the longest keyword it starts with, where
 * a Latin keyword must not be followed by another Latin letter ("BM2031"
 * is BM with 2031, "BTT" is not BT). Unknown input gets a suggestion from
 * command_closest(): the Latin keyword at the smallest edit distance (with
 * transpositions) when one command alone is that near, or a Latin keyword
 * the word starts with ("REGISTER" -> REG), or else a Chinese keyword that
 * occurs anywhere in the text ("我想查补贴" -> 补贴).
 *
 * Every buffer is fixed and every write bounded: the parser is fuzzed
 * (tests/fuzz/fuzz_command.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "handlers/sms/command.h"

#define CMD_NORM_MAX	(COMMAND_WORD_MAX + COMMAND_ARG_MAX + 64)
#define CMD_DIST_WORD	16	/* longer words get no edit-distance guess */
#define CMD_DIST_KW	8	/* longest Latin keyword */
#define CMD_SHORT_KW	3	/* keywords up to this long allow 1 edit, else 2 */
#define CMD_PREFIX_MIN	3	/* "REGISTER" -> REG needs a keyword this long */
#define CMD_UTF8_MAX	4
#define CMD_FW_FIRST	0xFF01	/* full-width '!' */
#define CMD_FW_LAST	0xFF5E	/* full-width '~' */
#define CMD_FW_OFFSET	0xFEE0	/* full-width minus half-width */
#define CMD_CP_BAD	(-1)	/* an invalid UTF-8 byte */

struct cmd_keyword {
	const char *kw;		/* upper case, as normalised */
	enum command_id id;
};

/* The keywords of DESIGN.md. "ENROL" is the British spelling and "取消订阅"
 * (cancel subscription) is how many people write "stop": without it the
 * longest-prefix rule would read it as 取消 (cancel an enrolment). */
static const struct cmd_keyword cmd_keywords[] = {
	{ "BZ", COMMAND_HELP }, { "帮助", COMMAND_HELP },
	{ "HELP", COMMAND_HELP }, { "?", COMMAND_HELP },
	{ "ZC", COMMAND_REGISTER }, { "注册", COMMAND_REGISTER },
	{ "REG", COMMAND_REGISTER },
	{ "BT", COMMAND_SUBSIDY }, { "补贴", COMMAND_SUBSIDY },
	{ "SUBSIDY", COMMAND_SUBSIDY },
	{ "KC", COMMAND_COURSES }, { "课程", COMMAND_COURSES },
	{ "COURSES", COMMAND_COURSES },
	{ "BM", COMMAND_ENROL }, { "报名", COMMAND_ENROL },
	{ "ENROLL", COMMAND_ENROL }, { "ENROL", COMMAND_ENROL },
	{ "QX", COMMAND_CANCEL }, { "取消", COMMAND_CANCEL },
	{ "CANCEL", COMMAND_CANCEL },
	{ "DA", COMMAND_RECORD }, { "档案", COMMAND_RECORD },
	{ "WD", COMMAND_RECORD }, { "我的", COMMAND_RECORD },
	{ "RECORD", COMMAND_RECORD },
	{ "TD", COMMAND_STOP }, { "T", COMMAND_STOP },
	{ "退订", COMMAND_STOP }, { "STOP", COMMAND_STOP },
	{ "取消订阅", COMMAND_STOP },
	{ "DY", COMMAND_START }, { "订阅", COMMAND_START },
	{ "START", COMMAND_START },
};

#define CMD_N_KEYWORDS	(sizeof(cmd_keywords) / sizeof(cmd_keywords[0]))

static const struct {
	const char *name;
	const char *keyword;
} cmd_info[COMMAND_NUM] = {
	[COMMAND_UNKNOWN] = { "unknown", "" },
	[COMMAND_HELP] = { "help", "BZ" },
	[COMMAND_REGISTER] = { "register", "ZC" },
	[COMMAND_SUBSIDY] = { "subsidy", "BT" },
	[COMMAND_COURSES] = { "courses", "KC" },
	[COMMAND_ENROL] = { "enrol", "BM" },
	[COMMAND_CANCEL] = { "cancel", "QX" },
	[COMMAND_RECORD] = { "record", "DA" },
	[COMMAND_STOP] = { "stop", "TD" },
	[COMMAND_START] = { "start", "DY" },
};

const char *command_name(enum command_id id)
{
	return (unsigned)id < COMMAND_NUM ? cmd_info[id].name : "unknown";
}

const char *command_keyword(enum command_id id)
{
	return (unsigned)id < COMMAND_NUM ? cmd_info[id].keyword : "";
}

/* ------------------------------------------------------------------ */
/* Normalisation                                                       */

/* Decode one code point at s (n > 0 bytes left). Returns the bytes used
 * (1 for an invalid byte, with *cp = CMD_CP_BAD). Overlong forms,
 * surrogates and values beyond U+10FFFF are invalid. */
static size_t cmd_utf8_next(const unsigned char *s, size_t n, int32_t *cp)
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
	*cp = CMD_CP_BAD;
	return 1;
}

static size_t cmd_utf8_put(int32_t cp, char *out)
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
static const struct { int32_t lo, hi; } cmd_sep_ranges[] = {
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

static bool cmd_is_sep(int32_t cp)
{
	size_t i;

	if (cp == CMD_CP_BAD)
		return true;
	for (i = 0; i < sizeof(cmd_sep_ranges) / sizeof(cmd_sep_ranges[0]); i++)
		if (cp >= cmd_sep_ranges[i].lo && cp <= cmd_sep_ranges[i].hi)
			return true;
	return false;
}

/* One code point as the parser sees it: folded, upper case, or -1 for a
 * separator. */
static int32_t cmd_fold(int32_t cp)
{
	if (cp >= CMD_FW_FIRST && cp <= CMD_FW_LAST)
		cp -= CMD_FW_OFFSET;
	if (cmd_is_sep(cp))
		return -1;
	if (cp >= 'a' && cp <= 'z')
		cp -= 'a' - 'A';
	return cp;
}

size_t command_normalise(const char *text, size_t len, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, o = 0;
	bool space = false;

	if (!cap)
		return 0;
	while (text && i < len) {
		char enc[CMD_UTF8_MAX];
		int32_t cp;
		size_t n;

		i += cmd_utf8_next(s + i, len - i, &cp);
		cp = cmd_fold(cp);
		if (cp < 0) {
			space = o > 0;
			continue;
		}
		n = cmd_utf8_put(cp, enc);
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
/* Keywords                                                            */

static bool cmd_is_latin(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < 'A' || *s > 'Z')
			return false;
	return true;
}

static const struct cmd_keyword *cmd_exact(const char *word)
{
	size_t i;

	for (i = 0; i < CMD_N_KEYWORDS; i++)
		if (!strcmp(word, cmd_keywords[i].kw))
			return &cmd_keywords[i];
	return NULL;
}

/* The longest keyword that word starts with and that is glued to what
 * follows in an acceptable way (see the file comment). */
static const struct cmd_keyword *cmd_prefix(const char *word)
{
	const struct cmd_keyword *best = NULL;
	size_t i, best_len = 0;

	for (i = 0; i < CMD_N_KEYWORDS; i++) {
		const char *kw = cmd_keywords[i].kw;
		size_t n = strlen(kw);
		char next = word[n];

		if (n <= best_len || strncmp(word, kw, n) || !next)
			continue;
		if (cmd_is_latin(kw) && next >= 'A' && next <= 'Z')
			continue;
		best = &cmd_keywords[i];
		best_len = n;
	}
	return best;
}

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions) of two short upper-case words. */
static unsigned cmd_distance(const char *a, const char *b)
{
	unsigned d[CMD_DIST_WORD + 1][CMD_DIST_KW + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > CMD_DIST_WORD || lb > CMD_DIST_KW)
		return UINT32_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The Latin keyword nearest to word when one command alone is nearest. */
static const struct cmd_keyword *cmd_nearest_latin(const char *word)
{
	const struct cmd_keyword *best = NULL;
	unsigned best_d = UINT32_MAX;
	bool tie = false;
	size_t i;

	if (strlen(word) < 2 || strlen(word) > CMD_DIST_WORD)
		return NULL;
	for (i = 0; i < CMD_N_KEYWORDS; i++) {
		const struct cmd_keyword *k = &cmd_keywords[i];
		size_t n = strlen(k->kw);
		unsigned d;

		if (!cmd_is_latin(k->kw) || n < 2)
			continue;
		d = cmd_distance(word, k->kw);
		if (d > (n <= CMD_SHORT_KW ? 1u : 2u))
			continue;
		if (d < best_d) {
			best = k, best_d = d, tie = false;
		} else if (d == best_d && k->id != best->id) {
			tie = true;
		}
	}
	return tie ? NULL : best;
}

/* The longest Latin keyword of at least CMD_PREFIX_MIN letters that word
 * starts with ("REGISTER" -> REG, "HELPME" -> HELP). */
static const struct cmd_keyword *cmd_latin_prefix(const char *word)
{
	const struct cmd_keyword *best = NULL;
	size_t i, best_len = 0;

	for (i = 0; i < CMD_N_KEYWORDS; i++) {
		const char *kw = cmd_keywords[i].kw;
		size_t n = strlen(kw);

		if (n >= CMD_PREFIX_MIN && n > best_len && cmd_is_latin(kw) &&
		    !strncmp(word, kw, n)) {
			best = &cmd_keywords[i];
			best_len = n;
		}
	}
	return best;
}

/* The Chinese keyword that occurs first in text. */
static const struct cmd_keyword *cmd_contained(const char *text)
{
	const struct cmd_keyword *best = NULL;
	const char *best_at = NULL;
	size_t i;

	for (i = 0; i < CMD_N_KEYWORDS; i++) {
		const char *kw = cmd_keywords[i].kw;
		const char *at;

		if ((unsigned char)kw[0] < 0x80)
			continue;
		at = strstr(text, kw);
		if (at && (!best_at || at < best_at ||
			   (at == best_at && strlen(kw) > strlen(best->kw)))) {
			best = &cmd_keywords[i];
			best_at = at;
		}
	}
	return best;
}

const char *command_closest(const char *word, enum command_id *id)
{
	const struct cmd_keyword *k = NULL;

	if (cmd_is_latin(word)) {
		k = cmd_nearest_latin(word);
		if (!k)
			k = cmd_latin_prefix(word);
	}
	if (!k)
		k = cmd_contained(word);
	if (id)
		*id = k ? k->id : COMMAND_UNKNOWN;
	return k ? k->kw : NULL;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

/* Copy s (normalised text) to out (cap bytes) with '?' read as a space,
 * runs of spaces as one, no space at either end, whole characters only. */
static void cmd_tidy(const char *s, char *out, size_t cap)
{
	size_t o = 0, n;
	bool space = false;

	for (; *s; s += n) {
		n = 1;
		if (*s == ' ' || *s == '?') {
			space = o > 0;
			continue;
		}
		while (((unsigned char)s[n] & 0xC0) == 0x80)
			n++;
		if (o + space + n >= cap)
			break;
		if (space)
			out[o++] = ' ';
		space = false;
		memcpy(out + o, s, n);
		o += n;
	}
	out[o] = '\0';
}

/* Copy the first n bytes of s (ending at a character boundary) to out. */
static void cmd_copy(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

void command_parse(const char *text, size_t len, struct command *out)
{
	char norm[CMD_NORM_MAX], rest[CMD_NORM_MAX];
	const struct cmd_keyword *k;
	size_t n;

	memset(out, 0, sizeof(*out));
	command_normalise(text, len, norm, sizeof(norm));
	n = norm[0] == '?' ? 1 : strcspn(norm, " ?");
	cmd_copy(out->word, sizeof(out->word), norm, n);

	k = cmd_exact(out->word);
	if (k) {
		cmd_tidy(norm + n, out->arg, sizeof(out->arg));
	} else if ((k = cmd_prefix(out->word))) {
		size_t kl = strlen(k->kw);

		/* the glued rest of the word, then the other words */
		snprintf(rest, sizeof(rest), "%.*s %s", (int)(n - kl),
			 norm + kl, norm + n);
		cmd_tidy(rest, out->arg, sizeof(out->arg));
	}
	if (k) {
		out->id = k->id;
		return;
	}
	cmd_tidy(norm + n, out->arg, sizeof(out->arg));
	out->near_keyword = command_closest(out->word, &out->near);
	if (!out->near_keyword)
		out->near_keyword = command_closest(norm, &out->near);
}

/* ------------------------------------------------------------------ */
/* Arguments                                                           */

#define CMD_ID_LEN	18	/* resident ID: 17 digits + digit or X */

int command_arg_digits(const char *s, char *out, size_t cap)
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
static bool cmd_id_run(const char *s, const char **at, size_t *len)
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

int command_arg_id_name(const char *s, char *id, size_t id_cap, char *name,
			size_t name_cap)
{
	const char *at;
	size_t len, o = 0, i;

	if (id_cap)
		id[0] = '\0';
	if (name_cap)
		name[0] = '\0';
	if (!cmd_id_run(s, &at, &len))
		return -ENOENT;
	if (len != CMD_ID_LEN || strspn(at, "0123456789") < CMD_ID_LEN - 1 ||
	    id_cap <= CMD_ID_LEN)
		return -EINVAL;
	memcpy(id, at, CMD_ID_LEN);
	id[CMD_ID_LEN] = '\0';
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
