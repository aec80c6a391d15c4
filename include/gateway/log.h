/*
 * log.h - logging categories of skillgw.
 *
 * One enum, one table (gateway/log.c). Every module logs through LOGP(DXXX, ...)
 * of libosmocore with its own category, so an operator can raise the level of one
 * subsystem from the VTY without drowning in the others.
 */
#ifndef SGW_LOG_H
#define SGW_LOG_H

#include <stdbool.h>

#include <osmocom/core/logging.h>

enum sgw_log_cat {
	DMAIN,		/* start-up, shutdown, signals */
	DLINK,		/* SMPP link state machine */
	DPDU,		/* SMPP PDU coding */
	DROUTER,	/* MO routing, DLR matching */
	DQUEUE,		/* durable MT queue */
	DDB,		/* SQLite */
	DUSSD,		/* USSD sessions */
	DSCHED,		/* campaign scheduler */
	DHAND,		/* domain handlers */
	DAPI,		/* the bureau's HTTP API */
	DNOTIFY,	/* notifications */
	DQUALITY,	/* training quality: questions and answers */
};

extern const struct log_info sgw_log_info;

/* Log lines never carry ID numbers, names or message texts. Mobile numbers
 * go through log_num(): masked as 138****8000 unless full numbers were
 * asked for (gateway.log_numbers). Up to LOG_NUM_SLOTS calls may appear in
 * one statement; each thread has its own slots. */
#define LOG_NUM_SLOTS	4
void sgw_log_set_numbers(bool full);
const char *log_num(const char *msisdn);

/* Set up libosmocore logging with our categories: a stderr target, and a
 * file target when file is not NULL or empty (reopened on SIGHUP through
 * log_targets_reopen()). -EIO when the file cannot be opened. */
int sgw_log_init(void *ctx, const char *level, const char *file);

/* The API's worker threads may reach a LOGP (a database error below
 * them): libosmocore's multithread mode serialises every log line with a
 * mutex, and the file target writes through a stream (its default write
 * queue belongs to the loop). Called by the daemon after sgw_log_init. */
void sgw_log_enable_threads(void);

#endif
