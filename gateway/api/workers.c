/*
 * workers.c - one worker with subsidies, enrolments and certificates
 * (GET /api/v1/workers/{id}, or found by number or resident ID), one
 * subsidy (GET /api/v1/subsidies/{ref}), and a subsidy's status changed
 * from the back office (PATCH: dom_subsidy_set_status, the single-record
 * form of the subsidy import with its rules, audited).
 *
 * On the loop: every read is a lookup by key. Below admin, a worker's name
 * (张*明), resident ID (445***********123X) and birth date are masked.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/text/fmt.h"
#include "gateway/text/msisdn.h"
#include "handlers/domain/domain.h"
#include "handlers/domain/idcard.h"

#define WORKERS_DATE_MAX	16

static void workers_subsidy(struct json_w *w, const struct dom_subsidy *s)
{
	json_obj(w);
	json_kstr(w, "reference", s->reference);
	json_kint(w, "worker_id", s->worker_id);
	json_kstr(w, "kind", s->kind);
	json_kopt(w, "course_code", s->course_code);
	json_kopt(w, "course_name", s->course_name);
	json_kopt(w, "occupation_name", s->occupation_name);
	json_key(w, "level");
	if (s->level)
		json_int(w, s->level);
	else
		json_null(w);
	json_kint(w, "amount_fen", s->amount_fen);
	json_kstr(w, "status", s->status);
	json_kopt(w, "reason", s->reason);
	json_kstr(w, "applied_date", s->applied_date);
	json_kopt(w, "decided_date", s->decided_date);
	json_kopt(w, "paid_date", s->paid_date);
	json_kint(w, "year", s->year);
	json_kbool(w, "flagged", s->flagged);
	json_kopt(w, "rule_flag", s->rule_flag);
	json_end(w);
}

static void workers_enrolments(struct json_w *w,
			       const struct dom_training *t, unsigned n)
{
	unsigned i;

	json_key(w, "enrolments");
	json_arr(w);
	for (i = 0; i < n; i++) {
		json_obj(w);
		json_kstr(w, "course_code", t[i].code);
		json_kstr(w, "course_name", t[i].name);
		json_kstr(w, "occupation_name", t[i].occupation_name);
		json_kint(w, "level", t[i].level);
		json_kstr(w, "institution_name", t[i].institution_name);
		json_kstr(w, "start_date", t[i].start_date);
		json_kstr(w, "end_date", t[i].end_date);
		json_kstr(w, "status", t[i].status);
		json_kopt(w, "result", t[i].result);
		json_kopt(w, "certificate", t[i].certificate);
		json_end(w);
	}
	json_end(w);
}

static void workers_certs(struct json_w *w, const struct dom_record *rec)
{
	unsigned i;

	json_key(w, "certificates");
	json_arr(w);
	for (i = 0; i < rec->n_certs; i++) {
		const struct dom_cert *c = &rec->certs[i];

		json_obj(w);
		json_kstr(w, "number", c->number);
		json_kstr(w, "kind", c->kind);
		json_kopt(w, "occupation_name", c->occupation_name);
		json_key(w, "level");
		if (c->level)
			json_int(w, c->level);
		else
			json_null(w);
		json_kstr(w, "issued_date", c->issued_date);
		json_end(w);
	}
	json_end(w);
}

/* Who the worker is, masked below admin. */
static void workers_person(struct api_req *r, struct json_w *w,
			   const struct dom_worker *x)
{
	bool clear = r->who.role >= ACCT_ADMIN;
	char name[DOM_NAME_MAX], id[IDCARD_MASKED], groups[CODES_GROUPS_MAX];
	char *g, *save = NULL;

	fmt_name_mask(x->name, name, sizeof(name));
	idcard_mask(x->id_number, id);
	json_kint(w, "id", x->id);
	json_kstr(w, "name", clear ? x->name : name);
	json_kstr(w, "id_number", clear ? x->id_number : id);
	json_kopt(w, "msisdn", x->msisdn);
	json_kstr(w, "region", x->region);
	json_kstr(w, "region_name", x->region_name);
	json_key(w, "key_groups");
	json_arr(w);
	OSMO_STRLCPY_ARRAY(groups, x->key_groups);
	for (g = strtok_r(groups, ",", &save); g; g = strtok_r(NULL, ",", &save))
		json_str(w, g);
	json_end(w);
	json_key(w, "birth_date");
	json_str(w, clear ? x->birth_date : NULL);
	json_kbool(w, "opted_out", x->opted_out);
	json_kopt(w, "bound_by", x->bound_by);
}

/* The whole worker; false after answering 503. */
static bool workers_json(struct api_req *r, struct json_w *w,
			 const struct dom_worker *x)
{
	struct dom *d = r->s->dom;
	struct dom_training *t;
	struct dom_subsidy *sub;
	struct dom_record rec;
	unsigned nt, ns, i;

	if (dom_enrolments(d, r, x->id, &t, &nt) ||
	    dom_record(d, r, x->id, &rec) ||
	    dom_subsidies(d, r, x->id, &sub, &ns)) {
		api_error(r, API_E_STORAGE, "the roster could not be read");
		return false;
	}
	json_obj(w);
	workers_person(r, w, x);
	workers_enrolments(w, t, nt);
	workers_certs(w, &rec);
	json_key(w, "subsidies");
	json_arr(w);
	for (i = 0; i < ns; i++)
		workers_subsidy(w, &sub[i]);
	json_end(w);
	json_end(w);
	return true;
}

void api_worker_get(struct api_req *r)
{
	struct dom_worker x;
	struct json_w *w;
	int64_t id;
	int rc;

	if (!api_param_id(r, 0, &id))
		return;
	rc = dom_worker_by_id(r->s->dom, id, &x);
	if (rc != DOM_OK) {
		api_error(r, rc < 0 ? API_E_STORAGE : API_E_NOT_FOUND,
			  "no worker %lld", (long long)id);
		return;
	}
	w = api_json(r);
	if (workers_json(r, w, &x))
		api_reply_json(r, 200, w);
}

/* ?msisdn= or ?id_number= into x: DOM_OK, DOM_NOT_FOUND, or -EINVAL after
 * answering 400. */
static int workers_lookup(struct api_req *r, struct dom_worker *x)
{
	const char *num = api_query(r, "msisdn"), *idn = api_query(r, "id_number");
	char msisdn[MSISDN_MAX], today[FMT_ISO_DATE];
	struct idcard card;

	if (!num == !idn) {
		api_error(r, API_E_BAD_REQUEST, "give msisdn or id_number");
		return -EINVAL;
	}
	if (num && msisdn_normalise(num, r->s->cfg->country_code, msisdn,
				    sizeof(msisdn)) < 0) {
		api_error(r, API_E_BAD_REQUEST, "msisdn: not a phone number");
		return -EINVAL;
	}
	if (num)
		return dom_worker_by_msisdn(r->s->dom, msisdn, x);
	fmt_local_date(clock_now_ms(), today);
	if (idcard_check(idn, today, &card) != IDCARD_OK) {
		api_error(r, API_E_BAD_REQUEST, "id_number: not a resident ID");
		return -EINVAL;
	}
	return dom_worker_by_id_number(r->s->dom, card.id, x);
}

void api_workers_find(struct api_req *r)
{
	struct dom_worker x;
	struct json_w *w;
	int rc = workers_lookup(r, &x);

	if (rc == -EINVAL)
		return;
	if (rc < 0) {
		api_error(r, API_E_STORAGE, "the roster could not be read");
		return;
	}
	w = api_json(r);
	api_list_begin(w);
	if (rc == DOM_OK && !workers_json(r, w, &x))
		return;
	api_list_end(w, rc == DOM_OK, API_LIST_MAX, 0);
	api_reply_json(r, 200, w);
}

/* ---- subsidies ---------------------------------------------------------- */

void api_subsidy_get(struct api_req *r)
{
	struct dom_subsidy s;
	struct json_w *w;
	int rc = dom_subsidy_get(r->s->dom, r->param[0], &s);

	if (rc != DOM_OK) {
		api_error(r, rc < 0 ? API_E_STORAGE : API_E_NOT_FOUND,
			  "no subsidy '%.40s'", r->param[0]);
		return;
	}
	w = api_json(r);
	workers_subsidy(w, &s);
	api_reply_json(r, 200, w);
}

/* The body into c; false after answering 400. */
static bool workers_change(struct api_req *r, struct dom_subsidy_change *c)
{
	static const char *const keys[] = { "status", "reason", "decided_date",
					    "paid_date", NULL };
	char why[API_WHY_MAX];

	if (json_only(r->json, keys, why, sizeof(why)) ||
	    json_get_str(r->json, "status", true, 64, &c->status, why,
			 sizeof(why)) ||
	    json_get_str(r->json, "reason", false, DOM_REASON_MAX - 1,
			 &c->reason, why, sizeof(why)) ||
	    json_get_str(r->json, "decided_date", false, WORKERS_DATE_MAX,
			 &c->decided_date, why, sizeof(why)) ||
	    json_get_str(r->json, "paid_date", false, WORKERS_DATE_MAX,
			 &c->paid_date, why, sizeof(why))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return false;
	}
	return true;
}

void api_subsidy_patch(struct api_req *r)
{
	struct dom_subsidy_change c = { 0 };
	char why[API_WHY_MAX] = "", *where;
	struct dom_subsidy s;
	struct json_w *w;
	int rc;

	if (!workers_change(r, &c))
		return;
	where = talloc_asprintf(r, "from %s: ", r->client);
	rc = dom_subsidy_set_status(r->s->dom, r->param[0], &c, r->who.name,
				    where, clock_now_ms(), &s, why,
				    sizeof(why));
	if (rc == DOM_NOT_FOUND)
		api_error(r, API_E_NOT_FOUND, "no subsidy '%.40s'", r->param[0]);
	else if (rc == DOM_INVALID)
		api_error(r, API_E_BAD_REQUEST, "%s", why);
	else if (rc != DOM_OK)
		api_error(r, API_E_STORAGE, "the database did not take it");
	if (rc != DOM_OK)
		return;
	w = api_json(r);
	workers_subsidy(w, &s);
	api_reply_after_commit(r, 200, w);
}
