/*
 * dlr.h - delivery receipts: the message_state TLV and the textual
 * "id:... sub:... dlvrd:... submit date:... done date:... stat:... err:..."
 * form, and normalisation of SMSC message ids between the formats an SMSC
 * uses in submit_sm_resp and in receipts.
 */
#ifndef SGW_DLR_H
#define SGW_DLR_H

#include <stdbool.h>
#include <stddef.h>

#include "gateway/config.h"
#include "gateway/queue/mtq.h"
#include "gateway/smpp/pdu.h"


struct dlr {
	char id[SMPP_MSGID_MAX];
	enum mtq_rcpt state;
	int err;		/* err: field or network_error_code, -1 if none */
};

/* Parse the textual receipt. 0, or -EINVAL if no id or no stat is present. */
int dlr_parse_text(const char *text, size_t len, struct dlr *d);

/* Receipt from a decoded deliver_sm: TLVs first, text as fallback.
 * 0, or -EINVAL if it is not a usable receipt. */
int dlr_from_deliver(const struct smpp_deliver *dl, struct dlr *d);

const char *dlr_state_str(enum mtq_rcpt s);

/* Why a failed or expired message did not arrive, in English words: its
 * first part's receipt that was not "delivered" (dlr_state >= 0, as
 * struct mtq_failure), else the SMSC's refusal (status), else expiry or
 * no answer. For reports and the API. */
void dlr_why(enum mtq_state state, uint32_t status, int dlr_state,
	     int dlr_err, char *out, size_t cap);

/* Canonical id: HEX ids are converted to decimal, DEC ids lose leading zeros,
 * ASIS ids are copied. Falls back to a copy when the id does not parse in the
 * given format. 0 or -ENOSPC. */
int dlr_id_normalise(const char *in, enum config_id_fmt fmt, char *out,
		     size_t cap);

#endif
