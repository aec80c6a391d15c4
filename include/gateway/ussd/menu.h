/*
 * menu.h - the USSD menus: the tree and texts of conf/ussd_menu.conf, how
 * a screen is measured and paged, and the engine that walks one dialogue
 * through the tree.
 *
 * The file has two groups. "menu" holds the static screens: a title and up
 * to MENU_ITEMS_MAX items, numbered 1.. in the order written, each opening
 * another screen (screen = "NAME") or running an action (action = "NAME",
 * from the table in gateway/ussd/menu_nav.c: subsidy, enrol, record,
 * notices, optout, optin, checkin, rate, employment). "texts" holds every
 * other text a dialogue shows (lists,
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
 * The engine (gateway/ussd/menu_nav.c) is transport-blind: it takes the
 * input of one step and returns the next screen and whether it ends the
 * dialogue. It never touches the link or HTTP (gateway/ussd/dialogue.c
 * does), and it knows no domain: what the screens hold comes from actions
 * the handlers register (struct menu_actions).
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
#define MENU_LIST_MAX		50	/* lines of a list an action returns */
#define MENU_ARG_MAX		97	/* what a chosen line passes on */
#define MENU_LABEL_MAX		256	/* one list line, without its key */
#define MENU_NAME_MAX		193	/* a chosen line's name in the next title */
#define MENU_ID_MAX		19	/* a resident ID with its NUL */
#define MENU_TEXT_MAX		4096	/* content of one action, all pages */
#define MENU_SMS_MAX		1024	/* an SMS a step sends along */

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
	MX_ASK_CHECKIN,		/* prompt: the code of the day */
	MX_ASK_RATE,		/* prompt: a score for {course} */
	MX_ASK_EMPLOYMENT,	/* prompt: 1 2 3 after {course} */
	MX_NUM
};

/* The questions of training quality a dialogue can answer. */
enum menu_ask {
	MENU_ASK_CHECKIN,	/* 签到: the attendance code of the day */
	MENU_ASK_RATE,		/* 评价: a score 1-5 */
	MENU_ASK_EMPLOYMENT,	/* 就业: 1 employed, 2 self-employed, 3 not */
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

/* ---- measuring and rendering (gateway/ussd/menu.c) ---- */

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

/* ---- the engine (gateway/ussd/menu_nav.c) ---- */

struct menu_actions;

/* What one step may use: the menus, the actions that fill them and their
 * data (registered at start by the handlers, see struct menu_actions), and
 * the time of the step. */
struct menu_env {
	const struct menu *m;
	const struct menu_actions *act;
	void *data;			/* the actions' own */
	int64_t now_ms;
};

/* One line of a list screen an action returns. */
struct menu_choice {
	char label[MENU_LABEL_MAX];
	char arg[MENU_ARG_MAX];		/* passed on when chosen: a code */
	char name[MENU_NAME_MAX];	/* shown in the next screen's title */
};

/*
 * What the menus show. The engine knows screens, lists, pages and keys;
 * the content comes from these functions, which the handlers register at
 * start (handlers/ussd). msisdn is the dialling number in international
 * digits. Each returns 0 (or the positive value it documents) with its
 * text, or a negative errno when the database failed: the engine then ends
 * the dialogue politely. Content texts are lines separated by '\n'; the
 * engine pages them.
 */
struct menu_actions {
	/* 1 when msisdn is bound to a worker, 0 when not */
	int (*bound)(const struct menu_env *e, const char *msisdn);
	/* content screens, talloc'ed under ctx */
	int (*subsidy_text)(const struct menu_env *e, const char *msisdn,
			    void *ctx, char **out);
	int (*record_text)(const struct menu_env *e, const char *msisdn,
			   void *ctx, char **out);
	int (*notices_text)(const struct menu_env *e, const char *msisdn,
			    void *ctx, char **out);
	/* opt-out (stop) or opt-in: a final screen */
	int (*opt_text)(const struct menu_env *e, const char *msisdn,
			bool stop, char *out, size_t cap);
	/* enrolment, step by step: regions (the worker's first), occupation
	 * groups of a region, up to max courses from offset (*more: there are
	 * more), a course's detail (*can_enrol), and the enrolment itself: its
	 * final screen in out and, when enrolled, the signed confirmation SMS
	 * to send to the number in sms ("" for none) */
	int (*regions)(const struct menu_env *e, const char *msisdn,
		       void *ctx, struct menu_choice **items, unsigned *n);
	int (*groups)(const struct menu_env *e, const char *region,
		      void *ctx, struct menu_choice **items, unsigned *n);
	int (*courses)(const struct menu_env *e, const char *region,
		       const char *group, unsigned offset, unsigned max,
		       void *ctx, struct menu_choice **items, unsigned *n,
		       bool *more);
	int (*detail)(const struct menu_env *e, const char *msisdn,
		      const char *code, char *out, size_t cap,
		      bool *can_enrol);
	int (*enrol)(const struct menu_env *e, const char *msisdn,
		     const char *code, char *out, size_t cap, char *sms,
		     size_t sms_cap);
	/* registration: 1 with the refusal in out when the number may not
	 * try today; whether input is a resident ID (the normalised one in
	 * id); the attempt: 1 when bound now (a one-line note for the next
	 * screen in note), 0 with the refusal (a final screen) in out */
	int (*reg_locked)(const struct menu_env *e, const char *msisdn,
			  char *out, size_t cap);
	bool (*reg_id)(const struct menu_env *e, const char *input,
		       char id[MENU_ID_MAX]);
	int (*reg)(const struct menu_env *e, const char *msisdn,
		   const char *id, const char *name, char *note,
		   size_t note_cap, char *out, size_t cap);
	/* the questions of training quality: 1 with the prompt in out when
	 * the number has one of that kind to answer (the next input answers
	 * it), 0 with a final text in out when not; answer: the input given
	 * to the prompt, its final text in out */
	int (*ask)(const struct menu_env *e, const char *msisdn,
		   enum menu_ask which, char *out, size_t cap);
	int (*answer)(const struct menu_env *e, const char *msisdn,
		      enum menu_ask which, const char *input, char *out,
		      size_t cap);
};

struct menu_out {
	char text[MENU_SCREEN_MAX];
	bool end;			/* the final screen: the dialogue ends */
	bool failed;			/* the database failed (text: MX_ERROR) */
	char sms[MENU_SMS_MAX];		/* an SMS for the number, or "" */
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
