/*
 * ctl_account_priv.h - what skillctl user (user.c) and skillctl token
 * (token.c) share: one run's state, opening the account store, messages,
 * and committing a change with its audit row.
 */
#ifndef SGW_CTL_ACCOUNT_PRIV_H
#define SGW_CTL_ACCOUNT_PRIV_H

#include <stdbool.h>

#include "gateway/config.h"

struct acct_store;
struct audit;
struct db;

struct ctl_acct {
	const char *config;
	bool json;
	const char *verb;		/* "user" or "token", for messages */
	const char *operator_name;
	struct config cfg;
	struct db *db;
	struct acct_store *store;
	struct audit *audit;
};

/* Load the configuration, open the database and the store. */
int ctl_acct_open(struct ctl_acct *c);
void ctl_acct_close(struct ctl_acct *c);
/* "skillctl VERB: msg" on stderr; CTL_DATA_USER. */
int ctl_acct_user(const struct ctl_acct *c, const char *msg);
/* A system error; CTL_DATA_SYS. */
int ctl_acct_sys(const struct ctl_acct *c, const char *what, int rc);
/* Audit row (action, detail) and commit. Exit status. */
int ctl_acct_commit(struct ctl_acct *c, const char *action,
		    const char *detail);

#endif
