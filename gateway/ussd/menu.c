/*
 * menu.c - load and check conf/ussd_menu.conf (see menu.h).
 *
 * Two passes over the file. The first reads every screen of the "menu"
 * group (title, items) and every text of the "texts" group, reporting what
 * is missing, unknown, of the wrong type or malformed (placeholders are
 * checked against mx_defs, the one table of texts). The second, once all
 * screens are known, resolves each item's target screen or action and
 * measures every static screen and every final text against the screen
 * limit, with the longest error line the engine may put above a screen,
 * so that nothing an operator writes can produce a screen the phone
 * cuts. Problems are kept and printed at the end in file order,
 * as "FILE:LINE: menu.SCREEN: reason", all of them; the menu is only
 * returned when there were none.
 *
 * The loaded menu owns copies of its strings (talloc), so the libconfig
 * tree is gone after loading.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>
#include <osmocom/core/talloc.h>

#include "gateway/text/fmt.h"
#include "gateway/ussd/menu.h"
#include "menu_priv.h"
#include "gateway/text/tmpl.h"

#define MENU_PATH_MAX	80	/* a setting path in a message */
#define MENU_ROOT	"main"
/* a long course name, for the prompts that name one */
#define ML_SAMPLE_COURSE	"中式烹调师初级培训班"

enum mx_kind {
	MK_LINE,	/* one line: no '\n' */
	MK_SCREEN,	/* may hold several lines */
	MK_FINAL,	/* a whole final screen: checked alone */
};

struct mx_def {
	const char *key;
	enum mx_kind kind;
	const char *allowed;	/* placeholders, space-separated */
};

#define CH "code hotline"

static const struct mx_def mx_defs[MX_NUM] = {
	[MX_ITEM] = { "item", MK_LINE, "key label" },
	[MX_BACK] = { "back", MK_LINE, "" },
	[MX_MORE] = { "more", MK_LINE, "" },
	[MX_MORE_BACK] = { "more_back", MK_LINE, "" },
	[MX_INVALID] = { "invalid", MK_LINE, "" },
	[MX_ENDED] = { "ended", MK_FINAL, CH },
	[MX_TIMEOUT] = { "timeout", MK_FINAL, CH },
	[MX_ERROR] = { "error", MK_FINAL, CH },
	[MX_BUSY] = { "busy", MK_FINAL, CH },
	[MX_REGIONS] = { "regions", MK_LINE, "" },
	[MX_REGION_ITEM] = { "region_item", MK_LINE, "region" },
	[MX_REGION_HOME] = { "region_home", MK_LINE, "region" },
	[MX_GROUPS] = { "groups", MK_LINE, "region" },
	[MX_GROUPS_NONE] = { "groups_none", MK_LINE, "region" },
	[MX_GROUP_ITEM] = { "group_item", MK_LINE, "group" },
	[MX_COURSES] = { "courses", MK_LINE, "region group" },
	[MX_COURSE_ITEM] = { "course_item", MK_LINE,
			     "course code level start end seats amount"
			     " institution" },
	[MX_DETAIL] = { "detail", MK_SCREEN,
			"course code level institution start end deadline"
			" seats amount" },
	[MX_WARN_YEAR] = { "warn_year", MK_LINE, "count" },
	[MX_WARN_SAME] = { "warn_same", MK_LINE, "occupation level" },
	[MX_CONFIRM] = { "confirm", MK_LINE, "" },
	[MX_REFUSE_FULL] = { "refuse_full", MK_LINE, "" },
	[MX_REFUSE_DUP] = { "refuse_dup", MK_LINE, "" },
	[MX_REFUSE_CLOSED] = { "refuse_closed", MK_LINE, "date" },
	[MX_REFUSE_GONE] = { "refuse_gone", MK_LINE, "" },
	[MX_ENROLLED] = { "enrolled", MK_SCREEN,
			  "number course code start institution" },
	[MX_REG_ID] = { "reg_id", MK_SCREEN, "" },
	[MX_REG_BAD_ID] = { "reg_bad_id", MK_LINE, "" },
	[MX_REG_NAME] = { "reg_name", MK_SCREEN, "" },
	[MX_REG_DONE] = { "reg_done", MK_LINE, "name" },
	[MX_NOTICES] = { "notices", MK_LINE, "" },
	[MX_NOTICE_ITEM] = { "notice_item", MK_LINE, "date text" },
	[MX_NOTICES_NONE] = { "notices_none", MK_LINE, "" },
	[MX_ASK_CHECKIN] = { "ask_checkin", MK_SCREEN, "" },
	[MX_ASK_RATE] = { "ask_rate", MK_SCREEN, "course" },
	[MX_ASK_EMPLOYMENT] = { "ask_employment", MK_SCREEN, "course" },
};

struct menu_load {
	struct tmpl_problems pr;
	struct menu *m;
	bool texts_ok;		/* the screens can be measured */
};

/* ------------------------------------------------------------------ */
/* Texts                                                               */

/* Braces must form known placeholders: "{name}" with a name of the key. */
static void ml_check_tpl(struct menu_load *ld, const config_setting_t *s,
			 const char *what, const char *tpl,
			 const char *allowed)
{
	const char *p = tpl;

	while ((p = strpbrk(p, "{}"))) {
		size_t n = *p == '{' ? tmpl_name_len(p + 1) : 0;

		if (!n) {
			tmpl_report(&ld->pr, s, "%s: stray brace at \"%.12s\"",
				    what, p);
			return;
		}
		if (!tmpl_allowed(allowed, p + 1, n)) {
			tmpl_report(&ld->pr, s, "%s: unknown placeholder "
				    "{%.*s} (allowed: %s)", what, (int)n, p + 1,
				    *allowed ? allowed : "none");
		}
		p += n + 2;
	}
}

static bool ml_utf8_ok(const char *s)
{
	return fmt_utf8_chars(s) >= 0;
}

static void ml_texts(struct menu_load *ld, const config_setting_t *g)
{
	int i, n = g ? config_setting_length(g) : 0;
	unsigned k;

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);

		for (k = 0; k < MX_NUM && strcmp(mx_defs[k].key, name); k++)
			;
		if (k == MX_NUM)
			tmpl_report(&ld->pr, s, "texts.%s: unknown text", name);
	}
	for (k = 0; k < MX_NUM; k++) {
		const config_setting_t *s = g ?
			config_setting_get_member(g, mx_defs[k].key) : NULL;
		const char *v = s ? config_setting_get_string(s) : NULL;

		if (!s) {
			tmpl_report(&ld->pr, g, "texts.%s: missing",
				    mx_defs[k].key);
		} else if (!v) {
			tmpl_report(&ld->pr, s, "texts.%s: must be a string in "
				    "double quotes", mx_defs[k].key);
		} else if (!ml_utf8_ok(v)) {
			tmpl_report(&ld->pr, s, "texts.%s: not valid UTF-8",
				    mx_defs[k].key);
		} else {
			if (mx_defs[k].kind == MK_LINE && strchr(v, '\n'))
				tmpl_report(&ld->pr, s, "texts.%s: must be one "
					    "line", mx_defs[k].key);
			char what[MENU_PATH_MAX];

			snprintf(what, sizeof(what), "texts.%s",
				 mx_defs[k].key);
			ml_check_tpl(ld, s, what, v, mx_defs[k].allowed);
			ld->m->text[k] = talloc_strdup(ld->m, v);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Screens                                                             */

/* Report members of g other than the names in ok (space-separated). */
static void ml_members(struct menu_load *ld, const config_setting_t *g,
		       const char *path, const char *ok)
{
	int i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);

		if (!tmpl_allowed(ok, name, strlen(name)))
			tmpl_report(&ld->pr, s, "%s%s%s: unknown setting "
				    "(allowed: %s)", path, *path ? "." : "",
				    name, ok);
	}
}

/* A string member: its value, or NULL (reported when required). */
static const char *ml_string(struct menu_load *ld, const config_setting_t *g,
			     const char *path, const char *name,
			     bool required)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v = s ? config_setting_get_string(s) : NULL;

	if (!s && required)
		tmpl_report(&ld->pr, g, "%s.%s: missing", path, name);
	else if (s && (!v || !*v))
		tmpl_report(&ld->pr, s, "%s.%s: must be a non-empty string",
			    path, name);
	else if (v && !ml_utf8_ok(v))
		tmpl_report(&ld->pr, s, "%s.%s: not valid UTF-8", path, name);
	else
		return v;
	return NULL;
}

/* Target names are resolved in the second pass: keep them meanwhile. */
struct ml_target {
	const config_setting_t *set;	/* the item, for its line */
	const char *screen;		/* target screen name or NULL */
};

static void ml_item(struct menu_load *ld, const config_setting_t *g,
		    const char *path, struct menu_item *it,
		    struct ml_target *t)
{
	const char *label, *action, *screen;

	t->set = g;
	if (!config_setting_is_group(g)) {
		tmpl_report(&ld->pr, g, "%s: must be a group { label = ...; "
			    "action = ...; }", path);
		return;
	}
	ml_members(ld, g, path, "label action screen");
	label = ml_string(ld, g, path, "label", true);
	action = ml_string(ld, g, path, "action", false);
	screen = ml_string(ld, g, path, "screen", false);
	if (label && strchr(label, '\n'))
		tmpl_report(&ld->pr, g, "%s.label: must be one line", path);
	if (!config_setting_get_member(g, "action") ==
	    !config_setting_get_member(g, "screen"))
		tmpl_report(&ld->pr, g, "%s: needs action or screen (one of "
			    "them)", path);
	else if (action && !menu_action_known(action))
		tmpl_report(&ld->pr, config_setting_get_member(g, "action"),
			    "%s.action: unknown action \"%s\" (known: %s)",
			    path, action, menu_action_names());
	it->label = label ? talloc_strdup(ld->m, label) : "";
	it->action = action ? talloc_strdup(ld->m, action) : NULL;
	t->screen = screen;
}

static void ml_screen(struct menu_load *ld, const config_setting_t *g,
		      struct menu_screen *sc, struct ml_target *t)
{
	const config_setting_t *items = config_setting_get_member(g, "items");
	char path[MENU_PATH_MAX], ipath[MENU_PATH_MAX + 24];
	const char *title;
	int i, n;

	snprintf(path, sizeof(path), "menu.%s", config_setting_name(g));
	sc->name = talloc_strdup(ld->m, config_setting_name(g));
	ml_members(ld, g, path, "title items");
	title = ml_string(ld, g, path, "title", true);
	sc->title = talloc_strdup(ld->m, title ? title : "");
	n = items ? config_setting_length(items) : 0;
	if (!items || !config_setting_is_list(items) || n < 1) {
		tmpl_report(&ld->pr, items ? items : g, "%s.items: must be a "
			    "list of 1..%d items ( { label = ...; ... }, ... )",
			    path, MENU_ITEMS_MAX);
		return;
	}
	if (n > MENU_ITEMS_MAX)
		tmpl_report(&ld->pr,
			    config_setting_get_elem(items, MENU_ITEMS_MAX),
			    "%s.items: more than %d items (9 and 0 are paging "
			    "and back)", path, MENU_ITEMS_MAX);
	for (i = 0; i < n && i < MENU_ITEMS_MAX; i++) {
		snprintf(ipath, sizeof(ipath), "%s.items.[%d]", path, i);
		ml_item(ld, config_setting_get_elem(items, i), ipath,
			&sc->item[i], &t[i]);
	}
	sc->n_items = i;
}

/* ------------------------------------------------------------------ */
/* Second pass: targets and sizes                                      */

static const struct menu_screen *ml_find(const struct menu *m,
					 const char *name)
{
	unsigned i;

	for (i = 0; i < m->n_screens; i++)
		if (!strcmp(m->screens[i].name, name))
			return &m->screens[i];
	return NULL;
}

static void ml_targets(struct menu_load *ld, struct menu_screen *sc,
		       const struct ml_target *t)
{
	unsigned i;

	for (i = 0; i < sc->n_items; i++) {
		if (!t[i].screen)
			continue;
		sc->item[i].screen = ml_find(ld->m, t[i].screen);
		if (!sc->item[i].screen)
			tmpl_report(&ld->pr, t[i].set, "menu.%s.items.[%u]."
				    "screen: no screen named \"%s\"", sc->name,
				    i, t[i].screen);
	}
}

/* text with the reserve line above it fits, else a problem at s. */
static void ml_fit(struct menu_load *ld, const config_setting_t *s,
		   const char *what, const char *text)
{
	char buf[2 * MENU_SCREEN_MAX];
	unsigned units, limit;

	snprintf(buf, sizeof(buf), "%s\n%s", ld->m->reserve, text);
	units = menu_units(ld->m, buf, &limit);
	if (units > limit)
		tmpl_report(&ld->pr, s, "%s: %u characters with a one-line "
			    "error above it, over the screen limit of %u",
			    what, units, limit);
}

static void ml_fit_screen(struct menu_load *ld, const config_setting_t *g,
			  const struct menu_screen *sc)
{
	char buf[MENU_SCREEN_MAX], what[MENU_PATH_MAX];

	snprintf(what, sizeof(what), "menu.%s", sc->name);
	menu_screen_text(ld->m, sc, sc != ld->m->root, buf, sizeof(buf));
	ml_fit(ld, g, what, buf);
}

/* A prompt naming a course, with a long course name and "0 返回". */
static void ml_fit_prompt(struct menu_load *ld, const config_setting_t *s,
			  const char *what, enum menu_text k)
{
	const struct texts_val v = { "course", ML_SAMPLE_COURSE };
	char buf[MENU_SCREEN_MAX];
	size_t n = menu_render(ld->m, k, &v, 1, buf, sizeof(buf));

	snprintf(buf + n, sizeof(buf) - n, "\n%s", ld->m->text[MX_BACK]);
	ml_fit(ld, s, what, buf);
}

/* The texts that are a whole screen by themselves. */
static void ml_fit_texts(struct menu_load *ld, const config_setting_t *g)
{
	char buf[MENU_SCREEN_MAX], what[MENU_PATH_MAX];
	unsigned k, units, limit;

	for (k = 0; k < MX_NUM; k++) {
		const config_setting_t *s = config_setting_get_member(g,
							mx_defs[k].key);

		snprintf(what, sizeof(what), "texts.%s", mx_defs[k].key);
		if (mx_defs[k].kind == MK_FINAL) {
			menu_render(ld->m, k, NULL, 0, buf, sizeof(buf));
			units = menu_units(ld->m, buf, &limit);
			if (units > limit)
				tmpl_report(&ld->pr, s, "%s: %u characters, "
					    "over the screen limit of %u",
					    what, units, limit);
		} else if (k == MX_REG_ID || k == MX_REG_NAME ||
			   k == MX_ASK_CHECKIN) {
			snprintf(buf, sizeof(buf), "%s\n%s", ld->m->text[k],
				 ld->m->text[MX_BACK]);
			ml_fit(ld, s, what, buf);
		} else if (k == MX_ASK_RATE || k == MX_ASK_EMPLOYMENT) {
			ml_fit_prompt(ld, s, what, k);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static void ml_menu(struct menu_load *ld, const config_setting_t *g)
{
	struct ml_target (*t)[MENU_ITEMS_MAX];
	const config_setting_t **set;
	struct menu *m = ld->m;
	unsigned i, n = g ? config_setting_length(g) : 0;

	if (!g || !config_setting_is_group(g)) {
		tmpl_report(&ld->pr, g, "menu: missing (a group of screens)");
		return;
	}
	m->screens = talloc_zero_array(m, struct menu_screen, n ? n : 1);
	t = calloc(n ? n : 1, sizeof(*t));
	set = calloc(n ? n : 1, sizeof(*set));
	if (!m->screens || !t || !set) {
		tmpl_report(&ld->pr, g, "menu: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);

		if (!config_setting_is_group(s)) {
			tmpl_report(&ld->pr, s, "menu.%s: must be a group "
				    "{ title = ...; items = ( ... ); }",
				    config_setting_name(s));
			continue;
		}
		set[m->n_screens] = s;
		ml_screen(ld, s, &m->screens[m->n_screens], t[m->n_screens]);
		m->n_screens++;
	}
	m->root = ml_find(m, MENU_ROOT);
	if (!m->root)
		tmpl_report(&ld->pr, g, "menu.%s: missing (the main menu)",
			    MENU_ROOT);
	for (i = 0; i < m->n_screens; i++)
		ml_targets(ld, &m->screens[i], t[i]);
	for (i = 0; i < m->n_screens && ld->texts_ok; i++)
		ml_fit_screen(ld, set[i], &m->screens[i]);
out:
	free(t);
	free(set);
}

static struct menu *ml_new(void *ctx, const struct menu_params *p)
{
	struct menu *m = talloc_zero(ctx, struct menu);

	if (!m)
		return NULL;
	talloc_set_name_const(m, "menu");
	m->screen_gsm = p->screen_gsm;
	m->screen_ucs2 = p->screen_ucs2;
	m->code = talloc_strdup(m, p->service_code ? p->service_code : "");
	m->hotline = talloc_strdup(m, p->hotline ? p->hotline : "");
	return m;
}

struct menu *menu_load(void *ctx, const char *path,
		       const struct menu_params *p, FILE *err, int *n_err)
{
	struct menu_load ld = { .pr.file = path };
	config_t cf;

	ld.m = ml_new(ctx, p);
	if (!ld.m)
		return NULL;
	config_init(&cf);
	if (!config_read_file(&cf, path)) {
		tmpl_parse_error(&ld.pr, &cf, err);
	} else {
		const config_setting_t *root = config_root_setting(&cf);
		const config_setting_t *tx = config_setting_get_member(root,
								       "texts");

		ml_members(&ld, root, "", "menu texts");
		ml_texts(&ld, tx);
		ld.texts_ok = ld.pr.n == 0;
		if (ld.texts_ok) {
			menu_set_reserve(ld.m);
			ml_fit_texts(&ld, tx);
		}
		ml_menu(&ld, config_setting_get_member(root, "menu"));
	}
	tmpl_flush(&ld.pr, err);
	config_destroy(&cf);
	if (n_err)
		*n_err = ld.pr.n;
	if (ld.pr.n) {
		talloc_free(ld.m);
		return NULL;
	}
	return ld.m;
}

void menu_free(struct menu *m)
{
	talloc_free(m);
}

const struct menu_screen *menu_root(const struct menu *m)
{
	return m->root;
}
