/*
 * user.c - skillctl user add|passwd|disable|enable|role|list (see
 * ctl_account.h), and what the two account verbs share: opening the
 * store, the operator's name, the audit row.
 *
 * The password is hashed here (Argon2id, gateway/api/accounts.c): skillctl
 * has no loop to keep free. On a terminal the password is read twice with
 * echo off (termios on /dev/tty); otherwise one line of standard input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>
#include <osmocom/core/talloc.h>

#include "ctl_account.h"
#include "ctl_account_priv.h"
#include "ctl_data.h"
#include "gateway/api/accounts.h"
#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/queue/quiet.h"
#include "handlers/domain/audit.h"

#define USER_LINE_MAX	(ACCT_PW_MAX + 4)

/* ---- shared with token.c ------------------------------------------------ */

int ctl_acct_open(struct ctl_acct *c)
{
	int rc = ctl_data_open(c, c->config, &c->cfg, &c->db);

	if (rc != CTL_DATA_OK)
		return rc;
	c->store = acct_open(c, c->db);
	c->audit = audit_init(c, c->db);
	if (!c->store || !c->audit) {
		fprintf(stderr, "skillctl %s: cannot prepare statements\n",
			c->verb);
		return CTL_DATA_SYS;
	}
	return CTL_DATA_OK;
}

void ctl_acct_close(struct ctl_acct *c)
{
	audit_free(c->audit);
	acct_close(c->store);
	db_close(c->db);
}

int ctl_acct_user(const struct ctl_acct *c, const char *msg)
{
	fprintf(stderr, "skillctl %s: %s\n", c->verb, msg);
	return CTL_DATA_USER;
}

int ctl_acct_sys(const struct ctl_acct *c, const char *what, int rc)
{
	fprintf(stderr, "skillctl %s: %s: %s\n", c->verb, what,
		strerror(rc < 0 ? -rc : rc));
	return CTL_DATA_SYS;
}

/* The change and its audit row, committed together. */
int ctl_acct_commit(struct ctl_acct *c, const char *action,
		    const char *detail)
{
	int rc = audit_log(c->audit, clock_now_ms(),
			   ctl_data_operator(c->operator_name), action, "%s",
			   detail);

	if (!rc)
		rc = db_commit(c->db);
	return rc ? ctl_acct_sys(c, "database", rc) : CTL_DATA_OK;
}

/* ---- reading a password ------------------------------------------------- */

/* One line of f without its line end into buf. */
static int user_line(FILE *f, char *buf, size_t cap)
{
	size_t n;

	if (!fgets(buf, cap, f))
		return -EIO;
	n = strlen(buf);
	if (n && buf[n - 1] != '\n' && !feof(f))
		return -E2BIG;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

static int user_prompt(FILE *tty, const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	int fd = fileno(tty), rc;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(fd, &old) < 0)
		return -errno;
	quiet = old;
	quiet.c_lflag &= ~(ECHO | ECHONL);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = user_line(tty, buf, cap);
	tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* Twice on the terminal, or once from standard input. */
static int user_read_password(const struct ctl_acct *c, bool from_stdin,
			      char *pw, size_t cap)
{
	char again[USER_LINE_MAX];
	FILE *tty = NULL;
	int rc;

	if (!from_stdin && isatty(STDIN_FILENO))
		tty = fopen("/dev/tty", "r+");
	if (!tty)
		return user_line(stdin, pw, cap) ? ctl_acct_user(c,
			"no password on standard input") : CTL_DATA_OK;
	rc = user_prompt(tty, "Password: ", pw, cap);
	if (!rc)
		rc = user_prompt(tty, "Password again: ", again,
				 sizeof(again));
	fclose(tty);
	if (!rc && strcmp(pw, again))
		rc = -EINVAL;
	sodium_memzero(again, sizeof(again));
	if (rc == -EINVAL)
		return ctl_acct_user(c, "the passwords differ");
	return rc ? ctl_acct_user(c, "no password read") : CTL_DATA_OK;
}

/* Read, check and hash a new password into hash. Exit status. */
static int user_new_hash(const struct ctl_acct *c, bool from_stdin,
			 char hash[ACCT_HASH_MAX])
{
	char pw[USER_LINE_MAX], why[96];
	int rc = user_read_password(c, from_stdin, pw, sizeof(pw));

	if (rc == CTL_DATA_OK && acct_check_password(pw, why, sizeof(why)))
		rc = ctl_acct_user(c, why);
	if (rc == CTL_DATA_OK && acct_hash_password(pw, hash) < 0)
		rc = ctl_acct_sys(c, "hashing the password", -ENOMEM);
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

/* ---- the verbs ---------------------------------------------------------- */

struct user_args {
	const char *name, *role;
	bool from_stdin;
};

/* NAME [ROLE] [--role ROLE] [--password-stdin] [--operator N] [--json] */
static int user_args(struct ctl_acct *c, int argc, char **argv,
		     struct user_args *a)
{
	static const struct option lo[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "operator", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'r': a->role = optarg; break;
		case 'p': a->from_stdin = true; break;
		case 'o': c->operator_name = optarg; break;
		case 'j': c->json = true; break;
		default: return -1;
		}
	}
	if (optind < argc)
		a->name = argv[optind++];
	if (optind < argc && !a->role)
		a->role = argv[optind++];
	return optind == argc ? 0 : -1;
}

static int user_add(struct ctl_acct *c, const struct user_args *a)
{
	char hash[ACCT_HASH_MAX], why[96];
	int role = acct_role_parse(a->role), rc;
	struct acct_user u;

	if (acct_check_name(a->name, why, sizeof(why)))
		return ctl_acct_user(c, why);
	if (role < 0)
		return ctl_acct_user(c, "give --role admin, operator or viewer");
	if (acct_user_get(c->store, a->name, &u) == 0)
		return ctl_acct_user(c, "that user exists already");
	rc = user_new_hash(c, a->from_stdin, hash);
	if (rc != CTL_DATA_OK)
		return rc;
	rc = acct_user_add(c->store, a->name, role, hash, clock_now_ms(),
			   NULL);
	if (rc == -EEXIST)
		return ctl_acct_user(c, "that user exists already");
	if (rc)
		return ctl_acct_sys(c, "adding the user", rc);
	snprintf(why, sizeof(why), "%s (%s)", a->name, acct_role_str(role));
	rc = ctl_acct_commit(c, "user_add", why);
	if (rc == CTL_DATA_OK)
		printf("user %s added (%s)\n", a->name, acct_role_str(role));
	return rc;
}

static int user_passwd(struct ctl_acct *c, const struct user_args *a)
{
	char hash[ACCT_HASH_MAX];
	struct acct_user u;
	int rc;

	if (!a->name || acct_user_get(c->store, a->name, &u))
		return ctl_acct_user(c, "no such user");
	rc = user_new_hash(c, a->from_stdin, hash);
	if (rc == CTL_DATA_OK && (rc = acct_user_set_password(c->store,
			a->name, hash, clock_now_ms())))
		return ctl_acct_sys(c, "changing the password", rc);
	if (rc == CTL_DATA_OK)
		rc = ctl_acct_commit(c, "user_passwd", a->name);
	if (rc == CTL_DATA_OK)
		printf("password of %s changed; its sessions have ended\n",
		       a->name);
	return rc;
}

static int user_disable(struct ctl_acct *c, const struct user_args *a,
			bool disabled)
{
	int rc = a->name ? acct_user_set_disabled(c->store, a->name, disabled,
						   clock_now_ms()) : -ENOENT;

	if (rc == -ENOENT)
		return ctl_acct_user(c, "no such user");
	if (rc)
		return ctl_acct_sys(c, "changing the user", rc);
	rc = ctl_acct_commit(c, disabled ? "user_disable" : "user_enable",
			     a->name);
	if (rc == CTL_DATA_OK)
		printf("user %s %s\n", a->name, disabled ? "disabled" :
		       "enabled");
	return rc;
}

static int user_role(struct ctl_acct *c, const struct user_args *a)
{
	int role = acct_role_parse(a->role), rc;
	char detail[96];

	if (!a->name || role < 0)
		return ctl_acct_user(c, "usage: skillctl user role NAME "
				     "admin|operator|viewer");
	rc = acct_user_set_role(c->store, a->name, role, clock_now_ms());
	if (rc == -ENOENT)
		return ctl_acct_user(c, "no such user");
	if (rc)
		return ctl_acct_sys(c, "changing the user", rc);
	snprintf(detail, sizeof(detail), "%s (%s)", a->name, a->role);
	rc = ctl_acct_commit(c, "user_role", detail);
	if (rc == CTL_DATA_OK)
		printf("user %s is %s\n", a->name, a->role);
	return rc;
}

static void user_print(const struct ctl_acct *c, const struct acct_user *u,
		       bool first)
{
	char created[32], login[32] = "-";

	if (!c->json) {
		quiet_format(c->cfg.timezone, u->created_at, created,
			     sizeof(created));
		if (u->last_login_at)
			quiet_format(c->cfg.timezone, u->last_login_at, login,
				     sizeof(login));
		printf("%-20s  %-8s  %-8s  %-16s  %s\n", u->name,
		       acct_role_str(u->role), u->disabled ? "disabled" :
		       "active", created, login);
		return;
	}
	printf("%s{\"name\":\"%s\",\"role\":\"%s\",\"disabled\":%s,"
	       "\"created_at\":%lld,\"last_login_at\":%lld}", first ? "" : ",",
	       u->name, acct_role_str(u->role), u->disabled ? "true" : "false",
	       (long long)u->created_at, (long long)u->last_login_at);
}

static int user_list(struct ctl_acct *c)
{
	struct acct_user *v;
	unsigned long total;
	unsigned n, i;
	int rc = acct_user_list(c->store, c, 0, 10000, &v, &n, &total);

	if (rc)
		return ctl_acct_sys(c, "reading the users", rc);
	if (c->json)
		printf("[");
	else
		printf("%-20s  %-8s  %-8s  %-16s  %s\n", "NAME", "ROLE",
		       "STATE", "CREATED", "LAST LOGIN");
	for (i = 0; i < n; i++)	/* names are [A-Za-z0-9._-]: no escaping */
		user_print(c, &v[i], i == 0);
	if (c->json)
		printf("]\n");
	return CTL_DATA_OK;
}

static int user_verb(struct ctl_acct *c, const char *verb,
		     const struct user_args *a)
{
	if (!strcmp(verb, "add"))
		return user_add(c, a);
	if (!strcmp(verb, "passwd"))
		return user_passwd(c, a);
	if (!strcmp(verb, "disable") || !strcmp(verb, "enable"))
		return user_disable(c, a, !strcmp(verb, "disable"));
	if (!strcmp(verb, "role"))
		return user_role(c, a);
	return user_list(c);
}

int ctl_user_run(const char *config, bool json, int argc, char **argv)
{
	static const char *const verbs[] = { "add", "passwd", "disable",
					     "enable", "role", "list", NULL };
	struct ctl_acct *c = talloc_zero(NULL, struct ctl_acct);
	struct user_args a = { 0 };
	const char *verb = argc > 1 ? argv[1] : "";
	unsigned i;
	int rc;

	if (!c)
		return CTL_DATA_SYS;
	*c = (struct ctl_acct){ .config = config, .json = json,
				.verb = "user" };
	for (i = 0; verbs[i] && strcmp(verbs[i], verb); i++)
		;
	if (!verbs[i])
		rc = ctl_acct_user(c, "give add, passwd, disable, enable, role "
				   "or list (see skillctl --help)");
	else if (user_args(c, argc - 1, argv + 1, &a) < 0 ||
		 (strcmp(verb, "list") && !a.name))
		rc = ctl_acct_user(c, "bad arguments (see skillctl --help)");
	else if ((rc = ctl_acct_open(c)) == CTL_DATA_OK)
		rc = user_verb(c, verb, &a);
	ctl_acct_close(c);
	talloc_free(c);
	return rc;
}
