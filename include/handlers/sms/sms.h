/*
 * sms.h - SMS commands: the router's handler for MOs that are not USSD.
 *
 * Each MO is counted against its number's rate limit (commands.rate_limit
 * per commands.rate_window seconds; the first one over gets one polite
 * answer, the rest none until the window ends), read as a command
 * (command.h), answered by the command's reply function (handlers/replies/replies.h), and
 * the answer is queued with MTQ_PRIO_REPLY. All of it runs inside the
 * group-commit transaction of the MO, so the MO, what the command changed
 * and the reply commit together.
 */
#ifndef SGW_SMS_H
#define SGW_SMS_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/queue/mo.h"
#include "handlers/replies/replies.h"
#include "handlers/sms/command.h"

struct config;
struct db;
struct mtq;
struct sms;
struct texts;

struct sms_stats {
	unsigned long commands;		/* MOs read as commands */
	unsigned long unknown;		/* ... that named no command */
	unsigned long replies;		/* answers queued */
	unsigned long limited;		/* MOs over the rate limit */
	unsigned long errors;		/* database or queue failures */
};

/* The SMS command service on db, answering through q with the texts t
 * (which must outlive it). NULL when the statements cannot be prepared. */
struct sms *sms_init(void *ctx, const struct config *cfg, struct db *db,
		     struct mtq *q, const struct texts *t);
void sms_free(struct sms *s);

/* router_mo_handler: data is the struct sms. MOs from numbers that are not
 * mobile numbers are left alone (see sms.c). A negative errno when the
 * answer could not be queued: the router then keeps nothing of the MO, and
 * the SMSC sends it again. */
int sms_mo(void *data, const struct mo_msg *m);

/* The reply function of a command; NULL for COMMAND_UNKNOWN. */
handler_fn handler_for(enum command_id id);

/* The answer to text (len bytes) from msisdn at now_ms, without queueing:
 * 1 with the reply in out, 0 when the rate limit says to stay silent. */
int sms_answer(struct sms *s, const char *msisdn, const char *text,
	       size_t len, int64_t now_ms, char *out, size_t cap);

const struct sms_stats *sms_stats(const struct sms *s);

#endif
