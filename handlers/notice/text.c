/*
 * text.c - checking, composing and rendering the text of a notice.
 *
 * Rendering (tmpl_render) is one pass over the body: literal bytes are
 * copied, a known placeholder is replaced by its value (masked for {name},
 * a Chinese date for {start_date}), anything else between braces is copied
 * as it is (the operator's text was checked at create time; the signature
 * and the hint come from the configuration and are taken literally). The
 * output is bounded and cut at a character boundary.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/text/charset.h"
#include "handlers/domain/domain.h"
#include "gateway/text/fmt.h"
#include "handlers/notice/text.h"
#include "gateway/text/tmpl.h"

static const char *const notice_ph_names[NOTICE_PH_NUM] = {
	[NOTICE_PH_NAME] = "name",
	[NOTICE_PH_NAME_PLAIN] = "name_plain",
	[NOTICE_PH_COURSE] = "course",
	[NOTICE_PH_START_DATE] = "start_date",
	[NOTICE_PH_REGION] = "region",
};

const char *notice_ph_name(enum notice_ph p)
{
	return (unsigned)p < NOTICE_PH_NUM ? notice_ph_names[p] : "";
}

/* The placeholder named name (len bytes), -1 when there is none. */
static int notice_ph_find(const char *name, size_t len)
{
	int p;

	for (p = 0; p < NOTICE_PH_NUM; p++)
		if (strlen(notice_ph_names[p]) == len &&
		    !strncmp(name, notice_ph_names[p], len))
			return p;
	return -1;
}

/* The placeholder whose "name}" starts at s; *len gets the bytes up to and
 * including '}'. -1 when there is none. */
static int notice_ph_at(const char *s, size_t *len)
{
	size_t n = tmpl_name_len(s);
	int p = n ? notice_ph_find(s, n) : -1;

	*len = n + 1;
	return p;
}

/* The list of placeholders for a message: "{name} {name_plain} ...". */
static void notice_ph_list(char *out, size_t cap)
{
	size_t o = 0;
	int p;

	out[0] = '\0';
	for (p = 0; p < NOTICE_PH_NUM && o < cap; p++)
		o += snprintf(out + o, cap - o, "%s{%s}", p ? " " : "",
			      notice_ph_names[p]);
}

static int notice_why(char *why, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write the reason for a refusal; returns -EINVAL. */
static int notice_why(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int notice_text_check(const char *text, unsigned *uses, char *why,
		      size_t cap)
{
	char list[128];
	size_t len;
	const char *p;
	int ph;

	*uses = 0;
	if (!text || !*text)
		return notice_why(why, cap, "the text is empty");
	if (strlen(text) > NOTICE_INPUT_MAX)
		return notice_why(why, cap, "the text is longer than %d bytes",
				  NOTICE_INPUT_MAX);
	if (fmt_utf8_chars(text) < 0)
		return notice_why(why, cap, "the text is not valid UTF-8");
	for (p = text; (p = strpbrk(p, "{}")); p++) {
		if (*p == '}' || (ph = notice_ph_at(p + 1, &len)) < 0) {
			notice_ph_list(list, sizeof(list));
			return notice_why(why, cap, "'%.12s' is not a placeholder;"
					  " the text may use %s", p, list);
		}
		*uses |= NOTICE_PH_BIT(ph);
		p += len;
	}
	return 0;
}

char *notice_text_body(void *ctx, const char *signature, const char *text,
		       const char *hint)
{
	return talloc_asprintf(ctx, "%s%s%s", signature ? signature : "",
			       text, hint ? hint : "");
}

/* Rendering for one recipient (a tmpl_value_fn argument). */
struct notice_render {
	const struct notice_vals *v;
	char tmp[DOM_TEXT_MAX];	/* a masked name, a formatted date */
};

/* The value of placeholder name for r->v, formatted into r->tmp if need
 * be; NULL when it is not a placeholder (the braces stay). */
static const char *notice_value(void *arg, const char *name, size_t len)
{
	struct notice_render *r = arg;
	const struct notice_vals *v = r->v;
	const char *s = NULL;

	switch (notice_ph_find(name, len)) {
	case NOTICE_PH_NAME:
		if (v->name && *v->name &&
		    fmt_name_mask(v->name, r->tmp, sizeof(r->tmp)) == 0)
			return r->tmp;
		return "";
	case NOTICE_PH_NAME_PLAIN:
		s = v->name;
		break;
	case NOTICE_PH_COURSE:
		s = v->course;
		break;
	case NOTICE_PH_START_DATE:
		if (v->start_date && fmt_date_cn(v->start_date, true, r->tmp,
						 sizeof(r->tmp)) == 0)
			return r->tmp;
		return "";
	case NOTICE_PH_REGION:
		s = v->region;
		break;
	default:
		return NULL;
	}
	return s ? s : "";
}

int notice_text_render(const char *body, const struct notice_vals *v,
		       char *out, size_t cap)
{
	struct notice_render r = { .v = v };

	return tmpl_render(body, notice_value, &r, out, cap);
}

int notice_text_parts(const char *text, unsigned *chars)
{
	struct charset_split split;
	size_t len = text ? strlen(text) : 0;

	if (chars)
		*chars = len ? charset_utf8_chars(text, len) : 0;
	if (!len)
		return -EINVAL;
	return charset_split(text, len, CHARSET_MAX_PARTS, &split);
}
