/*
 * dispatch.h - moves ready MTs from the durable queue to the links.
 */
#ifndef SGW_DISPATCH_H
#define SGW_DISPATCH_H

struct config;
struct dispatch;
struct mtq;
struct smpp_link;

struct dispatch *dispatch_init(void *ctx, const struct config *cfg,
			       struct mtq *q, struct smpp_link **links,
			       unsigned n_links);
void dispatch_free(struct dispatch *d);

/* Something may be ready (a link has room, a message was queued). */
void dispatch_kick(void *d);

/* Once per loop iteration: fetch what the links have room for and hand it
 * over. Stops fetching while the queue is drained until the next kick or
 * poll. */
void dispatch_run(struct dispatch *d);

/* Shutting down: fetch nothing more. */
void dispatch_stop(struct dispatch *d);

#endif
