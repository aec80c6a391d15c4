/*
 * tmpl.c - "{name}" placeholders: rendering into a bounded buffer, and the
 * problem list of the loaders of text files (see tmpl.h).
 *
 * The renderer knows nothing of what a name means: the caller's lookup
 * gives each value (texts.c from the handler's values and the configured
 * signature and hotline, menu_page.c the same with the service code,
 * handlers/notice/text.c from the recipient, masked or formatted). A lookup that
 * returns NULL leaves the braces as they are, which is how a notice keeps
 * a literal "{...}" of its signature.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/text/tmpl.h"

#define TMPL_NAME_CHARS	"abcdefghijklmnopqrstuvwxyz0123456789_"
#define TMPL_MSG_MAX	320	/* bytes of one problem */
#define TMPL_ERR_FIRST	16	/* problems room is made for at first */

size_t tmpl_name_len(const char *s)
{
	size_t n = strspn(s, TMPL_NAME_CHARS);

	return n && n < TMPL_NAME_MAX && s[n] == '}' ? n : 0;
}

bool tmpl_allowed(const char *list, const char *name, size_t len)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n == len && !strncmp(p, name, len))
			return true;
		p += n + (p[n] == ' ');
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */

void tmpl_out_init(struct tmpl_out *o, char *buf, size_t cap)
{
	*o = (struct tmpl_out){ .buf = buf, .cap = cap };
	if (cap)
		buf[0] = '\0';
}

void tmpl_put(struct tmpl_out *o, const char *s, size_t n)
{
	if (o->cut || !o->cap)
		return;
	if (o->len + n >= o->cap) {
		n = o->cap - 1 - o->len;
		/* back to the lead byte of the character that does not fit */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		o->cut = true;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

int tmpl_render(const char *tpl, tmpl_value_fn *value, void *arg, char *out,
		size_t cap)
{
	struct tmpl_out o;

	if (!cap)
		return -ENOSPC;
	tmpl_out_init(&o, out, cap);
	while (tpl && *tpl) {
		size_t lit = strcspn(tpl, "{"), nl;
		const char *val = NULL;

		tmpl_put(&o, tpl, lit);
		tpl += lit;
		if (!*tpl)
			break;
		nl = tmpl_name_len(tpl + 1);
		if (nl)
			val = value(arg, tpl + 1, nl);
		if (!val) {	/* not a placeholder: copy the brace */
			tmpl_put(&o, tpl++, 1);
			continue;
		}
		tmpl_put(&o, val, strlen(val));
		tpl += nl + 2;
	}
	return o.cut ? -ENOSPC : (int)o.len;
}

/* ------------------------------------------------------------------ */
/* Problems                                                            */

struct tmpl_problem {
	unsigned line, seq;
	char msg[TMPL_MSG_MAX];
};

void tmpl_report(struct tmpl_problems *pr, const config_setting_t *s,
		 const char *fmt, ...)
{
	struct tmpl_problem *e;
	va_list ap;

	if (pr->kept == pr->cap) {
		unsigned cap = pr->cap ? 2 * pr->cap : TMPL_ERR_FIRST;
		struct tmpl_problem *v = realloc(pr->v, cap * sizeof(*v));

		if (!v) {
			pr->n++;	/* counted, not printed */
			return;
		}
		pr->v = v;
		pr->cap = cap;
	}
	e = &pr->v[pr->kept++];
	e->line = s ? config_setting_source_line(s) : 0;
	e->seq = pr->n++;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void tmpl_parse_error(struct tmpl_problems *pr, const config_t *cf, FILE *err)
{
	const char *file = config_error_file(cf);

	pr->n++;
	if (!err)
		return;
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO)
		fprintf(err, "%s: cannot read: %s\n", pr->file,
			config_error_text(cf));
	else
		fprintf(err, "%s:%d: syntax: %s\n", file ? file : pr->file,
			config_error_line(cf), config_error_text(cf));
}

static int tmpl_problem_cmp(const void *a, const void *b)
{
	const struct tmpl_problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void tmpl_flush(struct tmpl_problems *pr, FILE *out)
{
	unsigned i;

	if (pr->v)
		qsort(pr->v, pr->kept, sizeof(*pr->v), tmpl_problem_cmp);
	for (i = 0; out && i < pr->kept; i++)
		fprintf(out, "%s:%u: %s\n", pr->file, pr->v[i].line,
			pr->v[i].msg);
	free(pr->v);
	pr->v = NULL;
	pr->kept = pr->cap = 0;
}
