/*
 * messages.c - POST /api/v1/messages (queue one or many SMS, the checks of
 * skillctl send), GET /api/v1/messages (a page, newest first, in a worker
 * thread: its total counts an index) and GET /api/v1/messages/{id} (one
 * message with its parts and receipts, on the loop: primary keys).
 *
 * Sending: every number is normalised first and the whole request is one
 * unit of work with its audit row, so nothing is queued unless everything
 * is good; the answer leaves after the group commit that kept it. A
 * request takes at most MESSAGES_MAX numbers (each is an INSERT on the
 * loop; a larger audience is a campaign's work).
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/mtq_read.h"
#include "gateway/smpp/dlr.h"
#include "gateway/smpp/pdu.h"
#include "gateway/text/charset.h"
#include "gateway/text/msisdn.h"

#define MESSAGES_MAX		1000	/* numbers in one request */
#define MESSAGES_SRC_MAX	20
#define MESSAGES_TEXT_MAX	(CHARSET_MAX_PARTS * 160 * 4)


struct msg_send {
	char (*to)[MSISDN_MAX];
	unsigned n;
	const char *text, *from;
	enum mtq_prio prio;
	int64_t validity;
};

/* One number of "to" into s->to[i]; false after answering 400. */
static bool msg_number(struct api_req *r, struct msg_send *s, unsigned i,
		       const struct json_val *v, bool array)
{
	const char *why = "is not a string";
	char at[16] = "";

	if (v->type == JSON_STR &&
	    msisdn_entry(v->str, r->s->cfg->numbers, s->to[i], MSISDN_MAX,
			 &why) == 0)
		return true;
	if (array)
		snprintf(at, sizeof(at), "[%u]", i);
	api_error(r, API_E_BAD_REQUEST, "to%s: '%.24s' %s", at,
		  v->type == JSON_STR ? v->str : "", why);
	return false;
}

static bool msg_numbers(struct api_req *r, struct msg_send *s)
{
	const struct json_val *to = json_get(r->json, "to");
	bool array = to && to->type == JSON_ARR;
	unsigned i, n = array ? to->n : 1;

	if (!to || (!array && to->type != JSON_STR) || !n ||
	    n > MESSAGES_MAX) {
		api_error(r, API_E_BAD_REQUEST, "to: a number, or an array of "
			  "1 to %d numbers", MESSAGES_MAX);
		return false;
	}
	s->to = talloc_zero_size(r, (size_t)n * MSISDN_MAX);
	if (!s->to) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return false;
	}
	for (i = 0; i < n; i++)
		if (!msg_number(r, s, i, array ? to->item[i] : to, array))
			return false;
	s->n = n;
	return true;
}

/* The body into s; false after answering 400. */
static bool msg_read(struct api_req *r, struct msg_send *s)
{
	static const char *const keys[] = { "to", "text", "from", "prio",
					    "validity", NULL };
	const char *prio = "reply";
	char why[API_WHY_MAX];

	if (json_only(r->json, keys, why, sizeof(why)) ||
	    json_get_str(r->json, "text", true, MESSAGES_TEXT_MAX, &s->text,
			 why, sizeof(why)) ||
	    json_get_str(r->json, "from", false, MESSAGES_SRC_MAX, &s->from,
			 why, sizeof(why)) ||
	    json_get_str(r->json, "prio", false, 8, &prio, why, sizeof(why)) ||
	    json_get_int(r->json, "validity", false, 0, 7 * 86400,
			 &s->validity, why, sizeof(why))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return false;
	}
	if (strcmp(prio, "reply") && strcmp(prio, "bulk")) {
		api_error(r, API_E_BAD_REQUEST, "prio: reply or bulk");
		return false;
	}
	s->prio = strcmp(prio, "bulk") ? MTQ_PRIO_REPLY : MTQ_PRIO_BULK;
	return msg_numbers(r, s);
}

/* Queue them all, in the request's unit of work. */
static int msg_enqueue(struct api_req *r, const struct msg_send *s,
		       int64_t *ids)
{
	unsigned i;
	int rc = 0;

	for (i = 0; !rc && i < s->n; i++)
		rc = mtq_enqueue(r->s->p.q, &(struct mtq_new){
			.dst = s->to[i], .src = s->from, .text = s->text,
			.prio = s->prio, .validity_s = s->validity }, &ids[i]);
	if (rc == -EMSGSIZE)
		api_error(r, API_E_BAD_REQUEST, "text: longer than %u SMS parts",
			  r->s->cfg->max_parts);
	else if (rc == -EINVAL)
		api_error(r, API_E_BAD_REQUEST, "text: empty or not valid UTF-8");
	else if (rc < 0)
		api_error(r, API_E_STORAGE, "the queue did not take it");
	if (!rc)
		rc = api_audit(r, "message_send", "queued %u message(s) %lld.."
			       "%lld to %s%s", s->n, (long long)ids[0],
			       (long long)ids[s->n - 1], log_num(s->to[0]),
			       s->n > 1 ? " and others" : "");
	if (rc == -EIO)
		api_error(r, API_E_STORAGE, "the audit log did not take it");
	return rc;
}

void api_messages_send(struct api_req *r)
{
	struct msg_send s = { 0 };
	struct charset_split split;
	struct db *db = r->s->p.db;
	struct json_w *w;
	int64_t *ids;
	unsigned i;
	int rc;

	if (!msg_read(r, &s))
		return;
	ids = talloc_zero_array(r, int64_t, s.n);
	if (!ids) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	rc = db_unit_begin(db);
	if (rc < 0) {
		api_error(r, API_E_STORAGE, "the database is busy");
		return;
	}
	if (db_unit_end(db, msg_enqueue(r, &s, ids)) < 0)
		return;
	w = api_json(r);
	json_obj(w);
	json_kint(w, "queued", s.n);
	json_key(w, "ids");
	json_arr(w);
	for (i = 0; i < s.n; i++)
		json_int(w, ids[i]);
	json_end(w);
	json_kint(w, "parts", charset_split(s.text, strlen(s.text),
					    CHARSET_MAX_PARTS, &split));
	json_end(w);
	api_reply_after_commit(r, 201, w);
}

/* ---- reading ------------------------------------------------------------ */

static void msg_summary(struct json_w *w, const struct mtq_info *m)
{
	char why[128];

	json_kint(w, "id", m->id);
	json_kstr(w, "to", m->dst);
	json_kstr(w, "state", mtq_state_str(m->state));
	json_kstr(w, "prio", mtq_prio_str(m->prio) ? mtq_prio_str(m->prio) : "?");
	json_kint(w, "parts", m->parts);
	json_kint(w, "attempts", m->attempts);
	json_kopt(w, "link", m->link);
	json_key(w, "smpp_status");
	if (m->smpp_status >= 0)
		json_int(w, m->smpp_status);
	else
		json_null(w);
	json_key(w, "error");
	if (m->state == MTQ_FAILED || m->state == MTQ_EXPIRED) {
		dlr_why(m->state, m->smpp_status > 0 ? m->smpp_status : 0,
			m->dlr_state, m->dlr_err, why, sizeof(why));
		json_str(w, why);
	} else {
		json_null(w);
	}
	json_key(w, "campaign_id");
	if (m->campaign_id)
		json_int(w, m->campaign_id);
	else
		json_null(w);
	json_ktime(w, "created_at", m->created_ms);
	json_ktime(w, "submitted_at", m->submitted_ms);
	json_ktime(w, "done_at", m->done_ms);
}

static void msg_receipts(struct json_w *w, const struct mtq_part_info *p,
			 unsigned n)
{
	unsigned i;

	json_key(w, "receipts");
	json_arr(w);
	for (i = 0; i < n; i++) {
		json_obj(w);
		json_kint(w, "part", p[i].part);
		json_kstr(w, "link", p[i].link);
		json_kstr(w, "smsc_id", p[i].smsc_id);
		json_key(w, "state");
		if (p[i].dlr_state >= 0)
			json_str(w, dlr_state_str(p[i].dlr_state));
		else
			json_null(w);
		json_key(w, "error");
		if (p[i].dlr_err >= 0)
			json_int(w, p[i].dlr_err);
		else
			json_null(w);
		json_ktime(w, "at", p[i].dlr_ms);
		json_end(w);
	}
	json_end(w);
}

void api_message_get(struct api_req *r)
{
	struct mtq_part_info *parts;
	struct mtq_info m;
	struct json_w *w;
	unsigned n;
	int64_t id;
	int rc;

	if (!api_param_id(r, 0, &id))
		return;
	rc = mtq_reader_get(r->s->mtq, r, id, &m, &parts, &n);
	if (rc == -ENOENT) {
		api_error(r, API_E_NOT_FOUND, "no message %lld", (long long)id);
		return;
	}
	if (rc < 0) {
		api_error(r, API_E_STORAGE, "the queue could not be read");
		return;
	}
	w = api_json(r);
	json_obj(w);
	msg_summary(w, &m);
	json_kopt(w, "from", m.src);
	json_kstr(w, "text", m.text);
	json_kint(w, "parts_acked", m.parts_acked);
	json_ktime(w, "expires_at", m.expires_ms);
	msg_receipts(w, parts, n);
	json_end(w);
	api_reply_json(r, 200, w);
}

/* A page, in a worker thread. */
struct msg_page {
	int state;
	unsigned limit, offset, n;
	unsigned long total;
	struct mtq_info *items;		/* under the task's memory */
};

static int msg_page_work(struct api_task *t, struct db *db)
{
	struct msg_page *p = api_task_data(t);
	struct mtq_reader *rd = mtq_reader_new(api_task_mem(t), db);

	if (!rd)
		return -EIO;
	return mtq_reader_page(rd, api_task_mem(t), p->state, p->offset,
			       p->limit, &p->items, &p->n, &p->total);
}

static void msg_page_done(struct api_task *t)
{
	struct msg_page *p = api_task_data(t);
	struct api_req *r = api_task_answerable(t, "the queue");
	struct json_w *w;
	unsigned i;

	if (!r)
		return;
	w = api_json(r);
	api_list_begin(w);
	for (i = 0; i < p->n; i++) {
		json_obj(w);
		msg_summary(w, &p->items[i]);
		json_end(w);
	}
	api_list_end(w, p->total, p->limit, p->offset);
	api_reply_json(r, 200, w);
}

void api_messages_list(struct api_req *r)
{
	struct msg_page *p = talloc_zero(r, struct msg_page);
	const char *state = api_query(r, "state");
	struct api_task *t;
	unsigned i;

	if (!p) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	if (!api_page(r, &p->limit, &p->offset))
		return;
	p->state = -1;
	for (i = 0; state && i < MTQ_NUM_STATES; i++)
		if (!strcmp(state, mtq_state_str(i)))
			p->state = i;
	if (state && p->state < 0) {
		api_error(r, API_E_BAD_REQUEST, "state: queued, sending, "
			  "submitted, delivered, failed or expired");
		return;
	}
	t = api_task_new(r->s, API_TASK_READ, r, true, msg_page_work,
			 msg_page_done, p);
	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}
