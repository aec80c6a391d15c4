/*
 * mtq_read.h - the MT queue read one message or a page at a time, for the
 * API (GET /api/v1/messages ...): what table mt and mt_part say of a
 * message, without touching them elsewhere. A reader prepares its
 * statements on the connection it is given: the loop's for one message,
 * a worker thread's for a page with its total (which counts an index).
 */
#ifndef SGW_MTQ_READ_H
#define SGW_MTQ_READ_H

#include <stdint.h>

#include "gateway/queue/mtq.h"

struct db;
struct mtq_reader;

struct mtq_info {
	int64_t id;
	char dst[24], src[24];
	char *text;			/* talloc'ed; NULL in pages */
	enum mtq_prio prio;
	enum mtq_state state;
	unsigned attempts, parts, parts_acked;
	char link[33];			/* "" when none took it */
	int64_t smpp_status;		/* -1: none */
	int dlr_state, dlr_err;		/* first part not delivered, -1 */
	int64_t created_ms, submitted_ms, done_ms, expires_ms;	/* 0: none */
	int64_t campaign_id;		/* 0: none */
};

struct mtq_part_info {
	unsigned part;
	char link[33];
	char smsc_id[65];
	int dlr_state, dlr_err;		/* -1: no receipt yet */
	int64_t dlr_ms;
};

struct mtq_reader *mtq_reader_new(void *ctx, struct db *db);
void mtq_reader_free(struct mtq_reader *r);

/* One message with its parts (arrays under ctx). -ENOENT. */
int mtq_reader_get(struct mtq_reader *r, void *ctx, int64_t id,
		   struct mtq_info *m, struct mtq_part_info **parts,
		   unsigned *n_parts);

/* A page of messages, newest first, in state (-1: any); *total in all. */
int mtq_reader_page(struct mtq_reader *r, void *ctx, int state,
		    unsigned offset, unsigned limit, struct mtq_info **out,
		    unsigned *n, unsigned long *total);

#endif
