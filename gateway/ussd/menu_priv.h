/*
 * menu_priv.h - the loaded menu as gateway/ussd/menu.c builds it and
 * gateway/ussd/menu_page.c and menu_nav.c read it (private to the menu files;
 * the interface is include/gateway/ussd/menu.h).
 */
#ifndef SGW_MENU_PRIV_H
#define SGW_MENU_PRIV_H

#include "gateway/ussd/menu.h"

struct menu {
	unsigned screen_gsm, screen_ucs2;
	char *code;			/* {code}: the service code */
	char *hotline;			/* {hotline} */
	char *text[MX_NUM];
	struct menu_screen *screens;
	unsigned n_screens;
	const struct menu_screen *root;
	char reserve[MENU_LINE_MAX];	/* the longest line above a screen */
};

/* Work out m->reserve from the texts (menu_page.c). */
void menu_set_reserve(struct menu *m);

#endif
