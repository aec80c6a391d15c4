/*
 * auth.c - who is asking: the console's sessions (cookie sgw_session, a
 * CSRF token per session, idle expiry), the login with its lock-out, and
 * the machines' bearer tokens (accounts.c checks them).
 *
 * Sessions live in memory: a restart logs everyone out. A session id and
 * its CSRF token are 32 random octets each (randombytes_buf, base64url);
 * both are compared with sodium_memcmp. Every request re-reads the
 * account (one lookup by primary key): a disabled account, or one whose
 * password changed after the session began, ends the session at once, and
 * a new role applies at once. A session idle for api.session_idle seconds
 * ends; a sweep every minute forgets the idle ones.
 *
 * The cookie: HttpOnly (no script reads it), SameSite=Strict (no other
 * site's page sends it), Path=/, Secure under TLS, no expiry (it ends with
 * the browser, or with the server's idle timer). A cookie request that
 * changes anything must also carry X-CSRF-Token: the token the login (or
 * GET /session) answered, which only a page of the console can know.
 *
 * Login: the password is verified by Argon2id in a worker thread (about
 * 70 ms, two at a time: the loop never waits for it). An unknown user is
 * verified against a fixed dummy hash, so the time does not tell whether
 * the name exists. Lock-out: api.lockout_failures failures of one user
 * name, or from one address, within api.lockout_minutes lock that name or
 * address for api.lockout_minutes (429, Retry-After), checked before any
 * password is looked at; the records live in memory too.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"

#define AUTH_COOKIE		"sgw_session"
#define AUTH_CSRF_HEADER	"X-CSRF-Token"
#define AUTH_ID_OCTETS		32
#define AUTH_ID_MAX		48	/* base64url of 32 octets, NUL */
#define AUTH_SESSIONS_MAX	10000
#define AUTH_FAILS_MAX		10000
#define AUTH_SWEEP_S		60
#define AUTH_KEY_MAX		(HTTPD_ADDR_MAX + 8)
/* crypto_pwhash_str of 64 random hex digits nobody kept */
#define AUTH_DUMMY_HASH	"$argon2id$v=19$m=32768,t=2,p=1$1Av2t/+8eSOJlxS4" \
			"9mnoRg$ZDKruPynfm4MbxupY/p969uFFEqrKFKoyZ5L8PzLgZo"

struct api_session {
	struct llist_head list;		/* most recent use first */
	char id[AUTH_ID_MAX];
	char csrf[AUTH_ID_MAX];
	int64_t account_id;
	char name[ACCT_NAME_MAX];
	enum acct_role role;
	int64_t created_ms, last_ms;
};

/* Failed logins of a user name ("u:NAME") or from an address ("a:ADDR"). */
struct auth_fail {
	struct llist_head list;
	char key[AUTH_KEY_MAX];
	unsigned count;
	int64_t first_ms, locked_until_ms;
};

struct api_sessions {
	struct api_server *s;
	struct llist_head all;
	unsigned n;
	struct llist_head fails;
	unsigned n_fails;
	struct osmo_timer_list sweep;
};

static int64_t auth_idle_ms(const struct api_sessions *ss)
{
	return ss->s->cfg->api.session_idle_s * 1000LL;
}

static int64_t auth_window_ms(const struct api_sessions *ss)
{
	return ss->s->cfg->api.lockout_min * 60000LL;
}

static void auth_session_free(struct api_sessions *ss, struct api_session *x)
{
	llist_del(&x->list);
	ss->n--;
	sodium_memzero(x, sizeof(*x));
	talloc_free(x);
}

static void auth_sweep_cb(void *data)
{
	struct api_sessions *ss = data;
	struct api_session *x, *tx;
	struct auth_fail *f, *tf;
	int64_t now = clock_now_ms();

	llist_for_each_entry_safe(x, tx, &ss->all, list)
		if (now - x->last_ms > auth_idle_ms(ss))
			auth_session_free(ss, x);
	llist_for_each_entry_safe(f, tf, &ss->fails, list)
		if (now - f->first_ms > auth_window_ms(ss) &&
		    now >= f->locked_until_ms) {
			llist_del(&f->list);
			ss->n_fails--;
			talloc_free(f);
		}
	osmo_timer_schedule(&ss->sweep, AUTH_SWEEP_S, 0);
}

struct api_sessions *api_sessions_new(struct api_server *s)
{
	struct api_sessions *ss = talloc_zero(s, struct api_sessions);

	if (!ss)
		return NULL;
	ss->s = s;
	INIT_LLIST_HEAD(&ss->all);
	INIT_LLIST_HEAD(&ss->fails);
	osmo_timer_setup(&ss->sweep, auth_sweep_cb, ss);
	osmo_timer_schedule(&ss->sweep, AUTH_SWEEP_S, 0);
	return ss;
}

void api_sessions_free(struct api_sessions *ss)
{
	struct api_session *x, *t;

	if (!ss)
		return;
	osmo_timer_del(&ss->sweep);
	llist_for_each_entry_safe(x, t, &ss->all, list)
		auth_session_free(ss, x);
	talloc_free(ss);
}

void api_sessions_end_account(struct api_server *s, int64_t account_id)
{
	struct api_session *x, *t;

	llist_for_each_entry_safe(x, t, &s->sessions->all, list)
		if (x->account_id == account_id)
			auth_session_free(s->sessions, x);
}

/* Equal strings, compared in constant time for equal lengths. */
static bool auth_same(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && n && sodium_memcmp(a, b, n) == 0;
}

static struct api_session *auth_session_find(struct api_sessions *ss,
					     const char *id)
{
	struct api_session *x;

	if (!id || strlen(id) >= AUTH_ID_MAX)
		return NULL;
	llist_for_each_entry(x, &ss->all, list)
		if (auth_same(x->id, id))
			return x;
	return NULL;
}

/* ---- who is asking ------------------------------------------------------ */

static int auth_bearer(struct api_req *r, const char *h, char *why,
		       size_t cap)
{
	struct acct_token t;

	if (strncasecmp(h, "Bearer ", 7)) {
		snprintf(why, cap, "Authorization: only Bearer TOKEN");
		return API_E_UNAUTHORIZED;
	}
	if (acct_token_check(r->s->accts, h + 7, clock_now_ms(), &t)) {
		snprintf(why, cap, "unknown or revoked token");
		return API_E_UNAUTHORIZED;
	}
	r->who.via = API_VIA_TOKEN;
	r->who.role = t.role;
	snprintf(r->who.name, sizeof(r->who.name), "token:%s", t.name);
	return 0;
}

/* The session is still good: the account enabled, its password the one
 * of the login; its role as it is now. */
static bool auth_session_valid(struct api_req *r, struct api_session *x,
			       int64_t now)
{
	struct acct_user u;

	if (now - x->last_ms > auth_idle_ms(r->s->sessions) ||
	    acct_user_by_id(r->s->accts, x->account_id, &u) ||
	    u.disabled || u.pw_changed_at > x->created_ms)
		return false;
	x->role = u.role;
	x->last_ms = now;
	llist_del(&x->list);	/* most recent first */
	llist_add(&x->list, &r->s->sessions->all);
	return true;
}

static int auth_cookie(struct api_req *r, const char *id, char *why,
		       size_t cap)
{
	struct api_sessions *ss = r->s->sessions;
	struct api_session *x = auth_session_find(ss, id);
	int64_t now = clock_now_ms();

	if (x && !auth_session_valid(r, x, now)) {
		auth_session_free(ss, x);
		x = NULL;
	}
	if (!x) {
		snprintf(why, cap, "the session has ended; log in again");
		return (r->route->flags & API_F_PUBLIC) ? 0 :
		       API_E_UNAUTHORIZED;
	}
	r->who.via = API_VIA_SESSION;
	r->who.role = x->role;
	r->who.account_id = x->account_id;
	r->who.session = x;
	OSMO_STRLCPY_ARRAY(r->who.name, x->name);
	return 0;
}

int api_authenticate(struct api_req *r, char *why, size_t cap)
{
	const char *bearer = MHD_lookup_connection_value(r->conn,
		MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *cookie = MHD_lookup_connection_value(r->conn,
		MHD_COOKIE_KIND, AUTH_COOKIE);

	memset(&r->who, 0, sizeof(r->who));
	if (bearer)
		return auth_bearer(r, bearer, why, cap);
	if (cookie && *cookie)
		return auth_cookie(r, cookie, why, cap);
	if (r->loopback && (r->route->flags & API_F_LOOPBACK)) {
		r->who.via = API_VIA_LOOPBACK;
		r->who.role = ACCT_VIEWER;
		snprintf(r->who.name, sizeof(r->who.name), "loopback");
	}
	return 0;
}

bool api_csrf_ok(struct api_req *r)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						    AUTH_CSRF_HEADER);

	return h && r->who.session && auth_same(r->who.session->csrf, h);
}

/* ---- lock-out ----------------------------------------------------------- */

static struct auth_fail *auth_fail_find(struct api_sessions *ss,
					const char *key, bool make)
{
	struct auth_fail *f;

	llist_for_each_entry(f, &ss->fails, list)
		if (!strcmp(f->key, key))
			return f;
	if (!make)
		return NULL;
	if (ss->n_fails >= AUTH_FAILS_MAX) {	/* forget the oldest */
		f = llist_last_entry(&ss->fails, struct auth_fail, list);
		llist_del(&f->list);
		ss->n_fails--;
		talloc_free(f);
	}
	f = talloc_zero(ss, struct auth_fail);
	if (!f)
		return NULL;
	OSMO_STRLCPY_ARRAY(f->key, key);
	llist_add(&f->list, &ss->fails);
	ss->n_fails++;
	return f;
}

static void auth_keys(const struct api_req *r, const char *user,
		      char ku[AUTH_KEY_MAX], char ka[AUTH_KEY_MAX])
{
	snprintf(ku, AUTH_KEY_MAX, "u:%.*s", ACCT_NAME_MAX, user);
	snprintf(ka, AUTH_KEY_MAX, "a:%s", r->client);
}

/* Seconds the name or the address stays locked, 0 if neither is. */
static unsigned auth_locked(struct api_req *r, const char *user)
{
	char ku[AUTH_KEY_MAX], ka[AUTH_KEY_MAX];
	struct auth_fail *f[2];
	int64_t now = clock_now_ms(), until = 0;
	unsigned i;

	auth_keys(r, user, ku, ka);
	f[0] = auth_fail_find(r->s->sessions, ku, false);
	f[1] = auth_fail_find(r->s->sessions, ka, false);
	for (i = 0; i < 2; i++)
		if (f[i] && f[i]->locked_until_ms > until)
			until = f[i]->locked_until_ms;
	return until > now ? (unsigned)((until - now + 999) / 1000) : 0;
}

/* Count a failure of key; true when this one locks it. */
static bool auth_fail_count(struct api_sessions *ss, const char *key,
			    int64_t now)
{
	struct auth_fail *f = auth_fail_find(ss, key, true);

	if (!f)
		return false;
	if (now - f->first_ms > auth_window_ms(ss)) {
		f->count = 0;
		f->first_ms = now;
	}
	if (++f->count < ss->s->cfg->api.lockout_failures)
		return false;
	f->locked_until_ms = now + auth_window_ms(ss);
	f->count = 0;
	f->first_ms = now;
	return true;
}

static void auth_fail_clear(struct api_sessions *ss, const char *key)
{
	struct auth_fail *f = auth_fail_find(ss, key, false);

	if (f) {
		llist_del(&f->list);
		ss->n_fails--;
		talloc_free(f);
	}
}

/* ---- POST /api/v1/session ----------------------------------------------- */

/* The login's work: read by the thread, the result written by it. */
struct auth_login {
	char user[ACCT_NAME_MAX];
	char pw[ACCT_PW_MAX + 1];
	char hash[ACCT_HASH_MAX];
	char client[HTTPD_ADDR_MAX];
	int64_t account_id;		/* 0: no such user */
	bool ok;			/* the password is right */
};

static int auth_login_work(struct api_task *t, struct db *db)
{
	struct auth_login *d = api_task_data(t);

	d->ok = acct_verify_password(d->hash, d->pw) && d->account_id;
	sodium_memzero(d->pw, sizeof(d->pw));
	return 0;
}

static struct api_session *auth_session_new(struct api_sessions *ss,
					    const struct acct_user *u)
{
	struct api_session *x;

	if (ss->n >= AUTH_SESSIONS_MAX)	/* the least recently used goes */
		auth_session_free(ss, llist_last_entry(&ss->all,
				  struct api_session, list));
	x = talloc_zero(ss, struct api_session);
	if (!x)
		return NULL;
	acct_random_b64(x->id, sizeof(x->id), AUTH_ID_OCTETS);
	acct_random_b64(x->csrf, sizeof(x->csrf), AUTH_ID_OCTETS);
	x->account_id = u->id;
	x->role = u->role;
	OSMO_STRLCPY_ARRAY(x->name, u->name);
	x->created_ms = x->last_ms = clock_now_ms();
	llist_add(&x->list, &ss->all);
	ss->n++;
	return x;
}

static void auth_session_json(struct api_req *r, struct json_w *w)
{
	json_obj(w);
	json_kstr(w, "user", r->who.name);
	json_kstr(w, "role", acct_role_str(r->who.role));
	json_key(w, "csrf");
	json_str(w, r->who.session ? r->who.session->csrf : NULL);
	json_kstr(w, "via", r->who.via == API_VIA_TOKEN ? "token" : "session");
	json_kint(w, "idle_timeout_s", r->s->cfg->api.session_idle_s);
	json_end(w);
}

/* A failed login: counted for the name and the address, audited. */
static void auth_login_failed(struct api_server *s, const struct auth_login *d)
{
	char ku[AUTH_KEY_MAX], ka[AUTH_KEY_MAX];
	int64_t now = clock_now_ms();
	bool lock_u, lock_a;

	snprintf(ku, sizeof(ku), "u:%s", d->user);
	snprintf(ka, sizeof(ka), "a:%s", d->client);
	lock_u = auth_fail_count(s->sessions, ku, now);
	lock_a = auth_fail_count(s->sessions, ka, now);
	api_audit_as(s, d->user, d->client, "login_failed", "user %s",
		     d->user);
	if (lock_u || lock_a) {
		LOGP(DAPI, LOGL_NOTICE, "API: %s locked for %u min after "
		     "failed logins\n", lock_u ? "a user name" : "an address",
		     s->cfg->api.lockout_min);
		api_audit_as(s, d->user, d->client, "lockout", "%s %s for %u "
			     "minutes", lock_u ? "user" : "address",
			     lock_u ? d->user : d->client,
			     s->cfg->api.lockout_min);
	}
}

/* The password was right: a session, its cookie, the audit row. */
static void auth_login_ok(struct api_req *r, const struct auth_login *d)
{
	struct api_sessions *ss = r->s->sessions;
	struct api_session *x;
	struct acct_user u;
	struct json_w *w;
	int rc;

	if (acct_user_by_id(r->s->accts, d->account_id, &u) || u.disabled) {
		api_error(r, API_E_UNAUTHORIZED, "the account is disabled");
		return;
	}
	x = auth_session_new(ss, &u);
	if (!x) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	auth_fail_clear(ss, talloc_asprintf(r, "u:%s", d->user));
	auth_fail_clear(ss, talloc_asprintf(r, "a:%s", d->client));
	r->who = (struct api_who){ .via = API_VIA_SESSION, .role = u.role,
				   .account_id = u.id, .session = x };
	OSMO_STRLCPY_ARRAY(r->who.name, u.name);
	r->set_cookie = talloc_asprintf(r, AUTH_COOKIE "=%s; Path=/; HttpOnly;"
					" SameSite=Strict%s", x->id,
					r->s->tls ? "; Secure" : "");
	rc = db_unit_begin(r->s->p.db);
	if (!rc)
		rc = acct_user_logged_in(r->s->accts, u.id, x->created_ms);
	if (!rc)
		rc = api_audit(r, "login", "session (%s)",
			       acct_role_str(u.role));
	if (db_unit_end(r->s->p.db, rc) < 0) {
		auth_session_free(ss, x);
		api_error(r, API_E_STORAGE, "the database did not take it");
		return;
	}
	w = api_json(r);
	auth_session_json(r, w);
	api_reply_after_commit(r, 200, w);
}

static void auth_login_done(struct api_task *t)
{
	struct auth_login *d = api_task_data(t);
	struct api_req *r = api_task_req(t);

	if (!d->ok)	/* counted even when the client went away */
		auth_login_failed(api_task_server(t), d);
	if (r && d->ok)
		auth_login_ok(r, d);
	else if (r)
		api_error(r, API_E_UNAUTHORIZED, "wrong user name or password");
}

/* {"username","password"} into d; false after answering 400. */
static bool auth_login_read(struct api_req *r, struct auth_login *d)
{
	static const char *const keys[] = { "username", "password", NULL };
	const char *user = NULL, *pw = NULL;
	char why[API_WHY_MAX];

	if (json_only(r->json, keys, why, sizeof(why)) ||
	    json_get_str(r->json, "username", true, ACCT_NAME_MAX - 1, &user,
			 why, sizeof(why)) ||
	    json_get_str(r->json, "password", true, ACCT_PW_MAX, &pw, why,
			 sizeof(why))) {
		api_error(r, API_E_BAD_REQUEST, "%s", why);
		return false;
	}
	OSMO_STRLCPY_ARRAY(d->user, user);
	OSMO_STRLCPY_ARRAY(d->pw, pw);
	OSMO_STRLCPY_ARRAY(d->client, r->client);
	return true;
}

void api_session_login(struct api_req *r)
{
	struct auth_login *d = talloc_zero(r, struct auth_login);
	struct api_task *t;
	struct acct_user u;
	unsigned wait;

	if (!d) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	if (!auth_login_read(r, d))
		return;
	wait = auth_locked(r, d->user);
	if (wait) {
		r->retry_after = wait;
		api_error(r, API_E_LOCKED, "too many failed logins: try again "
			  "in %u s", wait);
		return;
	}
	if (acct_user_get(r->s->accts, d->user, &u) == 0) {
		d->account_id = u.id;
		OSMO_STRLCPY_ARRAY(d->hash, u.pwhash);
	} else {	/* the same work for a name that does not exist */
		OSMO_STRLCPY_ARRAY(d->hash, AUTH_DUMMY_HASH);
	}
	t = api_task_new(r->s, API_TASK_HASH, r, false, auth_login_work,
			 auth_login_done, d);
	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too many logins at once: try again");
}

/* ---- GET and DELETE /api/v1/session ------------------------------------- */

void api_session_get(struct api_req *r)
{
	struct json_w *w = api_json(r);

	auth_session_json(r, w);
	api_reply_json(r, 200, w);
}

void api_session_logout(struct api_req *r)
{
	struct api_session *x = r->who.session;
	int rc;

	if (!x) {
		api_error(r, API_E_CONFLICT, "a bearer token has no session "
			  "(revoke the token instead)");
		return;
	}
	auth_session_free(r->s->sessions, x);
	r->who.session = NULL;
	r->set_cookie = AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; "
			"Max-Age=0";
	rc = db_unit_begin(r->s->p.db);
	if (!rc)
		rc = api_audit(r, "logout", "session ended");
	db_unit_end(r->s->p.db, rc);
	api_reply_empty(r, 204);
}
