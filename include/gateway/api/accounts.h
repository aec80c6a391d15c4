/*
 * accounts.h - the accounts and API tokens of the bureau's API (tables
 * account and api_token, gateway/schema/004-accounts.sql), shared by the
 * daemon's API (gateway/api/) and skillctl user / token (gateway/ctl/).
 *
 * Passwords: Argon2id through libsodium's crypto_pwhash_str, with
 * ACCT_PW_OPSLIMIT passes over ACCT_PW_MEMLIMIT octets: about 70 ms on the
 * reference 2-core box. That is too long for the daemon's loop, so the API
 * hashes and verifies in a worker thread (gateway/api/task.c, at most two
 * at a time); both functions below are thread-safe and touch no database.
 * A password is 10 to 128 octets of UTF-8.
 *
 * Tokens: "sgw_" ID "_" SECRET, SECRET 43 characters of base64url (32
 * random octets from randombytes_buf). The table keeps the BLAKE2b-256 of
 * SECRET (crypto_generichash); a token is looked up by ID and its hash
 * compared with sodium_memcmp.
 *
 * Writes go into the group-commit transaction (db_begin()); skillctl
 * commits them itself. Functions return 0 or a negative errno: -ENOENT no
 * such account or token, -EEXIST a name taken, -EINVAL bad input, -EIO.
 */
#ifndef SGW_API_ACCOUNTS_H
#define SGW_API_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct acct_store;

enum acct_role {		/* in order of power */
	ACCT_VIEWER,
	ACCT_OPERATOR,
	ACCT_ADMIN,
	ACCT_NUM_ROLES
};

#define ACCT_NAME_MAX		33	/* a username with its NUL */
#define ACCT_TOKEN_NAME_MAX	65
#define ACCT_HASH_MAX		128	/* crypto_pwhash_STRBYTES */
#define ACCT_TOKEN_MAX		80	/* a token with its NUL */
#define ACCT_PW_MIN		10
#define ACCT_PW_MAX		128
#define ACCT_PW_OPSLIMIT	2
#define ACCT_PW_MEMLIMIT	(32u * 1024 * 1024)

const char *acct_role_str(enum acct_role r);
/* "admin" -> ACCT_ADMIN; -1 for anything else. */
int acct_role_parse(const char *s);

/* [A-Za-z0-9._-], 1..32 characters? 0 or -EINVAL with why. */
int acct_check_name(const char *name, char *why, size_t cap);
int acct_check_password(const char *pw, char *why, size_t cap);

/* Slow, thread-safe (see above). 0 or -ENOMEM. */
int acct_hash_password(const char *pw, char out[ACCT_HASH_MAX]);
bool acct_verify_password(const char *hash, const char *pw);

struct acct_store *acct_open(void *ctx, struct db *db);
void acct_close(struct acct_store *s);

struct acct_user {
	int64_t id;
	char name[ACCT_NAME_MAX];
	enum acct_role role;
	bool disabled;
	char pwhash[ACCT_HASH_MAX];
	int64_t created_at, updated_at, pw_changed_at, last_login_at;
};

int acct_user_add(struct acct_store *s, const char *name,
		  enum acct_role role, const char *pwhash, int64_t now,
		  int64_t *id);
int acct_user_get(struct acct_store *s, const char *name,
		  struct acct_user *u);
int acct_user_by_id(struct acct_store *s, int64_t id, struct acct_user *u);
int acct_user_set_password(struct acct_store *s, const char *name,
			   const char *pwhash, int64_t now);
int acct_user_set_role(struct acct_store *s, const char *name,
		       enum acct_role role, int64_t now);
/* Disabling also ends the account's sessions (pw_changed_at). */
int acct_user_set_disabled(struct acct_store *s, const char *name,
			   bool disabled, int64_t now);
int acct_user_logged_in(struct acct_store *s, int64_t id, int64_t now);
/* Enabled admins other than `except` (NULL: all): the last one may not
 * be disabled or demoted. */
int acct_admins_left(struct acct_store *s, const char *except,
		     unsigned *n);
/* Accounts by name, a page of at most limit; *total in all. */
int acct_user_list(struct acct_store *s, void *ctx, unsigned offset,
		   unsigned limit, struct acct_user **out, unsigned *n,
		   unsigned long *total);

struct acct_token {
	int64_t id;
	char name[ACCT_TOKEN_NAME_MAX];
	enum acct_role role;
	char created_by[ACCT_NAME_MAX];
	int64_t created_at, last_used_at, revoked_at;
};

/* A new token: the whole token (shown once) into token. */
int acct_token_create(struct acct_store *s, const char *name,
		      enum acct_role role, const char *created_by,
		      int64_t now, char token[ACCT_TOKEN_MAX], int64_t *id);
/* The token's row when token is one that is not revoked; -ENOENT for a
 * malformed, unknown or revoked one. Notes last_used_at (at most once a
 * minute per token). */
int acct_token_check(struct acct_store *s, const char *token, int64_t now,
		     struct acct_token *t);
int acct_token_revoke(struct acct_store *s, int64_t id, int64_t now);
int acct_token_list(struct acct_store *s, void *ctx, unsigned offset,
		    unsigned limit, struct acct_token **out, unsigned *n,
		    unsigned long *total);

/* n random octets as base64url without padding into out (cap octets).
 * For session ids and CSRF tokens too. */
void acct_random_b64(char *out, size_t cap, size_t n);

#endif
