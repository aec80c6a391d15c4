/*
 * admin.c - what only an admin does: accounts (GET/POST
 * /api/v1/admin/users, PATCH /api/v1/admin/users/{name}), API tokens
 * (GET/POST /api/v1/admin/tokens, DELETE .../{id}) and reading the audit
 * log (GET /api/v1/admin/audit).
 *
 * A new password is hashed in a worker thread (Argon2id, accounts.h), and
 * the change is written when it is done. The last enabled admin can be
 * neither disabled nor demoted (409), so the console cannot lock its
 * admins out (skillctl can still mend anything). A password change or a
 * disable ends the account's sessions at once. The audit log is read in a
 * worker thread: its total counts a table that only grows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/clock.h"
#include "gateway/db.h"
#include "handlers/domain/audit.h"

/* ---- accounts ----------------------------------------------------------- */

static void admin_user_json(struct json_w *w, const struct acct_user *u)
{
	json_obj(w);
	json_kstr(w, "username", u->name);
	json_kstr(w, "role", acct_role_str(u->role));
	json_kbool(w, "disabled", u->disabled);
	json_ktime(w, "created_at", u->created_at);
	json_ktime(w, "updated_at", u->updated_at);
	json_ktime(w, "last_login_at", u->last_login_at);
	json_end(w);
}

void api_users_list(struct api_req *r)
{
	unsigned limit, offset, n, i;
	unsigned long total;
	struct acct_user *v;
	struct json_w *w;

	if (!api_page(r, &limit, &offset))
		return;
	if (acct_user_list(r->s->accts, r, offset, limit, &v, &n, &total)) {
		api_error(r, API_E_STORAGE, "the accounts could not be read");
		return;
	}
	w = api_json(r);
	api_list_begin(w);
	for (i = 0; i < n; i++)
		admin_user_json(w, &v[i]);
	api_list_end(w, total, limit, offset);
	api_reply_json(r, 200, w);
}

/* An account change waiting for its password's hash. */
struct admin_change {
	char name[ACCT_NAME_MAX];
	char pw[ACCT_PW_MAX + 1];	/* "" : none */
	char hash[ACCT_HASH_MAX];
	int role;			/* -1: unchanged */
	int disabled;			/* -1: unchanged */
	bool add;
	int rc;
};

static int admin_hash_work(struct api_task *t, struct db *db)
{
	struct admin_change *c = api_task_data(t);

	c->rc = acct_hash_password(c->pw, c->hash);
	sodium_memzero(c->pw, sizeof(c->pw));
	return c->rc;
}

/* The last enabled admin stays one. 0, or an error answered. */
static int admin_keep_admin(struct api_req *r, const struct acct_user *u,
			    const struct admin_change *c)
{
	unsigned left = 0;

	if (u->role != ACCT_ADMIN || u->disabled ||
	    ((c->role < 0 || c->role == ACCT_ADMIN) && c->disabled != 1))
		return 0;
	if (acct_admins_left(r->s->accts, u->name, &left) < 0) {
		api_error(r, API_E_STORAGE, "the accounts could not be read");
		return -EIO;
	}
	if (left)
		return 0;
	api_error(r, API_E_CONFLICT, "%s is the last enabled admin", u->name);
	return -EPERM;
}

/* Write c (its hash made) with its audit rows, in one unit. */
static int admin_write(struct api_req *r, const struct admin_change *c,
		       int64_t now)
{
	struct acct_store *a = r->s->accts;
	int rc = 0;

	if (c->add)
		return acct_user_add(a, c->name, c->role, c->hash, now, NULL) ?:
		       api_audit(r, "user_add", "%s (%s)", c->name,
				 acct_role_str(c->role));
	if (*c->hash)
		rc = acct_user_set_password(a, c->name, c->hash, now) ?:
		     api_audit(r, "user_passwd", "%s", c->name);
	if (!rc && c->role >= 0)
		rc = acct_user_set_role(a, c->name, c->role, now) ?:
		     api_audit(r, "user_role", "%s (%s)", c->name,
			       acct_role_str(c->role));
	if (!rc && c->disabled >= 0)
		rc = acct_user_set_disabled(a, c->name, c->disabled, now) ?:
		     api_audit(r, c->disabled ? "user_disable" : "user_enable",
			       "%s", c->name);
	return rc;
}

/* Apply c now: checks, the unit of work, sessions, the answer. */
static void admin_apply(struct api_req *r, struct admin_change *c)
{
	struct db *db = r->s->p.db;
	struct acct_user u;
	struct json_w *w;
	int rc = acct_user_get(r->s->accts, c->name, &u);

	if (c->add ? rc == 0 : rc != 0) {
		api_error(r, c->add ? API_E_CONFLICT : API_E_NOT_FOUND,
			  c->add ? "that user exists already" : "no such user");
		return;
	}
	if (!c->add && admin_keep_admin(r, &u, c) < 0)
		return;
	rc = db_unit_begin(db);
	rc = db_unit_end(db, rc ? rc : admin_write(r, c, clock_now_ms()));
	if (rc < 0 || acct_user_get(r->s->accts, c->name, &u)) {
		api_error(r, rc == -EEXIST ? API_E_CONFLICT : API_E_STORAGE,
			  rc == -EEXIST ? "that user exists already" :
			  "the database did not take it");
		return;
	}
	if (!c->add && (*c->hash || c->disabled == 1))
		api_sessions_end_account(r->s, u.id);
	w = api_json(r);
	admin_user_json(w, &u);
	api_reply_after_commit(r, c->add ? 201 : 200, w);
}

static void admin_hash_done(struct api_task *t)
{
	struct admin_change *c = api_task_data(t);
	struct api_req *r = api_task_answerable(t, "the audit log");

	if (!r)
		return;
	if (c->rc < 0)
		api_error(r, API_E_INTERNAL, "the password could not be hashed");
	else
		admin_apply(r, c);
}

/* Hash c->pw in a thread, then apply; or apply at once. */
static void admin_go(struct api_req *r, struct admin_change *c)
{
	struct api_task *t;

	if (!*c->pw) {
		admin_apply(r, c);
		return;
	}
	t = api_task_new(r->s, API_TASK_HASH, r, false, admin_hash_work,
			 admin_hash_done, c);
	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}

/* password and role of the body into c; false after answering 400. */
static bool admin_read(struct api_req *r, struct admin_change *c,
		       bool required)
{
	const char *pw = NULL, *role = NULL;
	char why[API_WHY_MAX];

	if (json_get_str(r->json, "password", required, ACCT_PW_MAX, &pw,
			 why, sizeof(why)) ||
	    json_get_str(r->json, "role", required, 16, &role, why,
			 sizeof(why)) ||
	    (pw && acct_check_password(pw, why, sizeof(why)))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return false;
	}
	c->role = role ? acct_role_parse(role) : -1;
	if (role && c->role < 0) {
		api_error(r, API_E_BAD_REQUEST, "role: admin, operator or "
			  "viewer");
		return false;
	}
	OSMO_STRLCPY_ARRAY(c->pw, pw ? pw : "");
	return true;
}

void api_users_add(struct api_req *r)
{
	static const char *const keys[] = { "username", "password", "role",
					    NULL };
	struct admin_change *c = talloc_zero(r, struct admin_change);
	const char *name = NULL;
	char why[API_WHY_MAX];

	if (!c) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	if (json_only(r->json, keys, why, sizeof(why)) ||
	    json_get_str(r->json, "username", true, 64, &name, why,
			 sizeof(why)) ||
	    acct_check_name(name, why, sizeof(why))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return;
	}
	if (!admin_read(r, c, true))
		return;
	OSMO_STRLCPY_ARRAY(c->name, name);
	c->add = true;
	c->disabled = -1;
	admin_go(r, c);
}

void api_user_patch(struct api_req *r)
{
	static const char *const keys[] = { "password", "role", "disabled",
					    NULL };
	struct admin_change *c = talloc_zero(r, struct admin_change);
	char why[API_WHY_MAX];
	bool dis = false;

	if (!c) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	c->disabled = json_get(r->json, "disabled") &&
		      json_get(r->json, "disabled")->type != JSON_NULL ? 0 : -1;
	if (json_only(r->json, keys, why, sizeof(why)) ||
	    json_get_bool(r->json, "disabled", &dis, why, sizeof(why))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return;
	}
	if (!admin_read(r, c, false))
		return;
	if (c->disabled >= 0)
		c->disabled = dis;
	OSMO_STRLCPY_ARRAY(c->name, r->param[0]);
	admin_go(r, c);
}

/* ---- tokens ------------------------------------------------------------- */

static void admin_token_json(struct json_w *w, const struct acct_token *t,
			     const char *secret)
{
	json_obj(w);
	json_kint(w, "id", t->id);
	json_kstr(w, "name", t->name);
	json_kstr(w, "role", acct_role_str(t->role));
	json_kstr(w, "created_by", t->created_by);
	json_ktime(w, "created_at", t->created_at);
	json_ktime(w, "last_used_at", t->last_used_at);
	json_ktime(w, "revoked_at", t->revoked_at);
	if (secret)
		json_kstr(w, "token", secret);
	json_end(w);
}

void api_tokens_list(struct api_req *r)
{
	unsigned limit, offset, n, i;
	unsigned long total;
	struct acct_token *v;
	struct json_w *w;

	if (!api_page(r, &limit, &offset))
		return;
	if (acct_token_list(r->s->accts, r, offset, limit, &v, &n, &total)) {
		api_error(r, API_E_STORAGE, "the tokens could not be read");
		return;
	}
	w = api_json(r);
	api_list_begin(w);
	for (i = 0; i < n; i++)
		admin_token_json(w, &v[i], NULL);
	api_list_end(w, total, limit, offset);
	api_reply_json(r, 200, w);
}

/* A token name: 1..64 octets, printable, no quote or backslash. */
static bool admin_token_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= ACCT_TOKEN_NAME_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' ||
		    *s == '\\')
			return false;
	return true;
}

static int admin_token_make(struct api_req *r, const char *name, int role,
			    struct acct_token *t, char *secret)
{
	int64_t now = clock_now_ms();
	int rc = acct_token_create(r->s->accts, name, role, r->who.name, now,
				   secret, &t->id);

	if (!rc)
		rc = api_audit(r, "token_create", "token %lld %s (%s)",
			       (long long)t->id, name, acct_role_str(role));
	if (rc)
		return rc;
	OSMO_STRLCPY_ARRAY(t->name, name);
	OSMO_STRLCPY_ARRAY(t->created_by, r->who.name);
	t->role = role;
	t->created_at = now;
	return 0;
}

void api_tokens_add(struct api_req *r)
{
	static const char *const keys[] = { "name", "role", NULL };
	const char *name = NULL, *role = NULL;
	char why[API_WHY_MAX], secret[ACCT_TOKEN_MAX];
	struct acct_token t = { 0 };
	struct json_w *w;
	int k, rc;

	if (json_only(r->json, keys, why, sizeof(why)) ||
	    json_get_str(r->json, "name", true, 64, &name, why, sizeof(why)) ||
	    json_get_str(r->json, "role", true, 16, &role, why, sizeof(why))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return;
	}
	k = acct_role_parse(role);
	if (k < 0 || !admin_token_name_ok(name)) {
		api_error(r, API_E_BAD_REQUEST, k < 0 ? "role: admin, operator "
			  "or viewer" : "name: 1 to 64 printable characters, "
			  "no quote or backslash");
		return;
	}
	rc = db_unit_begin(r->s->p.db);
	rc = db_unit_end(r->s->p.db, rc ? rc :
			 admin_token_make(r, name, k, &t, secret));
	if (rc < 0) {
		api_error(r, rc == -EEXIST ? API_E_CONFLICT : API_E_STORAGE,
			  rc == -EEXIST ? "a token of that name exists (revoke "
			  "it first)" : "the database did not take it");
		return;
	}
	w = api_json(r);
	admin_token_json(w, &t, secret);
	sodium_memzero(secret, sizeof(secret));
	api_reply_after_commit(r, 201, w);
}

void api_token_revoke(struct api_req *r)
{
	int64_t id;
	int rc;

	if (!api_param_id(r, 0, &id))
		return;
	rc = db_unit_begin(r->s->p.db);
	if (!rc)
		rc = acct_token_revoke(r->s->accts, id, clock_now_ms());
	if (!rc)
		rc = api_audit(r, "token_revoke", "token %lld", (long long)id);
	rc = db_unit_end(r->s->p.db, rc);
	if (rc < 0) {
		api_error(r, rc == -ENOENT ? API_E_NOT_FOUND : API_E_STORAGE,
			  rc == -ENOENT ? "no such token, or revoked already" :
			  "the database did not take it");
		return;
	}
	api_reply_after_commit(r, 204, NULL);
}

/* ---- the audit log (in a thread) ---------------------------------------- */

struct admin_audit {
	struct audit_filter f;
	unsigned limit, offset, n;
	unsigned long total;
	struct audit_entry *v;		/* the task's memory */
};

static int admin_audit_work(struct api_task *t, struct db *db)
{
	struct admin_audit *a = api_task_data(t);
	struct audit *au = audit_init(api_task_mem(t), db);

	if (!au)
		return -EIO;
	return audit_list(au, api_task_mem(t), &a->f, a->offset, a->limit,
			  &a->v, &a->n, &a->total);
}

static void admin_audit_done(struct api_task *t)
{
	struct admin_audit *a = api_task_data(t);
	struct api_req *r = api_task_req(t);
	struct json_w *w;
	unsigned i;

	if (!r)
		return;
	w = api_json(r);
	api_list_begin(w);
	for (i = 0; i < a->n; i++) {
		json_obj(w);
		json_kint(w, "id", a->v[i].id);
		json_ktime(w, "at", a->v[i].at);
		json_kstr(w, "actor", a->v[i].actor);
		json_kstr(w, "action", a->v[i].action);
		json_kopt(w, "detail", a->v[i].detail);
		json_end(w);
	}
	api_list_end(w, a->total, a->limit, a->offset);
	api_reply_json(r, 200, w);
}

/* ?since= and ?until= (Unix ms); false after answering 400. */
static bool admin_audit_time(struct api_req *r, const char *k, int64_t *out)
{
	const char *v = api_query(r, k);
	char *end;

	if (!v)
		return true;
	*out = strtoll(v, &end, 10);
	if (*v && !*end && *out >= 0)
		return true;
	api_error(r, API_E_BAD_REQUEST, "%s: Unix time in milliseconds", k);
	return false;
}

void api_audit_list(struct api_req *r)
{
	struct admin_audit *a = talloc_zero(r, struct admin_audit);
	struct api_task *t;

	if (!a) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	if (!api_page(r, &a->limit, &a->offset) ||
	    !admin_audit_time(r, "since", &a->f.since) ||
	    !admin_audit_time(r, "until", &a->f.until))
		return;
	a->f.actor = api_query(r, "actor");
	a->f.action = api_query(r, "action");
	t = api_task_new(r->s, API_TASK_READ, r, true, admin_audit_work,
			 admin_audit_done, a);
	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}
