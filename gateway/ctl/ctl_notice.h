/*
 * ctl_notice.h - skillctl notice: bulk training notices (campaigns).
 *
 *   skillctl notice create --name NAME (--text TEXT | --text-file FILE)
 *                          [audience] [--start TIME] [--end TIME]
 *                          [--rate N] [--operator NAME]
 *   skillctl notice preview|start|pause|resume|cancel|status ID
 *   skillctl notice list
 *   skillctl notice report ID FILE.csv
 *
 * skillctl.c hands over the configuration file, the global --json flag
 * and the arguments after "notice" (argv[0] is "notice"). Returns
 * skillctl's exit status: 0 success, 1 a user error (one line on stderr
 * saying what), 2 a system error (database, file system).
 */
#ifndef SGW_CTL_NOTICE_H
#define SGW_CTL_NOTICE_H

#include <stdbool.h>

int ctl_notice_run(const char *config, bool json, int argc, char **argv);

#endif
