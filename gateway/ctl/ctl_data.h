/*
 * ctl_data.h - skillctl's data verbs: send (gateway/ctl/send.c), import
 * and export of the bureau's CSV files (gateway/ctl/import.c,
 * gateway/ctl/export.c), what became of the notifications
 * (gateway/ctl/notify.c), the figures of training quality
 * (gateway/ctl/report.c) and the quarantine of received PDUs
 * (gateway/ctl/quarantine.c).
 *
 * skillctl.c parses its global options and hands each verb the
 * configuration file, the --json flag and the verb's own arguments
 * (argv[0] is the verb). A verb returns skillctl's exit status: 0 success,
 * 1 a user error (bad arguments, a bad file, bad rows), 2 a system error
 * (database, file system).
 */
#ifndef SGW_CTL_DATA_H
#define SGW_CTL_DATA_H

#include <stdbool.h>

#include "gateway/config.h"

#define CTL_DATA_OK	0
#define CTL_DATA_USER	1
#define CTL_DATA_SYS	2

/* send --to NUMBER | --file NUMBERS --text TEXT ... (gateway/ctl/send.c) */
int ctl_send_run(const char *config, bool json, int argc, char **argv);
int ctl_import_run(const char *config, bool json, int argc, char **argv);
int ctl_export_run(const char *config, bool json, int argc, char **argv);
/* notify status | list (gateway/ctl/notify.c) */
int ctl_notify_run(void *ctx, const char *config, bool json, int argc,
		   char **argv);
/* report quality | course CODE (gateway/ctl/report.c) */
int ctl_report_run(void *ctx, const char *config, bool json, int argc,
		   char **argv);
/* quarantine list | release DIGEST (gateway/ctl/quarantine.c) */
int ctl_quarantine_run(void *ctx, const char *config, bool json, int argc,
		       char **argv);

/* What the verbs share: load the configuration and open the database
 * (talloc'ed under ctx). Returns an exit status. */
struct db;
int ctl_data_open(void *ctx, const char *config, struct config *cfg,
		  struct db **db);
/* --operator, else $USER, else the login name, else "operator". */
const char *ctl_data_operator(const char *given);

#endif
