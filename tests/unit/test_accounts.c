/*
 * test_accounts.c - unit tests of the API's authentication primitives
 * (gateway/api/accounts.c): user names, password rules, Argon2id hashes
 * (verified, a wrong password and a damaged hash refused, two hashes of
 * one password differ), roles, random ids (length, alphabet, no repeat),
 * accounts (add, a name taken, disable and pw_changed_at, role, the last
 * admin counted, the list paged) and tokens (made, checked, a forged,
 * malformed or revoked one refused, the stored hash not the secret, a name
 * taken while the first is active, last_used_at written).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/api/accounts.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "testutil.h"

static void *ctx;

struct fix {
	struct db *db;
	struct acct_store *s;
	char path[256];
};

static int setup(void **state)
{
	struct fix *f = talloc_zero(ctx, struct fix);

	f->db = testutil_db_create(f, "test_accounts", f->path, sizeof(f->path));
	f->s = acct_open(f, f->db);
	assert_non_null(f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	acct_close(f->s);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

static void test_rules(void **state)
{
	char why[96];

	assert_int_equal(acct_check_name("li.ming_2-x", why, sizeof(why)), 0);
	assert_int_equal(acct_check_name("", why, sizeof(why)), -EINVAL);
	assert_int_equal(acct_check_name("a b", why, sizeof(why)), -EINVAL);
	assert_int_equal(acct_check_name("\xe6\x9d\x8e", why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(acct_check_name("x23456789012345678901234567890123",
					 why, sizeof(why)), -EINVAL);
	assert_int_equal(acct_check_password("123456789", why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(acct_check_password("1234567890", why, sizeof(why)),
			 0);
	assert_int_equal(acct_role_parse("operator"), ACCT_OPERATOR);
	assert_int_equal(acct_role_parse("root"), -1);
	assert_true(ACCT_VIEWER < ACCT_OPERATOR && ACCT_OPERATOR < ACCT_ADMIN);
	assert_string_equal(acct_role_str(ACCT_ADMIN), "admin");
}

static void test_hash(void **state)
{
	char h1[ACCT_HASH_MAX], h2[ACCT_HASH_MAX];

	assert_int_equal(acct_hash_password("Secret-Pass-1", h1), 0);
	assert_int_equal(acct_hash_password("Secret-Pass-1", h2), 0);
	assert_true(strncmp(h1, "$argon2id$v=19$m=32768,t=2,p=1$", 31) == 0);
	assert_string_not_equal(h1, h2);	/* salted */
	assert_true(acct_verify_password(h1, "Secret-Pass-1"));
	assert_false(acct_verify_password(h1, "Secret-Pass-2"));
	assert_false(acct_verify_password(h1, ""));
	h1[strlen(h1) - 2] ^= 1;
	assert_false(acct_verify_password(h1, "Secret-Pass-1"));
	assert_false(acct_verify_password("", "x"));
}

static void test_random(void **state)
{
	char a[48], b[48];

	acct_random_b64(a, sizeof(a), 32);
	acct_random_b64(b, sizeof(b), 32);
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				"qrstuvwxyz0123456789-_"), 43);
	assert_string_not_equal(a, b);
}

static void test_accounts(void **state)
{
	struct fix *f = *state;
	struct acct_user u, *v;
	unsigned long total;
	unsigned n, left;
	int64_t id;

	assert_int_equal(acct_user_add(f->s, "admin", ACCT_ADMIN, "h1", 1000,
				       &id), 0);
	assert_int_equal(acct_user_add(f->s, "admin", ACCT_VIEWER, "h2", 1001,
				       NULL), -EEXIST);
	assert_int_equal(acct_user_add(f->s, "clerk", ACCT_VIEWER, "h3", 1002,
				       NULL), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(acct_user_get(f->s, "admin", &u), 0);
	assert_int_equal(u.id, id);
	assert_int_equal(u.role, ACCT_ADMIN);
	assert_int_equal(u.pw_changed_at, 1000);
	assert_int_equal(acct_admins_left(f->s, "admin", &left), 0);
	assert_int_equal(left, 0);
	assert_int_equal(acct_user_set_role(f->s, "clerk", ACCT_ADMIN, 2000), 0);
	assert_int_equal(acct_admins_left(f->s, "admin", &left), 0);
	assert_int_equal(left, 1);
	assert_int_equal(acct_user_set_disabled(f->s, "clerk", true, 3000), 0);
	assert_int_equal(acct_user_get(f->s, "clerk", &u), 0);
	assert_true(u.disabled);
	assert_int_equal(u.pw_changed_at, 3000);	/* sessions end */
	assert_int_equal(acct_admins_left(f->s, "admin", &left), 0);
	assert_int_equal(left, 0);
	assert_int_equal(acct_user_set_password(f->s, "nobody", "h", 1),
			 -ENOENT);
	assert_int_equal(acct_user_set_password(f->s, "admin", "h9", 4000), 0);
	assert_int_equal(acct_user_by_id(f->s, id, &u), 0);
	assert_string_equal(u.pwhash, "h9");
	assert_int_equal(acct_user_list(f->s, f, 1, 1, &v, &n, &total), 0);
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	assert_string_equal(v[0].name, "clerk");
	assert_int_equal(db_commit(f->db), 0);
}

static void test_tokens(void **state)
{
	struct fix *f = *state;
	char tok[ACCT_TOKEN_MAX], forged[ACCT_TOKEN_MAX], hex[128];
	struct acct_token t, *v;
	unsigned long total;
	unsigned n;
	int64_t id, id2;

	assert_int_equal(acct_token_create(f->s, "crm", ACCT_OPERATOR, "admin",
					   1000, tok, &id), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_true(strncmp(tok, "sgw_", 4) == 0);
	assert_int_equal(acct_token_check(f->s, tok, 100000, &t), 0);
	assert_int_equal(t.id, id);
	assert_int_equal(t.role, ACCT_OPERATOR);
	assert_string_equal(t.name, "crm");
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(testutil_q1(f->db, "SELECT last_used_at FROM api_token"),
			 100000);
	/* the secret is not stored, only its hash */
	snprintf(hex, sizeof(hex), "SELECT count(*) FROM api_token WHERE "
		 "instr(hash, '%s') > 0", strrchr(tok, '_') + 1);
	assert_int_equal(testutil_q1(f->db, hex), 0);
	OSMO_STRLCPY_ARRAY(forged, tok);
	forged[strlen(forged) - 1] ^= 1;
	assert_int_equal(acct_token_check(f->s, forged, 1, &t), -ENOENT);
	assert_int_equal(acct_token_check(f->s, "sgw_x", 1, &t), -ENOENT);
	assert_int_equal(acct_token_check(f->s, "sgw_999_abc", 1, &t), -ENOENT);
	assert_int_equal(acct_token_check(f->s, "", 1, &t), -ENOENT);
	assert_int_equal(acct_token_create(f->s, "crm", ACCT_VIEWER, "admin",
					   1, forged, &id2), -EEXIST);
	assert_int_equal(acct_token_revoke(f->s, id, 2000), 0);
	assert_int_equal(acct_token_revoke(f->s, id, 2001), -ENOENT);
	assert_int_equal(acct_token_check(f->s, tok, 3000, &t), -ENOENT);
	assert_int_equal(acct_token_create(f->s, "crm", ACCT_VIEWER, "admin",
					   4000, forged, &id2), 0);
	assert_int_equal(acct_token_list(f->s, f, 0, 10, &v, &n, &total), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, id2);
	assert_int_equal(v[1].revoked_at, 2000);
	assert_int_equal(db_commit(f->db), 0);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_random),
		T(test_accounts),
		T(test_tokens),
	};
#undef T
	int rc;

	ctx = talloc_named_const(NULL, 0, "test_accounts");
	sgw_log_init(ctx, "fatal", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(ctx);
	return rc;
}
