/*
 * status.c - GET /api/v1/status: the links, the queue by state, today's
 * counts by hour, open USSD dialogues, the version.
 *
 * What lives in the loop's memory (links, counters) is written at once;
 * the queue's counts walk table mt's state index (tens of ms with a
 * million rows), so they are taken in a worker thread on its own
 * connection and the answer is finished when it is done.
 */
#include <ctype.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/clock.h"
#include "gateway/metrics.h"
#include "gateway/queue/mtq.h"
#include "gateway/smpp/link.h"
#include "gateway/text/fmt.h"
#include "gateway/ussd/ussd.h"

static const char *const status_day_keys[METRICS_DAY_NUM] = {
	[METRICS_DAY_MO] = "mo", [METRICS_DAY_MT] = "mt",
	[METRICS_DAY_DLR] = "dlr", [METRICS_DAY_USSD] = "ussd",
};

/* A link's state in one word: bound when it takes messages. */
static const char *status_link_state(const struct smpp_link_status *st,
				     char *buf, size_t cap)
{
	size_t i;

	if (st->up)
		return "bound";
	if (st->stopped)
		return "stopped";
	if (!strcmp(st->tx_state, "WAIT_RETRY"))
		return "down";
	for (i = 0; st->tx_state[i] && i + 1 < cap; i++)
		buf[i] = tolower((unsigned char)st->tx_state[i]);
	buf[i] = '\0';
	return buf;
}

static void status_session(struct json_w *w, const char *kind,
			   const char *state)
{
	json_obj(w);
	json_kstr(w, "kind", kind);
	json_kstr(w, "state", state);
	json_end(w);
}

static void status_link(struct json_w *w, const struct smpp_link *l)
{
	struct smpp_link_status st;
	char buf[24];

	smpp_link_status(l, &st);
	json_obj(w);
	json_kstr(w, "name", st.name);
	json_kstr(w, "state", status_link_state(&st, buf, sizeof(buf)));
	json_kbool(w, "up", st.up);
	json_kbool(w, "default", st.is_default);
	json_key(w, "sessions");
	json_arr(w);
	status_session(w, st.rx_state ? "tx" : "trx", st.tx_state);
	if (st.rx_state)
		status_session(w, "rx", st.rx_state);
	json_end(w);
	json_key(w, "window");
	json_obj(w);
	json_kint(w, "used", st.window);
	json_kint(w, "size", st.window_size);
	json_end(w);
	json_kint(w, "backlog", st.backlog);
	json_knum(w, "tps", st.tps);
	json_kint(w, "max_tps", st.max_tps);
	json_kbool(w, "throttled", st.throttled);
	json_key(w, "counters");
	json_obj(w);
	json_kint(w, "submits", st.submits);
	json_kint(w, "submit_ok", st.submit_ok);
	json_kint(w, "submit_temp", st.submit_temp);
	json_kint(w, "submit_perm", st.submit_perm);
	json_kint(w, "throttles", st.throttles);
	json_kint(w, "timeouts", st.timeouts);
	json_kint(w, "mo", st.mo);
	json_end(w);
	json_end(w);
}

static void status_today(struct json_w *w)
{
	struct metrics_day d;
	unsigned h, k, last;

	metrics_day_get(&d);
	json_key(w, "today");
	json_obj(w);
	json_kstr(w, "date", d.date);
	json_ktime(w, "since", d.since_ms);
	for (k = 0; k < METRICS_DAY_NUM; k++)
		json_kint(w, status_day_keys[k], d.n[k]);
	json_end(w);
	last = (clock_now_ms() + FMT_CN_UTC_OFFSET_S * 1000LL) / 3600000 % 24;
	json_key(w, "traffic");
	json_obj(w);
	json_key(w, "points");
	json_arr(w);
	for (h = 0; h <= last; h++) {
		json_obj(w);
		json_kint(w, "hour", h);
		for (k = 0; k < METRICS_DAY_NUM; k++)
			json_kint(w, status_day_keys[k], d.hour[h][k]);
		json_end(w);
	}
	json_end(w);
	json_end(w);
}

/* The queue's counts, in the thread. */
struct status_job {
	struct json_w *w;
	unsigned long q[MTQ_NUM_STATES];
};

static int status_work(struct api_task *t, struct db *db)
{
	struct status_job *j = api_task_data(t);

	return mtq_counts_db(db, j->q);
}

static void status_done(struct api_task *t)
{
	struct status_job *j = api_task_data(t);
	struct api_req *r = api_task_req(t);
	unsigned i;

	if (!r)
		return;
	if (api_task_rc(t) < 0) {
		api_error(r, API_E_STORAGE, "the queue could not be read");
		return;
	}
	json_key(j->w, "queue");
	json_obj(j->w);
	for (i = 0; i < MTQ_NUM_STATES; i++)
		json_kint(j->w, mtq_state_str(i), j->q[i]);
	json_end(j->w);
	json_end(j->w);
	api_reply_json(r, 200, j->w);
}

void api_status(struct api_req *r)
{
	struct status_job *j = talloc_zero(r, struct status_job);
	const struct api_params *p = &r->s->p;
	struct api_task *t;
	unsigned i;

	if (!j || !(j->w = api_json(r))) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	json_obj(j->w);
	json_kstr(j->w, "version", SKILLGW_VERSION);
	json_ktime(j->w, "started_at", p->started_ms);
	json_ktime(j->w, "now", clock_now_ms());
	json_key(j->w, "links");
	json_arr(j->w);
	for (i = 0; i < p->n_links; i++)
		status_link(j->w, p->links[i]);
	json_end(j->w);
	status_today(j->w);
	json_key(j->w, "ussd");
	if (p->ussd) {
		json_obj(j->w);
		json_kint(j->w, "open", ussd_open_dialogues(p->ussd));
		json_end(j->w);
	} else {
		json_null(j->w);
	}
	t = api_task_new(r->s, API_TASK_READ, r, true, status_work,
			 status_done, j);
	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}
