/*
 * dialogue.c - USSD dialogues: one osmo_fsm instance each, found by its key,
 * with its timers (see ussd.h).
 *
 * Life of a dialogue. A begin (SMPP op_begin, or an HTTP request of a new
 * sessionId with empty text) allocates the instance in state NEW and
 * dispatches UE_BEGIN; the menu engine answers with the first screen. Each
 * answer (op_continue, a longer HTTP text) is UE_INPUT in WAIT_USER. After
 * every step the screen is queued (reply.c) and either the instance goes
 * (back) to WAIT_USER with its timer set to the guard time, cut to what is
 * left of the cap on the whole dialogue, or, when the screen was final, it
 * is terminated. A timer that fires ends it (with the MX_TIMEOUT screen
 * over SMPP when ussd.notify_timeout), an abort or release frees it at
 * once. The instance owns its session data (talloc child), so freeing one
 * frees the other; the cleanup callback takes it out of the hash table.
 *
 * A step may send an SMS along (the confirmation of an enrolment): it is
 * queued in the same transaction as what the step wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/hashtable.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/metrics.h"
#include "gateway/queue/mtq.h"
#include "ussd_priv.h"

#define USSD_T			1	/* the one timer of the FSM */

enum ussd_state { US_NEW, US_WAIT };
enum ussd_event { UE_BEGIN, UE_INPUT };

/* The data of UE_BEGIN and UE_INPUT. */
struct ussd_ev {
	const char *input;		/* UE_INPUT */
	const char *const *inputs;	/* UE_BEGIN: answers of the dial string */
	unsigned n;
};

/* ------------------------------------------------------------------ */
/* Keys and the table                                                  */

static uint32_t ussd_hash(const char *key)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *key; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return h;
}

struct ussd_sess *ussd_find(struct ussd *u, const char *key)
{
	uint32_t h = ussd_hash(key);
	struct ussd_sess *s;

	hash_for_each_possible(u->sessions, s, node, h)
		if (s->hash == h && !strcmp(s->key, key))
			return s;
	return NULL;
}

const struct ussd_stats *ussd_stats(const struct ussd *u)
{
	return &u->st;
}

unsigned ussd_open_dialogues(const struct ussd *u)
{
	return u->n_sess;
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

/* An SMS a step sends along, in the step's transaction. */
static void ussd_step_sms(struct ussd_sess *s, const char *text)
{
	int rc = mtq_enqueue(s->u->q, &(struct mtq_new){ .dst = s->peer.dst,
		.text = text, .prio = MTQ_PRIO_REPLY }, NULL);

	if (rc < 0)
		LOGUS(s, db_fail_level(), "cannot queue the SMS of the step: %s\n",
		      strerror(-rc));
}

/* One step: the menu engine's answer, queued; then wait or end. */
static void ussd_step(struct ussd_sess *s, const struct ussd_ev *ev,
		      bool begin)
{
	struct ussd *u = s->u;
	struct menu_env e = {
		.m = u->m, .act = u->act, .data = u->act_data,
		.now_ms = clock_now_ms(),
	};
	sqlite3 *h = db_handle(u->db);
	int rc, changes = sqlite3_total_changes(h);
	struct menu_out out;

	rc = begin ? menu_begin(s->ms, &e, ev->inputs, ev->n, &out) :
		     menu_input(s->ms, &e, ev->input, &out);
	s->steps++;
	if (rc < 0)
		u->st.failures++;
	else if (out.sms[0])
		ussd_step_sms(s, out.sms);
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
	metrics_day_add(METRICS_DAY_USSD);
	return s;
}

/* A begin: replaces a dialogue of the same key; refused when full. */
void ussd_begin(struct ussd *u, struct ussd_sess *old, const char *key,
		const struct ussd_peer *p, const char *const *inputs,
		unsigned n)
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

void ussd_continue(struct ussd *u, struct ussd_sess *s,
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
	OSMO_STRLCPY_ARRAY(s->peer.link, p->link);	/* the latest its_session_info */
	s->peer.has_its = p->has_its;
	s->peer.its = p->its;
	s->peer.wait = p->wait;
	osmo_fsm_inst_dispatch(s->fi, UE_INPUT, &ev);
}

void ussd_abort(struct ussd *u, struct ussd_sess *s)
{
	if (!s)
		return;
	u->st.aborts++;
	LOGUS(s, LOGL_INFO, "released after %u step(s)\n", s->steps);
	osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_REQUEST, NULL);
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int ussd_fsm_registered;

struct ussd *ussd_init(void *ctx, const struct ussd_params *p)
{
	struct ussd *u = talloc_zero(ctx, struct ussd);

	if (!u)
		return NULL;
	talloc_set_name_const(u, "ussd");
	if (!ussd_fsm_registered && osmo_fsm_register(&ussd_fsm) == 0)
		ussd_fsm_registered = 1;
	u->cfg = p->cfg;
	u->db = p->db;
	u->q = p->q;
	u->disp = p->disp;
	u->m = p->menu;
	u->act = p->act;
	u->act_data = p->act_data;
	hash_init(u->sessions);
	INIT_LLIST_HEAD(&u->all);
	INIT_LLIST_HEAD(&u->out);
	INIT_LLIST_HEAD(&u->waits);
	return u;
}

void ussd_free(struct ussd *u)
{
	struct ussd_sess *s, *ts;
	struct ussd_wait *w, *tw;

	if (!u)
		return;
	llist_for_each_entry_safe(s, ts, &u->all, list)
		osmo_fsm_inst_term(s->fi, OSMO_FSM_TERM_REGULAR, NULL);
	ussd_out_drop(u);
	llist_for_each_entry_safe(w, tw, &u->waits, list)
		ussd_http_cancel(u, w);
	talloc_free(u);
}
