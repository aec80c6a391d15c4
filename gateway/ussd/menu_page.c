/*
 * menu_page.c - USSD screens as the phone sees them: rendering texts with
 * placeholders, counting characters the way the handset does, and cutting
 * content into pages (see menu.h).
 *
 * Texts are rendered by tmpl_render with {code} and {hotline} from the
 * configuration unless the caller gives them.
 *
 * A screen is one short_message, GSM 7-bit when every character has a GSM
 * mapping (an escaped character, e.g. '[' or '€', takes two septets), else
 * UCS-2 (a character outside the BMP takes two UTF-16 units); each
 * encoding has its own limit. The whole screen decides the encoding, so a
 * page is measured as a whole, with everything that will be on it: the
 * line above it (an error or note, or room kept for the longest one), the
 * lines, and the footer. Pages are cut greedily: as many whole lines as
 * fit, in order; lines longer than a page were cut beforehand at character
 * boundaries (menu_split), so every page takes at least one line and
 * paging always ends.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/text/charset.h"
#include "gateway/ussd/menu.h"
#include "menu_priv.h"
#include "gateway/text/tmpl.h"

#define MENU_KEY_LEN	12	/* a key as text */

/* ------------------------------------------------------------------ */
/* Measuring                                                           */

unsigned menu_units(const struct menu *m, const char *text, unsigned *limit)
{
	size_t len = strlen(text);
	int n;

	if (charset_fits_gsm(text, len)) {
		n = charset_units(text, len, CHARSET_ENC_GSM7);
		*limit = m->screen_gsm;
	} else {
		n = charset_units(text, len, CHARSET_ENC_UCS2);
		*limit = m->screen_ucs2;
	}
	return n < 0 ? UINT32_MAX : (unsigned)n;
}

bool menu_fits(const struct menu *m, const char *text)
{
	unsigned limit, units = menu_units(m, text, &limit);

	return units <= limit;
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */

const char *menu_text_get(const struct menu *m, enum menu_text id)
{
	return (unsigned)id < MX_NUM && m->text[id] ? m->text[id] : "";
}

size_t menu_render(const struct menu *m, enum menu_text id,
		   const struct texts_val *v, size_t n, char *out, size_t cap)
{
	const struct texts_val def[] = {
		{ "code", m->code }, { "hotline", m->hotline },
	};
	struct texts_vals a = { v, n, def, sizeof(def) / sizeof(def[0]) };

	tmpl_render(menu_text_get(m, id), texts_value, &a, out, cap);
	return cap ? strlen(out) : 0;	/* also when cut */
}

/* "{key} {label}" */
static size_t mp_item(const struct menu *m, unsigned key, const char *label,
		      char *out, size_t cap)
{
	char k[MENU_KEY_LEN];

	snprintf(k, sizeof(k), "%u", key);
	return menu_render(m, MX_ITEM, (struct texts_val[]){
		{ "key", k }, { "label", label } }, 2, out, cap);
}

/* The longer of the error lines the engine may put above a screen (as
 * the phone counts it): every page keeps room for it. The note after a
 * registration ("绑定成功：张*明") is shown when it fits. */
void menu_set_reserve(struct menu *m)
{
	static const enum menu_text lines[] = { MX_INVALID, MX_REG_BAD_ID };
	unsigned i, best = 0, limit;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const char *l = menu_text_get(m, lines[i]);
		unsigned u = menu_units(m, l, &limit);

		if (i == 0 || u > best) {
			best = u;
			snprintf(m->reserve, sizeof(m->reserve), "%s", l);
		}
	}
}

const char *menu_reserve_line(const struct menu *m)
{
	return m->reserve;
}

size_t menu_screen_text(const struct menu *m, const struct menu_screen *s,
			bool back, char *out, size_t cap)
{
	struct tmpl_out o;
	char line[MENU_LINE_MAX];
	unsigned i;

	tmpl_out_init(&o, out, cap);
	tmpl_put(&o, s->title, strlen(s->title));
	for (i = 0; i < s->n_items; i++) {
		mp_item(m, i + 1, s->item[i].label, line, sizeof(line));
		tmpl_put(&o, "\n", 1);
		tmpl_put(&o, line, strlen(line));
	}
	if (back) {
		tmpl_put(&o, "\n", 1);
		tmpl_put(&o, menu_text_get(m, MX_BACK),
			 strlen(menu_text_get(m, MX_BACK)));
	}
	return o.len;
}

/* ------------------------------------------------------------------ */
/* Pages                                                               */

/* top, body and footer joined by '\n' where both sides have text. False
 * when it does not fit in cap. */
static bool mp_join(char *out, size_t cap, const char *top,
		    const char *body, const char *footer)
{
	const char *parts[3] = { top, body, footer };
	size_t len = 0;
	unsigned i;
	int n;

	out[0] = '\0';
	for (i = 0; i < 3; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		n = snprintf(out + len, cap - len, "%s%s", len ? "\n" : "",
			     parts[i]);
		if (n < 0 || (size_t)n >= cap - len)
			return false;
		len += n;
	}
	return true;
}

static bool mp_fits3(const struct menu *m, const char *top,
		     const char *body, const char *footer)
{
	char buf[2 * MENU_SCREEN_MAX];

	return mp_join(buf, sizeof(buf), top, body, footer) &&
	       menu_fits(m, buf);
}

/* The longest prefix of line (whole characters) that fits between top and
 * footer, into out. Adding characters never makes a text fit again once
 * it does not (the limit only shrinks when UCS-2 takes over), so the first
 * character that does not fit ends the search. Returns its byte length. */
static size_t mp_cut(const struct menu *m, const char *top, const char *line,
		     const char *footer, char *out, size_t cap)
{
	size_t len = 0, next;

	out[0] = '\0';
	while (line[len]) {
		next = len + 1;
		while (((unsigned char)line[next] & 0xC0) == 0x80)
			next++;
		if (next >= cap)
			break;
		memcpy(out, line, next);
		out[next] = '\0';
		if (!mp_fits3(m, top, out, footer)) {
			out[len] = '\0';
			break;
		}
		len = next;
	}
	return len;
}

/* Append a copy of s (n bytes) to the talloc'ed array *v of *n lines. */
static int mp_push(void *ctx, char ***v, unsigned *n, const char *s,
		   size_t len)
{
	char **nv = talloc_realloc(ctx, *v, char *, *n + 2);

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = talloc_strndup(nv, s, len);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

/* One line of content, cut into pieces that fit a page each. */
static int mp_split_line(const struct menu *m, void *ctx, const char *line,
			 size_t len, char ***v, unsigned *n)
{
	const char *footer = menu_text_get(m, MX_MORE_BACK);
	char *l = talloc_strndup(ctx, line, len), buf[MENU_SCREEN_MAX];
	const char *p = l;
	int rc = l ? 0 : -ENOMEM;

	while (rc == 0 && *p) {
		size_t k = mp_cut(m, m->reserve, p, footer, buf, sizeof(buf));

		if (k == 0)	/* not even one character: give up on it */
			break;
		rc = mp_push(ctx, v, n, p, k);
		p += k;
	}
	if (rc == 0 && len == 0)
		rc = mp_push(ctx, v, n, "", 0);
	talloc_free(l);
	return rc;
}

char **menu_split(const struct menu *m, void *ctx, const char *text,
		  unsigned *n)
{
	char **v = talloc_zero_array(ctx, char *, 1);
	const char *p = text;

	*n = 0;
	while (v && *p) {
		size_t len = strcspn(p, "\n");

		if (mp_split_line(m, ctx, p, len, &v, n) < 0) {
			talloc_free(v);
			return NULL;
		}
		p += len + (p[len] == '\n');
	}
	return v;
}

unsigned menu_page(const struct menu *m, const char *top, const char *head,
		   const char *const *lines, unsigned n, unsigned first,
		   bool number, bool force_more, const char *footer_more,
		   const char *footer_last, char *out, size_t cap, bool *more)
{
	const char *probe = top && *top ? top : m->reserve;
	char body[MENU_SCREEN_MAX], cand[MENU_SCREEN_MAX],
	     line[MENU_LINE_MAX];
	unsigned i, taken = 0;

	snprintf(body, sizeof(body), "%s", head ? head : "");
	for (i = first; i < n && (!number || taken < MENU_ITEMS_MAX); i++) {
		bool last = i + 1 == n && !force_more;
		const char *l = lines[i];

		if (number) {
			mp_item(m, taken + 1, lines[i], line, sizeof(line));
			l = line;
		}
		if (!mp_join(cand, sizeof(cand), body, l, NULL) ||
		    !mp_fits3(m, probe, cand, last ? footer_last : footer_more))
			break;
		memcpy(body, cand, sizeof(body));
		taken++;
	}
	if (!taken && first < n) {	/* too long even alone: cut it */
		if (number)
			mp_item(m, 1, lines[first], line, sizeof(line));
		mp_join(cand, sizeof(cand), probe, head, NULL);
		mp_cut(m, cand, number ? line : lines[first], footer_more,
		       line, sizeof(line));
		mp_join(cand, sizeof(cand), head, line, NULL);
		memcpy(body, cand, sizeof(body));
		taken = 1;
	}
	*more = first + taken < n || force_more;
	mp_join(out, cap, top, body, *more ? footer_more : footer_last);
	return taken;
}

unsigned menu_split_inputs(const char *in, char *buf, size_t cap,
			   const char **parts, unsigned max)
{
	unsigned n = 0;
	size_t len;
	char *p = buf;

	if (!cap || !in || !*in)
		return 0;
	snprintf(buf, cap, "%s", in);
	len = strlen(buf);
	if (len && buf[len - 1] == '#')
		buf[--len] = '\0';
	while (n < max) {
		char *star = strchr(p, '*');

		parts[n++] = p;
		if (!star || n == max)	/* the last part keeps its '*' */
			break;
		*star = '\0';
		p = star + 1;
	}
	return n;
}
