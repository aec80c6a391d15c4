/*
 * token.c - skillctl token create|list|revoke (see ctl_account.h): API
 * tokens for the bureau's machines. The token is printed once, on
 * standard output, and only its hash is stored (gateway/api/accounts.c).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <osmocom/core/talloc.h>

#include "ctl_account.h"
#include "ctl_account_priv.h"
#include "ctl_data.h"
#include "gateway/api/accounts.h"
#include "gateway/clock.h"

struct token_args {
	const char *name, *role, *id;
};

static int token_args(struct ctl_acct *c, int argc, char **argv,
		      struct token_args *a)
{
	static const struct option lo[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "operator", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'n': a->name = optarg; break;
		case 'r': a->role = optarg; break;
		case 'o': c->operator_name = optarg; break;
		case 'j': c->json = true; break;
		default: return -1;
		}
	}
	if (optind < argc)
		a->id = argv[optind++];
	return optind == argc ? 0 : -1;
}

/* A token name: printable, no control characters, 1..64 octets. */
static bool token_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n >= ACCT_TOKEN_NAME_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' ||
		    *s == '\\')
			return false;
	return true;
}

static int token_create(struct ctl_acct *c, const struct token_args *a)
{
	char token[ACCT_TOKEN_MAX], detail[128];
	int role = acct_role_parse(a->role), rc;
	int64_t id;

	if (!token_name_ok(a->name) || role < 0)
		return ctl_acct_user(c, "give --name NAME (1-64 characters) and "
				     "--role admin, operator or viewer");
	rc = acct_token_create(c->store, a->name, role,
			       ctl_data_operator(c->operator_name),
			       clock_now_ms(), token, &id);
	if (rc == -EEXIST)
		return ctl_acct_user(c, "a token of that name exists (revoke "
				     "it first)");
	if (rc)
		return ctl_acct_sys(c, "making the token", rc);
	snprintf(detail, sizeof(detail), "token %" PRId64 " %s (%s)", id,
		 a->name, a->role);
	rc = ctl_acct_commit(c, "token_create", detail);
	if (rc == CTL_DATA_OK && c->json)
		printf("{\"id\":%" PRId64 ",\"role\":\"%s\",\"token\":\"%s\"}\n",
		       id, acct_role_str(role), token);
	else if (rc == CTL_DATA_OK)
		printf("%s\n", token);
	if (rc == CTL_DATA_OK && !c->json)
		fprintf(stderr, "token %" PRId64 " \"%s\" (%s): shown once, "
			"keep it safe; send it as Authorization: Bearer TOKEN\n",
			id, a->name, a->role);
	sodium_memzero(token, sizeof(token));
	return rc;
}

static int token_list(struct ctl_acct *c)
{
	struct acct_token *v;
	unsigned long total;
	unsigned n, i;
	int rc = acct_token_list(c->store, c, 0, 10000, &v, &n, &total);

	if (rc)
		return ctl_acct_sys(c, "reading the tokens", rc);
	if (!c->json)
		printf("%5s  %-24s  %-8s  %-16s  %s\n", "ID", "NAME", "ROLE",
		       "CREATED_BY", "STATE");
	for (i = 0; i < n && !c->json; i++)
		printf("%5" PRId64 "  %-24s  %-8s  %-16s  %s\n", v[i].id,
		       v[i].name, acct_role_str(v[i].role), v[i].created_by,
		       v[i].revoked_at ? "revoked" : "active");
	for (i = 0; i < n && c->json; i++)
		printf("%s{\"id\":%" PRId64 ",\"name\":\"%s\",\"role\":\"%s\","
		       "\"created_by\":\"%s\",\"created_at\":%" PRId64 ","
		       "\"last_used_at\":%" PRId64 ",\"revoked\":%s}",
		       i ? "," : "[", v[i].id, v[i].name,
		       acct_role_str(v[i].role), v[i].created_by,
		       v[i].created_at, v[i].last_used_at,
		       v[i].revoked_at ? "true" : "false");
	if (c->json)
		printf("%s]\n", n ? "" : "[");
	return CTL_DATA_OK;
}

static int token_revoke(struct ctl_acct *c, const struct token_args *a)
{
	char *end, detail[48];
	long long id = a->id ? strtoll(a->id, &end, 10) : 0;
	int rc;

	if (!a->id || *end || id <= 0)
		return ctl_acct_user(c, "usage: skillctl token revoke ID "
				     "(skillctl token list shows them)");
	rc = acct_token_revoke(c->store, id, clock_now_ms());
	if (rc == -ENOENT)
		return ctl_acct_user(c, "no such token, or revoked already");
	if (rc)
		return ctl_acct_sys(c, "revoking the token", rc);
	snprintf(detail, sizeof(detail), "token %lld", id);
	rc = ctl_acct_commit(c, "token_revoke", detail);
	if (rc == CTL_DATA_OK)
		printf("token %lld revoked\n", id);
	return rc;
}

int ctl_token_run(const char *config, bool json, int argc, char **argv)
{
	struct ctl_acct *c = talloc_zero(NULL, struct ctl_acct);
	struct token_args a = { 0 };
	const char *verb = argc > 1 ? argv[1] : "";
	int rc;

	if (!c)
		return CTL_DATA_SYS;
	*c = (struct ctl_acct){ .config = config, .json = json,
				.verb = "token" };
	if (strcmp(verb, "create") && strcmp(verb, "list") &&
	    strcmp(verb, "revoke"))
		rc = ctl_acct_user(c, "give create, list or revoke (see "
				   "skillctl --help)");
	else if (token_args(c, argc - 1, argv + 1, &a) < 0)
		rc = ctl_acct_user(c, "bad arguments (see skillctl --help)");
	else if ((rc = ctl_acct_open(c)) == CTL_DATA_OK)
		rc = !strcmp(verb, "create") ? token_create(c, &a) :
		     !strcmp(verb, "list") ? token_list(c) :
		     token_revoke(c, &a);
	ctl_acct_close(c);
	talloc_free(c);
	return rc;
}
