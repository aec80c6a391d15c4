/*
 * tmpl.h - texts an operator writes with "{name}" placeholders: the one
 * renderer behind conf/messages.conf (texts.c), the USSD menu texts
 * (gateway/ussd/menu_page.c) and bulk notices (handlers/notice/text.c), and the problem list the
 * loaders of those files print.
 *
 * A placeholder is '{', a name of [a-z0-9_] shorter than TMPL_NAME_MAX,
 * '}'. Rendering is one pass over the text: literal bytes are copied, a
 * placeholder is replaced by the value the caller's lookup gives, and a
 * brace that does not start a placeholder (or one the lookup refuses) is
 * copied as it is. Values are never scanned again, so a name from the
 * roster cannot inject a placeholder. The output is bounded and cut at a
 * character boundary, never inside a UTF-8 sequence.
 *
 * Loading: a file of texts is checked as a whole and every problem is kept
 * with the line of its setting, then printed sorted by line as
 * "FILE:LINE: reason" (the format of config.c), all of them.
 */
#ifndef SGW_TMPL_H
#define SGW_TMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libconfig.h>

#define TMPL_NAME_MAX	24	/* a placeholder name is shorter */

/* Length of the placeholder name at s (just after '{') when s holds
 * "name}", else 0. */
size_t tmpl_name_len(const char *s);

/* True when name (len bytes) is one of the space-separated words of list
 * ("signature hotline name"). */
bool tmpl_allowed(const char *list, const char *name, size_t len);

/* ------------------------------------------------------------------ */
/* Rendering                                                           */

/* Bounded output into buf (cap bytes), NUL-terminated after every put. */
struct tmpl_out {
	char *buf;
	size_t cap, len;
	bool cut;		/* something did not fit: no more is added */
};

/* Start an empty output (buf[0] = '\0' when cap > 0). */
void tmpl_out_init(struct tmpl_out *o, char *buf, size_t cap);

/* Append n bytes of s; what does not fit is cut at a character boundary
 * and sets o->cut. */
void tmpl_put(struct tmpl_out *o, const char *s, size_t n);

/* The value of the placeholder name (len bytes, not NUL-terminated), or
 * NULL when it is not a placeholder of this text: its '{' is then copied
 * as it is. The value is copied before the next call, so it may live in a
 * scratch buffer of arg. */
typedef const char *tmpl_value_fn(void *arg, const char *name, size_t len);

/* Render tpl (NULL renders as "") into out (cap bytes, NUL-terminated when
 * cap > 0). Returns the length, or -ENOSPC when the output was cut to fit
 * or cap is 0. */
int tmpl_render(const char *tpl, tmpl_value_fn *value, void *arg, char *out,
		size_t cap);

/* ------------------------------------------------------------------ */
/* Problems found while loading a file                                 */

struct tmpl_problem;

struct tmpl_problems {
	const char *file;	/* as given to the loader: the FILE printed */
	struct tmpl_problem *v;	/* kept to be printed in line order */
	unsigned n;		/* problems counted */
	unsigned kept, cap;	/* in v (fewer than n when memory ran out) */
};

/* Count one problem at the line of s (0 when s is NULL); fmt gives the
 * reason, "texts.KEY: ...". */
void tmpl_report(struct tmpl_problems *pr, const config_setting_t *s,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Count a file libconfig could not read or parse, printed to err (may be
 * NULL) at once: "FILE: cannot read: ..." or "FILE:LINE: syntax: ...". */
void tmpl_parse_error(struct tmpl_problems *pr, const config_t *cf, FILE *err);

/* Print the kept problems to out (may be NULL) sorted by line, then the
 * order they were found in, and free them. pr->n stays. */
void tmpl_flush(struct tmpl_problems *pr, FILE *out);

#endif
