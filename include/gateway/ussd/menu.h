/*
 * menu.h - the USSD menus: the tree and texts of conf/ussd_menu.conf, how
 * a screen is measured and paged, and the engine that walks one dialogue
 * through the tree.
 *
 * The file has two groups. "menu" holds the static screens: a title and up
 * to MENU_ITEMS_MAX items, numbered 1.. in the order written, each opening
 * another screen (screen = "NAME") or running an action (action = "NAME",
 * from the table in gateway/menu_nav.c: subsidy, enrol, record, notices,
 * optout, optin). "texts" holds every other text a dialogue shows (lists,
 * course detail, errors, prompts) with named placeholders, like
 * conf/messages.conf. Loading checks it all and reports each problem as
 * "FILE:LINE: menu.SCREEN: reason" (or texts.KEY), all of them.
 *
 * A screen must fit the phone: at most screen_gsm characters when every
 * character is in the GSM 7-bit alphabet (an escaped one counts 2), else
 * screen_ucs2 UTF-16 units, as charset_units() counts them. Static screens
 * are checked at load together with the longest one-line error that may
 * be shown above them; dynamic content (lists, subsidies) is cut
 * into pages at run time, "9 下一页", "0 返回". Keys 9 and 0 are paging and
 * back everywhere, "00" the main menu.
 *
 * The engine (gateway/menu_nav.c) is transport-blind: it takes the input
 * of one step and returns the next screen and whether it ends the dialogue.
 * It never touches the link or HTTP: gateway/ussd.c does.
 */
#ifndef SGW_MENU_H
#define SGW_MENU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway/text/texts.h"

#define MENU_ITEMS_MAX		8	/* keys 1..8 */
#define MENU_SCREEN_MAX		1024	/* bytes of one rendered screen */
#define MENU_LINE_MAX		512	/* bytes of one line */
#define MENU_INPUT_MAX		160	/* bytes of one input kept */
#define MENU_KEY_NEXT		"9"
#define MENU_KEY_BACK		"0"
#define MENU_KEY_MAIN		"00"

/* Texts of the "texts" group. */
enum menu_text {
	MX_ITEM,		/* a numbered line: {key} {label} */
	MX_BACK,		/* footer: 0 返回 */
	MX_MORE,		/* footer of a page with more: 9 下一页 */
	MX_MORE_BACK,		/* both */
	MX_INVALID,		/* one line above a repeated screen */
	MX_ENDED,		/* a step of a dialogue that is gone */
	MX_TIMEOUT,		/* the guard timer ran out */
	MX_ERROR,		/* the database failed */
	MX_BUSY,		/* too many dialogues at once */
	MX_REGIONS,		/* enrolment: title of the region list */
	MX_REGION_ITEM,		/* {region} */
	MX_REGION_HOME,		/* {region}: the worker's own */
	MX_GROUPS,		/* title: {region} */
	MX_GROUPS_NONE,		/* {region} */
	MX_GROUP_ITEM,		/* {group} */
	MX_COURSES,		/* title: {region} {group} */
	MX_COURSE_ITEM,		/* one course of the list */
	MX_DETAIL,		/* a course before confirming */
	MX_WARN_YEAR,		/* would not be subsidised: {count} */
	MX_WARN_SAME,		/* {occupation} {level} */
	MX_CONFIRM,		/* 1 确认报名 */
	MX_REFUSE_FULL,		/* detail: no seat left */
	MX_REFUSE_DUP,		/* detail: enrolled already */
	MX_REFUSE_CLOSED,	/* detail: deadline passed */
	MX_REFUSE_GONE,		/* detail: not open any more */
	MX_ENROLLED,		/* the final screen of an enrolment */
	MX_REG_ID,		/* prompt: the resident ID */
	MX_REG_BAD_ID,		/* one line: that is no resident ID */
	MX_REG_NAME,		/* prompt: the name */
	MX_REG_DONE,		/* one line: bound, {name} */
	MX_NOTICES,		/* title of the latest notices */
	MX_NOTICE_ITEM,		/* {date} {text} */
	MX_NOTICES_NONE,
	MX_NUM
};

struct menu;
struct menu_screen;

/* One item of a static screen: opens a screen or runs an action. */
struct menu_item {
	const char *label;
	const char *action;			/* NULL: opens screen */
	const struct menu_screen *screen;	/* NULL: runs action */
};

struct menu_screen {
	const char *name;			/* its group in the file */
	const char *title;
	unsigned n_items;
	struct menu_item item[MENU_ITEMS_MAX];
};

struct menu_params {
	unsigned screen_gsm;		/* ussd.screen_gsm */
	unsigned screen_ucs2;		/* ussd.screen_ucs2 */
	const char *service_code;	/* {code} */
	const char *hotline;		/* {hotline} */
};

/* Load and check path. Every problem goes to err (may be NULL) as
 * "FILE:LINE: menu.SCREEN: reason"; *n_err (may be NULL) gets the count.
 * The menu (talloc child of ctx) only when there was none, else NULL. */
struct menu *menu_load(void *ctx, const char *path,
		       const struct menu_params *p, FILE *err, int *n_err);
void menu_free(struct menu *m);

/* ---- measuring and rendering (gateway/menu.c) ---- */

/* Units the phone counts for text and the limit that applies: GSM 7-bit
 * septets and screen_gsm when every character has a GSM mapping, else
 * UTF-16 units and screen_ucs2. */
unsigned menu_units(const struct menu *m, const char *text, unsigned *limit);
bool menu_fits(const struct menu *m, const char *text);

/* Render text id with the values v (struct texts_val of texts.h; {code}
 * and {hotline} default to the configuration). Never fails on values; cut
 * at a character boundary when cap is too small. Returns the length. */
size_t menu_render(const struct menu *m, enum menu_text id,
		   const struct texts_val *v, size_t n, char *out, size_t cap);
const char *menu_text_get(const struct menu *m, enum menu_text id);

/* The longest error line the engine may put above a screen; pages keep
 * room for it. (A note is shown above a screen when it fits.) */
const char *menu_reserve_line(const struct menu *m);

/* Cut text into lines that each fit one page: split at '\n', and a line
 * too long for a page with reserve line and footer is cut at character
 * boundaries. Returns a talloc'ed NULL-terminated array under ctx, *n its
 * length; NULL when memory is short. */
char **menu_split(const struct menu *m, void *ctx, const char *text,
		  unsigned *n);

/* One page of lines[first..n): top (a note or error line, or NULL: room
 * is kept for one anyway), head (a title on every page, or NULL), as many
 * lines as fit, then footer_more when lines are left over (or force_more:
 * the caller knows of more), else footer_last (either may be NULL or "").
 * With number set, line i of the page is rendered as MX_ITEM with key
 * i + 1, at most MENU_ITEMS_MAX of them. Writes the page to out and
 * returns the number of lines taken: at least 1 when first < n (a line
 * too long even alone is cut). *more says whether footer_more was used. */
unsigned menu_page(const struct menu *m, const char *top, const char *head,
		   const char *const *lines, unsigned n, unsigned first,
		   bool number, bool force_more, const char *footer_more,
		   const char *footer_last, char *out, size_t cap, bool *more);

/* ---- the tree ---- */

/* The main menu (the screen named "main"). */
const struct menu_screen *menu_root(const struct menu *m);

/* A static screen as shown: title, numbered items, and "0 返回" when
 * back is set. Returns the length written. */
size_t menu_screen_text(const struct menu *m, const struct menu_screen *s,
			bool back, char *out, size_t cap);

/* ---- the engine (gateway/menu_nav.c) ---- */

struct dom;
struct handler_ctx;
struct mtq;
struct ussd_data;

/* What one step may use. */
struct menu_env {
	const struct menu *m;
	struct handler_ctx *hc;		/* screens: no signature */
	struct handler_ctx *hc_sms;	/* SMS confirmations: signed */
	struct mtq *q;			/* the SMS confirmation of an enrolment */
	struct ussd_data *ud;		/* enrolment numbers, notices */
	int64_t now_ms;
};

struct menu_out {
	char text[MENU_SCREEN_MAX];
	bool end;			/* the final screen: the dialogue ends */
	bool failed;			/* the database failed (text: MX_ERROR) */
};

struct menu_sess;

/* A dialogue's place in the menus, for the number msisdn (international
 * digits). talloc child of ctx. */
struct menu_sess *menu_sess_new(void *ctx, const struct menu *m,
				const char *msisdn);

/* The first screen. The n inputs are answers carried by the dial string
 * (*12333*1# gives "1"), applied one after the other. 0, or a negative
 * errno when the database failed (out is then the polite final screen). */
int menu_begin(struct menu_sess *s, const struct menu_env *e,
	       const char *const *inputs, unsigned n, struct menu_out *out);

/* One answer of the user. Same returns as menu_begin(). */
int menu_input(struct menu_sess *s, const struct menu_env *e,
	       const char *input, struct menu_out *out);

/* Where the dialogue is, for the VTY ("main", "courses", "detail 2031"). */
void menu_sess_where(const struct menu_sess *s, char *out, size_t cap);

/* Is name an action of the engine? (menu_load checks every item) */
bool menu_action_known(const char *name);
/* The actions, space-separated, for error messages. */
const char *menu_action_names(void);

/* Split an input string at '*' (HTTP "1*2*3", a dial string "*12333*1#"
 * without its code): writes up to max pointers into parts, which point
 * into buf (a copy of in, '*' and a final '#' replaced by NUL). Returns
 * the number of parts. Empty parts are kept ("1**2": "1", "", "2"). */
unsigned menu_split_inputs(const char *in, char *buf, size_t cap,
			   const char **parts, unsigned max);

#endif
