/*
 * ctl_account.h - skillctl user and skillctl token: the accounts of the
 * bureau's API and console, and the API tokens of its machines
 * (gateway/ctl/user.c, gateway/ctl/token.c; the store itself is
 * gateway/api/accounts.c, shared with the daemon).
 *
 *   skillctl user add NAME --role ROLE [--password-stdin]
 *   skillctl user passwd NAME [--password-stdin]
 *   skillctl user disable|enable NAME
 *   skillctl user role NAME ROLE
 *   skillctl user list [--json]
 *   skillctl token create --name NAME --role ROLE
 *   skillctl token list [--json]
 *   skillctl token revoke ID
 *
 * A password is asked twice on the terminal without echo, or read as one
 * line from standard input when that is not a terminal (or with
 * --password-stdin). Every change is audited with the operator's name
 * (--operator, else $USER). Returns skillctl's exit status.
 */
#ifndef SGW_CTL_ACCOUNT_H
#define SGW_CTL_ACCOUNT_H

#include <stdbool.h>

int ctl_user_run(const char *config, bool json, int argc, char **argv);
int ctl_token_run(const char *config, bool json, int argc, char **argv);

#endif
