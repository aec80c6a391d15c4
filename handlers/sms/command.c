/*
 * command.c - read the command word and the argument of an SMS.
 *
 * Workers type on feature phones and on smartphones with Chinese input
 * methods, which produce full-width letters and digits ("ｂｍ　２０３１"),
 * Chinese punctuation ("补贴，查询") and sometimes no space at all
 * ("BM2031", "报名2031"). The text is therefore first normalised
 * (input_normalise, gateway/text/input.h): full-width folded, upper case,
 * every separator one space; "?" is kept, as it alone is a keyword.
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

#include "gateway/text/input.h"
#include "handlers/sms/command.h"

#define CMD_NORM_MAX	(COMMAND_WORD_MAX + COMMAND_ARG_MAX + 64)
#define CMD_DIST_WORD	16	/* longer words get no edit-distance guess */
#define CMD_DIST_KW	8	/* longest Latin keyword */
#define CMD_SHORT_KW	3	/* keywords up to this long allow 1 edit, else 2 */
#define CMD_PREFIX_MIN	3	/* "REGISTER" -> REG needs a keyword this long */

struct cmd_keyword {
	const char *kw;		/* upper case, as normalised */
	enum command_id id;
};

/* The keywords of the SMS commands (README, "SMS commands"). "ENROL" is the British spelling and "取消订阅"
 * (cancel subscription) is how many people write "stop": without it the
 * longest-prefix rule would read it as 取消 (cancel an enrolment). The
 * answers to the training-quality questions: QD 签到 到课 (the code of
 * the day), PJ 评价 评分 (a score 1-5), JY 就业 (1, 2 or 3). */
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
	{ "QD", COMMAND_CHECKIN }, { "签到", COMMAND_CHECKIN },
	{ "到课", COMMAND_CHECKIN }, { "CHECKIN", COMMAND_CHECKIN },
	{ "PJ", COMMAND_RATE }, { "评价", COMMAND_RATE },
	{ "评分", COMMAND_RATE }, { "RATE", COMMAND_RATE },
	{ "JY", COMMAND_EMPLOYMENT }, { "就业", COMMAND_EMPLOYMENT },
	{ "JOB", COMMAND_EMPLOYMENT },
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
	[COMMAND_CHECKIN] = { "checkin", "QD" },
	[COMMAND_RATE] = { "rate", "PJ" },
	[COMMAND_EMPLOYMENT] = { "employment", "JY" },
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
	input_normalise(text, len, norm, sizeof(norm));
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
