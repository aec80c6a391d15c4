/*
 * http_step.c - the steps of USSD dialogues over the HTTP callback
 * (gateway/ussd/http.c serves the requests): the aggregator sends every
 * request with all the inputs so far joined by '*'; what is new is what
 * follows the inputs seen before. A request that repeats the last one gets
 * the last screen again; a new sessionId with text is a dialogue that is
 * gone (or someone else's), told to dial again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "ussd_priv.h"

const char *ussd_http_input(const char *prev, const char *text)
{
	size_t n = strlen(prev);
	const char *star;

	if (!strcmp(prev, text))
		return NULL;
	if (!n)
		return text;
	if (!strncmp(text, prev, n) && text[n] == '*')
		return text + n + 1;
	star = strrchr(text, '*');	/* out of step: the last answer */
	return star ? star + 1 : text;
}

/* A step of a known HTTP dialogue. */
static void ussd_http_next(struct ussd *u, struct ussd_sess *s,
			   const struct ussd_peer *p, const char *text)
{
	const char *input = ussd_http_input(s->http_text, text);

	if (!input) {		/* the aggregator asked again */
		s->peer.wait = p->wait;
		ussd_reply(s, s->last ? s->last : "", false, false);
		return;
	}
	talloc_free(s->http_text);
	s->http_text = talloc_strdup(s, text);
	ussd_continue(u, s, p, input);
}

int ussd_http_step(struct ussd *u, const char *session_id,
		   const char *msisdn, const char *text, ussd_reply_cb cb,
		   void *data, struct ussd_wait **w)
{
	struct ussd_wait *wait = talloc_zero(u, struct ussd_wait);
	struct ussd_peer p = { .tr = UT_HTTP, .wait = wait };
	char key[USSD_KEY_MAX];
	struct ussd_sess *s;

	if (!wait)
		return -ENOMEM;
	wait->cb = cb;
	wait->data = data;
	llist_add_tail(&wait->list, &u->waits);
	*w = wait;
	OSMO_STRLCPY_ARRAY(p.dst, msisdn);
	snprintf(key, sizeof(key), "http-%s", session_id);
	s = ussd_find(u, key);
	if (s && !strcmp(s->peer.dst, msisdn))
		ussd_http_next(u, s, &p, text);
	else if (*text || s)	/* gone, or someone else's sessionId */
		ussd_continue(u, NULL, &p, text);
	else
		ussd_begin(u, NULL, key, &p, NULL, 0);
	return 0;
}

void ussd_http_cancel(struct ussd *u, struct ussd_wait *w)
{
	struct ussd_out *o;

	llist_for_each_entry(o, &u->out, list)
		if (o->peer.wait == w)
			o->peer.wait = NULL;
	llist_del(&w->list);
	talloc_free(w);
}
