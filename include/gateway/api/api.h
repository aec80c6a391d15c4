/*
 * api.h - the bureau's HTTP API and web console (gateway/api/), served by
 * the daemon on its own listener (configuration group api), on the
 * libosmocore loop through gateway/httpd.h. The contract is
 * gateway/api/openapi.json, served at /api/v1/openapi.json; /metrics is
 * Prometheus' text format; anything else is a file of api.console_dir.
 *
 * main.c hands it the daemon's long-lived objects; it reads them from the
 * loop only. Slow work runs in worker threads (gateway/api/task.c), each
 * with a database connection of its own.
 */
#ifndef SGW_API_H
#define SGW_API_H

#include <stdint.h>

struct config;
struct db;
struct mtq;
struct router;
struct sched;
struct smpp_link;
struct ussd;
struct api_server;

struct api_params {
	const struct config *cfg;
	struct db *db;			/* the daemon's connection */
	struct mtq *q;
	struct router *router;
	struct ussd *ussd;		/* NULL when USSD is off */
	struct smpp_link *const *links;
	unsigned n_links;
	int64_t started_ms;
};

/* Listen on api.address:api.port. NULL when that fails (logged). */
struct api_server *api_init(void *ctx, const struct api_params *p);
/* Stop listening, stop the worker threads (an import stops at the end of
 * its chunk), free. Commit hooks of waiting requests must have run (the
 * caller commits first). */
void api_free(struct api_server *s);

#endif
