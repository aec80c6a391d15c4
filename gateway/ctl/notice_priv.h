/*
 * notice_priv.h - what the files of skillctl notice share (private:
 * notice.c runs the verbs that change campaigns, notice_create.c makes
 * them, notice_show.c shows them).
 */
#ifndef SGW_CTL_NOTICE_PRIV_H
#define SGW_CTL_NOTICE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway/config.h"
#include "handlers/notice/notice.h"

#define CTL_NT_OK	0
#define CTL_NT_USER	1
#define CTL_NT_SYS	2

struct audit;
struct audience_db;
struct db;
struct notice_db;

/* One run of skillctl notice. */
struct ctl_nt {
	const char *config;
	bool json;
	const char *verb;
	const char *operator_name;
	struct config cfg;
	struct db *db;
	struct notice_db *nd;
	struct audience_db *ad;
	struct audit *audit;
	unsigned long fault_seq;	/* db_fault_seq() before the work */
};

/* Load the configuration and open the database and statements.
 * Returns an exit status. */
int ctl_nt_open(struct ctl_nt *c, void *ctx);

/* A user error: "skillctl notice VERB: ..." on stderr; returns
 * CTL_NT_USER. */
int ctl_nt_user(const struct ctl_nt *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A system error (errno rc); returns CTL_NT_SYS. A storage fault is said
 * in one line (fault.h) with what the verb kept. */
int ctl_nt_sys(const struct ctl_nt *c, const char *what, int rc);
/* The line of a storage fault, with kept (NULL: what the verb keeps). */
int ctl_nt_fault(const struct ctl_nt *c, const char *kept);

/* Commit what the verb wrote; a failure is a system error. */
int ctl_nt_commit(struct ctl_nt *c);

/* The campaign named by the argument s (its id). Prints the error and
 * returns an exit status when there is none. */
int ctl_nt_load(struct ctl_nt *c, void *ctx, const char *s,
		struct notice **out);

/* s as a JSON string (quotes included). */
void ctl_nt_json_str(FILE *f, const char *s);

/* A time in the zone of notices.timezone, "" for 0. */
void ctl_nt_time(const struct ctl_nt *c, int64_t t, char *out, size_t cap);

int ctl_nt_create(struct ctl_nt *c, int argc, char **argv);
int ctl_nt_preview(struct ctl_nt *c, int argc, char **argv);
int ctl_nt_list(struct ctl_nt *c, int argc, char **argv);
int ctl_nt_status(struct ctl_nt *c, int argc, char **argv);
int ctl_nt_report(struct ctl_nt *c, int argc, char **argv);

#endif
