/*
 * codes.c - the code lists with their Chinese words, loaded from the
 * glossary file, and lookups in both directions (see codes.h).
 *
 * The codes themselves are fixed here: they are what the schema's CHECK
 * constraints allow. Their words (the label people read, the aliases a
 * spreadsheet may use) come from conf/glossary.conf, read once at start
 * with libconfig and checked in full: every code of a list once, a label
 * of at most TEXTS_LABEL_CHARS characters, no word that two entries of one
 * list share (an import could not tell them apart). Every problem is
 * reported as "FILE:LINE: glossary.LIST[.CODE]: reason".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>
#include <talloc.h>

#include "gateway/text/fmt.h"
#include "gateway/text/texts.h"
#include "handlers/domain/codes.h"

#define CODES_LIST_MAX		16	/* entries of the longest list */
#define CODES_WORDS_MAX		8	/* label and aliases of one entry */
#define CODES_MSG_MAX		256
#define CODES_STR_(x)		#x
#define CODES_STR(x)		CODES_STR_(x)

/* The codes are the schema's (CHECK constraints); their words come from
 * the glossary file. An entry's label and aliases stay NULL until then. */
#define CODES_TABLE(name, what_, key_, ...)				\
	static struct codes_entry name##_e[] = { __VA_ARGS__ };	\
	const struct codes_table name = {				\
		.what = what_, .key = key_, .e = name##_e,		\
		.n = sizeof(name##_e) / sizeof(name##_e[0]),		\
	}
#define C(code)	{ code, NULL, NULL }

CODES_TABLE(codes_key_group, "key group", "key_group",
	C("graduate"), C("migrant"), C("unemployed"), C("transfer"),
	C("veteran"), C("farmer"), C("poverty"), C("lowincome"),
	C("disabled"), C("school_leaver"), C("employee"));
CODES_TABLE(codes_training_type, "training type", "training_type",
	C("employment"), C("upgrade"), C("entrepreneurship"),
	C("apprentice"), C("pre_employment"));
CODES_TABLE(codes_cert_kind, "certificate kind", "cert_kind",
	C("qualification"), C("skill_level"), C("special_ability"),
	C("completion"));
CODES_TABLE(codes_subsidy_kind, "subsidy kind", "subsidy_kind",
	C("training"), C("appraisal"), C("living"), C("entrepreneurship"));
CODES_TABLE(codes_subsidy_status, "subsidy status", "subsidy_status",
	C("received"), C("reviewing"), C("approved"), C("paid"),
	C("rejected"));
CODES_TABLE(codes_course_status, "course status", "course_status",
	C("open"), C("closed"), C("cancelled"), C("finished"));
CODES_TABLE(codes_enrol_status, "enrolment status", "enrol_status",
	C("enrolled"), C("cancelled"), C("completed"));
CODES_TABLE(codes_result, "result", "result", C("passed"), C("failed"));
CODES_TABLE(codes_channel, "channel", "channel",
	C("sms"), C("ussd"), C("import"));
/* levels are numbers: entry i is level i + 1, its code the digit */
CODES_TABLE(codes_level_table, "skill level", "level",
	C("1"), C("2"), C("3"), C("4"), C("5"));

#undef C

static const struct codes_table *const codes_all[] = {
	&codes_key_group, &codes_training_type, &codes_level_table,
	&codes_cert_kind, &codes_subsidy_kind, &codes_subsidy_status,
	&codes_course_status, &codes_enrol_status, &codes_result,
	&codes_channel,
};

/* Is text (len bytes) one of the '|'-separated labels? */
static bool codes_in_list(const char *labels, const char *text, size_t len)
{
	const char *p = labels, *bar;

	for (;;) {
		bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == len && !memcmp(p, text, len))
			return true;
		if (!bar)
			return false;
		p = bar + 1;
	}
}

/* Is text (len bytes) the label or an alias of e? */
static bool codes_is_label(const struct codes_entry *e, const char *text,
			   size_t len)
{
	return (e->label && strlen(e->label) == len &&
		!memcmp(e->label, text, len)) ||
	       (e->aliases && codes_in_list(e->aliases, text, len));
}

/* codes_find on the first len bytes of text */
static const char *codes_find_n(const struct codes_table *t, const char *text,
				size_t len)
{
	unsigned i;

	for (i = 0; i < t->n; i++) {
		if ((strlen(t->e[i].code) == len &&
		     !strncasecmp(t->e[i].code, text, len)) ||
		    codes_is_label(&t->e[i], text, len))
			return t->e[i].code;
	}
	return NULL;
}

const char *codes_find(const struct codes_table *t, const char *text)
{
	return text ? codes_find_n(t, text, strlen(text)) : NULL;
}

const char *codes_label(const struct codes_table *t, const char *code)
{
	unsigned i;

	for (i = 0; code && i < t->n; i++)
		if (!strcmp(t->e[i].code, code))
			return t->e[i].label;
	return NULL;
}

int codes_level(const char *text)
{
	int l;

	if (!text)
		return -1;
	if (text[0] >= '1' && text[0] <= '5' && !text[1])
		return text[0] - '0';
	for (l = CODES_LEVEL_MIN; l <= CODES_LEVEL_MAX; l++)
		if (codes_is_label(&codes_level_table.e[l - 1], text,
				   strlen(text)))
			return l;
	return -1;
}

const char *codes_level_label(int level)
{
	if (level < CODES_LEVEL_MIN || level > CODES_LEVEL_MAX)
		return NULL;
	return codes_level_table.e[level - 1].label;
}

/* Length of the separator at p (ASCII or a Chinese comma/semicolon), 0 if
 * there is none. */
static size_t codes_sep(const char *p)
{
	static const char *const wide[] = { "、", "，", "；", "　" };
	size_t i;

	if (*p && strchr(",;| \t\r\n", *p))	/* a line break: Alt+Enter */
		return 1;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (!strncmp(p, wide[i], strlen(wide[i])))
			return strlen(wide[i]);
	return 0;
}

int codes_key_groups(const char *text, char *out, size_t cap, char *bad,
		     size_t bad_cap)
{
	bool have[32] = { false };
	const char *p = text ? text : "", *code;
	size_t n, len = 0;
	unsigned i;

	while (*p) {
		if ((n = codes_sep(p))) {
			p += n;
			continue;
		}
		for (n = 0; p[n] && !codes_sep(p + n); n++)
			;
		code = codes_find_n(&codes_key_group, p, n);
		if (!code) {
			if (bad)
				snprintf(bad, bad_cap, "%.*s", (int)n, p);
			return -EINVAL;
		}
		for (i = 0; strcmp(codes_key_group.e[i].code, code); i++)
			;
		have[i] = true;
		p += n;
	}
	if (cap)
		out[0] = '\0';
	for (i = 0; i < codes_key_group.n; i++) {
		if (!have[i])
			continue;
		n = snprintf(out + len, cap - len, "%s%s", len ? "," : "",
			     codes_key_group.e[i].code);
		if (len + n >= cap)
			return -ENOSPC;
		len += n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Loading the glossary                                                */

struct codes_load {
	const char *file;
	FILE *err;
	int n_err;
	void *ctx;
};

static void codes_report(struct codes_load *ld, const config_setting_t *s,
			 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void codes_report(struct codes_load *ld, const config_setting_t *s,
			 const char *fmt, ...)
{
	char msg[CODES_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ld->n_err++;
	if (ld->err)
		fprintf(ld->err, "%s:%u: %s\n", ld->file,
			s ? config_setting_source_line(s) : 0, msg);
}

static struct codes_entry *codes_entry_of(const struct codes_table *t,
					  const char *code)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].code, code))
			return &t->e[i];
	return NULL;
}

/* A word fit for a list: non-empty, valid UTF-8 without '|', and not
 * already a word of another entry of the list. */
static const char *codes_word_problem(const struct codes_table *t,
				      const struct codes_entry *self,
				      const char *w)
{
	unsigned i;

	if (!*w || fmt_utf8_chars(w) < 0 || strchr(w, '|'))
		return "must be text without '|'";
	for (i = 0; i < t->n; i++)
		if (&t->e[i] != self && codes_is_label(&t->e[i], w, strlen(w)))
			return "is already a word of another entry";
	return NULL;
}

/* The aliases of entry s (elements 2..) as one '|'-separated string. */
static int codes_read_aliases(struct codes_load *ld,
			      const struct codes_table *t,
			      const config_setting_t *s, struct codes_entry *e)
{
	char *all = NULL;
	int i, n = config_setting_length(s);

	for (i = 2; i < n; i++) {
		const char *w = config_setting_get_string_elem(s, i);
		const char *why = w ? codes_word_problem(t, e, w) : "must be a string";

		if (why) {
			codes_report(ld, s, "glossary.%s.%s: alias %d %s",
				     t->key, e->code, i - 1, why);
			continue;
		}
		all = all ? talloc_asprintf_append(all, "|%s", w) :
			    talloc_strdup(ld->ctx, w);
		if (!all)
			return -ENOMEM;
	}
	e->aliases = all;
	return 0;
}

/* One entry [ "code", "label", "alias" ... ]. */
static int codes_read_entry(struct codes_load *ld, const struct codes_table *t,
			    const config_setting_t *s)
{
	const char *code = config_setting_get_string_elem(s, 0);
	const char *label = config_setting_get_string_elem(s, 1);
	struct codes_entry *e = code ? codes_entry_of(t, code) : NULL;
	const char *why;

	if (!config_setting_is_array(s) || !code || !label) {
		codes_report(ld, s, "glossary.%s: an entry is [ \"code\", "
			     "\"label\", \"alias\" ... ]", t->key);
		return 0;
	}
	if (!e) {
		codes_report(ld, s, "glossary.%s: unknown code '%s'", t->key,
			     code);
		return 0;
	}
	if (e->label) {
		codes_report(ld, s, "glossary.%s.%s: listed twice", t->key, code);
		return 0;
	}
	why = codes_word_problem(t, e, label);
	if (!why && fmt_utf8_chars(label) > TEXTS_LABEL_CHARS)
		why = "is longer than " CODES_STR(TEXTS_LABEL_CHARS) " characters";
	if (why) {
		codes_report(ld, s, "glossary.%s.%s: label %s", t->key, code, why);
		e->label = "";	/* listed: not "no label" again below */
		return 0;
	}
	e->label = talloc_strdup(ld->ctx, label);
	return e->label ? codes_read_aliases(ld, t, s, e) : -ENOMEM;
}

static int codes_read_list(struct codes_load *ld, const config_setting_t *root,
			   const struct codes_table *t)
{
	const config_setting_t *s = config_setting_get_member(root, t->key);
	unsigned i;
	int k, rc;

	if (!s || !config_setting_is_list(s)) {
		codes_report(ld, s ? s : root, "glossary.%s: missing: a list "
			     "( [ \"code\", \"label\" ], ... )", t->key);
		return 0;
	}
	for (k = 0; k < config_setting_length(s); k++) {
		rc = codes_read_entry(ld, t, config_setting_get_elem(s, k));
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < t->n; i++)
		if (!t->e[i].label)
			codes_report(ld, s, "glossary.%s.%s: no label", t->key,
				     t->e[i].code);
	return 0;
}

/* The words now loaded (a talloc context), NULL when none. */
static void *codes_words;

void codes_unload(void)
{
	size_t l;
	unsigned i;

	for (l = 0; l < sizeof(codes_all) / sizeof(codes_all[0]); l++)
		for (i = 0; i < codes_all[l]->n; i++)
			codes_all[l]->e[i].label = codes_all[l]->e[i].aliases = NULL;
	TALLOC_FREE(codes_words);
}

int codes_load(const char *path, FILE *err)
{
	struct codes_load ld = { .file = path, .err = err };
	config_t cf;
	size_t l;
	int rc = 0;

	codes_unload();
	config_init(&cf);
	if (!config_read_file(&cf, path)) {
		if (err)
			fprintf(err, "%s:%d: %s\n", path, config_error_line(&cf),
				config_error_text(&cf));
		config_destroy(&cf);
		return 1;
	}
	/* process-wide words: not under a caller's context that may go */
	codes_words = ld.ctx = talloc_named_const(NULL, 0, "glossary");
	for (l = 0; rc == 0 && l < sizeof(codes_all) / sizeof(codes_all[0]); l++)
		rc = codes_read_list(&ld, config_root_setting(&cf), codes_all[l]);
	config_destroy(&cf);
	if (rc < 0 || !ld.ctx)
		ld.n_err++;
	if (ld.n_err)
		codes_unload();
	return ld.n_err;
}
