/*
 * ussd_data.h - the little the USSD menus read that the domain layer has
 * no function for: the number of an enrolment (shown on the final screen
 * of a USSD enrolment) and the latest notices sent to a number.
 *
 * Returns: 0, -ENOENT (no such row), -EIO (the database failed).
 */
#ifndef SGW_USSD_DATA_H
#define SGW_USSD_DATA_H

#include <stdint.h>

#include "gateway/text/fmt.h"

struct db;
struct ussd_data;

#define USSD_NOTICES_MAX	3	/* "最新通知": the latest three */

struct ussd_notice {
	char date[FMT_ISO_DATE];	/* local date it was queued */
	char *text;			/* talloc'ed, as sent */
};

/* NULL when the statements cannot be prepared (logged). */
struct ussd_data *ussd_data_init(void *ctx, struct db *db);
void ussd_data_free(struct ussd_data *ud);

/* The id of worker_id's enrolment in course code that is not cancelled. */
int ussd_data_enrolment(struct ussd_data *ud, int64_t worker_id,
			const char *code, int64_t *id);

/* The latest (at most max) notices of a campaign that left for msisdn,
 * newest first, into out[] (texts under ctx); *n gets how many. */
int ussd_data_notices(struct ussd_data *ud, void *ctx, const char *msisdn,
		      unsigned max, struct ussd_notice *out, unsigned *n);

#endif
