/*
 * ussd.c - USSD dialogues: one osmo_fsm instance each, their timers, the
 * SMPP and HTTP transports, and replies after the group commit (see
 * ussd.h).
 *
 * Life of a dialogue. A begin (SMPP op_begin, or an HTTP request of a new
 * sessionId with empty text) allocates the instance in state NEW and
 * dispatches UE_BEGIN; the menu engine answers with the first screen. Each
 * answer (op_continue, a longer HTTP text) is UE_INPUT in WAIT_USER. After
 * every step the reply is queued and either the instance goes (back) to
 * WAIT_USER with its timer set to the guard time, cut to what is left of
 * the cap on the whole dialogue, or, when the screen was final, it is
 * terminated. A timer that fires ends it (with the MX_TIMEOUT screen over
 * SMPP when ussd.notify_timeout), an abort or release frees it at once.
 * The instance owns its session data (talloc child), so freeing one frees
 * the other; the cleanup callback takes it out of the hash table.
 *
 * A step that wrote to the database (registration, enrolment, opt-out:
 * sqlite3_total_changes() moved) does not send its screen at once: the
 * screen waits in u->out for the group commit of the loop iteration
 * (db_after_commit), so a screen that says "enrolled" leaves only once
 * the enrolment is on disk; if the commit fails every waiting screen
 * becomes the MX_ERROR end and its dialogue is ended. A step that only
 * read sends its screen at once: there is nothing to wait for, and a
 * screen does not wait behind the commit of a busy bulk send.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/hashtable.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/vty.h>

#include "gateway/text/charset.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "handlers/domain/domain.h"
#include "handlers/replies/replies.h"
#include "gateway/log.h"
#include "gateway/ussd/menu.h"
#include "gateway/text/msisdn.h"
#include "gateway/smpp/link.h"
#include "gateway/ussd/ussd.h"
#include "../../handlers/ussd/ussd_data.h"

#define USSD_HASH_BITS		14
#define USSD_INPUTS_MAX		16	/* answers carried by a dial string */
#define USSD_TEXT_IN_MAX	(4 * SMPP_PAYLOAD_MAX)	/* decoded input */
#define USSD_T			1	/* the one timer of the FSM */
#define USSD_ITS_END		0x0001	/* its_session_info: end of session */
#define USSD_SCREEN_LIST_PARTS	CHARSET_MAX_PARTS	/* the engine pages */

enum ussd_state { US_NEW, US_WAIT };
enum ussd_event { UE_BEGIN, UE_INPUT };
enum ussd_tr { UT_SMPP, UT_HTTP };

/* Where and how a dialogue's replies go. */
struct ussd_peer {
	enum ussd_tr tr;
	struct smpp_link *link;		/* SMPP */
	uint8_t op_show, op_end;
	char dst[MSISDN_MAX];		/* the subscriber */
	char src[SMPP_ADDR_MAX + 1];	/* the code dialled: our address */
	bool has_its;
	uint16_t its;
	struct ussd_wait *wait;		/* HTTP: the request waiting */
};

struct ussd_sess {
	struct hlist_node node;
	struct llist_head list;
	uint32_t hash;
	char key[USSD_KEY_MAX];
	struct ussd *u;
	struct osmo_fsm_inst *fi;
	struct menu_sess *ms;
	struct ussd_peer peer;
	char *http_text;		/* HTTP: the inputs seen so far */
	char *last;			/* HTTP: the last screen, for repeats */
	int64_t started_ms;
	unsigned steps;
};

/* A reply waiting for the commit. */
struct ussd_out {
	struct llist_head list;
	struct ussd_peer peer;
	char key[USSD_KEY_MAX];		/* "" when there is no dialogue */
	char *text;			/* talloc child */
	bool end;
};

/* An HTTP request waiting for its reply. */
struct ussd_wait {
	struct llist_head list;
	ussd_reply_cb cb;
	void *data;
};

struct ussd {
	const struct config *cfg;
	struct db *db;
	struct mtq *q;
	const struct menu *m;
	struct dom *dom;
	struct ussd_data *ud;
	struct handler_ctx hc, hc_sms;
	DECLARE_HASHTABLE(sessions, USSD_HASH_BITS);
	struct llist_head all;
	unsigned n_sess;
	struct llist_head out;		/* replies waiting for the commit */
	struct ussd_hook *hook;		/* db_after_commit registered */
	struct llist_head waits;	/* HTTP requests waiting */
	struct ussd_stats st;
};

/* The after-commit hook's data: a small object of its own, owned by the
 * database, so that a hook still registered when the dialogues are freed
 * (at shutdown) finds u == NULL instead of freed memory. */
struct ussd_hook {
	struct ussd *u;
};

/* The data of UE_BEGIN and UE_INPUT. */
struct ussd_ev {
	const char *input;		/* UE_INPUT */
	const char *const *inputs;	/* UE_BEGIN: answers of the dial string */
	unsigned n;
};

/* a dialogue by its hash (its key holds the number) and masked number */
#define LOGUS(s, lvl, fmt, args...) \
	LOGP(DUSSD, lvl, "ussd %08x (%s): " fmt, (s)->hash, \
	     log_num((s)->peer.dst), ## args)

/* ------------------------------------------------------------------ */
/* Keys and the table                                                  */

static uint32_t ussd_hash(const char *key)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *key; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return h;
}

int ussd_key(const struct config_link_ussd *c, const char *msisdn,
	     const struct smpp_deliver *d, char *out, size_t cap)
{
	int n;

	if (c->key == CONFIG_USSD_KEY_MSISDN_ITS && d->has_its)
		/* the session number: the first octet */
		n = snprintf(out, cap, "%s-its%u", msisdn, d->its >> 8);
	else if (c->key == CONFIG_USSD_KEY_UMR && d->has_umr)
		n = snprintf(out, cap, "%s-umr%u", msisdn, d->umr);
	else	/* by number, or the link's key is missing from the PDU */
		n = snprintf(out, cap, "%s", msisdn);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

static struct ussd_sess *ussd_find(struct ussd *u, const char *key)
{
	uint32_t h = ussd_hash(key);
	struct ussd_sess *s;

	hash_for_each_possible(u->sessions, s, node, h)
		if (s->hash == h && !strcmp(s->key, key))
			return s;
	return NULL;
}

unsigned ussd_count(const struct ussd *u)
{
	return u->n_sess;
}

const struct ussd_stats *ussd_stats(const struct ussd *u)
{
	return &u->st;
}

/* ------------------------------------------------------------------ */
/* Replies, after the commit                                           */

static void ussd_send_smpp(struct ussd *u, const struct ussd_out *o)
{
	const struct ussd_peer *p = &o->peer;
	int rc;

	rc = smpp_link_send_ussd(p->link, &(struct smpp_link_ussd){
		.dst = p->dst, .src = p->src[0] ? p->src : NULL,
		.text = o->text, .op = o->end ? p->op_end : p->op_show,
		.has_its = p->has_its,
		.its = o->end ? p->its | USSD_ITS_END : p->its & ~USSD_ITS_END,
	});
	if (rc < 0) {
		u->st.dropped++;
		LOGP(DUSSD, LOGL_NOTICE, "%s: screen not sent: %s\n", log_num(p->dst),
		     strerror(-rc));
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

/* A screen for p; key: the dialogue it belongs to ("": none). It waits
 * for the commit when the step wrote to the database (wait), else it
 * leaves at once: there is nothing for it to wait for. */
static void ussd_queue(struct ussd *u, const struct ussd_peer *p,
		       const char *key, const char *text, bool end, bool wait)
{
	struct ussd_out *o;
	struct ussd_hook *h;

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
	if (u->hook)
		return;
	h = talloc_zero(u->db, struct ussd_hook);
	if (h && db_after_commit(u->db, ussd_commit_cb, h) == 0) {
		h->u = u;
		u->hook = h;
		return;
	}
	talloc_free(h);	/* cannot wait for the commit: send now */
	ussd_flush(u, 0);
}

/* A final screen of text id without a dialogue (gone, busy). */
static void ussd_queue_text(struct ussd *u, const struct ussd_peer *p,
			    enum menu_text id)
{
	char text[MENU_SCREEN_MAX];

	menu_render(u->m, id, NULL, 0, text, sizeof(text));
	ussd_queue(u, p, "", text, true, false);
}

/* ------------------------------------------------------------------ */
/* The dialogue's state machine                                        */

/* How long to wait for the user, in whole seconds: the guard time, cut
 * to what is left of the cap on the whole dialogue (rounded up; an answer
 * after the cap is refused by ussd_capped). Whole seconds because
 * osmo_fsm_inst_state_chg_ms() of libosmocore 1.7 schedules the part
 * below a second as microseconds (970 ms fire after 970 us). */
static unsigned long ussd_wait_s(const struct ussd_sess *s, int64_t now)
{
	const struct config_ussd *c = &s->u->cfg->ussd;
	int64_t left = s->started_ms + (int64_t)c->cap_s * 1000 - now;
	int64_t left_s = left > 0 ? (left + 999) / 1000 : 1;

	return left_s < c->guard_s ? left_s : c->guard_s;
}

/* The screen of a step; wait: the step wrote, the screen waits for the
 * commit. */
static void ussd_reply(struct ussd_sess *s, const char *text, bool end,
		       bool wait)
{
	struct ussd *u = s->u;

	ussd_queue(u, &s->peer, s->key, text, end, wait);
	s->peer.wait = NULL;	/* the queued reply has it now */
	if (s->peer.tr == UT_HTTP && !end && text != s->last) {
		talloc_free(s->last);
		s->last = talloc_strdup(s, text);
	}
}

/* One step: the menu engine's answer, queued; then wait or end. */
static void ussd_step(struct ussd_sess *s, const struct ussd_ev *ev,
		      bool begin)
{
	struct ussd *u = s->u;
	struct menu_env e = {
		.m = u->m, .hc = &u->hc, .hc_sms = &u->hc_sms, .q = u->q,
		.ud = u->ud, .now_ms = clock_now_ms(),
	};
	sqlite3 *h = db_handle(u->db);
	int rc, changes = sqlite3_total_changes(h);
	struct menu_out out;

	rc = begin ? menu_begin(s->ms, &e, ev->inputs, ev->n, &out) :
		     menu_input(s->ms, &e, ev->input, &out);
	s->steps++;
	if (rc < 0)
		u->st.failures++;
	ussd_reply(s, out.text, out.end,
		   sqlite3_total_changes(h) != changes);
	if (out.end) {
		osmo_fsm_inst_term(s->fi, rc < 0 ? OSMO_FSM_TERM_ERROR :
				   OSMO_FSM_TERM_REGULAR, NULL);
		return;
	}
	osmo_fsm_inst_state_chg(s->fi, US_WAIT, ussd_wait_s(s, e.now_ms),
				USSD_T);
}

static void ussd_fsm_new(struct osmo_fsm_inst *fi, uint32_t event,
			 void *data)
{
	ussd_step(fi->priv, data, true);
}

/* An answer after ussd.session_max: the dialogue is over. */
static bool ussd_capped(struct ussd_sess *s)
{
	struct ussd *u = s->u;
	char text[MENU_SCREEN_MAX];

	if (clock_now_ms() < s->started_ms + (int64_t)u->cfg->ussd.cap_s * 1000)
		return false;
	u->st.timeouts++;
	LOGUS(s, LOGL_INFO, "no answer in time: over ussd.session_max\n");
	menu_render(u->m, MX_TIMEOUT, NULL, 0, text, sizeof(text));
	ussd_reply(s, text, true, false);
	osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_TIMEOUT, NULL);
	return true;
}

static void ussd_fsm_wait(struct osmo_fsm_inst *fi, uint32_t event,
			  void *data)
{
	if (!ussd_capped(fi->priv))
		ussd_step(fi->priv, data, false);
}

/* The user said nothing for the guard time, or the cap is reached. */
static int ussd_fsm_timer(struct osmo_fsm_inst *fi)
{
	struct ussd_sess *s = fi->priv;
	struct ussd *u = s->u;

	u->st.timeouts++;
	LOGUS(s, LOGL_INFO, "no answer in time after %u step(s), ended\n",
	      s->steps);
	if (s->peer.tr == UT_SMPP && u->cfg->ussd.notify_timeout)
		ussd_queue_text(u, &s->peer, MX_TIMEOUT);
	return 1;	/* terminate */
}

static void ussd_fsm_cleanup(struct osmo_fsm_inst *fi,
			     enum osmo_fsm_term_cause cause)
{
	struct ussd_sess *s = fi->priv;

	hash_del(&s->node);
	llist_del(&s->list);
	s->u->n_sess--;
}

static const struct value_string ussd_event_names[] = {
	{ UE_BEGIN, "BEGIN" },
	{ UE_INPUT, "INPUT" },
	{ 0, NULL }
};

static const struct osmo_fsm_state ussd_states[] = {
	[US_NEW] = {
		.name = "NEW",
		.in_event_mask = 1 << UE_BEGIN,
		.out_state_mask = 1 << US_WAIT,
		.action = ussd_fsm_new,
	},
	[US_WAIT] = {
		.name = "WAIT_USER",
		.in_event_mask = 1 << UE_INPUT,
		.out_state_mask = 1 << US_WAIT,
		.action = ussd_fsm_wait,
	},
};

static struct osmo_fsm ussd_fsm = {
	.name = "USSD",
	.states = ussd_states,
	.num_states = ARRAY_SIZE(ussd_states),
	.log_subsys = DUSSD,
	.event_names = ussd_event_names,
	.timer_cb = ussd_fsm_timer,
	.cleanup = ussd_fsm_cleanup,
};

static struct ussd_sess *ussd_new(struct ussd *u, const char *key,
				  const struct ussd_peer *p)
{
	struct osmo_fsm_inst *fi;
	struct ussd_sess *s;

	fi = osmo_fsm_inst_alloc(&ussd_fsm, u, NULL, LOGL_DEBUG, NULL);
	s = fi ? talloc_zero(fi, struct ussd_sess) : NULL;
	if (s)
		s->ms = menu_sess_new(s, u->m, p->dst);
	if (s && p->tr == UT_HTTP)
		s->http_text = talloc_strdup(s, "");
	if (!s || !s->ms || (p->tr == UT_HTTP && !s->http_text)) {
		if (fi)
			osmo_fsm_inst_free(fi);
		return NULL;
	}
	fi->priv = s;
	s->fi = fi;
	s->u = u;
	OSMO_STRLCPY_ARRAY(s->key, key);
	s->hash = ussd_hash(key);
	s->peer = *p;
	s->started_ms = clock_now_ms();
	/* the id shows in libosmocore's FSM logs: the hash, not the number */
	osmo_fsm_inst_update_id_f(fi, "%08x", s->hash);
	hash_add(u->sessions, &s->node, s->hash);
	llist_add_tail(&s->list, &u->all);
	u->n_sess++;
	u->st.begins++;
	return s;
}

/* A begin: replaces a dialogue of the same key; refused when full. */
static void ussd_begin(struct ussd *u, struct ussd_sess *old,
		       const char *key, const struct ussd_peer *p,
		       const char *const *inputs, unsigned n)
{
	struct ussd_ev ev = { .inputs = inputs, .n = n };
	struct ussd_sess *s;

	if (old) {
		LOGUS(old, LOGL_INFO, "dialled again: the open dialogue ends\n");
		osmo_fsm_inst_term(old->fi, OSMO_FSM_TERM_REGULAR, NULL);
	}
	if (u->n_sess >= u->cfg->ussd.max_sessions) {
		u->st.busy++;
		LOGP(DUSSD, LOGL_NOTICE, "%s: %u dialogues open, refused\n",
		     log_num(p->dst), u->n_sess);
		ussd_queue_text(u, p, MX_BUSY);
		return;
	}
	s = ussd_new(u, key, p);
	if (!s) {
		ussd_queue_text(u, p, MX_ERROR);
		return;
	}
	LOGUS(s, LOGL_DEBUG, "begins\n");
	osmo_fsm_inst_dispatch(s->fi, UE_BEGIN, &ev);
}

static void ussd_continue(struct ussd *u, struct ussd_sess *s,
			  const struct ussd_peer *p, const char *input)
{
	struct ussd_ev ev = { .input = input };

	if (!s) {
		u->st.unknown++;
		LOGP(DUSSD, LOGL_INFO, "%s: answer to a dialogue that is gone\n",
		     log_num(p->dst));
		ussd_queue_text(u, p, MX_ENDED);
		return;
	}
	u->st.steps++;
	s->peer.link = p->link;		/* the latest its_session_info */
	s->peer.has_its = p->has_its;
	s->peer.its = p->its;
	s->peer.wait = p->wait;
	osmo_fsm_inst_dispatch(s->fi, UE_INPUT, &ev);
}

static void ussd_abort(struct ussd *u, struct ussd_sess *s)
{
	if (!s)
		return;
	u->st.aborts++;
	LOGUS(s, LOGL_INFO, "released after %u step(s)\n", s->steps);
	osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_REQUEST, NULL);
}

/* ------------------------------------------------------------------ */
/* SMPP                                                                */

static void ussd_peer_smpp(struct ussd_peer *p, struct smpp_link *l,
			   const struct config_link_ussd *c,
			   const struct smpp_deliver *d)
{
	memset(p, 0, sizeof(*p));
	p->tr = UT_SMPP;
	p->link = l;
	p->op_show = c->op_show;
	p->op_end = c->op_end;
	OSMO_STRLCPY_ARRAY(p->dst, d->src);
	OSMO_STRLCPY_ARRAY(p->src, d->dst);
	p->has_its = d->has_its;
	p->its = d->its;
}

/* A user abort or a network release: a release op of the link, or the
 * end bit of its_session_info on anything but a begin. */
static bool ussd_is_release(const struct config_link_ussd *c,
			    const struct smpp_deliver *d)
{
	unsigned i;

	for (i = 0; i < c->n_release; i++)
		if (d->ussd_op == c->release[i])
			return true;
	return d->has_its && (d->its & USSD_ITS_END) &&
	       d->ussd_op != c->op_begin;
}

/* "*12333*1*2#": the answers after the code ("1", "2"). */
static unsigned ussd_dial_inputs(const char *text, char *buf, size_t cap,
				 const char **inputs)
{
	const char *parts[USSD_INPUTS_MAX + 1];
	unsigned n, i;

	if (text[0] != '*')
		return 0;
	n = menu_split_inputs(text + 1, buf, cap, parts, USSD_INPUTS_MAX + 1);
	for (i = 1; i < n; i++)
		inputs[i - 1] = parts[i];
	return n ? n - 1 : 0;
}

int ussd_smpp_rx(void *data, struct smpp_link *l,
		 const struct smpp_deliver *d)
{
	struct ussd *u = data;
	const struct config_link_ussd *c = &smpp_link_cfg(l)->ussd;
	char key[USSD_KEY_MAX], text[USSD_TEXT_IN_MAX], buf[MENU_INPUT_MAX];
	const char *inputs[USSD_INPUTS_MAX];
	struct ussd_peer p;
	unsigned n;

	if (ussd_key(c, d->src, d, key, sizeof(key)) < 0) {
		LOGP(DUSSD, LOGL_ERROR, "%s: no session key\n", log_num(d->src));
		return 0;
	}
	ussd_peer_smpp(&p, l, c, d);
	if (ussd_is_release(c, d)) {
		ussd_abort(u, ussd_find(u, key));
		return 0;
	}
	charset_decode(d->data_coding, d->text, d->text_len, text,
		       sizeof(text));
	if (d->ussd_op == c->op_begin) {
		n = ussd_dial_inputs(text, buf, sizeof(buf), inputs);
		ussd_begin(u, ussd_find(u, key), key, &p, inputs, n);
	} else if (d->ussd_op == c->op_continue) {
		ussd_continue(u, ussd_find(u, key), &p, text);
	} else {
		LOGP(DUSSD, LOGL_NOTICE, "%s: ussd_service_op %u is none of "
		     "this link's, ignored\n", log_num(d->src), d->ussd_op);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* HTTP                                                                */

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

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int ussd_fsm_registered;

struct ussd *ussd_init(void *ctx, const struct config *cfg, struct db *db,
		       struct mtq *q, const struct texts *t,
		       const struct menu *m)
{
	struct ussd *u = talloc_zero(ctx, struct ussd);
	struct dom_params dp = { .reg_max_failures = cfg->reg_max_failures };

	if (!u)
		return NULL;
	talloc_set_name_const(u, "ussd");
	if (!ussd_fsm_registered && osmo_fsm_register(&ussd_fsm) == 0)
		ussd_fsm_registered = 1;
	u->cfg = cfg;
	u->db = db;
	u->q = q;
	u->m = m;
	hash_init(u->sessions);
	INIT_LLIST_HEAD(&u->all);
	INIT_LLIST_HEAD(&u->out);
	INIT_LLIST_HEAD(&u->waits);
	u->dom = dom_init(u, db, &dp);
	u->ud = ussd_data_init(u, db);
	if (!u->dom || !u->ud) {
		ussd_free(u);
		return NULL;
	}
	u->hc = (struct handler_ctx){ .dom = u->dom, .texts = t,
		.via = DOM_VIA_USSD, .list_parts = USSD_SCREEN_LIST_PARTS,
		.signature = "" };
	u->hc_sms = (struct handler_ctx){ .dom = u->dom, .texts = t,
		.via = DOM_VIA_USSD, .list_parts = cfg->list_parts };
	return u;
}

void ussd_free(struct ussd *u)
{
	struct ussd_sess *s, *ts;
	struct ussd_out *o, *to;
	struct ussd_wait *w, *tw;

	if (!u)
		return;
	llist_for_each_entry_safe(s, ts, &u->all, list)
		osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_REGULAR, NULL);
	llist_for_each_entry_safe(o, to, &u->out, list) {
		llist_del(&o->list);
		talloc_free(o);
	}
	llist_for_each_entry_safe(w, tw, &u->waits, list)
		ussd_http_cancel(u, w);
	if (u->hook)
		u->hook->u = NULL;
	ussd_data_free(u->ud);
	dom_free(u->dom);
	talloc_free(u);
}

/* ------------------------------------------------------------------ */
/* VTY                                                                 */

void ussd_vty_show(const struct ussd *u, struct vty *vty, unsigned max)
{
	const struct ussd_stats *st = &u->st;
	int64_t now = clock_now_ms();
	const struct ussd_sess *s;
	char where[64];
	unsigned k = 0;

	vty_out(vty, "USSD: %u open (max %u); begun %lu, answers %lu, final "
		"screens %lu, aborts %lu, timeouts %lu, gone %lu, busy %lu, "
		"failures %lu, dropped %lu%s", u->n_sess,
		u->cfg->ussd.max_sessions, st->begins, st->steps, st->ends,
		st->aborts, st->timeouts, st->unknown, st->busy, st->failures,
		st->dropped, VTY_NEWLINE);
	llist_for_each_entry(s, &u->all, list) {
		if (k++ == max) {
			vty_out(vty, "  ... %u more%s", u->n_sess - max,
				VTY_NEWLINE);
			break;
		}
		menu_sess_where(s->ms, where, sizeof(where));
		vty_out(vty, "  %-28s %-5s %4lld s, %2u step(s), %s%s", s->key,
			s->peer.tr == UT_SMPP ? "smpp" : "http",
			(long long)(now - s->started_ms) / 1000, s->steps,
			where, VTY_NEWLINE);
	}
}
