/*
 * reply.c - the screens of USSD dialogues on their way out.
 *
 * A step that wrote to the database (registration, enrolment, opt-out:
 * sqlite3_total_changes() moved) does not send its screen at once: the
 * screen waits in u->out for the group commit of the loop iteration
 * (db_after_commit), so a screen that says "enrolled" leaves only once the
 * enrolment is on disk; if the commit fails every waiting screen becomes
 * the MX_ERROR end and its dialogue is ended. A step that only read sends
 * its screen at once: there is nothing to wait for, and a screen does not
 * wait behind the commit of a busy bulk send.
 *
 * Over SMPP a screen goes to the link its dialogue came on, through the
 * dispatcher (ahead of every SMS of that link); over HTTP it answers the
 * request waiting for it.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/db.h"
#include "gateway/queue/dispatch.h"
#include "ussd_priv.h"

static void ussd_send_smpp(struct ussd *u, const struct ussd_out *o)
{
	const struct ussd_peer *p = &o->peer;
	int rc;

	rc = dispatch_ussd(u->disp, p->link, &(struct dispatch_ussd){
		.dst = p->dst, .src = p->src[0] ? p->src : NULL,
		.text = o->text, .op = o->end ? p->op_end : p->op_show,
		.has_its = p->has_its,
		.its = o->end ? p->its | USSD_ITS_END : p->its & ~USSD_ITS_END,
	});
	if (rc < 0) {
		u->st.dropped++;
		LOGP(DUSSD, LOGL_NOTICE, "%s: screen not sent: %s\n",
		     log_num(p->dst), strerror(-rc));
	}
}

static void ussd_send(struct ussd *u, struct ussd_out *o)
{
	struct ussd_wait *w = o->peer.wait;

	if (o->end)
		u->st.ends++;
	if (o->peer.tr == UT_SMPP) {
		ussd_send_smpp(u, o);
		return;
	}
	if (!w) {		/* the client went away */
		u->st.dropped++;
		return;
	}
	llist_del(&w->list);
	w->cb(w->data, o->text, o->end);
	talloc_free(w);
}

/* The commit failed: what the step did is gone, say so and end. */
static void ussd_out_failed(struct ussd *u, struct ussd_out *o)
{
	struct ussd_sess *s = o->key[0] ? ussd_find(u, o->key) : NULL;
	char text[MENU_SCREEN_MAX];

	u->st.failures++;
	menu_render(u->m, MX_ERROR, NULL, 0, text, sizeof(text));
	talloc_free(o->text);
	o->text = talloc_strdup(o, text);
	o->end = true;
	if (s)
		osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_ERROR, NULL);
}

/* Send (or, when the commit failed, replace and send) what waits. */
static void ussd_flush(struct ussd *u, int rc)
{
	struct ussd_out *o, *t;

	llist_for_each_entry_safe(o, t, &u->out, list) {
		llist_del(&o->list);
		if (rc < 0)
			ussd_out_failed(u, o);
		if (o->text)
			ussd_send(u, o);
		talloc_free(o);
	}
}

static void ussd_commit_cb(void *data, int rc)
{
	struct ussd_hook *h = data;
	struct ussd *u = h->u;

	talloc_free(h);
	if (!u)
		return;
	u->hook = NULL;
	ussd_flush(u, rc);
}

/* Wait for the commit (o queued); when no hook can be registered, send
 * what waits now. */
static void ussd_wait_commit(struct ussd *u)
{
	struct ussd_hook *h;

	if (u->hook)
		return;
	h = talloc_zero(u->db, struct ussd_hook);
	if (h && db_after_commit(u->db, ussd_commit_cb, h) == 0) {
		h->u = u;
		u->hook = h;
		return;
	}
	talloc_free(h);
	ussd_flush(u, 0);
}

/* A screen for p; key: the dialogue it belongs to ("": none). It waits
 * for the commit when the step wrote to the database (wait), else it
 * leaves at once. */
static void ussd_queue(struct ussd *u, const struct ussd_peer *p,
		       const char *key, const char *text, bool end, bool wait)
{
	struct ussd_out *o;

	if (!wait) {
		struct ussd_out now = { .peer = *p, .text = (char *)text,
					.end = end };

		ussd_send(u, &now);
		return;
	}
	o = talloc_zero(u, struct ussd_out);
	if (!o || !(o->text = talloc_strdup(o, text))) {
		talloc_free(o);
		u->st.dropped++;
		LOGP(DUSSD, LOGL_ERROR, "%s: out of memory for a screen\n",
		     log_num(p->dst));
		return;
	}
	o->peer = *p;
	o->end = end;
	OSMO_STRLCPY_ARRAY(o->key, key);
	llist_add_tail(&o->list, &u->out);
	ussd_wait_commit(u);
}

void ussd_queue_text(struct ussd *u, const struct ussd_peer *p,
		     enum menu_text id)
{
	char text[MENU_SCREEN_MAX];

	menu_render(u->m, id, NULL, 0, text, sizeof(text));
	ussd_queue(u, p, "", text, true, false);
}

void ussd_reply(struct ussd_sess *s, const char *text, bool end, bool wait)
{
	ussd_queue(s->u, &s->peer, s->key, text, end, wait);
	s->peer.wait = NULL;	/* the queued reply has it now */
	if (s->peer.tr == UT_HTTP && !end && text != s->last) {
		talloc_free(s->last);
		s->last = talloc_strdup(s, text);
	}
}

void ussd_out_drop(struct ussd *u)
{
	struct ussd_out *o, *t;

	llist_for_each_entry_safe(o, t, &u->out, list) {
		llist_del(&o->list);
		talloc_free(o);
	}
	if (u->hook)
		u->hook->u = NULL;
}
