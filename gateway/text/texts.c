/*
 * texts.c - load, check and render the texts of conf/messages.conf.
 *
 * tx_defs is the one table of texts: the key in the file, what kind of text
 * it is and which placeholders it may use. Loading reads the file with
 * libconfig, reports every key that is missing, unknown or not a string,
 * then checks each text: braces must form placeholders ("{name}"), every
 * placeholder must be one the key allows (a handler fills only those), and
 * the text must fit: a whole reply (TK_REPLY) is rendered with long sample
 * values (tx_samples; {signature} and {hotline} as configured) and must take
 * at most TEXTS_REPLY_PARTS SMS parts, a part of a reply (TK_PART: a list
 * line, a warning) at most one. (The labels filled into them, "已发放",
 * "高级工", are the glossary's: conf/glossary.conf.) A list head must
 * also leave room, in commands.list_parts parts, for one line and the
 * "more" note. Errors are collected (tmpl_report) and printed sorted by
 * line, in the format of config.c: "FILE:LINE: texts.KEY: reason".
 *
 * Rendering (tmpl_render, one pass over the text) replaces a placeholder
 * by the caller's value, else the default (signature, hotline), else
 * nothing. Values are never scanned for placeholders, so a name from the
 * roster cannot inject one.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>
#include <osmocom/core/talloc.h>

#include "gateway/text/charset.h"
#include "gateway/text/texts.h"
#include "gateway/text/tmpl.h"

#define TX_GROUP	"texts"
#define TX_PATH_MAX	128	/* a key path below "texts" */
#define TX_SAMPLE_MAX	128	/* bytes of one sample value */
#define TX_NEWLINE	"\n"	/* between the lines of a list */

enum tx_kind {
	TK_REPLY,	/* a whole reply: TEXTS_REPLY_PARTS parts */
	TK_HEAD,	/* a list head: a reply, and room for a line */
	TK_PART,	/* a line of a list, a warning: one part */
};

struct tx_def {
	const char *key;	/* path below "texts" */
	enum tx_kind kind;
	const char *allowed;	/* placeholders, space-separated */
	enum texts_id line;	/* TK_HEAD: the line of its list */
	enum texts_id more;	/* TK_HEAD: the note of a cut list */
};

#define SH "signature hotline"
/* what a notification may say about a subsidy, a course */
#define NOTIFY_SUBSIDY "name kind subject amount date"
#define NOTIFY_COURSE "name course code date start end institution"
/* what a question of training quality may say about its course */
#define QUALITY_COURSE "name course code institution start end"

static const struct tx_def tx_defs[TX_NUM] = {
	[TX_HELP] = { "help", TK_REPLY, SH },
	[TX_HELP_UNBOUND] = { "help_unbound", TK_REPLY, SH },
	[TX_UNKNOWN] = { "unknown", TK_REPLY, SH },
	[TX_UNKNOWN_NEAR] = { "unknown_near", TK_REPLY, SH " keyword" },
	[TX_NOT_REGISTERED] = { "not_registered", TK_REPLY, SH },
	[TX_ERROR] = { "error", TK_REPLY, SH },
	[TX_RATE_LIMITED] = { "rate_limited", TK_REPLY, SH " minutes" },
	[TX_REG_USAGE] = { "reg_usage", TK_REPLY, SH },
	[TX_REG_BAD_ID] = { "reg_bad_id", TK_REPLY, SH },
	[TX_REG_OK] = { "reg_ok", TK_REPLY, SH " name id" },
	[TX_REG_ALREADY] = { "reg_already", TK_REPLY, SH " name id" },
	[TX_REG_MISMATCH] = { "reg_mismatch", TK_REPLY, SH " left" },
	[TX_REG_TAKEN] = { "reg_taken", TK_REPLY, SH " left" },
	[TX_REG_LOCKED] = { "reg_locked", TK_REPLY, SH },
	[TX_SUBSIDY_NONE] = { "subsidy_none", TK_REPLY, SH " name" },
	[TX_SUBSIDY_HEAD] = { "subsidy_head", TK_HEAD, SH " name count",
			      TX_SUBSIDY_ITEM_REJECTED, TX_LIST_MORE },
	[TX_COURSES_NONE] = { "courses_none", TK_REPLY, SH " filter" },
	[TX_COURSES_HEAD] = { "courses_head", TK_HEAD, SH " count filter",
			      TX_COURSE_ITEM, TX_COURSES_MORE },
	[TX_ENROL_USAGE] = { "enrol_usage", TK_REPLY, SH },
	[TX_ENROL_OK] = { "enrol_ok", TK_REPLY,
			  SH " name course code level start end institution"
			  " amount warning" },
	[TX_ENROL_FULL] = { "enrol_full", TK_REPLY, SH " course code" },
	[TX_ENROL_CLOSED] = { "enrol_closed", TK_REPLY,
			      SH " course code date" },
	[TX_ENROL_DUP] = { "enrol_dup", TK_REPLY, SH " course code start" },
	[TX_ENROL_UNKNOWN] = { "enrol_unknown", TK_REPLY, SH " code" },
	[TX_CANCEL_USAGE] = { "cancel_usage", TK_REPLY, SH },
	[TX_CANCEL_OK] = { "cancel_ok", TK_REPLY, SH " course code" },
	[TX_CANCEL_NONE] = { "cancel_none", TK_REPLY, SH " code" },
	[TX_CANCEL_STARTED] = { "cancel_started", TK_REPLY,
				SH " course code date" },
	[TX_RECORD_NONE] = { "record_none", TK_REPLY, SH " name" },
	[TX_RECORD_HEAD] = { "record_head", TK_HEAD, SH " name count",
			     TX_RECORD_ITEM, TX_LIST_MORE },
	[TX_OPTOUT_OK] = { "optout_ok", TK_REPLY, SH },
	[TX_OPTIN_OK] = { "optin_ok", TK_REPLY, SH },
	[TX_OPT_UNBOUND] = { "opt_unbound", TK_REPLY, SH },
	[TX_NOTIFY_SUBSIDY_APPROVED] = { "notify.subsidy_approved", TK_REPLY,
					 SH " " NOTIFY_SUBSIDY },
	[TX_NOTIFY_SUBSIDY_PAID] = { "notify.subsidy_paid", TK_REPLY,
				     SH " " NOTIFY_SUBSIDY },
	[TX_NOTIFY_SUBSIDY_REJECTED] = { "notify.subsidy_rejected", TK_REPLY,
					 SH " " NOTIFY_SUBSIDY " reason" },
	[TX_NOTIFY_COURSE_CANCELLED] = { "notify.course_cancelled", TK_REPLY,
					 SH " " NOTIFY_COURSE },
	[TX_NOTIFY_COURSE_CLOSED] = { "notify.course_closed", TK_REPLY,
				      SH " " NOTIFY_COURSE },
	[TX_NOTIFY_COURSE_CHANGED] = { "notify.course_changed", TK_REPLY,
				       SH " " NOTIFY_COURSE },
	[TX_NOTIFY_ENROL_CANCELLED] = { "notify.enrolment_cancelled",
					TK_REPLY, SH " " NOTIFY_COURSE },
	[TX_NOTIFY_REMINDER] = { "notify.reminder", TK_REPLY,
				 SH " " NOTIFY_COURSE },
	[TX_QUALITY_ATTENDANCE] = { "quality.attendance", TK_REPLY,
				    SH " " QUALITY_COURSE " date until checkcode" },
	[TX_QUALITY_SURVEY] = { "quality.survey", TK_REPLY,
				SH " " QUALITY_COURSE },
	[TX_QUALITY_EMPLOYMENT] = { "quality.employment", TK_REPLY,
				    SH " " QUALITY_COURSE " months" },
	[TX_CHECKIN_USAGE] = { "checkin_usage", TK_REPLY, SH },
	[TX_CHECKIN_OK] = { "checkin_ok", TK_REPLY,
			    SH " name course code date" },
	[TX_CHECKIN_AGAIN] = { "checkin_again", TK_REPLY,
			       SH " course code date" },
	[TX_CHECKIN_WRONG] = { "checkin_wrong", TK_REPLY, SH },
	[TX_CHECKIN_LATE] = { "checkin_late", TK_REPLY,
			      SH " course code date until" },
	[TX_CHECKIN_NONE] = { "checkin_none", TK_REPLY, SH },
	[TX_RATE_USAGE] = { "rate_usage", TK_REPLY, SH " course code" },
	[TX_RATE_OK] = { "rate_ok", TK_REPLY, SH " course code score" },
	[TX_RATE_CHANGED] = { "rate_changed", TK_REPLY,
			      SH " course code score" },
	[TX_RATE_CLOSED] = { "rate_closed", TK_REPLY, SH " course code days" },
	[TX_RATE_NONE] = { "rate_none", TK_REPLY, SH },
	[TX_EMPLOYMENT_USAGE] = { "employment_usage", TK_REPLY, SH },
	[TX_EMPLOYMENT_EMPLOYED] = { "employment_employed", TK_REPLY,
				     SH " course code" },
	[TX_EMPLOYMENT_BUSINESS] = { "employment_business", TK_REPLY,
				     SH " course code" },
	[TX_EMPLOYMENT_SEEKING] = { "employment_seeking", TK_REPLY,
				    SH " course code" },
	[TX_EMPLOYMENT_CLOSED] = { "employment_closed", TK_REPLY,
				   SH " course code days" },
	[TX_EMPLOYMENT_NONE] = { "employment_none", TK_REPLY, SH },
	[TX_ENROL_WARN_YEAR] = { "enrol_warn_year", TK_PART, "count" },
	[TX_ENROL_WARN_SAME] = { "enrol_warn_same", TK_PART,
				 "occupation level" },
	[TX_SUBSIDY_ITEM] = { "subsidy_item", TK_PART,
			      "kind course amount status date" },
	[TX_SUBSIDY_ITEM_REJECTED] = { "subsidy_item_rejected", TK_PART,
				       "kind course amount status date reason" },
	[TX_COURSE_ITEM] = { "course_item", TK_PART,
			     "code course level region institution start end"
			     " seats amount" },
	[TX_RECORD_ITEM] = { "record_item", TK_PART,
			     "course code level date start end result" },
	[TX_RECORD_CERT] = { "record_cert", TK_PART,
			     "cert occupation level date" },
	[TX_RECORD_SKILL] = { "record_skill", TK_PART, "occupation level" },
	[TX_LIST_MORE] = { "list_more", TK_PART, "more" },
	[TX_COURSES_MORE] = { "courses_more", TK_PART, "more" },
};

/* Long but realistic values, for the length checks only: a count of
 * characters, wide (Chinese, forcing UCS-2) or digits. */
static const struct {
	const char *name;
	unsigned chars;
	bool wide;
} tx_samples[] = {
	{ "name", 4, true },		/* 欧**明 */
	{ "id", 18, false },		/* 445***********123X */
	{ "amount", 9, false },		/* 100000.00 */
	{ "course", 12, true },
	{ "subject", 14, true },	/* （电工初级班）, brackets included */
	{ "code", 6, false },
	{ "date", 11, true },		/* 2026年12月31日 */
	{ "start", 6, true },		/* 12月31日: lists and replies */
	{ "end", 6, true },		/* give dates without the year */
	{ "seats", 3, false },
	{ "level", 4, true },		/* 高级技师 */
	{ "region", 4, true },
	{ "institution", 12, true },
	{ "kind", 8, true },		/* 职业技能鉴定补贴 */
	{ "status", 4, true },
	{ "reason", 16, true },
	{ "count", 3, false },
	{ "more", 3, false },
	{ "left", 2, false },
	{ "minutes", 4, false },
	{ "keyword", 7, false },	/* SUBSIDY */
	{ "warning", 32, true },
	{ "result", 3, true },
	{ "cert", 8, true },
	{ "occupation", 8, true },
	{ "filter", 8, true },
	{ "until", 5, false },		/* 17:30 */
	{ "checkcode", 6, false },
	{ "months", 2, false },
	{ "score", 1, false },
	{ "days", 2, false },
};

#define TX_N_SAMPLES	(sizeof(tx_samples) / sizeof(tx_samples[0]))

struct texts {
	char *text[TX_NUM];		/* talloc children */
	char *signature, *hotline;
};

struct tx_load {
	struct tmpl_problems pr;
	const struct texts_params *p;
	struct texts *t;
};

const char *texts_key(enum texts_id id)
{
	return (unsigned)id < TX_NUM ? tx_defs[id].key : "";
}

const char *texts_get(const struct texts *t, enum texts_id id)
{
	return t && (unsigned)id < TX_NUM && t->text[id] ? t->text[id] : "";
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */

/* The value named name (len bytes) among the n values v ("" for a NULL
 * value), or NULL when none has that name. */
static const char *tx_val_find(const struct texts_val *v, size_t n,
			       const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].name && strlen(v[i].name) == len &&
		    !strncmp(v[i].name, name, len))
			return v[i].value ? v[i].value : "";
	return NULL;
}

const char *texts_value(void *arg, const char *name, size_t len)
{
	const struct texts_vals *a = arg;
	const char *s = tx_val_find(a->v, a->n, name, len);

	if (!s)
		s = tx_val_find(a->def, a->n_def, name, len);
	return s ? s : "";
}

static int tx_render_raw(const struct texts *t, const char *tpl,
			 const struct texts_val *v, size_t n, char *out,
			 size_t cap)
{
	const struct texts_val def[] = {
		{ "signature", t->signature }, { "hotline", t->hotline },
	};
	struct texts_vals a = { v, n, def, sizeof(def) / sizeof(def[0]) };

	return tmpl_render(tpl, texts_value, &a, out, cap);
}

int texts_render(const struct texts *t, enum texts_id id,
		 const struct texts_val *v, size_t n, char *out, size_t cap)
{
	return tx_render_raw(t, texts_get(t, id), v, n, out, cap);
}

unsigned texts_parts(const char *s)
{
	struct charset_split *sp = malloc(sizeof(*sp));
	int rc;

	if (!sp)
		return CHARSET_MAX_PARTS + 1;
	rc = charset_split(s, strlen(s), CHARSET_MAX_PARTS, sp);
	free(sp);
	return rc < 0 ? CHARSET_MAX_PARTS + 1 : (unsigned)rc;
}

/* head + k lines (+ the more note) into out; true when it fits. */
static bool tx_list_try(const struct texts *t, const char *head,
			const char *const *lines, unsigned k, unsigned total,
			enum texts_id more_id, unsigned max_parts, char *out,
			size_t cap)
{
	struct tmpl_out o;
	unsigned i;

	tmpl_out_init(&o, out, cap);
	tmpl_put(&o, head, strlen(head));
	for (i = 0; i < k; i++) {
		tmpl_put(&o, TX_NEWLINE, strlen(TX_NEWLINE));
		tmpl_put(&o, lines[i], strlen(lines[i]));
	}
	if (k < total) {
		char more[TX_SAMPLE_MAX], num[16];
		struct texts_val v = { "more", num };

		snprintf(num, sizeof(num), "%u", total - k);
		tx_render_raw(t, texts_get(t, more_id), &v, 1, more,
			      sizeof(more));
		tmpl_put(&o, TX_NEWLINE, strlen(TX_NEWLINE));
		tmpl_put(&o, more, strlen(more));
	}
	return !o.cut && texts_parts(out) <= max_parts;
}

unsigned texts_list(const struct texts *t, const char *head,
		    const char *const *lines, unsigned n, unsigned total,
		    enum texts_id more_id, unsigned max_parts, char *out,
		    size_t cap)
{
	unsigned k;

	if (!cap)
		return 0;
	if (total < n)
		total = n;
	for (k = n; k > 0; k--)
		if (tx_list_try(t, head, lines, k, total, more_id, max_parts,
				out, cap))
			return k;
	tx_list_try(t, head, lines, 0, total, more_id, max_parts, out, cap);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Loading and checking                                                */

/* Is rel (a path below "texts") a key, a group of keys, or neither? */
static int tx_key_kind(const char *rel)
{
	size_t i, n = strlen(rel);

	for (i = 0; i < TX_NUM; i++) {
		if (!strcmp(tx_defs[i].key, rel))
			return 1;
		if (!strncmp(tx_defs[i].key, rel, n) && tx_defs[i].key[n] == '.')
			return 2;
	}
	return 0;
}

/* Report members of group (at rel below "texts") that name no text. */
static void tx_check_members(struct tx_load *ld, const config_setting_t *g,
			     const char *rel)
{
	int i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		char path[TX_PATH_MAX];

		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "." : "",
			 config_setting_name(s));
		switch (tx_key_kind(path)) {
		case 1:
			break;
		case 2:
			if (config_setting_is_group(s))
				tx_check_members(ld, s, path);
			else
				tmpl_report(&ld->pr, s, TX_GROUP ".%s: must "
					    "be a group { ... }", path);
			break;
		default:
			tmpl_report(&ld->pr, s, TX_GROUP ".%s: unknown text",
				    path);
		}
	}
}

/* The deepest existing group on the way to key: where "missing" is told. */
static const config_setting_t *tx_enclosing(const config_setting_t *g,
					    const char *key)
{
	char part[TX_PATH_MAX];
	size_t n;

	while ((n = strcspn(key, ".")) && key[n] == '.' && n < sizeof(part)) {
		const config_setting_t *c;

		memcpy(part, key, n);
		part[n] = '\0';
		c = config_setting_get_member(g, part);
		if (!c || !config_setting_is_group(c))
			break;
		g = c;
		key += n + 1;
	}
	return g;
}

/* Braces and placeholders of text id; true when they are all right. */
static bool tx_check_braces(struct tx_load *ld, const config_setting_t *s,
			    enum texts_id id)
{
	const struct tx_def *def = &tx_defs[id];
	const char *p = ld->t->text[id];
	unsigned bad = ld->pr.n;

	for (; *p; p++) {
		size_t nl;

		if (*p == '}') {
			tmpl_report(&ld->pr, s, TX_GROUP ".%s: '}' without '{'",
				    def->key);
			continue;
		}
		if (*p != '{')
			continue;
		nl = tmpl_name_len(p + 1);
		if (!nl) {
			tmpl_report(&ld->pr, s, TX_GROUP ".%s: '{' does not "
				    "start a placeholder like {name}",
				    def->key);
			continue;
		}
		if (!tmpl_allowed(def->allowed, p + 1, nl))
			tmpl_report(&ld->pr, s, TX_GROUP ".%s: unknown "
				    "placeholder {%.*s}%s%s", def->key, (int)nl,
				    p + 1, *def->allowed ?
				    "; this text may use: " :
				    "; this text takes no placeholder",
				    def->allowed);
		p += nl + 1;
	}
	return ld->pr.n == bad;
}

/* Read text id; false (reported) when it is missing or unusable. */
static bool tx_read(struct tx_load *ld, const config_setting_t *g,
		    enum texts_id id)
{
	const char *key = tx_defs[id].key;
	const config_setting_t *s = g ? config_setting_lookup(
		(config_setting_t *)g, key) : NULL;
	const char *v;

	if (!s) {
		tmpl_report(&ld->pr, g ? tx_enclosing(g, key) : NULL,
			    TX_GROUP ".%s: missing text", key);
		return false;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		tmpl_report(&ld->pr, s, TX_GROUP ".%s: must be a string in "
			    "double quotes", key);
		return false;
	}
	v = config_setting_get_string(s);
	if (!*v) {
		tmpl_report(&ld->pr, s, TX_GROUP ".%s: must not be empty", key);
		return false;
	}
	if (!charset_utf8_valid(v, strlen(v))) {
		tmpl_report(&ld->pr, s, TX_GROUP ".%s: is not valid UTF-8",
			    key);
		return false;
	}
	ld->t->text[id] = talloc_strdup(ld->t, v);
	return ld->t->text[id] && tx_check_braces(ld, s, id);
}

/* The sample values of tx_samples, written out. */
struct tx_sample_vals {
	char buf[TX_N_SAMPLES][TX_SAMPLE_MAX];
	struct texts_val v[TX_N_SAMPLES];
};

static void tx_samples_fill(struct tx_sample_vals *sv)
{
	static const char wide[] = "\xe4\xb8\xad";	/* one CJK character */
	size_t i, j;

	for (i = 0; i < TX_N_SAMPLES; i++) {
		char *b = sv->buf[i];
		size_t o = 0;

		for (j = 0; j < tx_samples[i].chars && o + 4 < TX_SAMPLE_MAX; j++) {
			if (tx_samples[i].wide) {
				memcpy(b + o, wide, 3);
				o += 3;
			} else {
				b[o++] = '9';
			}
		}
		b[o] = '\0';
		sv->v[i].name = tx_samples[i].name;
		sv->v[i].value = b;
	}
}

static unsigned tx_sample_parts(struct tx_load *ld, enum texts_id id,
				const struct tx_sample_vals *sv, char *out,
				size_t cap)
{
	texts_render(ld->t, id, sv->v, TX_N_SAMPLES, out, cap);
	return texts_parts(out);
}

/* A list head must leave room for one (long) line and the more note. */
static void tx_check_head(struct tx_load *ld, const config_setting_t *s,
			  enum texts_id id, const struct tx_sample_vals *sv)
{
	enum texts_id line = tx_defs[id].line, more = tx_defs[id].more;
	char head[TEXTS_MAX], item[TEXTS_MAX], out[TEXTS_MAX];
	const char *lines[1] = { item };

	if (!ld->t->text[line] || !ld->t->text[more])
		return;	/* reported already */
	texts_render(ld->t, id, sv->v, TX_N_SAMPLES, head, sizeof(head));
	texts_render(ld->t, line, sv->v, TX_N_SAMPLES, item, sizeof(item));
	if (texts_list(ld->t, head, lines, 1, 2, more, ld->p->list_parts, out,
		       sizeof(out)) == 0)
		tmpl_report(&ld->pr, s, TX_GROUP ".%s: with one line of %s "
			    "and %s the list does not fit in "
			    "commands.list_parts (%u) SMS parts",
			    tx_defs[id].key, tx_defs[line].key,
			    tx_defs[more].key, ld->p->list_parts);
}

/* Length rules of text id (read and with good placeholders). */
static void tx_check_fit(struct tx_load *ld, const config_setting_t *s,
			 enum texts_id id, const struct tx_sample_vals *sv)
{
	const struct tx_def *def = &tx_defs[id];
	char out[TEXTS_MAX];
	unsigned parts;

	switch (def->kind) {
	case TK_REPLY:
	case TK_HEAD:
		parts = tx_sample_parts(ld, id, sv, out, sizeof(out));
		if (parts > TEXTS_REPLY_PARTS)
			tmpl_report(&ld->pr, s, TX_GROUP ".%s: needs %u SMS "
				    "parts with long values, at most %d",
				    def->key, parts, TEXTS_REPLY_PARTS);
		else if (def->kind == TK_HEAD)
			tx_check_head(ld, s, id, sv);
		break;
	case TK_PART:
		parts = tx_sample_parts(ld, id, sv, out, sizeof(out));
		if (parts > 1)
			tmpl_report(&ld->pr, s, TX_GROUP ".%s: needs %u SMS "
				    "parts with long values, at most 1",
				    def->key, parts);
		break;
	}
}

/* Everything below the root of a parsed file. */
static void tx_check_file(struct tx_load *ld, const config_setting_t *root)
{
	const config_setting_t *g = config_setting_get_member(root, TX_GROUP);
	struct tx_sample_vals *sv;
	bool ok[TX_NUM];
	int i, n = config_setting_length(root);
	unsigned id;

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, i);

		if (strcmp(config_setting_name(s), TX_GROUP))
			tmpl_report(&ld->pr, s, "%s: unknown setting",
				    config_setting_name(s));
	}
	if (g && !config_setting_is_group(g)) {
		tmpl_report(&ld->pr, g, TX_GROUP ": must be a group { ... }");
		return;
	}
	if (g)
		tx_check_members(ld, g, "");
	for (id = 0; id < TX_NUM; id++)
		ok[id] = tx_read(ld, g, id);
	sv = talloc_zero(ld->t, struct tx_sample_vals);
	if (!sv)
		return;
	tx_samples_fill(sv);
	for (id = 0; id < TX_NUM; id++)
		if (ok[id])
			tx_check_fit(ld, config_setting_lookup(
				(config_setting_t *)g, tx_defs[id].key), id, sv);
	talloc_free(sv);
}

struct texts *texts_load(void *ctx, const char *path,
			 const struct texts_params *p, FILE *err, int *n_err)
{
	struct tx_load ld = { .pr.file = path, .p = p };
	config_t cf;

	ld.t = talloc_zero(ctx, struct texts);
	if (!ld.t)
		return NULL;
	talloc_set_name_const(ld.t, "texts");
	ld.t->signature = talloc_strdup(ld.t, p->signature ? p->signature : "");
	ld.t->hotline = talloc_strdup(ld.t, p->hotline ? p->hotline : "");
	config_init(&cf);
	if (!config_read_file(&cf, path))
		tmpl_parse_error(&ld.pr, &cf, err);
	else
		tx_check_file(&ld, config_root_setting(&cf));
	tmpl_flush(&ld.pr, err);
	config_destroy(&cf);
	if (n_err)
		*n_err = ld.pr.n;
	if (ld.pr.n || !ld.t->signature || !ld.t->hotline) {
		talloc_free(ld.t);
		return NULL;
	}
	return ld.t;
}

void texts_free(struct texts *t)
{
	talloc_free(t);
}
