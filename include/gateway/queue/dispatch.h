/*
 * dispatch.h - moves ready MTs from the durable queue to the links, and
 * hands a USSD screen to the link its dialogue came on.
 */
#ifndef SGW_DISPATCH_H
#define SGW_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

struct config;
struct db;
struct dispatch;
struct mtq;
struct smpp_link;

/* db: the group commit whose hook hands the rows taken to the links. */
struct dispatch *dispatch_init(void *ctx, const struct config *cfg,
			       struct db *db, struct mtq *q,
			       struct smpp_link **links, unsigned n_links);
void dispatch_free(struct dispatch *d);

/* Something may be ready (a link has room, a message was queued). */
void dispatch_kick(void *d);

/* Once per loop iteration: fetch what the links have room for, and hand
 * it over once the commit that marked it sending succeeds (dropped when it
 * fails: the rollback queues it again). Stops fetching while the queue is
 * drained until the next kick or poll. */
void dispatch_run(struct dispatch *d);

/* Shutting down: fetch nothing more. */
void dispatch_stop(struct dispatch *d);

/* A USSD screen: sent ahead of every SMS, without a queue row (a dialogue
 * does not survive a restart anyway), never split. */
struct dispatch_ussd {
	const char *dst;		/* the subscriber */
	const char *src;		/* the code dialled, or NULL */
	const char *text;		/* UTF-8, one screen */
	uint8_t op;			/* ussd_service_op as the link numbers it */
	bool has_its;
	uint16_t its;			/* its_session_info to echo */
};

/* Send u on the link named link. 0; -ENOENT for no such link; -ENOTCONN
 * when it is down. */
int dispatch_ussd(struct dispatch *d, const char *link,
		  const struct dispatch_ussd *u);

#endif
