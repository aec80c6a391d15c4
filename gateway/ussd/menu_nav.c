/*
 * menu_nav.c - the USSD menu engine: one dialogue's place in the menus and
 * what each answer does (see menu.h).
 *
 * A dialogue is always on one view: a static screen of the menu file, a
 * paged text (subsidies, record, notices, a final message), one of the
 * enrolment lists (regions, groups, courses), a course's detail, a
 * registration prompt, or a question of training quality (checkin, rate,
 * employment: its prompt, whose answer is the next input). Showing a view renders it once into s->shown and
 * lists what each key does in s->choice; an answer is looked up there, so
 * a wrong or empty one repeats exactly the screen that was shown, with a
 * one-line error above it (every page keeps room for that line). "00"
 * goes to the main menu from anywhere, "0" back to where the view was
 * opened from, "9" to the next page.
 *
 * Actions (nav_actions) are the table that menu_load checks item names
 * against. A personal one (subsidy, record, enrol) on a number that is not
 * bound to a worker first asks for the resident ID and the name, and runs
 * once registration succeeds, with "绑定成功" above its first screen.
 *
 * Every database call goes through the actions the handlers registered
 * (struct menu_actions in e->act); this file includes no handler header.
 * When one fails, the dialogue ends with the polite MX_ERROR screen.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/db.h"
#include "gateway/text/input.h"
#include "gateway/log.h"
#include "gateway/ussd/menu.h"
#include "menu_priv.h"
#include "gateway/text/msisdn.h"

#define NAV_DEPTH	8	/* static screens remembered for "0" */
#define NAV_CHOICES	(MENU_ITEMS_MAX + 3)	/* items, 9, 0, 1 */

enum nav_view {
	NV_SCREEN,	/* a static screen of the menu file */
	NV_PAGES,	/* a text, paged */
	NV_REGION,	/* enrolment: which region */
	NV_GROUP,	/* ... which occupation group */
	NV_COURSES,	/* ... which course, a page of them */
	NV_DETAIL,	/* ... this course: 1 确认报名 */
	NV_REG_ID,	/* registration: the resident ID */
	NV_REG_NAME,	/* ... the name */
	NV_ASK,		/* a question of training quality: its answer */
};

static const char *const nav_view_names[] = {
	[NV_SCREEN] = "screen", [NV_PAGES] = "text",
	[NV_REGION] = "regions", [NV_GROUP] = "groups",
	[NV_COURSES] = "courses", [NV_DETAIL] = "detail",
	[NV_REG_ID] = "register-id", [NV_REG_NAME] = "register-name",
	[NV_ASK] = "question",
};

enum nav_go {
	GO_SCREEN,	/* open a static screen */
	GO_ACTION,	/* run an action */
	GO_BACK,	/* 0 */
	GO_NEXT,	/* 9 */
	GO_PICK,	/* an item of a list */
	GO_CONFIRM,	/* enrol in s->code */
};

struct nav_action;

struct nav_choice {
	char key[12];
	enum nav_go go;
	const struct menu_screen *screen;	/* GO_SCREEN */
	const struct nav_action *action;	/* GO_ACTION */
	unsigned index;				/* GO_PICK: s->items[] */
};

struct menu_sess {
	const struct menu *m;
	char msisdn[MSISDN_MAX];
	enum nav_view view;
	const struct menu_screen *screen;	/* on it, or opened from it */
	const struct menu_screen *hist[NAV_DEPTH];
	unsigned depth;
	const struct nav_action *pending;	/* after registration */
	enum menu_ask ask;			/* NV_ASK: which */
	char reg_id[MENU_ID_MAX];
	char region[MENU_ARG_MAX], region_name[MENU_NAME_MAX];
	char group[MENU_ARG_MAX];
	char code[MENU_ARG_MAX];
	unsigned first;			/* this page's first line or item */
	unsigned next;			/* the next page's */
	unsigned course_first;		/* the course page of a detail */
	bool end_after;			/* NV_PAGES: the last page ends */
	bool can_enrol;			/* NV_DETAIL */
	char **lines;			/* NV_PAGES, NV_DETAIL (talloc) */
	unsigned n_lines;
	struct menu_choice *items;	/* the lists (talloc) */
	unsigned n_items;
	char note[MENU_LINE_MAX];	/* above the next screen, once */
	char sms[MENU_SMS_MAX];		/* to send with the next screen */
	char shown[MENU_SCREEN_MAX];	/* the view as last shown */
	struct nav_choice choice[NAV_CHOICES];
	unsigned n_choice;
	bool ends;			/* what is shown ends the dialogue */
};

struct nav_action {
	const char *name;
	bool personal;		/* only for a number bound to a worker */
	int (*run)(struct menu_sess *s, const struct menu_env *e);
};

static int nav_subsidy(struct menu_sess *s, const struct menu_env *e);
static int nav_record(struct menu_sess *s, const struct menu_env *e);
static int nav_notices(struct menu_sess *s, const struct menu_env *e);
static int nav_optout(struct menu_sess *s, const struct menu_env *e);
static int nav_optin(struct menu_sess *s, const struct menu_env *e);
static int nav_enrol(struct menu_sess *s, const struct menu_env *e);
static int nav_checkin(struct menu_sess *s, const struct menu_env *e);
static int nav_rate(struct menu_sess *s, const struct menu_env *e);
static int nav_employment(struct menu_sess *s, const struct menu_env *e);

static const struct nav_action nav_actions[] = {
	{ "subsidy", true, nav_subsidy },
	{ "enrol", true, nav_enrol },
	{ "record", true, nav_record },
	{ "notices", false, nav_notices },
	{ "optout", false, nav_optout },
	{ "optin", false, nav_optin },
	{ "checkin", true, nav_checkin },
	{ "rate", true, nav_rate },
	{ "employment", true, nav_employment },
};

#define NAV_N_ACTIONS	(sizeof(nav_actions) / sizeof(nav_actions[0]))

static const struct nav_action *nav_action(const char *name)
{
	unsigned i;

	for (i = 0; name && i < NAV_N_ACTIONS; i++)
		if (!strcmp(nav_actions[i].name, name))
			return &nav_actions[i];
	return NULL;
}

bool menu_action_known(const char *name)
{
	return nav_action(name) != NULL;
}

const char *menu_action_names(void)
{
	static char names[NAV_N_ACTIONS * 12];
	size_t len = 0;
	unsigned i;

	if (names[0])
		return names;
	for (i = 0; i < NAV_N_ACTIONS; i++)
		len += snprintf(names + len, sizeof(names) - len, "%s%s",
				i ? " " : "", nav_actions[i].name);
	return names;
}

/* ------------------------------------------------------------------ */
/* Choices                                                             */

static struct nav_choice *nav_add(struct menu_sess *s, const char *key,
				  enum nav_go go)
{
	struct nav_choice *c = &s->choice[s->n_choice];

	OSMO_ASSERT(s->n_choice < NAV_CHOICES);
	s->n_choice++;
	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->go = go;
	return c;
}

static void nav_add_pick(struct menu_sess *s, unsigned key, unsigned index)
{
	char k[12];

	snprintf(k, sizeof(k), "%u", key);
	nav_add(s, k, GO_PICK)->index = index;
}

static const struct nav_choice *nav_find(const struct menu_sess *s,
					 const char *key)
{
	unsigned i;

	for (i = 0; i < s->n_choice; i++)
		if (!strcmp(s->choice[i].key, key))
			return &s->choice[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Showing a view                                                      */

static const char *nav_text(const struct menu_sess *s, enum menu_text id)
{
	return menu_text_get(s->m, id);
}

static void nav_show_screen(struct menu_sess *s)
{
	const struct menu_screen *sc = s->screen;
	unsigned i;

	menu_screen_text(s->m, sc, s->depth > 0, s->shown, sizeof(s->shown));
	for (i = 0; i < sc->n_items; i++) {
		char k[12];
		struct nav_choice *c;

		snprintf(k, sizeof(k), "%u", i + 1);
		c = nav_add(s, k, sc->item[i].screen ? GO_SCREEN : GO_ACTION);
		c->screen = sc->item[i].screen;
		c->action = nav_action(sc->item[i].action);
	}
	if (s->depth > 0)
		nav_add(s, MENU_KEY_BACK, GO_BACK);
}

/* A text: "9 下一页  0 返回", or for a final text "9 下一页" and nothing
 * on its last page, which ends the dialogue. */
static void nav_show_pages(struct menu_sess *s)
{
	bool more;
	unsigned k;

	k = menu_page(s->m, NULL, NULL, (const char *const *)s->lines,
		      s->n_lines, s->first, false, false,
		      nav_text(s, s->end_after ? MX_MORE : MX_MORE_BACK),
		      s->end_after ? "" : nav_text(s, MX_BACK), s->shown,
		      sizeof(s->shown), &more);
	s->next = s->first + k;
	if (more)
		nav_add(s, MENU_KEY_NEXT, GO_NEXT);
	if (!s->end_after)
		nav_add(s, MENU_KEY_BACK, GO_BACK);
	s->ends = s->end_after && !more;
}

/* A question's prompt over "0 返回" (a prompt too long for the screen is
 * cut: its answer is the next input, there is no next page). */
static void nav_show_ask(struct menu_sess *s)
{
	bool more;

	menu_page(s->m, NULL, NULL, (const char *const *)s->lines, s->n_lines,
		  0, false, false, nav_text(s, MX_BACK), nav_text(s, MX_BACK),
		  s->shown, sizeof(s->shown), &more);
	nav_add(s, MENU_KEY_BACK, GO_BACK);
}

/* A list under its title, numbered from 1 on each page. n_fetched: the
 * items held (from s->first for courses, from 0 for the others). */
static void nav_show_list(struct menu_sess *s, const char *title,
			  unsigned base, bool force_more)
{
	const char *labels[MENU_LIST_MAX];
	unsigned i, k, n = s->n_items < MENU_LIST_MAX ? s->n_items :
			   MENU_LIST_MAX;
	bool more;

	for (i = 0; i < n; i++)
		labels[i] = s->items[i].label;
	k = menu_page(s->m, NULL, title, labels, n, s->first - base, true,
		      force_more, nav_text(s, MX_MORE_BACK),
		      nav_text(s, MX_BACK), s->shown, sizeof(s->shown), &more);
	for (i = 0; i < k; i++)
		nav_add_pick(s, i + 1, s->first - base + i);
	s->next = s->first + k;
	if (more)
		nav_add(s, MENU_KEY_NEXT, GO_NEXT);
	nav_add(s, MENU_KEY_BACK, GO_BACK);
}

static void nav_show_detail(struct menu_sess *s)
{
	char more_f[MENU_LINE_MAX], last_f[MENU_LINE_MAX];
	bool more;
	unsigned k;

	snprintf(more_f, sizeof(more_f), "%s%s%s", s->can_enrol ?
		 nav_text(s, MX_CONFIRM) : "", s->can_enrol ? "\n" : "",
		 nav_text(s, MX_MORE_BACK));
	snprintf(last_f, sizeof(last_f), "%s%s%s", s->can_enrol ?
		 nav_text(s, MX_CONFIRM) : "", s->can_enrol ? "\n" : "",
		 nav_text(s, MX_BACK));
	k = menu_page(s->m, NULL, NULL, (const char *const *)s->lines,
		      s->n_lines, s->first, false, false, more_f, last_f,
		      s->shown, sizeof(s->shown), &more);
	s->next = s->first + k;
	if (s->can_enrol)
		nav_add(s, "1", GO_CONFIRM);
	if (more)
		nav_add(s, MENU_KEY_NEXT, GO_NEXT);
	nav_add(s, MENU_KEY_BACK, GO_BACK);
}

static void nav_show_prompt(struct menu_sess *s, enum menu_text id)
{
	snprintf(s->shown, sizeof(s->shown), "%s\n%s", nav_text(s, id),
		 nav_text(s, MX_BACK));
	nav_add(s, MENU_KEY_BACK, GO_BACK);
}

static int nav_show_courses(struct menu_sess *s, const struct menu_env *e)
{
	char title[MENU_LINE_MAX];
	bool more = false;
	int rc;

	TALLOC_FREE(s->items);
	s->n_items = 0;
	rc = e->act->courses(e, s->region, s->group, s->first, MENU_ITEMS_MAX,
			  s, &s->items, &s->n_items, &more);
	if (rc < 0)
		return rc;
	if (!s->n_items) {	/* taken meanwhile */
		menu_render(s->m, MX_GROUPS_NONE, (struct texts_val[]){
			{ "region", s->region_name } }, 1, title, sizeof(title));
		snprintf(s->shown, sizeof(s->shown), "%s\n%s", title,
			 nav_text(s, MX_BACK));
		nav_add(s, MENU_KEY_BACK, GO_BACK);
		return 0;
	}
	menu_render(s->m, MX_COURSES, (struct texts_val[]){
		{ "region", s->region_name }, { "group", s->group } }, 2,
		title, sizeof(title));
	nav_show_list(s, title, s->first, more);
	return 0;
}

static void nav_show_groups(struct menu_sess *s)
{
	char title[MENU_LINE_MAX];
	struct texts_val v = { "region", s->region_name };

	if (!s->n_items) {
		menu_render(s->m, MX_GROUPS_NONE, &v, 1, title, sizeof(title));
		snprintf(s->shown, sizeof(s->shown), "%s\n%s", title,
			 nav_text(s, MX_BACK));
		nav_add(s, MENU_KEY_BACK, GO_BACK);
		return;
	}
	menu_render(s->m, MX_GROUPS, &v, 1, title, sizeof(title));
	nav_show_list(s, title, 0, false);
}

/* Render the view into s->shown and s->choice. */
static int nav_render(struct menu_sess *s, const struct menu_env *e)
{
	s->n_choice = 0;
	s->ends = false;
	switch (s->view) {
	case NV_SCREEN:
		nav_show_screen(s);
		return 0;
	case NV_PAGES:
		nav_show_pages(s);
		return 0;
	case NV_REGION:
		nav_show_list(s, nav_text(s, MX_REGIONS), 0, false);
		return 0;
	case NV_GROUP:
		nav_show_groups(s);
		return 0;
	case NV_COURSES:
		return nav_show_courses(s, e);
	case NV_DETAIL:
		nav_show_detail(s);
		return 0;
	case NV_REG_ID:
		nav_show_prompt(s, MX_REG_ID);
		return 0;
	case NV_REG_NAME:
		nav_show_prompt(s, MX_REG_NAME);
		return 0;
	case NV_ASK:
		nav_show_ask(s);
		return 0;
	}
	return 0;
}

/* top (an error or a note) above what is shown, when it still fits. */
static void nav_out(struct menu_sess *s, const char *top,
		    struct menu_out *out)
{
	out->end = s->ends;
	out->failed = false;
	if (top && *top &&
	    snprintf(out->text, sizeof(out->text), "%s\n%s", top, s->shown) <
	    (int)sizeof(out->text) && menu_fits(s->m, out->text))
		return;
	snprintf(out->text, sizeof(out->text), "%s", s->shown);
}

static int nav_present(struct menu_sess *s, const struct menu_env *e,
		       struct menu_out *out)
{
	int rc = nav_render(s, e);

	if (rc < 0)
		return rc;
	nav_out(s, s->note, out);
	s->note[0] = '\0';
	if (s->sms[0]) {
		OSMO_STRLCPY_ARRAY(out->sms, s->sms);
		s->sms[0] = '\0';
	}
	return 0;
}

/* The screen again, with the error line id above it. */
static int nav_invalid(struct menu_sess *s, enum menu_text id,
		       struct menu_out *out)
{
	nav_out(s, nav_text(s, id), out);
	return 0;
}

static int nav_fail(struct menu_sess *s, int rc, struct menu_out *out)
{
	LOGP(DUSSD, db_fail_level(), "%s: %s: %s, the dialogue ends\n", log_num(s->msisdn),
	     nav_view_names[s->view], strerror(-rc));
	menu_render(s->m, MX_ERROR, NULL, 0, out->text, sizeof(out->text));
	out->end = true;
	out->failed = true;
	s->ends = true;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Going places                                                        */

static void nav_clear(struct menu_sess *s)
{
	TALLOC_FREE(s->lines);
	TALLOC_FREE(s->items);
	s->n_lines = s->n_items = 0;
	s->first = s->next = 0;
}

/* Show text as pages; end_after: it is the final screen. */
static int nav_pages(struct menu_sess *s, const char *text, bool end_after)
{
	nav_clear(s);
	s->lines = menu_split(s->m, s, text, &s->n_lines);
	if (!s->lines)
		return -ENOMEM;
	s->view = NV_PAGES;
	s->end_after = end_after;
	return 0;
}

static int nav_regions(struct menu_sess *s, const struct menu_env *e)
{
	nav_clear(s);
	s->view = NV_REGION;
	return e->act->regions(e, s->msisdn, s, &s->items, &s->n_items);
}

static int nav_groups(struct menu_sess *s, const struct menu_env *e)
{
	nav_clear(s);
	s->view = NV_GROUP;
	return e->act->groups(e, s->region, s, &s->items, &s->n_items);
}

static int nav_detail(struct menu_sess *s, const struct menu_env *e)
{
	char text[MENU_SCREEN_MAX * 2];
	int rc;

	rc = e->act->detail(e, s->msisdn, s->code, text, sizeof(text),
			 &s->can_enrol);
	if (rc < 0)
		return rc;
	nav_clear(s);
	s->lines = menu_split(s->m, s, text, &s->n_lines);
	if (!s->lines)
		return -ENOMEM;
	s->view = NV_DETAIL;
	return 0;
}

static int nav_confirm(struct menu_sess *s, const struct menu_env *e)
{
	char text[TEXTS_MAX];
	int rc = e->act->enrol(e, s->msisdn, s->code, text, sizeof(text),
			       s->sms, sizeof(s->sms));

	return rc < 0 ? rc : nav_pages(s, text, true);
}

static void nav_home(struct menu_sess *s)
{
	nav_clear(s);
	s->view = NV_SCREEN;
	s->screen = menu_root(s->m);
	s->depth = 0;
	s->pending = NULL;
}

static int nav_back(struct menu_sess *s, const struct menu_env *e)
{
	switch (s->view) {
	case NV_SCREEN:
		if (s->depth)
			s->screen = s->hist[--s->depth];
		return 0;
	case NV_GROUP:
		return nav_regions(s, e);
	case NV_COURSES:
		return nav_groups(s, e);
	case NV_DETAIL:
		nav_clear(s);
		s->view = NV_COURSES;
		s->first = s->course_first;
		return 0;
	default:	/* texts, regions, prompts: the screen they came from */
		nav_clear(s);
		s->view = NV_SCREEN;
		s->pending = NULL;
		return 0;
	}
}

static int nav_pick(struct menu_sess *s, const struct menu_env *e,
		    unsigned index)
{
	const struct menu_choice *it = &s->items[index];

	switch (s->view) {
	case NV_REGION:
		snprintf(s->region, sizeof(s->region), "%.*s",
			 (int)sizeof(s->region) - 1, it->arg);
		snprintf(s->region_name, sizeof(s->region_name), "%.*s",
			 (int)sizeof(s->region_name) - 1, it->name);
		return nav_groups(s, e);
	case NV_GROUP:
		snprintf(s->group, sizeof(s->group), "%.*s",
			 (int)sizeof(s->group) - 1, it->arg);
		nav_clear(s);
		s->view = NV_COURSES;
		return 0;
	case NV_COURSES:
		snprintf(s->code, sizeof(s->code), "%.*s",
			 (int)sizeof(s->code) - 1, it->arg);
		s->course_first = s->first;
		return nav_detail(s, e);
	default:
		return 0;
	}
}

static void nav_push(struct menu_sess *s, const struct menu_screen *to)
{
	if (s->depth == NAV_DEPTH) {	/* forget the oldest */
		memmove(s->hist, s->hist + 1, (NAV_DEPTH - 1) *
			sizeof(s->hist[0]));
		s->depth--;
	}
	s->hist[s->depth++] = s->screen;
	s->screen = to;
}

/* Run an action, asking for registration first when it is personal and
 * the number is not bound. */
static int nav_run(struct menu_sess *s, const struct menu_env *e,
		   const struct nav_action *a)
{
	char text[TEXTS_MAX];
	int rc;

	if (!a->personal)
		return a->run(s, e);
	rc = e->act->bound(e, s->msisdn);
	if (rc != 0)
		return rc < 0 ? rc : a->run(s, e);
	rc = e->act->reg_locked(e, s->msisdn, text, sizeof(text));
	if (rc != 0)
		return rc < 0 ? rc : nav_pages(s, text, true);
	nav_clear(s);
	s->pending = a;
	s->view = NV_REG_ID;
	return 0;
}

static int nav_go(struct menu_sess *s, const struct menu_env *e,
		  const struct nav_choice *c)
{
	switch (c->go) {
	case GO_SCREEN:
		nav_push(s, c->screen);
		return 0;
	case GO_ACTION:
		return nav_run(s, e, c->action);
	case GO_BACK:
		return nav_back(s, e);
	case GO_NEXT:
		s->first = s->next;
		return 0;
	case GO_PICK:
		return nav_pick(s, e, c->index);
	case GO_CONFIRM:
		return nav_confirm(s, e);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */

/* Which content action: subsidy_text, record_text or notices_text. */
enum nav_content { NC_SUBSIDY, NC_RECORD, NC_NOTICES };

static int nav_content(struct menu_sess *s, const struct menu_env *e,
		       enum nav_content which)
{
	const struct menu_actions *a = e->act;
	char *text = NULL;
	int rc = (which == NC_SUBSIDY ? a->subsidy_text :
		  which == NC_RECORD ? a->record_text :
		  a->notices_text)(e, s->msisdn, s, &text);

	if (rc == 0)
		rc = nav_pages(s, text, false);
	talloc_free(text);
	return rc;
}

static int nav_subsidy(struct menu_sess *s, const struct menu_env *e)
{
	return nav_content(s, e, NC_SUBSIDY);
}

static int nav_record(struct menu_sess *s, const struct menu_env *e)
{
	return nav_content(s, e, NC_RECORD);
}

static int nav_notices(struct menu_sess *s, const struct menu_env *e)
{
	return nav_content(s, e, NC_NOTICES);
}

static int nav_opt(struct menu_sess *s, const struct menu_env *e, bool stop)
{
	char text[TEXTS_MAX];
	int rc = e->act->opt_text(e, s->msisdn, stop, text, sizeof(text));

	return rc < 0 ? rc : nav_pages(s, text, true);
}

static int nav_optout(struct menu_sess *s, const struct menu_env *e)
{
	return nav_opt(s, e, true);
}

static int nav_optin(struct menu_sess *s, const struct menu_env *e)
{
	return nav_opt(s, e, false);
}

static int nav_enrol(struct menu_sess *s, const struct menu_env *e)
{
	return nav_regions(s, e);
}

/* A question of training quality: its prompt, or the final text that
 * says there is none to answer. */
static int nav_ask(struct menu_sess *s, const struct menu_env *e,
		   enum menu_ask which)
{
	char text[TEXTS_MAX];
	int rc = e->act->ask(e, s->msisdn, which, text, sizeof(text));

	if (rc <= 0)
		return rc < 0 ? rc : nav_pages(s, text, true);
	nav_clear(s);
	s->lines = menu_split(s->m, s, text, &s->n_lines);
	if (!s->lines)
		return -ENOMEM;
	s->view = NV_ASK;
	s->ask = which;
	return 0;
}

static int nav_checkin(struct menu_sess *s, const struct menu_env *e)
{
	return nav_ask(s, e, MENU_ASK_CHECKIN);
}

static int nav_rate(struct menu_sess *s, const struct menu_env *e)
{
	return nav_ask(s, e, MENU_ASK_RATE);
}

static int nav_employment(struct menu_sess *s, const struct menu_env *e)
{
	return nav_ask(s, e, MENU_ASK_EMPLOYMENT);
}

/* The answer to a question: its final text. */
static int nav_answer(struct menu_sess *s, const struct menu_env *e,
		      const char *in)
{
	char text[TEXTS_MAX];
	int rc = e->act->answer(e, s->msisdn, s->ask, in, text, sizeof(text));

	return rc < 0 ? rc : nav_pages(s, text, true);
}

/* ------------------------------------------------------------------ */
/* Prompts: registration, a question's answer                          */

static int nav_reg_name(struct menu_sess *s, const struct menu_env *e,
			const char *name)
{
	const struct nav_action *a = s->pending;
	char text[TEXTS_MAX];
	int rc;

	rc = e->act->reg(e, s->msisdn, s->reg_id, name, s->note,
			   sizeof(s->note), text, sizeof(text));
	memset(s->reg_id, 0, sizeof(s->reg_id));
	if (rc <= 0)	/* refused: the reason is the final screen */
		return rc < 0 ? rc : nav_pages(s, text, true);
	LOGP(DUSSD, LOGL_INFO, "%s: registered by USSD\n", log_num(s->msisdn));
	s->pending = NULL;
	s->view = NV_SCREEN;
	return a ? a->run(s, e) : 0;
}

/* An answer to a prompt: 1 when it is to be repeated with the error
 * already in out, else 0 or a negative errno. */
static int nav_prompt(struct menu_sess *s, const struct menu_env *e,
		      const char *in, struct menu_out *out)
{
	if (!*in)
		return nav_invalid(s, MX_INVALID, out), 1;
	if (s->view == NV_ASK)
		return nav_answer(s, e, in);
	if (s->view == NV_REG_NAME)
		return nav_reg_name(s, e, in);
	if (!e->act->reg_id(e, in, s->reg_id))
		return nav_invalid(s, MX_REG_BAD_ID, out), 1;
	s->view = NV_REG_NAME;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Steps                                                               */

/* The input as a key: full-width digits folded, spaces trimmed (the name
 * of a registration is only trimmed). */
static void nav_clean(const char *input, bool raw, char *out, size_t cap)
{
	const char *p = input ? input : "";
	size_t n;

	if (!raw) {
		input_normalise(p, strlen(p), out, cap);
		return;
	}
	p += strspn(p, " \t\r\n");
	snprintf(out, cap, "%s", p);
	n = strlen(out);
	while (n && strchr(" \t\r\n", out[n - 1]))
		out[--n] = '\0';
}

/* One answer; out->sms is left as it is (a dial string's answers run as
 * several steps of one request, see menu_begin). */
static int nav_step(struct menu_sess *s, const struct menu_env *e,
		    const char *input, struct menu_out *out)
{
	bool prompt = s->view == NV_REG_ID || s->view == NV_REG_NAME ||
		      s->view == NV_ASK;
	const struct nav_choice *c;
	char in[MENU_INPUT_MAX];
	int rc;

	nav_clean(input, s->view == NV_REG_NAME, in, sizeof(in));
	if (!strcmp(in, MENU_KEY_MAIN)) {
		nav_home(s);
		rc = 0;
	} else if (prompt && strcmp(in, MENU_KEY_BACK)) {
		rc = nav_prompt(s, e, in, out);
		if (rc == 1)
			return 0;
	} else if (!(c = nav_find(s, in))) {
		return nav_invalid(s, MX_INVALID, out);
	} else {
		rc = nav_go(s, e, c);
	}
	if (rc == 0)
		rc = nav_present(s, e, out);
	return rc < 0 ? nav_fail(s, rc, out) : 0;
}

int menu_input(struct menu_sess *s, const struct menu_env *e,
	       const char *input, struct menu_out *out)
{
	out->sms[0] = '\0';
	return nav_step(s, e, input, out);
}

int menu_begin(struct menu_sess *s, const struct menu_env *e,
	       const char *const *inputs, unsigned n, struct menu_out *out)
{
	unsigned i;
	int rc;

	out->sms[0] = '\0';
	nav_home(s);
	rc = nav_present(s, e, out);
	if (rc < 0)
		return nav_fail(s, rc, out);
	for (i = 0; i < n && !out->end; i++) {
		rc = nav_step(s, e, inputs[i], out);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct menu_sess *menu_sess_new(void *ctx, const struct menu *m,
				const char *msisdn)
{
	struct menu_sess *s = talloc_zero(ctx, struct menu_sess);

	if (!s)
		return NULL;
	talloc_set_name_const(s, "menu_sess");
	s->m = m;
	snprintf(s->msisdn, sizeof(s->msisdn), "%s", msisdn);
	nav_home(s);
	return s;
}

void menu_sess_where(const struct menu_sess *s, char *out, size_t cap)
{
	const char *what = "";

	switch (s->view) {
	case NV_SCREEN:
		what = s->screen ? s->screen->name : "";
		break;
	case NV_GROUP:
	case NV_COURSES:
		what = s->region;
		break;
	case NV_DETAIL:
		what = s->code;
		break;
	default:
		break;
	}
	snprintf(out, cap, "%s%s%s", nav_view_names[s->view], *what ? " " : "",
		 what);
}
