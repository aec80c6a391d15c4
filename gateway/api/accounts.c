/*
 * accounts.c - accounts and API tokens in the database, password hashing
 * and token secrets (see accounts.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/api/accounts.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"

#define ACCT_SECRET_OCTETS	32
#define ACCT_SECRET_B64		48	/* its base64url, with the NUL */
#define ACCT_TOKEN_PREFIX	"sgw_"
#define ACCT_USED_EVERY_MS	60000	/* last_used_at written at most */

_Static_assert(ACCT_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer");

enum acct_stmt {
	AS_USER_ADD, AS_USER_GET, AS_USER_BY_ID, AS_USER_PW, AS_USER_ROLE,
	AS_USER_DISABLE, AS_USER_LOGIN, AS_ADMINS, AS_USER_LIST, AS_USER_COUNT,
	AS_TOKEN_ADD, AS_TOKEN_GET, AS_TOKEN_USED, AS_TOKEN_REVOKE,
	AS_TOKEN_LIST, AS_TOKEN_COUNT, AS_NUM
};

#define ACCT_USER_COLS \
	"SELECT id, username, role, disabled, pwhash, created_at," \
	" updated_at, pw_changed_at, coalesce(last_login_at, 0) FROM account"
#define ACCT_TOKEN_COLS \
	"SELECT id, name, role, created_by, created_at," \
	" coalesce(last_used_at, 0), coalesce(revoked_at, 0), hash" \
	" FROM api_token"

static const char *const acct_sql[AS_NUM] = {
	[AS_USER_ADD] =
		"INSERT INTO account (username, role, pwhash, created_at,"
		" updated_at, pw_changed_at) VALUES (:name, :role, :hash,"
		" :now, :now, :now)",
	[AS_USER_GET] = ACCT_USER_COLS " WHERE username = :name",
	[AS_USER_BY_ID] = ACCT_USER_COLS " WHERE id = :id",
	[AS_USER_PW] =
		"UPDATE account SET pwhash = :hash, pw_changed_at = :now,"
		" updated_at = :now WHERE username = :name",
	[AS_USER_ROLE] =
		"UPDATE account SET role = :role, updated_at = :now"
		" WHERE username = :name",
	[AS_USER_DISABLE] =
		"UPDATE account SET disabled = :disabled, updated_at = :now,"
		" pw_changed_at = CASE WHEN :disabled THEN :now"
		"  ELSE pw_changed_at END WHERE username = :name",
	[AS_USER_LOGIN] =
		"UPDATE account SET last_login_at = :now WHERE id = :id",
	[AS_ADMINS] =
		"SELECT count(*) FROM account WHERE role = 'admin'"
		" AND disabled = 0 AND username IS NOT :except",
	[AS_USER_LIST] = ACCT_USER_COLS " ORDER BY username"
		" LIMIT :limit OFFSET :offset",
	[AS_USER_COUNT] = "SELECT count(*) FROM account",
	[AS_TOKEN_ADD] =
		"INSERT INTO api_token (name, role, hash, created_by,"
		" created_at) VALUES (:name, :role, :hash, :by, :now)",
	[AS_TOKEN_GET] = ACCT_TOKEN_COLS " WHERE id = :id",
	[AS_TOKEN_USED] =
		"UPDATE api_token SET last_used_at = :now WHERE id = :id",
	[AS_TOKEN_REVOKE] =
		"UPDATE api_token SET revoked_at = :now WHERE id = :id"
		" AND revoked_at IS NULL",
	[AS_TOKEN_LIST] = ACCT_TOKEN_COLS " ORDER BY id DESC"
		" LIMIT :limit OFFSET :offset",
	[AS_TOKEN_COUNT] = "SELECT count(*) FROM api_token",
};

static const char *const acct_roles[ACCT_NUM_ROLES] = {
	[ACCT_VIEWER] = "viewer",
	[ACCT_OPERATOR] = "operator",
	[ACCT_ADMIN] = "admin",
};

struct acct_store {
	struct db *db;
	sqlite3_stmt *st[AS_NUM];
};

const char *acct_role_str(enum acct_role r)
{
	return (unsigned)r < ACCT_NUM_ROLES ? acct_roles[r] : "?";
}

int acct_role_parse(const char *s)
{
	unsigned i;

	for (i = 0; s && i < ACCT_NUM_ROLES; i++)
		if (!strcmp(s, acct_roles[i]))
			return i;
	return -1;
}

int acct_check_name(const char *name, char *why, size_t cap)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				 "qrstuvwxyz0123456789._-";
	size_t n = name ? strlen(name) : 0;

	if (n >= 1 && n < ACCT_NAME_MAX && strspn(name, ok) == n)
		return 0;
	snprintf(why, cap, "a user name is 1 to %d of A-Z a-z 0-9 . _ -",
		 ACCT_NAME_MAX - 1);
	return -EINVAL;
}

int acct_check_password(const char *pw, char *why, size_t cap)
{
	size_t n = pw ? strlen(pw) : 0;

	if (n >= ACCT_PW_MIN && n <= ACCT_PW_MAX)
		return 0;
	snprintf(why, cap, "a password is %d to %d octets", ACCT_PW_MIN,
		 ACCT_PW_MAX);
	return -EINVAL;
}

int acct_hash_password(const char *pw, char out[ACCT_HASH_MAX])
{
	if (sodium_init() < 0 ||
	    crypto_pwhash_str(out, pw, strlen(pw), ACCT_PW_OPSLIMIT,
			      ACCT_PW_MEMLIMIT) != 0)
		return -ENOMEM;
	return 0;
}

bool acct_verify_password(const char *hash, const char *pw)
{
	if (sodium_init() < 0 || !hash || !*hash || !pw)
		return false;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void acct_random_b64(char *out, size_t cap, size_t n)
{
	unsigned char raw[64];

	OSMO_ASSERT(n <= sizeof(raw) &&
		    cap >= sodium_base64_ENCODED_LEN(n,
			sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	if (sodium_init() < 0)
		abort();	/* no randomness: nothing is safe */
	randombytes_buf(raw, n);
	sodium_bin2base64(out, cap, raw, n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

struct acct_store *acct_open(void *ctx, struct db *db)
{
	struct acct_store *s = talloc_zero(ctx, struct acct_store);

	if (!s)
		return NULL;
	s->db = db;
	if (sodium_init() < 0 || db_prepare(db, acct_sql, AS_NUM, s->st)) {
		talloc_free(s);
		return NULL;
	}
	return s;
}

void acct_close(struct acct_store *s)
{
	if (!s)
		return;
	db_finalize(s->st, AS_NUM);
	talloc_free(s);
}

/* ---- accounts ---------------------------------------------------------- */

static void acct_user_row(sqlite3_stmt *st, struct acct_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, u->name, sizeof(u->name));
	u->role = acct_role_parse((const char *)sqlite3_column_text(st, 2));
	u->disabled = sqlite3_column_int(st, 3);
	db_col_text(st, 4, u->pwhash, sizeof(u->pwhash));
	u->created_at = sqlite3_column_int64(st, 5);
	u->updated_at = sqlite3_column_int64(st, 6);
	u->pw_changed_at = sqlite3_column_int64(st, 7);
	u->last_login_at = sqlite3_column_int64(st, 8);
}

int acct_user_add(struct acct_store *s, const char *name,
		  enum acct_role role, const char *pwhash, int64_t now,
		  int64_t *id)
{
	DB_STMT(st, s->st[AS_USER_ADD]);
	int rc = db_begin(s->db);

	if (rc)
		return rc;
	db_bind_text(st, ":name", name);
	db_bind_text(st, ":role", acct_role_str(role));
	db_bind_text(st, ":hash", pwhash);
	db_bind_int(st, ":now", now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return -EEXIST;
	if (rc != SQLITE_DONE)
		return db_step_error(s->db, st, rc, DAPI);
	if (id)
		*id = sqlite3_last_insert_rowid(db_handle(s->db));
	return 0;
}

static int acct_user_read(struct acct_store *s, sqlite3_stmt *st,
			  struct acct_user *u)
{
	int rc = db_step_row(s->db, st, DAPI);

	if (!rc)
		acct_user_row(st, u);
	return rc;
}

int acct_user_get(struct acct_store *s, const char *name,
		  struct acct_user *u)
{
	DB_STMT(st, s->st[AS_USER_GET]);

	db_bind_text(st, ":name", name);
	return acct_user_read(s, st, u);
}

int acct_user_by_id(struct acct_store *s, int64_t id, struct acct_user *u)
{
	DB_STMT(st, s->st[AS_USER_BY_ID]);

	db_bind_int(st, ":id", id);
	return acct_user_read(s, st, u);
}

/* An UPDATE of one account by name: -ENOENT when there is none. */
static int acct_user_update(struct acct_store *s, sqlite3_stmt *st,
			    const char *name, int64_t now)
{
	int rc = db_begin(s->db);

	if (rc)
		return rc;
	db_bind_text(st, ":name", name);
	db_bind_int(st, ":now", now);
	rc = db_step_changes(s->db, st, DAPI);
	return rc < 0 ? rc : rc ? 0 : -ENOENT;
}

int acct_user_set_password(struct acct_store *s, const char *name,
			   const char *pwhash, int64_t now)
{
	DB_STMT(st, s->st[AS_USER_PW]);

	db_bind_text(st, ":hash", pwhash);
	return acct_user_update(s, st, name, now);
}

int acct_user_set_role(struct acct_store *s, const char *name,
		       enum acct_role role, int64_t now)
{
	DB_STMT(st, s->st[AS_USER_ROLE]);

	db_bind_text(st, ":role", acct_role_str(role));
	return acct_user_update(s, st, name, now);
}

int acct_user_set_disabled(struct acct_store *s, const char *name,
			   bool disabled, int64_t now)
{
	DB_STMT(st, s->st[AS_USER_DISABLE]);

	db_bind_int(st, ":disabled", disabled);
	return acct_user_update(s, st, name, now);
}

int acct_user_logged_in(struct acct_store *s, int64_t id, int64_t now)
{
	DB_STMT(st, s->st[AS_USER_LOGIN]);
	int rc = db_begin(s->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	db_bind_int(st, ":now", now);
	return db_step_done(s->db, st, DAPI);
}

int acct_admins_left(struct acct_store *s, const char *except,
		     unsigned *n)
{
	DB_STMT(st, s->st[AS_ADMINS]);
	int rc;

	db_bind_text(st, ":except", except);
	rc = db_step_row(s->db, st, DAPI);
	if (!rc)
		*n = sqlite3_column_int(st, 0);
	return rc;
}

static int acct_count(struct acct_store *s, enum acct_stmt which,
		      unsigned long *total)
{
	DB_STMT(st, s->st[which]);
	int rc = db_step_row(s->db, st, DAPI);

	if (!rc)
		*total = sqlite3_column_int64(st, 0);
	return rc;
}

int acct_user_list(struct acct_store *s, void *ctx, unsigned offset,
		   unsigned limit, struct acct_user **out, unsigned *n,
		   unsigned long *total)
{
	DB_STMT(st, s->st[AS_USER_LIST]);
	int rc = SQLITE_DONE;

	*n = 0;
	*out = talloc_zero_array(ctx, struct acct_user, limit ? limit : 1);
	if (!*out)
		return -ENOMEM;
	db_bind_int(st, ":limit", limit);
	db_bind_int(st, ":offset", offset);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		acct_user_row(st, &(*out)[(*n)++]);
	if (*n < limit && rc != SQLITE_DONE)
		return db_step_error(s->db, st, rc, DAPI);
	return acct_count(s, AS_USER_COUNT, total);
}

/* ---- tokens ------------------------------------------------------------ */

static void acct_token_row(sqlite3_stmt *st, struct acct_token *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, t->name, sizeof(t->name));
	t->role = acct_role_parse((const char *)sqlite3_column_text(st, 2));
	db_col_text(st, 3, t->created_by, sizeof(t->created_by));
	t->created_at = sqlite3_column_int64(st, 4);
	t->last_used_at = sqlite3_column_int64(st, 5);
	t->revoked_at = sqlite3_column_int64(st, 6);
}

static void acct_secret_hash(const char *secret, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)secret,
			   strlen(secret), NULL, 0);
}

int acct_token_create(struct acct_store *s, const char *name,
		      enum acct_role role, const char *created_by,
		      int64_t now, char token[ACCT_TOKEN_MAX], int64_t *id)
{
	DB_STMT(st, s->st[AS_TOKEN_ADD]);
	char secret[ACCT_SECRET_B64];
	unsigned char hash[32];
	int rc = db_begin(s->db);

	if (rc)
		return rc;
	acct_random_b64(secret, sizeof(secret), ACCT_SECRET_OCTETS);
	acct_secret_hash(secret, hash);
	db_bind_text(st, ":name", name);
	db_bind_text(st, ":role", acct_role_str(role));
	OSMO_ASSERT(sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st,
			":hash"), hash, sizeof(hash), SQLITE_TRANSIENT) ==
		    SQLITE_OK);
	db_bind_text(st, ":by", created_by);
	db_bind_int(st, ":now", now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return -EEXIST;
	if (rc != SQLITE_DONE)
		return db_step_error(s->db, st, rc, DAPI);
	*id = sqlite3_last_insert_rowid(db_handle(s->db));
	snprintf(token, ACCT_TOKEN_MAX, ACCT_TOKEN_PREFIX "%lld_%s",
		 (long long)*id, secret);
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

/* "sgw_12_SECRET" into its id and secret. */
static int acct_token_split(const char *token, int64_t *id,
			    const char **secret)
{
	const char *p;
	char *end;

	if (!token || strncmp(token, ACCT_TOKEN_PREFIX,
			      strlen(ACCT_TOKEN_PREFIX)))
		return -ENOENT;
	p = token + strlen(ACCT_TOKEN_PREFIX);
	if (*p < '1' || *p > '9')
		return -ENOENT;
	*id = strtoll(p, &end, 10);
	if (*end != '_' || strlen(end + 1) >= ACCT_SECRET_B64)
		return -ENOENT;
	*secret = end + 1;
	return 0;
}

static int acct_token_used(struct acct_store *s, struct acct_token *t,
			   int64_t now)
{
	DB_STMT(st, s->st[AS_TOKEN_USED]);
	int rc;

	if (t->last_used_at && now - t->last_used_at < ACCT_USED_EVERY_MS)
		return 0;
	rc = db_begin(s->db);
	if (rc)
		return rc;
	db_bind_int(st, ":id", t->id);
	db_bind_int(st, ":now", now);
	return db_step_done(s->db, st, DAPI);
}

int acct_token_check(struct acct_store *s, const char *token, int64_t now,
		     struct acct_token *t)
{
	DB_STMT(st, s->st[AS_TOKEN_GET]);
	unsigned char want[32];
	const char *secret;
	int64_t id;
	int rc = acct_token_split(token, &id, &secret);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	rc = db_step_row(s->db, st, DAPI);
	if (rc)
		return rc;
	acct_secret_hash(secret, want);
	if (sqlite3_column_bytes(st, 7) != sizeof(want) ||
	    sodium_memcmp(sqlite3_column_blob(st, 7), want, sizeof(want)) ||
	    sqlite3_column_int64(st, 6))
		return -ENOENT;
	acct_token_row(st, t);
	db_stmt_release(&st);
	acct_token_used(s, t, now);	/* best effort */
	return 0;
}

int acct_token_revoke(struct acct_store *s, int64_t id, int64_t now)
{
	DB_STMT(st, s->st[AS_TOKEN_REVOKE]);
	int rc = db_begin(s->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	db_bind_int(st, ":now", now);
	rc = db_step_changes(s->db, st, DAPI);
	return rc < 0 ? rc : rc ? 0 : -ENOENT;
}

int acct_token_list(struct acct_store *s, void *ctx, unsigned offset,
		    unsigned limit, struct acct_token **out, unsigned *n,
		    unsigned long *total)
{
	DB_STMT(st, s->st[AS_TOKEN_LIST]);
	int rc = SQLITE_DONE;

	*n = 0;
	*out = talloc_zero_array(ctx, struct acct_token, limit ? limit : 1);
	if (!*out)
		return -ENOMEM;
	db_bind_int(st, ":limit", limit);
	db_bind_int(st, ":offset", offset);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		acct_token_row(st, &(*out)[(*n)++]);
	if (*n < limit && rc != SQLITE_DONE)
		return db_step_error(s->db, st, rc, DAPI);
	return acct_count(s, AS_TOKEN_COUNT, total);
}
