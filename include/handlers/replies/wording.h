/*
 * wording.h - how the answers to workers are worded, shared by the reply
 * functions (replies.h) and the USSD screens: rendering with the channel's
 * signature, the worker behind a number, masking, labels, dates, lists.
 * Implemented in handlers/replies/reply.c.
 */
#ifndef SGW_WORDING_H
#define SGW_WORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handlers/domain/domain.h"
#include "handlers/replies/replies.h"
#include "gateway/text/texts.h"

#define HND_VALS_MAX	16	/* values of one text */
#define HND_LINE_MAX	512	/* one rendered list line */
#define HND_NUM_MAX	24	/* a number as text */

/* The time of the request (hc->now_ms, else the clock). */
int64_t hnd_now(const struct handler_ctx *hc);

/* Render text id with n values (and hc's signature) into out. */
int hnd_render(const struct handler_ctx *hc, enum texts_id id,
	       const struct texts_val *v, size_t n, char *out, size_t cap);

/* The "system busy" reply for a failed request; returns rc (< 0). */
int hnd_fail(const struct handler_ctx *hc, int rc, const char *what,
	     char *out, size_t cap);

/* The worker bound to msisdn. 0 with *w filled; 1 when the number is not
 * bound, with the reply text_if_not (e.g. TX_NOT_REGISTERED) in out; a
 * negative errno with the busy text in out. */
int hnd_worker(const struct handler_ctx *hc, const char *msisdn,
	       struct dom_worker *w, enum texts_id text_if_not, char *out,
	       size_t cap);

/* A worker's name and ID as replies show them: 张*明, 445***********123X. */
struct hnd_masked {
	char name[DOM_NAME_MAX];
	char id[IDCARD_MASKED];
};
void hnd_mask(const struct dom_worker *w, struct hnd_masked *m);

/* Chinese date of an ISO date, with or without the year; "" if invalid. */
void hnd_date(const char *iso, bool year, char *out, size_t cap);

/* Labels from conf/messages.conf; "" for an unknown code or level 0. */
const char *hnd_level(const struct handler_ctx *hc, int level);
const char *hnd_subsidy_kind(const struct handler_ctx *hc, const char *code);
const char *hnd_subsidy_status(const struct handler_ctx *hc,
			       const char *code);
const char *hnd_cert_kind(const struct handler_ctx *hc, const char *code);
/* An enrolment's state: its result when there is one, else its status. */
const char *hnd_result(const struct handler_ctx *hc, const char *status,
		       const char *result);

/* Room for n list lines of HND_LINE_MAX bytes (talloc under ctx, free
 * with talloc_free(l)); line i is l->line[i], a writable buffer. NULL when
 * memory is short. */
struct hnd_lines {
	char **line;
	unsigned n;
};
struct hnd_lines *hnd_lines_new(void *ctx, unsigned n);

/* A list reply (texts_list) with hc's list_parts; lines may be NULL when
 * n is 0. Returns 0. */
int hnd_list(const struct handler_ctx *hc, const char *head,
	     const char *const *lines, unsigned n, unsigned total,
	     enum texts_id more_id, char *out, size_t cap);

#endif
